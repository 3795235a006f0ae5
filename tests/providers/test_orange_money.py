"""The Orange Money adapter against its simulator over real HTTP on loopback."""

from datetime import timedelta

import pytest
from django.utils import timezone

from payments import payouts
from payments.ledger_check import check_ledger
from payments.models import PayoutAttempt, Transfer
from payments.states import TransferStatus as S
from providers.base import PayoutRequest, PayoutState
from providers.errors import (
    PermanentError,
    ProviderConfigError,
    RetryableError,
    UnknownOutcomeError,
)
from providers.models import ProviderCall
from providers.orange_money.adapter import OrangeMoneyProvider
from providers.sandboxes.orange_money import OrangeMoneySimulator
from tests import factories as f

pytestmark = pytest.mark.usefixtures("corridors")


@pytest.fixture
def orange(settings, serve):
    sim = OrangeMoneySimulator(client_id="cid", client_secret="csecret", pin="1357")
    settings.ORANGE_BASE_URL = serve(sim)
    settings.ORANGE_CLIENT_ID, settings.ORANGE_CLIENT_SECRET = "cid", "csecret"
    settings.ORANGE_RETAILER_PIN = "1357"
    settings.PAYOUT_ADAPTERS = {"orange_money": "http"}
    return sim


def request(suffix="57", reference="MB-TEST-ORNG-1"):
    return PayoutRequest(reference, 65596, "XOF", f"+2217712345{suffix}", "Awa Sow", "SN")


def test_a_cash_in_succeeds_with_the_encrypted_pin_and_is_found_by_reference(orange):
    adapter = OrangeMoneyProvider()
    result = adapter.send_payout(request())
    assert result.state == PayoutState.SUCCEEDED and result.provider_ref.startswith("CI")
    assert adapter.get_payout_status("MB-TEST-ORNG-1").state == PayoutState.SUCCEEDED
    (tx,) = orange.transactions.values()
    assert tx["amount"] == {"value": 65596, "unit": "XOF"}
    calls = ProviderCall.objects.all()
    assert [c.operation for c in calls.order_by("id")][:3] == ["token", "public_key", "send_payout"]
    for call in calls:
        assert "csecret" not in call.request_body + call.url and "1357" not in call.request_body


@pytest.mark.parametrize(
    ("suffix", "error", "then"),
    [
        ("00", PermanentError, PayoutState.NOT_FOUND),
        ("01", UnknownOutcomeError, PayoutState.SUCCEEDED),
        ("02", UnknownOutcomeError, PayoutState.NOT_FOUND),
        ("05", RetryableError, PayoutState.NOT_FOUND),
        ("06", UnknownOutcomeError, PayoutState.SUCCEEDED),
    ],
)
def test_errors_map_to_what_the_caller_must_do(orange, suffix, error, then):
    adapter = OrangeMoneyProvider()
    with pytest.raises(error):
        adapter.send_payout(request(suffix))
    assert adapter.get_payout_status("MB-TEST-ORNG-1").state == then


def test_pending_then_failed_is_read_by_reference(orange):
    adapter = OrangeMoneyProvider()
    assert adapter.send_payout(request("03")).state == PayoutState.PENDING
    assert adapter.get_payout_status("MB-TEST-ORNG-1").state == PayoutState.FAILED


def test_a_wrong_pin_pauses_the_provider_so_the_account_is_never_blocked(orange, settings):
    settings.ORANGE_RETAILER_PIN = "0000"
    adapter = OrangeMoneyProvider()
    with pytest.raises(PermanentError, match="2011"):
        adapter.send_payout(request())
    sent = ProviderCall.objects.filter(operation="send_payout").count()
    with pytest.raises(ProviderConfigError, match="paused"):
        adapter.send_payout(request(reference="MB-TEST-ORNG-2"))
    assert ProviderCall.objects.filter(operation="send_payout").count() == sent  # not sent


def test_bad_client_credentials_are_a_configuration_error(orange, settings):
    settings.ORANGE_CLIENT_SECRET = "wrong"
    with pytest.raises(ProviderConfigError):
        OrangeMoneyProvider().send_payout(request())


def test_a_transfer_to_senegal_pays_out_through_orange_money(orange):
    t = f.funded_transfer(corridor="fr-sn", provider="orange_money", scenario="pending")
    f.run_jobs()
    assert Transfer.objects.get(pk=t.pk).status == S.PAYOUT_SUBMITTED
    PayoutAttempt.objects.update(next_check_at=timezone.now() - timedelta(seconds=1))
    payouts.poll_due_payouts()
    assert Transfer.objects.get(pk=t.pk).status == S.PAYOUT_SUBMITTED  # pending forever
    ok = f.funded_transfer(corridor="fr-sn", provider="orange_money")
    f.run_jobs()
    assert Transfer.objects.get(pk=ok.pk).status == S.PAID_OUT
    assert check_ledger().ok
