"""500 transfers through the Wave, MTN MoMo and Orange Money simulators with faults switched
on at random: every transfer ends final or clearly pending, none is paid twice, every provider
payment is one of our paid transfers, and the ledger balances."""

import random
from collections import Counter
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from payments import payouts
from payments.funding import funding_receive
from payments.ledger_check import check_ledger
from payments.models import PayoutAttempt, Transfer
from payments.pricing import quote_create
from payments.states import TransferStatus as S
from payments.transfers import transfer_create
from providers.models import SandboxPayout
from providers.sandboxes.mtn_momo import MtnMomoSimulator
from providers.sandboxes.orange_money import OrangeMoneySimulator
from providers.sandboxes.wave import WaveSimulator
from tests import factories as f

pytestmark = pytest.mark.usefixtures("corridors", "fresh_rates")
TRANSFERS = 500
ROUTES = [  # corridor, provider
    ("fr-sn", "wave"), ("fr-ci", "wave"), ("fr-sn", "orange_money"), ("fr-bf", "orange_money"),
    ("fr-ci", "mtn_momo"), ("fr-cm", "mtn_momo"), ("fr-gn", "mtn_momo"), ("fr-gh", "mtn_momo"),
]  # fmt: skip
FAULTS = ["00", "01", "02", "03", "04", "05", "06"]


@pytest.fixture
def simulators(settings, serve):
    wave = WaveSimulator(api_key="wk")
    mtn = MtnMomoSimulator(api_user="u", api_key="p", subscription_key="s")
    orange = OrangeMoneySimulator(client_id="oc", client_secret="os", pin="1234")
    settings.ORANGE_BASE_URL = serve(orange)
    settings.ORANGE_CLIENT_ID, settings.ORANGE_CLIENT_SECRET = "oc", "os"
    settings.ORANGE_RETAILER_PIN = "1234"
    settings.WAVE_BASE_URL, settings.WAVE_API_KEY = serve(wave), "wk"
    settings.WAVE_API_KEYS = {}
    settings.MTN_BASE_URL = serve(mtn)
    settings.MTN_API_USER, settings.MTN_API_KEY, settings.MTN_SUBSCRIPTION_KEY = "u", "p", "s"
    settings.PAYOUT_ADAPTERS = {"wave": "http", "mtn_momo": "http", "orange_money": "http"}
    settings.PAYOUT_FAILOVER = True
    return wave, mtn, orange


def paid_by_providers(wave, mtn, orange) -> Counter:
    """How many times each of our transfers was paid, on the providers' own books."""
    refs = [
        p["client_reference"] for p in wave.state["payouts"].values() if p["status"] == "succeeded"
    ]
    refs += [t["externalId"] for t in mtn.transfers.values() if t["status"] == "SUCCESSFUL"]
    refs += [t["reference"] for t in orange.transactions.values() if t["status"] == "SUCCESS"]
    refs += list(
        SandboxPayout.objects.filter(status="succeeded").values_list("reference", flat=True)
    )
    return Counter(ref.rsplit("-", 1)[0] for ref in refs)


def test_five_hundred_transfers_with_random_faults(simulators, settings):
    # Provider faults are the subject here: monitoring runs, but holds nothing.
    settings.MONITORING_HOLD_SCORE = 10**6
    wave, mtn, orange = simulators
    rnd = random.Random(20261125)
    senders = [f.customer() for _ in range(25)]
    address_book = {}
    for i in range(TRANSFERS):
        corridor, provider = rnd.choice(ROUTES)
        country = corridor.split("-")[1].upper()
        suffix = rnd.choice(FAULTS) if rnd.random() < 0.35 else f"{rnd.randint(10, 99)}"
        sender = senders[i % len(senders)]
        phone = f.WALLETS[country].format(rnd.randint(0, 99) * 100 + int(suffix))
        key = (sender.pk, phone, provider)
        if key not in address_book:
            address_book[key] = f.recipient(sender, country=country, provider=provider, phone=phone)
        to = address_book[key]
        q = quote_create(
            customer=sender, corridor_code=corridor, payout_provider=provider,
            send_amount_minor=rnd.randint(10, 500) * 100,
        )  # fmt: skip
        t = transfer_create(customer=sender, quote_id=q.pk, recipient_id=to.pk)
        funding_receive(
            payment_ref=f"pi_{t.reference}", amount_minor=t.total_minor, currency="EUR",
            transfer_reference=t.reference,
        )  # fmt: skip
        if rnd.random() < 0.05:  # the funding webhook delivered twice
            funding_receive(
                payment_ref=f"pi_{t.reference}", amount_minor=t.total_minor, currency="EUR",
                transfer_reference=t.reference,
            )  # fmt: skip
    f.run_jobs(max_jobs=5 * TRANSFERS)
    for _ in range(4):  # pollers, sweeps and resubmissions, twice each as a worker might
        PayoutAttempt.objects.filter(next_check_at__isnull=False).update(
            next_check_at=timezone.now() - timedelta(seconds=1)
        )
        payouts.poll_due_payouts(limit=5 * TRANSFERS)
        payouts.poll_due_payouts(limit=5 * TRANSFERS)
        with override_settings(PAYOUT_RETRY_BACKOFF_SECONDS=-1):
            payouts.sweep_stuck_transfers(limit=5 * TRANSFERS)
        f.run_jobs(max_jobs=5 * TRANSFERS)

    transfers = list(Transfer.objects.all())
    assert len(transfers) == TRANSFERS
    statuses = Counter(t.status for t in transfers)
    settled = {S.PAID_OUT, S.PAYOUT_FAILED}
    for t in transfers:
        if t.status in settled:
            continue
        # Clearly pending: an open attempt awaiting the provider, or a pause before a new one
        # after an attempt that never reached it.
        open_attempts = t.attempts.filter(status__in=PayoutAttempt.OPEN).count()
        last = t.attempts.order_by("-number").first()
        assert (t.status == S.PAYOUT_SUBMITTED and open_attempts == 1) or (
            t.status == S.PAYOUT_PENDING and open_attempts == 0 and last.status == "not_sent"
        ), (t.reference, t.status)

    paid = paid_by_providers(wave, mtn, orange)
    assert max(paid.values()) == 1, "a transfer was paid twice"
    paid_out = {t.reference for t in transfers if t.status == S.PAID_OUT}
    assert set(paid) == paid_out
    assert statuses[S.PAID_OUT] > TRANSFERS // 2
    report = check_ledger()
    assert report.ok, report.problems[:5]
