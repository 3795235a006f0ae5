"""Choosing the provider that can pay a wallet number, healthy and successful ones first."""

from datetime import timedelta

import pytest
from django.utils import timezone

from payments.customers import recipient_create
from payments.errors import InvalidRecipient
from payments.models import Corridor, PayoutAttempt
from payments.routing import network_of, rank_providers, wallet_providers
from tests import factories as f

pytestmark = pytest.mark.usefixtures("corridors")


@pytest.mark.parametrize(
    ("msisdn", "network"),
    [
        ("+221771234567", "orange"),
        ("+2250501234567", "mtn"),
        ("+237671234567", "mtn"),
        ("+224661234567", "mtn"),  # Areeba is MTN Guinea
        ("+2250101234567", "moov"),
    ],
)
def test_the_network_comes_from_the_number(msisdn, network):
    assert network_of(msisdn) == network


def test_which_wallets_a_number_can_have():
    assert wallet_providers("+2250701234567", "CI") == ["orange_money", "wave"]
    assert wallet_providers("+2250501234567", "CI") == ["mtn_momo", "wave"]
    assert wallet_providers("+237671234567", "CM") == ["mtn_momo"]
    assert wallet_providers("+2250101234567", "CI") == ["wave"]  # Moov SIM: Wave only


def attempts(provider, status, n, minutes_ago=1):
    """n past attempts by a provider (one transfer each: the database allows one success)."""
    when = timezone.now() - timedelta(minutes=minutes_ago)
    for _ in range(n):
        t = f.transfer(corridor="fr-ci", provider="wave")
        a = PayoutAttempt.objects.create(
            transfer=t, number=1, reference=f"{t.reference}-1", provider=provider,
            msisdn=t.payout_msisdn, status=status,
        )  # fmt: skip
        PayoutAttempt.objects.filter(pk=a.pk).update(created_at=when)


def test_ranking_prefers_success_and_skips_providers_that_look_down():
    ci = Corridor.objects.get(code="fr-ci")
    orange_sim = "+2250701234567"
    assert rank_providers(ci, orange_sim) == ["wave", "orange_money"]  # corridor order
    attempts("wave", PayoutAttempt.Status.FAILED, 3, minutes_ago=120)
    attempts("orange_money", PayoutAttempt.Status.SUCCEEDED, 3, minutes_ago=120)
    assert rank_providers(ci, orange_sim) == ["orange_money", "wave"]
    attempts("orange_money", PayoutAttempt.Status.NOT_SENT, 5)
    assert rank_providers(ci, orange_sim) == ["wave"]
    assert rank_providers(ci, orange_sim, exclude=["wave"]) == []


def test_a_recipient_without_a_provider_gets_the_best_one_for_the_number():
    sender = f.customer()
    r = recipient_create(
        customer=sender, first_name="Awa", last_name="Koné", country="CM", phone="+237671234567"
    )
    assert r.provider == "mtn_momo"
    with pytest.raises(InvalidRecipient, match="can pay"):
        recipient_create(
            customer=sender, first_name="Awa", last_name="Koné", country="GH",
            phone="+233201234567",  # Telecel: no wallet we pay in Ghana
        )  # fmt: skip
