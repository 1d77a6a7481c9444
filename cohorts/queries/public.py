"""Reads of the public cohort pages and the staff's cohort desk: published cohorts, a cohort's
laureates, the funnel of its calls, a programme's figures."""

from django.db.models import Count, Q, Sum

from calls.models import Call
from cohorts.enums import Phase
from cohorts.models import Cohort, Laureate
from projects.queries.funnel import funnel_of_calls


def published_cohorts():
    """Published cohorts, newest first, with their laureate count (one query)."""
    return (
        Cohort.objects.filter(published_at__isnull=False)
        .select_related("programme")
        .annotate(laureate_count=Count("laureates"))
        .order_by("-starts_on", "label")
    )


def laureates_of(cohort):
    """A cohort's laureates with what the pages and open data show, in one query."""
    return cohort.laureates.select_related("host_structure", "intrapreneur", "coach").order_by(
        "name", "pk"
    )


def funnel(cohort) -> list[dict]:
    """For each call the cohort's laureates come from, how many proposals were submitted,
    found eligible, auditioned (shortlisted or beyond) and selected, counted by the database
    in one query."""
    # A subquery, not a join: filtering through `proposals` would restrict the counts
    # to the laureates' own proposals.
    return funnel_of_calls(Call.objects.filter(pk__in=cohort.laureates.values("proposal__call")))


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
