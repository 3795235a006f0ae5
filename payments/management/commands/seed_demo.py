import time

from django.core.management.base import BaseCommand

from payments.demo_data import seed
from payments.models import Transfer


class Command(BaseCommand):
    help = "Create demo customers and transfers in every status, with a balanced ledger."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=300)
        parser.add_argument("--transfers", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--force", action="store_true", help="seed even if transfers exist")

    def handle(self, *args, **options):
        if Transfer.objects.exists() and not options["force"]:
            self.stdout.write("Demo data already present; use --force to add more.")
            return
        started = time.monotonic()
        result = seed(
            customers=options["customers"],
            transfers_count=options["transfers"],
            seed=options["seed"],
            progress=lambda n: self.stdout.write(f"  {n} transfers…"),
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {result['customers']} customers and {result['transfers']} transfers "
                f"in {time.monotonic() - started:.1f}s."
            )
        )
