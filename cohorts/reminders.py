"""The reminder rules of the follow-up, registered with the one scan (`programme.reminders`):
reports due in 7 days or late, the mid-term review and the final committee.

Each rule is one query over the database (`now` is a parameter, never the clock); the
ledger's unique key makes a rule safe to evaluate again and again.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext_lazy

from programme.enums import ReminderKind
from programme.reminders import Owed, Rule, register, register_scan_step

from .models import Milestone
from .services import lateness

PARIS = ZoneInfo("Europe/Paris")


# --- Follow-up milestones ----------------------------------------------------------------------
#
# Recipients: the laureate's team (its intrapreneur and members) and its coach "in copy". The
# coach gets a ledger row of their own (recipient = coach) rather than a cc on the team's
# rows: the unique key (kind, milestone, recipient, due) then holds for the coach too, each
# person receives one grouped mail whatever the size of the team (a cc on every member's row
# would send the coach one copy per member), a coach of several laureates gets one mail
# listing them all, and the coach's delivery is claimed, retried and marked like anyone's.


def _paris_today(now: datetime):
    return timezone.localdate(now, timezone=PARIS)


def _milestones_due(kind: ReminderKind, milestone_kind: str, first: int, last: int):
    """Team and coach of each open milestone of `milestone_kind` due between `first` and `last`
    days from today (Paris), both included; negative days are in the past.

    One query: the milestone joined with its laureate's members (a left join, so a laureate
    without members still reaches its intrapreneur and coach); inactive accounts are left out.
    """

    def select(now: datetime) -> Iterable[Owed]:
        milestone_type = ContentType.objects.get_for_model(Milestone)
        today = _paris_today(now)
        rows = (
            Milestone.objects.filter(
                kind=milestone_kind,
                done_at__isnull=True,
                skipped_at__isnull=True,
                due_on__gte=today + timedelta(days=first),
                due_on__lte=today + timedelta(days=last),
            )
            .values_list(
                "pk",
                "due_on",
                "laureate__cohort_id",
                "laureate__intrapreneur_id",
                "laureate__intrapreneur__is_active",
                "laureate__coach_id",
                "laureate__coach__is_active",
                "laureate__members__id",
                "laureate__members__is_active",
            )
            .order_by("pk")
        )
        seen = set()
        for pk, due_on, cohort_id, *people in rows.iterator(chunk_size=2000):
            due = _deadline(due_on)
            for user_id, active in zip(people[::2], people[1::2], strict=True):
                if user_id is None or not active or (pk, user_id) in seen:
                    continue
                seen.add((pk, user_id))
                yield Owed(kind, milestone_type.pk, pk, user_id, due, cohort_id=cohort_id)

    return select


def _deadline(due_on):
    return Milestone(due_on=due_on).deadline


def _milestone_open(milestone, now: datetime) -> bool:
    return milestone.done_at is None and milestone.skipped_at is None


register(
    Rule(
        kind=ReminderKind.REPORT_DUE_7D,
        optional=False,
        select=_milestones_due(ReminderKind.REPORT_DUE_7D, "report", 1, 7),
        still_owed=_milestone_open,
        sentence=gettext_lazy("« {title} » est attendu au plus tard le {deadline}."),
        action=gettext_lazy("Ouvrir la frise de suivi"),
    ),
    Rule(
        kind=ReminderKind.REPORT_LATE_1D,
        optional=False,
        # Late since yesterday; the window reaches back a week so a scan stopped for a
        # few days still owes it, without writing to every report of past cohorts.
        select=_milestones_due(ReminderKind.REPORT_LATE_1D, "report", -7, -1),
        still_owed=_milestone_open,
        sentence=gettext_lazy("« {title} » était attendu le {deadline} : il est en retard."),
        action=gettext_lazy("Ouvrir la frise de suivi"),
    ),
    Rule(
        kind=ReminderKind.MIDTERM_REVIEW,
        optional=False,
        select=_milestones_due(ReminderKind.MIDTERM_REVIEW, "midterm", 0, 14),
        still_owed=_milestone_open,
        sentence=gettext_lazy("La « {title} » approche : elle a lieu au plus tard le {deadline}."),
        action=gettext_lazy("Ouvrir la frise de suivi"),
    ),
    Rule(
        kind=ReminderKind.FINAL_COMMITTEE,
        optional=False,
        select=_milestones_due(ReminderKind.FINAL_COMMITTEE, "final", 0, 14),
        still_owed=_milestone_open,
        sentence=gettext_lazy("Le « {title} » approche : il se tient au plus tard le {deadline}."),
        action=gettext_lazy("Ouvrir la frise de suivi"),
    ),
)

# A milestone that passes its due date makes its laureate late without any write: the scan
# keeps the stored lateness of the dashboard up to date.
register_scan_step(lateness.refresh_crossed)
