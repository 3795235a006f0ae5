"""`make demo`: set up the embedded database, then run the web server and a job cluster."""

import contextlib
import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from backoffice.demo_staff import create_demo_staff
from payments.models import Corridor, Transfer


def _stop(signum, frame):
    raise KeyboardInterrupt


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)


class Command(BaseCommand):
    help = "Prepare the demo database and run the web server and a django-q2 cluster until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("DEMO_PORT", 8000)))
        parser.add_argument("--transfers", type=int, default=2000)
        parser.add_argument("--setup-only", action="store_true", help="prepare, then exit")

    def handle(self, *args, **options):
        self.stdout.write(f"Database: {settings.DATABASES['default']['NAME']}")
        call_command("migrate", verbosity=0)
        if not Corridor.objects.exists():
            call_command("loaddata", "fixtures/initial_data.json", verbosity=0)
        logins = create_demo_staff()
        if not Transfer.objects.exists():
            self.stdout.write(
                f"Seeding demo data ({options['transfers']} transfers, "
                "a minute or two, first start only)…"
            )
            call_command("seed_demo", transfers=options["transfers"])
        call_command("install_schedules", verbosity=0)
        call_command("check_ledger")
        if options["setup_only"]:
            return
        self.run_processes(options["port"], logins)

    def run_processes(self, port: int, logins) -> None:
        signal.signal(signal.SIGTERM, _stop)
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        # Each child leads its own process group, so stopping reaches the cluster's workers too.
        procs = [
            subprocess.Popen(  # noqa: S603 - our own manage.py, fixed arguments
                [*manage, "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure"],
                start_new_session=True,
            ),
            subprocess.Popen([*manage, "qcluster"], start_new_session=True),  # noqa: S603
            subprocess.Popen([*manage, "run_sandboxes"], start_new_session=True),  # noqa: S603
        ]
        base = f"http://127.0.0.1:{port}"
        self.stdout.write(self.style.SUCCESS("\nMoneyBridge demo is running:"))
        self.stdout.write(f"  console   {base}/admin/")
        self.stdout.write(f"  API docs  {base}/api/v1/docs")
        self.stdout.write(f"  FX sandbox http://127.0.0.1:{settings.SANDBOX_FX_PORT}")
        self.stdout.write("  logins    " + ", ".join(f"{u} / {p}" for u, p in logins))
        self.stdout.write("Press Ctrl-C to stop.\n")
        try:
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
            self.stdout.write("Demo stopped.")
