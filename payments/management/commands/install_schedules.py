from django.core.management.base import BaseCommand

from payments.schedules import install


class Command(BaseCommand):
    help = "Create or update the recurring jobs (idempotent)."

    def handle(self, *args, **options):
        self.stdout.write(f"{install()} schedules installed.")
