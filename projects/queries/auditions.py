"""What the audition pages read: the shortlist, the jurors' audition list, the grid.

A juror sees only the shortlisted proposals of a call at its auditions (then read only at
its deliberation), never one they are in conflict with.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from calls.models import AuditionCriterion, Call, JuryMember
from programme.keyset import Key
from programme.models import User
from projects.enums import ProposalState
from projects.models import Audition, AuditionEvaluation, Conflict, Proposal, RankingRow
from projects.queries import jury as jury_queries
from projects.services.auditions import AUDITION_VISIBLE_STATES

PARIS = ZoneInfo("Europe/Paris")


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
    """The staff's shortlist page: the stored ranking's rows of the eligible and shortlisted
    proposals, with the proposal and its slot, to be read in the ranking's order by keyset
    pages (`SHORTLIST_KEYS`): the (call, rank, proposal) index of `RankingRow` drives them,
    so a page reads its own rows and not the whole call. `as_proposals` turns a page into
    the proposals the template shows."""
    return RankingRow.objects.filter(
        call=call, proposal__state__in=[ProposalState.ELIGIBLE, ProposalState.SHORTLISTED]
    ).select_related("proposal", "proposal__audition")


def as_proposals(rows) -> list[Proposal]:
    """The proposals of `shortlist_candidates` rows, each with its `rank`, `model` and
    `z_mean` from the stored ranking."""
    proposals = []
    for row in rows:
        proposal = row.proposal
        proposal.rank, proposal.model, proposal.z_mean = row.rank, row.model, row.z_mean
        proposals.append(proposal)
    return proposals


# The ranking's order; a proposal not ranked yet comes last.
SHORTLIST_KEYS = [Key("rank", kind=int), Key("pk", kind=int, nullable=False)]


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


def audition_days(call: Call) -> list:
    """The days (in Paris) on which the call has auditions, in order."""
    moments = Audition.objects.filter(
        proposal__call=call, proposal__state=ProposalState.SHORTLISTED
    ).values_list("starts_at", flat=True)
    return sorted({timezone.localtime(moment, PARIS).date() for moment in moments})


def day_schedule(call: Call, day) -> list[tuple[str, list[Audition]]]:
    """The auditions of `day` (a Paris date), grouped by place (room, else video link),
    each place's slots in order: the columns of the day view."""
    start = datetime.combine(day, time(0), tzinfo=PARIS)
    slots = (
        Audition.objects.filter(
            proposal__call=call,
            proposal__state=ProposalState.SHORTLISTED,
            starts_at__gte=start,
            starts_at__lt=start + timedelta(days=1),
        )
        .select_related("proposal")
        .order_by("starts_at", "pk")
    )
    places: dict[str, list[Audition]] = {}
    for slot in slots:
        slot.ends_at = slot.starts_at + timedelta(minutes=slot.duration_minutes)
        places.setdefault(slot.room or slot.video_link, []).append(slot)
    return sorted(places.items(), key=lambda item: item[0].casefold())
