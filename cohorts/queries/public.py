"""Reads of the public cohort pages and the staff's cohort desk: published cohorts, a cohort's
laureates, the funnel of its calls, a programme's figures."""

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from calls.models import Call
from cohorts.enums import Phase
from cohorts.models import Cohort, Laureate
from projects.enums import ProposalState


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


def funnel_of_calls(calls) -> list[dict]:
    """The funnel (submitted, eligible, auditioned, selected) of each of `calls`, in one
    query; the shape `cohorts/includes/funnel.html` draws."""
    rows = (
        calls.annotate(
            submitted=Count(
                "proposals",
                filter=Q(proposals__state__in=ProposalState.submitted_states),
                distinct=True,
            ),
            eligible=Count(
                "proposals", filter=Q(proposals__state__in=ProposalState.jury_states), distinct=True
            ),
            auditioned=Count(
                "proposals",
                filter=Q(proposals__state__in=ProposalState.deliberated_states),
                distinct=True,
            ),
            selected=Count(
                "proposals", filter=Q(proposals__state=ProposalState.SELECTED), distinct=True
            ),
        )
        .order_by("opens_at")
        .values("edition", "submitted", "eligible", "auditioned", "selected")
    )
    steps = [
        ("submitted", _("Déposées")),
        ("eligible", _("Recevables")),
        ("auditioned", _("Auditionnées")),
        ("selected", _("Lauréates")),
    ]
    out = []
    for row in rows:
        top = row["submitted"] or 1
        out.append(
            {
                "edition": row["edition"],
                "height": 30 * len(steps) + 10,
                # What the chart says, for a screen reader: "10 déposées, 9 recevables, …".
                "summary": ", ".join(f"{row[key]} {label.lower()}" for key, label in steps),
                "steps": [
                    {
                        "key": key,
                        "label": label,
                        "count": row[key],
                        "percent": 100 * row[key] // top,
                        # Geometry of the SVG bar: 5 units per percent, a row every 30.
                        "y": 30 * index + 5,
                        "width": max(1, 5 * (100 * row[key] // top)),
                        "text_x": 150 + max(1, 5 * (100 * row[key] // top)),
                    }
                    for index, (key, label) in enumerate(steps)
                ],
            }
        )
    return out


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
