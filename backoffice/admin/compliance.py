from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin

from backoffice.admin.base import ReadOnlyAdmin
from compliance.models import (
    GdprRequest,
    KycDocument,
    KycTier,
    MonitoringAlert,
    MonitoringRule,
    SanctionsListVersion,
    ScreeningHit,
)


@admin.register(KycTier)
class KycTierAdmin(ModelAdmin):
    """Tier limits are configuration: compliance may change them here (history kept)."""

    list_display = [
        "level", "name", "per_transfer_minor", "per_30_days_minor", "per_365_days_minor",
        "currency",
    ]  # fmt: skip
    ordering = ["level"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(KycDocument)
class KycDocumentAdmin(ReadOnlyAdmin):
    list_display = ["customer", "kind", "content_type", "size", "status", "uploaded_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["customer"]
    search_fields = ["customer__email"]
    show_full_result_count = False


@admin.register(SanctionsListVersion)
class SanctionsListVersionAdmin(ReadOnlyAdmin):
    list_display = ["source", "file_name", "entries", "imported_at"]
    list_filter = ["source"]


@admin.register(ScreeningHit)
class ScreeningHitAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at", "party", "screened_name", "matched_name", "score", "status", "transfer",
    ]  # fmt: skip
    list_filter = ["status", "party"]
    list_select_related = ["transfer"]
    search_fields = ["screened_name", "matched_name"]
    show_full_result_count = False


@admin.register(MonitoringRule)
class MonitoringRuleAdmin(SimpleHistoryAdmin, ModelAdmin):
    """Rules are data: compliance enables, scores and tunes them here (history kept)."""

    list_display = ["code", "name", "enabled", "score", "params"]
    list_editable = ["enabled", "score"]
    readonly_fields = ["code"]

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False  # a rule needs its code in compliance/monitoring.py


@admin.register(MonitoringAlert)
class MonitoringAlertAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "rule", "transfer", "customer", "score", "status"]
    list_filter = ["status", "rule"]
    list_select_related = ["rule", "transfer", "customer"]
    show_full_result_count = False


@admin.register(GdprRequest)
class GdprRequestAdmin(ReadOnlyAdmin):
    list_display = ["at", "customer", "kind", "detail"]
    list_filter = ["kind"]
    list_select_related = ["customer"]
