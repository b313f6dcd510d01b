"""apply pages."""

urlpatterns: list = []
