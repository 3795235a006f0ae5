"""Run the provider simulators on loopback until Ctrl-C."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand

from providers.sandboxes import fx, server


class Command(BaseCommand):
    help = "Serve the provider simulators on 127.0.0.1 (never in production)."

    def handle(self, *args, **options):
        sandboxes = [("FX sources (ECB, ExchangeRate-API)", fx.app, settings.SANDBOX_FX_PORT)]
        for name, app, port in sandboxes:
            server.start(app, port)
            self.stdout.write(f"  {name}: http://127.0.0.1:{port}")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            self.stdout.write("Sandboxes stopped.")
