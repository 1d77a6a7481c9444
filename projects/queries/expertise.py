"""Reads of the expertise pages: a juror's bid list and the staff's assignment matrix.

Every list runs a fixed number of queries whatever its size: one for the page of
proposals (annotated), one per related table for that page only (themes, assignments,
bids, conflicts), one for the jurors with their loads.
"""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery

from calls.models import Call, JuryMember, Theme
from programme.keyset import Key
from projects.enums import ProposalState
from projects.models import Assignment, Bid, Conflict, Proposal


def _active_conflict(juror):
    return Exists(
        Conflict.objects.filter(juror=juror, proposal_id=OuterRef("pk"), lifted_at__isnull=True)
    )


def bid_list(seat: JuryMember, *, theme: Theme | None = None):
    """The proposals a juror may bid on, in the call's order, with `my_bid` (their bid or
    None) and the proposals' themes prefetched. A proposal they are in conflict with is
    hidden, as everywhere a juror looks (it stays listed in « Mes conflits d'intérêts »)."""
    queryset = (
        Proposal.objects.filter(call_id=seat.call_id, state__in=ProposalState.jury_states)
        .exclude(_active_conflict(seat))
        .annotate(
            my_bid=Subquery(
                Bid.objects.filter(juror=seat, proposal_id=OuterRef("pk")).values("choice")[:1]
            ),
        )
        .prefetch_related(Prefetch("themes", queryset=Theme.objects.order_by("position", "pk")))
        .order_by("sequence", "pk")
    )
    if theme is not None:
        queryset = queryset.filter(themes=theme)
    return queryset


def matrix_proposals(call: Call, *, theme: Theme | None = None, under: int | None = None):
    """The matrix's rows: the call's proposals before the jury, with `assigned` (their
    assignments to the call's jurors); `under`: only those with fewer than that many."""
    # A conflict drops an unscored assignment at once; a scored one stays, shown as such.
    live = Q(jury_assignments__juror__call=call)
    queryset = (
        Proposal.objects.filter(call=call, state__in=ProposalState.jury_states)
        .annotate(assigned=Count("jury_assignments", filter=live, distinct=True))
        .prefetch_related(Prefetch("themes", queryset=Theme.objects.order_by("position", "pk")))
        .order_by("sequence", "pk")
    )
    if theme is not None:
        queryset = queryset.filter(themes=theme)
    if under is not None:
        queryset = queryset.filter(assigned__lt=under)
    return queryset


def proposal_keys() -> list:
    """The keyset keys of `bid_list`'s and `matrix_proposals`' order (the call's numbering,
    given at submission to every proposal before the jury; a missing one would come last),
    served by Proposal's (call, sequence, id) index."""
    return [Key("sequence", kind=int), Key("pk", kind=int, nullable=False)]


def matrix_jurors(call: Call):
    """The matrix's columns: the call's jurors with their load over the whole call."""
    return (
        JuryMember.objects.filter(call=call)
        .select_related("user")
        .annotate(load=Count("assignments", distinct=True))
        .order_by("user__last_name", "user__first_name", "pk")
    )


def matrix_cells(call: Call, proposal_ids) -> dict:
    """For the page's proposals: the assigned pairs (with whether scoring started), the
    bids and the active conflicts, each as {(proposal id, juror id): value}: three queries."""
    ids = list(proposal_ids)
    assigned = {
        (p, j): started
        for p, j, started in Assignment.objects.filter(juror__call=call, proposal_id__in=ids)
        .annotate(
            started=Exists(Assignment.objects.filter(pk=OuterRef("pk"), evaluation__isnull=False))
        )
        .values_list("proposal_id", "juror_id", "started")
    }
    bids = {
        (p, j): choice
        for p, j, choice in Bid.objects.filter(juror__call=call, proposal_id__in=ids).values_list(
            "proposal_id", "juror_id", "choice"
        )
    }
    conflicts = set(
        Conflict.objects.filter(
            juror__call=call, proposal_id__in=ids, lifted_at__isnull=True
        ).values_list("proposal_id", "juror_id")
    )
    return {"assigned": assigned, "bids": bids, "conflicts": conflicts}
