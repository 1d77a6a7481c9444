"""The funnel of calls: how many proposals were submitted, found eligible, auditioned and
selected, the figures the public results and promotion pages draw."""

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from projects.enums import ProposalState


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
    return [
        funnel_chart(row["edition"], [(key, label, row[key]) for key, label in steps])
        for row in rows
    ]


def funnel_chart(edition: str, steps: list[tuple[str, str, int]]) -> dict:
    """One funnel of `steps` (key, label, count), the first the 100 %, in the shape
    `cohorts/includes/funnel.html` draws."""
    top = steps[0][2] or 1
    return {
        "edition": edition,
        "height": 30 * len(steps) + 10,
        # What the chart says, for a screen reader: "10 déposées, 9 recevables, …".
        "summary": ", ".join(f"{count} {label.lower()}" for _key, label, count in steps),
        "steps": [
            {
                "key": key,
                "label": label,
                "count": count,
                "percent": 100 * count // top,
                # Geometry of the SVG bar: 5 units per percent, a row every 30.
                "y": 30 * index + 5,
                "width": max(1, 5 * (100 * count // top)),
                "text_x": 150 + max(1, 5 * (100 * count // top)),
            }
            for index, (key, label, count) in enumerate(steps)
        ],
    }
