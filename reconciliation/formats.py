"""Statement files read into one shape of line, whatever their source. Each reader streams (a
million-line file is never held whole) and skips what moved no money (failed transactions).

- Wave: the Balance & Reconciliation API's transaction items (`GET /v1/transactions`), or the
  same columns exported as CSV: `timestamp, transaction_id, transaction_type, amount, fee,
  currency, client_reference, counterparty_mobile` (payouts have a negative amount).
- Orange Money and MTN MoMo publish no statement API: their partner portals export CSV. The
  columns are read by name, with the usual spellings accepted (see `ALIASES`): a date, the
  provider's transaction id, our reference, the amount, the currency and the status.
- Stripe: the balance transactions export (`id, Type, Source, Amount, Fee, Net, Currency,
  Created (UTC), Description`), with the PaymentIntent id and our transfer reference when the
  export includes them (`payment_intent_id`, `transfer_reference (metadata)`).
- Bank: ISO 20022 camt.053 (BkToCstmrStmt), one line per entry (`Ntry`): amount and currency,
  credit or debit, booking date, and the end-to-end id or remittance text as reference.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation

from defusedxml.ElementTree import iterparse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from payments.money import exponent


class StatementError(ValueError):
    """The file is not a statement of the chosen source, or a line cannot be read."""


@dataclass(slots=True)
class Line:
    line_no: int
    reference: str
    amount_minor: int  # signed: money in > 0, money out < 0
    currency: str
    booked_at: datetime | None
    description: str = ""
    others: list[str] = field(default_factory=list)  # other references the line carries


ALIASES = {
    "date": ["date", "timestamp", "transaction date", "created (utc)", "created", "date/time"],
    "id": ["transaction id", "transaction_id", "financial transaction id", "id", "txn id"],
    "reference": ["client_reference", "partner reference", "external transaction id",
                  "external id", "externalid", "reference", "transfer_reference (metadata)"],
    "amount": ["amount", "montant", "gross"],
    "currency": ["currency", "devise"],
    "status": ["status", "statut"],
    "intent": ["payment_intent_id", "payment intent id"],
    "description": ["description", "transaction_type", "type"],
}  # fmt: skip
DONE = {"", "success", "successful", "succeeded", "completed", "complete", "ok", "available"}


def to_minor(text: str, currency: str, line_no: int) -> int:
    try:
        value = Decimal(str(text).replace(" ", "").replace(",", "."))
    except InvalidOperation:
        raise StatementError(f"line {line_no}: {text!r} is not an amount") from None
    minor = value.scaleb(exponent(currency))
    if minor != minor.to_integral_value():
        raise StatementError(f"line {line_no}: {text!r} has too many decimals for {currency}")
    return int(minor)


def to_datetime(text: str, line_no: int) -> datetime | None:
    text = (text or "").strip()
    if not text:
        return None
    moment = parse_datetime(text.replace(" UTC", "").replace("Z", "+00:00"))
    if moment is None:
        day = parse_date(text[:10])
        if day is None:
            raise StatementError(f"line {line_no}: {text!r} is not a date")
        moment = datetime.combine(day, time(12))
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, UTC)


def _columns(header: Iterable[str]) -> dict[str, str]:
    """Our names for the file's columns, by the first alias each one matches."""
    present = {h.strip().lower(): h for h in header}
    found = {}
    for name, spellings in ALIASES.items():
        for spelling in spellings:
            if spelling in present:
                found[name] = present[spelling]
                break
    missing = {"amount", "currency"} - found.keys()
    if missing:
        raise StatementError(f"no {', '.join(sorted(missing))} column in this file")
    return found


def read_csv_rows(rows: Iterator[dict], source: str) -> Iterator[Line]:
    """Lines from CSV-shaped rows (also used for spreadsheets read by the console's import)."""
    columns = None
    for line_no, row in enumerate(rows, start=1):
        if columns is None:
            columns = _columns(row.keys())

        def get(name: str, row=row, columns=columns) -> str:
            return str(row.get(columns.get(name, ""), "") or "").strip()

        status = get("status").lower()
        if status not in DONE and not (source == "stripe" and status == "pending"):
            continue  # a failed or cancelled transaction moved no money (Stripe's "pending"
            # is money received, not yet available)
        currency = get("currency").upper()
        if not currency:
            raise StatementError(f"line {line_no}: no currency")
        amount = to_minor(get("amount"), currency, line_no)
        if source in ("orange_money", "mtn_momo") and amount > 0:
            amount = -amount  # these reports list cash-ins (our payouts) as positive amounts
        ours, theirs, intent = get("reference"), get("id"), get("intent")
        yield Line(
            line_no=line_no,
            reference=ours or intent or theirs,
            amount_minor=amount,
            currency=currency,
            booked_at=to_datetime(get("date"), line_no),
            description=get("description")[:200],
            others=[r for r in (theirs, intent) if r and r != (ours or intent or theirs)],
        )


def read_csv(stream, source: str) -> Iterator[Line]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig") if _binary(stream) else stream
    sample = text.read(4096)
    dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample else csv.excel
    text.seek(0)
    yield from read_csv_rows(csv.DictReader(text, dialect=dialect), source)


def _binary(stream) -> bool:
    return isinstance(stream, io.BufferedIOBase | io.BytesIO) or "b" in getattr(stream, "mode", "")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def read_camt053(stream) -> Iterator[Line]:
    """Entries of a camt.053 statement, element by element (memory stays flat)."""
    line_no = 0
    try:
        for _event, element in iterparse(stream, events=("end",)):
            if _local(element.tag) != "Ntry":
                continue
            line_no += 1
            yield _camt_entry(element, line_no)
            element.clear()
    except SyntaxError as bad:  # ParseError
        raise StatementError(f"not a camt.053 file: {bad}") from None
    if line_no == 0:
        raise StatementError("no entry (Ntry) in this file: is it a camt.053 statement?")


def _camt_entry(entry, line_no: int) -> Line:
    def first(name: str):
        return next((e for e in entry.iter() if _local(e.tag) == name), None)

    amount = first("Amt")
    if amount is None or not amount.get("Ccy"):
        raise StatementError(f"entry {line_no}: no amount")
    currency = amount.get("Ccy").upper()
    minor = to_minor(amount.text, currency, line_no)
    sign = first("CdtDbtInd")
    if sign is not None and sign.text == "DBIT":
        minor = -minor
    booked = first("BookgDt")
    day = next((e.text for e in booked.iter() if _local(e.tag) in ("Dt", "DtTm")), "") if (
        booked is not None
    ) else ""  # fmt: skip
    refs = [
        (e.text or "").strip()
        for e in entry.iter()
        if _local(e.tag) in ("EndToEndId", "InstrId", "AcctSvcrRef", "Ustrd", "TxId")
    ]
    refs = [r for r in refs if r and r != "NOTPROVIDED"]
    return Line(
        line_no=line_no,
        reference=refs[0] if refs else "",
        amount_minor=minor,
        currency=currency,
        booked_at=to_datetime(day, line_no),
        description=" ".join(refs[1:])[:200],
        others=refs[1:],
    )


def read(source: str, stream) -> Iterator[Line]:
    if source == "bank":
        return read_camt053(stream)
    return read_csv(stream, source)


def period_of(days: Iterable[date]) -> tuple[date | None, date | None]:
    days = [d for d in days if d]
    return (min(days), max(days)) if days else (None, None)
