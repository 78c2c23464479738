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
    path("strategy/", include("payesh.strategy.urls")),
    path("api/", include("payesh.api.urls")),
    path("admin/", admin.site.urls),
]

# Error pages in the site's language and layout (payesh/core/views.py).
handler400, handler403 = "payesh.core.views.error_400", "payesh.core.views.error_403"
handler404, handler500 = "payesh.core.views.error_404", "payesh.core.views.error_500"
