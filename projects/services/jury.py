"""The jury's workflow: panel, conflicts of interest, assignment and evaluations.

One function per change, each in its own transaction, with its guard and its audit
entry; an illegal change raises `TransitionError` with a French message the views
show as is. The time is always a parameter (`now`). The arithmetic of the fair
assignment lives in `projects.services.assignment` and is only called from here.
"""

import copy
from datetime import datetime

from django.db import transaction
from django.db.models import FloatField, Sum
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.translation import gettext as _

from calls import services as calls_services
from calls.enums import CallState, ReviewPhase
from calls.models import Call, JuryMember
from calls.rules import is_call_staff
from programme import audit, links, mail
from programme.accounts import require_verified
from programme.enums import InvitationRole
from programme.exceptions import TransitionError, refuse_if_moved
from programme.models import ProgrammeInvitation, User
from programme.rules import is_superuser
from projects.enums import ConflictKind, ConflictType, EvaluationState, ProposalState
from projects.models import (
    Assignment,
    Bid,
    Conflict,
    Evaluation,
    EvaluationVersion,
    Proposal,
    Score,
    TeamMember,
)
from projects.services import assignment as fair
from projects.services import jury_mail, rankings

# Call states in which staff may (re)assign the proposals.
ASSIGNABLE_STATES = frozenset({CallState.CLOSED, CallState.REVIEW})
# The call state in which jurors write (and staff reopen) written evaluations.
SCORING_STATE = CallState.REVIEW


def _require_staff(call: Call, by: User) -> None:
    if not (is_superuser(by) or is_call_staff(by, call)):
        raise TransitionError(_("Seule l'équipe du programme peut faire cela."))


def _seat(call: Call, by: User) -> JuryMember:
    seat = JuryMember.objects.filter(call=call, user=by).first() if by.is_authenticated else None
    if seat is None:
        raise TransitionError(_("Vous ne siégez pas au jury de cet appel."))
    return seat


def _active_conflict(juror_id: int, proposal_id: int) -> bool:
    return Conflict.objects.filter(
        juror_id=juror_id, proposal_id=proposal_id, lifted_at__isnull=True
    ).exists()


def _require_scoring_open(call: Call) -> None:
    if call.state != SCORING_STATE:
        raise TransitionError(
            _("Les évaluations écrites ne sont pas ouvertes : l'appel est à l'état « %(state)s ».")
            % {"state": CallState(call.state).label}
        )


# --- The panel ----------------------------------------------------------------------------


@transaction.atomic(durable=True)
def add_juror(call: Call, user: User, *, by: User, now: datetime, role_label: str = ""):
    """Seat an existing, verified account on the call's jury; conflicts by structure follow
    at once. Staff's "Ajouter au jury" never calls this: it always invites (`invite_juror`),
    so that only the address's owner takes the seat."""
    _require_staff(call, by)
    require_verified(user)
    if call.state in {CallState.DELIBERATION, CallState.RESULTS_PUBLISHED, CallState.ARCHIVED}:
        raise TransitionError(_("Le jury de cet appel ne change plus."))
    if JuryMember.objects.filter(call=call, user=user).exists():
        raise TransitionError(_("Cette personne siège déjà au jury de cet appel."))
    seat = JuryMember.objects.create(call=call, user=user, role_label=role_label)
    audit.record(by, "jury.add_juror", seat, after=str(user), at=now)
    _automatic_conflicts(call, now=now, jurors=[seat])
    return seat


def _automatic_conflicts(call: Call, *, now: datetime, jurors=None, proposals=None) -> int:
    """A juror whose structure is that of any member of a proposal's team (its lead's structure
    included) is in conflict; staff's lifts are respected. `jurors` and `proposals` narrow the
    computation to the seats or the proposals that changed."""
    seats = jurors if jurors is not None else list(call.jury_members.select_related("user"))
    by_structure: dict[int, list[JuryMember]] = {}
    for seat in seats:
        if seat.user.structure_id is not None:
            by_structure.setdefault(seat.user.structure_id, []).append(seat)
    if not by_structure:
        return 0
    existing = set(
        Conflict.objects.filter(juror__in=seats, proposal__call=call).values_list(
            "juror_id", "proposal_id"
        )
    )
    before_the_jury = Proposal.objects.filter(
        call=call, state__in=ProposalState.jury_states | {ProposalState.SUBMITTED}
    )
    if proposals is not None:
        before_the_jury = before_the_jury.filter(pk__in=[p.pk for p in proposals])
    pairs = set(
        before_the_jury.filter(structure_id__in=by_structure).values_list("pk", "structure_id")
    ) | set(
        TeamMember.objects.filter(
            proposal__in=before_the_jury, user__structure_id__in=by_structure
        ).values_list("proposal_id", "user__structure_id")
    )
    new_pairs = sorted(
        {
            (seat.pk, pk)
            for pk, structure_id in pairs
            for seat in by_structure[structure_id]
            if (seat.pk, pk) not in existing
        }
    )
    created = [
        Conflict(
            juror_id=juror_id,
            proposal_id=pk,
            kind=ConflictKind.AUTOMATIC,
            type=ConflictType.STRUCTURE,
            reason=_("Le juré appartient à la structure d'un membre de l'équipe."),
            created_at=now,
        )
        for juror_id, pk in new_pairs
    ]
    Conflict.objects.bulk_create(created)
    for conflict in created:
        _drop_unscored_assignment(conflict.juror_id, conflict.proposal_id)
    if created:
        rankings.changed(call, [conflict.proposal_id for conflict in created])
    return len(created)


def team_changed(proposal: Proposal, *, now: datetime) -> int:
    """After a member joins or leaves (inside the caller's transaction): the proposal's
    automatic conflicts follow its new team."""
    return _automatic_conflicts(proposal.call, now=now, proposals=[proposal])


@transaction.atomic(durable=True)
def structure_changed(user: User, *, before_id: int | None, now: datetime) -> int:
    """A person changed their structure on their profile: each of their jury seats is audited
    (staff see it on the panel) and conflicts follow, as a juror and as a team member."""
    if user.structure_id == before_id:
        return 0
    created = 0
    seats = list(
        JuryMember.objects.filter(user=user)
        .exclude(call__state__in=[CallState.RESULTS_PUBLISHED, CallState.ARCHIVED])
        .select_related("call", "user")
    )
    for seat in seats:
        audit.record(
            user,
            "jury.juror_structure",
            seat,
            before=str(before_id or ""),
            after=str(user.structure_id or ""),
            reason=str(user.structure or ""),
            at=now,
        )
        created += _automatic_conflicts(seat.call, now=now, jurors=[seat])
    for proposal in Proposal.objects.filter(team__user=user).select_related("call"):
        created += team_changed(proposal, now=now)
    return created


def follow_structure_change(sender, *, user: User, before_id: int | None, now: datetime, **kw):
    """The receiver of `programme.signals.structure_changed`."""
    structure_changed(user, before_id=before_id, now=now)


def _drop_unscored_assignment(juror_id: int, proposal_id: int) -> None:
    Assignment.objects.filter(
        juror_id=juror_id, proposal_id=proposal_id, evaluation__isnull=True
    ).delete()


@transaction.atomic(durable=True)
def set_review_phase(call: Call, phase: str, *, by: User, now: datetime) -> Call:
    """Switch between written review (each scores alone) and discussion."""
    _require_staff(call, by)
    locked = Call.objects.select_for_update().get(pk=call.pk)
    if phase not in ReviewPhase.values:
        raise TransitionError(_("Phase inconnue."))
    before = locked.review_phase
    locked.review_phase = phase
    locked.save(update_fields=["review_phase"])
    entry = audit.record(by, "jury.review_phase", locked, before=before, after=phase, at=now)
    if phase == ReviewPhase.DISCUSSION and before != phase:
        jury_mail.notify_discussion_open(locked, run_key=entry.pk)
    call.review_phase = phase
    return locked


# --- Conflicts of interest ----------------------------------------------------------------


def _create_conflict(seat, proposal, *, kind, type, reason, by, now) -> Conflict:
    if proposal.call_id != seat.call_id:
        raise TransitionError(_("Cette candidature n'est pas de l'appel de ce jury."))
    if type not in ConflictType.values:
        raise TransitionError(_("Choisissez la nature du conflit."))
    if _active_conflict(seat.pk, proposal.pk):
        raise TransitionError(_("Ce conflit d'intérêts est déjà enregistré."))
    conflict = Conflict.objects.create(
        juror=seat,
        proposal=proposal,
        kind=kind,
        type=type,
        reason=reason,
        created_by=by,
        created_at=now,
    )
    _drop_unscored_assignment(seat.pk, proposal.pk)
    audit.record(by, f"jury.conflict_{kind}", conflict, after="active", reason=reason, at=now)
    rankings.changed(seat.call, [proposal.pk])
    return conflict


@transaction.atomic(durable=True)
def declare_conflict(
    proposal: Proposal, *, by: User, type: str, reason: str, now: datetime
) -> Conflict:
    """A juror declares a conflict with a proposal: they will neither see nor score it."""
    seat = _seat(proposal.call, by)
    if proposal.state not in ProposalState.jury_states | {ProposalState.SUBMITTED}:
        raise TransitionError(_("Cette candidature n'est pas soumise au jury."))
    if not reason.strip():
        raise TransitionError(_("Indiquez le motif du conflit d'intérêts."))
    return _create_conflict(
        seat, proposal, kind=ConflictKind.DECLARED, type=type, reason=reason, by=by, now=now
    )


@transaction.atomic(durable=True)
def add_conflict(
    seat: JuryMember, proposal: Proposal, *, by: User, type: str, reason: str, now: datetime
) -> Conflict:
    """Staff record a conflict between a juror and a proposal, with its reason."""
    _require_staff(seat.call, by)
    if not reason.strip():
        raise TransitionError(_("Indiquez le motif du conflit d'intérêts."))
    return _create_conflict(
        seat, proposal, kind=ConflictKind.STAFF, type=type, reason=reason, by=by, now=now
    )


@transaction.atomic(durable=True)
def lift_conflict(conflict: Conflict, *, by: User, reason: str, now: datetime) -> Conflict:
    """Staff lift a conflict, with a reason; an automatic one is not recreated afterwards."""
    _require_staff(conflict.juror.call, by)
    if not reason.strip():
        raise TransitionError(_("Indiquez pourquoi le conflit est levé."))
    lifted = Conflict.objects.filter(pk=conflict.pk, lifted_at__isnull=True).update(
        lifted_at=now, lifted_by=by, lift_reason=reason
    )
    if not lifted:
        raise TransitionError(_("Ce conflit d'intérêts est déjà levé."))
    conflict.refresh_from_db()
    audit.record(by, "jury.conflict_lift", conflict, before="active", after="lifted", at=now)
    rankings.changed(conflict.juror.call, [conflict.proposal_id])
    return conflict


# --- Assignment ---------------------------------------------------------------------------


@transaction.atomic(durable=True)
def run_assignment(call: Call, *, by: User, now: datetime, k: int = 3) -> fair.Assignment:
    """Solve the whole call at once (`projects.services.assignment.assign`, a min-cost flow):
    each eligible proposal exactly k jurors, none in conflict, loads within one, the jurors'
    bids and declared themes followed as far as those rules allow.

    Pairs already scored (with an evaluation) are kept unless now in conflict; the
    other assignments are redrawn. When no assignment obeys the rules, a French
    `TransitionError` says why and nothing changes. Each juror with new proposals gets
    one grouped mail (`jury_mail.notify_assigned`).
    """
    _require_staff(call, by)
    locked = calls_services.settle(Call.objects.select_for_update().get(pk=call.pk), now=now)
    if locked.state not in ASSIGNABLE_STATES:
        raise TransitionError(
            _("On attribue les candidatures une fois l'appel clos, avant la délibération.")
        )
    if k < 1:
        raise TransitionError(_("Il faut au moins un juré par candidature."))
    _automatic_conflicts(locked, now=now)
    eligible = Proposal.objects.filter(call=locked, state=ProposalState.ELIGIBLE)
    proposals = list(eligible.values_list("pk", flat=True))
    jurors = list(locked.jury_members.values_list("pk", flat=True))
    conflicts = Conflict.objects.filter(juror__call=locked, lifted_at__isnull=True).values_list(
        "proposal_id", "juror_id"
    )
    keep: dict[int, set[int]] = {}
    for proposal_id, juror_id in Assignment.objects.filter(
        juror__call=locked, evaluation__isnull=False
    ).values_list("proposal_id", "juror_id"):
        keep.setdefault(proposal_id, set()).add(juror_id)
    bids = {
        (p, j): choice
        for p, j, choice in Bid.objects.filter(juror__call=locked).values_list(
            "proposal_id", "juror_id", "choice"
        )
    }
    proposal_themes: dict[int, set[int]] = {}
    for p, theme in Proposal.themes.through.objects.filter(proposal__in=eligible).values_list(
        "proposal_id", "theme_id"
    ):
        proposal_themes.setdefault(p, set()).add(theme)
    juror_themes: dict[int, set[int]] = {}
    for j, theme in JuryMember.themes.through.objects.filter(jurymember__call=locked).values_list(
        "jurymember_id", "theme_id"
    ):
        juror_themes.setdefault(j, set()).add(theme)
    try:
        result = fair.assign(
            proposals,
            jurors,
            k=k,
            conflicts=list(conflicts),
            keep=keep,
            bids=bids,
            proposal_themes=proposal_themes,
            juror_themes=juror_themes,
        )
    except fair.Infeasible as error:
        raise TransitionError(_infeasible_message(error, k=k, jurors=len(jurors))) from error
    wanted = result.pairs()
    existing = {
        (p, j): pk
        for pk, p, j in Assignment.objects.filter(juror__call=locked).values_list(
            "pk", "proposal_id", "juror_id"
        )
    }
    scored = {(p, j) for p, js in keep.items() for j in js}
    stale = [pk for pair, pk in existing.items() if pair not in wanted and pair not in scored]
    Assignment.objects.filter(pk__in=stale).delete()
    created = Assignment.objects.bulk_create(
        [
            Assignment(proposal_id=p, juror_id=j, created_at=now)
            for p, j in sorted(wanted - existing.keys())
        ]
    )
    entry = audit.record(
        by,
        "jury.assign",
        locked,
        reason=_(
            "%(n)s candidatures, %(j)s jurés, %(k)s par candidature ; "
            "%(new)s attributions nouvelles, %(gone)s retirées ; coût %(cost)s."
        )
        % {
            "n": len(proposals),
            "j": len(jurors),
            "k": k,
            "new": len(created),
            "gone": len(stale),
            "cost": result.cost,
        },
        at=now,
    )
    # One grouped mail to each juror given new proposals in this run.
    jury_mail.notify_assigned(locked, sorted({a.juror_id for a in created}), run_key=entry.pk)
    rankings.changed(locked)
    return result


def _infeasible_message(error: fair.Infeasible, *, k: int, jurors: int) -> str:
    if error.reason == fair.PANEL_TOO_SMALL:
        return _(
            "Le jury compte %(j)s jurés : il en faut au moins %(k)s pour en donner %(k)s à "
            "chaque candidature."
        ) % {"j": jurors, "k": k}
    if error.reason == fair.TOO_MANY_CONFLICTS:
        references = dict(
            Proposal.objects.filter(pk__in=error.proposals).values_list("pk", "reference")
        )
        listed = ", ".join(
            _("%(ref)s (%(n)s jurés sans conflit)") % {"ref": references.get(p) or p, "n": n}
            for p, n in zip(error.proposals[:10], error.available[:10], strict=True)
        )
        more = len(error.proposals) - 10
        return _(
            "Trop de conflits d'intérêts : %(count)s candidatures n'ont pas %(k)s jurés "
            "sans conflit : %(list)s%(more)s. Ajoutez des jurés ou baissez le nombre de "
            "jurés par candidature."
        ) % {
            "count": len(error.proposals),
            "k": k,
            "list": listed,
            "more": _(" et %(n)s autres") % {"n": more} if more > 0 else "",
        }
    return _(
        "Aucune répartition ne donne %(k)s jurés à chaque candidature avec des charges à un "
        "près (de %(low)s à %(high)s candidatures par juré) : les conflits d'intérêts ou les "
        "évaluations déjà commencées l'empêchent. Baissez le nombre de jurés par candidature "
        "ou ajustez les attributions à la main dans la matrice."
    ) % {"k": k, "low": error.low, "high": error.high}


@transaction.atomic(durable=True)
def move_assignment(
    assignment: Assignment, to: JuryMember, *, by: User, now: datetime
) -> Assignment:
    """Staff give an unscored assignment to another juror of the same call."""
    locked = (
        Assignment.objects.select_for_update().select_related("juror__call").get(pk=assignment.pk)
    )
    _require_staff(locked.juror.call, by)
    if to.call_id != locked.juror.call_id:
        raise TransitionError(_("Ce juré ne siège pas au jury de cet appel."))
    if Evaluation.objects.filter(assignment=locked).exists():
        raise TransitionError(_("Cette évaluation est commencée : elle ne change plus de juré."))
    if _active_conflict(to.pk, locked.proposal_id):
        raise TransitionError(_("Ce juré est en conflit d'intérêts avec cette candidature."))
    if Assignment.objects.filter(juror=to, proposal_id=locked.proposal_id).exists():
        raise TransitionError(_("Ce juré évalue déjà cette candidature."))
    before = str(locked.juror)
    locked.juror = to
    locked.save(update_fields=["juror"])
    audit.record(by, "jury.move_assignment", locked, before=before, after=str(to), at=now)
    rankings.changed(locked.juror.call, [locked.proposal_id])
    return locked


# --- Evaluations --------------------------------------------------------------------------


def _scorable(assignment: Assignment, by: User) -> Assignment:
    locked = Assignment.objects.select_related("juror__call", "proposal").get(pk=assignment.pk)
    if locked.juror.user_id != by.pk:
        raise TransitionError(_("Cette évaluation n'est pas la vôtre."))
    if _active_conflict(locked.juror_id, locked.proposal_id):
        raise TransitionError(_("Vous êtes en conflit d'intérêts avec cette candidature."))
    _require_scoring_open(locked.juror.call)
    return locked


def _write(
    assignment: Assignment, *, now, scores, recommendation, comment, loaded: str | None = None
) -> Evaluation:
    """Lock the evaluation, refuse if submitted, write the draft's scores and comments.

    `scores` maps a criterion id to (value, comment); a value of None is "not
    applicable", a criterion left out is not scored yet.
    """
    call = assignment.juror.call
    criteria = {c.pk: c for c in call.criteria.all()}
    evaluation, _created = Evaluation.objects.select_for_update().get_or_create(
        assignment=assignment, defaults={"updated_at": now}
    )
    # A new evaluation was never saved: its token is "".
    refuse_if_moved(None if _created else evaluation.updated_at, loaded)
    if evaluation.state == EvaluationState.SUBMITTED:
        raise TransitionError(
            _("Évaluation soumise : elle ne change plus, sauf si l'équipe du programme la rouvre.")
        )
    for criterion_id, (value, _comment) in scores.items():
        criterion = criteria.get(criterion_id)
        if criterion is None:
            raise TransitionError(_("Critère inconnu."))
        if value is None and not call.allows_not_applicable:
            raise TransitionError(_("Cet appel n'admet pas « non applicable »."))
        if value is not None and not 0 <= value <= criterion.scale_max:
            raise TransitionError(
                _("La note de « %(name)s » va de 0 à %(max)s.")
                % {"name": criterion.name, "max": criterion.scale_max}
            )
    evaluation.scores.exclude(criterion_id__in=scores).delete()
    for criterion_id, (value, score_comment) in scores.items():
        Score.objects.update_or_create(
            evaluation=evaluation,
            criterion_id=criterion_id,
            defaults={"value": value, "comment": score_comment},
        )
    evaluation.recommendation = recommendation
    evaluation.comment = comment
    evaluation.updated_at = now
    evaluation.save(update_fields=["recommendation", "comment", "updated_at"])
    return evaluation


@transaction.atomic(durable=True)
def save_evaluation(
    assignment: Assignment,
    *,
    by: User,
    now: datetime,
    scores: dict,
    recommendation: str = "",
    comment: str = "",
    loaded: str | None = None,
) -> Evaluation:
    """Save the juror's evaluation as a draft; nothing is checked for completeness. With
    `loaded` (the version token the form was loaded with), refused if saved since."""
    locked = _scorable(assignment, by)
    evaluation = _write(
        locked,
        now=now,
        scores=scores,
        recommendation=recommendation,
        comment=comment,
        loaded=loaded,
    )
    audit.record(by, "jury.evaluation_save", evaluation, after=evaluation.state, at=now)
    return evaluation


def weighted_total_in_db(evaluation: Evaluation) -> float | None:
    """The weighted mean of the scores, computed by the database; N/A leaves the weights."""
    value = Cast("value", FloatField())
    weight = Cast("criterion__weight", FloatField())
    sums = evaluation.scores.filter(value__isnull=False).aggregate(
        weighted=Sum(value * weight), weights=Sum(weight)
    )
    if not sums["weights"]:
        return None
    return sums["weighted"] / sums["weights"]


@transaction.atomic(durable=True)
def submit_evaluation(
    assignment: Assignment,
    *,
    by: User,
    now: datetime,
    scores: dict,
    recommendation: str,
    comment: str = "",
    loaded: str | None = None,
) -> Evaluation:
    """Submit the evaluation: every criterion answered, a recommendation; then locked.

    Each submission is kept as a numbered version, so staff can compare the scores
    before and after the discussion. With `loaded`, refused if saved since (another tab).
    """
    locked = _scorable(assignment, by)
    evaluation = _write(
        locked,
        now=now,
        scores=scores,
        recommendation=recommendation,
        comment=comment,
        loaded=loaded,
    )
    criteria = list(locked.juror.call.criteria.all())
    missing = [c.name for c in criteria if c.pk not in scores]
    if missing:
        raise TransitionError(
            _("Notez chaque critère avant de soumettre ; il manque : %(names)s.")
            % {"names": ", ".join(missing)}
        )
    if not recommendation:
        raise TransitionError(_("Donnez votre recommandation avant de soumettre."))
    evaluation.total = weighted_total_in_db(evaluation)
    evaluation.state = EvaluationState.SUBMITTED
    evaluation.version += 1
    evaluation.submitted_at = now
    evaluation.save(update_fields=["total", "state", "version", "submitted_at"])
    EvaluationVersion.objects.create(
        evaluation=evaluation,
        number=evaluation.version,
        submitted_at=now,
        content={
            "recommendation": recommendation,
            "comment": comment,
            "total": evaluation.total,
            "scores": {
                str(c.pk): {
                    "criterion": c.name,
                    "value": scores[c.pk][0],
                    "comment": scores[c.pk][1],
                }
                for c in criteria
            },
        },
    )
    audit.record(
        by, "jury.evaluation_submit", evaluation, before="draft", after="submitted", at=now
    )
    rankings.changed(locked.juror.call, [locked.proposal_id])
    return evaluation


@transaction.atomic(durable=True)
def reopen_evaluation(evaluation: Evaluation, *, by: User, reason: str, now: datetime):
    """Staff reopen a submitted evaluation so the juror can change it (versions are kept)."""
    call = evaluation.assignment.juror.call
    _require_staff(call, by)
    _require_scoring_open(call)
    reopened = Evaluation.objects.filter(pk=evaluation.pk, state=EvaluationState.SUBMITTED).update(
        state=EvaluationState.DRAFT, updated_at=now
    )
    if not reopened:
        raise TransitionError(_("Cette évaluation n'est pas soumise."))
    evaluation.refresh_from_db()
    audit.record(
        by,
        "jury.evaluation_reopen",
        evaluation,
        before="submitted",
        after="draft",
        reason=reason,
        at=now,
    )
    jury_mail.notify_reopened(evaluation, reason=reason)
    rankings.changed(call, [evaluation.assignment.proposal_id])
    return evaluation


@transaction.atomic(durable=True)
def update_jury_settings(
    call: Call,
    *,
    by: User,
    now: datetime,
    hide_juror_names: bool,
    allows_not_applicable: bool,
    disagreement_threshold,
    review_closes_at: datetime | None = None,
) -> Call:
    """Staff set how jurors see each other, whether "not applicable" is offered, the
    disagreement threshold of the ranking, and the end of the written review (the deadline
    of the jurors' reminders; None: no deadline, no reminder)."""
    _require_staff(call, by)
    locked = Call.objects.select_for_update().get(pk=call.pk)
    if locked.state in {CallState.RESULTS_PUBLISHED, CallState.ARCHIVED}:
        raise TransitionError(_("Les résultats sont publiés : le jury ne change plus."))
    if (
        locked.allows_not_applicable
        and not allows_not_applicable
        and Score.objects.filter(
            evaluation__assignment__juror__call=locked, value__isnull=True
        ).exists()
    ):
        raise TransitionError(
            _("Des jurés ont déjà répondu « non applicable » : l'option doit rester ouverte.")
        )
    before = copy.copy(locked)
    locked.hide_juror_names = hide_juror_names
    locked.allows_not_applicable = allows_not_applicable
    locked.disagreement_threshold = disagreement_threshold
    locked.review_closes_at = review_closes_at
    fields = [
        "hide_juror_names",
        "allows_not_applicable",
        "disagreement_threshold",
        "review_closes_at",
    ]
    locked.save(update_fields=fields)
    audit.record(
        by,
        "jury.settings",
        locked,
        changes=audit.changed_fields(before, locked, fields),
        at=now,
    )
    for field in fields:
        setattr(call, field, getattr(locked, field))
    if before.disagreement_threshold != locked.disagreement_threshold:
        rankings.changed(locked)
    return locked


# --- Invitations of people without an account ----------------------------------------------

JURY_INVITATION_SALT = "projects.jury_invitation"
JURY_INVITATION_MAX_AGE = 14 * 24 * 3600  # seconds: a link is good for two weeks


@transaction.atomic(durable=True)
def invite_juror(call: Call, email: str, *, by: User, now: datetime, role_label: str = "") -> str:
    """Invite someone to the jury by address, account or not: a signed link, valid two
    weeks, that seats whoever signs in (or signs up) with that address and has confirmed it.
    The invitation is kept (`ProgrammeInvitation`), so staff see it pending, send it again or
    cancel it. Returns the link's token."""
    _require_staff(call, by)
    email = email.strip().lower()
    if JuryMember.objects.filter(call=call, user__email__iexact=email).exists():
        raise TransitionError(_("Cette personne siège déjà au jury de cet appel."))
    pending = ProgrammeInvitation.objects.filter(
        call=call, email=email, role=InvitationRole.JUROR, accepted_at=None, cancelled_at=None
    ).first()
    if pending is not None:
        raise TransitionError(
            _("Une invitation attend déjà la réponse de %(email)s : renvoyez-la plutôt.")
            % {"email": email}
        )
    invitation = ProgrammeInvitation.objects.create(
        programme=call.programme,
        call=call,
        email=email,
        role=InvitationRole.JUROR,
        role_label=role_label,
        invited_by=by,
        created_at=now,
        sent_at=now,
    )
    token = mail_jury_invitation(invitation, by=by, key=f"invitation:{invitation.pk}:1")
    audit.record(by, "jury.invite", call, reason=email, at=now)
    return token


def mail_jury_invitation(invitation: ProgrammeInvitation, *, by: User, key: str) -> str:
    """Mail the link of a jury invitation (first sending or again); returns its token."""
    call = invitation.call
    token = links.sign(
        {
            "call": call.pk,
            "email": invitation.email,
            "role": invitation.role_label,
            "invitation": invitation.pk,
        },
        salt=JURY_INVITATION_SALT,
    )
    mail.send(
        [invitation.email],
        "jury_invitation",
        {
            "call": call,
            "inviter": by,
            "path": reverse("jury:join", kwargs={"token": token}),
            "days": JURY_INVITATION_MAX_AGE // 86400,
        },
        key=key,
    )
    return token


def jury_invitation_from_token(token: str) -> dict:
    """What a signed jury link says (call, email, role), or a French error."""
    data = links.read(
        token,
        salt=JURY_INVITATION_SALT,
        max_age=JURY_INVITATION_MAX_AGE,
        expired=_(
            "Ce lien d'invitation a expiré : demandez à l'équipe du programme un nouveau lien."
        ),
        invalid=_("Ce lien d'invitation n'est pas valide."),
    )
    call = Call.objects.select_related("programme").filter(pk=data["call"]).first()
    if call is None:
        raise TransitionError(_("Cet appel n'existe plus."))
    return {**data, "call": call}


@transaction.atomic(durable=True)
def accept_jury_invitation(token: str, *, by: User, now: datetime) -> JuryMember:
    """Take one's seat on the jury through a signed link sent to one's own address."""
    user = by
    require_verified(user)
    invitation = jury_invitation_from_token(token)
    call = invitation["call"]
    kept = (
        ProgrammeInvitation.objects.select_for_update().filter(pk=invitation["invitation"]).first()
        if invitation.get("invitation")
        else None
    )
    if kept is not None and kept.cancelled_at is not None:
        raise TransitionError(_("Cette invitation a été annulée par l'équipe du programme."))
    seat = JuryMember.objects.filter(call=call, user=user).first()
    if seat is not None:
        return seat
    if invitation["email"] != user.email.lower():
        raise TransitionError(
            _(
                "Cette invitation a été envoyée à %(email)s : connectez-vous avec cette adresse "
                "pour rejoindre le jury."
            )
            % {"email": invitation["email"]}
        )
    if call.state in {CallState.DELIBERATION, CallState.RESULTS_PUBLISHED, CallState.ARCHIVED}:
        raise TransitionError(_("Le jury de cet appel ne change plus."))
    seat = JuryMember.objects.create(call=call, user=user, role_label=invitation["role"])
    if kept is not None:
        kept.accepted_at = now
        kept.save(update_fields=["accepted_at"])
    audit.record(user, "jury.join", seat, after=str(user), at=now)
    _automatic_conflicts(call, now=now, jurors=[seat])
    return seat


@transaction.atomic(durable=True)
def remove_juror(seat: JuryMember, *, by: User, now: datetime) -> None:
    """Take someone off a call's jury, with the assignments they have not evaluated yet.

    Refused once they have evaluated a proposal (the scores count in the ranking) and once the
    deliberation has started; the juror is told by mail.
    """
    call = Call.objects.select_for_update().select_related("programme").get(pk=seat.call_id)
    _require_staff(call, by)
    if call.state in {CallState.DELIBERATION, CallState.RESULTS_PUBLISHED, CallState.ARCHIVED}:
        raise TransitionError(_("Le jury de cet appel ne change plus."))
    evaluated = Evaluation.objects.filter(assignment__juror=seat).count()
    if evaluated:
        raise TransitionError(
            _(
                "%(person)s a déjà évalué %(n)s candidature(s) : ses notes comptent dans le "
                "classement, le juré ne peut plus être retiré."
            )
            % {"person": seat.user, "n": evaluated}
        )
    user = seat.user
    Assignment.objects.filter(juror=seat).delete()
    seat_pk = seat.pk
    seat.delete()
    audit.record(by, "jury.remove_juror", call, reason=str(user), at=now)
    rankings.changed(call)
    mail.send(
        [user.email],
        "jury_removed",
        {"call": call},
        key=f"jury-removed:{seat_pk}:{user.pk}",
    )
