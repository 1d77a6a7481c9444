"""Telling a team: the one way every team-visible event reaches each member by mail.

`tell_team(proposal, template, context, event_key=...)` writes one mail per current member
(`mail.send(..., key=f"{event_key}:{user.pk}")`), so running the same code twice, or a
retried task, mails each person once. Call it inside the transaction of the change it tells.

`template` is a mail template of `templates/mail/` (`<name>_subject.txt`, `.txt`, `.html`);
the generic `team_event` one takes `subject`, `lines` (paragraphs), optionally `quote`
(a reason, a comment), `link` (a path on the site) and `link_label`. The context also gets
`proposal`, `call` and `recipient` (the member the mail goes to).

`event_key` names the event once, e.g. `f"team-withdrawn:{proposal.pk}"` or
`f"screened:{proposal.pk}:{audit_entry_or_time}"`: a later, different event of the same kind
needs a different key (include what makes it new, such as the time or a row's id).
"""

from collections.abc import Iterable

from programme import mail
from programme.models import User
from projects.models import Proposal

GENERIC = "team_event"


def members_of(proposal: Proposal) -> list[User]:
    """The team's current, active members, lead first."""
    return [
        seat.user
        for seat in proposal.team.select_related("user")
        .filter(user__is_active=True)
        .order_by("role", "joined_at", "pk")
    ]


def tell_people(people: Iterable[User], template: str, context: dict, *, event_key: str) -> int:
    """Mail each of `people` once for `event_key`; returns how many mails were written."""
    written = 0
    seen = set()
    for user in people:
        if user.pk in seen or not user.email:
            continue
        seen.add(user.pk)
        sent = mail.send(
            [user.email],
            template,
            {**context, "recipient": user},
            key=f"{event_key}:{user.pk}",
        )
        written += sent is not None
    return written


def tell_team(
    proposal: Proposal,
    template: str,
    context: dict,
    *,
    event_key: str,
    also: Iterable[User] = (),
) -> int:
    """Mail every current member of `proposal`'s team once for `event_key` (and `also`,
    people who just left it, so they learn of it too). Returns how many mails were written."""
    context = {"proposal": proposal, "call": proposal.call, **context}
    return tell_people([*members_of(proposal), *also], template, context, event_key=event_key)
