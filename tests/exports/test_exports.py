"""Finance exports opened back with a CSV reader and openpyxl and checked against the
database: every report, both formats, streamed or built by the job."""

import csv
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from exports import reports
from exports.models import Export
from exports.services import export_build, export_path, export_request
from payments.models import Posting, Transfer
from tests import factories as f
from tests.backoffice.conftest import as_role, signed_in
from tests.backoffice.test_dashboard import paid_transfer

pytestmark = pytest.mark.usefixtures("corridors")
TODAY = timezone.localdate()


def read_csv(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.fixture
def activity():
    paid = [paid_transfer(3) for _ in range(2)]
    odd = f.transfer(sender=f.customer(first_name="=HYPERLINK(1)"))  # a name set as a trap
    return paid, odd


def test_the_transfers_csv_streams_and_matches_the_database(activity):
    client = signed_in("finance")
    answer = client.post(reverse("admin:exports_export_new"), {
        "report": "transfers", "start": TODAY, "end": TODAY, "file_format": "csv",
        "delivery": "now",
    })  # fmt: skip
    assert answer.status_code == 200 and answer.streaming
    rows = read_csv(b"".join(answer.streaming_content))
    assert len(rows) == Transfer.objects.count() == 3
    for row in rows:
        t = Transfer.objects.get(reference=row["reference"])
        assert Decimal(row["sent"]) * 100 == t.send_amount_minor
        assert Decimal(row["received"]) == t.receive_amount_minor  # XOF has no decimals
        assert row["status"] == t.status and row["corridor"] == t.corridor.code


def test_every_report_as_xlsx_through_the_job_reads_back(activity):
    user = as_role(Client(), "finance")
    for report in reports.REPORTS:
        export = export_request(report=report, file_format="xlsx", start=TODAY, end=TODAY,
                                actor=user)  # fmt: skip
        export = export_build(export.pk)
        assert export.status == Export.Status.READY
        sheet = load_workbook(export_path(export), read_only=True).active
        rows = list(sheet.values)
        assert list(rows[0]) == list(reports.REPORTS[report].header)
        assert len(rows) - 1 == export.rows
    postings = Export.objects.get(report="postings")
    sheet = load_workbook(export_path(postings), read_only=True).active
    amounts = [row[6] for row in list(sheet.values)[1:]]
    assert len(amounts) == Posting.objects.count()
    assert sum(Decimal(str(a)) for a in amounts if a is not None) == sum(
        Decimal(p.amount_minor) / (1 if p.currency == "XOF" else 100)
        for p in Posting.objects.all()
    )  # fmt: skip


def test_fee_revenue_and_settlements_add_up(activity):
    paid, _odd = activity
    fees = list(reports.rows_of("fee_revenue", TODAY, TODAY))
    assert fees == [(TODAY, "fr-sn", 2, "EUR", Decimal("3.98"), Decimal("200.00"))]
    settlements = list(reports.rows_of("settlements", TODAY, TODAY))
    assert {row[6] for row in settlements} == {t.reference for t in paid}


def test_a_formula_in_a_name_is_escaped_and_a_csv_built_by_the_job_downloads(activity):
    client = signed_in("finance")
    client.post(reverse("admin:exports_export_new"), {
        "report": "transfers", "start": TODAY, "end": TODAY, "file_format": "csv",
        "delivery": "job",
    })  # fmt: skip
    export = Export.objects.get()
    assert export.status == Export.Status.QUEUED
    f.run_jobs()
    export.refresh_from_db()
    download = client.get(reverse("admin:exports_export_download", args=[export.pk]))
    assert download.status_code == 200
    rows = read_csv(b"".join(download.streaming_content))
    assert len(rows) == 3
    from exports.writers import cell

    assert cell("=HYPERLINK(1)") == "'=HYPERLINK(1)" and cell("-5") == "'-5" and cell(5) == 5


def test_only_finance_and_admin_export(db):
    for role in ("support", "compliance"):
        client = signed_in(role)
        answer = client.post(reverse("admin:exports_export_new"), {
            "report": "transfers", "start": TODAY, "end": TODAY, "file_format": "csv",
            "delivery": "now",
        })  # fmt: skip
        assert answer.status_code == 403, role
    assert not Export.objects.exists()


def test_a_bad_period_is_refused_with_a_message(db):
    client = signed_in("finance")
    answer = client.post(reverse("admin:exports_export_new"), {
        "report": "transfers", "start": TODAY, "end": "2020-01-01", "file_format": "csv",
        "delivery": "job",
    })  # fmt: skip
    assert answer.status_code == 302 and not Export.objects.exists()
