from django.urls import path

from portfolio.creators import views

app_name = "creators"

urlpatterns = [
    path("l/<str:code>", views.link_redirect, name="link"),
    path("l/<str:code>/", views.link_redirect_slash),
    path("@<slug:handle>", views.public_page, name="public_page"),
    path("@<slug:handle>/", views.public_page_slash),
    path("@<slug:handle>/card.png", views.public_page_card, name="public_page_card"),
    path("creator/videos/", views.video_list, name="video_list"),
    path("creator/videos/<int:video_id>/link/", views.anchor_edit, name="anchor_edit"),
    path("creator/videos/<int:video_id>/link/detach/", views.anchor_detach, name="anchor_detach"),
    path("creator/videos/<int:video_id>/link/qr.svg", views.anchor_qr_svg, name="anchor_qr_svg"),
    path("creator/videos/<int:video_id>/link/qr.png", views.anchor_qr_png, name="anchor_qr_png"),
    path("creator/analytics/", views.analytics, name="analytics"),
    path("creator/analytics.csv", views.analytics_csv, name="analytics_csv"),
    path("creator/settings/", views.creator_settings, name="settings"),
    path("creator/profile/", views.creator_identity, name="identity"),
    path("creator/page/", views.creator_page_look, name="page_look"),
    path("creator/projects/", views.creator_projects, name="projects"),
]
