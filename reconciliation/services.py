"""Importing statements and resolving what reconciliation left open.

`statement_import` streams a file into `ReconItem` rows in batches (memory bounded at any
size), then reconciles. The console's import (django-import-export, with its dry-run preview)
reads the same formats and ends in the same `reconcile`. `item_resolve` closes an item with
a reason, and when the books were wrong posts the adjusting entry through the ledger.
"""

import hashlib
import json
from collections.abc import Iterable

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from payments import ledger
from payments.errors import NotAllowedNow, NotFound
from payments.ledger import credit, debit
from reconciliation import formats
from reconciliation.matching import PROVIDERS, reconcile
from reconciliation.models import ReconItem, Source, Statement

BATCH = 5000
R = ReconItem.Result
OPEN_RESULTS = (R.UNMATCHED, R.MISSING, R.AMOUNT_MISMATCH, R.DUPLICATE)


class AlreadyImported(NotAllowedNow):
    code = "already_imported"


def checksum_of(stream) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        digest.update(chunk if isinstance(chunk, bytes) else chunk.encode())
    stream.seek(0)
    return digest.hexdigest()


def statement_open(*, source: str, file_name: str, checksum: str, actor=None) -> Statement:
    if source not in Source.values:
        raise NotAllowedNow(f"unknown statement source {source!r}")
    try:
        with transaction.atomic():
            return Statement.objects.create(source=source, file_name=file_name[:200],
                                            checksum=checksum, imported_by=actor)  # fmt: skip
    except IntegrityError:
        earlier = Statement.objects.get(source=source, checksum=checksum)
        raise AlreadyImported(
            f"this file was already imported on {earlier.imported_at:%Y-%m-%d %H:%M}"
        ) from None


def statement_fill(statement: Statement, lines: Iterable[formats.Line]) -> Statement:
    """Write the lines in batches and record the period they cover."""
    count, first, last, batch = 0, None, None, []
    for line in lines:
        count += 1
        day = line.booked_at.date() if line.booked_at else None
        if day:
            first, last = min(first or day, day), max(last or day, day)
        batch.append(ReconItem(
            statement=statement, source=statement.source, line_no=line.line_no,
            reference=line.reference[:100], amount_minor=line.amount_minor,
            currency=line.currency, booked_at=line.booked_at, description=line.description,
        ))  # fmt: skip
        if len(batch) >= BATCH:
            ReconItem.objects.bulk_create(batch)
            batch = []
    ReconItem.objects.bulk_create(batch)
    if count > 50_000 and connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # the matching's plans need to know the new rows
            cursor.execute("ANALYZE reconciliation_reconitem")
    statement.lines, statement.period_start, statement.period_end = count, first, last
    statement.save(update_fields=["lines", "period_start", "period_end"])
    return statement


@transaction.atomic
def statement_import(*, source: str, stream, file_name: str, actor=None) -> Statement:
    """Import a statement file (binary stream) and reconcile it, in one transaction: a file
    that fails half-way leaves nothing behind. The same file twice: refused."""
    statement = statement_open(source=source, file_name=file_name,
                               checksum=checksum_of(stream), actor=actor)  # fmt: skip
    statement_fill(statement, formats.read(source, stream))
    reconcile(statement)
    return statement


def _adjustment_account(item: ReconItem) -> str:
    if item.source in PROVIDERS:
        return f"float:{item.source}"
    return {Source.STRIPE: "stripe_clearing", Source.BANK: "bank"}[item.source]


@transaction.atomic
def item_resolve(*, item_id: int, reason: str, adjust: bool = False, actor=None) -> ReconItem:
    """Close an open item with why. `adjust`: the statement is right and our books are not;
    post the difference between the statement's amount and ours to the account the statement
    is about, against `reconciliation_adjustments`."""
    if not reason.strip():
        raise NotAllowedNow("say why: the resolution is part of the audit trail")
    item = ReconItem.objects.select_for_update().filter(pk=item_id).first()
    if item is None:
        raise NotFound("reconciliation item not found")
    if item.result not in OPEN_RESULTS:
        raise NotAllowedNow(f"this item is {item.get_result_display().lower()}: nothing to resolve")
    if adjust:
        difference = item.amount_minor - (item.expected_minor or 0)
        if difference == 0:
            raise NotAllowedNow("statement and books agree on the amount: no entry to post")
        # Signed lines: a statement showing more money out than our books credits the account.
        lines = [
            debit(_adjustment_account(item), item.currency, difference),
            credit("reconciliation_adjustments", item.currency, difference),
        ]
        item.adjustment = ledger.post_entry(
            kind="reconciliation_adjustment", idempotency_key=f"recon:{item.pk}", lines=lines,
            memo=f"{item.source} {item.reference}: {reason}"[:200],
        )  # fmt: skip
    item.result, item.resolution = R.RESOLVED, f"{item.get_result_display()}: {reason}"[:300]
    item.resolved_by, item.resolved_at = actor, timezone.now()
    item.save(update_fields=["result", "resolution", "resolved_by", "resolved_at", "adjustment"])
    return item


def statement_fetch(*, provider: str, day) -> Statement | None:
    """Fetch one provider's statement for a day through its adapter and reconcile it. None
    when the provider offers no statement API (its report is imported from the console) or
    when that day's statement was already fetched unchanged."""
    from providers.registry import get_provider

    adapter = get_provider(provider)
    if not hasattr(adapter, "statement"):
        return None
    rows = list(adapter.statement(day))  # the provider is read outside any transaction
    content = json.dumps(rows, sort_keys=True, default=str).encode()
    with transaction.atomic():
        try:
            statement = statement_open(
                source=provider, file_name=f"{provider}-{day.isoformat()} (fetched)",
                checksum=hashlib.sha256(content).hexdigest(),
            )  # fmt: skip
        except AlreadyImported:
            return None
        statement_fill(statement, formats.read_csv_rows(iter(rows), provider))
        if statement.period_start is None:  # an empty day still covers that day
            statement.period_start = statement.period_end = day
            statement.save(update_fields=["period_start", "period_end"])
        reconcile(statement)
    return statement
