from django.urls import path

from guanxi.ops import search_views

app_name = "ops"
urlpatterns = [
    path("", search_views.search, name="search"),
]
