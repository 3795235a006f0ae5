"""The finance reports: for a period, the header row and the rows, read from the database in
chunks (a server-side cursor on PostgreSQL), so that no report is ever held whole in memory.

Amounts are in major units as exact decimals (never floats), beside their currency.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from payments.models import PayoutAttempt, Posting, Transfer
from payments.money import exponent
from reconciliation.models import ReconItem

CHUNK = 2000


def major(minor: int | None, currency: str) -> Decimal | None:
    return None if minor is None else Decimal(minor).scaleb(-exponent(currency))


def bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """From the start of `start` to the end of `end`, in the console's time zone."""
    tz = timezone.get_default_timezone()
    return (datetime.combine(start, time.min, tzinfo=tz),
            datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz))  # fmt: skip


def _transfers(start, end) -> Iterator[tuple]:
    rows = (
        Transfer.objects.filter(created_at__gte=start, created_at__lt=end)
        .order_by("created_at", "pk")
        .values_list("reference", "created_at", "status", "corridor__code", "payout_provider",
                     "send_currency", "send_amount_minor", "fee_minor", "total_minor",
                     "receive_currency", "receive_amount_minor", "rate", "funded_at",
                     "paid_out_at", "customer_id")
    )  # fmt: skip
    for row in rows.iterator(CHUNK):
        cur, rcur = row[5], row[9]
        yield (*row[:6], major(row[6], cur), major(row[7], cur), major(row[8], cur), rcur,
               major(row[10], rcur), *row[11:])  # fmt: skip


def _postings(start, end) -> Iterator[tuple]:
    rows = (
        Posting.objects.filter(entry__created_at__gte=start, entry__created_at__lt=end)
        .order_by("entry__created_at", "pk")
        .values_list("entry_id", "entry__created_at", "entry__kind", "entry__transfer__reference",
                     "account__code", "currency", "amount_minor", "entry__memo")
    )  # fmt: skip
    for entry, at, kind, ref, account, cur, amount, memo in rows.iterator(CHUNK):
        yield entry, at, kind, ref or "", account, cur, major(amount, cur), memo


def _fee_revenue(start, end) -> Iterator[tuple]:
    rows = (
        Transfer.objects.filter(paid_out_at__gte=start, paid_out_at__lt=end, status="paid_out")
        .annotate(day=TruncDate("paid_out_at"))
        .values("day", "corridor__code", "send_currency")
        .annotate(n=Count("pk"), fees=Sum("fee_minor"), sent=Sum("send_amount_minor"))
        .order_by("day", "corridor__code")
    )
    for r in rows.iterator(CHUNK):
        cur = r["send_currency"]
        yield (r["day"], r["corridor__code"], r["n"], cur, major(r["fees"], cur),
               major(r["sent"], cur))  # fmt: skip


def _settlements(start, end) -> Iterator[tuple]:
    rows = (
        PayoutAttempt.objects.filter(finished_at__gte=start, finished_at__lt=end,
                                     status=PayoutAttempt.Status.SUCCEEDED)
        .order_by("finished_at", "pk")
        .values_list("provider", "reference", "provider_ref", "finished_at",
                     "transfer__receive_currency", "transfer__receive_amount_minor",
                     "transfer__reference")
    )  # fmt: skip
    for provider, ref, provider_ref, at, cur, amount, transfer in rows.iterator(CHUNK):
        yield provider, ref, provider_ref, at, cur, major(amount, cur), transfer


def _reconciliation(start, end) -> Iterator[tuple]:
    rows = (
        ReconItem.objects.filter(statement__imported_at__gte=start,
                                 statement__imported_at__lt=end)
        .order_by("statement_id", "pk")
        .values_list("statement_id", "source", "side", "line_no", "reference", "booked_at",
                     "currency", "amount_minor", "expected_minor", "result", "resolution")
    )  # fmt: skip
    for stmt, source, side, line, ref, at, cur, amount, expected, result, why in rows.iterator(
        CHUNK
    ):
        yield (stmt, source, side, line, ref, at, cur,
               major(amount, cur) if side == "statement" else None, major(expected, cur),
               result, why)  # fmt: skip


@dataclass(frozen=True)
class Report:
    title: str
    header: tuple[str, ...]
    rows: Callable[[datetime, datetime], Iterator[tuple]]


REPORTS = {
    "transfers": Report("Transfers", (
        "reference", "created_at", "status", "corridor", "provider", "send_currency", "sent",
        "fee", "total_paid", "receive_currency", "received", "rate", "funded_at", "paid_out_at",
        "customer_id"), _transfers),
    "postings": Report("Ledger postings", (
        "entry", "created_at", "kind", "transfer", "account", "currency", "amount", "memo"),
        _postings),
    "fee_revenue": Report("Fee revenue by day and corridor", (
        "day", "corridor", "transfers_paid_out", "currency", "fees", "sent"), _fee_revenue),
    "settlements": Report("Provider settlements", (
        "provider", "attempt", "provider_reference", "settled_at", "currency", "amount",
        "transfer"), _settlements),
    "reconciliation": Report("Reconciliation results", (
        "statement", "source", "side", "line", "reference", "booked_at", "currency",
        "statement_amount", "our_amount", "result", "resolution"), _reconciliation),
}  # fmt: skip


def rows_of(report: str, start: date, end: date) -> Iterator[tuple]:
    return REPORTS[report].rows(*bounds(start, end))
