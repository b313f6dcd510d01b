from django.urls import path

from portfolio.creators import api

urlpatterns = [
    path("anchors/", api.AnchorsApi.as_view(), name="api-anchors"),
]
