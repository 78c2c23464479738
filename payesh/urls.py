from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from payesh.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("language/", core_views.language_switch, name="language_switch"),
    path("accounts/login/", core_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("reference/", include("payesh.reference.urls")),
    path("ledger/", include("payesh.ledger.urls")),
    path("monitoring/", include("payesh.monitoring.urls")),
    path("capabilities/", include("payesh.capabilities.urls")),
    path("api/", include("payesh.api.urls")),
    path("admin/", admin.site.urls),
]
