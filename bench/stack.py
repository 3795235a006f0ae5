"""A whole MoneyBridge on loopback for the benchmarks and the fault campaign: the provider
simulators (`run_sandboxes`, their books kept in files), gunicorn and django-q2 clusters as
real processes on a PostgreSQL database of their own.

Usage: `stack = Stack(database_url, env={...})` before `django.setup()` (it exports the
settings the children and the driver share), then `stack.start_simulators()`,
`stack.start_web()`, `stack.start_cluster()`; `stack.stop()` at the end.
"""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / "var" / "bench"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop_group(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def recreate_database(url: str) -> None:
    """Start from an empty database: every run generates its own data."""
    import psycopg2

    base, name = url.rsplit("/", 1)
    conn = psycopg2.connect(base + "/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


class Stack:
    def __init__(self, database_url: str, *, env: dict[str, str] | None = None):
        names = ("web", "wave", "mtn", "orange", "stripe", "fx")
        self.ports = {name: free_port() for name in names}
        self.web_url = f"http://127.0.0.1:{self.ports['web']}"
        self.state_dir = Path(tempfile.mkdtemp(prefix="moneybridge-sandboxes-"))
        fx = f"http://127.0.0.1:{self.ports['fx']}"
        self.env = {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url,
            "DEBUG": "false",
            "SECRET_KEY": "bench-" + "x" * 60,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "WARNING",
            "WAVE_BASE_URL": f"http://127.0.0.1:{self.ports['wave']}",
            "MTN_BASE_URL": f"http://127.0.0.1:{self.ports['mtn']}",
            "ORANGE_BASE_URL": f"http://127.0.0.1:{self.ports['orange']}",
            "STRIPE_API_BASE": f"http://127.0.0.1:{self.ports['stripe']}",
            "SANDBOX_WAVE_PORT": str(self.ports["wave"]),
            "SANDBOX_MTN_PORT": str(self.ports["mtn"]),
            "SANDBOX_ORANGE_PORT": str(self.ports["orange"]),
            "SANDBOX_STRIPE_PORT": str(self.ports["stripe"]),
            "SANDBOX_FX_PORT": str(self.ports["fx"]),
            "SANDBOX_STATE_DIR": str(self.state_dir),
            "FX_API_BASE_URL": fx,
            "FX_ECB_URL": f"{fx}/stats/eurofxref/eurofxref-daily.xml",
            "SANDBOX_WEBHOOK_BASE": self.web_url,
            "PROVIDER_CALLBACK_BASE": self.web_url,
            "PAYOUT_ADAPTERS": "wave=http,mtn_momo=http,orange_money=http",
            "API_THROTTLE_USER": "1000000/m",
            "API_THROTTLE_AUTH": "1000000/m",
            **(env or {}),
        }
        os.environ.update(self.env)
        # A SIGTERM (timeout, Ctrl-C from a supervisor) still runs the callers' `finally`.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        self.web: subprocess.Popen | None = None
        self.clusters: list[subprocess.Popen] = []
        self.sandbox: subprocess.Popen | None = None
        LOGS.mkdir(parents=True, exist_ok=True)

    # --- simulators (a process of their own) ------------------------------------------------

    def start_simulators(self, *, stripe_faults: float = 0.0, slow_seconds: float = 20.0):
        """`manage.py run_sandboxes` on this stack's ports, its books in a fresh folder."""
        self.sandbox = self._spawn(
            "sandboxes", sys.executable, "manage.py", "run_sandboxes",
            "--stripe-faults", str(stripe_faults), "--slow-seconds", str(slow_seconds),
        )  # fmt: skip
        from providers.sandboxes.server import wait_for_port

        for name in ("wave", "mtn", "orange", "stripe", "fx"):
            if not wait_for_port(self.ports[name], timeout=30):
                raise RuntimeError(f"the simulators did not start: see {LOGS / 'sandboxes.log'}")

    def stop_simulators(self) -> None:
        if self.sandbox is not None:
            _stop_group(self.sandbox)
            self.sandbox = None

    def books(self) -> dict[str, dict]:
        """What each payout simulator has on its books (read once it has stopped)."""
        return {
            name: json.loads((self.state_dir / f"{name}.json").read_text())
            for name in ("wave", "mtn_momo", "orange_money")
            if (self.state_dir / f"{name}.json").exists()
        }

    # --- gunicorn and the clusters (real processes) -----------------------------------------

    def _spawn(self, name: str, *args: str) -> subprocess.Popen:
        log = open(LOGS / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        return subprocess.Popen(  # noqa: S603 - our own commands, fixed arguments
            args, cwd=ROOT, env={**os.environ, **self.env}, stdout=log, stderr=log,
            start_new_session=True,  # its own process group: a kill reaches every child
        )  # fmt: skip

    def start_web(self, *, workers: int = 2, threads: int = 4) -> None:
        """gunicorn gthread 2 x 4: the best setting on two cores (PERF-CALIBRATION.md)."""
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self.web = self._spawn(
            "web", gunicorn, "config.wsgi", "-b", f"127.0.0.1:{self.ports['web']}",
            "-k", "gthread", "-w", str(workers), "--threads", str(threads),
            "--no-control-socket", "--timeout", "60", "--log-level", "warning",
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.web_url}/health/", timeout=2).status_code < 500:
                    return
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not start: see {LOGS / 'web.log'}")

    def start_cluster(self) -> subprocess.Popen:
        proc = self._spawn("qcluster", sys.executable, "manage.py", "qcluster")
        self.clusters.append(proc)
        return proc

    def kill_cluster(self, proc: subprocess.Popen) -> None:
        """SIGKILL the whole cluster (sentinel, pusher, workers, monitor): a machine lost."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        self.clusters.remove(proc)

    def stop_clusters(self) -> None:
        for proc in list(self.clusters):
            _stop_group(proc)
            self.clusters.remove(proc)

    def stop(self) -> None:
        self.stop_clusters()
        if self.web is not None:
            _stop_group(self.web)
            self.web = None
        self.stop_simulators()
