"""The console's statement import, on django-import-export: upload, a dry-run preview of the
lines as they will be stored, then confirm. One resource per source turns the file's own
columns into our line shape (reconciliation.formats) before the preview; confirming stores
the lines and reconciles the statement. A camt.053 file is read by its own format class.
"""

import hashlib
import io

import tablib
from import_export import fields, resources, widgets
from import_export.formats.base_formats import CSV, XLSX, Format

from reconciliation import formats
from reconciliation.matching import reconcile
from reconciliation.models import ReconItem, Source
from reconciliation.services import statement_open

COLUMNS = ["line_no", "reference", "amount_minor", "currency", "booked_at", "description"]


class Camt053(Format):
    """ISO 20022 camt.053 XML, read into the line shape directly."""

    def get_title(self):
        return "camt.053 (XML)"

    def get_extension(self):
        return "xml"

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def can_import(self):
        return True

    def can_export(self):
        return False

    def create_dataset(self, in_stream):
        raw = in_stream if isinstance(in_stream, bytes) else in_stream.encode()
        dataset = tablib.Dataset(headers=COLUMNS)
        for line in formats.read_camt053(io.BytesIO(raw)):
            dataset.append(_row(line))
        return dataset


IMPORT_FORMATS = [CSV, XLSX, Camt053]


def _row(line: formats.Line) -> list:
    booked = line.booked_at.isoformat() if line.booked_at else ""
    return [line.line_no, line.reference, line.amount_minor, line.currency, booked,
            line.description]  # fmt: skip


class IsoDateTimeWidget(widgets.Widget):
    """Dates as statements write them (ISO 8601, with or without time and offset)."""

    def clean(self, value, row=None, **kwargs):
        return formats.to_datetime(str(value or ""), 0)

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class StatementResource(resources.ModelResource):
    source = ""
    booked_at = fields.Field(attribute="booked_at", column_name="booked_at",
                             widget=IsoDateTimeWidget())  # fmt: skip

    class Meta:
        model = ReconItem
        fields = COLUMNS
        import_id_fields = ["line_no"]
        force_init_instance = True  # every line is new: a statement is imported once
        use_bulk = True
        batch_size = 2000

    def import_data(self, dataset, dry_run=False, **kwargs):
        self.dry_run = dry_run
        return super().import_data(dataset, dry_run=dry_run, **kwargs)

    def before_import(self, dataset, **kwargs):
        """Read the file's own columns into our line shape, and open the statement (refused
        if this very file was imported before)."""
        content = dataset.export("csv").encode()
        if dataset.headers != COLUMNS:
            lines = list(formats.read_csv_rows(iter(dataset.dict), self.source))
            dataset.wipe()
            dataset.headers = COLUMNS
            for line in lines:
                dataset.append(_row(line))
        self.statement = statement_open(
            source=self.source, file_name=kwargs.get("file_name") or "upload",
            checksum=hashlib.sha256(content).hexdigest(), actor=kwargs.get("user"),
        )  # fmt: skip

    def before_save_instance(self, instance, row, **kwargs):
        instance.statement, instance.source = self.statement, self.source

    def after_import(self, dataset, result, **kwargs):
        if self.dry_run or result.has_errors() or result.has_validation_errors():
            return
        days = [formats.to_datetime(str(row[4]), 0) for row in dataset]
        start, end = formats.period_of(d.date() for d in days if d)
        statement = self.statement
        statement.lines, statement.period_start, statement.period_end = len(dataset), start, end
        statement.save(update_fields=["lines", "period_start", "period_end"])
        reconcile(statement)


def _resource(source: str):
    label = Source(source).label
    return type(f"{source.title().replace('_', '')}StatementResource", (StatementResource,),
                {"source": source, "__doc__": label,
                 "get_display_name": classmethod(lambda cls: str(label))})  # fmt: skip


RESOURCES = [_resource(source) for source in Source.values]
