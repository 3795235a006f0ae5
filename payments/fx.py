"""Refreshing the floating FX rates the corridors need, from the sources in FX_SOURCES.

Pegged currencies are never fetched. Each fetched rate is stored once (same source and as-of
time: nothing new). A rate that jumps more than FX_MAX_JUMP_PERCENT from the last stored one
is refused as a feed error and logged: quoting then keeps the last good rate until it goes
stale, and a stale rate refuses to quote.
"""

import logging
from decimal import Decimal

from django.conf import settings

from payments import money
from payments.models import Corridor, FxRate
from providers.fx import fetch_rates

log = logging.getLogger(__name__)


def floating_currencies() -> set[str]:
    wanted = set(
        Corridor.objects.filter(active=True, source_currency="EUR").values_list(
            "destination_currency", flat=True
        )
    )
    return wanted - set(money.EUR_PEGS) - {"EUR"}


def _jump_percent(previous: Decimal, new: Decimal) -> Decimal:
    return abs(new - previous) / previous * 100


def fx_refresh() -> dict[str, list[str]]:
    """Fetch and store the current rates; returns what was stored, refused and missing."""
    wanted = floating_currencies()
    fetched = fetch_rates(wanted, settings.FX_SOURCES)
    report: dict[str, list[str]] = {"stored": [], "unchanged": [], "refused": [], "missing": []}
    report["missing"] = sorted(wanted - fetched.keys())
    for currency, quote in sorted(fetched.items()):
        last = (
            FxRate.objects.filter(base_currency="EUR", quote_currency=currency)
            .order_by("-as_of")
            .first()
        )
        if last and last.source == quote.source and last.as_of >= quote.as_of:
            report["unchanged"].append(currency)
            continue
        if last and _jump_percent(last.rate, quote.rate) > settings.FX_MAX_JUMP_PERCENT:
            log.error(
                "FX %s from %s refused: %s after %s", currency, quote.source, quote.rate, last.rate
            )
            report["refused"].append(currency)
            continue
        FxRate.objects.get_or_create(
            base_currency="EUR",
            quote_currency=currency,
            source=quote.source,
            as_of=quote.as_of,
            defaults={"rate": quote.rate},
        )
        report["stored"].append(currency)
    if report["missing"]:
        log.warning("FX: no source had %s", ", ".join(report["missing"]))
    return report
