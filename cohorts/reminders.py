"""The reminder rules: for each kind, who is owed which reminder at a given time.

Each rule is one query over the database (`now` is a parameter, never the clock), so a
scan costs a bounded number of queries whatever the number of proposals. The ledger
(`cohorts.models.Reminder`) and its unique key make a rule safe to evaluate again and
again: a reminder already written is not owed a second time.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import NoReverseMatch, reverse

from calls.enums import CallState
from projects.enums import ProposalState
from projects.models import Proposal, TeamMember

from .enums import ReminderKind


@dataclass(frozen=True)
class Owed:
    """One reminder owed: the future ledger row."""

    kind: str
    content_type_id: int
    object_id: int
    recipient_id: int
    due: datetime
    call_id: int | None = None
    cohort_id: int | None = None


@dataclass(frozen=True)
class Rule:
    """A kind of reminder: its query, whether people may opt out, and how the mail says it."""

    kind: ReminderKind
    # Optional nudges respect `User.wants_nudges`; notices of deadlines and decisions don't.
    optional: bool
    select: Callable[[datetime], Iterable[Owed]]
    # Whether a row written earlier still deserves a mail at sending time (the draft may
    # have been submitted, or the deadline passed, while the broker was down).
    still_owed: Callable[[models.Model, datetime], bool]
    # The sentence of the mail, with {title}, {edition} and {deadline}.
    sentence: str
    action: str


def link_to(obj: models.Model | None) -> str:
    """The page of the object if it has one yet, else the person's own space."""
    try:
        return obj.get_absolute_url()
    except (AttributeError, NoReverseMatch):
        return reverse("dashboard")


def _drafts_closing(kind: ReminderKind, after: timedelta, until: timedelta):
    """Members of the team of each draft whose call is open and closes in (now+after, now+until]."""

    def select(now: datetime) -> Iterable[Owed]:
        proposal_type = ContentType.objects.get_for_model(Proposal)
        seats = TeamMember.objects.filter(
            proposal__state=ProposalState.DRAFT,
            proposal__call__state=CallState.PUBLISHED,
            proposal__call__opens_at__lte=now,
            proposal__call__closes_at__gt=now + after,
            proposal__call__closes_at__lte=now + until,
            user__is_active=True,
        )
        if RULES[kind].optional:
            seats = seats.filter(user__wants_nudges=True)
        for proposal_id, user_id, closes_at, call_id in seats.values_list(
            "proposal_id", "user_id", "proposal__call__closes_at", "proposal__call_id"
        ).iterator(chunk_size=2000):
            yield Owed(kind, proposal_type.pk, proposal_id, user_id, closes_at, call_id=call_id)

    return select


def _draft_still_open(proposal: Proposal, now: datetime) -> bool:
    return proposal.state == ProposalState.DRAFT and proposal.call.is_open(now)


# --- Follow-up milestones ----------------------------------------------------------------------
#
# Recipients: the laureate's team (its intrapreneur and members) and its coach "in copy". The
# coach gets a ledger row of their own (recipient = coach) rather than a cc on the team's
# rows: the unique key (kind, milestone, recipient, due) then holds for the coach too, each
# person receives one grouped mail whatever the size of the team (a cc on every member's row
# would send the coach one copy per member), a coach of several laureates gets one mail
# listing them all, and the coach's delivery is claimed, retried and marked like anyone's.


def _paris_today(now: datetime):
    from django.utils import timezone

    from .models import PARIS

    return timezone.localdate(now, timezone=PARIS)


def _milestones_due(kind: ReminderKind, milestone_kind: str, first: int, last: int):
    """Team and coach of each open milestone of `milestone_kind` due between `first` and `last`
    days from today (Paris), both included; negative days are in the past.

    One query: the milestone joined with its laureate's members (a left join, so a laureate
    without members still reaches its intrapreneur and coach); inactive accounts are left out.
    """

    def select(now: datetime) -> Iterable[Owed]:
        from .models import Milestone

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
    from .models import Milestone

    return Milestone(due_on=due_on).deadline


def _milestone_open(milestone, now: datetime) -> bool:
    return milestone.done_at is None and milestone.skipped_at is None


RULES: dict[str, Rule] = {
    rule.kind: rule
    for rule in (
        Rule(
            kind=ReminderKind.DRAFT_CLOSING_7D,
            optional=True,
            select=_drafts_closing(
                ReminderKind.DRAFT_CLOSING_7D, timedelta(days=1), timedelta(days=7)
            ),
            still_owed=_draft_still_open,
            sentence=(
                "Votre candidature « {title} » à l'appel {edition} est encore un brouillon. "
                "L'appel clôt le {deadline}."
            ),
            action="Compléter et déposer ma candidature",
        ),
        Rule(
            kind=ReminderKind.DRAFT_CLOSING_1D,
            optional=True,
            select=_drafts_closing(ReminderKind.DRAFT_CLOSING_1D, timedelta(0), timedelta(days=1)),
            still_owed=_draft_still_open,
            sentence=(
                "Dernier jour : votre candidature « {title} » à l'appel {edition} n'est pas "
                "déposée. L'appel clôt le {deadline} ; un brouillon n'est pas examiné."
            ),
            action="Déposer ma candidature",
        ),
        Rule(
            kind=ReminderKind.REPORT_DUE_7D,
            optional=False,
            select=_milestones_due(ReminderKind.REPORT_DUE_7D, "report", 1, 7),
            still_owed=_milestone_open,
            sentence="« {title} » est attendu au plus tard le {deadline}.",
            action="Ouvrir la frise de suivi",
        ),
        Rule(
            kind=ReminderKind.REPORT_LATE_1D,
            optional=False,
            # Late since yesterday; the window reaches back a week so a scan stopped for a
            # few days still owes it, without writing to every report of past cohorts.
            select=_milestones_due(ReminderKind.REPORT_LATE_1D, "report", -7, -1),
            still_owed=_milestone_open,
            sentence="« {title} » était attendu le {deadline} : il est en retard.",
            action="Ouvrir la frise de suivi",
        ),
        Rule(
            kind=ReminderKind.MIDTERM_REVIEW,
            optional=False,
            select=_milestones_due(ReminderKind.MIDTERM_REVIEW, "midterm", 0, 14),
            still_owed=_milestone_open,
            sentence="La « {title} » approche : elle a lieu au plus tard le {deadline}.",
            action="Ouvrir la frise de suivi",
        ),
        Rule(
            kind=ReminderKind.FINAL_COMMITTEE,
            optional=False,
            select=_milestones_due(ReminderKind.FINAL_COMMITTEE, "final", 0, 14),
            still_owed=_milestone_open,
            sentence="Le « {title} » approche : il se tient au plus tard le {deadline}.",
            action="Ouvrir la frise de suivi",
        ),
    )
}

# Kinds the design asks for whose tables do not exist yet; each becomes a Rule above when
# the part it speaks of lands (its enum value, rule and test together).
NOT_YET: dict[str, str] = {
    "submission_receipt": (
        "Receipt of a submission (not optional), due at submitted_at. The projects part "
        "sends it from submit_proposal; it can write its ledger row in its own transaction "
        "with cohorts.services.owe_reminders so a broker outage leaves it pending."
    ),
    "evaluation_due_3d": "Juror's evaluations due in 3 days (not optional): needs Evaluation "
    "and the review deadline of a call.",
    "evaluation_late": "Juror's evaluations late (not optional): needs Evaluation and the "
    "review deadline of a call.",
    "evaluation_late_summary": "One summary per call to the programme staff of the jurors "
    "late with their evaluations (not optional).",
    "audition_convocation": "Audition convocation when a proposal is shortlisted "
    "(not optional, to the team): needs Audition (slot, place).",
    "audition_day_before": "Day-before reminder of an audition (optional, to the team): "
    "needs Audition.",
    "decision_notice": "The jury's decision to the team (not optional), sent from the "
    "decision outbox when staff send the mails.",
}


def owed_at(now: datetime) -> Iterable[Owed]:
    """Every reminder owed at `now`, all kinds together (one query per kind)."""
    for rule in RULES.values():
        yield from rule.select(now)
