"""Ledger invariants, checked by `manage.py check_ledger` and after every lifecycle test.

1. Every journal entry balances per currency and has at least two postings.
2. No account whose kind forbids it has a balance on the wrong side.
3. Every transfer's postings tie its lifecycle: what was funded is what was converted,
   and what was converted was paid out or refunded; nothing is left behind.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Sum

from payments.ledger import balances_by_transfer
from payments.models import Account, IncomingPayment, JournalEntry, Posting, Refund, Transfer
from payments.models.funding import DisputeBooking, DisputeStatus
from payments.states import CONVERTED, HOLDING_FUNDS
from payments.states import TransferStatus as S


@dataclass
class LedgerReport:
    problems: list[str] = field(default_factory=list)
    entries: int = 0
    transfers: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _unbalanced_entries(report: LedgerReport) -> None:
    for entry_id, currency, total in (
        Posting.objects.values_list("entry_id", "currency")
        .annotate(s=Sum("amount_minor"))
        .exclude(s=0)
        .order_by("entry_id")[:100]
    ):
        report.problems.append(f"entry {entry_id} is unbalanced in {currency} by {total}")
    for entry_id in (
        JournalEntry.objects.annotate(n=Count("postings"))
        .filter(n__lt=2)
        .values_list("pk", flat=True)[:100]
    ):
        report.problems.append(f"entry {entry_id} has fewer than two postings")


def _negative_accounts(report: LedgerReport) -> None:
    sums = Posting.objects.values("account_id").annotate(s=Sum("amount_minor"))
    totals = {row["account_id"]: row["s"] for row in sums}
    for account in Account.objects.filter(allow_negative=False):
        signed = totals.get(account.pk, 0)
        normal = signed if account.debit_normal else -signed
        if normal < 0:
            report.problems.append(f"account {account} is negative: {normal} {account.currency}")


def expected_balances(
    t: Transfer, *, refund_paid: bool = False, dispute_loss: bool = False
) -> dict[tuple[str, str], int]:
    """What a transfer's postings must sum to per (account, currency) in its status.

    Debits are positive. A refund after conversion reverses the conversion, so only the
    net of the two shows. A paid refund (or a debit the bank reversed before payout) has left
    Stripe; a debit reversed after payout is our loss.
    """
    src, dst, total = t.send_currency, t.receive_currency, t.total_minor
    funded = t.funded_at is not None
    exp: dict[tuple[str, str], int] = defaultdict(int)
    if funded:
        exp[("stripe_clearing", src)] = total
    if t.status in HOLDING_FUNDS:
        exp[("in_flight", src)] = -total
    if t.status == S.REFUNDED:
        exp[("refunds_payable", src)] = -total
        if refund_paid:
            exp[("refunds_payable", src)] += total
            exp[("stripe_clearing", src)] -= total
    if dispute_loss:
        exp[("stripe_clearing", src)] -= total
        exp[("dispute_losses", src)] += total
    if t.status in CONVERTED:
        q = t.quote
        exp[("fee_revenue", src)] = -t.fee_minor
        exp[("fx_position", src)] = -t.send_amount_minor
        exp[("fx_position", dst)] = t.receive_amount_minor + q.fx_margin_minor + q.rounding_minor
        exp[("fx_margin", dst)] = -q.fx_margin_minor
        exp[("fx_rounding", dst)] = -q.rounding_minor
        if t.status == S.PAID_OUT:
            exp[("float", dst)] = -t.receive_amount_minor
        else:
            exp[("payout_payable", dst)] = -t.receive_amount_minor
    return {k: v for k, v in exp.items() if v}


def _transfer_ties(report: LedgerReport, batch: int = 2000) -> None:
    qs = Transfer.objects.select_related("quote").order_by("pk")
    last = 0
    while True:
        transfers = list(qs.filter(pk__gt=last)[:batch])
        if not transfers:
            return
        last = transfers[-1].pk
        ids = [t.pk for t in transfers]
        actual_by_transfer = balances_by_transfer(ids)
        refund_paid = set(
            Refund.objects.filter(transfer_id__in=ids, status=Refund.Status.SUCCEEDED).values_list(
                "transfer_id", flat=True
            )
        )
        disputed = IncomingPayment.objects.filter(transfer_id__in=ids).exclude(dispute_ref="")
        refund_paid |= set(
            disputed.filter(dispute_booked_as=DisputeBooking.REFUND).values_list(
                "transfer_id", flat=True
            )
        )
        lost = set(
            disputed.filter(dispute_booked_as=DisputeBooking.LOSS)
            .exclude(dispute_status=DisputeStatus.WON)
            .values_list("transfer_id", flat=True)
        )
        for t in transfers:
            report.transfers += 1
            actual: dict[tuple[str, str], int] = defaultdict(int)
            for (code, currency), total in actual_by_transfer.get(t.pk, {}).items():
                actual[(code.split(":", 1)[0], currency)] += total
            actual = {k: v for k, v in actual.items() if v}
            expected = expected_balances(
                t, refund_paid=t.pk in refund_paid, dispute_loss=t.pk in lost
            )
            if actual != expected:
                report.problems.append(
                    f"transfer {t.reference} ({t.status}) does not tie: expected "
                    f"{dict(sorted(expected.items()))}, found {dict(sorted(actual.items()))}"
                )


def check_ledger() -> LedgerReport:
    report = LedgerReport(entries=JournalEntry.objects.count())
    _unbalanced_entries(report)
    _negative_accounts(report)
    _transfer_ties(report)
    return report
