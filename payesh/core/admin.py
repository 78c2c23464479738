from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from payesh.core.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "agency", "language", "is_active"]
    list_filter = ["role", "agency", "is_active"]
    fieldsets = [
        *(DjangoUserAdmin.fieldsets or []),
        (_("Payesh"), {"fields": ["role", "agency", "language"]}),
    ]
