"""The workflow of a call: its lifecycle, and the writes on its criteria and questions.

Every change of state is one function: it locks the row, checks the guard against the
state a person would see at `now` (a published call past its deadline is closed), saves,
and writes an audit entry. An illegal change raises `TransitionError` with a French
message the views show as is.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import Model
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programme import audit
from programme.exceptions import TransitionError
from programme.models import User
from projects.enums import ProposalState

from .enums import CallKind, CallState, QuestionKind
from .models import Call, Criterion, Defi, EligibilityRule, Question


def _paris(moment: datetime) -> str:
    return date_format(localtime(moment), "j F Y à H:i")


def _state_label(state: str) -> str:
    return CallState(state).label


def _lock(call: Call) -> Call:
    return Call.objects.select_for_update().get(pk=call.pk)


def _move_to(
    call: Call, *, by: User | None, now: datetime, action: str, allowed: set, to: str, reason=""
) -> Call:
    """Lock the call, check its visible state is in `allowed`, write `to` and the audit entry."""
    locked = _lock(call)
    current = locked.state_at(now)
    if current not in allowed:
        raise TransitionError(
            _("Action impossible : l'appel est à l'état « %(state)s ».")
            % {"state": _state_label(current)}
        )
    locked.state = to
    locked.save(update_fields=["state"])
    audit.record(by, f"call.{action}", locked, before=current, after=to, reason=reason, at=now)
    call.state = to
    return locked


@transaction.atomic(durable=True)
def publish(call: Call, *, by: User | None, now: datetime) -> Call:
    """Publish a draft call: visible to all, open from `opens_at` to `closes_at`."""
    locked = _lock(call)
    if locked.state != CallState.DRAFT:
        raise TransitionError(
            _("Seul un appel en brouillon peut être publié ; celui-ci est « %(state)s ».")
            % {"state": _state_label(locked.state_at(now))}
        )
    if locked.closes_at <= now:
        raise TransitionError(
            _(
                "Impossible de publier : la clôture (%(date)s, heure de Paris) est déjà passée. "
                "Reportez-la d'abord."
            )
            % {"date": _paris(locked.closes_at)}
        )
    if locked.kind == CallKind.CHALLENGE_APPLICATIONS and locked.challenge_call_id is None:
        raise TransitionError(
            _("Impossible de publier : choisissez l'appel à défis dont les candidats relèvent.")
        )
    locked.state = CallState.PUBLISHED
    locked.save(update_fields=["state"])
    audit.record(
        by, "call.publish", locked, before=CallState.DRAFT, after=CallState.PUBLISHED, at=now
    )
    return _sync(call, locked)


def settle(call: Call, *, now: datetime) -> Call:
    """Write down the state a person sees at `now`: a published call past its deadline is
    closed. Whichever path sees it first (the beat task, a page, a guard) writes the close and
    its one `call.close` entry: the update is guarded on the stored state, so the others find
    nothing to do. Returns `call`, its state brought up to date."""
    _write_close(call, now=now)
    return call


def _write_close(call: Call, *, now: datetime, by: User | None = None) -> bool:
    if call.state != CallState.PUBLISHED or call.state_at(now) != CallState.CLOSED:
        return False
    with transaction.atomic():
        won = Call.objects.filter(pk=call.pk, state=CallState.PUBLISHED, closes_at__lte=now).update(
            state=CallState.CLOSED
        )
        if won:
            audit.record(
                by,
                "call.close",
                call,
                before=CallState.PUBLISHED,
                after=CallState.CLOSED,
                at=call.closes_at,
            )
    call.state = CallState.CLOSED
    return bool(won)


@transaction.atomic(durable=True)
def close(call: Call, *, by: User | None, now: datetime) -> Call:
    """Write down that a published call has passed its deadline. Closing before the deadline
    is `close_now`, with a reason: candidates were promised `closes_at`."""
    locked = _lock(call)
    if locked.state == CallState.PUBLISHED and now < locked.closes_at:
        raise TransitionError(
            _(
                "L'appel reste ouvert jusqu'au %(date)s (heure de Paris) : il se clôt de "
                "lui-même à cette date."
            )
            % {"date": _paris(locked.closes_at)}
        )
    if locked.state != CallState.PUBLISHED:
        raise TransitionError(
            _("Seul un appel publié peut être clos ; celui-ci est « %(state)s ».")
            % {"state": _state_label(locked.state)}
        )
    _write_close(locked, now=now, by=by)
    return _sync(call, locked)


def close_due_calls(*, now: datetime) -> list[int]:
    """Close every published call past its deadline; returns their ids. Idempotent: a call
    another worker (or a page) closed first is skipped."""
    due = Call.objects.filter(state=CallState.PUBLISHED, closes_at__lte=now)
    return [call.pk for call in due.only("pk", "state", "closes_at") if _write_close(call, now=now)]


@transaction.atomic(durable=True)
def close_now(call: Call, *, by: User, now: datetime, reason: str) -> Call:
    """Close a published call before its deadline ("Clore maintenant"): the closing date
    becomes `now`, audited with the old and new dates and the staff's reason. The one way a
    closing date moves into the past."""
    reason = (reason or "").strip()
    if not reason:
        raise TransitionError(_("Indiquez la raison de la clôture anticipée."))
    locked = _lock(call)
    current = locked.state_at(now)
    if current != CallState.PUBLISHED:
        raise TransitionError(
            _("Seul un appel publié et ouvert peut être clos ; celui-ci est « %(state)s ».")
            % {"state": _state_label(current)}
        )
    if now <= locked.opens_at:
        raise TransitionError(
            _(
                "L'appel n'ouvre que le %(date)s (heure de Paris) : repoussez plutôt son "
                "ouverture, ou reportez sa publication."
            )
            % {"date": _paris(locked.opens_at)}
        )
    old = locked.closes_at
    locked.closes_at = now
    locked.state = CallState.CLOSED
    locked.save(update_fields=["closes_at", "state"])
    audit.record(
        by,
        "call.close",
        locked,
        before=CallState.PUBLISHED,
        after=CallState.CLOSED,
        reason=reason,
        changes={"closes_at": [old.isoformat(), now.isoformat()]},
        at=now,
    )
    call.closes_at = now
    return _sync(call, locked)


@transaction.atomic(durable=True)
def start_review(call: Call, *, by: User | None, now: datetime) -> Call:
    """Hand the closed call's proposals to the jury."""
    return _move_to(
        call,
        by=by,
        now=now,
        action="start_review",
        allowed={CallState.CLOSED},
        to=CallState.REVIEW,
    )


@transaction.atomic(durable=True)
def start_auditions(call: Call, *, by: User | None, now: datetime) -> Call:
    """Move from written evaluation to auditions of the shortlisted proposals."""
    return _move_to(
        call,
        by=by,
        now=now,
        action="start_auditions",
        allowed={CallState.REVIEW},
        to=CallState.AUDITIONS,
    )


@transaction.atomic(durable=True)
def start_deliberation(call: Call, *, by: User | None, now: datetime) -> Call:
    """Open the deliberation, after the auditions or straight after the review."""
    return _move_to(
        call,
        by=by,
        now=now,
        action="start_deliberation",
        allowed={CallState.REVIEW, CallState.AUDITIONS},
        to=CallState.DELIBERATION,
    )


@transaction.atomic(durable=True)
def archive(call: Call, *, by: User | None, now: datetime) -> Call:
    """Archive a call whose results are public."""
    return _move_to(
        call,
        by=by,
        now=now,
        action="archive",
        allowed={CallState.RESULTS_PUBLISHED},
        to=CallState.ARCHIVED,
    )


def _sync(call: Call, locked: Call) -> Call:
    call.state = locked.state
    return locked


# The lifecycle buttons: action name → (service, label), in the order of the lifecycle.
TRANSITIONS = {
    "publish": (publish, gettext_lazy("Publier l'appel")),
    "close": (close, gettext_lazy("Clore l'appel")),
    "start_review": (start_review, gettext_lazy("Lancer l'évaluation")),
    "start_auditions": (start_auditions, gettext_lazy("Passer aux auditions")),
    "start_deliberation": (start_deliberation, gettext_lazy("Ouvrir la délibération")),
    # Not here: the results are published from the deliberation page
    # (`projects.services.deliberation.publish_results`), which writes each decision into its
    # proposal; publishing the call alone would leave the decisions unapplied.
    "archive": (archive, gettext_lazy("Archiver l'appel")),
}
# The transitions legal from each visible state (the buttons the page offers).
NEXT_ACTIONS = {
    CallState.DRAFT: ["publish"],
    CallState.PUBLISHED: [],
    CallState.CLOSED: ["start_review"],
    CallState.REVIEW: ["start_auditions", "start_deliberation"],
    CallState.AUDITIONS: ["start_deliberation"],
    CallState.DELIBERATION: [],
    CallState.RESULTS_PUBLISHED: ["archive"],
    CallState.ARCHIVED: [],
}


def run_transition(call: Call, action: str, *, by: User | None, now: datetime) -> Call:
    """Run the lifecycle transition named `action` (a key of TRANSITIONS)."""
    if action not in TRANSITIONS:
        raise TransitionError(_("Action inconnue."))
    service, _label = TRANSITIONS[action]
    return service(call, by=by, now=now)


# --- The call's own fields, criteria and questions ------------------------------------------


def _unique_slug(edition: str) -> str:
    base = slugify(edition)[:70] or "appel"
    slug, n = base, 2
    while Call.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic(durable=True)
def create_call(call: Call, *, by: User | None, now: datetime) -> Call:
    """Save a new call as a draft of its programme, with a unique address."""
    call.state = CallState.DRAFT
    call.slug = _unique_slug(call.edition)
    call.save()
    audit.record(by, "call.create", call, after=CallState.DRAFT, at=now)
    return call


# The call's fields whose old and new values the Journal shows when they are edited.
CALL_JOURNAL_FIELDS = [
    field.name
    for field in Call._meta.concrete_fields
    if field.name not in {"id", "slug", "state", "programme", "created_at", "updated_at"}
]


@transaction.atomic(durable=True)
def update_call(call: Call, *, by: User | None, now: datetime) -> Call:
    """Save the edited rules of a call while candidates may still be affected by them. A
    published call's closing date never moves into the past here: that is `close_now`."""
    stored = Call.objects.select_for_update().get(pk=call.pk)
    current = stored.state_at(now)
    if current not in CallState.rules_editable_states:
        raise TransitionError(
            _("L'appel est à l'état « %(state)s » : ses règles ne peuvent plus changer.")
            % {"state": _state_label(current)}
        )
    if stored.state == CallState.PUBLISHED and call.closes_at <= now:
        raise TransitionError(
            _(
                "La clôture d'un appel publié ne peut pas être déplacée dans le passé : "
                "utilisez « Clore maintenant », qui demande une raison."
            )
        )
    call.save()
    changes = audit.changed_fields(stored, call, CALL_JOURNAL_FIELDS)
    audit.record(by, "call.update", call, before=current, after=current, changes=changes, at=now)
    return call


def _check_editable(call: Call, allowed: frozenset, now: datetime, what: str) -> None:
    current = Call.objects.select_for_update().get(pk=call.pk).state_at(now)
    if current not in allowed:
        raise TransitionError(
            _("L'appel est à l'état « %(state)s » : %(what)s ne peuvent plus changer.")
            % {"state": _state_label(current), "what": what}
        )


def _next_position(items) -> int:
    last = items.order_by("-position").values_list("position", flat=True).first()
    return 0 if last is None else last + 1


def _guard_for(item: Model, now: datetime) -> None:
    if isinstance(item, Criterion):
        _check_editable(item.call, CallState.criteria_editable_states, now, _("les critères"))
    elif isinstance(item, Defi):
        _check_editable(item.call, CallState.defis_editable_states, now, _("les défis"))
    elif isinstance(item, EligibilityRule):
        _check_editable(
            item.call, CallState.rules_editable_states, now, _("les conditions d'éligibilité")
        )
    else:
        _check_editable(item.call, CallState.rules_editable_states, now, _("les questions"))


def _kind(item: Model) -> str:
    return type(item).__name__.lower()


@transaction.atomic(durable=True)
def save_item(item: Criterion | Question | Defi | EligibilityRule, *, by: User | None, now):
    """Save a criterion, a question, a défi or an eligibility condition of a call; a new one
    goes last."""
    _guard_for(item, now)
    created = item.pk is None
    if created:
        item.position = _next_position(type(item).objects.filter(call=item.call))
    item.save()
    kind = _kind(item)
    audit.record(
        by, f"call.{kind}.{'add' if created else 'edit'}", item.call, at=now, reason=str(item)
    )
    return item


@transaction.atomic(durable=True)
def delete_item(item: Criterion | Question | Defi, *, by: User | None, now: datetime) -> None:
    """Delete a criterion, a question or a défi of a call."""
    _guard_for(item, now)
    kind = _kind(item)
    audit.record(by, f"call.{kind}.delete", item.call, at=now, reason=str(item))
    item.delete()


@transaction.atomic(durable=True)
def move_item(
    item: Criterion | Question | Defi, *, up: bool, by: User | None, now: datetime
) -> None:
    """Swap an item with its neighbour; positions are renumbered 0..n-1."""
    _guard_for(item, now)
    siblings = list(type(item).objects.select_for_update().filter(call=item.call))
    index = next(i for i, sibling in enumerate(siblings) if sibling.pk == item.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(siblings):
        siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings):
        if sibling.position != position:
            sibling.position = position
            sibling.save(update_fields=["position"])
    kind = _kind(item)
    audit.record(by, f"call.{kind}.move", item.call, at=now, reason=str(item))


# --- EIG: a stage-1 proposal becomes a défi -----------------------------------------------

# States of a stage-1 proposal that may be retained: submitted and not turned down.
RETAINABLE_STATES = frozenset(
    {
        ProposalState.SUBMITTED,
        ProposalState.ELIGIBLE,
        ProposalState.SHORTLISTED,
        ProposalState.SELECTED,
    }
)


def _answer_text(value) -> str:
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return "" if value is None or isinstance(value, bool | dict) else str(value).strip()


def defi_fields(proposal) -> dict:
    """What a défi takes from the administration's proposal: its title and structure,
    the long answers as the description, the profiles and tutors asked for."""
    description, profiles, mentors = [], "", ""
    answers = proposal.answers.select_related("question").order_by("question__position")
    for answer in answers:
        label, text = answer.question.label, _answer_text(answer.value)
        if not text:
            continue
        lowered = label.lower()
        if "profil" in lowered:
            profiles = text
        elif "tuteur" in lowered or "mentor" in lowered:
            mentors = text
        elif answer.question.kind == QuestionKind.LONG_TEXT:
            description.append(f"**{label}**\n\n{text}")
    return {
        "title": proposal.title,
        "host_structure": proposal.structure,
        "description": "\n\n".join(description) or proposal.summary,
        "profiles": profiles,
        "mentors": mentors,
    }


@transaction.atomic(durable=True)
def retain_defi(proposal, *, by: User | None, now: datetime) -> Defi:
    """Retain an administration's proposal of a stage-1 EIG call as one of its défis, which
    candidates of the stage-2 call then apply to. Once only per proposal."""
    call = Call.objects.select_for_update().get(pk=proposal.call_id)
    if call.kind != CallKind.CHALLENGES:
        raise TransitionError(_("Seule une proposition d'un appel à défis peut devenir un défi."))
    _check_editable(call, CallState.defis_editable_states, now, _("les défis"))
    if proposal.state not in RETAINABLE_STATES:
        raise TransitionError(
            _("Une proposition « %(state)s » ne peut pas devenir un défi.")
            % {"state": proposal.get_state_display()}
        )
    if proposal.structure_id is None:
        raise TransitionError(_("La proposition n'a pas d'administration d'accueil."))
    existing = Defi.objects.filter(source_proposal=proposal).first()
    if existing is not None:
        raise TransitionError(
            _("Cette proposition est déjà retenue : c'est le défi « %(title)s ».")
            % {"title": existing.title}
        )
    if Defi.objects.filter(call=call, title=proposal.title).exists():
        raise TransitionError(
            _("Un défi de l'appel porte déjà le titre « %(title)s » : renommez l'un des deux.")
            % {"title": proposal.title}
        )
    defi = Defi.objects.create(
        call=call,
        source_proposal=proposal,
        position=_next_position(Defi.objects.filter(call=call)),
        **defi_fields(proposal),
    )
    audit.record(by, "call.defi.retain", call, at=now, reason=defi.title)
    return defi
