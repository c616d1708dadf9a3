"""WSGI entry point for gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

from kyb.wsgi_body import CompleteBodyMiddleware

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kyb.settings")

application = CompleteBodyMiddleware(get_wsgi_application())
