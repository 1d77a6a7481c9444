"""Expertise for the assignment: the call's themes, the jurors' declared themes and bids,
the proposals' themes, and the staff's hand adjustments of the assignment matrix.

One function per change, each in its own transaction with its guard and audit entry; the
time is a parameter. A "conflit d'intérêts" bid is a declared conflict (the one conflict
mechanism of `projects.services.jury`), never a bid row.
"""

import uuid
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from calls.enums import CallState
from calls.models import Call, JuryMember, Theme
from programme import audit
from programme.exceptions import TransitionError
from programme.models import User
from projects.enums import BidChoice, ConflictKind, ConflictType, ProposalState
from projects.models import Assignment, Bid, Conflict, Evaluation, Proposal
from projects.services import jury, jury_mail, rankings

# The bid a juror may give, plus the conflict of interest (a declared conflict).
BID_CONFLICT = "conflict"
THEME_MAX_LENGTH = 100
THEMES_MAX = 40
# Once the jury deliberates, nobody bids nor changes the assignment any more.
CLOSED_TO_BIDS = frozenset(
    {CallState.DELIBERATION, CallState.RESULTS_PUBLISHED, CallState.ARCHIVED}
)


def _require_open(call: Call) -> None:
    if call.state in CLOSED_TO_BIDS:
        raise TransitionError(_("Le jury de cet appel délibère : les souhaits ne changent plus."))


@transaction.atomic(durable=True)
def set_call_themes(call: Call, names: list[str], *, by: User, now: datetime) -> list[Theme]:
    """Staff set the call's list of themes (in order). A theme kept by name keeps its
    jurors and proposals; a theme removed is removed from them too."""
    jury._require_staff(call, by)
    cleaned: list[str] = []
    for name in names:
        name = " ".join(name.split())
        if name and name.casefold() not in {n.casefold() for n in cleaned}:
            cleaned.append(name)
    if len(cleaned) > THEMES_MAX:
        raise TransitionError(_("Un appel compte au plus %(n)s thèmes.") % {"n": THEMES_MAX})
    too_long = [n for n in cleaned if len(n) > THEME_MAX_LENGTH]
    if too_long:
        raise TransitionError(
            _("Un thème tient en %(n)s caractères : « %(name)s… » est trop long.")
            % {"n": THEME_MAX_LENGTH, "name": too_long[0][:30]}
        )
    existing = {t.name.casefold(): t for t in Theme.objects.select_for_update().filter(call=call)}
    before = [t.name for t in sorted(existing.values(), key=lambda t: (t.position, t.pk))]
    kept = []
    for position, name in enumerate(cleaned):
        theme = existing.pop(name.casefold(), None)
        if theme is None:
            theme = Theme.objects.create(call=call, name=name, position=position)
        elif (theme.name, theme.position) != (name, position):
            theme.name, theme.position = name, position
            theme.save(update_fields=["name", "position"])
        kept.append(theme)
    Theme.objects.filter(pk__in=[t.pk for t in existing.values()]).delete()
    audit.record(by, "jury.themes", call, changes={"themes": [before, cleaned]}, at=now)
    return kept


@transaction.atomic(durable=True)
def declare_themes(seat: JuryMember, theme_ids, *, by: User, now: datetime) -> list[Theme]:
    """A juror declares their themes of expertise, from the call's list."""
    if seat.user_id != by.pk:
        raise TransitionError(_("Ces thèmes ne sont pas les vôtres."))
    _require_open(seat.call)
    wanted = list(Theme.objects.filter(call_id=seat.call_id, pk__in=list(theme_ids)))
    if len(wanted) != len(set(theme_ids)):
        raise TransitionError(_("Choisissez des thèmes de la liste de l'appel."))
    before = sorted(seat.themes.values_list("name", flat=True))
    seat.themes.set(wanted)
    after = sorted(t.name for t in wanted)
    audit.record(by, "jury.juror_themes", seat, changes={"themes": [before, after]}, at=now)
    return wanted


def biddable_proposals(seat: JuryMember):
    """The proposals a juror may bid on: the call's, before the jury (a conflict they
    declared still shows, as such)."""
    return Proposal.objects.filter(call_id=seat.call_id, state__in=ProposalState.jury_states)


@transaction.atomic(durable=True)
def save_bids(seat: JuryMember, choices: dict[int, str], *, by: User, now: datetime) -> dict:
    """A juror's bids on a page of proposals, in one go: `choices` maps a proposal id to
    "yes", "maybe", "no", "conflict" or "" (no opinion). A conflict is declared through the
    conflicts (the proposal is then hidden from them and any unscored assignment dropped);
    an existing conflict is not undone here (only staff lift one). Returns the counts of
    bids written, cleared and conflicts declared."""
    if seat.user_id != by.pk:
        raise TransitionError(_("Ces souhaits ne sont pas les vôtres."))
    _require_open(seat.call)
    allowed = set(BidChoice.values) | {BID_CONFLICT, ""}
    if any(choice not in allowed for choice in choices.values()):
        raise TransitionError(_("Choisissez oui, peut-être, non ou conflit d'intérêts."))
    proposals = {p.pk: p for p in biddable_proposals(seat).filter(pk__in=list(choices))}
    if len(proposals) != len(choices):
        raise TransitionError(_("Certaines candidatures ne sont pas de cet appel."))
    conflicted = set(
        Conflict.objects.filter(
            juror=seat, proposal_id__in=list(choices), lifted_at__isnull=True
        ).values_list("proposal_id", flat=True)
    )
    current = {
        b.proposal_id: b for b in Bid.objects.filter(juror=seat, proposal_id__in=list(choices))
    }
    written = cleared = declared = 0
    changes = {}
    for proposal_id, choice in sorted(choices.items()):
        if proposal_id in conflicted:
            continue
        bid = current.get(proposal_id)
        if choice == BID_CONFLICT:
            jury._create_conflict(
                seat,
                proposals[proposal_id],
                kind=ConflictKind.DECLARED,
                type=ConflictType.OTHER,
                reason=_("Déclaré par le juré avec ses souhaits d'évaluation."),
                by=by,
                now=now,
            )
            if bid is not None:
                bid.delete()
            declared += 1
            changes[str(proposal_id)] = [bid.choice if bid else "", BID_CONFLICT]
        elif not choice:
            if bid is not None:
                bid.delete()
                cleared += 1
                changes[str(proposal_id)] = [bid.choice, ""]
        elif bid is None or bid.choice != choice:
            Bid.objects.update_or_create(
                juror=seat, proposal_id=proposal_id, defaults={"choice": choice, "updated_at": now}
            )
            written += 1
            changes[str(proposal_id)] = [bid.choice if bid else "", choice]
    if changes:
        audit.record(by, "jury.bids", seat, changes=changes, at=now)
    return {"written": written, "cleared": cleared, "declared": declared}


@transaction.atomic(durable=True)
def tag_proposal(proposal: Proposal, theme_ids, *, by: User, now: datetime) -> list[Theme]:
    """Staff give a proposal its themes, from its call's list."""
    jury._require_staff(proposal.call, by)
    wanted = list(Theme.objects.filter(call_id=proposal.call_id, pk__in=list(theme_ids)))
    if len(wanted) != len(set(theme_ids)):
        raise TransitionError(_("Choisissez des thèmes de la liste de l'appel."))
    before = sorted(proposal.themes.values_list("name", flat=True))
    proposal.themes.set(wanted)
    after = sorted(t.name for t in wanted)
    audit.record(by, "jury.proposal_themes", proposal, changes={"themes": [before, after]}, at=now)
    return wanted


@transaction.atomic(durable=True)
def adjust_assignments(call: Call, *, add, remove, by: User, now: datetime) -> tuple[int, int]:
    """Staff add and remove assignments by hand, several at once (the matrix's one POST).
    `add` and `remove` are (proposal id, juror id) pairs. Refused as a whole, with the
    reason, when a pair is conflicted, not of this call, or (to remove) already started.
    Each change is audited; the jurors given new proposals get one grouped mail."""
    jury._require_staff(call, by)
    locked = Call.objects.select_for_update().get(pk=call.pk)
    if locked.state not in jury.ASSIGNABLE_STATES:
        raise TransitionError(
            _("On attribue les candidatures une fois l'appel clos, avant la délibération.")
        )
    add, remove = set(add), set(remove)
    pairs = add | remove
    jurors = set(JuryMember.objects.filter(call=locked).values_list("pk", flat=True))
    proposals = set(
        Proposal.objects.filter(
            call=locked, pk__in={p for p, _j in pairs}, state__in=ProposalState.jury_states
        ).values_list("pk", flat=True)
    )
    if any(p not in proposals or j not in jurors for p, j in pairs):
        raise TransitionError(_("Ces attributions ne sont pas de cet appel."))
    conflicts = set(
        Conflict.objects.filter(juror__call=locked, lifted_at__isnull=True).values_list(
            "proposal_id", "juror_id"
        )
    )
    if add & conflicts:
        raise TransitionError(
            _("%(n)s des jurés cochés sont en conflit d'intérêts avec la candidature.")
            % {"n": len(add & conflicts)}
        )
    existing = {
        (a.proposal_id, a.juror_id): a
        for a in Assignment.objects.filter(juror__call=locked)
        .select_related("juror__user", "juror__call", "proposal")
        .filter(proposal_id__in={p for p, _j in pairs})
    }
    gone = [existing[pair] for pair in sorted(remove) if pair in existing]
    started = set(
        Evaluation.objects.filter(assignment__in=gone).values_list("assignment_id", flat=True)
    )
    if started:
        raise TransitionError(
            _("%(n)s des évaluations à retirer sont commencées : elles restent attribuées.")
            % {"n": len(started)}
        )
    created = Assignment.objects.bulk_create(
        [
            Assignment(proposal_id=p, juror_id=j, created_at=now)
            for p, j in sorted(add - existing.keys())
        ]
    )
    audit.record_many(by, "jury.assignment_remove", gone, before="assigned", after="", at=now)
    Assignment.objects.filter(pk__in=[a.pk for a in gone]).delete()
    audit.record_many(
        by,
        "jury.assignment_add",
        Assignment.objects.filter(pk__in=[a.pk for a in created]).select_related(
            "juror__user", "juror__call", "proposal"
        ),
        before="",
        after="assigned",
        at=now,
    )
    # One grouped mail per juror given new proposals by this change of the matrix.
    jury_mail.notify_assigned(
        locked, sorted({a.juror_id for a in created}), run_key=f"matrix:{uuid.uuid4().hex}"
    )
    if created or gone:
        rankings.changed(locked, sorted({p for p, _j in pairs}))
    return len(created), len(gone)
