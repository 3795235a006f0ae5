"""The daily job fetches each provider's statement through its adapter and reconciles it: the
sandbox's books for the demo, Wave's transactions API (cursor-paged) over real HTTP."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from providers.sandboxes import wave as wave_sim
from providers.wave.adapter import WaveProvider
from reconciliation.models import ReconItem, Statement
from reconciliation.tasks import fetch_statements
from tests.backoffice.test_dashboard import paid_transfer
from tests.providers.test_wave import request, wave  # noqa: F401 - the simulator fixture

pytestmark = pytest.mark.usefixtures("corridors")


def test_the_job_reconciles_each_providers_day_once():
    paid = [paid_transfer(2) for _ in range(2)]
    today = timezone.localdate().isoformat()
    outcome = fetch_statements(today)
    assert outcome["wave"].startswith("statement") and outcome["mtn_momo"].startswith("statement")
    statement = Statement.objects.get(source="wave")
    results = dict(statement.items.values_list("reference", "result"))
    assert results == {t.attempts.get().reference: ReconItem.Result.MATCHED for t in paid}
    assert fetch_statements(today)["wave"] == "nothing new"  # run twice: imported once
    assert Statement.objects.filter(source="wave").count() == 1
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    fetch_statements(yesterday)  # an empty day is a statement too, with nothing missing
    empty = Statement.objects.get(source="wave", period_start=yesterday)
    assert empty.lines == 0 and not empty.items.exists()


def test_wave_statement_pages_through_the_transactions_api(wave, monkeypatch):  # noqa: F811
    adapter = WaveProvider()
    for n in range(5):
        adapter.send_payout(request(suffix=f"{60 + n}", reference=f"MB-TEST-WAVE-{n}"))
    monkeypatch.setattr(wave_sim.WaveSimulator, "_transactions",
                        lambda self, q, page=2, f=wave_sim.WaveSimulator._transactions:
                        f(self, q, page))  # fmt: skip
    rows = list(adapter.statement(datetime.now(UTC).date()))
    assert [r["client_reference"] for r in rows] == [f"MB-TEST-WAVE-{n}" for n in range(5)]
    assert rows[0]["amount"] == "-65596" and rows[0]["currency"] == "XOF"
