"""The ops console renders, stays flat in queries as rows grow, and cannot resubmit jobs."""

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_q.models import Success

from backoffice.dashboard import dashboard_data
from backoffice.demo_staff import create_demo_staff
from payments.customers import customer_create
from payments.models import PayoutAttempt
from tests import factories as f
from tests.backoffice.conftest import staff_login

pytestmark = pytest.mark.usefixtures("corridors")


@pytest.fixture
def admin_client(client, db):
    user = User.objects.create_superuser("root", "root@example.com", "x")
    staff_login(client, user)
    return client


def staff_client(client, group: str):
    user = User.objects.create_user(group, f"{group}@example.com", "x", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    staff_login(client, user)
    return client


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_transfer_list_shows_transfers_without_a_query_per_row(admin_client):
    url = reverse("admin:payments_transfer_changelist")
    made = [f.transfer() for _ in range(3)]
    few = queries_for(admin_client, url)
    made += [f.funded_transfer() for _ in range(12)]
    many = queries_for(admin_client, url)
    assert many == few, "the transfer list makes a query per row"
    page = admin_client.get(url)
    assert all(t.reference in page.text for t in made)


def test_transfer_page_shows_its_timeline_and_attempts(admin_client):
    t = f.funded_transfer()
    f.run_jobs()
    page = admin_client.get(reverse("admin:payments_transfer_change", args=[t.pk]))
    assert page.status_code == 200
    assert "payout_submitted" in page.text and f"{t.reference}-1" in page.text


def test_customer_history_page_lists_changes(admin_client):
    c = customer_create(email="h@example.com", first_name="Awa", last_name="Sow", country="FR")
    c.last_name = "Sow-Diop"
    c.save()
    page = admin_client.get(reverse("admin:payments_customer_history", args=[c.pk]))
    assert page.status_code == 200
    assert "Sow-Diop" in page.text or page.text.count("Changed") + page.text.count("Created") >= 2
    assert "no change history" not in page.text.lower()


def test_job_admin_cannot_resubmit_or_edit_tasks(admin_client):
    Success.objects.create(
        id="t1", name="payout", func="payments.tasks.payout_submit", args=(1,), kwargs={},
        started="2026-01-01T00:00:00Z", stopped="2026-01-01T00:00:01Z", success=True,
    )  # fmt: skip
    url = reverse("admin:django_q_success_changelist")
    page = admin_client.get(url)
    assert page.status_code == 200 and "Resubmit" not in page.text
    admin_client.post(url, {"action": "resubmit_task", "_selected_action": ["t1"]})
    from django_q.models import OrmQ

    assert not OrmQ.objects.exists()


def test_ledger_is_read_only_even_for_a_superuser(admin_client):
    f.funded_transfer()
    assert admin_client.get(reverse("admin:payments_journalentry_add")).status_code == 403
    entry_url = reverse("admin:payments_journalentry_changelist")
    assert admin_client.get(entry_url).status_code == 200


def test_support_sees_transfers_but_cannot_edit_pricing(client):
    t = f.transfer()
    support = staff_client(client, "support")
    assert support.get(reverse("admin:payments_transfer_change", args=[t.pk])).status_code == 200
    assert support.get(reverse("admin:payments_corridor_changelist")).status_code == 403


def test_demo_staff_accounts_have_their_roles(db):
    logins = dict(create_demo_staff())
    assert set(logins) == {"admin", "compliance", "support", "finance"}
    finance = User.objects.get(username="finance")
    assert finance.check_password(logins["finance"]) and finance.is_staff
    assert finance.has_perm("payments.view_journalentry")
    assert not finance.has_perm("payments.change_corridor")


def test_dashboard_lists_payouts_and_payments_that_need_a_person(admin_client, settings):
    from payments.funding import funding_receive

    settings.PAYOUT_NOT_FOUND_GRACE_SECONDS = -1
    f.funded_transfer(scenario="pending")
    f.run_jobs()
    funding_receive(payment_ref="pi_x", amount_minor=100, currency="EUR", transfer_reference="?")
    queues = {str(label): (n, link) for label, n, link in dashboard_data("1d")["queues"]}
    count, link = queues["Payouts the provider has not settled: check and settle by hand"]
    assert count == 1 and queues["Unmatched incoming payments"][0] == 1
    attempt = PayoutAttempt.objects.get()
    assert attempt.reference in admin_client.get(link).text
