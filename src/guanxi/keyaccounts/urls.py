from django.urls import path

from guanxi.keyaccounts import views

app_name = "keyaccounts"

urlpatterns = [
    path("<int:pk>/key-account/", views.customer_tab, name="customer_tab"),
    path("<int:pk>/key-account/edit/", views.plan_edit, name="plan_edit"),
    path("<int:pk>/key-account/delete/", views.plan_delete, name="plan_delete"),
    path("<int:pk>/key-account/goals/new/", views.goal_edit, name="goal_new"),
    path("<int:pk>/key-account/goals/<int:goal_id>/", views.goal_edit, name="goal_edit"),
    path("<int:pk>/key-account/goals/<int:goal_id>/delete/", views.goal_delete, name="goal_delete"),
    path("<int:pk>/key-account/map/new/", views.relationship_edit, name="relationship_new"),
    path(
        "<int:pk>/key-account/map/<int:rel_id>/", views.relationship_edit, name="relationship_edit"
    ),
    path(
        "<int:pk>/key-account/map/<int:rel_id>/delete/",
        views.relationship_delete,
        name="relationship_delete",
    ),
]
