"""v1 routes of the screening app (included under ``/api/v1/`` by ``kyb/urls.py``)."""

from django.urls import path

from screening.api import ScreenApi

urlpatterns = [
    path("screen", ScreenApi.as_view(), name="screen"),
]
