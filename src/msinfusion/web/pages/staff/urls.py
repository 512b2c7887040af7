"""Routes of the staff area."""

urlpatterns: list = []
