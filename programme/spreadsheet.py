"""Every CSV and XLSX file the portal writes, made safe for spreadsheet software.

One module for all of them (staff exports, the follow-up dashboard, the ranking, the open
data), so that every cell is cleaned the same way:

- text starting with `=`, `+`, `-`, `@`, a tab or a carriage return would run as a formula in
  Excel or LibreOffice (CSV injection): it gets a leading apostrophe;
- control characters that no spreadsheet cell may hold are removed (openpyxl refuses them,
  which would fail the whole file);
- numbers stay numbers, without float noise (`0.9999999999999996` is `1`); yes/no read
  "oui"/"non"; lists are joined with " ; ".

Staff exports are written the French way (`;` between columns, comma decimals), which French
spreadsheet software opens as it is. The open data is written for machines (`,` between
columns, dot decimals), as data.gouv.fr recommends.
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.timezone import is_aware, localtime

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Enough for scores and shares, few enough to hide binary float noise.
DECIMALS = 6


def clean_text(value) -> str:
    """Text for a cell: control characters removed, a would-be formula quoted."""
    text = CONTROL_CHARACTERS.sub("", str(value))
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _number(value):
    if isinstance(value, float):
        value = round(value, DECIMALS)
        return int(value) if value.is_integer() else value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else value.normalize()
    return value


def safe_cell(value):
    """The value to write in a cell: numbers and dates as they are, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int | float | Decimal):
        return _number(value)
    if isinstance(value, datetime):
        # Spreadsheets have no time zones: the time as read in Paris.
        return localtime(value).replace(tzinfo=None) if is_aware(value) else value
    if isinstance(value, date):
        return value
    if isinstance(value, list | tuple):
        return clean_text(" ; ".join(str(item) for item in value))
    return clean_text(value)


def safe_row(values: Iterable) -> list:
    return [safe_cell(value) for value in values]


def _french(value) -> str:
    """A cell as French spreadsheet software reads it: comma decimals, dates day first."""
    if isinstance(value, float):
        return repr(value).replace(".", ",")
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return value


def _machine(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


class _Echo:
    def write(self, value):
        return value


def csv_lines(header: Sequence, rows: Iterable[Iterable], *, french: bool = True) -> Iterator[str]:
    """The CSV line by line (for streaming), a BOM first so that accents read as UTF-8."""
    writer = csv.writer(_Echo(), delimiter=";" if french else ",")
    convert = _french if french else _machine
    yield "\ufeff"
    yield writer.writerow(safe_row(header))
    for row in rows:
        yield writer.writerow([convert(cell) for cell in safe_row(row)])


def csv_response(
    filename: str, header: Sequence, rows: Iterable[Iterable], *, french: bool = True
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        csv_lines(header, rows, french=french), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_bytes(sheet_title: str, header: Sequence, rows: Iterable[Iterable]) -> bytes:
    """A one-sheet workbook, written row by row (openpyxl's write-only mode)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(clean_text(sheet_title)[:31] or "Export")
    sheet.append(safe_row(header))
    for row in rows:
        sheet.append(safe_row(row))
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def xlsx_response(
    filename: str, sheet_title: str, header: Sequence, rows: Iterable[Iterable]
) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(sheet_title, header, rows), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def export_response(
    fmt: str, basename: str, sheet_title: str, header: Sequence, rows: Iterable[Iterable]
):
    """The staff export in the format asked: `csv` (French) or `xlsx`."""
    if fmt == "xlsx":
        return xlsx_response(f"{basename}.xlsx", sheet_title, header, rows)
    return csv_response(f"{basename}.csv", header, rows)
