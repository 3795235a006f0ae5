from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from compliance.lists import PARSERS, list_import


class Command(BaseCommand):
    help = "Import a sanctions list file (idempotent: the same file twice changes nothing)."

    def add_arguments(self, parser):
        parser.add_argument("source", choices=sorted(PARSERS))
        parser.add_argument("path", help="the list file (for ofac: sdn.csv, alt.csv beside it)")

    def handle(self, *args, source, path, **options):
        file = Path(path)
        if not file.exists():
            raise CommandError(f"no such file: {file}")
        result = list_import(source=source, path=file)
        if not result.created:
            self.stdout.write(f"{source}: this file was already imported; nothing changed.")
            return
        self.stdout.write(
            f"{source}: imported {result.entries} entries ({result.changed} new or changed) "
            f"as version {result.version.pk}."
        )
