from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "msinfusion.web.api"
    label = "api"
