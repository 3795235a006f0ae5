"""Which payout provider can pay a wallet number, best first.

The number's network comes from phonenumbers' carrier data: an Orange SIM can hold an Orange
Money wallet, an MTN SIM an MTN MoMo wallet (Areeba is MTN in Guinea), and Wave wallets work
on any SIM in the countries Wave serves. Among the corridor's enabled providers that can pay
the number, those that look down (recent attempts mostly never reached them) are skipped,
and the rest are ordered by their recent success rate, then by the corridor's preference.
Given the amount, a provider whose known float cannot cover it goes last (its balance may
have been topped up since we read it; unknown float counts as enough).
"""

from datetime import timedelta

import phonenumbers
from django.db.models import Count, Q
from django.utils import timezone
from phonenumbers import carrier

from payments.models import Corridor, PayoutAttempt
from payments.treasury import available_float

WAVE_COUNTRIES = frozenset({"SN", "CI", "ML", "BF", "GM", "UG"})
NETWORK_WALLETS = {"orange": "orange_money", "mtn": "mtn_momo"}
BRANDS = {"areeba": "mtn"}
WINDOW = timedelta(hours=24)
DOWN_WINDOW = timedelta(minutes=15)


def network_of(msisdn: str) -> str:
    """'orange', 'mtn' or the carrier's own name in lower case ('' when unknown)."""
    try:
        name = carrier.name_for_number(phonenumbers.parse(msisdn), "en").lower()
    except phonenumbers.NumberParseException:
        return ""
    for family in NETWORK_WALLETS:
        if family in name:
            return family
    return BRANDS.get(name, name)


def wallet_providers(msisdn: str, country: str) -> list[str]:
    providers = []
    if wallet := NETWORK_WALLETS.get(network_of(msisdn)):
        providers.append(wallet)
    if country in WAVE_COUNTRIES:
        providers.append("wave")
    return providers


def provider_health(providers: list[str], *, now=None) -> dict[str, tuple[float, bool]]:
    """Per provider: (success rate over 24 h, looks down now), in one query."""
    now = now or timezone.now()
    A = PayoutAttempt.Status
    rows = (
        PayoutAttempt.objects.filter(provider__in=providers, created_at__gte=now - WINDOW)
        .values("provider")
        .annotate(
            ok=Count("pk", filter=Q(status=A.SUCCEEDED)),
            failed=Count("pk", filter=Q(status=A.FAILED)),
            recent=Count("pk", filter=Q(created_at__gte=now - DOWN_WINDOW)),
            unreached=Count("pk", filter=Q(created_at__gte=now - DOWN_WINDOW, status=A.NOT_SENT)),
        )
    )
    health = {p: (1.0, False) for p in providers}
    for row in rows:
        settled = row["ok"] + row["failed"]
        rate = row["ok"] / settled if settled else 1.0
        down = row["recent"] >= 5 and row["unreached"] / row["recent"] >= 0.8
        health[row["provider"]] = (rate, down)
    return health


def rank_providers(
    corridor: Corridor, msisdn: str, *, exclude=(), amount_minor: int | None = None
) -> list[str]:
    """The corridor's providers able to pay this number, healthy ones, best first."""
    country, currency = corridor.destination_country, corridor.destination_currency
    able = set(wallet_providers(msisdn, country))
    candidates = [p for p in corridor.payout_providers if p in able and p not in exclude]
    health = provider_health(candidates)
    candidates = [p for p in candidates if not health[p][1]]

    def short_of_float(provider: str) -> bool:
        if amount_minor is None:
            return False
        known = available_float(provider, country, currency)
        return known is not None and known < amount_minor

    # Stable sort: corridor order on ties.
    return sorted(candidates, key=lambda p: (short_of_float(p), -health[p][0]))
