"""URL map: pages, the JSON API and Django admin (superusers only)."""

from django.contrib import admin
from django.urls import include, path

from msinfusion.web.api.urls import api

urlpatterns = [
    path("", include("msinfusion.web.pages.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

handler400 = "msinfusion.web.pages.errors.bad_request"
handler403 = "msinfusion.web.pages.errors.forbidden"
handler404 = "msinfusion.web.pages.errors.not_found"
handler500 = "msinfusion.web.pages.errors.server_error"
