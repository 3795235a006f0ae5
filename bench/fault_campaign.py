"""Fault campaign: thousands of transfers through the real web server and two job clusters
while the providers misbehave and the clusters are killed, then the books are checked.

    .venv/bin/python bench/fault_campaign.py            # 2,000 transfers, about 6 minutes
    .venv/bin/python bench/fault_campaign.py --transfers 300 --examples 5   # a quick one

Senders sign up, add recipients, quote and create transfers over HTTP (gunicorn); Stripe's
simulator pays them and signs the webhooks, some delivered twice, some with a stale event
after the newer one, a few never; 5 % of Stripe API calls answer 500, and the app repeats its
request with the same Idempotency-Key (some requests are repeated on purpose as well). The
recipients' numbers pick the payout simulators' scenarios: declines, 5xx before and after
paying, timeouts, slow answers past our timeout, pending forever, callbacks duplicated, out
of order or never sent. Meanwhile one of the two `qcluster`s is killed with SIGKILL every
few seconds and restarted. Schemathesis then fuzzes every API operation against the same
server, and the campaign waits for the clusters to settle what can be settled.

It prints the figures and exits 1 unless: no transfer paid twice, none lost (each final, or
pending with a reason we can name), the ledger balanced, and every payout on a provider's
books matched to exactly one of our attempts (and each attempt we count as paid to exactly
one payout there).
"""

import argparse
import os
import random
import statistics
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from stack import Stack, recreate_database  # noqa: E402 - after the path is set

DATABASE_URL = os.environ.get(
    "CAMPAIGN_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/moneybridge_campaign"
)
PASSWORD = "campaign password 2026"  # noqa: S105 - a sandbox sender's password
ROUTES = [  # corridor, provider, country
    ("fr-sn", "wave", "SN"), ("fr-ci", "wave", "CI"), ("fr-sn", "orange_money", "SN"),
    ("fr-bf", "orange_money", "BF"), ("fr-ci", "mtn_momo", "CI"), ("fr-cm", "mtn_momo", "CM"),
    ("fr-gn", "mtn_momo", "GN"), ("fr-gh", "mtn_momo", "GH"),
]  # fmt: skip
# Each simulator's fault scenarios (last two digits of the number; see its docstring).
FAULTS = {
    "wave": ["00", "01", "02", "03", "04", "05", "06", "07"],
    "mtn_momo": ["00", "01", "02", "03", "04", "05", "06", "07", "08", "09"],
    "orange_money": ["00", "01", "02", "03", "04", "05", "06", "07", "08", "09", "11"],
}
WEBHOOKS = [("normal", 0.84), ("duplicate", 0.08), ("out-of-order", 0.06), ("never", 0.02)]
# Short timeouts so a campaign settles in minutes: answers slower than 3 s are timeouts.
FAST = {
    "Q_WORKERS": "2", "Q_POLL": "0.5", "Q_TIMEOUT": "40", "Q_RETRY": "45",
    "PAYOUT_POLL_BASE_SECONDS": "2", "PAYOUT_POLL_MAX_SECONDS": "10",
    "PAYOUT_STALE_SENDING_SECONDS": "20", "PAYOUT_RETRY_BACKOFF_SECONDS": "3",
    "PAYOUT_NOT_FOUND_GRACE_SECONDS": "30", "SANDBOX_SETTLE_SECONDS": "1",
    "WAVE_TIMEOUT_SECONDS": "3", "MTN_TIMEOUT_SECONDS": "3", "ORANGE_TIMEOUT_SECONDS": "3",
    "MONITORING_HOLD_SCORE": "1000000",  # provider faults are the subject, not monitoring
}  # fmt: skip


class Campaign:
    def __init__(self, args):
        self.args = args
        self.rnd = random.Random(args.seed)  # noqa: S311 - a reproducible campaign
        self.lock = threading.Lock()
        self.plans: dict[str, dict] = {}  # transfer reference -> what we asked of it
        self.counts = Counter()
        self.latencies: list[float] = []
        self.kills = 0
        self.driving = True

    # --- set-up ------------------------------------------------------------------------------

    def senders(self, http: httpx.Client) -> list[dict]:
        from payments.models import Customer

        made = []
        for n in range(self.args.senders):
            email = f"sender{n}.{uuid.uuid4().hex[:6]}@example.com"
            body = {
                "email": email, "password": PASSWORD, "phone": "+33612345678", "country": "FR",
                "first_name": "Awa", "last_name": f"Ndiaye{n}",
            }  # fmt: skip
            assert http.post("/api/v1/auth/register", json=body).status_code == 201
            # An officer's review of the sender's passport, as the console would record it.
            Customer.objects.filter(email=email).update(kyc_tier=3, kyc_status="verified")
            tokens = http.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
            made.append(
                {"token": tokens.json()["access_token"], "recipients": {}, "lock": threading.Lock()}
            )
        return made

    def recipient(self, http, sender, route) -> tuple[int, str]:
        from tests.factories import WALLETS

        corridor, provider, country = route
        with self.lock:
            faulty = self.rnd.random() < self.args.fault_share
            scenario = (
                self.rnd.choice(FAULTS[provider]) if faulty else str(self.rnd.randint(20, 99))
            )
            number = self.rnd.randint(0, 99) * 100 + int(scenario)
        phone = WALLETS[country].format(number)
        key = (provider, phone)
        if key not in sender["recipients"]:
            body = {
                "first_name": "Moussa", "last_name": "Sow", "country": country, "phone": phone,
                "provider": provider,
            }  # fmt: skip
            answer = self._call(http, "post", "/api/v1/recipients", sender, body)
            sender["recipients"][key] = answer.json()["id"]
        return sender["recipients"][key], (scenario if faulty else "ok")

    # --- the drive ---------------------------------------------------------------------------

    def _call(self, http, method, path, sender, body=None, headers=None, expect=(200, 201)):
        """One API call as the app makes it: a 503 (a partner failed) is tried again, same
        request, same Idempotency-Key."""
        for _ in range(8):
            answer = getattr(http, method)(
                path, json=body, headers={"Authorization": f"Bearer {sender['token']}",
                                          **(headers or {})},
            )  # fmt: skip
            if answer.status_code != 503:
                break
            with self.lock:
                self.counts["503 answered, request repeated"] += 1
            time.sleep(0.2)
        assert answer.status_code in expect, (path, answer.status_code, answer.text[:300])
        return answer

    def one_transfer(self, http: httpx.Client, sender: dict, i: int) -> None:
        from payments.models import Transfer
        from providers import stripe_sepa

        with self.lock:
            route = self.rnd.choice(ROUTES)
            amount = self.rnd.randint(10, 400)
            mode = self.rnd.choices([m for m, _ in WEBHOOKS], [w for _, w in WEBHOOKS])[0]
            repeat = self.rnd.random() < 0.05
        with sender["lock"]:
            recipient_id, scenario = self.recipient(http, sender, route)
        started = time.perf_counter()
        quote = self._call(http, "post", "/api/v1/quotes", sender, {
            "corridor": route[0], "payout_provider": route[1],
            "send_amount": {"amount": f"{amount}.00", "currency": "EUR"},
        }).json()  # fmt: skip
        key = {"Idempotency-Key": f"campaign-{i}-{uuid.uuid4().hex[:8]}"}
        body = {"quote_id": quote["id"], "recipient_id": recipient_id}
        created = self._call(http, "post", "/api/v1/transfers", sender, body, key).json()
        if repeat:  # the app lost the answer and sends the same request again
            again = self._call(http, "post", "/api/v1/transfers", sender, body, key).json()
            assert again["id"] == created["id"], "a repeated request made a second transfer"
        with self.lock:
            self.latencies.append(time.perf_counter() - started)
            self.plans[created["reference"]] = {
                "provider": route[1],
                "scenario": scenario,
                "webhooks": mode,
            }
            self.counts[f"webhooks {mode}"] += 1
            self.counts["requests repeated on purpose"] += repeat
        shown = Transfer.objects.only("funding_instructions").get(pk=created["id"])
        shown = shown.funding_instructions
        stripe_sepa.sandbox_fund(
            customer=shown["customer"], amount_minor=shown["amount_minor"],
            currency=shown["currency"], reference=shown["reference"], webhooks=mode,
        )  # fmt: skip

    def drive(self, stack: Stack, senders: list[dict]) -> float:
        started = time.monotonic()

        def worker(w: int):
            with httpx.Client(base_url=stack.web_url, timeout=30) as http:
                for i in range(w, self.args.transfers, self.args.threads):
                    self.one_transfer(http, senders[i % len(senders)], i)

        with ThreadPoolExecutor(self.args.threads) as pool:
            for future in [pool.submit(worker, w) for w in range(self.args.threads)]:
                future.result()
        return time.monotonic() - started

    def chaos(self, stack: Stack) -> None:
        """Kill one of the two clusters with SIGKILL at random moments, restart it soon after."""
        while self.driving:
            time.sleep(self.rnd.uniform(*self.args.kill_every))
            if not self.driving:
                break
            victim = self.rnd.choice(stack.clusters)
            stack.kill_cluster(victim)
            self.kills += 1
            time.sleep(self.rnd.uniform(0.5, 3.0))
            stack.start_cluster()

    def nudge(self) -> None:
        """The schedules' poll and sweep, every few seconds rather than every minute."""
        from django_q.tasks import async_task

        while self.driving or not self.settled:
            async_task("payments.tasks.poll_due_payouts")
            async_task("payments.tasks.sweep_stuck_transfers")
            time.sleep(4)

    # --- the end -----------------------------------------------------------------------------

    settled = False

    def wait_until_settled(self, limit: float) -> float:
        """Until nothing moves: no transfer funded, none sending within the grace period, the queue
        nearly empty, three times in a row."""
        from django_q.models import OrmQ

        from payments.models import PayoutAttempt, Transfer
        from payments.payouts import attempts_needing_a_person

        started, quiet = time.monotonic(), 0
        while time.monotonic() - started < limit and quiet < 3:
            time.sleep(5)
            sending = PayoutAttempt.objects.filter(status="sending").exclude(
                pk__in=attempts_needing_a_person().values("pk")
            )
            busy = (
                Transfer.objects.filter(status__in=["funding", "funded"]).exists()
                or sending.exists()
                or OrmQ.objects.count() > 20  # more than the poll and sweep nudges
            )
            quiet = 0 if busy else quiet + 1
        self.settled = True
        return time.monotonic() - started


def why_pending(transfer, plan: dict | None, at_provider: Counter, for_a_person: set) -> str | None:
    """The reason a transfer is where it is, or None when we cannot name one (lost)."""
    from payments.models import PayoutAttempt
    from payments.states import TransferStatus as S

    if transfer.status in {S.PAID_OUT, S.REFUNDED, S.CANCELLED, S.EXPIRED}:
        return f"final: {transfer.status}"
    attempts = sorted(transfer.attempts.all(), key=lambda a: a.number)
    open_ = [a for a in attempts if a.status in PayoutAttempt.OPEN]
    if transfer.status == S.CREATED and plan and plan["webhooks"] == "never":
        return "awaiting the sender's payment (its bank never paid)"
    if len(open_) == 1 and open_[0].pk in for_a_person:
        attempt = open_[0]
        if attempt.status == "sending" and not at_provider[attempt.reference]:
            return "worker killed while sending, the provider never saw it: a person settles it"
        return (
            f"the provider has not settled it (attempt {attempt.status}): polled, shown to a person"
        )
    if len(open_) == 1 and open_[0].status in ("submitted", "unknown"):
        return f"the provider has not settled it yet (attempt {open_[0].status}): polled"
    if transfer.status == S.PAYOUT_PENDING and not open_ and attempts[-1].status == "not_sent":
        return "waiting to try again: the provider was unreachable"
    if transfer.status == S.PAYOUT_FAILED and not open_:
        return "payout failed on every provider able to pay: a person retries or refunds"
    if transfer.status == S.ON_HOLD:
        return f"held by compliance: {transfer.hold_reason}"
    return None


def providers_books(books: dict) -> tuple[Counter, Counter]:
    """Every payout on the providers' books by our attempt reference, and which succeeded."""
    made, paid = Counter(), Counter()
    rows = [
        (p["client_reference"], p["status"] == "succeeded")
        for p in books.get("wave", {}).get("payouts", {}).values()
    ]
    rows += [
        (t["externalId"], t["status"] == "SUCCESSFUL")
        for t in books.get("mtn_momo", {}).get("transfers", {}).values()
    ]
    rows += [
        (t["reference"], t["status"] == "SUCCESS")
        for t in books.get("orange_money", {}).get("transactions", {}).values()
    ]
    for reference, succeeded in rows:
        made[reference] += 1
        paid[reference] += succeeded
    return made, paid


def report(campaign: Campaign, books: dict, timings: dict) -> bool:
    from payments.ledger_check import check_ledger
    from payments.models import PayoutAttempt, Transfer
    from payments.payouts import attempts_needing_a_person
    from providers.models import ProviderCall

    transfers = list(Transfer.objects.prefetch_related("attempts"))
    ours = [t for t in transfers if t.reference in campaign.plans]
    made, paid = providers_books(books)
    for_a_person = set(attempts_needing_a_person().values_list("pk", flat=True))
    reasons = Counter()
    lost = []
    for t in ours:
        why = why_pending(t, campaign.plans[t.reference], made, for_a_person)
        reasons[why or "LOST"] += 1
        if why is None:
            lost.append((t.reference, t.status))
    attempts = {a.reference: a for a in PayoutAttempt.objects.all()}
    paid_per_transfer = Counter()
    for ref, n in paid.items():
        if n:
            paid_per_transfer[ref.rsplit("-", 1)[0]] += n
    twice = [ref for ref, n in paid_per_transfer.items() if n > 1]
    unmatched = [ref for ref in made if ref not in attempts]
    ours_paid = {ref for ref, a in attempts.items() if a.status == "succeeded"}
    not_at_provider = [ref for ref in ours_paid if paid.get(ref, 0) != 1]
    paid_not_ours = [ref for ref, n in paid.items() if n and ref not in ours_paid]
    paid_out = {t.reference for t in transfers if t.status == "paid_out"}
    ledger = check_ledger()

    print(f"\nFault campaign: {len(ours)} transfers over HTTP (gunicorn gthread 2x4), "
          f"two qclusters of 2 workers, {campaign.kills} SIGKILLs")  # fmt: skip
    print("\n| phase | seconds |\n| --- | --- |")
    for name, seconds in timings.items():
        print(f"| {name} | {seconds:.0f} |")
    lat = sorted(campaign.latencies)
    p50, p99 = statistics.median(lat) * 1000, lat[int(len(lat) * 0.99) - 1] * 1000
    print(f"\nquote + create over HTTP under chaos: p50 {p50:.0f} ms, p99 {p99:.0f} ms")
    print("\n| faults injected | count |\n| --- | --- |")
    scenarios = Counter(
        f"{p['provider']} {p['scenario']}" for p in campaign.plans.values() if p["scenario"] != "ok"
    )
    for name, n in sorted({**campaign.counts, **scenarios}.items()):
        print(f"| {name} | {n} |")
    stripe_500 = ProviderCall.objects.filter(provider="stripe", status_code=500).count()
    print(f"| Stripe API calls answered 500 | {stripe_500} |")
    print(f"| qcluster SIGKILLs | {campaign.kills} |")
    print("\n| where each transfer is | count |\n| --- | --- |")
    for why, n in reasons.most_common():
        print(f"| {why} | {n} |")
    checks = [
        ("transfers paid twice", len(twice)),
        ("transfers lost (no reason we can name)", len(lost)),
        ("ledger problems", len(ledger.problems)),
        ("provider payouts not matching one attempt", len(unmatched)),
        ("attempts we count as paid, not paid once at the provider", len(not_at_provider)),
        ("payouts paid at a provider we do not count as paid", len(paid_not_ours)),
        ("paid-out transfers vs transfers paid at providers",
         len(paid_out ^ set(paid_per_transfer))),
    ]  # fmt: skip
    print("\n| check | found |\n| --- | --- |")
    for name, n in checks:
        print(f"| {name} | {n} |")
    print(f"| journal entries checked | {ledger.entries} |")
    print(f"| payouts on the providers' books | {sum(made.values())} |")
    for ref, status in lost[:10]:
        print("lost:", ref, status)
    for problem in ledger.problems[:10]:
        print("ledger:", problem)
    return all(n == 0 for _, n in checks)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--transfers", type=int, default=2000)
    parser.add_argument("--senders", type=int, default=100)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--fault-share", type=float, default=0.35)
    parser.add_argument("--kill-every", type=float, nargs=2, default=(6.0, 15.0))
    parser.add_argument("--examples", type=int, default=50, help="schemathesis, per operation")
    parser.add_argument("--settle-limit", type=float, default=240.0)
    parser.add_argument("--seed", type=int, default=20261126)
    args = parser.parse_args()

    began = time.monotonic()
    recreate_database(DATABASE_URL)
    stack = Stack(DATABASE_URL, env=FAST)
    import django

    django.setup()
    import logging

    logging.disable(logging.WARNING)  # the faults are expected; the report says what happened
    from datetime import timedelta
    from decimal import Decimal

    from django.core.management import call_command
    from django.utils import timezone

    from payments.models import FxRate

    call_command("migrate", verbosity=0)
    call_command("loaddata", "fixtures/initial_data.json", verbosity=0)
    for currency, rate in (("GHS", Decimal("16.4210")), ("GNF", Decimal("9350.25"))):
        FxRate.objects.create(
            base_currency="EUR", quote_currency=currency, rate=rate, source="campaign",
            as_of=timezone.now() - timedelta(minutes=1),
        )  # fmt: skip
    campaign = Campaign(args)
    timings = {}
    try:
        stack.start_simulators(stripe_faults=0.05, slow_seconds=5.0)
        stack.start_web()
        for _ in range(2):
            stack.start_cluster()
        with httpx.Client(base_url=stack.web_url, timeout=30) as http:
            senders = campaign.senders(http)
        threads = [
            threading.Thread(target=campaign.chaos, args=(stack,), daemon=True),
            threading.Thread(target=campaign.nudge, daemon=True),
        ]
        for thread in threads:
            thread.start()
        timings["drive: sign-ups, quotes, transfers, funding"] = campaign.drive(stack, senders)
        started = time.monotonic()
        fuzzed = fuzz(stack, args.examples)
        timings[f"schemathesis, {fuzzed} operations x {args.examples} examples x 2 modes"] = (
            time.monotonic() - started
        )
        campaign.driving = False
        threads[0].join()
        while len(stack.clusters) < 2:
            stack.start_cluster()
        timings["settling"] = campaign.wait_until_settled(args.settle_limit)
        stack.stop_clusters()
        stack.stop_simulators()
        timings["whole campaign, set-up included"] = time.monotonic() - began
        ok = report(campaign, stack.books(), timings)
    finally:
        campaign.driving, campaign.settled = False, True
        stack.stop()
    print("\nPASSED" if ok else "\nFAILED")
    return 0 if ok else 1


def fuzz(stack: Stack, examples: int) -> int:
    """Schemathesis against the same server, signed in as a sender of its own."""
    from tests.api.test_schema_fuzz import fuzz_api

    email = f"fuzz.{uuid.uuid4().hex[:6]}@example.com"
    with httpx.Client(base_url=stack.web_url, timeout=30) as http:
        http.post("/api/v1/auth/register", json={
            "email": email, "password": PASSWORD, "phone": "+33612345678", "country": "FR",
            "first_name": "Fatou", "last_name": "Fuzz",
        })  # fmt: skip
        from payments.models import Customer

        Customer.objects.filter(email=email).update(kyc_tier=1, kyc_status="verified")
        tokens = [
            http.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD}).json()
            for _ in range(2)
        ]
    headers, spare = ({"Authorization": f"Bearer {t['access_token']}"} for t in tokens)
    return fuzz_api(stack.web_url, headers, spare, examples=examples)


if __name__ == "__main__":
    sys.exit(main())
