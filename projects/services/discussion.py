"""The jury's discussion of a proposal: one message at a time, audited, mailed.

Jurors write while the call is in its discussion phase, once their own evaluation is
submitted, never on a proposal they are in conflict with; staff write to the jury then too,
and may leave internal notes (read by staff alone) at any time.
"""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from calls.rules import is_call_staff
from programme import audit
from programme.exceptions import TransitionError
from programme.models import User
from programme.rules import is_superuser
from projects.enums import EvaluationState
from projects.models import Assignment, Conflict, DiscussionPost, Proposal
from projects.queries import discussion as discussion_queries
from projects.services import jury_mail

BODY_MAX = 10000


@transaction.atomic(durable=True)
def post_message(
    proposal: Proposal, *, by: User, now: datetime, body: str, internal: bool = False
) -> DiscussionPost:
    """Add a message to the proposal's thread and mail it to the other participants."""
    call = proposal.call
    staff = is_superuser(by) or is_call_staff(by, call)
    body = body.strip()
    if not body:
        raise TransitionError(_("Écrivez votre message."))
    if len(body) > BODY_MAX:
        raise TransitionError(_("Un message compte au plus %(n)s caractères.") % {"n": BODY_MAX})
    if internal and not staff:
        raise TransitionError(_("Seule l'équipe du programme écrit des notes internes."))
    if not staff:
        assignment = Assignment.objects.filter(proposal=proposal, juror__user=by).first()
        if (
            assignment is None
            or Conflict.objects.filter(
                juror_id=assignment.juror_id, proposal=proposal, lifted_at__isnull=True
            ).exists()
        ):
            raise TransitionError(_("Vous n'évaluez pas cette candidature."))
        if not discussion_queries.is_open(call):
            raise TransitionError(_("La discussion du jury n'est pas ouverte."))
        if not Assignment.objects.filter(
            pk=assignment.pk, evaluation__state=EvaluationState.SUBMITTED
        ).exists():
            raise TransitionError(
                _("Soumettez votre évaluation avant de prendre part à la discussion.")
            )
    elif not internal and not discussion_queries.is_open(call):
        raise TransitionError(
            _("La discussion du jury n'est pas ouverte : seule une note interne est possible.")
        )
    post = DiscussionPost.objects.create(
        proposal=proposal, author=by, body=body, internal=internal, from_staff=staff, created_at=now
    )
    audit.record(
        by,
        "jury.discussion_internal_note" if internal else "jury.discussion_post",
        proposal,
        reason=body[:300],
        changes={"post": [None, post.pk]},
        at=now,
    )
    jury_mail.notify_post(post)
    return post
