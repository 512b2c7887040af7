"""Routes of the center area."""

urlpatterns: list = []
