"""bench/fault_campaign.py at a small size, so the campaign itself cannot rot: real gunicorn,
two qclusters killed with SIGKILL at random, misbehaving simulators, schemathesis. It must
find no transfer paid twice, none lost, a balanced ledger and the providers' books matching
our attempts. The full run (2,000 transfers) and its figures are in BENCHMARKS.md."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_small_fault_campaign_finds_nothing_wrong():
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/x").rsplit("/", 1)
    run = subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [sys.executable, "bench/fault_campaign.py", "--transfers", "120", "--senders", "12",
         "--examples", "3", "--kill-every", "3", "6", "--settle-limit", "200"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**os.environ, "CAMPAIGN_DATABASE_URL": f"{base[0]}/moneybridge_campaign_test"},
    )  # fmt: skip
    report = run.stdout + run.stderr[-3000:]
    assert run.returncode == 0, report
    for check in (
        "transfers paid twice",
        "transfers lost (no reason we can name)",
        "ledger problems",
        "provider payouts not matching one attempt",
    ):
        assert f"| {check} | 0 |" in run.stdout, report
    kills = int(re.search(r"\| qcluster SIGKILLs \| (\d+) \|", run.stdout).group(1))
    paid = int(re.search(r"\| final: paid_out \| (\d+) \|", run.stdout).group(1))
    assert kills >= 2 and paid >= 60, report
