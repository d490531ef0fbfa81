"""Excel and CSV writing of the organizers' exports: safe cells, sheets, the data dictionary, streamed CSV.

What the tables hold is ``reports.export_tables``; here any ``Table`` (columns
that say what they mean, written out as the "Data dictionary" sheet, and rows
produced when iterated) is written with flat memory: openpyxl's write-only
workbook streams each row to a temporary file, and the CSV goes out row by row.

Cells are made safe for spreadsheets, because jurisdiction names, contacts and
metric values are typed by applicants:

- text that a spreadsheet could run as a formula (starting with ``= + - @``,
  a tab or a carriage return) stays text. In Excel files the cell is typed as
  a string and marked with Excel's own "quote prefix" (what typing a leading
  apostrophe does), so the value is kept exactly and stays text even when
  someone edits the cell. CSV has no types, so there the text gets a leading
  apostrophe, as OWASP recommends;
- control characters that XML forbids (openpyxl's ``ILLEGAL_CHARACTERS_RE``)
  are removed;
- numbers stay numbers and dates real dates; only text is ever escaped.
"""

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    header: str
    meaning: str
    type: str = "text"  # text, number, yes/no, date, date and time
    width: float = 14
    rule: str = ""
    max_points: float | None = None


@dataclass
class Table:
    """One sheet (or one CSV file): its columns and its rows, produced when iterated."""

    title: str
    columns: list
    rows: Iterable = field(default_factory=list)


# --- Cells --------------------------------------------------------------------


def clean_text(text):
    """The text without the control characters XML (and so Excel) cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def looks_like_formula(text):
    return text.startswith(FORMULA_TRIGGERS)


def number(value):
    """A number as Excel and CSV should show it: whole numbers without ".0", others to two decimals.

    Called for every score cell, so the common cases come first and cheaply.
    """
    kind = value.__class__
    if kind is float or kind is Decimal:
        value = float(value)
        return int(value) if value.is_integer() else round(value, 2)
    return value


def local_naive(value, tz=None):
    """Excel has no time zones: a moment is written as the site's local wall-clock time."""
    if value.tzinfo is not None:
        value = value.astimezone(tz or timezone.get_current_timezone())
    return value.replace(tzinfo=None)


def local_day(value, tz):
    return value.astimezone(tz).date() if value else None


_AS_IS = frozenset({int, float, bool, date, type(None)})
# Text that xlsx_cell must change: a formula-like start or a control character anywhere.
_NEEDS_WORK = re.compile(f"^[{re.escape(''.join(FORMULA_TRIGGERS))}]|{ILLEGAL_CHARACTERS_RE.pattern}")


def xlsx_cell(sheet, value):
    """What to append for one value: the value itself, or a cell typed as text when it looks like a formula."""
    if isinstance(value, str):
        text = clean_text(value)
        if looks_like_formula(text):
            cell = WriteOnlyCell(sheet, text)  # "=…" would be typed as a formula here
            cell.data_type = "s"
            cell.quotePrefix = True
            return cell
        return text
    if isinstance(value, datetime):
        return local_naive(value)
    if isinstance(value, (int, float, Decimal, date)):
        return value
    # Anything else (a list or dict where a snapshot held an odd value) is written as its text.
    return xlsx_cell(sheet, str(value))


def csv_cell(value):
    """One value as CSV text; text that looks like a formula gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return local_naive(value).isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        text = clean_text(value)
        return "'" + text if looks_like_formula(text) else text
    return str(value)


# --- Writing ------------------------------------------------------------------

HEADER_FONT = Font(bold=True)


def _header_row(sheet, columns):
    row = []
    for column in columns:
        cell = WriteOnlyCell(sheet, clean_text(str(column.header)))
        cell.data_type = "s"  # a header is always text, whatever it starts with
        cell.font = HEADER_FONT
        row.append(cell)
    return row


def _write_sheet(workbook, table, freeze="B2"):
    sheet = workbook.create_sheet(str(table.title))
    # Write-only sheets take their layout before the first row.
    for index, column in enumerate(table.columns, 1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = freeze
    sheet.append(_header_row(sheet, table.columns))
    count = 0
    for row in table.rows:
        # Numbers, dates and plain safe text are written as they are; anything else goes through xlsx_cell.
        sheet.append(
            [
                value
                if value.__class__ in _AS_IS or (value.__class__ is str and not _NEEDS_WORK.search(value))
                else xlsx_cell(sheet, value)
                for value in row
            ]
        )
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{count + 1}"
    return count


DICTIONARY_COLUMNS = [
    Column(gettext_lazy("Sheet"), gettext_lazy("The sheet the column is on."), width=16),
    Column(gettext_lazy("Column"), gettext_lazy("The column's letter on that sheet."), width=8),
    Column(gettext_lazy("Header"), gettext_lazy("The column's header."), width=34),
    Column(gettext_lazy("Type"), gettext_lazy("Text, number, yes/no, date, or date and time."), width=13),
    Column(gettext_lazy("Meaning"), gettext_lazy("What the column holds and where it comes from."), width=70),
    Column(gettext_lazy("Rule"), gettext_lazy("For a criterion: how the rubric scores it."), width=60),
    Column(
        gettext_lazy("Max points"),
        gettext_lazy("For a criterion or category: the most it can give."),
        type="number",
        width=11,
    ),
]
# A column's type as the data dictionary says it (``Column.type`` itself stays the English word).
TYPE_WORDS = {
    "text": gettext_lazy("text"),
    "number": gettext_lazy("number"),
    "yes/no": gettext_lazy("yes/no"),
    "date": gettext_lazy("date"),
    "date and time": gettext_lazy("date and time"),
}


def dictionary_table(tables):
    rows = (
        [
            str(table.title),
            get_column_letter(index),
            str(c.header),
            str(TYPE_WORDS.get(c.type, c.type)),
            str(c.meaning),
            str(c.rule),
            number(c.max_points),
        ]
        for table in tables
        for index, c in enumerate(table.columns, 1)
    )
    return Table(_("Data dictionary"), DICTIONARY_COLUMNS, rows)


def write_xlsx(out, tables):
    """Write the tables and their data dictionary as a workbook to ``out`` (a path or a binary file)."""
    workbook = Workbook(write_only=True)
    for table in tables:
        _write_sheet(workbook, table)
    _write_sheet(workbook, dictionary_table(tables), freeze="A2")
    workbook.save(out)


class _Echo:
    """csv.writer's file: hands each formatted line back instead of storing it."""

    def write(self, value):
        return value


def csv_chunks(table, bom=True, size=64 * 1024) -> Iterator[str]:
    """The table as CSV text in chunks of about ``size`` characters, for a streaming response.

    ``bom`` starts the file with a byte-order mark so that Excel reads it as UTF-8.
    """
    writer = csv.writer(_Echo())
    buffer = ["\ufeff"] if bom else []
    buffer.append(writer.writerow([csv_cell(str(c.header)) for c in table.columns]))
    length = 0
    for row in table.rows:
        line = writer.writerow([csv_cell(value) for value in row])
        buffer.append(line)
        length += len(line)
        if length >= size:
            yield "".join(buffer)
            buffer, length = [], 0
    yield "".join(buffer)
