"""Reads of the follow-up: the staff dashboard, a laureate's timeline, the people's laureates."""

from datetime import date, datetime

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cohorts.enums import MilestoneKind, MilestoneState, ReportStatus
from cohorts.models import (
    PARIS,
    Indicator,
    IndicatorValue,
    Laureate,
    Milestone,
    Report,
    ReportMessage,
)
from projects.queries.fil import FilItem, proposal_fil


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
    """Every laureate of the dashboard's filter (the export), decorated as `decorate_rows`."""
    return decorate_rows(
        list(followup_rows(cohort, today=today, status=status, phase=phase)), today
    )


def decorate_rows(rows, today: date) -> list:
    """Each row with its decorated timeline, next due milestone, last report's label and
    its dates written once (`due_label`: one format per distinct date, the cohort's
    laureates share their schedule)."""
    labels: dict[date, str] = {}
    for row in rows:
        row.timeline = decorate(row.milestones.all(), today)
        for milestone in row.timeline:
            if milestone.due_on not in labels:
                labels[milestone.due_on] = date_format(milestone.due_on, "j F Y")
            milestone.due_label = labels[milestone.due_on]
        row.next_due = next_due(row.timeline)
        row.first_late = row.first_late_on
        row.last_status_label = (
            ReportStatus(row.last_report_status).label if row.last_report_status else ""
        )
        # "Prochaine échéance" is a milestone still ahead; the oldest late one is shown as late.
        row.next_upcoming = next_upcoming(row.timeline)
        row.oldest_late = first_late(row.timeline)
    return rows


def dashboard_keys() -> list:
    """The dashboard's order, late first (most late milestones, then the oldest late due
    date), then by name: the keys of its keyset pages, served by `laureate_late_first_idx`."""
    from programme.keyset import Key

    return [
        Key("late_count", descending=True, kind=int, nullable=False),
        Key("first_late_on", kind=date),
        Key("name", kind=str, nullable=False),
        Key("pk", kind=int, nullable=False),
    ]


def without_milestones(cohort) -> int:
    """How many laureates of the cohort have no milestone yet (one count)."""
    return cohort.laureates.filter(
        ~Exists(Milestone.objects.filter(laureate_id=OuterRef("pk")))
    ).count()


def report_of(milestone: Milestone) -> Report | None:
    """The milestone's report with its indicators' values, or None."""
    return Report.objects.filter(milestone=milestone).prefetch_related("values").first()


def indicators_of(programme_id: int) -> list[Indicator]:
    """The indicators a programme asks in its monthly reports, in order."""
    return list(Indicator.objects.filter(programme_id=programme_id))


def followup_rows(cohort, *, today, status: str = "", phase: str = ""):
    """The laureates of a cohort for the staff dashboard, late ones first (most late
    milestones first, then the oldest late due date), then by name; each with its milestones
    and their reports prefetched. The lateness and the last report's status are the stored
    columns kept by `cohorts.services.lateness`, so the order and the filters are index
    reads, whatever the size.

    `status`: "late" (a milestone late), "up_to_date" (none late), or a report status
    (the last submitted report's: on_track, at_risk, late as "report_late").
    """
    from programme import keyset

    rows = cohort.laureates.all()
    if status == "late":
        rows = rows.filter(late_count__gt=0)
    elif status == "up_to_date":
        rows = rows.filter(late_count=0)
    elif status in (ReportStatus.ON_TRACK, ReportStatus.AT_RISK, "report_late"):
        rows = rows.filter(
            last_report_status=ReportStatus.LATE if status == "report_late" else status
        )
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
        .order_by(*keyset.order(dashboard_keys()))
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


def laureate_journal(laureate: Laureate):
    """What a laureate's Journal covers: the laureate, its milestones and their reports."""
    from programme import journal

    return journal.targets(
        laureate,
        (Milestone, Milestone.objects.filter(laureate=laureate)),
        (Report, Report.objects.filter(milestone__laureate=laureate)),
    )


def cohort_journal(cohort):
    """What a promotion's Journal covers: the promotion, its laureates and their follow-up."""
    from programme import journal

    return journal.targets(
        cohort,
        (Laureate, Laureate.objects.filter(cohort=cohort)),
        (Milestone, Milestone.objects.filter(laureate__cohort=cohort)),
        (Report, Report.objects.filter(milestone__laureate__cohort=cohort)),
    )


def laureate_fil(laureate, milestones, *, viewer) -> list:
    """The Fil of a laureate's follow-up, oldest first: reports filed, the coach's comments
    and the messages under the reports, reviews held, milestones set aside; and, for whoever
    writes in the proposal's thread (team, staff, coach), the proposal's own Fil (its
    selection, its messages).

    `milestones` are the timeline's (with their reports): one more query for the messages."""

    def name(user):
        return (user.get_full_name() or user.email) if user is not None else ""

    items = []
    reports = {}
    for m in milestones:
        link = reverse("cohorts:report", kwargs={"slug": laureate.cohort.slug, "pk": m.pk})
        report = getattr(m, "report", None) if m.kind == MilestoneKind.REPORT else None
        if report is not None and report.submitted_at is not None:
            reports[report.pk] = (m, link)
            items.append(
                FilItem(report.submitted_at, _("%(t)s déposé") % {"t": m.title}, link=link)
            )
            if report.commented_at is not None:
                items.append(
                    FilItem(
                        report.commented_at,
                        _("Commentaire du coach sur le %(t)s") % {"t": m.title.lower()},
                        report.coach_comment,
                        link=link,
                    )
                )
        elif m.kind != MilestoneKind.REPORT and m.done_at is not None:
            items.append(
                FilItem(m.done_at, _("%(t)s : fait") % {"t": m.title}, m.get_outcome_display())
            )
        if m.skipped_at is not None:
            items.append(
                FilItem(m.skipped_at, _("Jalon écarté : %(t)s") % {"t": m.title}, m.skip_reason)
            )
    for message in ReportMessage.objects.filter(report_id__in=list(reports)).select_related(
        "author"
    ):
        milestone, link = reports[message.report_id]
        items.append(
            FilItem(
                message.created_at,
                _("Message sous le %(t)s") % {"t": milestone.title.lower()},
                message.body,
                name(message.author),
                link=link,
            )
        )
    proposal = laureate.proposal
    if proposal is not None and viewer.has_perm("projects.write_fil", proposal):
        for item in proposal_fil(proposal):
            item.link = item.link or proposal.get_absolute_url() + "#fil"
            items.append(item)
    return sorted(items, key=lambda item: item.at)
