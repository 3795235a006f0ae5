"""Ledger postings: the one place that writes journal entries.

Every money movement of a transfer is one balanced entry with a deterministic
idempotency key ``<transfer id>:<kind>``, so a replayed job or webhook cannot post twice.
Corrections are reversing entries; nothing here updates or deletes a posting.

Chart of accounts (code, per currency):
    stripe_clearing   asset      euros Stripe holds for us
    in_flight         liability  senders' euros received, not yet converted or returned
    fee_revenue       revenue    our transfer fees
    fx_position       asset      currency bought and sold; settled by treasury (may go negative)
    fx_margin         revenue    our FX margin, in the payout currency
    fx_rounding       revenue    what rounding a conversion down leaves over
    payout_payable    liability  payout-currency amounts owed to recipients
    float:<provider>  asset      our prefunded balance at a payout provider (may go negative
                                 until float top-ups are booked by treasury)
    refunds_payable   liability  euros owed back to senders
    unmatched_funds   liability  euros received that fund no transfer, until refunded
    dispute_losses    expense    direct debits the sender's bank pulled back after the payout
    customer_balances liability  senders' money Stripe holds in their cash balance, applied to
                                 no payment (over-payments, partial payments left over)
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Sum

from payments.errors import UnbalancedEntry
from payments.models import Account, JournalEntry, Posting, Transfer

K = Account.Kind
CHART: dict[str, tuple[str, bool, str]] = {
    # code: (kind, allow_negative, name)
    "stripe_clearing": (K.ASSET, False, "Stripe clearing"),
    "in_flight": (K.LIABILITY, False, "Customer funds in flight"),
    "fee_revenue": (K.REVENUE, False, "Fee revenue"),
    "fx_position": (K.ASSET, True, "FX position"),
    "fx_margin": (K.REVENUE, False, "FX margin revenue"),
    "fx_rounding": (K.REVENUE, False, "FX rounding remainder"),
    "payout_payable": (K.LIABILITY, False, "Payouts payable"),
    "float": (K.ASSET, True, "Provider float"),
    "refunds_payable": (K.LIABILITY, False, "Refunds payable"),
    "unmatched_funds": (K.LIABILITY, False, "Unmatched incoming funds"),
    "dispute_losses": (K.EXPENSE, False, "Disputed direct debits lost"),
    "bank": (K.ASSET, True, "Bank account"),
    # Differences found by reconciliation and accepted by finance (either sign).
    "reconciliation_adjustments": (K.EXPENSE, True, "Reconciliation adjustments"),
    # May go briefly negative: Stripe's "applied" can arrive before its "funded".
    "customer_balances": (K.LIABILITY, True, "Senders' Stripe cash balances"),
}


@dataclass(frozen=True, slots=True)
class Line:
    account: str  # chart code, e.g. "in_flight" or "float:wave"
    currency: str
    amount_minor: int  # > 0 debit, < 0 credit


def debit(account: str, currency: str, amount: int) -> Line:
    return Line(account, currency, amount)


def credit(account: str, currency: str, amount: int) -> Line:
    return Line(account, currency, -amount)


def _chart_entry(code: str) -> tuple[str, bool, str]:
    return CHART[code.split(":", 1)[0]]


def _accounts(pairs: set[tuple[str, str]]) -> dict[tuple[str, str], Account]:
    """Fetch (creating on first use) the accounts for (code, currency) pairs in one query."""
    codes = {code for code, _ in pairs}
    found = {(a.code, a.currency): a for a in Account.objects.filter(code__in=codes)}
    # Sorted, so two workers creating the same new accounts take their locks in one order.
    for code, currency in sorted(pairs - found.keys()):
        kind, allow_negative, name = _chart_entry(code)
        found[(code, currency)], _ = Account.objects.get_or_create(
            code=code,
            currency=currency,
            defaults={"kind": kind, "allow_negative": allow_negative, "name": f"{name} {code}"},
        )
    return found


def get_account(code: str, currency: str) -> Account:
    return _accounts({(code, currency)})[(code, currency)]


def check_balanced(lines: Sequence[Line]) -> None:
    if len(lines) < 2:
        raise UnbalancedEntry("a journal entry needs at least two lines")
    totals: dict[str, int] = defaultdict(int)
    for line in lines:
        if line.amount_minor == 0:
            raise UnbalancedEntry(f"zero line on {line.account}")
        totals[line.currency] += line.amount_minor
    unbalanced = {c: t for c, t in totals.items() if t}
    if unbalanced:
        raise UnbalancedEntry(f"debits and credits differ: {unbalanced}")


def post_entry(
    *,
    kind: str,
    idempotency_key: str,
    lines: Sequence[Line],
    transfer: Transfer | None = None,
    memo: str = "",
    reverses: JournalEntry | None = None,
) -> JournalEntry:
    """Append one balanced entry; with a key already used, return the first entry unchanged.

    The caller owns the transaction, so the state change and its money commit together.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("post_entry must run inside the caller's transaction")
    existing = JournalEntry.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    lines = [line for line in lines if line.amount_minor != 0]
    check_balanced(lines)
    accounts = _accounts({(line.account, line.currency) for line in lines})
    entry = JournalEntry.objects.create(
        kind=kind, idempotency_key=idempotency_key, transfer=transfer, memo=memo, reverses=reverses
    )
    Posting.objects.bulk_create(
        Posting(
            entry=entry,
            account=accounts[(line.account, line.currency)],
            amount_minor=line.amount_minor,
            currency=line.currency,
        )
        for line in lines
    )
    return entry


def reverse_entry(entry: JournalEntry, *, memo: str = "") -> JournalEntry:
    """Post the exact negation of an entry (idempotent: one reversal per entry)."""
    lines = [
        Line(p.account.code, p.currency, -p.amount_minor)
        for p in entry.postings.select_related("account")
    ]
    return post_entry(
        kind=f"{entry.kind}_reversal",
        idempotency_key=f"{entry.idempotency_key}:reversal",
        lines=lines,
        transfer=entry.transfer,
        memo=memo or f"reverses {entry.idempotency_key}",
        reverses=entry,
    )


# --- The entries of a transfer's lifecycle -----------------------------------------------------


def _key(transfer: Transfer, kind: str) -> str:
    return f"{transfer.pk}:{kind}"


def post_funding(transfer: Transfer) -> JournalEntry:
    cur, total = transfer.send_currency, transfer.total_minor
    return post_entry(
        kind="funding",
        idempotency_key=_key(transfer, "funding"),
        transfer=transfer,
        lines=[debit("stripe_clearing", cur, total), credit("in_flight", cur, total)],
    )


def post_conversion(transfer: Transfer) -> JournalEntry:
    """Euros in flight become fee revenue plus payout currency owed to the recipient.

    In the payout currency the mid-market value of the principal is split exactly into
    what the recipient gets, our FX margin and the rounding remainder: nothing is lost.
    """
    q = transfer.quote
    src, dst = transfer.send_currency, transfer.receive_currency
    mid_value = transfer.receive_amount_minor + q.fx_margin_minor + q.rounding_minor
    return post_entry(
        kind="conversion",
        idempotency_key=_key(transfer, "conversion"),
        transfer=transfer,
        lines=[
            debit("in_flight", src, transfer.total_minor),
            credit("fee_revenue", src, transfer.fee_minor),
            credit("fx_position", src, transfer.send_amount_minor),
            debit("fx_position", dst, mid_value),
            credit("payout_payable", dst, transfer.receive_amount_minor),
            credit("fx_margin", dst, q.fx_margin_minor),
            credit("fx_rounding", dst, q.rounding_minor),
        ],
    )


def post_payout(transfer: Transfer, provider: str) -> JournalEntry:
    cur, amount = transfer.receive_currency, transfer.receive_amount_minor
    return post_entry(
        kind="payout",
        idempotency_key=_key(transfer, "payout"),
        transfer=transfer,
        lines=[debit("payout_payable", cur, amount), credit(f"float:{provider}", cur, amount)],
    )


def post_refund(transfer: Transfer) -> JournalEntry:
    """Owe the sender their euros back, undoing the conversion first if there was one."""
    conversion = JournalEntry.objects.filter(idempotency_key=_key(transfer, "conversion")).first()
    if conversion is not None:
        reverse_entry(conversion, memo="conversion undone for refund")
    cur, total = transfer.send_currency, transfer.total_minor
    return post_entry(
        kind="refund",
        idempotency_key=_key(transfer, "refund"),
        transfer=transfer,
        lines=[debit("in_flight", cur, total), credit("refunds_payable", cur, total)],
    )


def post_refund_paid(*, key: str, transfer: Transfer | None, currency: str, amount: int, memo=""):
    """Euros owed back have left our Stripe balance (a refund, or a debit the bank reversed)."""
    return post_entry(
        kind="refund_paid",
        idempotency_key=key,
        transfer=transfer,
        memo=memo[:200],
        lines=[
            debit("refunds_payable", currency, amount),
            credit("stripe_clearing", currency, amount),
        ],
    )


# --- Balances -------------------------------------------------------------------------------


def balance(code: str, currency: str) -> int:
    """Signed sum of postings (debits positive) of one account."""
    total = Posting.objects.filter(account__code=code, account__currency=currency).aggregate(
        s=Sum("amount_minor")
    )["s"]
    return total or 0


def balances_by_transfer(transfer_ids: Iterable[int]) -> dict[int, dict[tuple[str, str], int]]:
    """Per transfer, the signed sum of its postings by (account code, currency): one query."""
    rows = (
        Posting.objects.filter(entry__transfer_id__in=list(transfer_ids))
        .values_list("entry__transfer_id", "account__code", "currency")
        .annotate(s=Sum("amount_minor"))
    )
    out: dict[int, dict[tuple[str, str], int]] = defaultdict(dict)
    for transfer_id, code, currency, total in rows:
        out[transfer_id][(code, currency)] = total
    return out
