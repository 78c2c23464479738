from __future__ import annotations

from django.contrib import admin

from payesh.ledger.models import Batch


@admin.register(Batch)
class BatchAdmin(admin.ModelAdmin):
    list_display = ["id", "source_name", "status", "rows_loaded", "errors", "warnings", "created_by", "created_at"]
    list_filter = ["status", "policy", "format"]
    search_fields = ["id", "source_name", "sha256"]
    readonly_fields = [f.name for f in Batch._meta.fields]

    def has_add_permission(self, request: object) -> bool:  # loads go through the upload page or the CLI
        return False
