"""The access-log page, at /access-log/ (its reads need customers and teams: the ops layer)."""

from django.urls import path

from guanxi.ops import access_log_views

urlpatterns = [
    path("", access_log_views.access_log_page, name="access_log"),
]
