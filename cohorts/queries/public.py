"""Reads of the public cohort pages and the staff's cohort desk: published cohorts, a cohort's
laureates, the funnel of its calls, a programme's figures."""

from datetime import datetime

from django.db.models import Count, F, Func, IntegerField, Max, OuterRef, Q, Subquery, Sum
from django.utils.translation import gettext as _

from calls.models import Call
from cohorts.enums import Phase
from cohorts.models import Cohort, Laureate
from projects.enums import ProposalState
from projects.models import Proposal
from projects.queries.funnel import funnel_chart, funnel_of_calls


def published_cohorts():
    """Published cohorts, newest first, with their laureate count (one query)."""
    return (
        Cohort.objects.filter(published_at__isnull=False)
        .select_related("programme")
        .annotate(laureate_count=Count("laureates"), laureates_changed=Max("laureates__updated_at"))
        .order_by("-starts_on", "label")
    )


def last_change(cohort) -> datetime | None:
    """When a published cohort row of `published_cohorts()` last changed: itself or a laureate."""
    return max(filter(None, [cohort.updated_at, cohort.published_at, cohort.laureates_changed]))


def dataset_cohorts(*, programme: str = "", year: int | None = None):
    """The published cohorts of a dataset: all, or one programme's (its slug), or those that
    started in `year`."""
    cohorts = Cohort.objects.filter(published_at__isnull=False)
    if programme:
        cohorts = cohorts.filter(programme__slug=programme)
    if year is not None:
        cohorts = cohorts.filter(starts_on__year=year)
    return cohorts


def published_laureates(cohorts):
    """The laureates of `cohorts` with what the open data shows, newest cohort first, in one
    query."""
    return (
        Laureate.objects.filter(cohort__in=cohorts)
        .select_related("cohort__programme", "host_structure", "intrapreneur")
        .order_by("-cohort__starts_on", "cohort__label", "name", "pk")
    )


def dataset_state(cohorts) -> tuple:
    """What a laureates file of `cohorts` follows from, in one query: the last change of the
    cohorts and their laureates, how many laureates and the sum of their ids (so that a
    laureate removed or moved changes it too)."""
    row = cohorts.aggregate(
        cohorts_changed=Max("updated_at"),
        published=Max("published_at"),
        laureates_changed=Max("laureates__updated_at"),
        count=Count("laureates"),
        ids=Sum("laureates__pk"),
    )
    changed = [row["cohorts_changed"], row["published"], row["laureates_changed"]]
    return max(filter(None, changed), default=None), row["count"], row["ids"]


def cohort_state(cohort) -> tuple:
    """`dataset_state` of one cohort already loaded: one query, on its laureates only."""
    row = cohort.laureates.aggregate(changed=Max("updated_at"), count=Count("pk"), ids=Sum("pk"))
    changed = [cohort.updated_at, cohort.published_at, row["changed"]]
    return max(filter(None, changed)), row["count"], row["ids"]


def laureates_of(cohort):
    """A cohort's laureates with what the pages and open data show, in one query."""
    return cohort.laureates.select_related("host_structure", "intrapreneur", "coach").order_by(
        "name", "pk"
    )


def laureate_keys() -> list:
    """The keyset keys of `laureates_of`'s order, served by `laureate_by_name_idx`."""
    from programme.keyset import Key

    return [Key("name", kind=str, nullable=False), Key("pk", kind=int, nullable=False)]


def funnel(cohort) -> list[dict]:
    """For each call the cohort's laureates come from, how many proposals were submitted,
    found eligible, auditioned (shortlisted or beyond) and selected, counted by the database
    in one query."""
    # A subquery, not a join: filtering through `proposals` would restrict the counts
    # to the laureates' own proposals.
    calls = funnel_of_calls(Call.objects.filter(pk__in=cohort.laureates.values("proposal__call")))
    return calls or recorded_funnel(cohort)


def recorded_funnel(cohort) -> list[dict]:
    """The selection figures staff recorded on a cohort selected before the portal: the
    candidates' funnel, then the défis' one, each only if its first figure is known."""
    rows = [
        (_("Sélection des candidatures"), [
            ("candidates", _("Candidatures"), cohort.funnel_candidates),
            ("auditioned", _("Présentées au jury"), cohort.funnel_auditioned),
            ("selected", _("Retenues"), cohort.funnel_selected),
        ]),
        (_("Sélection des défis"), [
            ("defis_proposed", _("Défis proposés"), cohort.funnel_defis_proposed),
            ("defis_auditioned", _("Défis auditionnés"), cohort.funnel_defis_auditioned),
            ("defis_retained", _("Défis retenus"), cohort.funnel_defis_retained),
        ]),
    ]  # fmt: skip
    return [
        {**funnel_chart(cohort.label, [s for s in steps if s[2] is not None]),
         "title": f"{cohort.label} — {title}", "source": cohort.funnel_source}
        for title, steps in rows
        if steps[0][2] is not None
    ]  # fmt: skip


def _proposals_of_calls(states):
    """How many proposals in `states` the calls of a cohort's laureates received (a subquery
    on the cohort's row)."""
    calls = Laureate.objects.filter(cohort=OuterRef(OuterRef("pk"))).values("proposal__call")
    counted = (
        Proposal.objects.filter(call__in=calls, state__in=states)
        .order_by()
        .annotate(n=Func(F("pk"), function="COUNT"))
        .values("n")
    )
    return Subquery(counted, output_field=IntegerField())


def programme_funnels(programme):
    """A programme's published cohorts, oldest first, each with its selection: the proposals
    its calls received and auditioned, or the figures staff recorded for a selection made
    before the portal (one query)."""
    return (
        published_cohorts()
        .filter(programme=programme)
        .annotate(
            submitted=_proposals_of_calls(ProposalState.submitted_states),
            auditioned=_proposals_of_calls(ProposalState.deliberated_states),
        )
        .order_by("starts_on", "label")
    )


def programme_state(programme) -> tuple:
    """`dataset_state` of a programme's published cohorts (one query): what its public
    figures and promotions follow from, for the key of their cached fragment."""
    return dataset_state(Cohort.objects.filter(programme=programme, published_at__isnull=False))


def programme_figures(programme) -> dict:
    """What a programme's public page states, computed from published cohorts only."""
    laureates = Laureate.objects.filter(
        cohort__programme=programme, cohort__published_at__isnull=False
    ).aggregate(
        laureates=Count("pk"),
        funding=Sum("funding_granted"),
        permanent=Count("pk", filter=Q(phase=Phase.PERMANENT)),
    )
    cohorts = Cohort.objects.filter(programme=programme, published_at__isnull=False).count()
    return {"cohorts": cohorts, **laureates}
