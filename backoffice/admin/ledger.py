from django.contrib import admin
from unfold.admin import TabularInline

from backoffice.admin.base import ReadOnlyAdmin
from payments.models import Account, FloatTopUp, IncomingPayment, JournalEntry, Posting, Refund


class PostingInline(TabularInline):
    model = Posting
    fields = ["account", "amount_minor", "currency"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdmin):
    list_display = ["idempotency_key", "kind", "transfer", "created_at"]
    list_filter = ["kind"]
    search_fields = ["idempotency_key", "transfer__reference"]
    list_select_related = ["transfer"]
    show_full_result_count = False
    inlines = [PostingInline]


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["code", "currency", "kind", "allow_negative"]
    list_filter = ["kind", "currency"]


@admin.register(IncomingPayment)
class IncomingPaymentAdmin(ReadOnlyAdmin):
    list_display = [
        "payment_ref",
        "status",
        "transfer_reference",
        "amount_minor",
        "currency",
        "method",
        "dispute_status",
        "note",
        "received_at",
    ]
    list_filter = ["status", "method", "dispute_status", "provider"]
    search_fields = ["=payment_ref", "=transfer_reference", "=dispute_ref"]
    show_full_result_count = False


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = [
        "reference",
        "status",
        "transfer",
        "amount_minor",
        "currency",
        "provider_ref",
        "error_message",
        "created_at",
        "settled_at",
    ]
    list_filter = ["status"]
    search_fields = ["=reference", "=provider_ref", "transfer__reference"]
    list_select_related = ["transfer"]
    show_full_result_count = False


@admin.register(FloatTopUp)
class FloatTopUpAdmin(ReadOnlyAdmin):
    list_display = ["reference", "provider", "currency", "amount_minor", "booked_by", "booked_at"]
    list_filter = ["provider", "currency"]
    search_fields = ["=reference"]
    list_select_related = ["booked_by"]
