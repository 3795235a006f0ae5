"""Run the provider simulators on loopback until Ctrl-C (or SIGTERM)."""

import signal
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from providers import http
from providers.sandboxes import fx, server
from providers.sandboxes.mtn_momo import MtnMomoSimulator
from providers.sandboxes.orange_money import OrangeMoneySimulator
from providers.sandboxes.stripe import StripeSimulator
from providers.sandboxes.wave import WaveSimulator


def _stop(signum, frame):
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Serve the provider simulators on 127.0.0.1 (never in production)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--stripe-faults", type=float, default=0.0,
            help="share of Stripe API calls answered 500 (fault campaigns)",
        )  # fmt: skip
        parser.add_argument(
            "--slow-seconds", type=float, default=None,
            help="how long the payout simulators' slow-answer numbers take",
        )  # fmt: skip

    def handle(self, *args, **options):
        signal.signal(signal.SIGTERM, _stop)
        state = Path(settings.SANDBOX_STATE_DIR)
        wave = WaveSimulator(api_key=settings.WAVE_API_KEY, state_file=str(state / "wave.json"))
        stripe = StripeSimulator(
            api_key=settings.STRIPE_SECRET_KEY,
            webhook_secret=settings.STRIPE_WEBHOOK_SECRET,
            webhook_url=f"{settings.SANDBOX_WEBHOOK_BASE}/webhooks/stripe/",
            debit_seconds=settings.SANDBOX_STRIPE_DEBIT_SECONDS,
            api_faults=options["stripe_faults"],
        )
        mtn = MtnMomoSimulator(
            api_user=settings.MTN_API_USER,
            api_key=settings.MTN_API_KEY,
            subscription_key=settings.MTN_SUBSCRIPTION_KEY,
            state_file=str(state / "mtn_momo.json"),
            settle_seconds=settings.SANDBOX_SETTLE_SECONDS,
        )
        orange = OrangeMoneySimulator(
            client_id=settings.ORANGE_CLIENT_ID,
            client_secret=settings.ORANGE_CLIENT_SECRET,
            pin=settings.ORANGE_RETAILER_PIN,
            state_file=str(state / "orange_money.json"),
            notify_url=http.callback_url("orange-money"),
            settle_seconds=settings.SANDBOX_SETTLE_SECONDS,
        )
        sandboxes = [
            ("FX sources (ECB, ExchangeRate-API)", fx.app, settings.SANDBOX_FX_PORT),
            ("Wave Business API", wave, settings.SANDBOX_WAVE_PORT),
            ("Stripe API (SEPA transfers and debits)", stripe, settings.SANDBOX_STRIPE_PORT),
            ("MTN MoMo Disbursement", mtn, settings.SANDBOX_MTN_PORT),
            ("Orange Money (Sonatel eWallet)", orange, settings.SANDBOX_ORANGE_PORT),
        ]
        if options["slow_seconds"] is not None:
            for slow in (wave, mtn, orange):
                slow.slow_seconds = options["slow_seconds"]
        for name, app, port in sandboxes:
            server.start(app, port)
            self.stdout.write(f"  {name}: http://127.0.0.1:{port}")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            self.stdout.write("Sandboxes stopped.")
