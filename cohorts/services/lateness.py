"""The follow-up's stored state on each laureate: how many milestones are late, the first
late due date, and the status of the last submitted report (`Laureate.late_count`,
`first_late_on`, `last_report_status`, as of `followup_as_of`).

The dashboard sorts and filters on these columns by an index instead of aggregating every
milestone of the cohort on each request. They are written here only:
- `refresh(ids, now=)` recomputes them from the milestones, for the laureates a follow-up
  service just changed (in its transaction);
- `refresh_crossed(now=)` runs in the reminder scan (`programme.reminders`): the laureates
  one of whose open milestones passed its due date since they were last computed get
  theirs again, and every laureate is marked as computed today.
`compute` is the from-scratch computation both use, and that the tests compare with.
"""

from datetime import date, datetime

from django.db.models import Count, Exists, Min, OuterRef, Q, Subquery
from django.utils import timezone

from cohorts.models import PARIS, Laureate, Milestone, Report

FIELDS = ["late_count", "first_late_on", "last_report_status", "followup_as_of"]


def paris_today(now: datetime) -> date:
    return timezone.localdate(now, timezone=PARIS)


def _late(today: date) -> Q:
    return Q(
        milestones__done_at__isnull=True,
        milestones__skipped_at__isnull=True,
        milestones__due_on__lt=today,
    )


def compute(laureates, today: date) -> dict[int, tuple[int, date | None, str]]:
    """{laureate id: (late milestones, first late due date, last submitted report's status)}
    from the milestones and reports, in one query."""
    last_status = (
        Report.objects.filter(milestone__laureate=OuterRef("pk"), submitted_at__isnull=False)
        .order_by("-milestone__due_on", "-pk")
        .values("status")[:1]
    )
    rows = laureates.annotate(
        computed_late=Count("milestones", filter=_late(today)),
        computed_first=Min("milestones__due_on", filter=_late(today)),
        computed_status=Subquery(last_status),
    ).values_list("pk", "computed_late", "computed_first", "computed_status")
    return {pk: (late, first, status or "") for pk, late, first, status in rows}


def refresh(laureate_ids, *, now: datetime) -> int:
    """Recompute the stored state of these laureates; returns how many rows changed."""
    ids = list(laureate_ids)
    if not ids:
        return 0
    today = paris_today(now)
    fresh = compute(Laureate.objects.filter(pk__in=ids), today)
    changed = []
    for laureate in Laureate.objects.filter(pk__in=ids).only("pk", *FIELDS):
        late, first, status = fresh[laureate.pk]
        value = (late, first, status, today)
        if (
            laureate.late_count,
            laureate.first_late_on,
            laureate.last_report_status,
            laureate.followup_as_of,
        ) != value:
            (
                laureate.late_count,
                laureate.first_late_on,
                laureate.last_report_status,
                laureate.followup_as_of,
            ) = value
            changed.append(laureate)
    Laureate.objects.bulk_update(changed, FIELDS, batch_size=500)
    return len(changed)


def refresh_crossed(*, now: datetime) -> int:
    """The scan's part: laureates never computed, or whose open milestone fell due since
    their state was last computed, are recomputed; the others are marked as of today.
    Idempotent: a second run the same day finds nothing to do."""
    today = paris_today(now)
    stale = Laureate.objects.filter(Q(followup_as_of__isnull=True) | Q(followup_as_of__lt=today))
    crossed = Milestone.objects.filter(
        laureate_id=OuterRef("pk"),
        done_at__isnull=True,
        skipped_at__isnull=True,
        due_on__lt=today,
    ).filter(due_on__gte=OuterRef("followup_as_of"))
    ids = list(
        stale.filter(Q(followup_as_of__isnull=True) | Exists(crossed)).values_list("pk", flat=True)
    )
    changed = refresh(ids, now=now)
    stale.update(followup_as_of=today)
    return changed
