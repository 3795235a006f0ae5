from django.core.management.base import BaseCommand, CommandError

from payments.ledger_check import check_ledger


class Command(BaseCommand):
    help = "Verify every ledger invariant; exit non-zero with a report on any breach."

    def handle(self, *args, **options):
        report = check_ledger()
        summary = f"{report.entries} journal entries, {report.transfers} transfers checked"
        if report.ok:
            self.stdout.write(self.style.SUCCESS(f"Ledger OK: {summary}."))
            return
        for problem in report.problems:
            self.stderr.write(f"  - {problem}")
        raise CommandError(f"Ledger BROKEN: {len(report.problems)} problem(s); {summary}.")
