"""applicant pages."""

urlpatterns: list = []
