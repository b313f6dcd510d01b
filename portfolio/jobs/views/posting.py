"""posting pages."""

urlpatterns: list = []
