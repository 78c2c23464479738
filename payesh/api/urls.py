from django.urls import path

from payesh.api.api import api

urlpatterns = [path("", api.urls)]
