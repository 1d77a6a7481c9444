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
    "report_due_7d": "Follow-up report due in 7 days (not optional, to the laureate's team, "
    "the coach in copy): needs Milestone/Report.",
    "report_late_1d": "Follow-up report late by 1 day (not optional, team + coach in copy): "
    "needs Milestone/Report.",
    "midterm_review": "Mid-term review ahead (not optional, team + coach): needs Milestone.",
    "final_committee": "Final committee ahead (not optional, team + coach): needs Milestone.",
}


def owed_at(now: datetime) -> Iterable[Owed]:
    """Every reminder owed at `now`, all kinds together (one query per kind)."""
    for rule in RULES.values():
        yield from rule.select(now)
