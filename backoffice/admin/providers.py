from django.contrib import admin

from backoffice.admin.base import ReadOnlyAdmin
from providers.models import ProviderBalance, ProviderCall, WebhookEvent


@admin.register(ProviderCall)
class ProviderCallAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "provider",
        "operation",
        "method",
        "status_code",
        "outcome",
        "latency_ms",
        "correlation",
    ]
    list_filter = ["provider", "operation", "outcome"]
    search_fields = ["=correlation"]
    show_full_result_count = False


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "provider", "event_type", "event_id", "status", "reason"]
    list_filter = ["provider", "status", "event_type"]
    search_fields = ["=event_id"]
    show_full_result_count = False


@admin.register(ProviderBalance)
class ProviderBalanceAdmin(ReadOnlyAdmin):
    list_display = ["provider", "country", "currency", "amount_minor", "as_of", "error"]
    list_filter = ["provider", "country"]
