"""Reconciling a million-line statement and exporting a million transfers: time and peak memory.

    .venv/bin/python bench/finance_at_scale.py

Uses the million transfers of bench/console_transfer_list.py (same database, generated if
missing), gives each paid transfer a Wave payout attempt, writes a Wave transactions file with
one line per attempt (0.5 % of them mis-amounted) plus 0.3 % lines that are not ours and 0.2 %
repeated, then runs each step in a fresh process so that its peak resident memory is its own:
statement import and reconciliation, CSV export, XLSX export.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/moneybridge_console_bench"
)
WORK = ROOT / "var" / "bench"
STATEMENT = WORK / "wave-1m.csv"

ATTEMPTS = """
INSERT INTO payments_payoutattempt (transfer_id, number, reference, provider, msisdn, status,
    provider_ref, error_code, error_message, checks, late_report, created_at, updated_at,
    finished_at)
SELECT t.id, 1, t.reference || '-1', 'wave', t.payout_msisdn, 'succeeded', 'pt-' || t.id, '',
    '', 1, '', t.funded_at, t.paid_out_at, t.paid_out_at
FROM payments_transfer t
WHERE t.status = 'paid_out'
  AND NOT EXISTS (SELECT 1 FROM payments_payoutattempt a WHERE a.transfer_id = t.id);
ANALYZE payments_payoutattempt;
"""


def prepare() -> int:
    import django

    django.setup()
    from common import ensure_database
    from console_transfer_list import generate
    from django.db import connection

    from payments.models import PayoutAttempt

    ensure_database()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from payments.models import Corridor

    if not Corridor.objects.exists():
        call_command("loaddata", "fixtures/initial_data.json", verbosity=0)
    generate(1_000_000)
    with connection.cursor() as cur:
        cur.execute(ATTEMPTS)
    WORK.mkdir(parents=True, exist_ok=True)
    rows = (
        PayoutAttempt.objects.filter(provider="wave")
        .order_by("finished_at")
        .values_list("reference", "provider_ref", "finished_at", "transfer__receive_amount_minor")
    )
    lines = 0
    with STATEMENT.open("w") as out:
        out.write(
            "timestamp,transaction_id,transaction_type,amount,fee,currency,client_reference\n"
        )
        for n, (ref, theirs, at, amount) in enumerate(rows.iterator(5000)):
            if n % 200 == 7:
                amount += 100  # mis-amounted
            line = f"{at.isoformat()},{theirs},merchant_payout,-{amount},0,XOF,{ref}\n"
            out.write(line)
            lines += 1
            if n % 333 == 5:  # not ours
                out.write(f"{at.isoformat()},x{n},merchant_payout,-500,0,XOF,NOT-OURS-{n}\n")
                lines += 1
            if n % 500 == 3:
                out.write(line)  # repeated
                lines += 1
    return lines


def step(name: str) -> dict:
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    started = time.perf_counter()
    if name == "reconcile":
        from reconciliation.models import ReconItem, Statement
        from reconciliation.services import statement_import

        ReconItem.objects.filter(statement__source="wave").delete()
        Statement.objects.filter(source="wave").delete()
        with STATEMENT.open("rb") as stream:
            statement = statement_import(source="wave", stream=stream, file_name=STATEMENT.name)
        from reconciliation.matching import summary

        detail = {k: v for k, v in summary(statement).items() if v}
    else:
        from datetime import date

        from exports.models import Export
        from exports.services import export_build, export_path

        user, _ = get_user_model().objects.get_or_create(username="bench")
        export = Export.objects.create(report="transfers", file_format=name, requested_by=user,
                                       start=date(2000, 1, 1), end=date(2100, 1, 1))  # fmt: skip
        export = export_build(export.pk)
        detail = {"rows": export.rows, "MB": round(export_path(export).stat().st_size / 1e6)}
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux
    return {"seconds": round(seconds, 1), "peak_mb": round(peak), "detail": detail}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--step", choices=["reconcile", "csv", "xlsx"])
    args = parser.parse_args()
    if args.step:
        print(json.dumps(step(args.step)))
        return
    lines = prepare()
    print(f"statement: {lines:,} lines, {STATEMENT.stat().st_size / 1e6:.0f} MB\n")
    print("| step | seconds | peak memory (MB) | result |")
    print("| --- | --- | --- | --- |")
    labels = {"reconcile": f"reconcile a {lines:,}-line statement",
              "csv": "export 1,000,000 transfers to CSV",
              "xlsx": "export 1,000,000 transfers to XLSX"}  # fmt: skip
    for name, label in labels.items():
        done = subprocess.run([sys.executable, __file__, "--step", name], capture_output=True,
                              text=True, check=True, env=os.environ)  # fmt: skip
        result = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"| {label} | {result['seconds']} | {result['peak_mb']} | {result['detail']} |",
              flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
