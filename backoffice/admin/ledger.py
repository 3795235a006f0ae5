from django.contrib import admin
from unfold.admin import TabularInline

from backoffice.admin.base import ReadOnlyAdmin
from payments.models import Account, JournalEntry, Posting


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
