"""Numbers as French is written and typed: "300 000 €", "0,85", "1 000,50".

One place for both directions: `parse` reads what a person typed (spaces, no-break spaces
or narrow no-break spaces between thousands, a comma or a point before the decimals), and
`french` / `euros` write a number for a page, a mail or a PDF.
"""

import re
from decimal import Decimal, InvalidOperation

from django.utils import formats, translation

# The separators French writers put between thousands: a space, a no-break space (U+00A0), a
# narrow no-break space (U+202F, what typography and many word processors use), a thin space.
THOUSANDS = re.compile(r"[ \u00a0\u202f\u2009]")
TYPED = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")


def parse(text) -> Decimal | None:
    """The number in `text` ("1 000 000", "150\u202f000", "1 000,50", "12.5"), None if it is
    not one. Thousands separators are spaces only: "1.000" is read as one, not a thousand."""
    if text is None:
        return None
    cleaned = THOUSANDS.sub("", str(text).strip())
    if not TYPED.fullmatch(cleaned):
        return None
    try:
        return Decimal(cleaned.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        return None


def french(value, places: int | None = None) -> str:
    """`value` written the French way, thousands apart by a no-break space: "300 000", "0,85".

    Without `places`, decimals are shown only when there are some (at most two for an amount
    of whole cents, as many as the value holds otherwise)."""
    if value in (None, ""):
        return ""
    number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    if places is None:
        normalized = number.normalize()
        exponent = normalized.as_tuple().exponent
        places = max(0, -exponent) if isinstance(exponent, int) else 0
        if places and number == number.quantize(Decimal("0.01")):
            places = 2  # 1 000,5 € reads as 1 000,50 €
    with translation.override("fr"):
        return formats.number_format(number, places, use_l10n=True, force_grouping=True)


def euros(value) -> str:
    """An amount in euros: "120 000 €", "1 000,50 €" (cents only when there are some)."""
    number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    return f"{french(number, 0 if number == number.to_integral_value() else 2)} €"
