"""Provider float: the local currency each payout provider holds for us.

Our books (`float:<provider>` accounts) go down with every payout; treasury tops the wallets
up by buying local currency, booked here against the FX position the conversions built up.
The providers' own word on their balance is read by a job (`ProviderBalance`) and serves two
purposes: routing avoids a wallet that cannot cover a payout, and finance compares it with the
ledger.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from payments import ledger
from payments.errors import InvalidAmount, NotAllowedNow
from payments.ledger import credit, debit
from payments.models import Corridor, FloatTopUp, PayoutAttempt, Posting
from providers.errors import ProviderError
from providers.models import ProviderBalance
from providers.registry import PAYOUT_PROVIDERS, get_provider

A = PayoutAttempt.Status


def _wallets() -> set[tuple[str, str, str]]:
    """(provider, country, currency) for every provider an active corridor pays out with."""
    return {
        (provider, c.destination_country, c.destination_currency)
        for c in Corridor.objects.filter(active=True)
        for provider in c.payout_providers
    }


def refresh_provider_balances(*, now: datetime | None = None) -> dict[str, int]:
    """Ask each provider wallet for its balance (outside any transaction) and keep the answer.
    A failed read keeps the last amount and says why; the adapters record every call."""
    read = failed = 0
    for provider, country, currency in sorted(_wallets()):
        adapter = get_provider(provider)
        if not hasattr(adapter, "balance"):
            continue  # the in-database sandbox has no balance to read
        try:
            amount, reported_currency = adapter.balance(country, currency)
        except ProviderError as exc:
            ProviderBalance.objects.update_or_create(
                provider=provider,
                country=country,
                currency=currency,
                defaults={"error": str(exc)[:200]},
                create_defaults={"as_of": now or timezone.now(), "error": str(exc)[:200]},
            )
            failed += 1
            continue
        ProviderBalance.objects.update_or_create(
            provider=provider,
            country=country,
            currency=reported_currency,
            defaults={"amount_minor": amount, "as_of": now or timezone.now(), "error": ""},
        )
        read += 1
    return {"read": read, "failed": failed}


def available_float(provider: str, country: str, currency: str) -> int | None:
    """The provider's last reported balance less what we have sent it since; None when we do
    not know (no recent read), which routing treats as enough."""
    snapshot = ProviderBalance.objects.filter(
        provider=provider,
        country=country,
        currency=currency,
        amount_minor__isnull=False,
        as_of__gte=timezone.now() - timedelta(minutes=settings.FLOAT_STALE_MINUTES),
    ).first()
    if snapshot is None:
        return None
    spent = PayoutAttempt.objects.filter(
        provider=provider,
        created_at__gte=snapshot.as_of,
        status__in=[*PayoutAttempt.OPEN, A.SUCCEEDED],
        transfer__receive_currency=currency,
        transfer__corridor__destination_country=country,
    ).aggregate(s=Sum("transfer__receive_amount_minor"))["s"]
    return snapshot.amount_minor - (spent or 0)


def float_top_up(
    *, provider: str, currency: str, amount_minor: int, reference: str, actor=None, note=""
) -> FloatTopUp:
    """Book local currency treasury sent to a provider wallet. Once per reference."""
    if provider not in PAYOUT_PROVIDERS:
        raise NotAllowedNow(f"{provider!r} is not a payout provider")
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int) or amount_minor <= 0:
        raise InvalidAmount("a top-up is a positive whole number of minor units")
    if not reference.strip():
        raise NotAllowedNow("give the top-up's bank or provider reference")
    try:
        with transaction.atomic():
            top_up = FloatTopUp.objects.create(
                provider=provider,
                currency=currency,
                amount_minor=amount_minor,
                reference=reference.strip(),
                note=note[:200],
                booked_by=actor,
            )
            ledger.post_entry(
                kind="float_top_up",
                idempotency_key=f"topup:{top_up.reference}",
                lines=[
                    debit(f"float:{provider}", currency, amount_minor),
                    credit("fx_position", currency, amount_minor),
                ],
                memo=f"{provider} float top-up {top_up.reference}",
            )
    except IntegrityError:
        raise NotAllowedNow(
            f"a top-up with the reference {reference.strip()!r} is already booked",
            code="duplicate_reference",
        ) from None
    return top_up


def float_positions() -> list[dict]:
    """Per provider and currency: our books, the provider's word, and the gap to explain."""
    books = {
        (row["account__code"].split(":", 1)[1], row["currency"]): row["s"]
        for row in Posting.objects.filter(account__code__startswith="float:")
        .values("account__code", "currency")
        .annotate(s=Sum("amount_minor"))
    }
    reported: dict[tuple[str, str], int] = {}
    for row in (
        ProviderBalance.objects.filter(amount_minor__isnull=False)
        .values("provider", "currency")
        .annotate(s=Sum("amount_minor"))
    ):
        reported[(row["provider"], row["currency"])] = row["s"]
    rows = []
    for key in sorted(books.keys() | reported.keys()):
        ours, theirs = books.get(key, 0), reported.get(key)
        rows.append(
            {
                "provider": key[0],
                "currency": key[1],
                "ledger_minor": ours,
                "reported_minor": theirs,
                "difference_minor": None if theirs is None else theirs - ours,
            }
        )
    return rows
