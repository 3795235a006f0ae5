"""Compliance's console screens: the identity review queue, screening hits and cases. Every
decision is a POST with a permission; a GET changes nothing; every document view is logged."""

import json

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from compliance.cases import case_add_note, case_for_customer
from compliance.kyc import REVIEW_REASONS, document_upload
from compliance.lists import list_import
from compliance.models import Case, KycDocumentView, ScreeningHit
from payments.models.customers import KycStatus
from tests import factories as f
from tests.backoffice.conftest import staff_login
from tests.backoffice.test_console import queries_for
from tests.compliance.test_screening import UN, funded_to

pytestmark = pytest.mark.usefixtures("corridors")
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def staff(client, *codenames: str):
    """A signed-in staff member holding exactly these compliance permissions."""
    user = User.objects.create_user(f"staff{len(codenames)}", is_staff=True)
    for codename in ("view_kycdocument", "view_screeninghit", "view_case", *codenames):
        user.user_permissions.add(Permission.objects.get(codename=codename))
    staff_login(client, user)
    return user


@pytest.fixture
def officer(client):
    return staff(client, "review_kycdocument", "view_document_content", "decide_screeninghit",
                 "work_case", "file_sar")  # fmt: skip


def unverified_with_document():
    customer = f.customer(kyc_tier=0)
    return customer, document_upload(customer=customer, kind="passport", content=JPEG)


def test_the_review_queue_lists_waiting_documents_oldest_first(client, officer):
    first = unverified_with_document()[1]
    second = unverified_with_document()[1]
    url = reverse("admin:compliance_kycdocument_changelist") + "?status__exact=pending"
    page = client.get(url).text
    assert page.index(first.customer.email) < page.index(second.customer.email)


def test_the_review_page_shows_the_document_beside_the_customer(client, officer):
    customer, document = unverified_with_document()
    page = client.get(reverse("admin:compliance_kycdocument_change", args=[document.pk]))
    assert page.status_code == 200
    content_url = reverse("admin:compliance_kycdocument_content", args=[document.pk])
    assert content_url in page.text and customer.email in page.text
    assert str(REVIEW_REASONS["expired"]) in page.text  # the reasons list
    assert not KycDocumentView.objects.exists()  # the page itself opens nothing


def test_every_document_view_is_logged_and_only_allowed_staff_see_it(client, officer):
    _, document = unverified_with_document()
    url = reverse("admin:compliance_kycdocument_content", args=[document.pk])
    answer = client.get(url)
    assert answer.status_code == 200 and answer.content == JPEG
    assert answer["Content-Type"] == "image/jpeg" and "no-store" in answer["Cache-Control"]
    view = KycDocumentView.objects.get()
    assert (view.document, view.viewer) == (document, officer)

    client.logout()
    staff(client)  # may see the queue, not the documents
    assert client.get(url).status_code == 403
    assert KycDocumentView.objects.count() == 1


def test_accept_reject_and_ask_for_another_are_posts_with_a_permission(client, officer):
    customer, document = unverified_with_document()
    accept = reverse("admin:compliance_kycdocument_decide", args=[document.pk, "accept"])
    assert client.get(accept).status_code == 405
    document.refresh_from_db()
    assert document.status == "pending"

    client.post(accept, {"tier": "1", "birth_date": "1990-02-01", "nationality": "sn"})
    customer.refresh_from_db()
    document.refresh_from_db()
    assert (customer.kyc_tier, customer.kyc_status, customer.nationality) == (1, "verified", "SN")
    assert document.status == "accepted" and document.reviewed_by == officer

    other_customer, other = unverified_with_document()
    another = reverse("admin:compliance_kycdocument_decide", args=[other.pk, "another"])
    client.post(another, {"reason": "unreadable", "wanted": "national_id"})
    other.refresh_from_db()
    other_customer.refresh_from_db()
    assert other.status == "more_needed" and "National identity card" in other.reason
    assert other_customer.kyc_status == KycStatus.MORE_NEEDED

    third_customer, third = unverified_with_document()
    reject = reverse("admin:compliance_kycdocument_decide", args=[third.pk, "reject"])
    client.post(reject, {"reason": "made-up"})  # not on the list: refused
    third.refresh_from_db()
    assert third.status == "pending"
    client.post(reject, {"reason": "expired"})
    third.refresh_from_db()
    assert third.status == "rejected" and third.reason == str(REVIEW_REASONS["expired"])

    client.logout()
    staff(client, "view_document_content")  # sees documents, decides nothing
    _, fourth = unverified_with_document()
    url = reverse("admin:compliance_kycdocument_decide", args=[fourth.pk, "accept"])
    assert client.post(url, {"tier": "1"}).status_code == 403
    fourth.refresh_from_db()
    assert fourth.status == "pending"


def test_a_document_history_page_lists_the_review(client, officer):
    _, document = unverified_with_document()
    client.post(reverse("admin:compliance_kycdocument_decide", args=[document.pk, "reject"]),
                {"reason": "expired"})  # fmt: skip
    page = client.get(reverse("admin:compliance_kycdocument_history", args=[document.pk]))
    assert page.status_code == 200 and "no change history" not in page.text.lower()
    assert document.history.count() == 2 and officer.username in page.text


def test_an_officer_decides_a_hit_from_its_page(client, officer):
    list_import(source="un", path=UN)
    funded_to("Hamadoun Koufa")
    hit = ScreeningHit.objects.get()
    page = client.get(reverse("admin:compliance_screeninghit_change", args=[hit.pk]))
    assert page.status_code == 200
    assert "KOUFA" in page.text.upper() and "Hamadoun Koufa" in page.text
    url = reverse("admin:compliance_screeninghit_decide", args=[hit.pk, "false-positive"])
    assert client.get(url).status_code == 405
    client.post(url, {"reason": ""})  # a reason is owed
    hit.refresh_from_db()
    assert hit.status == "open"
    client.post(url, {"reason": "born 1994 in Dakar"})
    hit.refresh_from_db()
    assert (hit.status, hit.decided_by) == ("false_positive", officer)


def test_a_case_is_worked_from_its_page(client, officer):
    customer = f.customer()
    case = case_for_customer(customer.pk)
    base = "admin:compliance_case_act"
    client.post(reverse(base, args=[case.pk, "assign"]), {"assignee": officer.pk})
    client.post(reverse(base, args=[case.pk, "note"]), {"text": "called the customer"})
    upload = SimpleUploadedFile("payslip.jpg", JPEG, content_type="image/jpeg")
    client.post(reverse(base, args=[case.pk, "attach"]), {"file": upload})
    page = client.get(reverse("admin:compliance_case_change", args=[case.pk]))
    assert page.status_code == 200
    assert "called the customer" in page.text and "payslip.jpg" in page.text
    attachment = case.attachments.get()
    download = client.get(
        reverse("admin:compliance_case_attachment", args=[case.pk, attachment.pk])
    )
    assert download.content == JPEG

    report = client.post(reverse("admin:compliance_case_report", args=[case.pk]))
    assert report.status_code == 200 and "attachment" in report["Content-Disposition"]
    assert json.loads(report.content)["subject"]["email"] == customer.email
    assert client.get(reverse("admin:compliance_case_report", args=[case.pk])).status_code == 405

    client.post(reverse(base, args=[case.pk, "close"]),
                {"outcome": "false_positive", "decision": "salary, payslips seen"})  # fmt: skip
    case.refresh_from_db()
    assert (case.status, case.assignee, case.outcome) == ("closed", officer, "false_positive")
    history = client.get(reverse("admin:compliance_case_history", args=[case.pk]))
    assert history.status_code == 200 and "no change history" not in history.text.lower()


def test_without_the_case_permissions_nothing_moves(client):
    case = case_for_customer(f.customer().pk)
    staff(client)  # may look at cases only
    url = reverse("admin:compliance_case_act", args=[case.pk, "note"])
    assert client.post(url, {"text": "hello"}).status_code == 403
    assert client.post(reverse("admin:compliance_case_report", args=[case.pk])).status_code == 403
    case.refresh_from_db()
    assert not case.notes.exists() and case.sar_at is None


def test_the_case_list_makes_no_query_per_row(client, officer):
    url = reverse("admin:compliance_case_changelist")
    for _ in range(2):
        case_add_note(case_id=case_for_customer(f.customer().pk).pk, text="x", actor=officer)
    few = queries_for(client, url)
    for _ in range(10):
        case_for_customer(f.customer().pk)
    assert queries_for(client, url) == few
    assert Case.objects.count() == 12


def test_the_transfer_history_page_shows_changes_and_cannot_revert(client, db):
    root = User.objects.create_superuser("root", "root@example.com", "x")
    staff_login(client, root)
    t = f.funded_transfer()
    page = client.get(reverse("admin:payments_transfer_history", args=[t.pk]))
    assert page.status_code == 200 and "no change history" not in page.text.lower()
    record = t.history.earliest("history_date")
    revert = reverse("admin:payments_transfer_simple_history", args=[t.pk, record.history_id])
    answer = client.post(revert, {})
    assert answer.status_code == 403
    t.refresh_from_db()
    assert t.status != "created"
