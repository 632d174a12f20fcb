from django.urls import path

from guanxi.interactions import views

app_name = "interactions"

urlpatterns = [
    path("customers/<int:pk>/timeline/", views.customer_tab, name="customer_tab"),
    path("customers/<int:pk>/timeline/items/", views.timeline_items, name="timeline_items"),
    path("customers/<int:pk>/timeline/log/", views.log, name="log"),
    path("interactions/<int:pk>/", views.interaction_detail, name="detail"),
    path("interactions/<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("my-day/", views.my_day_page, name="my_day"),
    path("tasks/new/", views.task_new, name="task_new"),
    path("tasks/<int:pk>/edit/", views.task_edit, name="task_edit"),
    path("tasks/<int:pk>/complete/", views.task_complete, name="task_complete"),
    path("tasks/<int:pk>/reopen/", views.task_reopen, name="task_reopen"),
    path("tasks/calendar/", views.feed_settings, name="feed_settings"),
    path("tasks/calendar/<str:token>.ics", views.feed, name="feed"),
]
