"""Finance exports: a CSV streamed straight to the browser, or a file (CSV or XLSX) built by a
job for the requester to download. Either way memory stays bounded whatever the row count."""

import os
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from exports import reports, writers
from exports.models import Export
from payments.errors import NotAllowedNow
from payments.jobs import enqueue

FORMATS = ("csv", "xlsx")
BUILD_JOB = "exports.tasks.export_build"


def _check(report: str, file_format: str, start, end) -> None:
    if report not in reports.REPORTS:
        raise NotAllowedNow(f"unknown report {report!r}")
    if file_format not in FORMATS:
        raise NotAllowedNow("the format is csv or xlsx")
    if start > end:
        raise NotAllowedNow("the period ends before it starts")


def csv_stream(report: str, start, end):
    _check(report, "csv", start, end)
    return writers.csv_lines(reports.REPORTS[report].header, reports.rows_of(report, start, end))


@transaction.atomic
def export_request(*, report: str, file_format: str, start, end, actor) -> Export:
    _check(report, file_format, start, end)
    export = Export.objects.create(report=report, file_format=file_format, start=start, end=end,
                                   requested_by=actor)  # fmt: skip
    enqueue(BUILD_JOB, export.pk)
    return export


def export_path(export: Export) -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT) / export.stored_name


def export_build(export_id: int) -> Export:
    """Write the file (safe to run twice: a ready export is left as it is)."""
    export = Export.objects.get(pk=export_id)
    if export.status == Export.Status.READY:
        return export
    definition = reports.REPORTS[export.report]
    export.stored_name = f"exports/{export.pk}-{export.report}.{export.file_format}"
    path = export_path(export)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.part")  # a second run never writes into it
    rows = reports.rows_of(export.report, export.start, export.end)
    try:
        if export.file_format == "xlsx":
            count = writers.write_xlsx(partial, definition.title, definition.header, rows)
        else:
            count = writers.write_csv(partial, definition.header, rows)
        os.replace(partial, path)  # the file appears whole or not at all
    except Exception as exc:
        partial.unlink(missing_ok=True)
        export.status, export.error = Export.Status.FAILED, str(exc)[:300]
        export.save(update_fields=["status", "error"])
        raise
    export.status, export.rows, export.finished_at = Export.Status.READY, count, timezone.now()
    export.save(update_fields=["status", "rows", "stored_name", "finished_at"])
    return export
