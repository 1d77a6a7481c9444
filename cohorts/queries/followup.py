"""Reads of the follow-up: the staff dashboard, a laureate's timeline, the people's laureates."""

from datetime import date, datetime

from django.db.models import Count, Min, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from cohorts.enums import MilestoneKind, MilestoneState, ReportStatus
from cohorts.models import PARIS, Indicator, IndicatorValue, Laureate, Milestone, Report


def today(now: datetime | None = None) -> date:
    """The date in Paris: a milestone due today is late from tomorrow on."""
    return timezone.localdate(now or timezone.now(), timezone=PARIS)


BADGE = {
    MilestoneState.DONE: "success",
    MilestoneState.LATE: "error",
    MilestoneState.UPCOMING: "info",
    MilestoneState.SKIPPED: "",
}


def abbreviation(milestone: Milestone) -> str:
    """The milestone's name on the strip: M1, M2… (reports), MP, CF, or J (ad hoc)."""
    if milestone.kind == MilestoneKind.REPORT:
        return _("M%(n)s") % {"n": milestone.number}
    return {
        MilestoneKind.MIDTERM: _("MP"),
        MilestoneKind.FINAL: _("CF"),
    }.get(milestone.kind, _("J"))


def _has_report(milestone) -> bool:
    try:
        return milestone.report is not None
    except Report.DoesNotExist:
        return False


def decorate(milestones, today: date) -> list[Milestone]:
    """The milestones with their state (today), its label and badge, and a short name."""
    out = []
    for milestone in milestones:
        milestone.current_state = milestone.state(today)
        milestone.state_label = MilestoneState(milestone.current_state).label
        milestone.badge = BADGE[milestone.current_state]
        milestone.abbr = abbreviation(milestone)
        milestone.report_or_none = milestone.report if _has_report(milestone) else None
        out.append(milestone)
    return out


def next_due(milestones) -> Milestone | None:
    """The first decorated milestone that still owes something."""
    return next((m for m in milestones if m.current_state in MilestoneState.open_states), None)


def next_upcoming(milestones) -> Milestone | None:
    """The first decorated milestone still ahead ("Prochaine échéance"): never one already
    late, which the dashboard shows as late instead."""
    return next((m for m in milestones if m.current_state == MilestoneState.UPCOMING), None)


def first_late(milestones) -> Milestone | None:
    """The oldest decorated milestone that is late."""
    return next((m for m in milestones if m.current_state == MilestoneState.LATE), None)


def dashboard_rows(cohort, *, today: date, status: str = "", phase: str = "") -> list:
    """The dashboard's laureates, each with its decorated timeline, next due milestone and the
    label of its last report's status."""
    rows = list(followup_rows(cohort, today=today, status=status, phase=phase))
    for row in rows:
        row.timeline = decorate(row.milestones.all(), today)
        row.next_due = next_due(row.timeline)
        row.next_upcoming = next_upcoming(row.timeline)
        row.oldest_late = first_late(row.timeline)
        row.last_status_label = ReportStatus(row.last_status).label if row.last_status else ""
    return rows


def report_of(milestone: Milestone) -> Report | None:
    """The milestone's report with its indicators' values, or None."""
    return Report.objects.filter(milestone=milestone).prefetch_related("values").first()


def indicators_of(programme_id: int) -> list[Indicator]:
    """The indicators a programme asks in its monthly reports, in order."""
    return list(Indicator.objects.filter(programme_id=programme_id))


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
    elif status in (ReportStatus.ON_TRACK, ReportStatus.AT_RISK, "report_late"):
        rows = rows.filter(last_status=ReportStatus.LATE if status == "report_late" else status)
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


def _laureates_where(condition: Q):
    return (
        Laureate.objects.filter(condition)
        .select_related("cohort")
        .distinct()
        .order_by("-cohort__starts_on", "name")
    )


def laureates_followed_by(user):
    """The laureates whose team the person is in, with their cohort (one query)."""
    return _laureates_where(Q(intrapreneur=user) | Q(members=user))


def laureates_coached_by(user):
    """The laureates the person coaches or mentors, with their cohort (one query)."""
    return _laureates_where(Q(coach=user) | Q(mentors=user))
