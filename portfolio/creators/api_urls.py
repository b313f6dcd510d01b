from django.urls import path

from portfolio.creators import api

urlpatterns = [
    path("anchors/", api.AnchorsApi.as_view(), name="api-anchors"),
    path("anchors/lookup", api.AnchorsLookupApi.as_view(), name="api-anchors-lookup"),
]
