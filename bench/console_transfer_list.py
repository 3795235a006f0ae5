"""Server time of the console's transfer list and search on a million transfers, PostgreSQL.

    .venv/bin/python bench/console_transfer_list.py --n 1000000

Creates its own database (moneybridge_console_bench) and, the first time, a million transfers
with their quotes in a few set-based INSERTs (a year of history, realistic statuses), then
times each screen in-process through the admin view (median of 5 after one warm-up): the
server's work without the network or the browser. The goal is under half a second each.
"""

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ensure_database  # noqa: E402 - after the path is set

os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/moneybridge_console_bench"
)
os.environ["STAFF_OTP_REQUIRED"] = "false"  # the bench times the page, not the sign-in

ROW_LINK = re.compile(rb'href="/admin/payments/transfer/(\d+)/change/')
GENERATE = """
INSERT INTO payments_quote (id, customer_id, corridor_id, payout_provider, mode, send_currency,
    send_amount_minor, fee_minor, total_minor, receive_currency, receive_amount_minor, mid_rate,
    rate, fx_margin_minor, rounding_minor, rate_source, rate_as_of, created_at, expires_at)
SELECT md5(i::text || 'quote')::uuid, %(first_customer)s + (i %% %(customers)s), %(corridor)s,
    'wave', 'send', 'EUR', amount, 199, amount + 199, 'XOF', amount * 6.5, 655.957, 652.677,
    1, 0, 'bench', at, at, at + interval '15 minutes'
FROM (SELECT i, 1000 + (i::bigint * 7919) %% 150000 AS amount,
             now() - (i %% 525600) * interval '1 minute' AS at
      FROM generate_series(%(start)s, %(stop)s) AS i) AS g;

INSERT INTO payments_transfer (reference, customer_id, recipient_id, quote_id, corridor_id,
    payout_provider, payout_msisdn, send_currency, send_amount_minor, fee_minor, total_minor,
    receive_currency, receive_amount_minor, rate, purpose, status, hold_reason,
    funding_instructions, funding_method, funding_deadline, funded_at, funds_final_at,
    paid_out_at, created_at, updated_at)
SELECT 'MB-' || lpad(upper(to_hex(i / 65536)), 4, '0') || '-'
        || lpad(upper(to_hex(i %% 65536)), 4, '0'),
    %(first_customer)s + (i %% %(customers)s), %(first_recipient)s + (i %% %(customers)s),
    md5(i::text || 'quote')::uuid, %(corridor)s,
    CASE WHEN i %% 3 = 0 THEN 'orange_money' ELSE 'wave' END,
    '+2217712' || lpad((i %% %(customers)s)::text, 5, '0'), 'EUR', amount, 199, amount + 199,
    'XOF', amount * 6.5, 652.677, 'family_support',
    CASE WHEN i %% 1000 = 1 THEN 'on_hold' WHEN i %% 1000 = 2 THEN 'payout_failed'
         WHEN i %% 1000 = 3 THEN 'created' ELSE 'paid_out' END,
    CASE WHEN i %% 1000 = 1 THEN 'monitoring score 65 (velocity-count): to review' ELSE '' END,
    '{}', 'bank_transfer', at + interval '3 days', at, at, at + interval '2 minutes', at, at
FROM (SELECT i, 1000 + (i::bigint * 7919) %% 150000 AS amount,
             now() - (i %% 525600) * interval '1 minute' AS at
      FROM generate_series(%(start)s, %(stop)s) AS i) AS g;
"""


def generate(n: int) -> None:
    from django.db import connection

    from payments.models import Corridor, Customer, Recipient, Transfer

    have = Transfer.objects.count()
    if have >= n:
        return
    customers = 1000
    if Customer.objects.count() < customers:
        Customer.objects.bulk_create(
            Customer(email=f"bench{i}@example.com", first_name="Awa", last_name=f"Sow{i}",
                     country="FR", phone="+33612345678", kyc_tier=1, kyc_status="verified")
            for i in range(customers)
        )  # fmt: skip
        owners = list(Customer.objects.order_by("pk")[:customers])
        Recipient.objects.bulk_create(
            Recipient(customer=c, first_name="Moussa", last_name="Ndiaye", country="SN",
                      phone=f"+2217712{i:05d}", provider="wave")
            for i, c in enumerate(owners)
        )  # fmt: skip
    params = {
        "first_customer": Customer.objects.order_by("pk").first().pk,
        "first_recipient": Recipient.objects.order_by("pk").first().pk,
        "customers": customers,
        "corridor": Corridor.objects.get(code="fr-sn").pk,
    }
    started = time.perf_counter()
    step = 200_000
    with connection.cursor() as cur:
        for start in range(have + 1, n + 1, step):
            cur.execute(GENERATE, {**params, "start": start, "stop": min(start + step - 1, n)})
            print(f"  {min(start + step - 1, n):>9,} transfers", flush=True)
        cur.execute("ANALYZE payments_transfer; ANALYZE payments_quote;")
    print(f"generated in {time.perf_counter() - started:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    args = parser.parse_args()
    ensure_database()

    import django

    django.setup()
    import logging

    logging.disable(logging.WARNING)
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from payments.models import Transfer

    call_command("migrate", verbosity=0)
    if not Transfer.objects.exists():
        call_command("loaddata", "fixtures/initial_data.json", verbosity=0)
    generate(args.n)

    user, _ = get_user_model().objects.get_or_create(
        username="bench", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    middle = min(5000, Transfer.objects.count() - 1)
    sample = Transfer.objects.order_by("-created_at").values_list(
        "pk", "reference", "payout_msisdn"
    )[middle]
    pk, reference, wallet = sample
    email = Transfer.objects.filter(pk=pk).values_list("customer__email", flat=True).get()
    base = "/admin/payments/transfer/"
    screens = [
        ("first page, newest first", base),
        ("page 200", f"{base}?p=200"),
        ("status = on hold", f"{base}?status__exact=on_hold"),
        ("status = failed, page 5", f"{base}?status__exact=payout_failed&p=5"),
        ("provider + 7-day range", f"{base}?provider=orange_money"
                                    f"&created_at_from={_days_ago(7)}"),
        ("amount 500-600 EUR", f"{base}?send_amount_minor_from=500&send_amount_minor_to=600"),
        ("held because: monitoring", f"{base}?held=monitoring"),
        ("stuck", f"{base}?stuck=yes"),
        ("search by reference", f"{base}?q={reference}"),
        ("search by e-mail", f"{base}?q={email}"),
        ("search by wallet number", f"{base}?q={wallet}"),
        ("transfer page", f"{base}{pk}/change/"),
    ]  # fmt: skip
    count = Transfer.objects.count()
    print(f"\n{count:,} transfers, PostgreSQL, server time per screen (median of 5)\n")
    print("| screen | ms | rows shown |")
    print("| --- | --- | --- |")
    for label, url in screens:
        answer = client.get(url)  # warm-up
        assert answer.status_code == 200, (url, answer.status_code)
        times = []
        for _ in range(5):
            started = time.perf_counter()
            answer = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        shown = len(set(ROW_LINK.findall(answer.content))) or "-"
        print(f"| {label} | {statistics.median(times):.0f} | {shown} |")


def _days_ago(days: int) -> str:
    from datetime import timedelta

    from django.utils import timezone

    return (timezone.localdate() - timedelta(days=days)).isoformat()


if __name__ == "__main__":
    main()
