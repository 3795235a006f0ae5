"""The ledger: balanced, idempotent, append-only, and enforced by PostgreSQL itself."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction

from payments import ledger
from payments.errors import UnbalancedEntry
from payments.ledger import credit, debit, post_entry
from payments.ledger_check import check_ledger
from payments.models import Account, JournalEntry, Posting
from tests import factories as f

pytestmark = pytest.mark.django_db


def force_deferred_checks():
    """Run the deferred constraint triggers now, as COMMIT would."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_post_entry_writes_balanced_lines_once_per_key():
    lines = [debit("stripe_clearing", "EUR", 500), credit("in_flight", "EUR", 500)]
    first = post_entry(kind="test", idempotency_key="k1", lines=lines)
    again = post_entry(kind="test", idempotency_key="k1", lines=lines)
    assert again.pk == first.pk
    assert Posting.objects.count() == 2
    assert ledger.balance("stripe_clearing", "EUR") == 500
    assert ledger.balance("in_flight", "EUR") == -500
    assert Account.objects.get(code="in_flight", currency="EUR").kind == Account.Kind.LIABILITY


@pytest.mark.parametrize(
    "lines",
    [
        [debit("stripe_clearing", "EUR", 500), credit("in_flight", "EUR", 499)],
        [debit("stripe_clearing", "EUR", 500)],
        [debit("stripe_clearing", "EUR", 500), credit("in_flight", "XOF", 500)],
    ],
    ids=["unequal", "one-line", "mixed-currency"],
)
def test_post_entry_refuses_unbalanced_lines_and_writes_nothing(lines):
    with pytest.raises(UnbalancedEntry):
        post_entry(kind="test", idempotency_key="bad", lines=lines)
    assert not JournalEntry.objects.exists() and not Posting.objects.exists()


def test_post_entry_needs_the_callers_transaction(transactional_db):
    with pytest.raises(RuntimeError):
        post_entry(
            kind="test",
            idempotency_key="k",
            lines=[debit("stripe_clearing", "EUR", 1), credit("in_flight", "EUR", 1)],
        )


def test_reversal_negates_an_entry_once():
    entry = post_entry(
        kind="test",
        idempotency_key="k2",
        lines=[debit("stripe_clearing", "EUR", 700), credit("in_flight", "EUR", 700)],
    )
    reversal = ledger.reverse_entry(entry)
    assert ledger.reverse_entry(entry).pk == reversal.pk
    assert reversal.reverses_id == entry.pk
    assert ledger.balance("stripe_clearing", "EUR") == 0
    assert ledger.balance("in_flight", "EUR") == 0


def _raw_entry(key: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO payments_journalentry (kind, idempotency_key, memo, created_at)"
            " VALUES ('raw', %s, '', now()) RETURNING id",
            [key],
        )
        return cursor.fetchone()[0]


def _account(code: str, currency: str = "EUR") -> int:
    return ledger.get_account(code, currency).pk


def _raw_postings(key: str, *rows: tuple[int, int]) -> int:
    """Insert an entry and its postings (account id, EUR amount) with plain SQL, no checks."""
    entry = _raw_entry(key)
    with connection.cursor() as cursor:
        for account, amount in rows:
            cursor.execute(
                "INSERT INTO payments_posting (entry_id, account_id, amount_minor, currency)"
                " VALUES (%s, %s, %s, 'EUR')",
                [entry, account, amount],
            )
    return entry


def test_database_refuses_a_raw_unbalanced_entry_at_commit():
    a, b = _account("stripe_clearing"), _account("in_flight")
    with pytest.raises(IntegrityError, match="unbalanced in EUR"), transaction.atomic():
        _raw_postings("raw-1", (a, 100), (b, -99))
        force_deferred_checks()
    assert not JournalEntry.objects.filter(idempotency_key="raw-1").exists()


def test_database_refuses_an_entry_without_postings():
    with pytest.raises(IntegrityError, match="needs at least two"), transaction.atomic():
        _raw_entry("raw-2")
        force_deferred_checks()


def test_database_refuses_a_posting_in_another_currency_than_its_account():
    eur, xof = _account("stripe_clearing"), _account("float:wave", "XOF")
    with pytest.raises(IntegrityError, match="another currency"), transaction.atomic():
        _raw_postings("raw-3", (eur, 100), (xof, -100))
        force_deferred_checks()


def test_database_accepts_a_balanced_raw_entry():
    a, b = _account("stripe_clearing"), _account("in_flight")
    with transaction.atomic():
        entry = _raw_postings("raw-ok", (a, 100), (b, -100))
        force_deferred_checks()
    assert Posting.objects.filter(entry_id=entry).count() == 2


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE payments_posting SET amount_minor = amount_minor * 2",
        "DELETE FROM payments_posting",
        "UPDATE payments_journalentry SET memo = 'edited'",
        "DELETE FROM payments_journalentry",
    ],
)
def test_ledger_rows_cannot_be_edited_or_deleted(sql):
    post_entry(
        kind="test",
        idempotency_key="k3",
        lines=[debit("stripe_clearing", "EUR", 100), credit("in_flight", "EUR", 100)],
    )
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert Posting.objects.filter(amount_minor=100).count() == 1


def test_committed_unbalanced_insert_fails_for_real(transactional_db):
    """The same guarantee without SET CONSTRAINTS: a real COMMIT is refused."""
    a, b = _account("stripe_clearing"), _account("in_flight")
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw_postings("raw-commit", (a, 100), (b, -1))
    assert not JournalEntry.objects.exists()


def test_check_ledger_passes_on_a_real_lifecycle_and_reports_breaches(corridors, capsys):
    t = f.funded_transfer()
    f.run_jobs()
    call_command("check_ledger")
    assert "Ledger OK" in capsys.readouterr().out

    # A balanced entry that moves a transfer's money somewhere it should not be.
    post_entry(
        kind="mistake",
        idempotency_key="mistake",
        transfer=t,
        lines=[debit("in_flight", "EUR", 100), credit("fee_revenue", "EUR", 100)],
    )
    report = check_ledger()
    assert not report.ok
    assert any(t.reference in p and "does not tie" in p for p in report.problems)
    with pytest.raises(CommandError, match="Ledger BROKEN"):
        call_command("check_ledger")
    assert t.reference in capsys.readouterr().err
    # Leave the ledger whole for the after-test check.
    ledger.reverse_entry(JournalEntry.objects.get(idempotency_key="mistake"))


def test_check_ledger_reports_a_liability_on_the_wrong_side():
    post_entry(
        kind="mistake",
        idempotency_key="neg",
        lines=[debit("refunds_payable", "EUR", 100), credit("stripe_clearing", "EUR", 100)],
    )
    report = check_ledger()
    assert any("refunds_payable:EUR is negative" in p for p in report.problems)
    assert any("stripe_clearing:EUR is negative" in p for p in report.problems)
    ledger.reverse_entry(JournalEntry.objects.get(idempotency_key="neg"))
