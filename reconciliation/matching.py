"""Matching a statement against our books, in a handful of set-based statements (no loop over
lines: a million-line statement is reconciled by the database).

A line matches when its reference names one of our records (a payout attempt by our or the
provider's reference, a Stripe payment by its PaymentIntent or our transfer reference, a ledger
entry by the bank reference of a float top-up), the amounts and currencies agree, and the dates
are within RECON_DATE_WINDOW_DAYS. A line whose reference an earlier line already carried is a
duplicate. Our records of the statement's period that no line carries are listed as missing.
Running it again gives the same result (resolved items stay resolved).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat
from django.utils import timezone

from payments.models import IncomingPayment, JournalEntry, PayoutAttempt
from reconciliation.models import ReconItem, Source, Statement

R = ReconItem.Result
PROVIDERS = (Source.WAVE, Source.ORANGE_MONEY, Source.MTN_MOMO)


@dataclass(frozen=True)
class Books:
    """Where a source's counterpart records are, and how to read their amount and date."""

    field: str  # ReconItem foreign key
    candidates: Callable[[str], list[QuerySet]]  # tried in turn; OuterRef("reference") inside
    expected: object  # expression on the counterpart: signed amount the line should carry
    currency: str  # path from ReconItem to the counterpart's currency
    moment: str  # path from ReconItem to the counterpart's date
    period: Callable[..., QuerySet]  # (source, start, end): what the period must carry


def _attempts(source):
    """By our attempt reference, else by the provider's own (each lookup on its index; the
    provider's is a partial index, hence the non-empty condition)."""
    ref = OuterRef("reference")
    mine = PayoutAttempt.objects.filter(provider=source)
    return [mine.filter(reference=ref), mine.exclude(provider_ref="").filter(provider_ref=ref)]


def _payments(source):
    ref = OuterRef("reference")
    stripe = IncomingPayment.objects.filter(provider="stripe")
    return [stripe.filter(payment_ref=ref), stripe.filter(transfer_reference=ref)]


def _entries(source):
    key = Concat(Value("topup:"), OuterRef("reference"))  # treasury's key for a top-up
    return [JournalEntry.objects.filter(kind="float_top_up", idempotency_key=key)]


BOOKS = {
    "provider": Books(
        field="attempt",
        candidates=_attempts,
        # Money left our float only if the attempt succeeded.
        expected=Case(When(status=PayoutAttempt.Status.SUCCEEDED,
                           then=-F("transfer__receive_amount_minor")), default=Value(0)),
        currency="attempt__transfer__receive_currency",
        moment="attempt__finished_at",
        period=lambda source, start, end: PayoutAttempt.objects.select_related("transfer").filter(
            provider=source, status=PayoutAttempt.Status.SUCCEEDED,
            finished_at__gte=start, finished_at__lt=end,
        ),
    ),
    Source.STRIPE: Books(
        field="payment",
        candidates=_payments,
        expected=F("amount_minor"),
        currency="payment__currency",
        moment="payment__received_at",
        period=lambda source, start, end: IncomingPayment.objects.filter(
            provider="stripe", received_at__gte=start, received_at__lt=end
        ),
    ),
    Source.BANK: Books(
        field="entry",
        candidates=_entries,
        expected=None,  # a top-up is booked in the payout currency: the reference is the match
        currency="",
        moment="entry__created_at",
        period=lambda source, start, end: JournalEntry.objects.filter(
            kind="float_top_up", created_at__gte=start, created_at__lt=end
        ),
    ),
}  # fmt: skip


def books_for(source: str) -> Books:
    return BOOKS["provider"] if source in PROVIDERS else BOOKS[source]


def _within_window(books: Books) -> Q:
    window = timedelta(days=settings.RECON_DATE_WINDOW_DAYS)
    return Q(booked_at__isnull=True) | Q(
        **{f"{books.moment}__gte": F("booked_at") - window,
           f"{books.moment}__lte": F("booked_at") + window}
    )  # fmt: skip


def _day_bounds(statement: Statement) -> tuple[datetime, datetime] | None:
    if statement.period_start is None:
        return None
    tz = timezone.get_default_timezone()
    start = datetime.combine(statement.period_start, time.min, tzinfo=tz)
    return start, datetime.combine(statement.period_end, time.min, tzinfo=tz) + timedelta(days=1)


@transaction.atomic
def reconcile(statement: Statement) -> dict[str, int]:
    statement = Statement.objects.select_for_update().get(pk=statement.pk)
    source, books = statement.source, books_for(statement.source)
    lines = ReconItem.objects.filter(statement=statement, side=ReconItem.Side.STATEMENT)
    ReconItem.objects.filter(statement=statement, side=ReconItem.Side.BOOKS).exclude(
        result=R.RESOLVED
    ).delete()
    lines.exclude(result=R.RESOLVED).update(result=R.PENDING, expected_minor=None,
                                            **{f"{books.field}_id": None})  # fmt: skip

    earlier = ReconItem.objects.filter(
        source=source, side=ReconItem.Side.STATEMENT, reference=OuterRef("reference"),
        pk__lt=OuterRef("pk"),
    )  # fmt: skip
    lines.filter(result=R.PENDING).exclude(reference="").filter(Exists(earlier)).update(
        result=R.DUPLICATE
    )
    live = lines.filter(result=R.PENDING).exclude(reference="")
    # order_by(): no default ordering (a join and a sort per line) inside the subqueries.
    lookups = [Subquery(qs.order_by().values("pk")[:1]) for qs in books.candidates(source)]
    first = lookups[0] if len(lookups) == 1 else Coalesce(*lookups)
    live.update(**{f"{books.field}_id": first})
    found = live.filter(**{f"{books.field}__isnull": False})
    if books.expected is not None:
        model = books.candidates(source)[0].model
        expected = model.objects.filter(pk=OuterRef(f"{books.field}_id")).order_by()
        expected = expected.annotate(e=books.expected)
        found.update(expected_minor=Subquery(expected.values("e")[:1]))
        agree = Q(expected_minor=F("amount_minor"), **{books.currency: F("currency")})
    else:
        agree = Q()
    found.filter(agree).filter(_within_window(books)).update(result=R.MATCHED)
    found.filter(result=R.PENDING).exclude(agree).update(result=R.AMOUNT_MISMATCH)
    lines.filter(result=R.PENDING).update(result=R.UNMATCHED)
    _missing(statement, books)
    statement.reconciled_at = timezone.now()
    statement.save(update_fields=["reconciled_at"])
    return summary(statement)


def _missing(statement: Statement, books: Books) -> None:
    """Our records of the period that no line of any statement of this source carries."""
    bounds = _day_bounds(statement)
    if bounds is None:
        return
    carried = ReconItem.objects.filter(
        source=statement.source, side=ReconItem.Side.STATEMENT,
        **{f"{books.field}_id": OuterRef("pk")},
    ).exclude(result__in=[R.DUPLICATE, R.UNMATCHED])  # fmt: skip
    ours: QuerySet = books.period(statement.source, *bounds).exclude(Exists(carried)).order_by()
    if books.expected is not None:
        ours = ours.annotate(e=books.expected)
    batch = []
    for record in ours.iterator(2000):
        batch.append(ReconItem(
            statement=statement, source=statement.source, side=ReconItem.Side.BOOKS,
            reference=_reference(record), amount_minor=0, expected_minor=getattr(record, "e", None),
            currency=_currency(record), result=R.MISSING, **{books.field: record},
        ))  # fmt: skip
        if len(batch) >= 2000:  # memory stays flat however many are missing
            ReconItem.objects.bulk_create(batch)
            batch = []
    ReconItem.objects.bulk_create(batch)


def _reference(record) -> str:
    return (
        getattr(record, "reference", "")
        or getattr(record, "payment_ref", "")
        or (record.idempotency_key.split(":", 1)[-1] if hasattr(record, "idempotency_key") else "")
    )


def _currency(record) -> str:
    if isinstance(record, PayoutAttempt):
        return record.transfer.receive_currency
    return getattr(record, "currency", "") or "EUR"


def summary(statement: Statement) -> dict[str, int]:
    """How many items of each result the statement has."""
    counts = dict(
        ReconItem.objects.filter(statement=statement)
        .values_list("result")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {result: counts.get(result, 0) for result in R.values}
