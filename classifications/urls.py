"""v1 routes of the classifications app (included under ``/api/v1/`` by ``kyb/urls.py``)."""

from django.urls import path

from classifications.api import ClassifyApi

urlpatterns = [
    path("classify", ClassifyApi.as_view(), name="classify"),
]
