"""KYB platform project package: settings, URLs, the Celery app and cross-cutting plumbing."""

from kyb import _lean_imports  # noqa: F401  # first: before anything imports DRF
from kyb.celery import app as celery_app

__all__ = ("celery_app",)
