"""Writing report rows as CSV or XLSX with memory bounded by one row, not by the report.

Text that a spreadsheet would run as a formula (=, +, -, @ at the start: a recipient's name can
be anything) is written with a leading apostrophe.
"""

import csv
from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    return str(cell(value))


class _Line:
    """A file-like that hands back what csv.writer writes, one row at a time."""

    def write(self, text: str) -> str:
        return text


def csv_lines(header: Iterable[str], rows: Iterable[tuple]) -> Iterator[bytes]:
    writer = csv.writer(_Line())
    yield ("\ufeff" + writer.writerow(header)).encode()  # BOM: spreadsheets read UTF-8
    for row in rows:
        yield writer.writerow([_text(v) for v in row]).encode()


def _xlsx_value(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None)  # Excel has no time zones
    if isinstance(value, Decimal):
        return value  # openpyxl writes it as a number, exactly as given
    return cell(value)


def write_xlsx(path, title: str, header: Iterable[str], rows: Iterable[tuple]) -> int:
    """A write-only workbook: rows go to disk as they come."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.append(list(header))
    count = 0
    for row in rows:
        sheet.append([_xlsx_value(v) for v in row])
        count += 1
    book.save(path)
    return count


def write_csv(path, header: Iterable[str], rows: Iterable[tuple]) -> int:
    count = 0
    with open(path, "wb") as out:
        for n, line in enumerate(csv_lines(header, rows)):
            out.write(line)
            count = n
    return count
