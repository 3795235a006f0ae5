"""Alerts and hits of one customer gather into one case; an officer works it (assignee, notes,
files), decides it, and can produce the suspicious activity report; the history keeps who
changed what."""

import json
from pathlib import Path

import pytest
from django.conf import settings

from compliance.cases import (
    case_add_note,
    case_assign,
    case_attach,
    case_close,
    case_for_customer,
    case_report,
)
from compliance.errors import UnsupportedFile
from compliance.lists import list_import
from compliance.models import (
    Case,
    CaseAttachment,
    CaseNote,
    MonitoringAlert,
    MonitoringRule,
    ScreeningHit,
)
from compliance.monitoring import evaluate
from compliance.screening import hit_decide
from payments.errors import NotAllowedNow
from tests import factories as f
from tests.compliance.test_screening import UN, funded_to
from tests.races import race

pytestmark = pytest.mark.usefixtures("corridors")
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture
def officer(django_user_model):
    return django_user_model.objects.create_user("officer", is_staff=True)


def alert_on(transfer) -> list[MonitoringAlert]:
    """Make the new-account rule fire on any amount, and evaluate the transfer."""
    MonitoringRule.objects.filter(code="new-account-high").update(
        params={"account_days": 30, "single_minor": 1, "first_week_minor": 1}
    )
    return evaluate(transfer)


def test_hits_and_alerts_of_one_customer_gather_in_one_open_case():
    list_import(source="un", path=UN)
    t = funded_to("Hamadoun Koufa")  # the recipient is a possible match: held, hit recorded
    hit = ScreeningHit.objects.get()
    alerts = alert_on(t)
    assert alerts and all(a.case_id == hit.case_id for a in alerts)
    case = Case.objects.get()
    assert case.customer_id == t.customer_id and case.status == Case.Status.OPEN
    assert set(case.alerts.all()) == set(alerts) and list(case.hits.all()) == [hit]

    other = f.funded_transfer()  # another customer: another case
    alert_on(other)
    assert Case.objects.filter(customer_id=other.customer_id).count() == 1
    assert Case.objects.count() == 2


def test_a_true_match_puts_the_case_under_investigation(officer):
    list_import(source="un", path=UN)
    funded_to("Hamadoun Koufa")
    hit = ScreeningHit.objects.get()
    hit_decide(hit_id=hit.pk, true_match=True, reason="same person, same birth year",
               actor=officer)  # fmt: skip
    case = Case.objects.get(pk=hit.case_id)
    assert case.status == Case.Status.INVESTIGATING
    assert case.notes.filter(text__startswith="confirmed sanctions match").exists()


def test_closing_needs_an_outcome_a_reason_and_decided_hits(officer):
    list_import(source="un", path=UN)
    t = funded_to("Hamadoun Koufa")
    alert_on(t)
    case = Case.objects.get()
    with pytest.raises(NotAllowedNow, match="screening hits first"):
        case_close(case_id=case.pk, outcome="false_positive", decision="ok", actor=officer)
    hit_decide(hit_id=case.hits.get().pk, true_match=False, reason="born 1994", actor=officer)
    with pytest.raises(NotAllowedNow, match="say what was found"):
        case_close(case_id=case.pk, outcome="false_positive", decision=" ", actor=officer)
    with pytest.raises(NotAllowedNow, match="unknown outcome"):
        case_close(case_id=case.pk, outcome="whatever", decision="ok", actor=officer)
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN  # refused closes wrote nothing

    case_close(case_id=case.pk, outcome="valuable_alert", decision="pays his sister's rent",
               actor=officer)  # fmt: skip
    case.refresh_from_db()
    assert (case.status, case.outcome, case.closed_by) == ("closed", "valuable_alert", officer)
    assert not case.alerts.filter(status="open").exists()
    with pytest.raises(NotAllowedNow, match="already closed"):
        case_close(case_id=case.pk, outcome="false_positive", decision="again", actor=officer)
    # What is raised after a case closed opens a new one.
    later = f.funded_transfer(sender=t.customer)
    new_alerts = alert_on(later)
    assert new_alerts[0].case_id != case.pk
    assert Case.objects.filter(customer=t.customer).count() == 2


def test_two_alerts_at_once_open_one_case(transactional_db):
    customer = f.customer()
    results = race(*[lambda: case_for_customer(customer.pk).pk for _ in range(4)])
    assert len(set(results)) == 1 and not any(isinstance(r, Exception) for r in results)
    assert Case.objects.filter(customer=customer).count() == 1


def test_officers_work_the_case_and_history_keeps_each_change(officer, django_user_model):
    t = f.funded_transfer()
    alert_on(t)
    case = Case.objects.get()
    colleague = django_user_model.objects.create_user("colleague", is_staff=True)
    case_assign(case_id=case.pk, assignee=colleague, actor=officer)
    case_add_note(case_id=case.pk, text="asked for payslips", actor=colleague)
    attachment = case_attach(case_id=case.pk, name="payslip.jpg", content=JPEG, actor=colleague)
    stored = Path(settings.PRIVATE_MEDIA_ROOT, attachment.stored_name).read_bytes()
    assert JPEG not in stored  # encrypted at rest
    with pytest.raises(NotAllowedNow, match="needs some text"):
        case_add_note(case_id=case.pk, text="  ", actor=colleague)

    case.refresh_from_db()
    assert case.assignee == colleague and case.status == Case.Status.INVESTIGATING
    texts = list(case.notes.values_list("text", flat=True))
    assert texts == ["assigned to colleague", "asked for payslips", "attached payslip.jpg"]
    history = list(case.history.order_by("history_date").values_list("status", "assignee_id"))
    assert history[0] == ("open", None) and history[-1] == ("investigating", colleague.pk)


def test_a_file_that_lies_about_its_type_is_refused_and_nothing_is_written(officer):
    case = case_for_customer(f.customer().pk)
    with pytest.raises(UnsupportedFile):
        case_attach(case_id=case.pk, name="statement.pdf", content=b"<html>hi</html>",
                    actor=officer)  # fmt: skip
    assert not CaseAttachment.objects.exists() and not CaseNote.objects.exists()


def test_the_report_file_holds_the_facts_an_analyst_sends(officer):
    list_import(source="un", path=UN)
    t = funded_to("Hamadoun Koufa")
    quiet = f.funded_transfer(sender=t.customer)  # in the same period, raised nothing
    alert_on(t)
    case = Case.objects.get()
    hit_decide(hit_id=case.hits.get().pk, true_match=True, reason="same person", actor=officer)
    case_add_note(case_id=case.pk, text="funds frozen, DG Tresor informed", actor=officer)

    name, body = case_report(case_id=case.pk, actor=officer)
    report = json.loads(body)
    assert name == f"SAR-{case.reference}.json"
    assert report["report"]["case"] == case.reference
    assert report["report"]["produced_by"] == "officer"
    subject = report["subject"]
    assert (subject["first_name"], subject["last_name"]) == (
        t.customer.first_name, t.customer.last_name,
    )  # fmt: skip
    operations = {op["reference"]: op for op in report["operations"]}
    assert operations[t.reference]["concerned"] is True
    assert operations[quiet.reference]["concerned"] is False
    assert operations[t.reference]["sent"] == {"amount": "100.00", "currency": "EUR"}
    assert operations[t.reference]["recipient"]["name"] == "Hamadoun Koufa"
    matches = report["grounds"]["sanctions_matches"]
    assert matches[0]["list"] == "un" and matches[0]["decision"] == "true_match"
    rules = {a["rule"] for a in report["grounds"]["monitoring_alerts"]}
    assert "new-account-high" in rules
    assert report["totals"]["operations"] == 2
    assert "funds frozen, DG Tresor informed" in [n["text"] for n in report["analysis"]["notes"]]
    case.refresh_from_db()
    assert case.sar_at is not None
    assert case.notes.filter(text="suspicious activity report produced").exists()
