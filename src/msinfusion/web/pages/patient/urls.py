"""Routes of the patient area."""

urlpatterns: list = []
