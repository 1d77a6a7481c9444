"""The calendar invitation (RFC 5545/5546) of an audition, joined to the convocation mail.

Written by hand: one event, times in UTC, text escaped and lines folded at 75 octets,
so any calendar (Outlook, Thunderbird, the phone's) reads it without a library.
"""

from datetime import UTC, datetime, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.utils.translation import gettext as _


def _escape(text: str) -> str:
    return (
        str(text)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> list[str]:
    """Split a content line into pieces of at most 75 octets, continuations starting
    with a space (never inside a UTF-8 character)."""
    pieces, current, size = [], "", 0
    for char in line:
        width = len(char.encode())
        limit = 75 if not pieces else 74
        if size + width > limit:
            pieces.append(current)
            current, size = "", 0
        current += char
        size += width
    pieces.append(current)
    return [pieces[0], *(" " + p for p in pieces[1:])]


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def audition_ics(audition, *, now: datetime) -> str:
    """The invitation of `audition` (its proposal and call loaded) as iCalendar text."""
    proposal = audition.proposal
    call = proposal.call
    ends_at = audition.starts_at + timedelta(minutes=audition.duration_minutes)
    place = audition.room or audition.video_link
    description = _("Audition de la candidature « %(title)s » devant le jury de %(edition)s.") % {
        "title": proposal.title,
        "edition": call.edition,
    }
    if audition.room and audition.video_link:
        description += "\n" + _("Visioconférence : %(link)s") % {"link": audition.video_link}
    host = settings.SITE_URL.split("://")[-1].split("/")[0] or "portail"
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    # A parameter value is quoted, not escaped (RFC 5545 3.2): it may hold no quote.
    organizer = (name or call.programme.name).replace('"', "")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Portail des programmes//Auditions//FR",
        "CALSCALE:GREGORIAN",
        # PUBLISH: an event to add to one's calendar; the team answers the staff by mail,
        # not through an RSVP the portal could not read.
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:audition-{audition.pk}@{host}",
        f"SEQUENCE:{audition.sequence}",
        f"DTSTAMP:{_utc(now)}",
        f"DTSTART:{_utc(audition.starts_at)}",
        f"DTEND:{_utc(ends_at)}",
        f'ORGANIZER;CN="{organizer}":mailto:{address}',
        "SUMMARY:"
        + _escape(
            _("Audition %(edition)s : %(title)s")
            % {"edition": call.edition, "title": proposal.title}
        ),  # fmt: skip
        "LOCATION:" + _escape(place),
        "DESCRIPTION:" + _escape(description),
    ]
    if audition.video_link:
        lines.append("URL:" + audition.video_link)
    lines += ["STATUS:CONFIRMED", "END:VEVENT", "END:VCALENDAR"]
    return "".join(piece + "\r\n" for line in lines for piece in _fold(line))
