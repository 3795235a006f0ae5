"""The dashboard: volumes, success rates and payout times for a period, queues, stuck
transfers, float warnings and job health, each number linked to the list behind it."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from backoffice.dashboard import dashboard_data
from payments.models import PayoutAttempt, Transfer
from payments.states import TransferStatus as S
from providers.models import ProviderBalance
from tests import factories as f
from tests.backoffice.test_transfer_console import as_role, failed_transfer
from tests.payments.test_lifecycle import make_checks_due

pytestmark = pytest.mark.usefixtures("corridors")


def paid_transfer(minutes: int, **kwargs) -> Transfer:
    t = f.funded_transfer(**kwargs)
    f.run_jobs()
    make_checks_due()  # the sandbox answers the status check: paid
    t.refresh_from_db()
    assert t.status == S.PAID_OUT
    Transfer.objects.filter(pk=t.pk).update(paid_out_at=t.funded_at + timedelta(minutes=minutes))
    return t


def test_volumes_success_and_median_payout_time_per_corridor_and_provider():
    for minutes in (2, 4, 30):
        paid_transfer(minutes)
    failed_transfer()  # fr-ci through orange_money, declined
    f.transfer()  # created, not funded
    data = dashboard_data("7d")
    by_corridor = {row["corridor__code"]: row for row in data["corridors"]}
    assert by_corridor["fr-sn"]["created"] == 4 and by_corridor["fr-sn"]["paid"] == 3
    assert by_corridor["fr-sn"]["sent"] == 30_000
    assert by_corridor["fr-ci"]["failed"] == 1
    by_provider = {row["payout_provider"]: row for row in data["providers"]}
    assert by_provider["wave"]["success_rate"] == 100.0
    assert by_provider["orange_money"]["success_rate"] == 0.0
    assert by_provider["wave"]["median_minutes"] == pytest.approx(4, abs=0.01)
    assert (data["totals"]["created"], data["totals"]["paid"]) == (5, 3)
    assert "provider=wave" in by_provider["wave"]["link"]


def test_queues_and_stuck_transfers_link_to_their_lists(client):
    as_role(client, "admin")
    f.held_transfer()
    late = f.funded_transfer()  # payout pending: its job never ran
    Transfer.objects.filter(pk=late.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    f.funded_transfer()  # pending too, but only just
    queues = {str(label): (count, link) for label, count, link in dashboard_data("1d")["queues"]}
    assert queues["Held transfers"][0] == 1
    count, link = queues["Stuck beyond their expected time"]
    assert count == 1
    page = client.get(link)
    assert late.reference in page.text and page.text.count("MB-") >= 1


def test_a_wallet_with_less_than_a_day_of_payouts_is_flagged_low():
    t = paid_transfer(3)
    attempt = PayoutAttempt.objects.get(transfer=t)
    ProviderBalance.objects.create(provider="wave", country="SN", currency="XOF",
                                   amount_minor=1_000, as_of=attempt.created_at)  # fmt: skip
    ProviderBalance.objects.create(provider="orange_money", country="CI", currency="XOF",
                                   amount_minor=10**12, as_of=timezone.now())  # fmt: skip
    rows = {row["provider"]: row for row in dashboard_data("7d")["float_rows"]}
    assert rows["wave"]["low"] and not rows["orange_money"]["low"]
    assert rows["wave"]["link"].endswith("providerbalance/?provider__exact=wave")


def test_the_page_renders_its_charts_and_is_cached(client, django_assert_max_num_queries):
    as_role(client, "admin")
    paid_transfer(5)
    cache.clear()
    page = client.get(reverse("admin:index") + "?period=30d")
    assert page.status_code == 200
    assert page.text.count('class="chart"') == 2 and "Last 30 days" in page.text
    with django_assert_max_num_queries(12):  # the figures come from the cache this time
        assert client.get(reverse("admin:index") + "?period=30d").status_code == 200
