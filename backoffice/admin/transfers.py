"""Transfers, payout attempts, customers and recipients in the console."""

import re

from django.contrib import admin, messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, TabularInline
from unfold.contrib.filters.admin import RangeDateFilter
from unfold.decorators import display as admin_display
from unfold.paginator import InfinitePaginator

from backoffice.admin import transfer_actions
from backoffice.admin.base import HistoryAdmin, ReadOnlyAdmin, ReadOnlyMixin
from backoffice.admin.filters import (
    AmountRangeFilter,
    HoldReasonFilter,
    KycTierFilter,
    NeedsPersonFilter,
    ProviderFilter,
    StuckFilter,
)
from backoffice.admin.masking import FULL_PHONE, PhoneMaskMixin, mask_phone
from backoffice.admin.service_actions import run_action
from payments.models import Customer, PayoutAttempt, Recipient, Transfer, TransferEvent
from payments.money import display as money_display

TRANSFER_REFERENCE = re.compile(r"MB-[0-9A-Z]{4}-[0-9A-Z]{4}")
ATTEMPT_REFERENCE = re.compile(r"MB-[0-9A-Z]{4}-[0-9A-Z]{4}-\d+")

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
class TransferAdmin(PhoneMaskMixin, ReadOnlyMixin, HistoryAdmin, ModelAdmin):
    """The transfer monitor: a list that stays fast at millions of rows (no count, indexed
    filters and searches, one query for the page), and a page with everything about one
    transfer and the actions staff may take on it."""

    list_display = [
        "reference", "display_status", "customer", "recipient", "display_send",
        "display_receive", "payout_provider", "created_at",
    ]  # fmt: skip
    list_filter = [
        "status", "corridor", ProviderFilter, ("created_at", RangeDateFilter),
        ("send_amount_minor", AmountRangeFilter), KycTierFilter, HoldReasonFilter, StuckFilter,
    ]  # fmt: skip
    list_filter_submit = True
    search_fields = ["reference"]  # see get_search_results
    search_help_text = _("A reference (MB-…), an e-mail, a wallet number or a provider reference")
    list_select_related = ["customer", "recipient"]
    show_full_result_count = False
    paginator = InfinitePaginator
    list_per_page = 50
    ordering = ["-created_at"]
    phone_fields = ("payout_msisdn", "recipient")  # a recipient reads as its wallet number
    actions = ["release_selected", "retry_selected"]
    inlines = [EventInline, AttemptInline]
    change_form_template = "backoffice/transfer.html"

    fieldsets = [
        (None, {"fields": ["reference", "display_status", "hold_reason", "customer", "recipient",
                           "payout_msisdn"]}),
        (_("Money"), {"fields": ["display_send", "display_principal", "display_fee", "rate",
                                 "display_receive", "corridor", "payout_provider", "quote"]}),
        (_("Funding"), {"fields": ["funding_method", "funding_deadline", "funded_at",
                                   "funds_final_at"]}),
        (_("Dates"), {"fields": ["created_at", "paid_out_at"]}),
    ]  # fmt: skip
    readonly_fields = ["display_status", "display_send", "display_principal", "display_fee",
                       "display_receive"]  # fmt: skip

    def get_fieldsets(self, request, obj=None):
        return [
            (title, {**opts, "fields": self._masked(request, opts["fields"])})
            for title, opts in super().get_fieldsets(request, obj)
        ]

    def get_search_results(self, request, queryset, term):
        """One indexed lookup chosen by the shape of what was typed, never a scan over joins."""
        return search_transfers(queryset, term), False

    @admin_display(description=_("Status"), label=STATUS_COLOURS)
    def display_status(self, obj):
        return obj.status

    @admin_display(description=_("Sender pays"))
    def display_send(self, obj):
        return money_display(obj.total_minor, obj.send_currency)

    @admin_display(description=_("Converted"))
    def display_principal(self, obj):
        return money_display(obj.send_amount_minor, obj.send_currency)

    @admin_display(description=_("Fee"))
    def display_fee(self, obj):
        return money_display(obj.fee_minor, obj.send_currency)

    @admin_display(description=_("Recipient gets"))
    def display_receive(self, obj):
        return money_display(obj.receive_amount_minor, obj.receive_currency)

    # --- The page ------------------------------------------------------------------------------

    def get_urls(self):
        own = [
            path("<int:pk>/act/<str:action>/", self.admin_site.admin_view(self.act_view),
                 name="payments_transfer_act"),
        ]  # fmt: skip
        return own + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        transfer = get_object_or_404(
            Transfer.objects.select_related("customer", "recipient", "corridor"), pk=object_id
        )
        context = {**transfer_page(transfer, request.user), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, context)

    def act_view(self, request, pk, action):
        if action not in transfer_actions.ACTIONS:
            raise Http404
        spec = transfer_actions.ACTIONS[action]
        return run_action(
            request, permission=spec.permission, form_class=spec.form,
            call=lambda data: transfer_actions.run(action, pk, data, request.user),
            done=_("Done: %(action)s.") % {"action": spec.label},
            back=reverse("admin:payments_transfer_change", args=[pk]),
        )  # fmt: skip

    # --- Bulk actions, each with a preview ---------------------------------------------------

    def has_hold_permission(self, request):
        return request.user.has_perm("payments.hold_transfer")

    def has_retry_permission(self, request):
        return request.user.has_perm("payments.retry_payout")

    @admin.action(description=_("Release selected holds…"), permissions=["hold"])
    def release_selected(self, request, queryset):
        return self._bulk(request, queryset, "release")

    @admin.action(description=_("Retry selected failed payouts…"), permissions=["retry"])
    def retry_selected(self, request, queryset):
        return self._bulk(request, queryset, "retry")

    def _bulk(self, request, queryset, name):
        form = transfer_actions.ReasonForm(request.POST if "confirm" in request.POST else None)
        if "confirm" in request.POST and form.is_valid():
            ids = list(queryset.values_list("pk", flat=True))
            done, refused = transfer_actions.run_bulk(name, ids, form.cleaned_data["reason"],
                                                      request.user)  # fmt: skip
            messages.success(request, _("%(n)s transfer(s) done.") % {"n": done})
            for line in refused:
                messages.error(request, line)
            return None
        rows = transfer_actions.preview(name, queryset)
        context = {
            **self.admin_site.each_context(request),
            "title": transfer_actions.ACTIONS[name].label,
            "opts": self.model._meta,
            "action": f"{name}_selected",
            "rows": rows,
            "going": sum(why is None for _t, why in rows),
            "form": form,
        }
        return TemplateResponse(request, "backoffice/transfer_bulk_preview.html", context)


def search_transfers(queryset, term: str):
    term = term.strip()
    if not term:
        return queryset
    if TRANSFER_REFERENCE.fullmatch(term.upper()):
        return queryset.filter(reference=term.upper())
    if ATTEMPT_REFERENCE.fullmatch(term.upper()):
        return queryset.filter(reference=term.upper().rsplit("-", 1)[0])
    if "@" in term:
        return queryset.filter(customer__email__iexact=term)
    digits = term.replace(" ", "").replace(".", "")
    if digits.lstrip("+").isdigit() and len(digits) >= 8:
        wallet = digits if digits.startswith("+") else f"+{digits.lstrip('0')}"
        return queryset.filter(payout_msisdn=wallet)
    by_provider = PayoutAttempt.objects.filter(provider_ref=term).values("transfer_id")
    return queryset.filter(pk__in=by_provider)


def transfer_page(transfer: Transfer, user) -> dict:
    """Everything about one transfer beside its timeline and attempts (inlines)."""
    from compliance.models import MonitoringAlert, ScreeningHit
    from providers.models import ProviderCall, WebhookEvent

    hits = ScreeningHit.objects.filter(
        Q(party=ScreeningHit.Party.SENDER, party_id=transfer.customer_id)
        | Q(party=ScreeningHit.Party.RECIPIENT, party_id=transfer.recipient_id)
    ).select_related("entry")
    return {
        "transfer": transfer,
        "actions": [
            (name, spec, spec.form())
            for name, spec in transfer_actions.available(transfer, user)
        ],
        "entries": transfer.entries.prefetch_related("postings__account").order_by("pk"),
        "calls": ProviderCall.objects.filter(correlation__startswith=transfer.reference)[:50],
        "webhooks": WebhookEvent.objects.filter(correlation=transfer.reference)[:50],
        "hits": hits[:20],
        "alerts": MonitoringAlert.objects.filter(transfer=transfer).select_related("rule"),
        "notes": transfer.events.filter(reason__startswith="note: ").order_by("created_at"),
        "sender_phone": transfer.customer.phone if user.has_perm(FULL_PHONE)
        else mask_phone(transfer.customer.phone),
    }  # fmt: skip


@admin.register(PayoutAttempt)
class PayoutAttemptAdmin(PhoneMaskMixin, ReadOnlyAdmin):
    list_display = ["reference", "provider", "status", "checks", "next_check_at", "created_at"]
    list_filter = ["status", "provider", NeedsPersonFilter]
    search_fields = ["=reference", "=provider_ref"]
    show_full_result_count = False
    paginator = InfinitePaginator
    phone_fields = ("msisdn",)


@admin.register(Customer)
class CustomerAdmin(PhoneMaskMixin, ReadOnlyMixin, HistoryAdmin, ModelAdmin):
    """Senders change their own details through the API (which screens a new name again);
    the console shows them and their history."""

    list_display = ["email", "first_name", "last_name", "phone", "country", "kyc_tier",
                    "kyc_status", "created_at"]  # fmt: skip
    list_filter = ["kyc_status", "kyc_tier", "country"]
    search_fields = ["=email", "last_name", "=phone"]
    show_full_result_count = False
    paginator = InfinitePaginator


@admin.register(Recipient)
class RecipientAdmin(PhoneMaskMixin, ReadOnlyMixin, HistoryAdmin, ModelAdmin):
    """Wallets change through the services, which validate the number and screen the name."""

    list_display = ["first_name", "last_name", "phone", "provider", "country", "customer"]
    search_fields = ["=phone", "last_name"]
    list_select_related = ["customer"]
    show_full_result_count = False
    paginator = InfinitePaginator
