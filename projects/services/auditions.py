"""Shortlisting for audition, audition slots and the jurors' audition grid.

Services (one transaction each, a guard raising `TransitionError`, an audit entry); what the
audition pages read is in `projects.queries.auditions`. Staff shortlist while the call is
under review or at its auditions, and may undo it there; jurors score the audition grid only
while the call is at its auditions, never a proposal they are in conflict with.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, FloatField, Max, Sum
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from calls.enums import CallState
from calls.models import AuditionCriterion, Call, JuryMember
from programme import audit
from programme.exceptions import TransitionError
from programme.models import User
from programme.reminders import owe_reminders
from programme.templatetags.french import date_fr
from projects.enums import ProposalState
from projects.models import (
    Audition,
    AuditionEvaluation,
    AuditionScore,
    Conflict,
    Proposal,
    RankingRow,
    TeamMember,
)
from projects.reminders import convocations_owed
from projects.services import jury_mail, rankings
from projects.services.jury import _require_staff, _seat
from projects.services.team_mail import GENERIC, tell_team

# Call states in which staff shortlist (and undo it) and give audition slots.
SHORTLIST_STATES = frozenset({CallState.REVIEW, CallState.AUDITIONS})
# The call state in which jurors score the audition grid.
AUDITION_SCORING_STATE = CallState.AUDITIONS
# Call states in which jurors see the auditions (then their own scores, read only).
AUDITION_VISIBLE_STATES = frozenset({CallState.AUDITIONS, CallState.DELIBERATION})


def _require_shortlisting(call: Call) -> None:
    if call.state not in SHORTLIST_STATES:
        raise TransitionError(
            _(
                "La liste des auditions se fait pendant l'évaluation ou les auditions ; "
                "l'appel est à l'état « %(state)s »."
            )
            % {"state": CallState(call.state).label}
        )


def _locked_call(call: Call) -> Call:
    return Call.objects.select_for_update().get(pk=call.pk)


def _move(proposal_id: int, before: str, after: str, *, by, now, action: str, reason="") -> bool:
    moved = Proposal.objects.filter(pk=proposal_id, state=before).update(state=after)
    if moved:
        proposal = Proposal.objects.select_related("call").get(pk=proposal_id)
        entry = audit.record(
            by, action, proposal, before=before, after=after, reason=reason, at=now
        )
        if after == ProposalState.SHORTLISTED:
            _tell_shortlisted(proposal, event_key=f"proposal-shortlisted:{entry.pk}")
    return bool(moved)


def _tell_shortlisted(proposal: Proposal, *, event_key: str) -> None:
    """The team learns it is shortlisted; the convocation (date, place) follows with its slot."""
    tell_team(
        proposal,
        GENERIC,
        {
            "subject": _("Retenue pour l'audition — %(title)s") % {"title": proposal.title},
            "lines": [
                _(
                    "Après l'évaluation du jury, votre candidature « %(title)s » (%(reference)s) "
                    "est retenue pour l'audition."
                )
                % {"title": proposal.title, "reference": proposal.reference},
                _(
                    "Vous recevrez votre convocation, avec la date, l'heure et le lieu, dès "
                    "que l'équipe du programme aura fixé votre créneau."
                ),
            ],
        },
        event_key=event_key,
    )


# --- Shortlist --------------------------------------------------------------------------


@transaction.atomic(durable=True)
def shortlist_top(call: Call, n: int, *, by: User, now: datetime) -> list[Proposal]:
    """Shortlist the first `n` proposals of the jury's ranking (the ranking page's order:
    the stored ranking's rank, by the bias model, ties broken as documented) that are eligible
    or already shortlisted. Returns those newly shortlisted; hand-picked ones stay."""
    _require_staff(call, by)
    locked = _locked_call(call)
    _require_shortlisting(locked)
    if n < 1:
        raise TransitionError(_("Indiquez combien de candidatures auditionner (au moins une)."))
    rankings.refresh(locked, now=now)  # a decision: the exact ranking (no-op when current)
    top = list(
        RankingRow.objects.filter(
            call=locked,
            proposal__state__in=[ProposalState.ELIGIBLE, ProposalState.SHORTLISTED],
        )
        .order_by(F("rank").asc(nulls_last=True), "proposal_id")
        .values_list("proposal_id", "proposal__state")[:n]
    )
    added = []
    for pk, state in top:
        if state == ProposalState.ELIGIBLE and _move(
            pk,
            ProposalState.ELIGIBLE,
            ProposalState.SHORTLISTED,
            by=by,
            now=now,
            action="jury.shortlist",
            reason=_("Parmi les %(n)s premières du classement.") % {"n": n},
        ):
            added.append(pk)
    return list(Proposal.objects.filter(pk__in=added).order_by("sequence", "pk"))


@transaction.atomic(durable=True)
def shortlist(proposal: Proposal, *, by: User, now: datetime) -> Proposal:
    """Shortlist one eligible proposal, hand-picked by staff."""
    _require_staff(proposal.call, by)
    _require_shortlisting(_locked_call(proposal.call))
    if not _move(
        proposal.pk,
        ProposalState.ELIGIBLE,
        ProposalState.SHORTLISTED,
        by=by,
        now=now,
        action="jury.shortlist",
        reason=_("Choisie par l'équipe du programme."),
    ):
        raise TransitionError(_("Seule une candidature recevable peut être retenue pour audition."))
    proposal.state = ProposalState.SHORTLISTED
    return proposal


@transaction.atomic(durable=True)
def unshortlist(proposal: Proposal, *, by: User, now: datetime, reason: str = "") -> Proposal:
    """Undo a shortlisting while the call is still at that stage: the proposal is eligible
    again and its audition slot is removed. Refused once jurors scored its audition."""
    _require_staff(proposal.call, by)
    _require_shortlisting(_locked_call(proposal.call))
    if AuditionEvaluation.objects.filter(proposal=proposal).exists():
        raise TransitionError(
            _("Des jurés ont déjà noté cette audition : elle ne peut plus être retirée.")
        )
    if not _move(
        proposal.pk,
        ProposalState.SHORTLISTED,
        ProposalState.ELIGIBLE,
        by=by,
        now=now,
        action="jury.unshortlist",
        reason=reason,
    ):
        raise TransitionError(_("Cette candidature n'est pas retenue pour audition."))
    Audition.objects.filter(proposal=proposal).delete()
    proposal.state = ProposalState.ELIGIBLE
    return proposal


# --- Slots ------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def schedule_audition(
    proposal: Proposal,
    *,
    by: User,
    now: datetime,
    starts_at: datetime,
    duration_minutes: int,
    room: str = "",
    video_link: str = "",
) -> Audition:
    """Give (or move) a shortlisted proposal's audition slot. The team is convoked at once,
    through the reminder ledger, with the calendar invitation (.ics) joined; a moved slot
    is a new convocation."""
    _require_staff(proposal.call, by)
    _require_shortlisting(_locked_call(proposal.call))
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.state != ProposalState.SHORTLISTED:
        raise TransitionError(_("Seule une candidature retenue pour audition reçoit un créneau."))
    if starts_at <= now:
        raise TransitionError(_("Le créneau doit être dans le futur."))
    if duration_minutes < 1:
        raise TransitionError(_("La durée de l'audition doit être d'au moins une minute."))
    room, video_link = room.strip(), video_link.strip()
    if not room and not video_link:
        raise TransitionError(_("Indiquez la salle ou le lien de visioconférence."))
    _refuse_clashes(locked, starts_at, duration_minutes, room=room, video_link=video_link)
    audition = Audition.objects.filter(proposal=locked).first()
    before = audition.starts_at.isoformat() if audition else ""
    before_place = (audition.room or audition.video_link) if audition else ""
    if audition is None:
        audition = Audition(proposal=locked)
    else:
        audition.sequence += 1
    audition.starts_at = starts_at
    audition.duration_minutes = duration_minutes
    audition.room = room
    audition.video_link = video_link
    audition.scheduled_by = by
    audition.updated_at = now
    audition.save()
    audit.record(
        by,
        "jury.audition_schedule",
        audition,
        before=before,
        after=starts_at.isoformat(),
        reason=f"{before_place} → {room or video_link}" if before_place else room or video_link,
        at=now,
    )
    owe_reminders(convocations_owed([audition.pk], now=now), now=now)
    jury_mail.notify_audition_jurors(audition, now=now)
    return audition


def _span(starts_at: datetime, minutes: int) -> str:
    ends_at = starts_at + timedelta(minutes=minutes)
    return _("le %(day)s de %(start)s à %(end)s") % {
        "day": date_fr(starts_at, "j F Y"),
        "start": date_fr(starts_at, "H:i"),
        "end": date_fr(ends_at, "H:i"),
    }


def _attendees(proposal_ids) -> dict[int, dict[int, str]]:
    """proposal id -> {user id: name} of the jurors who hear its audition: the jurors of its
    call not in conflict with it."""
    calls = dict(Proposal.objects.filter(pk__in=proposal_ids).values_list("pk", "call_id"))
    conflicted = set(
        Conflict.objects.filter(proposal_id__in=proposal_ids, lifted_at__isnull=True).values_list(
            "proposal_id", "juror__user_id"
        )
    )
    seats: dict[int, list] = {}
    for call_id, user_id, first, last, email in JuryMember.objects.filter(
        call_id__in=set(calls.values())
    ).values_list("call_id", "user_id", "user__first_name", "user__last_name", "user__email"):
        seats.setdefault(call_id, []).append((user_id, f"{first} {last}".strip() or email))
    return {
        pk: {u: name for u, name in seats.get(call_id, []) if (pk, u) not in conflicted}
        for pk, call_id in calls.items()
    }


def _refuse_clashes(
    proposal: Proposal, starts_at: datetime, minutes: int, *, room: str, video_link: str
) -> None:
    """Refuse a slot that overlaps another audition in the same room (or on the same video
    link), an audition of a member of the same team, or one a juror must also hear."""
    ends_at = starts_at + timedelta(minutes=minutes)
    longest = Audition.objects.aggregate(longest=Max("duration_minutes"))["longest"] or 0
    others = [
        other
        for other in Audition.objects.filter(
            proposal__state=ProposalState.SHORTLISTED,
            starts_at__lt=ends_at,
            starts_at__gt=starts_at - timedelta(minutes=longest),
        )
        .exclude(proposal=proposal)
        .select_related("proposal")
        .order_by("starts_at", "pk")
        if other.starts_at + timedelta(minutes=other.duration_minutes) > starts_at
    ]
    if not others:
        return

    def named(other):
        # Another programme's audition is not named: its existence is not the staff's to know.
        if other.proposal.call_id == proposal.call_id:
            return _("l'audition de « %(title)s »") % {"title": other.proposal.title}
        return _("une autre audition")

    for other in others:
        same_room = room and other.room.strip().casefold() == room.casefold()
        same_link = video_link and other.video_link.strip() == video_link
        if same_room or same_link:
            words = {
                "room": room,
                "other": named(other),
                "span": _span(other.starts_at, other.duration_minutes),
            }
            raise TransitionError(
                (
                    _("La salle « %(room)s » est déjà prise par %(other)s %(span)s.")
                    if same_room
                    else _("Le lien de visioconférence est déjà pris par %(other)s %(span)s.")
                )
                % words
                + " "
                + _("Choisissez un autre créneau ou un autre lieu.")
            )
    team = set(TeamMember.objects.filter(proposal=proposal).values_list("user_id", flat=True))
    shared = dict(
        TeamMember.objects.filter(
            proposal__in=[o.proposal_id for o in others], user_id__in=team
        ).values_list("proposal_id", "user__email")
    )
    for other in others:
        if other.proposal_id in shared:
            raise TransitionError(
                _(
                    "Un membre de l'équipe (%(who)s) passe déjà %(other)s %(span)s : "
                    "une équipe ne peut être auditionnée deux fois à la fois."
                )
                % {
                    "who": shared[other.proposal_id],
                    "other": named(other),
                    "span": _span(other.starts_at, other.duration_minutes),
                }
            )
    hearing = _attendees([proposal.pk, *(o.proposal_id for o in others)])
    mine = hearing.get(proposal.pk, {})
    for other in others:
        common = sorted(mine[u] for u in mine.keys() & hearing.get(other.proposal_id, {}).keys())
        if common:
            raise TransitionError(
                _(
                    "%(who)s entend aussi %(other)s %(span)s : un juré ne peut être dans deux "
                    "auditions à la fois."
                )
                % {
                    "who": ", ".join(common),
                    "other": named(other),
                    "span": _span(other.starts_at, other.duration_minutes),
                }
            )


# --- The audition grid ------------------------------------------------------------------


def _require_audition_scoring(call: Call) -> None:
    if call.state != AUDITION_SCORING_STATE:
        raise TransitionError(
            _("La grille d'audition n'est pas ouverte : l'appel est à l'état « %(state)s ».")
            % {"state": CallState(call.state).label}
        )


def audition_total_in_db(evaluation: AuditionEvaluation) -> float | None:
    """The weighted mean of the grid, computed by the database."""
    sums = evaluation.scores.aggregate(
        weighted=Sum(Cast("value", FloatField()) * Cast("criterion__weight", FloatField())),
        weights=Sum(Cast("criterion__weight", FloatField())),
    )
    if not sums["weights"]:
        return None
    return sums["weighted"] / sums["weights"]


@transaction.atomic(durable=True)
def score_audition(
    proposal: Proposal, *, by: User, now: datetime, scores: dict[int, int], comment: str = ""
) -> AuditionEvaluation:
    """A juror scores a shortlisted proposal's audition on the call's audition grid.

    `scores` maps an audition criterion id to its value; the total is computed once every
    criterion is scored. A juror in conflict with the proposal is refused, as anyone outside
    the jury; the grid changes until the deliberation opens.
    """
    call = proposal.call
    seat = _seat(call, by)
    _require_audition_scoring(call)
    if Conflict.objects.filter(juror=seat, proposal=proposal, lifted_at__isnull=True).exists():
        raise TransitionError(_("Vous êtes en conflit d'intérêts avec cette candidature."))
    if not Proposal.objects.filter(pk=proposal.pk, state=ProposalState.SHORTLISTED).exists():
        raise TransitionError(_("Cette candidature n'est pas retenue pour audition."))
    criteria = {c.pk: c for c in call.audition_criteria.all()}
    if not criteria:
        raise TransitionError(_("La grille d'audition de cet appel n'a pas de critère."))
    for criterion_id, value in scores.items():
        criterion = criteria.get(criterion_id)
        if criterion is None:
            raise TransitionError(_("Critère inconnu."))
        if value is None or not 0 <= value <= criterion.scale_max:
            raise TransitionError(
                _("La note de « %(name)s » va de 0 à %(max)s.")
                % {"name": criterion.name, "max": criterion.scale_max}
            )
    evaluation, _created = AuditionEvaluation.objects.select_for_update().get_or_create(
        juror=seat, proposal=proposal, defaults={"updated_at": now}
    )
    evaluation.scores.exclude(criterion_id__in=scores).delete()
    for criterion_id, value in scores.items():
        AuditionScore.objects.update_or_create(
            evaluation=evaluation, criterion_id=criterion_id, defaults={"value": value}
        )
    complete = set(scores) == set(criteria)
    evaluation.total = audition_total_in_db(evaluation) if complete else None
    evaluation.comment = comment
    evaluation.updated_at = now
    evaluation.save(update_fields=["total", "comment", "updated_at"])
    audit.record(
        by,
        "jury.audition_score",
        evaluation,
        after="complete" if complete else "partial",
        at=now,
    )
    return evaluation


@transaction.atomic(durable=True)
def add_audition_criterion(
    call: Call,
    *,
    by: User,
    now: datetime,
    name: str,
    weight=1,
    scale_max: int = 5,
    description: str = "",
) -> AuditionCriterion:
    """Staff add a criterion to the call's audition grid, before any audition is scored."""
    _require_staff(call, by)
    locked = _locked_call(call)
    _require_grid_editable(locked)
    if not name.strip():
        raise TransitionError(_("Nommez le critère."))
    position = locked.audition_criteria.count() + 1
    criterion = AuditionCriterion.objects.create(
        call=locked,
        name=name.strip(),
        description=description,
        weight=weight,
        scale_max=scale_max,
        position=position,
    )
    audit.record(by, "jury.audition_criterion_add", criterion, after=criterion.name, at=now)
    return criterion


def grid_editable(call: Call) -> bool:
    """The audition grid changes until the first audition is scored (and the auditions end)."""
    return not (
        call.state == CallState.DELIBERATION
        or call.state in CallState.results_states
        or AuditionEvaluation.objects.filter(juror__call=call).exists()
    )


def _require_grid_editable(call: Call) -> None:
    if call.state == CallState.DELIBERATION or call.state in CallState.results_states:
        raise TransitionError(_("La grille d'audition ne change plus après les auditions."))
    if AuditionEvaluation.objects.filter(juror__call=call).exists():
        raise TransitionError(_("Des auditions sont déjà notées : la grille ne change plus."))


@transaction.atomic(durable=True)
def update_audition_criterion(
    criterion: AuditionCriterion,
    *,
    by: User,
    now: datetime,
    name: str,
    weight=1,
    scale_max: int = 5,
    description: str = "",
) -> AuditionCriterion:
    """Staff change a criterion of the audition grid, until the first audition score."""
    _require_staff(criterion.call, by)
    _require_grid_editable(_locked_call(criterion.call))
    if not name.strip():
        raise TransitionError(_("Nommez le critère."))
    locked = AuditionCriterion.objects.select_for_update().get(pk=criterion.pk)
    before = AuditionCriterion(
        name=locked.name,
        description=locked.description,
        weight=locked.weight,
        scale_max=locked.scale_max,
    )
    locked.name = name.strip()
    locked.description = description
    locked.weight = weight
    locked.scale_max = scale_max
    locked.save(update_fields=["name", "description", "weight", "scale_max"])
    audit.record(
        by,
        "jury.audition_criterion_change",
        locked,
        changes=audit.changed_fields(
            before, locked, ["name", "description", "weight", "scale_max"]
        ),
        at=now,
    )
    return locked


@transaction.atomic(durable=True)
def delete_audition_criterion(criterion: AuditionCriterion, *, by: User, now: datetime) -> None:
    """Staff remove a criterion from the audition grid, until the first audition score."""
    _require_staff(criterion.call, by)
    _require_grid_editable(_locked_call(criterion.call))
    audit.record(by, "jury.audition_criterion_delete", criterion, before=criterion.name, at=now)
    AuditionCriterion.objects.filter(pk=criterion.pk).delete()
