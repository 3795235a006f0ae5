"""Corridors, fees, FX rates and quotes.

A quote is asked by send amount or by receive amount; both go through ``price()``, a pure
function, so the two directions agree and can be property-tested without a database.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.facade import check_send_limits
from payments import money
from payments.errors import (
    InvalidAmount,
    ProviderNotAvailable,
    RateUnavailable,
    UnknownCorridor,
    UnsupportedCurrency,
)
from payments.models import Corridor, Customer, FeeBand, FxRate, Quote


class OutsideLimits(InvalidAmount):
    """The send amount is outside the corridor's minimum and maximum."""


@dataclass(frozen=True, slots=True)
class Band:
    min_send_minor: int
    max_send_minor: int
    fixed_minor: int
    percent_bps: int


@dataclass(frozen=True, slots=True)
class Price:
    send_minor: int
    fee_minor: int
    total_minor: int
    receive_minor: int
    rate: Decimal
    fx_margin_minor: int  # mid value minus customer value, in the receive currency
    rounding_minor: int  # customer value minus what we promise, in the receive currency

    @property
    def mid_value_minor(self) -> int:
        return self.receive_minor + self.fx_margin_minor + self.rounding_minor


def fee_for(send_minor: int, bands: list[Band]) -> int:
    for band in bands:
        if band.min_send_minor <= send_minor <= band.max_send_minor:
            return band.fixed_minor + money.percentage_of(send_minor, band.percent_bps)
    raise InvalidAmount(f"no fee is defined for a send amount of {send_minor} minor units")


def price(
    *,
    source: str,
    target: str,
    mid_rate: Decimal,
    margin_bps: int,
    bands: list[Band],
    send_minor: int | None = None,
    receive_minor: int | None = None,
    limits: tuple[int, int] | None = None,
) -> Price:
    """Price a transfer. The fee is charged on top of the send amount (total = send + fee).

    With `limits` (min, max send), an amount outside them is refused before any fee is looked
    up, so the sender is told the limits rather than a missing fee band.
    """
    rate = money.apply_margin(mid_rate, margin_bps)
    if send_minor is not None:
        send = send_minor
        customer_value = money.convert_down(send, rate, source, target)
        receive = customer_value
    else:
        receive = receive_minor
        send = money.send_for_receive(receive, rate, source, target)
        customer_value = money.convert_down(send, rate, source, target)
    if limits and not limits[0] <= send <= limits[1]:
        lo, hi = (money.format_major(x, source) for x in limits)
        raise OutsideLimits(
            _("one can send from %(low)s to %(high)s %(currency)s")
            % {"low": lo, "high": hi, "currency": source}
        )
    mid_value = money.convert_down(send, mid_rate, source, target)
    fee = fee_for(send, bands)
    return Price(
        send_minor=send,
        fee_minor=fee,
        total_minor=send + fee,
        receive_minor=receive,
        rate=rate,
        fx_margin_minor=mid_value - customer_value,
        rounding_minor=customer_value - receive,
    )


@dataclass(frozen=True, slots=True)
class MidRate:
    rate: Decimal
    source: str
    as_of: datetime


def mid_rate(base: str, quote: str, *, max_age: timedelta, now: datetime) -> MidRate:
    """The current mid-market rate; pegged currencies never go stale, floating ones do."""
    if base == quote:
        return MidRate(Decimal(1), "identity", now)
    if base == "EUR" and quote in money.EUR_PEGS:
        return MidRate(money.EUR_PEGS[quote], "peg", now)
    row = (
        FxRate.objects.filter(base_currency=base, quote_currency=quote)
        .order_by("-as_of")
        .only("rate", "source", "as_of")
        .first()
    )
    if row is None:
        raise RateUnavailable(
            _("no %(base)s/%(quote)s rate is available") % {"base": base, "quote": quote}
        )
    if now - row.as_of > max_age:
        raise RateUnavailable(
            f"the {base}/{quote} rate from {row.source} is stale "
            f"(as of {row.as_of:%Y-%m-%d %H:%M} UTC)"
        )
    return MidRate(row.rate, row.source, row.as_of)


def corridor_bands(corridor: Corridor) -> list[Band]:
    return [
        Band(b.min_send_minor, b.max_send_minor, b.fixed_minor, b.percent_bps)
        for b in FeeBand.objects.filter(corridor=corridor).order_by("min_send_minor")
    ]


def _optional_amount(value, label: str) -> int | None:
    return None if value is None else _positive_int(value, label)


def _positive_int(value, label: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidAmount(f"{label} must be a whole number of minor units")
    if value <= 0:
        raise InvalidAmount(f"{label} must be greater than zero")
    return value


def corridor_get(code: str) -> Corridor:
    corridor = Corridor.objects.filter(code=code, active=True).first()
    if corridor is None:
        raise UnknownCorridor(_("there is no open corridor %(code)s") % {"code": repr(code)})
    return corridor


@transaction.atomic
def quote_create(
    *,
    customer: Customer,
    corridor_code: str,
    send_amount_minor: int | None = None,
    receive_amount_minor: int | None = None,
    payout_provider: str | None = None,
    send_currency: str = "EUR",
    now: datetime | None = None,
) -> Quote:
    """Price and store a quote whose rate holds for QUOTE_TTL_SECONDS."""
    now = now or timezone.now()
    if send_amount_minor is None and receive_amount_minor is None:
        raise InvalidAmount("give a send amount or a receive amount")
    if send_amount_minor is not None and receive_amount_minor is not None:
        raise InvalidAmount("give a send amount or a receive amount, not both")
    if send_currency not in money.EXPONENTS:
        raise UnsupportedCurrency(f"unknown currency {send_currency!r}")
    corridor = corridor_get(corridor_code)
    if send_currency != corridor.source_currency:
        raise UnsupportedCurrency(
            f"corridor {corridor.code} is paid in {corridor.source_currency}, not {send_currency}"
        )
    provider = payout_provider or (corridor.payout_providers or [None])[0]
    if provider not in corridor.payout_providers:
        raise ProviderNotAvailable(
            _("%(provider)s does not pay out on corridor %(code)s")
            % {"provider": repr(provider), "code": corridor.code}
        )

    rate = mid_rate(
        corridor.source_currency,
        corridor.destination_currency,
        max_age=timedelta(seconds=corridor.max_rate_age_seconds),
        now=now,
    )
    try:
        p = price(
            source=corridor.source_currency,
            target=corridor.destination_currency,
            mid_rate=rate.rate,
            margin_bps=corridor.margin_bps,
            bands=corridor_bands(corridor),
            send_minor=_optional_amount(send_amount_minor, "send amount"),
            receive_minor=_optional_amount(receive_amount_minor, "receive amount"),
            limits=(corridor.min_send_minor, corridor.max_send_minor),
        )
    except OutsideLimits as exc:
        raise InvalidAmount(
            _("on %(code)s %(why)s") % {"code": corridor.code, "why": exc}
        ) from None
    if p.receive_minor <= 0:
        raise InvalidAmount(_("the amount is too small to deliver anything"))
    check_send_limits(customer, p.send_minor, corridor.source_currency, quoting=True)
    return Quote.objects.create(
        customer=customer,
        corridor=corridor,
        payout_provider=provider,
        mode=Quote.Mode.SEND if send_amount_minor is not None else Quote.Mode.RECEIVE,
        send_currency=corridor.source_currency,
        send_amount_minor=p.send_minor,
        fee_minor=p.fee_minor,
        total_minor=p.total_minor,
        receive_currency=corridor.destination_currency,
        receive_amount_minor=p.receive_minor,
        mid_rate=rate.rate,
        rate=p.rate,
        fx_margin_minor=p.fx_margin_minor,
        rounding_minor=p.rounding_minor,
        rate_source=rate.source,
        rate_as_of=rate.as_of,
        expires_at=now + timedelta(seconds=settings.QUOTE_TTL_SECONDS),
    )


def fx_rate_record(*, base: str, quote: str, rate: Decimal, source: str, as_of: datetime) -> FxRate:
    """Store one fetched rate (append-only)."""
    for code in (base, quote):
        money.exponent(code)
    return FxRate.objects.create(
        base_currency=base, quote_currency=quote, rate=rate, source=source, as_of=as_of
    )


def quotes_purge_expired(*, now: datetime | None = None, keep_days: int = 30) -> int:
    """Delete unused quotes long expired; a quote used by a transfer is kept with it."""
    now = now or timezone.now()
    stale = Quote.objects.filter(
        expires_at__lt=now - timedelta(days=keep_days), transfer__isnull=True
    )
    deleted = stale.delete()[0]
    return deleted
