"""jobs API."""

urlpatterns: list = []
