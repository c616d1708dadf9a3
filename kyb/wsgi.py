"""WSGI entry point for gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

from kyb.wsgi_body import CompleteBodyMiddleware

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kyb.settings")

django_application = get_wsgi_application()

from kyb.api.fastpath import FastReadApp  # noqa: E402 - needs the settings and apps loaded

# Cached reads are answered before Django builds a request (kyb/api/fastpath.py); everything
# else gets a complete body (kyb/wsgi_body.py), then Django.
application = FastReadApp(CompleteBodyMiddleware(django_application))
