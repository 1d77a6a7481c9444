"""Reusable querysets of calls."""

from datetime import datetime

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404

from projects.enums import ProposalState

from .enums import CallState
from .models import Call


def load_call(slug: str) -> Call:
    """The call at this address (with its programme), or 404: the loader of every call page."""
    return get_object_or_404(Call.objects.select_related("programme", "challenge_call"), slug=slug)


def open_calls(now: datetime):
    """Calls taking proposals at `now`: published, opened, deadline not passed."""
    return Call.objects.filter(
        state=CallState.PUBLISHED, opens_at__lte=now, closes_at__gt=now
    ).order_by("closes_at")


def public_calls():
    return Call.objects.exclude(state=CallState.DRAFT).select_related("programme")


def calls_with_counts(queryset):
    """Calls with their number of proposals and of submitted ones, counted by the database."""
    return queryset.annotate(
        proposal_count=Count("proposals", distinct=True),
        submitted_count=Count(
            "proposals",
            filter=~Q(proposals__state__in=[ProposalState.DRAFT, ProposalState.WITHDRAWN]),
            distinct=True,
        ),
    ).order_by("-opens_at")


def public_calls_for_list():
    """What the public list shows of each call, in one query."""
    return (
        public_calls()
        .only(
            "slug", "edition", "title", "kind", "state", "opens_at", "closes_at",
            "programme__name", "programme__slug", "programme__short_name",
        )
        .order_by("-opens_at")
    )  # fmt: skip


def call_dashboard_counts(call: Call) -> dict:
    """The staff dashboard's figures, counted by the database in one query per table."""
    by_state = dict(
        call.proposals.order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    return {
        "proposals_total": sum(by_state.values()),
        "proposals_by_state": [
            (state.label, by_state.get(state.value, 0)) for state in ProposalState
        ],
        "submitted": sum(
            n
            for state, n in by_state.items()
            if state not in (ProposalState.DRAFT, ProposalState.WITHDRAWN)
        ),
        "jury_members": call.jury_members.count(),
    }


def call_journal(call: Call):
    """What the call's Journal covers: the call, its jury seats and its audition criteria."""
    from programme import journal

    from .models import AuditionCriterion, JuryMember

    return journal.targets(
        call,
        (JuryMember, JuryMember.objects.filter(call=call)),
        (AuditionCriterion, AuditionCriterion.objects.filter(call=call)),
    )


def lifecycle_audience(call: Call) -> dict:
    """Who a lifecycle step touches, for its confirmation: teams with a draft, proposals
    submitted and eligible, the jury's seats and the programme's staff (one query each)."""
    by_state = dict(
        call.proposals.order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    return {
        "drafts": by_state.get(ProposalState.DRAFT, 0),
        "submitted": sum(n for s, n in by_state.items() if s in ProposalState.submitted_states),
        "eligible": by_state.get(ProposalState.ELIGIBLE, 0),
        "shortlisted": by_state.get(ProposalState.SHORTLISTED, 0),
        "jurors": call.jury_members.count(),
    }


def item_dependents(item) -> int:
    """What deleting a criterion or a question takes with it: the scores given on it, or the
    answers candidates typed to it (a défi has none)."""
    if hasattr(item, "answers"):
        return item.answers.count()
    if hasattr(item, "scores"):
        return item.scores.count()
    return 0
