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


def _percent(count: int, top: int) -> int:
    """`count` as a whole percent of `top`, rounded to the nearest (4 of 6 is 67 %, not the
    66 % a floor gives); halves go up, as a reader rounds them."""
    return (200 * count + top) // (2 * top)


def funnel_chart(edition: str, steps: list[tuple[str, str, int]]) -> dict:
    """One funnel of `steps` (key, label, count), the first the 100 %, in the shape
    `cohorts/includes/funnel.html` draws."""
    top = steps[0][2] or 1
    percents = [_percent(count, top) for _key, _label, count in steps]
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
                "percent": percent,
                # Geometry of the SVG bar: 5 units per percent, a row every 30.
                "y": 30 * index + 5,
                "width": max(1, 5 * percent),
                "text_x": 150 + max(1, 5 * percent),
            }
            for index, ((key, label, count), percent) in enumerate(
                zip(steps, percents, strict=True)
            )
        ],
    }
