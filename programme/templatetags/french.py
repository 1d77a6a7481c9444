"""Dates, date ranges and head counts as French is written: "1er juin", "une personne".

Every template that shows a day, a range of days or a number of people formats it here, so
the rules of French typography live in one place.
"""

from datetime import date, datetime

from django import template
from django.template.defaultfilters import date as format_date
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from programme import numbers

register = template.Library()


def _local(value: date | datetime) -> date | datetime:
    # A moment is shown in the site's time zone (Europe/Paris): its day is the local one.
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def _local_day(value: date | datetime) -> date:
    value = _local(value)
    return value.date() if isinstance(value, datetime) else value


@register.filter
def date_fr(value: date | datetime | None, fmt: str = "j F Y") -> str:
    """`value` in Django's date format `fmt`, the first of the month written "1er"."""
    if value in (None, ""):
        return ""
    if _local_day(value).day == 1:
        # Digits are no format character; "e" and "r" are, so they are escaped.
        fmt = fmt.replace("j", r"1\e\r")
    return format_date(_local(value), fmt)


@register.filter
def date_range_fr(start: date | datetime | None, end: date | datetime | None) -> str:
    """ "du 6 au 20 décembre 2024", "du 6 novembre au 5 décembre 2024", and both years when
    the range spans two: "du 6 décembre 2024 au 5 janvier 2025"."""
    if not start or not end:
        return date_fr(start or end)
    first, last = _local_day(start), _local_day(end)
    if first.year != last.year:
        start_fmt = "j F Y"
    elif first.month != last.month:
        start_fmt = "j F"
    else:
        start_fmt = "j"
    return _("du %(start)s au %(end)s") % {
        "start": date_fr(start, start_fmt),
        "end": date_fr(end, "j F Y"),
    }


@register.filter
def people_count(minimum: int | None, maximum: int | None = None) -> str:
    """ "une personne", "3 personnes", "2 à 4 personnes" for a team of `minimum` to `maximum`."""
    if maximum is None or maximum == minimum:
        if minimum == 1:
            return _("une personne")
        return ngettext("%(n)s personne", "%(n)s personnes", minimum) % {"n": minimum}
    return _("%(min)s à %(max)s personnes") % {"min": minimum, "max": maximum}


@register.filter
def euros(value) -> str:
    """An amount in euros the French way, "300 000 €"; empty when there is none."""
    if value in (None, ""):
        return ""
    return numbers.euros(value)


@register.filter
def number_fr(value, places=None) -> str:
    """A number the French way, "0,85", "12 345"; `places` fixes the decimals."""
    if value in (None, ""):
        return ""
    return numbers.french(value, None if places in (None, "") else int(places))
