"""`make demo`: set up the embedded database, then run the web server and a job cluster."""

import contextlib
import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from backoffice.demo_staff import create_demo_staff
from payments.models import Corridor, Transfer
from providers.sandboxes.server import wait_for_port


def _stop(signum, frame):
    raise KeyboardInterrupt


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)


SAMPLE_LISTS = [
    ("un", "un/UN_consolidated_subset.xml"),
    ("fr_gels", "fr-gels/Registrenationaldesgels_subset.json"),
    ("ofac", "ofac-sdn-fixture/sdn.csv"),
]


class Command(BaseCommand):
    help = "Prepare the demo database and run the web server and a django-q2 cluster until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("DEMO_PORT", 8000)))
        parser.add_argument("--transfers", type=int, default=2000)
        parser.add_argument("--setup-only", action="store_true", help="prepare, then exit")

    def handle(self, *args, **options):
        signal.signal(signal.SIGTERM, _stop)
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        # The simulators come first: seeding pays out through them. Each child leads its own
        # process group, so stopping reaches the cluster's workers too.
        webhooks = {"SANDBOX_WEBHOOK_BASE": f"http://127.0.0.1:{options['port']}"}
        procs = [_spawn(manage, "run_sandboxes", env=webhooks)]
        try:
            if not wait_for_port(settings.SANDBOX_WAVE_PORT):
                raise CommandError(
                    f"the provider sandboxes did not start on port {settings.SANDBOX_WAVE_PORT}"
                )
            logins = self.prepare(options["transfers"])
            if options["setup_only"]:
                return
            procs += [
                _spawn(
                    manage, "runserver", f"127.0.0.1:{options['port']}", "--noreload", "--insecure"
                ),
                _spawn(manage, "qcluster"),
            ]
            self.announce(options["port"], logins)
            while all(p.poll() is None for p in procs):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for p in procs:
                _signal_group(p, signal.SIGINT)
            for p in procs:
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    _signal_group(p, signal.SIGKILL)
            if not options["setup_only"]:
                self.stdout.write("Demo stopped.")

    def prepare(self, transfers: int):
        self.stdout.write(f"Database: {settings.DATABASES['default']['NAME']}")
        call_command("migrate", verbosity=0)
        if not Corridor.objects.exists():
            call_command("loaddata", "fixtures/initial_data.json", verbosity=0)
        logins = create_demo_staff()
        if not Transfer.objects.exists():
            self.stdout.write(
                f"Seeding demo data ({transfers} transfers, a minute or two, first start only)…"
            )
            call_command("seed_demo", transfers=transfers)
        # Sample sanctions lists (stale, tests and demo only), after the seeding: the cluster
        # then screens everyone against them, and the console has hits to review.
        samples = settings.BASE_DIR / "fixtures" / "sanctions"
        for source, path in SAMPLE_LISTS:
            call_command("import_sanctions", source, str(samples / path), verbosity=0)
        call_command("install_schedules", verbosity=0)
        call_command("check_ledger")
        return logins

    def announce(self, port: int, logins) -> None:
        base = f"http://127.0.0.1:{port}"
        self.stdout.write(self.style.SUCCESS("\nMoneyBridge demo is running:"))
        self.stdout.write(f"  console    {base}/admin/")
        self.stdout.write(f"  API docs   {base}/api/v1/docs")
        self.stdout.write(
            f"  sandboxes  Wave :{settings.SANDBOX_WAVE_PORT}, "
            f"Stripe :{settings.SANDBOX_STRIPE_PORT}, FX :{settings.SANDBOX_FX_PORT}"
        )
        self.stdout.write("  fund one   python manage.py sandbox_fund MB-XXXX-XXXX")
        self.stdout.write("  logins     " + ", ".join(f"{u} / {p}" for u, p in logins))
        self.stdout.write("Press Ctrl-C to stop.\n")


def _spawn(manage: list[str], *args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own manage.py, fixed arguments
        [*manage, *args], start_new_session=True, env={**os.environ, **(env or {})}
    )
