"""Querysets of the jury's work. Every restriction holds here, not only in the templates.

- A juror's proposals are those assigned to them, minus any active conflict.
- A juror sees other jurors' evaluations of a proposal only once their own is
  submitted and staff have opened the discussion phase.
- The ranking lives in `projects.queries.ranking`.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Cast

from calls.enums import CallState, ReviewPhase
from calls.models import Call, JuryMember
from programme.models import AuditEntry
from projects.enums import EvaluationState, ProposalState
from projects.models import Assignment, Conflict, Evaluation, Proposal

# Call states in which a juror may see others' evaluations (with the discussion phase).
DISCUSSION_STATES = frozenset({CallState.REVIEW, CallState.AUDITIONS, CallState.DELIBERATION})


def _conflicted(juror_ref: str, proposal_ref: str):
    return Exists(
        Conflict.objects.filter(
            juror_id=OuterRef(juror_ref), proposal_id=OuterRef(proposal_ref), lifted_at__isnull=True
        )
    )


# --- The juror's side ---------------------------------------------------------------------


def seat_of(user, call: Call) -> JuryMember | None:
    if not user.is_authenticated:
        return None
    return JuryMember.objects.filter(call=call, user=user).first()


def juror_assignments(seat: JuryMember):
    """The juror's assignments, conflicted ones excluded, with their evaluation if any."""
    return (
        Assignment.objects.filter(juror=seat)
        .exclude(_conflicted("juror_id", "proposal_id"))
        .select_related("proposal", "evaluation")
        .order_by("proposal__sequence", "proposal_id")
    )


def juror_progress(seat: JuryMember) -> dict:
    """x of y scored, over the non-conflicted assignments only."""
    return juror_assignments(seat).aggregate(
        total=Count("pk"),
        scored=Count("pk", filter=Q(evaluation__state=EvaluationState.SUBMITTED)),
    )


def juror_conflicts(seat: JuryMember):
    """The juror's own active conflicts (they know of them: they are theirs)."""
    return (
        Conflict.objects.filter(juror=seat, lifted_at__isnull=True)
        .select_related("proposal")
        .order_by("proposal__sequence", "proposal_id")
    )


def declarable_proposals(seat: JuryMember):
    """The call's proposals before the jury on which the juror may still declare a conflict."""
    return (
        Proposal.objects.filter(call_id=seat.call_id, state__in=ProposalState.jury_states)
        .exclude(
            Exists(
                Conflict.objects.filter(
                    juror=seat, proposal_id=OuterRef("pk"), lifted_at__isnull=True
                )
            )
        )
        .order_by("sequence", "pk")
    )


def assignment_for(user, public_id):
    """The user's assignment to that proposal, or None (not assigned, or in conflict)."""
    if not user.is_authenticated:
        return None
    return (
        Assignment.objects.filter(juror__user=user, proposal__public_id=public_id)
        .exclude(_conflicted("juror_id", "proposal_id"))
        .select_related("juror__call__programme", "proposal__structure", "evaluation")
        .first()
    )


def others_evaluations(assignment: Assignment):
    """Other jurors' submitted evaluations of the same proposal, when the juror may see them:
    their own is submitted and staff have opened the discussion. Empty otherwise."""
    call = assignment.juror.call
    own = Evaluation.objects.filter(assignment=assignment, state=EvaluationState.SUBMITTED)
    if call.review_phase != ReviewPhase.DISCUSSION or call.state not in DISCUSSION_STATES:
        return Evaluation.objects.none()
    return (
        Evaluation.objects.filter(
            Exists(own),
            assignment__proposal_id=assignment.proposal_id,
            state=EvaluationState.SUBMITTED,
        )
        .exclude(assignment=assignment)
        .exclude(_conflicted("assignment__juror_id", "assignment__proposal_id"))
        .select_related("assignment__juror__user")
        .prefetch_related("scores__criterion")
        .order_by("pk")
    )


# --- The staff's side ---------------------------------------------------------------------


def panel(call: Call):
    """The jurors of a call with their load and progress (conflicted pairs left out)."""
    live = Q(assignments__isnull=False) & ~Exists(
        Conflict.objects.filter(
            juror_id=OuterRef("pk"),
            proposal_id=OuterRef("assignments__proposal_id"),
            lifted_at__isnull=True,
        )
    )
    return (
        JuryMember.objects.filter(call=call)
        .select_related("user", "user__structure")
        .annotate(
            load=Count("assignments", filter=live, distinct=True),
            scored=Count(
                "assignments",
                filter=live & Q(assignments__evaluation__state=EvaluationState.SUBMITTED),
                distinct=True,
            ),
            conflicts_count=Count(
                "conflicts", filter=Q(conflicts__lifted_at__isnull=True), distinct=True
            ),
            structure_changed_at=Subquery(
                AuditEntry.objects.filter(
                    action="jury.juror_structure",
                    content_type=ContentType.objects.get_for_model(JuryMember),
                    object_id=Cast(OuterRef("pk"), CharField()),
                )
                .order_by("-at")
                .values("at")[:1]
            ),
        )
        .order_by("user__last_name", "user__first_name", "pk")
    )


def call_conflicts(call: Call):
    return (
        Conflict.objects.filter(juror__call=call)
        .select_related("juror__user", "proposal", "lifted_by")
        .order_by("lifted_at", "proposal__sequence", "pk")
    )


def late_seats(call: Call):
    """The call's jurors who still owe written evaluations (conflicts left out), with
    `pending`: how many; empty unless the call is under written review."""
    if call.state != CallState.REVIEW:
        return JuryMember.objects.none()
    owed = (
        (
            Q(assignments__evaluation__isnull=True)
            | Q(assignments__evaluation__state=EvaluationState.DRAFT)
        )
        & Q(assignments__isnull=False)
        & ~Exists(
            Conflict.objects.filter(
                juror_id=OuterRef("pk"),
                proposal_id=OuterRef("assignments__proposal_id"),
                lifted_at__isnull=True,
            )
        )
    )
    return (
        JuryMember.objects.filter(call=call)
        .select_related("user")
        .annotate(pending=Count("assignments", filter=owed, distinct=True))
        .filter(pending__gt=0)
        .order_by("user__last_name", "user__first_name", "pk")
    )


def last_reopening(evaluation: Evaluation | None) -> AuditEntry | None:
    """When and why staff last reopened the evaluation, while it is still a draft again."""
    if evaluation is None or evaluation.state != EvaluationState.DRAFT or not evaluation.version:
        return None
    return (
        AuditEntry.objects.filter(
            action="jury.evaluation_reopen",
            content_type=ContentType.objects.get_for_model(Evaluation),
            object_id=str(evaluation.pk),
        )
        .order_by("-at", "-pk")
        .first()
    )


def proposal_assignments(proposal: Proposal):
    """Staff's view of one proposal's jury: each assignment with its juror, evaluation and
    whether an active conflict now stands between them, in assignment order."""
    return (
        Assignment.objects.filter(proposal=proposal)
        .select_related("juror__user", "evaluation")
        .annotate(conflicted=_conflicted("juror_id", "proposal_id"))
        .order_by("pk")
    )
