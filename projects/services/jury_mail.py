"""The mails the jury owes its jurors (minimal: the assignment; the jury notifications'
owner extends this module).

One grouped mail per juror and per event, with a ledger key so that running the same
code twice mails each person once.
"""

import hashlib

from django.db.models import Count
from django.urls import reverse

from calls.models import Call, JuryMember
from programme import mail
from projects.models import Assignment


def notify_assigned(call: Call, jurors) -> int:
    """Mail each of `jurors` (seats of `call`, or their ids) one message saying how many
    proposals they now have to score, with the link to their queue. Keyed on the juror and
    the set of proposals they hold, so a rerun that changes nothing for a juror mails them
    nothing new, and a changed set mails them once more. Returns the mails written."""
    ids = [getattr(j, "pk", j) for j in jurors]
    seats = (
        JuryMember.objects.filter(call=call, pk__in=ids)
        .select_related("user")
        .annotate(load=Count("assignments"))
        .order_by("pk")
    )
    held: dict[int, list[int]] = {}
    for juror_id, proposal_id in (
        Assignment.objects.filter(juror_id__in=ids)
        .order_by("proposal_id")
        .values_list("juror_id", "proposal_id")
    ):
        held.setdefault(juror_id, []).append(proposal_id)
    sent = 0
    for seat in seats:
        if not seat.load:
            continue
        digest = hashlib.sha256(",".join(map(str, held.get(seat.pk, []))).encode()).hexdigest()
        outgoing = mail.send(
            [seat.user.email],
            "jury_assigned",
            {
                "call": call,
                "seat": seat,
                "count": seat.load,
                "path": reverse("jury:mine", args=[call.slug]),
            },
            key=f"jury-assigned:{call.pk}:{seat.pk}:{digest[:16]}",
        )
        sent += outgoing is not None
    return sent
