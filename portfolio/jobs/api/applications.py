"""applications API."""

urlpatterns: list = []
