"""The transfer monitor: filters and searches that find a transfer in one indexed lookup, a
page with everything about it, and actions that are posts with a reason, allowed by role,
each leaving an event; bulk actions preview what each selected transfer will do."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compliance.models import ScreeningHit
from payments.models import PayoutAttempt
from payments.states import TransferStatus as S
from payments.transfers import transfer_mark_funded
from providers.models import ProviderCall, WebhookEvent
from tests import factories as f
from tests.backoffice.conftest import as_role

pytestmark = pytest.mark.usefixtures("corridors")
LIST = "admin:payments_transfer_changelist"


def listed(client, query: str = "") -> str:
    page = client.get(reverse(LIST) + query)
    assert page.status_code == 200
    return page.text


def act(client, transfer, action: str, **data):
    return client.post(reverse("admin:payments_transfer_act", args=[transfer.pk, action]), data)


def failed_transfer():
    t = f.funded_transfer(corridor="fr-ci", provider="orange_money", scenario="declined")
    f.run_jobs()
    t.refresh_from_db()
    assert t.status == S.PAYOUT_FAILED
    return t


def test_filters_find_transfers_by_status_amount_tier_and_hold(client):
    as_role(client, "admin")
    small = f.transfer(send=2_000)
    big = f.transfer(send=90_000)
    held = f.held_transfer("possible sanctions match: recipient 'X' ~ 'Y'")
    monitored = f.held_transfer("monitoring score 75 (fan-in): to review")
    newcomer = f.transfer(sender=f.customer(kyc_tier=1))

    by_status = listed(client, "?status__exact=on_hold")
    assert held.reference in by_status and small.reference not in by_status
    by_amount = listed(client, "?send_amount_minor_from=500&send_amount_minor_to=1000")
    assert big.reference in by_amount and small.reference not in by_amount
    bad = client.get(reverse(LIST) + "?send_amount_minor_from=abc")
    assert bad.status_code == 302 and "e=1" in bad["Location"]  # refused, not a server error
    by_tier = listed(client, "?tier=1")
    assert newcomer.reference in by_tier and big.reference not in by_tier
    sanctions = listed(client, "?held=sanctions")
    assert held.reference in sanctions and monitored.reference not in sanctions
    assert monitored.reference in listed(client, "?held=monitoring")
    by_provider = listed(client, "?provider=wave")
    assert small.reference in by_provider


def test_search_by_reference_email_wallet_and_provider_reference(client):
    as_role(client, "admin")
    t = f.funded_transfer()
    f.run_jobs()
    other = f.transfer()
    attempt = PayoutAttempt.objects.get(transfer=t)
    for term in (t.reference, t.reference.lower(), attempt.reference, t.customer.email.upper(),
                 t.payout_msisdn, t.payout_msisdn.lstrip("+"), attempt.provider_ref):  # fmt: skip
        page = listed(client, f"?q={term}")
        assert t.reference in page and other.reference not in page, term


def test_the_list_never_counts_the_table_and_makes_no_query_per_row(client):
    as_role(client, "admin")
    for _ in range(3):
        f.transfer()
    with CaptureQueriesContext(connection) as few:
        listed(client)
    for _ in range(10):
        f.funded_transfer()
    with CaptureQueriesContext(connection) as many:
        listed(client, "?status__exact=funded")
    assert len(many.captured_queries) == len(few.captured_queries)
    transfer_queries = [q["sql"] for q in many.captured_queries if "payments_transfer" in q["sql"]]
    assert not any("COUNT(" in sql.upper() for sql in transfer_queries)


def test_the_page_shows_money_parties_ledger_calls_webhooks_and_compliance(client):
    as_role(client, "admin")
    t = f.funded_transfer()
    f.run_jobs()
    attempt = PayoutAttempt.objects.get(transfer=t)
    ProviderCall.objects.create(provider="wave", operation="send_payout", method="POST",
                                url="http://127.0.0.1/x", outcome="ok", latency_ms=12,
                                correlation=attempt.reference)  # fmt: skip
    WebhookEvent.objects.create(
        provider="wave", event_id="evt_1", event_type="payout.succeeded",
        correlation=t.reference, status="processed", payload="{}",
    )  # fmt: skip
    page = client.get(reverse("admin:payments_transfer_change", args=[t.pk]))
    assert page.status_code == 200
    text = page.text
    expected_texts = (
        "Ledger entries", "funding", "conversion", "send_payout", "payout.succeeded",
        attempt.reference, t.customer.email, "No possible match on either party",
    )  # fmt: skip
    for expected in expected_texts:
        assert expected in text, expected


def test_actions_are_posts_with_a_reason_and_leave_an_event(client):
    admin = as_role(client, "admin")
    t = f.transfer()
    transfer_mark_funded(transfer_id=t.pk)
    url = reverse("admin:payments_transfer_act", args=[t.pk, "hold"])
    assert client.get(url).status_code == 405
    act(client, t, "hold", reason="")  # a reason is owed
    t.refresh_from_db()
    assert t.status == S.FUNDED
    act(client, t, "hold", reason="customer called: not their transfer")
    t.refresh_from_db()
    assert t.status == S.ON_HOLD
    event = t.events.latest("created_at")
    assert (event.to_status, event.actor, event.reason) == (
        S.ON_HOLD, admin, "customer called: not their transfer",
    )  # fmt: skip
    act(client, t, "note", text="called back, all good")
    assert t.events.filter(reason="note: called back, all good", actor=admin).exists()
    act(client, t, "release", reason="confirmed by phone")
    t.refresh_from_db()
    assert t.status == S.PAYOUT_PENDING


def test_a_refused_action_says_why_and_changes_nothing(client):
    as_role(client, "admin")
    t = f.held_transfer()
    ScreeningHit.objects.create(party="sender", party_id=t.customer_id, screened_name="x",
                                entry=_entry(), entry_fingerprint="f", matched_name="x",
                                score="0.9")  # fmt: skip
    answer = act(client, t, "release", reason="looks fine")
    assert answer.status_code == 302
    t.refresh_from_db()
    assert t.status == S.ON_HOLD
    page = client.get(answer["Location"])
    assert "still to be decided" in page.text


def test_retry_and_refund_of_a_failed_payout(client):
    as_role(client, "admin")
    t = failed_transfer()
    act(client, t, "retry", reason="try again", provider="wave")
    t.refresh_from_db()
    assert t.status == S.PAYOUT_PENDING and t.payout_provider == "wave"
    f.run_jobs()
    act(client, t, "refund", reason="wallet does not exist")
    t.refresh_from_db()
    assert t.status == S.REFUNDED


def test_bulk_release_previews_then_releases_only_what_may_go(client):
    as_role(client, "compliance")
    free = f.held_transfer("held by staff")
    blocked = f.held_transfer()
    ScreeningHit.objects.create(party="sender", party_id=blocked.customer_id, screened_name="x",
                                entry=_entry(), entry_fingerprint="f", matched_name="x",
                                score="0.9")  # fmt: skip
    selection = {"action": "release_selected", "_selected_action": [free.pk, blocked.pk]}
    preview = client.post(reverse(LIST), selection)
    assert preview.status_code == 200
    assert "1 transfer will go ahead" in preview.text and "still to be decided" in preview.text
    free.refresh_from_db()
    assert free.status == S.ON_HOLD  # the preview wrote nothing
    client.post(reverse(LIST), {"action": "release_selected", "_selected_action": [free.pk],
                                "confirm": "yes", "reason": "reviewed"})  # fmt: skip
    free.refresh_from_db()
    blocked.refresh_from_db()
    assert free.status == S.PAYOUT_PENDING and blocked.status == S.ON_HOLD


def _entry():
    from compliance.models import SanctionsEntry, SanctionsListVersion

    version = SanctionsListVersion.objects.create(source="un", checksum="c", file_name="f")
    return SanctionsEntry.objects.create(version=version, source="un", source_uid="1",
                                         kind="person", name="X", match_names=["x"],
                                         fingerprint="f")  # fmt: skip
