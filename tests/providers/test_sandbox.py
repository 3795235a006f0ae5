"""The sandbox provider honours its idempotency key and its scenarios."""

import pytest

from providers.base import PayoutRequest, PayoutState
from providers.errors import (
    PermanentError,
    ProviderConfigError,
    RetryableError,
    UnknownOutcomeError,
)
from providers.models import SandboxPayout
from providers.registry import get_provider

pytestmark = pytest.mark.django_db


def request(msisdn="+221771234567", reference="MB-TEST-0001-1"):
    return PayoutRequest(reference, 6559, "XOF", msisdn, "Moussa Ndiaye", "SN")


def test_same_reference_pays_once():
    wave = get_provider("wave")
    first = wave.send_payout(request())
    second = wave.send_payout(request())
    assert first.provider_ref == second.provider_ref
    payout = SandboxPayout.objects.get()
    assert payout.sends == 2 and payout.amount_minor == 6559


def test_status_settles_and_unknown_reference_is_not_found():
    wave = get_provider("wave")
    assert wave.send_payout(request()).state == PayoutState.PENDING
    assert wave.get_payout_status("MB-TEST-0001-1").state == PayoutState.SUCCEEDED
    assert wave.get_payout_status("nope").state == PayoutState.NOT_FOUND


@pytest.mark.parametrize(
    ("suffix", "error"),
    [("00", PermanentError), ("01", UnknownOutcomeError), ("02", RetryableError)],
)
def test_failure_scenarios(suffix, error):
    with pytest.raises(error):
        get_provider("orange_money").send_payout(request(msisdn=f"+2217712345{suffix}"))
    # A timeout happens after the provider recorded the payout; the others record nothing.
    assert SandboxPayout.objects.exists() == (error is UnknownOutcomeError)


def test_async_failure_and_pending_forever():
    mtn = get_provider("mtn_momo")
    mtn.send_payout(request(msisdn="+221771234503", reference="R-3"))
    mtn.send_payout(request(msisdn="+221771234504", reference="R-4"))
    assert mtn.get_payout_status("R-3").state == PayoutState.FAILED
    assert mtn.get_payout_status("R-4").state == PayoutState.PENDING


def test_unknown_provider_and_disabled_sandbox_are_configuration_errors(settings):
    with pytest.raises(ProviderConfigError):
        get_provider("western_union")
    settings.SANDBOX_PROVIDERS = False
    with pytest.raises(ProviderConfigError):
        get_provider("wave")
