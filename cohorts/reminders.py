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
from projects.enums import DecisionMailState, ProposalState
from projects.models import Audition, DecisionMail, Proposal, TeamMember

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
    # The sentence of the mail, with {title}, {edition} and {deadline}, and the words
    # `words` adds for the object.
    sentence: str
    action: str
    words: Callable[[models.Model], dict] | None = None
    # Files joined to the mail for the object: (name, content, MIME type).
    attachments: Callable[[models.Model, datetime], list[tuple[str, str, str]]] | None = None


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


# --- Auditions: the convocation when a slot is given, and the day before -------------------

# Call states in which shortlisted teams are convoked (auditions are scheduled in them).
AUDITION_CALL_STATES = (CallState.REVIEW, CallState.AUDITIONS)


def audition_seats(kind: ReminderKind, *, after: timedelta | None, until: timedelta | None):
    """Members of the teams of shortlisted proposals with an audition starting in
    (now + after, now + until] (no bound when None), the call at its auditions."""

    def select(now: datetime, auditions=None) -> Iterable[Owed]:
        audition_type = ContentType.objects.get_for_model(Audition)
        seats = TeamMember.objects.filter(
            proposal__state=ProposalState.SHORTLISTED,
            proposal__call__state__in=AUDITION_CALL_STATES,
            proposal__audition__starts_at__gt=now + (after or timedelta(0)),
            user__is_active=True,
        )
        if until is not None:
            seats = seats.filter(proposal__audition__starts_at__lte=now + until)
        if auditions is not None:
            seats = seats.filter(proposal__audition__in=auditions)
        if RULES[kind].optional:
            seats = seats.filter(user__wants_nudges=True)
        for audition_id, user_id, starts_at, call_id in seats.values_list(
            "proposal__audition__pk",
            "user_id",
            "proposal__audition__starts_at",
            "proposal__call_id",
        ).iterator(chunk_size=2000):
            yield Owed(kind, audition_type.pk, audition_id, user_id, starts_at, call_id=call_id)

    return select


def convocations_owed(auditions, *, now: datetime) -> Iterable[Owed]:
    """The convocations owed for these auditions now (called when a slot is given)."""
    return RULES[ReminderKind.AUDITION_CONVOCATION].select(now, auditions)


def _audition_still_ahead(audition: Audition, now: datetime) -> bool:
    return audition.starts_at > now and (
        Proposal.objects.filter(pk=audition.proposal_id, state=ProposalState.SHORTLISTED).exists()
    )


def _audition_words(audition: Audition) -> dict:
    place = audition.room or audition.video_link
    if audition.room and audition.video_link:
        place = f"{audition.room} (visioconférence : {audition.video_link})"
    return {"minutes": audition.duration_minutes, "place": place}


def _audition_invitation(audition: Audition, now: datetime) -> list[tuple[str, str, str]]:
    from projects.ics import audition_ics

    full = Audition.objects.select_related("proposal__call__programme").get(pk=audition.pk)
    return [("audition.ics", audition_ics(full, now=now), "text/calendar")]


# --- Decisions: the mails staff released from the outbox -------------------------------------

# A released mail is looked for by the scan this long (then it is sent or failed long since).
DECISION_SCAN_WINDOW = timedelta(days=7)


def _decision_notices(now: datetime, mails=None) -> Iterable[Owed]:
    """Members of the team of each decision mail staff released (results published)."""
    mail_type = ContentType.objects.get_for_model(DecisionMail)
    seats = TeamMember.objects.filter(
        proposal__decision_mail__state=DecisionMailState.RELEASED,
        proposal__decision_mail__released_at__gt=now - DECISION_SCAN_WINDOW,
        proposal__decision_mail__released_at__lte=now,
        proposal__call__state__in=(CallState.RESULTS_PUBLISHED, CallState.ARCHIVED),
        user__is_active=True,
    )
    if mails is not None:
        seats = seats.filter(proposal__decision_mail__in=mails)
    for mail_id, user_id, released_at, call_id in seats.values_list(
        "proposal__decision_mail__pk",
        "user_id",
        "proposal__decision_mail__released_at",
        "proposal__call_id",
    ).iterator(chunk_size=2000):
        yield Owed(
            ReminderKind.DECISION_NOTICE, mail_type.pk, mail_id, user_id, released_at, call_id
        )


def decision_notices_owed(mails, *, now: datetime) -> Iterable[Owed]:
    """The decision mails owed for these released mails (called when staff send them)."""
    return _decision_notices(now, mails)


def _decision_released(mail: DecisionMail, now: datetime) -> bool:
    return mail.state == DecisionMailState.RELEASED


def _decision_words(mail: DecisionMail) -> dict:
    return {"body": mail.body, "subject": mail.subject}


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
            kind=ReminderKind.AUDITION_CONVOCATION,
            optional=False,
            select=audition_seats(ReminderKind.AUDITION_CONVOCATION, after=None, until=None),
            still_owed=_audition_still_ahead,
            words=_audition_words,
            attachments=_audition_invitation,
            sentence=(
                "Votre candidature « {title} » à l'appel {edition} est retenue pour une "
                "audition devant le jury : le {deadline}, durée {minutes} minutes, {place}. "
                "L'invitation pour votre agenda est jointe (audition.ics)."
            ),
            action="Voir ma candidature",
        ),
        Rule(
            kind=ReminderKind.AUDITION_DAY_BEFORE,
            optional=True,
            select=audition_seats(
                ReminderKind.AUDITION_DAY_BEFORE, after=None, until=timedelta(days=1)
            ),
            still_owed=_audition_still_ahead,
            words=_audition_words,
            sentence=(
                "Rappel : l'audition de « {title} » ({edition}) a lieu demain, le {deadline}, "
                "durée {minutes} minutes, {place}."
            ),
            action="Voir ma candidature",
        ),
        Rule(
            kind=ReminderKind.DECISION_NOTICE,
            optional=False,
            select=_decision_notices,
            still_owed=_decision_released,
            words=_decision_words,
            sentence="{body}",
            action="Voir la décision sur ma candidature",
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
