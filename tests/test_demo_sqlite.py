"""`make demo` runs on an embedded SQLite file: migrate, seed through the provider simulators,
and one transfer paid out end to end by a real django-q2 cluster and the Orange Money
simulator, sharing the file with this process."""

import os
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PAY_ONE_TRANSFER = textwrap.dedent(
    """
    import time
    from django_q.tasks import async_task
    from payments.models import Transfer
    from payments.transfers import transfer_mark_funded
    from tests import factories as f

    t = f.transfer(corridor="fr-ci", provider="orange_money", send=20_000)
    transfer_mark_funded(transfer_id=t.pk)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        t.refresh_from_db()
        if t.status == "paid_out":
            break
        if t.status == "payout_submitted":
            async_task("payments.tasks.payout_check", t.attempts.get().pk)
        time.sleep(1)
    print("FINAL", t.reference, t.status)
    """
)


def manage(env, *args, timeout=300):
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def sqlite_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DB_NAME")}
    env["SQLITE_PATH"] = str(tmp_path / "demo.sqlite3")
    env["SANDBOX_STATE_DIR"] = str(tmp_path / "sandboxes")
    env["Q_POLL"] = "0.2"
    env["PAYOUT_POLL_BASE_SECONDS"] = "1"
    # The simulators on free ports, so this never meets a running demo.
    ports = {name: free_port() for name in ("WAVE", "MTN", "ORANGE", "STRIPE", "FX")}
    for name, port in ports.items():
        env[f"SANDBOX_{name}_PORT"] = str(port)
    env["WAVE_BASE_URL"] = f"http://127.0.0.1:{ports['WAVE']}"
    env["MTN_BASE_URL"] = f"http://127.0.0.1:{ports['MTN']}"
    env["ORANGE_BASE_URL"] = f"http://127.0.0.1:{ports['ORANGE']}"
    env["STRIPE_API_BASE"] = f"http://127.0.0.1:{ports['STRIPE']}"
    env["FX_API_BASE_URL"] = f"http://127.0.0.1:{ports['FX']}"
    env["FX_ECB_URL"] = f"http://127.0.0.1:{ports['FX']}/stats/eurofxref/eurofxref-daily.xml"
    return env


def test_demo_database_seeds_and_pays_a_transfer_through_a_real_cluster(sqlite_env):
    out = manage(sqlite_env, "demo", "--setup-only", "--transfers", "60")
    assert "Seeded" in out and "Ledger OK" in out and "60 transfers checked" in out

    workers = [
        subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", command],
            cwd=ROOT,
            env=sqlite_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for command in ("run_sandboxes", "qcluster")
    ]
    try:
        out = manage(sqlite_env, "shell", "-c", PAY_ONE_TRANSFER, timeout=150)
    finally:
        for proc in workers:
            os.killpg(proc.pid, signal.SIGINT)
        for proc in workers:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
    assert "paid_out" in out.split("FINAL", 1)[1], out
    assert "Ledger OK" in manage(sqlite_env, "check_ledger")
