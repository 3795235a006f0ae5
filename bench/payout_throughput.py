"""Payout throughput of one and two job clusters, and the time from a funding webhook to the
payout request reaching the provider.

    .venv/bin/python bench/payout_throughput.py [--transfers 600] [--rate 5]

Transfers are created through the services with their Stripe funding instructions (the
simulators and gunicorn run as in production, `bench/stack.py`), spread over Wave, MTN MoMo
and Orange Money numbers that pay at once.

Throughput: with no cluster running, Stripe's simulator pays every transfer and its signed
webhooks reach gunicorn, which stores them and queues their jobs; then one (or two) clusters
start and work the backlog: webhook processing, funding, checks (screening and monitoring),
conversion, payout submission to the provider. Payouts per second = transfers / (last payout
request - first job start).

Latency: with two clusters running, transfers are paid at a steady rate; for each, the time
from its webhook's arrival to its payout request's answer from the provider (p50, p99).
"""

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from stack import Stack, recreate_database  # noqa: E402 - after the path is set

DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/moneybridge_payout_bench"
)
ROUTES = [("fr-sn", "wave", "SN"), ("fr-ci", "mtn_momo", "CI"), ("fr-sn", "orange_money", "SN")]
ENV = {
    "Q_WORKERS": "2",
    "Q_SAVE_LIMIT": "0",  # keep every task's start time
    "MONITORING_HOLD_SCORE": "1000000",  # a benchmark sender repeats; hold nobody
}


def make_transfers(count: int, batch: int) -> list[int]:
    """Created transfers with their funding instructions, a sender per ten transfers."""
    from payments.funding import funding_instructions
    from payments.pricing import quote_create
    from payments.transfers import transfer_create
    from tests import factories as f

    made = []
    for i in range(count):
        if i % 10 == 0:
            sender = f.customer(email=f"payout{batch}.{i}@example.com")
        corridor, provider, country = ROUTES[i % len(ROUTES)]
        phone = f.WALLETS[country].format(i % 8000 // 80 * 100 + 20 + i % 80)  # pays at once
        to = f.recipient(sender, country=country, provider=provider, phone=phone)
        quote = quote_create(
            customer=sender, corridor_code=corridor, payout_provider=provider,
            send_amount_minor=5_000 + (i % 50) * 100,
        )  # fmt: skip
        transfer = transfer_create(customer=sender, quote_id=quote.pk, recipient_id=to.pk)
        funding_instructions(transfer_id=transfer.pk)
        made.append(transfer.pk)
    return made


def pay(transfer_id: int) -> None:
    """Stripe's simulator pays the transfer; its signed webhook goes to gunicorn."""
    from payments.funding import funding_sandbox_pay

    funding_sandbox_pay(transfer_id=transfer_id)


def requested(transfer_ids: list[int]) -> dict[str, float]:
    """When each transfer's payout request was answered by its provider (epoch seconds)."""
    from django.db.models import Min

    from payments.models import PayoutAttempt
    from providers.models import ProviderCall

    attempts = dict(
        PayoutAttempt.objects.filter(transfer_id__in=transfer_ids).values_list(
            "reference", "transfer__reference"
        )
    )
    rows = (
        ProviderCall.objects.filter(operation="send_payout", correlation__in=list(attempts))
        .values("correlation")
        .annotate(at=Min("created_at"))
    )
    return {attempts[r["correlation"]]: r["at"].timestamp() for r in rows}


def wait_for(what, target: int, limit: float) -> None:
    deadline = time.monotonic() + limit
    while what() < target:
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out: {what()} of {target}")
        time.sleep(0.5)


def throughput(stack: Stack, transfers: int, clusters: int) -> dict:
    from django.db.models import Min
    from django_q.models import Task

    from providers.models import WebhookEvent

    ids = make_transfers(transfers, batch=clusters)
    before = WebhookEvent.objects.count()
    for transfer_id in ids:
        pay(transfer_id)
    wait_for(lambda: WebhookEvent.objects.count() - before, transfers, 120)
    since = time.time()
    for _ in range(clusters):
        stack.start_cluster()
    wait_for(lambda: len(requested(ids)), transfers, 900)
    first_job = Task.objects.filter(started__gte=_aware(since)).aggregate(t=Min("started"))["t"]
    last = max(requested(ids).values())
    stack.stop_clusters()
    seconds = last - first_job.timestamp()
    return {"clusters": clusters, "transfers": transfers, "seconds": seconds,
            "rate": transfers / seconds}  # fmt: skip


def _aware(epoch: float):
    from datetime import UTC, datetime

    return datetime.fromtimestamp(epoch, UTC)


def latency(stack: Stack, transfers: int, rate: float) -> dict:
    from django.db.models import Min

    from payments.models import Transfer
    from providers.models import WebhookEvent

    ids = make_transfers(transfers, batch=int(time.time()))
    for _ in range(2):
        stack.start_cluster()
    time.sleep(5)  # the clusters are up and polling
    started = time.monotonic()
    for n, transfer_id in enumerate(ids):
        time.sleep(max(0.0, started + n / rate - time.monotonic()))
        threading.Thread(target=pay, args=(transfer_id,)).start()
    wait_for(lambda: len(requested(ids)), transfers, 600)
    stack.stop_clusters()
    references = dict(Transfer.objects.filter(pk__in=ids).values_list("pk", "reference"))
    arrived = {
        row["correlation"]: row["at"].timestamp()
        for row in WebhookEvent.objects.filter(
            provider="stripe", correlation__in=references.values()
        )
        .values("correlation")
        .annotate(at=Min("received_at"))
    }
    done = requested(ids)
    delays = sorted(done[ref] - arrived[ref] for ref in references.values())
    return {
        "transfers": transfers, "rate": rate,
        "p50": statistics.median(delays), "p99": delays[int(len(delays) * 0.99) - 1],
        "max": delays[-1],
    }  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--transfers", type=int, default=600)
    parser.add_argument("--rate", type=float, default=5.0, help="webhooks per second")
    parser.add_argument("--latency-transfers", type=int, default=300)
    args = parser.parse_args()

    recreate_database(DATABASE_URL)
    stack = Stack(DATABASE_URL, env=ENV)
    import django

    django.setup()
    import logging

    logging.disable(logging.WARNING)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("loaddata", "fixtures/initial_data.json", verbosity=0)
    results = []
    try:
        stack.start_simulators()
        stack.start_web()
        for clusters in (1, 2):
            results.append(throughput(stack, args.transfers, clusters))
            print(f"  {clusters} cluster(s): done")
        steady = []
        for poll in ("1.0", "0.2"):  # the default, and a cluster polling its queue faster
            stack.env["Q_POLL"] = poll
            steady.append((poll, latency(stack, args.latency_transfers, args.rate)))
    finally:
        stack.stop()
    print("\nPayout throughput, clusters of 2 workers (Q_WORKERS), ORM broker on PostgreSQL\n")
    print("| clusters | transfers | seconds | payouts per second |\n| --- | --- | --- | --- |")
    for r in results:
        print(f"| {r['clusters']} | {r['transfers']} | {r['seconds']:.1f} | {r['rate']:.1f} |")
    print(f"\nFunding webhook -> payout request at the provider, two clusters, "
          f"{args.rate:g} webhooks/s, {args.latency_transfers} transfers\n")  # fmt: skip
    print("| Q_POLL (s) | p50 s | p99 s | max s |\n| --- | --- | --- | --- |")
    for poll, r in steady:
        print(f"| {poll} | {r['p50']:.2f} | {r['p99']:.2f} | {r['max']:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
