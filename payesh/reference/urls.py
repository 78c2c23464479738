from django.urls import path

from payesh.reference import views

app_name = "reference"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:table>/", views.table, name="table"),
]
