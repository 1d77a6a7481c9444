"""The mails the jury owes its jurors (minimal: the assignment; the jury notifications'
owner extends this module).

One grouped mail per juror and per event, with a ledger key so that running the same
code twice mails each person once.
"""

from django.db.models import Count
from django.urls import reverse

from calls.models import Call, JuryMember
from programme import mail


def notify_assigned(call: Call, jurors) -> int:
    """Mail each of `jurors` (seats of `call`) one message listing how many proposals they
    now have to score, with the link to their queue. Keyed on the juror and their current
    load, so a rerun that changes nothing for a juror mails them nothing new."""
    seats = (
        JuryMember.objects.filter(call=call, pk__in=[getattr(j, "pk", j) for j in jurors])
        .select_related("user")
        .annotate(load=Count("assignments"))
        .order_by("pk")
    )
    sent = 0
    for seat in seats:
        if not seat.load:
            continue
        outgoing = mail.send(
            [seat.user.email],
            "jury_assigned",
            {
                "call": call,
                "seat": seat,
                "count": seat.load,
                "path": reverse("jury:mine", args=[call.slug]),
            },
            key=f"jury-assigned:{call.pk}:{seat.pk}:{seat.load}",
        )
        sent += outgoing is not None
    return sent
