from django.contrib import admin
from unfold.admin import ModelAdmin, TabularInline

from backoffice.admin.base import HistoryAdmin, ReadOnlyAdmin
from payments.models import Corridor, FeeBand, FxRate, Quote


class FeeBandInline(TabularInline):
    model = FeeBand
    extra = 0


@admin.register(Corridor)
class CorridorAdmin(HistoryAdmin, ModelAdmin):
    list_display = [
        "code",
        "source_currency",
        "destination_currency",
        "payout_providers",
        "min_send_minor",
        "max_send_minor",
        "margin_bps",
        "active",
    ]
    list_filter = ["active", "destination_currency"]
    inlines = [FeeBandInline]


@admin.register(FxRate)
class FxRateAdmin(ReadOnlyAdmin):
    list_display = ["base_currency", "quote_currency", "rate", "source", "as_of", "fetched_at"]
    list_filter = ["quote_currency", "source"]


@admin.register(Quote)
class QuoteAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "customer",
        "corridor",
        "send_amount_minor",
        "fee_minor",
        "receive_amount_minor",
        "rate",
        "expires_at",
    ]
    list_select_related = ["customer", "corridor"]
    show_full_result_count = False
