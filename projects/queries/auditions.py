"""What the audition pages read: the shortlist, the jurors' audition list, the grid.

A juror sees only the shortlisted proposals of a call at its auditions (then read only at
its deliberation), never one they are in conflict with.
"""

from django.db.models import Exists, OuterRef, Prefetch, Q

from calls.models import AuditionCriterion, Call, JuryMember
from programme.models import User
from projects.enums import ProposalState
from projects.models import AuditionEvaluation, Conflict, Proposal
from projects.queries import jury as jury_queries
from projects.queries import ranking
from projects.services.auditions import AUDITION_VISIBLE_STATES


def _conflicted_with(seat: JuryMember):
    return Exists(
        Conflict.objects.filter(juror=seat, proposal_id=OuterRef("pk"), lifted_at__isnull=True)
    )


def shortlisted(call: Call):
    """The call's shortlisted proposals with their slot, in the order of the slots."""
    return (
        Proposal.objects.filter(call=call, state=ProposalState.SHORTLISTED)
        .select_related("audition", "structure")
        .order_by("audition__starts_at", "sequence", "pk")
    )


def shortlist_candidates(call: Call):
    """The staff's shortlist page: the ranking with each proposal's state and slot."""
    return (
        ranking.ranked(call)
        .filter(
            state__in=[ProposalState.ELIGIBLE, ProposalState.SHORTLISTED],
        )
        .select_related("audition")
    )


def juror_auditions(seat: JuryMember):
    """The shortlisted proposals a juror may see and score at the auditions: never one they
    are in conflict with, and none before the auditions start (nor after the deliberation);
    with their own audition evaluation (or none)."""
    return (
        Proposal.objects.filter(
            call_id=seat.call_id,
            call__state__in=AUDITION_VISIBLE_STATES,
            state=ProposalState.SHORTLISTED,
        )
        .exclude(_conflicted_with(seat))
        .select_related("audition")
        .prefetch_related(
            Prefetch(
                "audition_evaluations",
                queryset=AuditionEvaluation.objects.filter(juror=seat),
                to_attr="own_evaluation",
            )
        )
        .order_by("audition__starts_at", "sequence", "pk")
    )


def audition_for(user: User, public_id) -> tuple[JuryMember, Proposal] | tuple[None, None]:
    """The juror's seat and the shortlisted proposal, or (None, None) when the user does not
    sit on its jury or is in conflict with it."""
    if not user.is_authenticated:
        return None, None
    proposal = (
        Proposal.objects.filter(public_id=public_id, state=ProposalState.SHORTLISTED)
        .select_related("call__programme", "audition", "structure")
        .first()
    )
    if proposal is None or proposal.call.state not in AUDITION_VISIBLE_STATES:
        return None, None
    seat = jury_queries.seat_of(user, proposal.call)
    if (
        seat is None
        or Conflict.objects.filter(
            Q(juror=seat, proposal=proposal, lifted_at__isnull=True)
        ).exists()
    ):
        return None, None
    return seat, proposal


def grid(call: Call) -> list[AuditionCriterion]:
    return list(call.audition_criteria.all())
