"""The screening routes at their public prefix, for tests that run before ``kyb/urls.py``
includes ``screening.urls`` (it then serves the same view at the same path)."""

from django.urls import include, path

urlpatterns = [path("api/v1/", include("screening.urls"))]
