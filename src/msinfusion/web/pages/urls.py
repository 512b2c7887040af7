"""Page routes. Each area (patient, staff, center admin) keeps its own urls module."""

from django.urls import include, path

from msinfusion.web.accounts.views import login_view, logout_view
from msinfusion.web.pages.home import health, home

urlpatterns = [
    path("", home, name="home"),
    path("health", health, name="health"),
    path("login/", login_view, name="login"),
    path("logout/", logout_view, name="logout"),
    path("", include("msinfusion.web.pages.patient.urls")),
    path("", include("msinfusion.web.pages.staff.urls")),
    path("", include("msinfusion.web.pages.center.urls")),
    path("", include("msinfusion.web.pages.board.urls")),
]
