from django.core.management.base import BaseCommand, CommandError

from payments.errors import DomainError
from payments.funding import funding_sandbox_pay
from payments.models import Transfer


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
        transfer = Transfer.objects.filter(reference=reference).first()
        if transfer is None:
            raise CommandError(f"no transfer {reference}")
        try:
            transfer = funding_sandbox_pay(
                transfer_id=transfer.pk, amount_minor=amount, webhooks=webhooks
            )
        except DomainError as exc:
            raise CommandError(f"refused: {exc}") from None
        reference = transfer.funding_instructions["reference"]
        self.stdout.write(f"Sent {reference} to Stripe's simulator; its webhook follows.")
