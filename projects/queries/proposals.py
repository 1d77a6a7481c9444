"""Reusable querysets of proposals for the views; each list runs a fixed number of queries."""

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery

from projects.enums import ProposalState
from projects.models import Answer, CorrectionRequest, Proposal, TeamMember


def proposals_of(user):
    """The proposals of the teams `user` belongs to: the only ones a candidate sees."""
    if not user.is_authenticated:
        return Proposal.objects.none()
    open_correction = CorrectionRequest.objects.filter(
        proposal=OuterRef("pk"), sent_back_at__isnull=True
    ).values("deadline")[:1]
    return (
        Proposal.objects.filter(team__user=user)
        .select_related("call", "call__programme", "defi")
        .annotate(correction_due=Subquery(open_correction))
        .order_by("-updated_at")
    )


def team_with_users():
    return Prefetch("team", queryset=TeamMember.objects.select_related("user").order_by("id"))


def staff_list(call):
    """A call's proposals as the staff list them (drafts are the teams' own business).

    Filter and sort this, paginate its ids, then load the page with `staff_rows`: page 20
    costs what page 1 costs (a deferred join)."""
    return Proposal.objects.filter(call=call, state__in=ProposalState.submitted_states)


def staff_rows(ids):
    """The rows of one page of the staff list, in the order of `ids`."""
    rows = (
        Proposal.objects.filter(pk__in=list(ids))
        .select_related("structure", "defi")
        .annotate(team_size=Count("team", distinct=True))
        .prefetch_related(team_with_users())
    )
    by_id = {row.pk: row for row in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


def for_export(call):
    return (
        Proposal.objects.filter(call=call)
        .exclude(state__in=[ProposalState.DRAFT, ProposalState.WITHDRAWN])
        .select_related("structure", "defi")
        .prefetch_related(
            team_with_users(),
            Prefetch(
                "answers", queryset=Answer.objects.only("proposal_id", "question_id", "value")
            ),
        )
        .order_by("sequence", "id")
    )


def search(queryset, text: str):
    text = text.strip()
    if not text:
        return queryset
    return queryset.filter(
        Q(title__icontains=text)
        | Q(summary__icontains=text)
        | Q(reference__icontains=text)
        | Q(team__user__last_name__icontains=text)
        | Q(team__user__email__icontains=text)
    ).distinct()
