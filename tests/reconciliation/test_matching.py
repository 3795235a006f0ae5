"""Reconciliation of statements containing matched, missing, extra, duplicated and
mis-amounted lines, for a provider, Stripe and the bank (camt.053); resolving what is left,
with an adjusting ledger entry when the books were wrong."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone

from payments.funding import funding_receive
from payments.ledger_check import check_ledger
from payments.models import JournalEntry, PayoutAttempt
from payments.treasury import float_top_up
from reconciliation.formats import StatementError
from reconciliation.matching import reconcile, summary
from reconciliation.models import ReconItem, Statement
from reconciliation.services import AlreadyImported, item_resolve, statement_import
from tests import factories as f
from tests.backoffice.test_dashboard import paid_transfer

pytestmark = pytest.mark.usefixtures("corridors")
R = ReconItem.Result


def wave_csv(rows: list[tuple]) -> io.BytesIO:
    lines = ["timestamp,transaction_id,transaction_type,amount,fee,currency,client_reference"]
    lines += [",".join(str(v) for v in row) for row in rows]
    return io.BytesIO("\n".join(lines).encode())


def results(statement, side=None) -> dict[str, str]:
    items = statement.items.filter(side=side) if side else statement.items.all()
    return {i.reference or f"#{i.pk}": i.result for i in items}


@pytest.fixture
def paid():
    """Three Wave payouts paid today."""
    attempts = []
    for _ in range(3):
        t = paid_transfer(2)
        attempts.append(PayoutAttempt.objects.select_related("transfer").get(transfer=t))
    return attempts


def test_a_provider_statement_with_every_kind_of_line(paid):
    a, b, c = paid
    today = timezone.now().isoformat()
    rows = [
        (today, "T1", "payout", -a.transfer.receive_amount_minor, 0, "XOF", a.reference),
        # b is paid on our side but missing from the statement
        (today, "T3", "payout", -(c.transfer.receive_amount_minor + 500), 0, "XOF", c.reference),
        (today, "T4", "payout", -10_000, 0, "XOF", "MB-ZZZZ-ZZZZ-1"),  # not ours
        (today, "T1", "payout", -a.transfer.receive_amount_minor, 0, "XOF", a.reference),  # again
    ]
    statement = statement_import(source="wave", stream=wave_csv(rows), file_name="wave.csv")
    items = list(statement.items.order_by("pk"))
    assert [i.result for i in items if i.side == "statement"] == [
        R.MATCHED, R.AMOUNT_MISMATCH, R.UNMATCHED, R.DUPLICATE,
    ]  # fmt: skip
    assert (
        items[0].attempt_id == a.pk and items[1].expected_minor == -c.transfer.receive_amount_minor
    )
    (missing,) = [i for i in items if i.side == "books"]
    assert (missing.result, missing.attempt_id, missing.reference) == (R.MISSING, b.pk, b.reference)
    assert statement.lines == 4 and statement.period_start == timezone.now().date()
    first = summary(statement)
    assert reconcile(statement) == first  # run again: the same result, nothing added
    assert statement.items.count() == len(items)


def test_the_provider_reference_matches_too_and_dates_far_apart_do_not(paid, settings):
    a, b, _c = paid
    long_ago = (timezone.now() - timedelta(days=30)).isoformat()
    rows = [
        (timezone.now().isoformat(), a.provider_ref, "payout", -a.transfer.receive_amount_minor, 0,
         "XOF", ""),
        (long_ago, "X", "payout", -b.transfer.receive_amount_minor, 0, "XOF", b.reference),
    ]  # fmt: skip
    statement = statement_import(source="wave", stream=wave_csv(rows), file_name="w.csv")
    by_ref = results(statement, side="statement")
    assert by_ref[a.provider_ref] == R.MATCHED
    assert by_ref[b.reference] == R.UNMATCHED  # same reference, a month away: not this payout


def test_the_same_file_twice_is_refused_and_a_bad_file_writes_nothing(paid):
    rows = [(timezone.now().isoformat(), "T1", "payout", -100, 0, "XOF", "x")]
    statement_import(source="wave", stream=wave_csv(rows), file_name="a.csv")
    with pytest.raises(AlreadyImported):
        statement_import(source="wave", stream=wave_csv(rows), file_name="again.csv")
    before, statements = ReconItem.objects.count(), Statement.objects.count()
    with pytest.raises(StatementError):
        statement_import(source="wave", stream=io.BytesIO(b"date,amount,currency\nx,abc,XOF"),
                         file_name="bad.csv")  # fmt: skip
    assert ReconItem.objects.count() == before
    assert Statement.objects.count() == statements  # the failed file left no statement behind


def test_orange_and_mtn_reports_read_by_column_name(db):
    t = paid_transfer(2, corridor="fr-ci", provider="orange_money")
    attempt = PayoutAttempt.objects.get(transfer=t)
    report = (
        "Date;Transaction ID;Partner Reference;Type;Amount;Currency;Status\n"
        f"{timezone.now():%Y-%m-%d %H:%M:%S};OM1;{attempt.reference};CASHIN;"
        f"{t.receive_amount_minor};XOF;SUCCESS\n"
        f"{timezone.now():%Y-%m-%d %H:%M:%S};OM2;MB-AAAA-AAAA-1;CASHIN;5000;XOF;FAILED\n"
    )
    statement = statement_import(source="orange_money", stream=io.BytesIO(report.encode()),
                                 file_name="om.csv")  # fmt: skip
    assert results(statement) == {attempt.reference: R.MATCHED}  # the failed line moved nothing


def test_stripe_balance_transactions_match_incoming_payments(db):
    t = f.transfer()
    payment = funding_receive(payment_ref="pi_3Test", amount_minor=t.total_minor, currency="EUR",
                              transfer_reference=t.reference)  # fmt: skip
    day, ref = timezone.now().strftime("%Y-%m-%d %H:%M"), payment.payment_ref
    export = (
        "id,Type,Source,Amount,Fee,Net,Currency,Created (UTC),Description,payment_intent_id\n"
        f"txn_1,payment,py_1,{t.total_minor / 100:.2f},0,0,eur,{day},Funding,{ref}\n"
        f"txn_2,stripe_fee,,-1.50,0,0,eur,{day},Billing fee,\n"
    )
    statement = statement_import(source="stripe", stream=io.BytesIO(export.encode()),
                                 file_name="stripe.csv")  # fmt: skip
    lines = {i.description: i.result for i in statement.items.filter(side="statement")}
    assert lines == {"Funding": R.MATCHED, "Billing fee": R.UNMATCHED}


CAMT = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt>
<Id>STMT-1</Id>
<Ntry><Amt Ccy="EUR">1500.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><BookgDt><Dt>{day}</Dt></BookgDt>
 <NtryDtls><TxDtls><Refs><EndToEndId>TOPUP-WAVE-1</EndToEndId></Refs></TxDtls></NtryDtls></Ntry>
<Ntry><Amt Ccy="EUR">250.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>{day}</Dt></BookgDt>
 <NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
 <RmtInf><Ustrd>STRIPE PAYOUT po_123</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
</Stmt></BkToCstmrStmt></Document>"""


def test_a_camt053_bank_statement_matches_float_top_ups(db):
    float_top_up(provider="wave", currency="XOF", amount_minor=983_935, reference="TOPUP-WAVE-1")
    float_top_up(provider="wave", currency="XOF", amount_minor=10_000, reference="TOPUP-WAVE-2")
    xml = CAMT.format(day=timezone.now().date().isoformat())
    statement = statement_import(source="bank", stream=io.BytesIO(xml.encode()),
                                 file_name="camt053.xml")  # fmt: skip
    by_ref = results(statement)
    assert by_ref["TOPUP-WAVE-1"] == R.MATCHED
    assert by_ref["STRIPE PAYOUT po_123"] == R.UNMATCHED
    assert by_ref["TOPUP-WAVE-2"] == R.MISSING  # booked, but the bank shows no such payment
    line = statement.items.get(reference="TOPUP-WAVE-1")
    assert (line.amount_minor, line.currency) == (-150_000, "EUR")
    with pytest.raises(StatementError):
        statement_import(source="bank", stream=io.BytesIO(b"<Document/>"), file_name="x.xml")


def test_finance_resolves_an_item_and_an_adjustment_keeps_the_ledger_balanced(
    paid, django_user_model
):
    a, _b, c = paid
    today = timezone.now().isoformat()
    rows = [
        (today, "T3", "payout", -(c.transfer.receive_amount_minor + 500), 0, "XOF", c.reference)
    ]
    statement = statement_import(source="wave", stream=wave_csv(rows), file_name="w.csv")
    mismatch = statement.items.get(result=R.AMOUNT_MISMATCH)
    finance = django_user_model.objects.create_user("finance-1")
    with pytest.raises(Exception, match="say why"):
        item_resolve(item_id=mismatch.pk, reason=" ", actor=finance)
    item_resolve(item_id=mismatch.pk, reason="Wave charged a 500 XOF fee", adjust=True,
                 actor=finance)  # fmt: skip
    mismatch.refresh_from_db()
    assert mismatch.result == R.RESOLVED and mismatch.resolved_by == finance
    postings = {(p.account.code, p.amount_minor) for p in mismatch.adjustment.postings.all()}
    assert postings == {("float:wave", -500), ("reconciliation_adjustments", 500)}
    assert check_ledger().problems == []
    with pytest.raises(Exception, match="nothing to resolve"):
        item_resolve(item_id=mismatch.pk, reason="again", adjust=True, actor=finance)
    adjustments = JournalEntry.objects.filter(kind="reconciliation_adjustment")
    assert adjustments.count() == 1  # a second resolution posts nothing
    missing = statement.items.filter(result=R.MISSING).first()
    item_resolve(item_id=missing.pk, reason="on tomorrow's statement", actor=finance)
    with pytest.raises(Exception, match="nothing to resolve"):
        item_resolve(item_id=missing.pk, reason="again", actor=finance)
    assert a.pk  # matched line untouched
