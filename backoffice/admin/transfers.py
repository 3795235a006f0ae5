from django.contrib import admin
from unfold.admin import ModelAdmin, TabularInline
from unfold.decorators import display as admin_display

from backoffice.admin.base import HistoryAdmin, ReadOnlyAdmin, ReadOnlyMixin
from payments.models import Customer, PayoutAttempt, Recipient, Transfer, TransferEvent
from payments.money import display as money_display

STATUS_COLOURS = {
    "created": "info",
    "funding": "info",
    "funded": "info",
    "on_hold": "warning",
    "payout_pending": "info",
    "payout_submitted": "info",
    "paid_out": "success",
    "payout_failed": "danger",
    "refunded": "warning",
    "cancelled": "warning",
    "expired": "warning",
}


class ReadOnlyInline(TabularInline):
    extra = 0
    show_title = False
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EventInline(ReadOnlyInline):
    model = TransferEvent
    fields = ["created_at", "from_status", "to_status", "actor_label", "reason"]
    readonly_fields = fields


class AttemptInline(ReadOnlyInline):
    model = PayoutAttempt
    fields = [
        "reference",
        "provider",
        "status",
        "provider_ref",
        "error_code",
        "checks",
        "created_at",
    ]
    readonly_fields = fields


@admin.register(Transfer)
class TransferAdmin(ReadOnlyMixin, HistoryAdmin, ModelAdmin):
    list_display = [
        "reference",
        "display_status",
        "customer",
        "recipient",
        "display_send",
        "display_receive",
        "payout_provider",
        "created_at",
    ]
    list_filter = ["status", "payout_provider", "corridor"]
    search_fields = ["=reference", "customer__email", "recipient__phone"]
    list_select_related = ["customer", "recipient"]
    show_full_result_count = False
    date_hierarchy = "created_at"
    inlines = [EventInline, AttemptInline]

    fieldsets = [
        (None, {"fields": ["reference", "display_status", "hold_reason", "customer", "recipient"]}),
        (
            "Money",
            {
                "fields": [
                    "display_send",
                    "display_principal",
                    "display_fee",
                    "rate",
                    "display_receive",
                    "corridor",
                    "payout_provider",
                    "quote",
                ]
            },
        ),
        (
            "Funding",
            {"fields": ["funding_method", "funding_deadline", "funded_at", "funds_final_at"]},
        ),
        ("Dates", {"fields": ["created_at", "paid_out_at"]}),
    ]
    readonly_fields = [
        "display_status",
        "display_send",
        "display_principal",
        "display_fee",
        "display_receive",
    ]

    @admin_display(description="Status", label=STATUS_COLOURS)
    def display_status(self, obj):
        return obj.status

    @admin_display(description="Sender pays")
    def display_send(self, obj):
        return money_display(obj.total_minor, obj.send_currency)

    @admin_display(description="Converted")
    def display_principal(self, obj):
        return money_display(obj.send_amount_minor, obj.send_currency)

    @admin_display(description="Fee")
    def display_fee(self, obj):
        return money_display(obj.fee_minor, obj.send_currency)

    @admin_display(description="Recipient gets")
    def display_receive(self, obj):
        return money_display(obj.receive_amount_minor, obj.receive_currency)


@admin.register(PayoutAttempt)
class PayoutAttemptAdmin(ReadOnlyAdmin):
    list_display = ["reference", "provider", "status", "checks", "next_check_at", "created_at"]
    list_filter = ["status", "provider"]
    search_fields = ["=reference", "provider_ref"]
    show_full_result_count = False


@admin.register(Customer)
class CustomerAdmin(HistoryAdmin, ModelAdmin):
    list_display = ["email", "first_name", "last_name", "country", "created_at"]
    search_fields = ["email", "last_name", "phone"]
    show_full_result_count = False


@admin.register(Recipient)
class RecipientAdmin(HistoryAdmin, ModelAdmin):
    list_display = ["first_name", "last_name", "phone", "provider", "country", "customer"]
    search_fields = ["phone", "last_name"]
    list_select_related = ["customer"]
    show_full_result_count = False
    # The wallet itself is changed through the services, which validate the number.
    readonly_fields = ["customer", "country", "phone", "provider"]
