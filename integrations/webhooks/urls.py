from django.urls import path

from integrations.webhooks.inbound import views as inbound

app_name = "webhooks"

urlpatterns = [
    path("<slug:partner_slug>/", inbound.receive, name="receive"),
]
