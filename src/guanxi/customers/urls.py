from django.urls import path

from guanxi.customers import import_views, views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_create, name="create"),
    path("bulk/", views.bulk_action, name="bulk"),
    path("transfer-all/", views.transfer_all, name="transfer_all"),
    path("recycle-bin/", views.recycle_bin, name="recycle_bin"),
    path("export/", import_views.export, name="export"),
    path("import/", import_views.import_upload, name="import"),
    path("import/<int:pk>/", import_views.import_mapping, name="import_mapping"),
    path("import/<int:pk>/status/", import_views.import_job, name="import_job"),
    path("import/<int:pk>/run/", import_views.import_run, name="import_run"),
    path("import/<int:pk>/report.csv", import_views.import_report, name="import_report"),
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("<int:pk>/edit/", views.customer_edit, name="edit"),
    path("<int:pk>/tab/<slug:tab>/", views.customer_tab, name="tab"),
    path("<int:pk>/reveal/<slug:field>/", views.reveal, name="reveal"),
    path("<int:pk>/transfer/", views.customer_transfer, name="transfer"),
    path("<int:pk>/delete/", views.customer_delete, name="delete"),
    path("<int:pk>/restore/", views.customer_restore, name="restore"),
    path("<int:pk>/purge/", views.customer_purge, name="purge"),
    path("<int:pk>/follow/", views.follow, name="follow"),
    path("<int:pk>/tags/", views.tags_update, name="tags"),
    path("<int:pk>/contacts/add/", views.contact_add, name="contact_add"),
    path("<int:pk>/contacts/<int:contact_id>/edit/", views.contact_edit, name="contact_edit"),
    path("<int:pk>/contacts/<int:contact_id>/remove/", views.contact_remove, name="contact_remove"),
    path("<int:pk>/shares/add/", views.share_add, name="share_add"),
    path("<int:pk>/shares/<int:share_id>/remove/", views.share_remove, name="share_remove"),
]
