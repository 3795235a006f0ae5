from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from payments.funding import funding_instructions
from payments.models import Transfer
from providers import stripe_sepa


class Command(BaseCommand):
    help = "Sandbox only: make the Stripe simulator pay a transfer as the sender's bank would."

    def add_arguments(self, parser):
        parser.add_argument("reference")
        parser.add_argument("--amount", type=int, help="minor units (default: what is owed)")
        parser.add_argument(
            "--webhooks",
            choices=["normal", "duplicate", "out-of-order", "never"],
            default="normal",
            help="how the simulator delivers the webhook",
        )

    def handle(self, *args, reference, amount, webhooks, **options):
        if not settings.STRIPE_API_BASE:
            raise CommandError("refused: Stripe is live (STRIPE_API_BASE is empty)")
        transfer = Transfer.objects.filter(reference=reference).first()
        if transfer is None:
            raise CommandError(f"no transfer {reference}")
        shown = funding_instructions(transfer_id=transfer.pk).funding_instructions
        stripe_sepa.sandbox_fund(
            customer=shown["customer"],
            amount_minor=amount or shown["amount_minor"],
            currency=shown["currency"],
            reference=shown["reference"],
            webhooks=webhooks,
        )
        self.stdout.write(f"Sent {shown['reference']} to Stripe's simulator; its webhook follows.")
