from django.urls import path

app_name = "customers"
urlpatterns: list = [
    path("", lambda r: None, name="list"),
    path("<int:pk>/", lambda r, pk: None, name="detail"),
]
