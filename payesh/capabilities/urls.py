from django.urls import path

from payesh.capabilities import views

app_name = "capabilities"
urlpatterns = [
    path("", views.index, name="index"),
    path("profile/<str:code>/", views.profile, name="profile"),
    path("registry/", views.registry, name="registry"),
    path("registry/new/", views.capacity_new, name="capacity_new"),
    path("registry/<int:capacity_id>/", views.capacity_detail, name="capacity"),
    path("registry/<int:capacity_id>/edit/", views.capacity_edit, name="capacity_edit"),
    path("registry/<int:capacity_id>/<slug:action>/", views.capacity_action, name="capacity_action"),
    path("world/", views.world_data, name="world"),
]
