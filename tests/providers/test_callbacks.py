"""MTN and Orange call us back when a payout settles: their simulators send the callbacks to
our real intake, where they only queue a status query. Duplicated or missing callbacks change
nothing; slow answers are unknown outcomes settled by status."""

import json

import pytest
from django.urls import reverse

from payments.ledger_check import check_ledger
from payments.models import PayoutAttempt, Transfer
from payments.payouts import poll_due_payouts
from payments.states import TransferStatus as S
from payments.treasury import refresh_provider_balances
from providers.base import PayoutRequest, PayoutState
from providers.errors import UnknownOutcomeError
from providers.models import ProviderBalance, ProviderCall, WebhookEvent
from providers.mtn_momo.adapter import MtnMomoProvider
from providers.orange_money.adapter import OrangeMoneyProvider
from providers.sandboxes.mtn_momo import MtnMomoSimulator
from providers.sandboxes.orange_money import OrangeMoneySimulator
from tests import factories as f

pytestmark = pytest.mark.usefixtures("corridors", "fresh_rates")


@pytest.fixture
def callbacks(settings):
    settings.PROVIDER_CALLBACK_BASE = "https://mb.example"
    settings.PROVIDER_CALLBACK_TOKEN = "cb-token"
    return []


@pytest.fixture
def mtn(settings, serve, callbacks):
    sim = MtnMomoSimulator(
        api_user="u", api_key="k", subscription_key="s", settle_seconds=0,
        deliver=lambda url, body: callbacks.append((url, body)),
    )  # fmt: skip
    settings.MTN_BASE_URL = serve(sim)
    settings.MTN_API_USER, settings.MTN_API_KEY, settings.MTN_SUBSCRIPTION_KEY = "u", "k", "s"
    settings.PAYOUT_ADAPTERS = {"mtn_momo": "http", "orange_money": "http"}
    return sim


@pytest.fixture
def orange(settings, serve, callbacks):
    sim = OrangeMoneySimulator(
        client_id="oc", client_secret="os", pin="1234", notify_url="https://mb.example/om/",
        deliver=lambda url, body: callbacks.append((url, body)),
    )  # fmt: skip
    settings.ORANGE_BASE_URL = serve(sim)
    settings.ORANGE_CLIENT_ID, settings.ORANGE_CLIENT_SECRET = "oc", "os"
    settings.ORANGE_RETAILER_PIN = "1234"
    settings.PAYOUT_ADAPTERS = {"mtn_momo": "http", "orange_money": "http"}
    return sim


def post_callbacks(client, slug, callbacks):
    """Deliver what the simulator sent, to the URL our adapter gave it (token included)."""
    answers = []
    for url, body in callbacks:
        query = url.split("?", 1)[1] if "?" in url else ""
        answers.append(
            client.post(
                f"{reverse('webhook', args=[slug])}?{query}",
                json.dumps(body),
                content_type="application/json",
            ).status_code
        )
    callbacks.clear()
    return answers


def paid_by(provider, corridor, phone):
    t = f.funded_transfer(corridor=corridor, provider=provider, phone=phone)
    ran = f.run_jobs()
    assert "payments.tasks.payout_submit" in ran
    return Transfer.objects.get(pk=t.pk)


def test_mtn_calls_back_on_the_url_we_gave_and_the_callback_settles_the_payout(
    client, mtn, callbacks
):
    t = paid_by("mtn_momo", "fr-gh", "+233241230157")
    (url, body) = callbacks[0]
    assert url == "https://mb.example/webhooks/mtn-momo/?token=cb-token"
    assert body["status"] == "SUCCESSFUL" and body["externalId"] == t.attempts.get().reference
    assert post_callbacks(client, "mtn-momo", callbacks) == [200]
    ran = f.run_jobs()
    assert ran == ["payments.tasks.process_webhook", "payments.tasks.payout_check"]
    assert Transfer.objects.get(pk=t.pk).status == S.PAID_OUT
    assert check_ledger().ok


def test_a_duplicated_callback_is_stored_once_and_a_missing_one_is_made_up_by_polling(
    client, mtn, callbacks
):
    twice = paid_by("mtn_momo", "fr-gh", "+233241230108")
    assert len(callbacks) == 2
    assert post_callbacks(client, "mtn-momo", callbacks) == [200, 200]
    assert WebhookEvent.objects.count() == 1
    f.run_jobs()
    assert Transfer.objects.get(pk=twice.pk).status == S.PAID_OUT
    never = paid_by("mtn_momo", "fr-gh", "+233241230109")
    assert callbacks == []
    attempt = never.attempts.get()
    PayoutAttempt.objects.filter(pk=attempt.pk).update(next_check_at=attempt.created_at)
    assert poll_due_payouts() == 1
    assert Transfer.objects.get(pk=never.pk).status == S.PAID_OUT
    assert check_ledger().ok


def test_a_callback_without_our_token_is_rejected(client, mtn, callbacks):
    paid_by("mtn_momo", "fr-gh", "+233241230157")
    (url, body) = callbacks[0]
    answer = client.post(
        reverse("webhook", args=["mtn-momo"]), json.dumps(body), content_type="application/json"
    )
    assert answer.status_code == 400
    assert WebhookEvent.objects.get().status == WebhookEvent.Status.REJECTED


def test_orange_notifies_a_settled_cash_in_and_the_notification_only_queues_a_check(
    client, orange, callbacks
):
    t = paid_by("orange_money", "fr-sn", "+221771230457")
    assert Transfer.objects.get(pk=t.pk).status == S.PAID_OUT  # Orange answers SUCCESS at once
    ((url, body),) = callbacks
    assert url == "https://mb.example/om/" and body["status"] == "SUCCESS"
    assert post_callbacks(client, "orange-money", callbacks) == [400]  # no token in that URL
    callbacks.append(("https://mb.example/webhooks/orange-money/?token=cb-token", body))
    assert post_callbacks(client, "orange-money", callbacks) == [200]
    assert f.run_jobs() == ["payments.tasks.process_webhook", "payments.tasks.payout_check"]
    assert Transfer.objects.get(pk=t.pk).status == S.PAID_OUT
    assert check_ledger().ok


@pytest.mark.parametrize(
    ("adapter", "fixture", "phone", "country", "currency"),
    [
        (MtnMomoProvider, "mtn", "+233241230107", "GH", "GHS"),
        (OrangeMoneyProvider, "orange", "+221771230407", "SN", "XOF"),
    ],
)
def test_a_slow_answer_is_an_unknown_outcome_settled_by_status(
    request, settings, adapter, fixture, phone, country, currency
):
    sim = request.getfixturevalue(fixture)
    sim.slow_seconds = 2
    settings.MTN_TIMEOUT_SECONDS = settings.ORANGE_TIMEOUT_SECONDS = 0.5
    payout = PayoutRequest("MB-SLOW-0001-1", 5000, currency, phone, "Awa Ba", country)
    with pytest.raises(UnknownOutcomeError):
        adapter().send_payout(payout)
    assert ProviderCall.objects.filter(operation="send_payout").get().outcome == "read_timeout"
    assert adapter().get_payout_status("MB-SLOW-0001-1", country).state == PayoutState.SUCCEEDED


def test_provider_balances_are_read_and_go_down_with_payouts(mtn, orange):
    assert MtnMomoProvider().balance("GH", "GHS") == (10**12, "GHS")
    assert OrangeMoneyProvider().balance("SN", "XOF") == (10**12, "XOF")
    t = paid_by("mtn_momo", "fr-gh", "+233241230157")
    f.run_jobs()
    assert MtnMomoProvider().balance("GH", "GHS") == (10**12 - t.receive_amount_minor, "GHS")
    mtn.balances["GHS"] = 10
    short = PayoutRequest("MB-SHORT-001-1", 5000, "GHS", "+233241230157", "K M", "GH")
    MtnMomoProvider().send_payout(short)
    result = MtnMomoProvider().get_payout_status("MB-SHORT-001-1", "GH")
    assert (result.state, result.error_code) == (PayoutState.FAILED, "NOT_ENOUGH_FUNDS")


def test_the_balance_job_reads_every_wallet_and_keeps_why_a_read_failed(mtn, orange, settings):
    settings.PAYOUT_ADAPTERS = {"mtn_momo": "http", "orange_money": "http"}  # Wave: in-db sandbox
    result = refresh_provider_balances()
    wallets = set(ProviderBalance.objects.values_list("provider", "country", "amount_minor"))
    assert ("mtn_momo", "GH", 10**12) in wallets and ("orange_money", "SN", 10**12) in wallets
    assert result == {"read": len(wallets), "failed": 0}
    settings.ORANGE_BASE_URL = "http://127.0.0.1:9"
    assert refresh_provider_balances()["failed"] >= 1
    failed = ProviderBalance.objects.get(provider="orange_money", country="SN")
    assert failed.error and failed.amount_minor == 10**12  # the last good reading stays


@pytest.mark.parametrize(
    ("provider", "corridor", "phone", "slug"),
    [
        ("mtn_momo", "fr-gh", "+233241230106", "mtn-momo"),
        ("orange_money", "fr-sn", "+221771230411", "orange-money"),
    ],
)
def test_callbacks_out_of_order_settle_once_by_status(
    client, mtn, orange, callbacks, provider, corridor, phone, slug
):
    t = paid_by(provider, corridor, phone)
    statuses = [body["status"] for _, body in callbacks]
    assert statuses[-1] == "PENDING" and len(statuses) == 2  # the stale one comes last
    callbacks[:] = [
        (f"https://mb.example/webhooks/{slug}/?token=cb-token", body) for _, body in callbacks
    ]
    assert post_callbacks(client, slug, callbacks) == [200, 200]
    f.run_jobs()
    t.refresh_from_db()
    assert t.status == S.PAID_OUT and t.attempts.count() == 1
    assert check_ledger().ok
