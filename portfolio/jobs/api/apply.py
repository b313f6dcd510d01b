"""apply API."""

urlpatterns: list = []
