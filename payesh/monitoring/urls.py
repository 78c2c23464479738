from django.urls import path

from payesh.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("through-origin/", views.through_origin, name="through_origin"),
    path("partners/", views.partners, name="partners"),
    path("products/", views.products, name="products"),
    path("offices/", views.offices, name="offices"),
    path("origin/", views.origin, name="origin"),
    path("explorer/", views.explorer, name="explorer"),
    path("facts/", views.fact_rows, name="facts"),
]
