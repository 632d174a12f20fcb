from django.urls import path

from guanxi.analytics import views

app_name = "analytics"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("refresh/", views.refresh, name="refresh"),
    path("customers/<int:customer_id>/panel/", views.customer_panel, name="customer_panel"),
]
