"""Finance imports a statement from the console: a dry-run preview writes nothing, confirming
stores the lines and reconciles them; an item is resolved from its page; other roles cannot."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from reconciliation.importing import RESOURCES
from reconciliation.models import ReconItem, Statement
from tests.backoffice.conftest import signed_in
from tests.backoffice.test_dashboard import paid_transfer

pytestmark = pytest.mark.usefixtures("corridors")
IMPORT = "admin:reconciliation_statement_import"


def wave_file(attempt, extra_amount=0) -> SimpleUploadedFile:
    body = (
        "timestamp,transaction_id,transaction_type,amount,fee,currency,client_reference\n"
        f"{timezone.now().isoformat()},T1,payout,"
        f"-{attempt.transfer.receive_amount_minor + extra_amount},0,XOF,{attempt.reference}\n"
        f"{timezone.now().isoformat()},T9,payout,-700,0,XOF,MB-ZZZZ-ZZZZ-1\n"
    )
    return SimpleUploadedFile("wave-2026-11-25.csv", body.encode(), content_type="text/csv")


def wave_resource() -> str:
    return str(next(i for i, r in enumerate(RESOURCES) if r.source == "wave"))


def test_preview_then_confirm_then_resolve(db):
    t = paid_transfer(2)
    attempt = t.attempts.get()
    client = signed_in("finance")
    preview = client.post(reverse(IMPORT), {
        "import_file": wave_file(attempt), "format": "0", "resource": wave_resource(),
    })  # fmt: skip
    assert preview.status_code == 200, preview.content[:500]
    assert attempt.reference in preview.text and "MB-ZZZZ-ZZZZ-1" in preview.text
    assert not Statement.objects.exists() and not ReconItem.objects.exists()  # dry run

    confirm = {
        name: value
        for name, value in re.findall(r'name="([a-z_]+)"[^>]*value="([^"]*)"', preview.text)
        if name in ("import_file_name", "original_file_name", "format", "resource")
    }
    done = client.post(reverse("admin:reconciliation_statement_process_import"), confirm)
    assert done.status_code == 302
    statement = Statement.objects.get()
    assert (statement.source, statement.lines) == ("wave", 2) and statement.reconciled_at
    results = dict(statement.items.values_list("reference", "result"))
    assert results == {attempt.reference: "matched", "MB-ZZZZ-ZZZZ-1": "unmatched"}

    extra = statement.items.get(result="unmatched")
    client.post(reverse("admin:reconciliation_reconitem_resolve", args=[extra.pk]),
                {"reason": "not ours: Wave ticket 4411"})  # fmt: skip
    extra.refresh_from_db()
    assert extra.result == "resolved" and "Wave ticket 4411" in extra.resolution


def test_only_finance_and_admin_import_and_resolve(db):
    t = paid_transfer(2)
    attempt = t.attempts.get()
    for role in ("support", "compliance"):
        client = signed_in(role)
        answer = client.post(reverse(IMPORT), {
            "import_file": wave_file(attempt), "format": "0", "resource": wave_resource(),
        })  # fmt: skip
        assert answer.status_code == 403, role
    assert not Statement.objects.exists()
