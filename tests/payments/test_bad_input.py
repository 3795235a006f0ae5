"""Bad input to the quote, transfer and recipient services: each is refused with a DomainError
subclass carrying a stable code and a message a person can act on, and nothing is written."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from payments.customers import recipient_create
from payments.errors import (
    DomainError,
    InvalidAmount,
    InvalidRecipient,
    NotFound,
    ProviderNotAvailable,
    QuoteExpired,
    QuoteUnavailable,
    RateUnavailable,
    UnknownCorridor,
    UnsupportedCurrency,
)
from payments.models import (
    Corridor,
    FxRate,
    JournalEntry,
    Quote,
    Recipient,
    Transfer,
    TransferEvent,
)
from payments.pricing import quote_create
from payments.transfers import transfer_create
from tests import factories as f

pytestmark = pytest.mark.usefixtures("corridors")

WATCHED = (Quote, Transfer, TransferEvent, JournalEntry, Recipient)


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in WATCHED}


def refused(call, error: type[DomainError], code: str) -> DomainError:
    """Run call, expect `error` with `code`, and check that no row was written."""
    before = row_counts()
    with pytest.raises(error) as caught:
        call()
    e = caught.value
    assert isinstance(e, DomainError)
    assert e.code == code
    message = str(e)
    assert " " in message and message != code  # a sentence, not a bare code
    assert row_counts() == before
    return e


def quote(owner=None, **kwargs):
    owner = owner or f.customer()
    fields = {"corridor_code": "fr-sn", "send_amount_minor": 10_000} | kwargs
    return lambda: quote_create(customer=owner, **fields)


# --- Quotes: amounts ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "greater than zero"),
        (-500, "greater than zero"),
        (10.5, "whole number of minor units"),
        (100.0, "whole number of minor units"),
        (True, "whole number of minor units"),
        (Decimal("100"), "whole number of minor units"),
        ("1000", "whole number of minor units"),
    ],
    ids=["zero", "negative", "float", "whole-float", "bool", "decimal", "string"],
)
@pytest.mark.parametrize("side", ["send_amount_minor", "receive_amount_minor"])
def test_quote_amount_must_be_a_positive_int(side, amount, words):
    kwargs = {"send_amount_minor": None, side: amount}
    e = refused(quote(**kwargs), InvalidAmount, "invalid_amount")
    assert words in str(e)
    assert side.split("_")[0] in str(e)  # says which amount is wrong


@pytest.mark.parametrize("send", [1, 499, 300_001, 10**12])
def test_quote_outside_the_corridor_limits_is_refused(send):
    refused(quote(send_amount_minor=send), InvalidAmount, "invalid_amount")


@pytest.mark.parametrize(
    "send",
    [
        1,
        499,
        300_001,
        10**12,
    ],
)
def test_quote_outside_the_corridor_limits_names_them(send):
    e = refused(quote(send_amount_minor=send), InvalidAmount, "invalid_amount")
    assert str(e) == "on fr-sn one can send from 5.00 to 3000.00 EUR"
    assert "minor units" not in str(e)


@pytest.mark.parametrize(
    "receive",
    [1, 3_000, 2_000_000],  # 0.01 EUR buys ~6 XOF
)
def test_receive_driven_quote_outside_the_limits_names_them(receive):
    e = refused(
        quote(send_amount_minor=None, receive_amount_minor=receive), InvalidAmount, "invalid_amount"
    )
    assert "5.00" in str(e) and "3000.00" in str(e)


@pytest.mark.parametrize("send", [500, 300_000])
def test_the_corridor_limits_themselves_are_allowed(send):
    q = quote(send_amount_minor=send)()
    assert q.send_amount_minor == send


@pytest.mark.parametrize(
    "amounts",
    [
        {"send_amount_minor": 10_000, "receive_amount_minor": 65_000},
        {"send_amount_minor": None, "receive_amount_minor": None},
        {"send_amount_minor": None},
    ],
    ids=["both", "neither", "neither-default"],
)
def test_quote_needs_exactly_one_of_send_or_receive(amounts):
    e = refused(quote(**amounts), InvalidAmount, "invalid_amount")
    assert "send amount or a receive amount" in str(e)


# --- Quotes: corridor, currency, provider, rate -------------------------------------------------


@pytest.mark.parametrize("code", ["fr-zz", "", "FR-SN ", "de-sn"])
def test_unknown_corridor(code):
    e = refused(quote(corridor_code=code), UnknownCorridor, "unknown_corridor")
    assert repr(code) in str(e)


def test_inactive_corridor_is_unknown():
    Corridor.objects.filter(code="fr-sn").update(active=False)
    refused(quote(), UnknownCorridor, "unknown_corridor")


@pytest.mark.parametrize("currency", ["XYZ", "eur", ""])
def test_unknown_send_currency(currency):
    e = refused(quote(send_currency=currency), UnsupportedCurrency, "unknown_currency")
    assert str(e) == f"unknown currency {currency!r}"


@pytest.mark.parametrize("currency", ["USD", "XOF"])
def test_real_but_wrong_send_currency(currency):
    e = refused(quote(send_currency=currency), UnsupportedCurrency, "unknown_currency")
    assert "EUR" in str(e) and "fr-sn" in str(e)


@pytest.mark.parametrize(
    ("corridor", "provider"),
    [("fr-gh", "wave"), ("fr-gh", "orange_money"), ("fr-sn", "mtn_momo"), ("fr-sn", "paypal")],
)
def test_provider_not_serving_the_corridor(corridor, provider, fresh_rates):
    e = refused(
        quote(corridor_code=corridor, payout_provider=provider),
        ProviderNotAvailable,
        "provider_not_available",
    )
    assert provider in str(e) and corridor in str(e)


def add_rate(currency: str, *, age: timedelta, now) -> None:
    FxRate.objects.create(
        base_currency="EUR",
        quote_currency=currency,
        rate=Decimal("16.4210"),
        source="test",
        as_of=now - age,
    )


def test_stale_floating_rate_refuses_to_quote():
    now = timezone.now()
    max_age = timedelta(seconds=Corridor.objects.get(code="fr-gh").max_rate_age_seconds)
    add_rate("GHS", age=max_age + timedelta(seconds=1), now=now)
    e = refused(quote(corridor_code="fr-gh", now=now), RateUnavailable, "rate_unavailable")
    assert "EUR/GHS" in str(e) and "stale" in str(e)


def test_a_rate_exactly_max_age_old_still_quotes():
    now = timezone.now()
    max_age = timedelta(seconds=Corridor.objects.get(code="fr-gh").max_rate_age_seconds)
    add_rate("GHS", age=max_age, now=now)
    assert quote(corridor_code="fr-gh", now=now)().rate_source == "test"


def test_no_rate_at_all_refuses_to_quote():
    e = refused(quote(corridor_code="fr-gn"), RateUnavailable, "rate_unavailable")
    assert "EUR/GNF" in str(e)


def test_a_rate_for_another_currency_does_not_help():
    add_rate("GHS", age=timedelta(minutes=5), now=timezone.now())
    refused(quote(corridor_code="fr-gn"), RateUnavailable, "rate_unavailable")


def test_pegged_currencies_need_no_rate_row():
    assert not FxRate.objects.exists()
    assert quote(corridor_code="fr-cm", payout_provider="mtn_momo")().rate_source == "peg"


# --- Transfers ----------------------------------------------------------------------------------


def make_transfer(owner, quote_id, recipient_id):
    return lambda: transfer_create(customer=owner, quote_id=quote_id, recipient_id=recipient_id)


def test_expired_quote():
    owner = f.customer()
    to = f.recipient(owner)
    q = quote_create(customer=owner, corridor_code="fr-sn", send_amount_minor=10_000)
    Quote.objects.filter(pk=q.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    e = refused(make_transfer(owner, q.pk, to.pk), QuoteExpired, "quote_expired")
    assert "new one" in str(e)


def test_quote_used_twice():
    owner = f.customer()
    to = f.recipient(owner)
    q = quote_create(customer=owner, corridor_code="fr-sn", send_amount_minor=10_000)
    transfer_create(customer=owner, quote_id=q.pk, recipient_id=to.pk)
    other = f.recipient(owner)
    e = refused(make_transfer(owner, q.pk, other.pk), QuoteUnavailable, "quote_unavailable")
    assert "already used" in str(e)
    assert Transfer.objects.filter(quote=q).count() == 1


def test_another_customers_quote_is_not_found():
    alice, bob = f.customer(), f.customer()
    alices_quote = quote_create(customer=alice, corridor_code="fr-sn", send_amount_minor=10_000)
    bobs_wallet = f.recipient(bob)
    e = refused(make_transfer(bob, alices_quote.pk, bobs_wallet.pk), NotFound, "not_found")
    assert str(e) == "quote not found"


def test_another_customers_recipient_is_not_found():
    alice, bob = f.customer(), f.customer()
    alices_wallet = f.recipient(alice)
    bobs_quote = quote_create(customer=bob, corridor_code="fr-sn", send_amount_minor=10_000)
    e = refused(make_transfer(bob, bobs_quote.pk, alices_wallet.pk), NotFound, "not_found")
    assert str(e) == "recipient not found"


def test_missing_quote_or_recipient_is_not_found():
    owner = f.customer()
    to = f.recipient(owner)
    q = quote_create(customer=owner, corridor_code="fr-sn", send_amount_minor=10_000)
    refused(make_transfer(owner, uuid.uuid4(), to.pk), NotFound, "not_found")
    refused(make_transfer(owner, q.pk, 10**9), NotFound, "not_found")


@pytest.mark.parametrize("which", ["quote", "recipient"])
def test_malformed_ids_are_not_found(which):
    owner = f.customer()
    to = f.recipient(owner)
    q = quote_create(customer=owner, corridor_code="fr-sn", send_amount_minor=10_000)
    ids = {"quote": ("not-a-uuid", to.pk), "recipient": (q.pk, "abc")}[which]
    refused(make_transfer(owner, *ids), NotFound, "not_found")


def test_recipient_in_another_country_than_the_corridor():
    owner = f.customer()
    ivorian_wallet = f.recipient(owner, country="CI", provider="wave")
    q = quote_create(
        customer=owner, corridor_code="fr-sn", send_amount_minor=10_000, payout_provider="wave"
    )
    e = refused(
        make_transfer(owner, q.pk, ivorian_wallet.pk), InvalidRecipient, "invalid_recipient"
    )
    assert "SN" in str(e) and "CI" in str(e)


def test_recipient_with_another_provider_than_the_quote():
    owner = f.customer()
    orange_wallet = f.recipient(owner, country="SN", provider="orange_money")
    q = quote_create(
        customer=owner, corridor_code="fr-sn", send_amount_minor=10_000, payout_provider="wave"
    )
    e = refused(make_transfer(owner, q.pk, orange_wallet.pk), InvalidRecipient, "invalid_recipient")
    assert "wave" in str(e) and "orange_money" in str(e)


# --- Recipients ---------------------------------------------------------------------------------


def add_recipient(owner=None, **kwargs):
    fields = {
        "first_name": "Moussa",
        "last_name": "Ndiaye",
        "country": "SN",
        "phone": f.wallet("SN"),
        "provider": "wave",
    } | kwargs
    owner = owner or f.customer()
    return lambda: recipient_create(customer=owner, **fields)


@pytest.mark.parametrize(
    ("phone", "words"),
    [
        (f.wallet("CI"), "is not a number of SN"),  # a valid Ivorian mobile
        (f.wallet("GH"), "is not a number of SN"),
        ("+221338234567", "not a mobile number"),  # a Dakar landline
        ("hello", "is not a phone number"),
        ("", "is not a phone number"),
        ("12", "is not a valid number in SN"),
        ("+2217712", "is not a valid number in SN"),
    ],
    ids=["ci-mobile", "gh-mobile", "landline", "garbage", "empty", "too-short", "truncated"],
)
def test_recipient_number_must_be_a_mobile_of_the_country(phone, words):
    e = refused(add_recipient(phone=phone), InvalidRecipient, "invalid_recipient")
    assert words in str(e)


@pytest.mark.parametrize(
    ("country", "provider"), [("GH", "wave"), ("GH", "orange_money"), ("SN", "mtn_momo")]
)
def test_recipient_provider_must_serve_the_country(country, provider):
    e = refused(
        add_recipient(country=country, provider=provider, phone=f.wallet(country)),
        InvalidRecipient,
        "invalid_recipient",
    )
    assert str(e) == f"{provider} does not pay out in {country}"


@pytest.mark.parametrize("country", ["NG", "FR", "XX"])
def test_recipient_country_we_do_not_serve(country):
    e = refused(add_recipient(country=country), InvalidRecipient, "invalid_recipient")
    assert str(e) == f"we do not pay out to {country}"


def test_recipient_country_is_required():
    e = refused(add_recipient(country=""), InvalidRecipient, "invalid_recipient")
    assert str(e) == "the recipient's country is required"


def test_inactive_corridor_closes_its_country():
    Corridor.objects.filter(code="fr-gh").update(active=False)
    refused(
        add_recipient(country="GH", provider="mtn_momo", phone=f.wallet("GH")),
        InvalidRecipient,
        "invalid_recipient",
    )


@pytest.mark.parametrize(("first", "last"), [("", "Ndiaye"), ("Moussa", "  ")])
def test_recipient_needs_a_name(first, last):
    e = refused(
        add_recipient(first_name=first, last_name=last), InvalidRecipient, "invalid_recipient"
    )
    assert "names are required" in str(e)


def test_same_wallet_twice_is_refused():
    owner = f.customer()
    phone = f.wallet("SN")
    add_recipient(owner, phone=phone)()
    e = refused(
        add_recipient(owner, phone=phone.replace("+221", "00221")),
        InvalidRecipient,
        "invalid_recipient",
    )
    assert "already in the address book" in str(e)


def test_lowercase_country_and_local_number_are_accepted():
    r = add_recipient(country="sn", phone="77 123 00 50")()
    assert (r.country, r.phone) == ("SN", "+221771230050")
