from django.urls import path

from payesh.ledger import views

app_name = "ledger"
urlpatterns = [
    path("", views.batch_list, name="batches"),
    path("upload/", views.upload, name="upload"),
    path("template/<str:language>.<str:fmt>", views.template_download, name="template"),
    path("batches/<str:batch_id>/", views.batch_detail, name="batch"),
    path("batches/<str:batch_id>/status.json", views.batch_status, name="batch_status"),
    path("batches/<str:batch_id>/report.<str:fmt>", views.batch_report, name="batch_report"),
    path("batches/<str:batch_id>/withdraw/", views.batch_withdraw, name="batch_withdraw"),
    path("batches/<str:batch_id>/restore/", views.batch_restore, name="batch_restore"),
]
