"""The MTN MoMo adapter against its simulator over real HTTP on loopback."""

from datetime import timedelta

import pytest
from django.utils import timezone

from payments import payouts
from payments.ledger_check import check_ledger
from payments.models import PayoutAttempt, Transfer
from payments.states import TransferStatus as S
from providers.base import PayoutRequest, PayoutState
from providers.errors import PermanentError, ProviderConfigError, UnknownOutcomeError
from providers.models import ProviderCall
from providers.mtn_momo.adapter import MtnMomoProvider
from providers.mtn_momo.mapping import reference_id, to_result
from providers.sandboxes.mtn_momo import MtnMomoSimulator
from tests import factories as f

pytestmark = pytest.mark.usefixtures("corridors")


@pytest.fixture
def mtn(settings, serve):
    sim = MtnMomoSimulator(api_user="user-1", api_key="key-1", subscription_key="sub-1")
    settings.MTN_BASE_URL = serve(sim)
    settings.MTN_API_USER, settings.MTN_API_KEY = "user-1", "key-1"
    settings.MTN_SUBSCRIPTION_KEY = "sub-1"
    settings.PAYOUT_ADAPTERS = {"mtn_momo": "http"}
    return sim


def request(suffix="57", reference="MB-TEST-MTN1-1"):
    return PayoutRequest(reference, 25000, "GHS", f"+2332412300{suffix}", "Kwame Mensah", "GH")


def test_reference_ids_are_stable_uuids():
    a, b = reference_id("MB-AAAA-BBBB-1"), reference_id("MB-AAAA-BBBB-2")
    assert a == reference_id("MB-AAAA-BBBB-1") and a != b
    assert a[14] == "4"  # shaped as a version-4 UUID


def test_accepted_then_paid_and_a_replayed_reference_reads_the_status(mtn):
    adapter = MtnMomoProvider()
    assert adapter.send_payout(request()).state == PayoutState.PENDING
    again = adapter.send_payout(request())  # 409 RESOURCE_ALREADY_EXIST -> status read
    assert again.state == PayoutState.SUCCEEDED and again.provider_ref
    assert len(mtn.transfers) == 1
    (sent,) = mtn.transfers.values()
    assert sent["payee"] == {"partyIdType": "MSISDN", "partyId": "233241230057"}
    assert sent["amount"] == "25000" and sent["externalId"] == "MB-TEST-MTN1-1"


def test_the_token_is_cached_and_secrets_never_reach_the_call_log(mtn):
    adapter = MtnMomoProvider()
    adapter.send_payout(request())
    adapter.get_payout_status("MB-TEST-MTN1-1", "GH")
    assert ProviderCall.objects.filter(operation="token").count() == 1
    for call in ProviderCall.objects.all():
        assert "key-1" not in call.url + call.request_body + call.response_body


@pytest.mark.parametrize(
    ("suffix", "error", "then"),
    [
        ("01", UnknownOutcomeError, PayoutState.SUCCEEDED),  # 500 yet paid: read, never resend
        ("02", UnknownOutcomeError, PayoutState.NOT_FOUND),  # 503 before anything
        ("05", PermanentError, PayoutState.NOT_FOUND),  # INVALID_CURRENCY: config, not retryable
    ],
)
def test_errors_map_to_what_the_caller_must_do(mtn, suffix, error, then):
    adapter = MtnMomoProvider()
    with pytest.raises(error):
        adapter.send_payout(request(suffix))
    assert adapter.get_payout_status("MB-TEST-MTN1-1", "GH").state == then


@pytest.mark.parametrize(
    ("suffix", "reason"), [("00", "PAYEE_NOT_FOUND"), ("03", "APPROVAL_REJECTED")]
)
def test_failures_are_read_from_the_status(mtn, suffix, reason):
    adapter = MtnMomoProvider()
    adapter.send_payout(request(suffix))
    result = adapter.get_payout_status("MB-TEST-MTN1-1", "GH")
    assert result.state == PayoutState.FAILED and result.error_code == reason


def test_a_bad_subscription_key_is_a_configuration_error(mtn, settings):
    settings.MTN_SUBSCRIPTION_KEY = "wrong"
    with pytest.raises(ProviderConfigError):
        MtnMomoProvider().send_payout(request())


def test_account_holder_name_helps_check_a_recipient(mtn):
    adapter = MtnMomoProvider()
    assert adapter.account_holder_name("+233241230057", "GH") == "Kwame Mensah"
    assert adapter.account_holder_name("+233241239999", "GH") is None


def test_old_and_new_reason_shapes_and_unknown_statuses():
    old = to_result({"status": "FAILED", "reason": {"code": "NOT_ENOUGH_FUNDS"}})
    assert old.error_code == "NOT_ENOUGH_FUNDS"
    with pytest.raises(UnknownOutcomeError):
        to_result({"status": "MAYBE"})


def test_a_transfer_to_ghana_pays_out_through_mtn(mtn, fresh_rates):
    t = f.funded_transfer(corridor="fr-gh", provider="mtn_momo", send=20_000)
    f.run_jobs()
    assert Transfer.objects.get(pk=t.pk).status == S.PAYOUT_SUBMITTED
    PayoutAttempt.objects.update(next_check_at=timezone.now() - timedelta(seconds=1))
    payouts.poll_due_payouts()
    assert Transfer.objects.get(pk=t.pk).status == S.PAID_OUT
    assert len(mtn.transfers) == 1
    assert check_ledger().ok
