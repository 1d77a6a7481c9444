"""Querysets of the reminders' staff pages."""

from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db.models import Count, Min, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.utils.translation import gettext as _

from calls.models import Call, JuryMember
from projects.enums import ProposalState
from projects.models import Audition, DecisionMail, Proposal, ProposalVersion

from .enums import Phase, ReminderState
from .models import Cohort, IndicatorValue, Laureate, Milestone, Reminder, Report


def reminders_for_staff(**scope) -> QuerySet[Reminder]:
    """The reminders of one call (`call=`) or cohort (`cohort=`), newest first, with what a
    row shows (recipient, object) fetched in a fixed number of queries."""
    return (
        Reminder.objects.filter(**scope)
        .select_related("recipient", "content_type")
        .prefetch_related(
            # What each kind's object prints (str) is fetched with it, one query per type;
            # types not named here are fetched plainly.
            GenericPrefetch(
                "content_object",
                [
                    Proposal.objects.all(),
                    ProposalVersion.objects.all(),
                    JuryMember.objects.select_related("user", "call"),
                    Call.objects.all(),
                    # A milestone names its laureate; an audition or a decision mail its
                    # proposal.
                    Milestone.objects.select_related("laureate"),
                    Audition.objects.select_related("proposal"),
                    DecisionMail.objects.select_related("proposal"),
                ],
            )
        )
        .order_by("-created_at", "-id")
    )


def state_counts(**scope) -> dict[str, int]:
    """How many reminders of the scope are in each state, in one query."""
    return Reminder.objects.filter(**scope).aggregate(
        **{state.value: Count("pk", filter=Q(state=state)) for state in ReminderState}
    )


# --- Cohorts: public lists, the funnel, a programme's figures ----------------------------------


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
    eligible = {
        ProposalState.ELIGIBLE,
        ProposalState.SHORTLISTED,
        ProposalState.NOT_SHORTLISTED,
        ProposalState.SELECTED,
        ProposalState.NOT_SELECTED,
    }
    auditioned = {ProposalState.SHORTLISTED, ProposalState.SELECTED, ProposalState.NOT_SELECTED}
    rows = (
        calls.annotate(
            submitted=Count(
                "proposals",
                filter=Q(proposals__state__in=ProposalState.submitted_states),
                distinct=True,
            ),
            eligible=Count("proposals", filter=Q(proposals__state__in=eligible), distinct=True),
            auditioned=Count("proposals", filter=Q(proposals__state__in=auditioned), distinct=True),
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


# --- Follow-up: the staff dashboard and a laureate's timeline ----------------------------------


def _late(today):

    return Q(
        milestones__done_at__isnull=True,
        milestones__skipped_at__isnull=True,
        milestones__due_on__lt=today,
    )


def followup_rows(cohort, *, today, status: str = "", phase: str = ""):
    """The laureates of a cohort for the staff dashboard, late ones first (most late
    milestones first, then the oldest late due date), then by name; each with its milestones
    and their reports prefetched, and its counts by state: three queries whatever the size.

    `status`: "late" (a milestone late), "up_to_date" (none late), or a report status
    (the last submitted report's: on_track, at_risk, late as "report_late").
    """
    last_status = (
        Report.objects.filter(milestone__laureate=OuterRef("pk"), submitted_at__isnull=False)
        .order_by("-milestone__due_on", "-pk")
        .values("status")[:1]
    )
    rows = cohort.laureates.annotate(
        late_count=Count("milestones", filter=_late(today)),
        first_late=Min("milestones__due_on", filter=_late(today)),
        done_count=Count("milestones", filter=Q(milestones__done_at__isnull=False)),
        total_count=Count("milestones"),
        last_status=Subquery(last_status),
    )
    if status == "late":
        rows = rows.filter(late_count__gt=0)
    elif status == "up_to_date":
        rows = rows.filter(late_count=0)
    elif status in ("on_track", "at_risk", "report_late"):
        rows = rows.filter(last_status="late" if status == "report_late" else status)
    if phase:
        rows = rows.filter(phase=phase)
    return (
        rows.select_related("intrapreneur", "coach")
        .prefetch_related(
            Prefetch(
                "milestones",
                queryset=Milestone.objects.select_related("report").order_by("due_on", "pk"),
            )
        )
        .order_by("-late_count", "first_late", "name", "pk")
    )


def timeline_of(laureate):
    """A laureate's milestones in date order, each with its report and the report's values
    (two queries)."""
    return (
        Milestone.objects.filter(laureate=laureate)
        .select_related("report")
        .prefetch_related(
            Prefetch(
                "report__values",
                queryset=IndicatorValue.objects.select_related("indicator"),
            )
        )
        .order_by("due_on", "pk")
    )


def laureates_followed_by(user):
    """The laureates whose team the person is in, with their cohort (one query)."""
    return (
        Laureate.objects.filter(Q(intrapreneur=user) | Q(members=user))
        .select_related("cohort")
        .distinct()
        .order_by("-cohort__starts_on", "name")
    )


def laureates_coached_by(user):
    """The laureates the person coaches or mentors, with their cohort (one query)."""
    return (
        Laureate.objects.filter(Q(coach=user) | Q(mentors=user))
        .select_related("cohort")
        .distinct()
        .order_by("-cohort__starts_on", "name")
    )
