"""WSGI entry point (gunicorn msinfusion.web.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "msinfusion.web.settings")
application = get_wsgi_application()
