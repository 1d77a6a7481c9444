"""Cells of the CSV and XLSX files the portal writes, made safe for spreadsheet software.

A cell whose text starts with `=`, `+`, `-`, `@`, a tab or a carriage return is run as a
formula by Excel or LibreOffice (CSV injection), so such text gets a leading apostrophe.
Numbers stay numbers; everything else becomes text, without the control characters that
no spreadsheet cell may hold (openpyxl refuses them, which would fail a whole export).
"""

import re
from datetime import date, datetime
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def safe_cell(value):
    """The value to write in a cell: numbers and dates as they are, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int | float | Decimal | date | datetime):
        return value
    text = CONTROL_CHARACTERS.sub("", str(value))
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_row(values) -> list:
    return [safe_cell(value) for value in values]
