"""Public routes (no sign-in): the web-to-lead endpoint, mounted at /public/."""

from django.urls import path

from guanxi.sales import views_public

urlpatterns = [
    path("leads/<str:token>/", views_public.web_lead, name="public_lead_form"),
]
