"""List filters for large tables: fixed choices (no query to build them) and ranges typed in
the units people think in."""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import RangeNumericFilter

from payments.models import Recipient
from payments.money import parse_major
from payments.payouts import attempts_needing_a_person
from payments.stuck import stuck_condition


class AmountRangeFilter(RangeNumericFilter):
    """From/to in euros (typed as 150 or 150.50), compared with the amount in cents."""

    def queryset(self, request, queryset):
        bounds = {}
        for suffix, lookup in (("_from", "gte"), ("_to", "lte")):
            raw = self.used_parameters.get(f"{self.parameter_name}{suffix}")
            raw = raw[0] if isinstance(raw, list) else raw
            if raw in (None, ""):
                continue
            try:
                bounds[f"{self.parameter_name}__{lookup}"] = parse_major(str(raw).strip(), "EUR")
            except (ArithmeticError, ValueError) as bad:  # decimal.InvalidOperation is both
                raise IncorrectLookupParameters(str(bad)) from None
        return queryset.filter(**bounds) if bounds else queryset


class KycTierFilter(admin.SimpleListFilter):
    title = _("sender's KYC tier")
    parameter_name = "tier"

    def lookups(self, request, model_admin):
        return [(str(level), f"T{level}") for level in range(4)]

    def queryset(self, request, queryset):
        if self.value() in {"0", "1", "2", "3"}:
            return queryset.filter(customer__kyc_tier=int(self.value()))
        return queryset


HOLD_KINDS = {
    "sanctions": (_("Possible sanctions match"), Q(hold_reason__startswith="possible sanctions")),
    "frozen": (_("Frozen (confirmed match)"), Q(hold_reason__startswith="frozen")),
    "monitoring": (_("Monitoring score"), Q(hold_reason__contains="monitoring score")),
}


class HoldReasonFilter(admin.SimpleListFilter):
    title = _("held because")
    parameter_name = "held"

    def lookups(self, request, model_admin):
        return [(key, label) for key, (label, _q) in HOLD_KINDS.items()] + [
            ("staff", _("Held by staff"))
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value in HOLD_KINDS:
            return queryset.filter(HOLD_KINDS[value][1], status="on_hold")
        if value == "staff":
            automatic = Q()
            for _label, condition in HOLD_KINDS.values():
                automatic |= condition
            return queryset.filter(status="on_hold").exclude(automatic)
        return queryset


class StuckFilter(admin.SimpleListFilter):
    title = _("late for their step")
    parameter_name = "stuck"

    def lookups(self, request, model_admin):
        return [("yes", _("Stuck beyond the expected time"))]

    def queryset(self, request, queryset):
        return queryset.filter(stuck_condition()) if self.value() == "yes" else queryset


class NeedsPersonFilter(admin.SimpleListFilter):
    title = _("needs a person")
    parameter_name = "needs_person"

    def lookups(self, request, model_admin):
        return [("yes", _("Not settled by the provider in time"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(pk__in=attempts_needing_a_person().values("pk"))
        return queryset


class ProviderFilter(admin.SimpleListFilter):
    """Fixed choices: Django's own filter would read every distinct value of the table."""

    title = _("payout provider")
    parameter_name = "provider"

    def lookups(self, request, model_admin):
        return Recipient.Provider.choices

    def queryset(self, request, queryset):
        if self.value() in Recipient.Provider.values:
            return queryset.filter(payout_provider=self.value())
        return queryset
