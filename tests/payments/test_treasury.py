"""Provider float: top-ups booked once against the FX position, the providers' balances used
by routing, and the gap between our books and the providers' word."""

from datetime import timedelta

import pytest
from django.utils import timezone

from payments.errors import InvalidAmount, NotAllowedNow
from payments.ledger import balance
from payments.models import Corridor, FloatTopUp, JournalEntry, PayoutAttempt
from payments.routing import rank_providers
from payments.treasury import available_float, float_positions, float_top_up
from providers.models import ProviderBalance
from tests import factories as f

pytestmark = pytest.mark.usefixtures("corridors")
ORANGE_CI = "+2250701234567"


def reported(provider, country, currency, amount, minutes_ago=1):
    return ProviderBalance.objects.create(
        provider=provider, country=country, currency=currency, amount_minor=amount,
        as_of=timezone.now() - timedelta(minutes=minutes_ago),
    )  # fmt: skip


def test_a_top_up_is_booked_once_against_the_fx_position(django_user_model):
    treasurer = django_user_model.objects.create_user("treasurer")
    top_up = float_top_up(
        provider="wave", currency="XOF", amount_minor=50_000_000, reference="BNK-2026-001",
        actor=treasurer, note="weekly top-up",
    )  # fmt: skip
    assert top_up.booked_by == treasurer
    assert balance("float:wave", "XOF") == 50_000_000
    assert balance("fx_position", "XOF") == -50_000_000
    with pytest.raises(NotAllowedNow) as again:
        float_top_up(provider="wave", currency="XOF", amount_minor=1, reference="BNK-2026-001")
    assert again.value.code == "duplicate_reference"
    assert FloatTopUp.objects.count() == 1 and JournalEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("provider", "amount", "reference", "error"),
    [
        ("paypal", 100, "R1", NotAllowedNow),
        ("wave", 0, "R2", InvalidAmount),
        ("wave", -5, "R3", InvalidAmount),
        ("wave", 1.5, "R4", InvalidAmount),
        ("wave", 100, "  ", NotAllowedNow),
    ],
)
def test_a_bad_top_up_is_refused_and_writes_nothing(provider, amount, reference, error):
    with pytest.raises(error):
        float_top_up(provider=provider, currency="XOF", amount_minor=amount, reference=reference)
    assert not FloatTopUp.objects.exists() and not JournalEntry.objects.exists()


def test_available_float_is_the_last_reading_less_what_was_sent_since():
    assert available_float("wave", "CI", "XOF") is None  # never read: unknown
    reported("wave", "CI", "XOF", 1_000_000, minutes_ago=10)
    t = f.funded_transfer(corridor="fr-ci", provider="wave")
    PayoutAttempt.objects.create(
        transfer=t, number=1, reference=f"{t.reference}-1", provider="wave",
        msisdn=t.payout_msisdn, status=PayoutAttempt.Status.SUBMITTED,
    )  # fmt: skip
    assert available_float("wave", "CI", "XOF") == 1_000_000 - t.receive_amount_minor
    ProviderBalance.objects.update(as_of=timezone.now() - timedelta(hours=2))
    assert available_float("wave", "CI", "XOF") is None  # too old to trust


def test_routing_puts_a_provider_short_of_float_last():
    ci = Corridor.objects.get(code="fr-ci")
    assert rank_providers(ci, ORANGE_CI, amount_minor=500_000) == ["wave", "orange_money"]
    reported("wave", "CI", "XOF", 100_000)
    assert rank_providers(ci, ORANGE_CI, amount_minor=500_000) == ["orange_money", "wave"]
    assert rank_providers(ci, ORANGE_CI, amount_minor=50_000) == ["wave", "orange_money"]
    assert rank_providers(ci, ORANGE_CI) == ["wave", "orange_money"]  # no amount, no opinion


def test_float_positions_show_the_gap_between_our_books_and_the_provider():
    float_top_up(provider="wave", currency="XOF", amount_minor=2_000_000, reference="BNK-1")
    reported("wave", "SN", "XOF", 1_500_000)
    reported("wave", "CI", "XOF", 400_000)
    reported("orange_money", "SN", "XOF", 10)
    assert float_positions() == [
        {"provider": "orange_money", "currency": "XOF", "ledger_minor": 0,
         "reported_minor": 10, "difference_minor": 10},
        {"provider": "wave", "currency": "XOF", "ledger_minor": 2_000_000,
         "reported_minor": 1_900_000, "difference_minor": -100_000},
    ]  # fmt: skip
