"""The reminder rules of the candidates' and the jury's work, registered with the one scan.

Drafts of calls closing in 7 and 1 days, the receipt of a submission, jurors' evaluations due
or late (and the summary of late jurors to staff), the audition convocation and the day
before, the decision mails staff released. Each rule is one query over the database (`now`
is a parameter, never the clock), so a scan costs a bounded number of queries whatever the
number of proposals. The ledger (`programme.models.Reminder`) and its unique key make a rule
safe to evaluate again and again: a reminder already written is not owed a second time.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from calls.enums import CallState
from calls.models import Call, JuryMember
from programme.enums import ProgrammeRole, ReminderKind
from programme.reminders import RULES, Owed, Rule, register

from .enums import DecisionMailState, EvaluationState, ProposalState
from .ics import audition_ics
from .models import (
    Assignment,
    Audition,
    Conflict,
    DecisionMail,
    Proposal,
    ProposalVersion,
    TeamMember,
)
from .receipt import filename, receipt_pdf

PARIS = ZoneInfo("Europe/Paris")


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


# --- Receipt of a submission: written by the submit workflow, not by the scan ---------------


def receipts_owed(version: ProposalVersion) -> list[Owed]:
    """The receipt of a submitted version, owed to every active member of the team."""
    version_type = ContentType.objects.get_for_model(ProposalVersion)
    members = TeamMember.objects.filter(
        proposal_id=version.proposal_id, user__is_active=True
    ).values_list("user_id", flat=True)
    return [
        Owed(
            ReminderKind.SUBMISSION_RECEIPT,
            version_type.pk,
            version.pk,
            user_id,
            version.submitted_at,
            call_id=version.proposal.call_id,
        )
        for user_id in members
    ]


def _no_scan(now: datetime) -> Iterable[Owed]:
    return ()


def _paris(value: datetime) -> str:
    with translation.override("fr"):
        return formats.date_format(timezone.localtime(value, PARIS), "j F Y à H:i")


def _receipt_words(version: ProposalVersion) -> dict:
    call = version.proposal.call
    # A correction sent back after the deadline cannot be submitted again: say so only before.
    still_editable = call.is_open(version.submitted_at)
    return {
        "title": version.proposal.title,
        "reference": version.reference,
        "after": (
            " "
            + _(
                "Vous pouvez la modifier et la déposer à nouveau jusqu'à la clôture de l'appel, "
                "le %(date)s ; chaque dépôt est conservé."
            )
            % {"date": _paris(call.closes_at)}
            if still_editable
            else ""
        ),
    }


def _receipt_pdf(version: ProposalVersion, now: datetime) -> list[tuple[str, bytes, str]]:
    full = ProposalVersion.objects.select_related("proposal__call__programme", "submitted_by").get(
        pk=version.pk
    )
    return [(filename(full), receipt_pdf(full), "application/pdf")]


def _receipt_details(version: ProposalVersion) -> list[tuple[str, str]]:
    return [
        (_("Référence"), version.reference),
        (_("Version"), str(version.number)),
        (
            _("Déposée le"),
            _("%(date)s (heure de Paris)") % {"date": _paris(version.submitted_at)},
        ),
        (_("Empreinte SHA-256 du contenu déposé"), version.sha256),
    ]


# --- Jurors: evaluations due in 3 days, late, and the summary of late jurors to staff ------


def _conflicted():
    return Exists(
        Conflict.objects.filter(
            juror_id=OuterRef("juror_id"),
            proposal_id=OuterRef("proposal_id"),
            lifted_at__isnull=True,
        )
    )


def _unsubmitted():
    """Assignments still to score: not conflicted (an active conflict takes the pair out of the
    juror's work), and no submitted evaluation, on calls under written review."""
    return (
        Assignment.objects.filter(juror__call__state=CallState.REVIEW)
        .exclude(evaluation__state=EvaluationState.SUBMITTED)
        .exclude(_conflicted())
    )


def _evaluations(kind: ReminderKind, after: timedelta | None, until: timedelta | None):
    """Each juror with unsubmitted evaluations whose call's review deadline is in
    (now+after, now+until]; a bound left None is open."""

    def select(now: datetime) -> Iterable[Owed]:
        seat_type = ContentType.objects.get_for_model(JuryMember)
        pending = _unsubmitted().filter(
            juror__user__is_active=True, juror__call__review_closes_at__isnull=False
        )
        if after is not None:
            pending = pending.filter(juror__call__review_closes_at__gt=now + after)
        if until is not None:
            pending = pending.filter(juror__call__review_closes_at__lte=now + until)
        rows = (
            pending.order_by()
            .values_list(
                "juror_id", "juror__user_id", "juror__call__review_closes_at", "juror__call_id"
            )
            .distinct()
        )
        for seat_id, user_id, deadline, call_id in rows.iterator(chunk_size=2000):
            yield Owed(kind, seat_type.pk, seat_id, user_id, deadline, call_id=call_id)

    return select


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


def pending_evaluations(seat: JuryMember) -> int:
    """How many evaluations the juror still owes on that call (conflicts left out)."""
    return _unsubmitted().filter(juror=seat).count()


def _seat_still_owes(before_deadline: bool):
    def still_owed(seat: JuryMember, now: datetime) -> bool:
        deadline = seat.call.review_closes_at
        if deadline is None or (now < deadline) != before_deadline:
            return False
        return pending_evaluations(seat) > 0

    return still_owed


def _seat_words(seat: JuryMember) -> dict:
    count = pending_evaluations(seat)
    return {
        "count": count,
        "evaluations": ngettext("évaluation", "évaluations", count),
    }


def _my_evaluations(seat: JuryMember) -> str:
    return reverse("jury:mine", args=[seat.call.slug])


def late_jurors(call: Call) -> list[tuple[str, int]]:
    """The call's jurors late with their evaluations, with how many each owes (one query)."""
    rows = (
        _unsubmitted()
        .filter(juror__call=call)
        .order_by()
        .values(
            "juror_id", "juror__user__first_name", "juror__user__last_name", "juror__user__email"
        )
        .annotate(pending=Count("pk"))
        .values_list(
            "juror__user__first_name", "juror__user__last_name", "juror__user__email", "pending"
        )
        .order_by("juror__user__last_name", "juror__user__first_name", "juror__user__email")
    )
    return [(f"{first} {last}".strip() or email, pending) for first, last, email, pending in rows]


def _late_summaries(now: datetime) -> Iterable[Owed]:
    """Each active staff member of the programme of a call under review past its deadline
    with at least one juror late: one summary per call."""
    call_type = ContentType.objects.get_for_model(Call)
    staff = (
        Call.objects.filter(
            state=CallState.REVIEW,
            review_closes_at__lte=now,
            # One filter() so both conditions speak of the same membership.
            programme__memberships__role=ProgrammeRole.STAFF,
            programme__memberships__user__is_active=True,
        )
        .filter(Exists(_unsubmitted().filter(juror__call_id=OuterRef("pk"))))
        .order_by()
        .values_list("pk", "programme__memberships__user_id", "review_closes_at")
        .distinct()
    )
    for call_id, user_id, deadline in staff.iterator(chunk_size=2000):
        yield Owed(
            ReminderKind.EVALUATION_LATE_SUMMARY,
            call_type.pk,
            call_id,
            user_id,
            deadline,
            call_id=call_id,
        )


def _call_still_late(call: Call, now: datetime) -> bool:
    deadline = call.review_closes_at
    return (
        call.state == CallState.REVIEW
        and deadline is not None
        and now >= deadline
        and _unsubmitted().filter(juror__call=call).exists()
    )


def _summary_details(call: Call) -> list[tuple[str, str]]:
    return [
        (
            name,
            ngettext("%(count)s évaluation en retard", "%(count)s évaluations en retard", count)
            % {"count": count},
        )
        for name, count in late_jurors(call)
    ]


def _summary_words(call: Call) -> dict:
    count = len(late_jurors(call))
    return {
        "count": count,
        "jurors": ngettext(
            "juré n'a pas soumis toutes ses évaluations",
            "jurés n'ont pas soumis toutes leurs évaluations",
            count,
        ),
    }


def _jury_panel(call: Call) -> str:
    return reverse("jury:panel", args=[call.slug])


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
        place = _("%(room)s (visioconférence : %(link)s)") % {
            "room": audition.room,
            "link": audition.video_link,
        }
    return {"minutes": audition.duration_minutes, "place": place}


def _audition_invitation(audition: Audition, now: datetime) -> list[tuple[str, str, str]]:
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
        proposal__call__state__in=CallState.results_states,
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


register(
    Rule(
        kind=ReminderKind.DRAFT_CLOSING_7D,
        optional=True,
        select=_drafts_closing(ReminderKind.DRAFT_CLOSING_7D, timedelta(days=1), timedelta(days=7)),
        still_owed=_draft_still_open,
        sentence=gettext_lazy(
            "Votre candidature « {title} » à l'appel {edition} est encore un brouillon. "
            "L'appel clôt le {deadline}."
        ),
        action=gettext_lazy("Compléter et déposer ma candidature"),
    ),
    Rule(
        kind=ReminderKind.DRAFT_CLOSING_1D,
        optional=True,
        select=_drafts_closing(ReminderKind.DRAFT_CLOSING_1D, timedelta(0), timedelta(days=1)),
        still_owed=_draft_still_open,
        sentence=gettext_lazy(
            "Dernier jour : votre candidature « {title} » à l'appel {edition} n'est pas "
            "déposée. L'appel clôt le {deadline} ; un brouillon n'est pas examiné."
        ),
        action=gettext_lazy("Déposer ma candidature"),
    ),
    Rule(
        kind=ReminderKind.SUBMISSION_RECEIPT,
        optional=False,
        # written by projects.services.proposals.submit_proposal, in its transaction
        select=_no_scan,
        still_owed=lambda version, now: True,
        sentence=gettext_lazy(
            "Votre candidature « {title} » à l'appel {edition} est déposée.{after} "
            "Le récépissé de dépôt est joint à ce courriel (PDF)."
        ),
        action=gettext_lazy("Voir ma candidature"),
        words=_receipt_words,
        details=_receipt_details,
        attachments=_receipt_pdf,
        subject=gettext_lazy("Accusé de réception {reference} — {title}"),
        link=lambda version: version.proposal.get_absolute_url(),
    ),
    Rule(
        kind=ReminderKind.EVALUATION_DUE_3D,
        optional=False,
        select=_evaluations(ReminderKind.EVALUATION_DUE_3D, timedelta(0), timedelta(days=3)),
        still_owed=_seat_still_owes(before_deadline=True),
        sentence=gettext_lazy(
            "Jury de l'appel {edition} : il vous reste {count} {evaluations} à soumettre. "
            "L'évaluation écrite se termine le {deadline}."
        ),
        action=gettext_lazy("Mes évaluations"),
        words=_seat_words,
        link=_my_evaluations,
    ),
    Rule(
        kind=ReminderKind.EVALUATION_LATE,
        optional=False,
        select=_evaluations(ReminderKind.EVALUATION_LATE, None, timedelta(0)),
        still_owed=_seat_still_owes(before_deadline=False),
        sentence=gettext_lazy(
            "Jury de l'appel {edition} : l'évaluation écrite s'est terminée le {deadline} et "
            "il vous reste {count} {evaluations} à soumettre."
        ),
        action=gettext_lazy("Mes évaluations"),
        words=_seat_words,
        link=_my_evaluations,
    ),
    Rule(
        kind=ReminderKind.EVALUATION_LATE_SUMMARY,
        optional=False,
        select=_late_summaries,
        still_owed=_call_still_late,
        sentence=gettext_lazy(
            "Appel {edition} : l'évaluation écrite s'est terminée le {deadline} ; {count} {jurors}."
        ),
        action=gettext_lazy("Voir le jury"),
        words=_summary_words,
        details=_summary_details,
        link=_jury_panel,
    ),
    Rule(
        kind=ReminderKind.AUDITION_CONVOCATION,
        optional=False,
        select=audition_seats(ReminderKind.AUDITION_CONVOCATION, after=None, until=None),
        still_owed=_audition_still_ahead,
        words=_audition_words,
        attachments=_audition_invitation,
        sentence=gettext_lazy(
            "Votre candidature « {title} » à l'appel {edition} est retenue pour une "
            "audition devant le jury : le {deadline}, durée {minutes} minutes, {place}. "
            "L'invitation pour votre agenda est jointe (audition.ics)."
        ),
        # A convocation reads as one, not as "Rappel : Convocation…".
        subject=gettext_lazy("Convocation à l'audition du jury {edition} — {title}"),
        action=gettext_lazy("Voir ma candidature"),
    ),
    Rule(
        kind=ReminderKind.AUDITION_DAY_BEFORE,
        optional=True,
        select=audition_seats(
            ReminderKind.AUDITION_DAY_BEFORE, after=None, until=timedelta(days=1)
        ),
        still_owed=_audition_still_ahead,
        words=_audition_words,
        sentence=gettext_lazy(
            "Rappel : l'audition de « {title} » ({edition}) a lieu demain, le {deadline}, "
            "durée {minutes} minutes, {place}."
        ),
        action=gettext_lazy("Voir ma candidature"),
    ),
    Rule(
        kind=ReminderKind.DECISION_NOTICE,
        optional=False,
        select=_decision_notices,
        still_owed=_decision_released,
        words=_decision_words,
        sentence="{body}",
        action=gettext_lazy("Voir la décision sur ma candidature"),
    ),
)
