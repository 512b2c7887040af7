from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "msinfusion.web.pages"
    label = "pages"
