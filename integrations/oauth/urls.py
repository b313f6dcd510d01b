from django.urls import path

from integrations.oauth import views

app_name = "oauth"

urlpatterns = [
    path("", views.linked_accounts, name="linked_accounts"),
    path("status/", views.linked_accounts_status, name="linked_accounts_status"),
    path("<slug:provider_id>/connect/", views.connect, name="connect"),
    path("<slug:provider_id>/sign-in/", views.sign_in, name="sign_in"),
    path("<slug:provider_id>/callback/", views.callback, name="callback"),
    path("<slug:provider_id>/sync/", views.sync, name="sync"),
    path("<slug:provider_id>/unlink/", views.unlink, name="unlink"),
]
