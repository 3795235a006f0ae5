"""Time the money core's write path on PostgreSQL, one client, no web layer.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/moneybridge_bench \\
        .venv/bin/python bench/service_write_path.py --n 2000

Creates the database if needed, migrates, loads the corridors, then for N transfers times
each step (quote, create, fund, checks+conversion, payout submit) and prints p50/p99 and
operations per second. Compare with ../shared/PERF-CALIBRATION.md: one client there got
~830 pgbench TPS and ~300 req/s for a bare django-ninja endpoint doing 9 round trips.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ensure_database  # noqa: E402 - after the path is set

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/moneybridge_bench")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    args = parser.parse_args()
    ensure_database()

    import django

    django.setup()
    import logging

    logging.disable(logging.INFO)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("loaddata", "fixtures/initial_data.json", verbosity=0)

    # Payouts go to Wave's simulator over HTTP, as in the demo (in this process, loopback).
    from django.conf import settings

    from providers.sandboxes import server
    from providers.sandboxes.wave import WaveSimulator

    wave, _ = server.start(WaveSimulator(api_key=settings.WAVE_API_KEY, float_xof=10**12))
    settings.WAVE_BASE_URL = f"http://127.0.0.1:{wave.server_port}"

    from payments import payouts
    from payments.pricing import quote_create
    from payments.transfers import transfer_create, transfer_mark_funded, transfer_run_checks
    from tests import factories as f

    steps = {name: [] for name in ("quote", "create", "fund", "checks", "submit")}
    made = []

    def timed(name, fn):
        start = time.perf_counter()
        result = fn()
        steps[name].append(time.perf_counter() - start)
        return result

    for _ in range(args.n):
        # A sender of their own each time (untimed), as in real traffic: one sender repeating
        # would meet their tier's limits and the velocity rules.
        sender = f.customer(email=f"bench-{time.time_ns()}@example.com")
        recipient = f.recipient(sender)
        q = timed(
            "quote",
            lambda s=sender: quote_create(
                customer=s, corridor_code="fr-sn", send_amount_minor=10_000
            ),
        )
        t = timed(
            "create",
            lambda q=q, s=sender, r=recipient: transfer_create(
                customer=s, quote_id=q.pk, recipient_id=r.pk
            ),
        )
        timed("fund", lambda t=t: transfer_mark_funded(transfer_id=t.pk))
        timed("checks", lambda t=t: transfer_run_checks(transfer_id=t.pk))
        timed("submit", lambda t=t: payouts.payout_submit(t.pk))
        made.append(t.pk)

    from payments.models import Transfer

    paid = Transfer.objects.filter(pk__in=made, status="paid_out").count()
    print(f"\n{args.n} transfers, one client, PostgreSQL; paid out by Wave's simulator: {paid}\n")
    print("| step | p50 ms | p99 ms | per second |")
    print("| --- | --- | --- | --- |")
    for name, values in steps.items():
        values.sort()
        p50 = statistics.median(values) * 1000
        p99 = values[int(len(values) * 0.99) - 1] * 1000
        print(f"| {name} | {p50:.2f} | {p99:.2f} | {len(values) / sum(values):.0f} |")
    total = sum(sum(v) for v in steps.values())
    print(f"\nwhole path: {args.n / total:.0f} transfers/s")


if __name__ == "__main__":
    main()
