"""The Wave adapter against its simulator over real HTTP on loopback, and whole transfers
paid through it (faults included) with the ledger checked after each."""

from datetime import timedelta

import pytest
from django.utils import timezone

from payments import payouts
from payments.ledger_check import check_ledger
from payments.models import PayoutAttempt, Transfer
from payments.pricing import quote_create
from payments.states import TransferStatus as S
from payments.transfers import transfer_create, transfer_mark_funded, transfer_run_checks
from providers.base import PayoutRequest, PayoutState
from providers.errors import (
    PermanentError,
    ProviderConfigError,
    RetryableError,
    UnknownOutcomeError,
)
from providers.models import ProviderCall
from providers.sandboxes.wave import WaveSimulator
from providers.wave.adapter import WaveProvider
from providers.wave.mapping import to_result
from tests import factories as f

pytestmark = pytest.mark.usefixtures("corridors")
KEY = "wave_sn_test_key"


@pytest.fixture
def wave(settings, serve):
    sim = WaveSimulator(api_key=KEY)
    settings.WAVE_BASE_URL = serve(sim)
    settings.WAVE_API_KEY = KEY
    settings.WAVE_API_KEYS = {}
    settings.PAYOUT_ADAPTERS = {"wave": "http"}
    return sim


def request(suffix="57", reference="MB-TEST-WAVE-1"):
    return PayoutRequest(reference, 65596, "XOF", f"+2217712345{suffix}", "Awa Sow", "SN")


def test_a_payout_succeeds_and_the_same_reference_never_pays_twice(wave):
    adapter = WaveProvider()
    first = adapter.send_payout(request())
    again = adapter.send_payout(request())
    assert first.state == PayoutState.SUCCEEDED and first.provider_ref.startswith("pt-")
    assert again.provider_ref == first.provider_ref
    assert len(wave.state["payouts"]) == 1
    assert adapter.balance() == (10**9 - 65596 - 655, "XOF")
    assert adapter.get_payout_status("MB-TEST-WAVE-1").state == PayoutState.SUCCEEDED


def test_the_same_key_with_another_body_is_our_bug_and_stops(wave):
    adapter = WaveProvider()
    adapter.send_payout(request())
    changed = PayoutRequest("MB-TEST-WAVE-1", 70000, "XOF", "+221771234557", "Awa Sow", "SN")
    with pytest.raises(ProviderConfigError, match="idempotency-mismatch"):
        adapter.send_payout(changed)


@pytest.mark.parametrize(
    ("suffix", "error", "then"),
    [
        ("00", PermanentError, PayoutState.NOT_FOUND),  # recipient-account-inactive
        ("01", UnknownOutcomeError, PayoutState.SUCCEEDED),  # 504 after paying
        ("02", UnknownOutcomeError, PayoutState.NOT_FOUND),  # 503 before anything
        ("05", RetryableError, PayoutState.NOT_FOUND),  # insufficient funds
        ("06", UnknownOutcomeError, PayoutState.SUCCEEDED),  # 500 after paying (trip-wire)
    ],
)
def test_errors_map_to_what_the_caller_must_do(wave, suffix, error, then):
    adapter = WaveProvider()
    with pytest.raises(error):
        adapter.send_payout(request(suffix))
    assert adapter.get_payout_status("MB-TEST-WAVE-1").state == then


def test_processing_then_failed_is_read_by_status(wave):
    adapter = WaveProvider()
    assert adapter.send_payout(request("03")).state == PayoutState.PENDING
    failed = adapter.get_payout_status("MB-TEST-WAVE-1")
    assert failed.state == PayoutState.FAILED and failed.error_code == "recipient-limit-exceeded"


def test_a_wrong_key_is_a_configuration_error_and_is_never_logged(wave, settings):
    settings.WAVE_API_KEY = "wave_sn_wrong"
    with pytest.raises(ProviderConfigError):
        WaveProvider().send_payout(request())
    call = ProviderCall.objects.get(provider="wave")
    assert call.status_code == 401 and "wave_sn_wrong" not in str(call.__dict__)
    assert "…557" in call.request_body and "+221771234557" not in call.request_body


def test_an_unmapped_status_is_never_a_success():
    with pytest.raises(UnknownOutcomeError):
        to_result({"status": "settling", "id": "pt-1"})


def test_a_transfer_pays_out_through_wave_end_to_end(wave):
    t = f.funded_transfer(provider="wave")
    f.run_jobs()
    t = Transfer.objects.get(pk=t.pk)
    assert t.status == S.PAID_OUT
    (payout,) = wave.state["payouts"].values()
    assert payout["client_reference"] == f"{t.reference}-1"
    assert (
        payout["receive_amount"] == str(t.receive_amount_minor)
        and payout["mobile"] == t.payout_msisdn
    )
    assert check_ledger().ok


@pytest.mark.parametrize("scenario", ["timeout", "fails"])
def test_unclear_answers_are_settled_by_polling_with_exactly_one_payout(wave, scenario):
    suffix = {"timeout": "01", "fails": "03"}[scenario]
    sender = f.customer()
    to = f.recipient(sender, phone=f"+2217712399{suffix}")
    q = quote_create(customer=sender, corridor_code="fr-sn", send_amount_minor=10_000)
    t = transfer_create(customer=sender, quote_id=q.pk, recipient_id=to.pk)
    transfer_mark_funded(transfer_id=t.pk)
    transfer_run_checks(transfer_id=t.pk)
    f.run_jobs()
    assert Transfer.objects.get(pk=t.pk).status == S.PAYOUT_SUBMITTED
    for _ in range(2):
        PayoutAttempt.objects.update(next_check_at=timezone.now() - timedelta(seconds=1))
        payouts.poll_due_payouts()
    expected = {"timeout": S.PAID_OUT, "fails": S.PAYOUT_FAILED}[scenario]
    assert Transfer.objects.get(pk=t.pk).status == expected
    assert len(wave.state["payouts"]) == 1
    assert check_ledger().ok


def test_an_unreachable_provider_is_retryable_because_nothing_was_sent(settings):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.WAVE_BASE_URL = f"http://127.0.0.1:{port}"
    with pytest.raises(RetryableError, match="unreachable"):
        WaveProvider().send_payout(request())
    assert ProviderCall.objects.get().outcome == "connect_error"


def test_a_slow_answer_is_an_unknown_outcome_settled_by_status(wave, settings):
    wave.slow_seconds = 2
    settings.WAVE_TIMEOUT_SECONDS = 0.5
    adapter = WaveProvider()
    with pytest.raises(UnknownOutcomeError):
        adapter.send_payout(request("07"))
    assert adapter.get_payout_status("MB-TEST-WAVE-1").state == PayoutState.SUCCEEDED
    assert ProviderCall.objects.filter(operation="send_payout").get().outcome == "read_timeout"


def test_a_checkout_session_collects_xof_once_per_reference(wave):
    adapter = WaveProvider()
    session = adapter.create_checkout(
        reference="MB-COLLECT-1", amount_minor=6560,
        success_url="https://mb.example/ok", error_url="https://mb.example/ko",
    )  # fmt: skip
    assert session["id"].startswith("cos-") and session["checkout_status"] == "open"
    assert session["wave_launch_url"].startswith("https://")
    again = adapter.create_checkout(
        reference="MB-COLLECT-1", amount_minor=6560,
        success_url="https://mb.example/ok", error_url="https://mb.example/ko",
    )  # fmt: skip
    assert again["id"] == session["id"]  # the idempotency key replays the first answer
    assert adapter.get_checkout(session["id"])["amount"] == "6560"
    with pytest.raises(PermanentError):
        adapter.get_checkout("cos-unknown")
