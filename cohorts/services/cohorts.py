"""Cohorts: forming one from the selected proposals, publishing it, a laureate's edit (its
public fields, funding and phase)."""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from calls import funding
from calls.models import Call
from cohorts.enums import Phase
from cohorts.models import Cohort, Laureate, default_end
from cohorts.services import followup
from programme import audit
from programme.exceptions import TransitionError
from programme.models import Programme, User
from projects.enums import ProposalState, TeamRole
from projects.models import Decision, Proposal
from projects.queries.deliberation import envelope_spent


def form_cohort(
    programme: Programme,
    *,
    label: str,
    starts_on: date,
    proposals: Iterable[Proposal],
    by: User,
    now: datetime,
    ends_on: date | None = None,
    slug: str = "",
) -> Cohort:
    """Form a cohort of `programme` from selected proposals of its calls, one laureate each.

    A laureate starts from its proposal: the title as public name, the first line of the
    summary as mission, the proposal's structure as host, its lead as intrapreneur and its
    team as members. The end date defaults to the programme's follow-up length later, the
    address (slug) to the label's.
    """
    slug = slug or slugify(label)[:80]
    if not slug:
        raise TransitionError(_("Le libellé doit contenir des lettres ou des chiffres."))
    ends_on = ends_on or default_end(starts_on, programme)
    if ends_on <= starts_on:
        raise TransitionError(_("La fin de la promotion doit venir après son début."))
    with transaction.atomic(durable=True):
        if Cohort.objects.filter(slug=slug).exists():
            raise TransitionError(
                _("L'adresse « %(slug)s » est déjà prise par une autre promotion.") % {"slug": slug}
            )
        ids = [p.pk for p in proposals]
        if not ids:
            raise TransitionError(_("Choisissez au moins une candidature lauréate."))
        # Locked, so a proposal cannot be put in two cohorts by two staff at once.
        rows = list(
            Proposal.objects.select_for_update()
            .filter(pk__in=ids)
            .select_related("call")
            .prefetch_related("team")
        )
        for proposal in rows:
            if proposal.call.programme_id != programme.pk:
                raise TransitionError(
                    _("« %(title)s » n'est pas une candidature de ce programme.")
                    % {"title": proposal.title}
                )
            if proposal.state != ProposalState.SELECTED:
                raise TransitionError(
                    _("« %(title)s » n'est pas lauréate : seule une candidature retenue par le "
                      "jury entre dans une promotion.")
                    % {"title": proposal.title}
                )  # fmt: skip
        taken = Laureate.objects.filter(proposal__in=rows).select_related("proposal").first()
        if taken is not None:
            raise TransitionError(
                _("« %(title)s » est déjà dans une promotion.") % {"title": taken.proposal.title}
            )
        cohort = Cohort.objects.create(
            programme=programme, label=label, slug=slug, starts_on=starts_on, ends_on=ends_on
        )
        # The amount the jury granted in its decision (FAST), when there is one.
        granted = dict(
            Decision.objects.filter(proposal__in=rows, amount_granted__isnull=False).values_list(
                "proposal_id", "amount_granted"
            )
        )
        for proposal in sorted(rows, key=lambda p: p.title):
            team = list(proposal.team.all())
            lead = next((m.user_id for m in team if m.role == TeamRole.LEAD), None)
            laureate = Laureate.objects.create(
                cohort=cohort,
                proposal=proposal,
                name=proposal.title[:200],
                mission=first_line(proposal.summary)[:300],
                host_structure_id=proposal.structure_id,
                intrapreneur_id=lead or proposal.created_by_id,
                funding_granted=granted.get(proposal.pk),
            )
            laureate.members.set([m.user_id for m in team])
        # Each laureate gets its milestones from the programme as the cohort starts.
        followup.write_milestones(cohort, now=now)
        audit.record(by, "cohort.form", cohort, after="formed", at=now)
    return cohort


def first_line(text: str) -> str:
    """The first non-empty line of a text, or its first sentence when it is one long line."""
    for line in (text or "").splitlines():
        line = line.strip()
        if line:
            sentence, dot, rest = line.partition(". ")
            return sentence + "." if dot and rest else line
    return ""


def publish_cohort(cohort: Cohort, *, by: User, now: datetime) -> None:
    """Publish the laureate list: the cohort's public page and open data appear."""
    with transaction.atomic(durable=True):
        recorded = any(getattr(cohort, name) is not None for name in SELECTION_FIGURES[:-1])
        if not recorded and not cohort.laureates.exists():
            raise TransitionError(
                _(
                    "Une promotion sans lauréat ne peut pas être publiée, sauf si elle a les "
                    "chiffres de sa sélection."
                )
            )
        updated = Cohort.objects.filter(pk=cohort.pk, published_at__isnull=True).update(
            published_at=now, updated_at=now
        )
        if not updated:
            raise TransitionError(_("Cette promotion est déjà publiée."))
        audit.record(by, "cohort.publish", cohort, before="draft", after="published", at=now)
    cohort.published_at = now


def unpublish_cohort(cohort: Cohort, *, by: User, reason: str, now: datetime) -> None:
    """Withdraw a published laureate list from the public pages (e.g. an error to correct)."""
    with transaction.atomic(durable=True):
        updated = Cohort.objects.filter(pk=cohort.pk, published_at__isnull=False).update(
            published_at=None, updated_at=now
        )
        if not updated:
            raise TransitionError(_("Cette promotion n'est pas publiée."))
        audit.record(
            by, "cohort.unpublish", cohort, before="published", after="draft", reason=reason, at=now
        )
    cohort.published_at = None


SELECTION_FIGURES = [name for steps in Cohort.FUNNEL_STEPS for name in steps] + ["funnel_source"]


def record_selection_figures(cohort: Cohort, figures: dict, *, by: User, now: datetime) -> None:
    """Write the selection figures of a promotion selected before the portal (candidates,
    before the jury, selected; défis proposed, auditioned, retained) and their source."""
    with transaction.atomic(durable=True):
        locked = Cohort.objects.select_for_update().get(pk=cohort.pk)
        before = {name: getattr(locked, name) for name in SELECTION_FIGURES}
        for name in SELECTION_FIGURES:
            setattr(locked, name, figures.get(name, getattr(locked, name)))
        locked.clean()  # each step narrows, and a figure says where it was published
        changes = {
            name: [before[name], getattr(locked, name)]
            for name in SELECTION_FIGURES
            if before[name] != getattr(locked, name)
        }
        if not changes:
            raise TransitionError(_("Aucun chiffre n'a changé."))
        locked.updated_at = now
        locked.save(update_fields=[*SELECTION_FIGURES, "updated_at"])
        audit.record(by, "cohort.selection_figures", locked, changes=changes, at=now)
    for name in SELECTION_FIGURES:
        setattr(cohort, name, getattr(locked, name))


def _move_phase(laureate: Laureate, before: str, phase: str, *, by, now, reason: str) -> None:
    """Move the laureate from `before` to `phase`, inside the caller's transaction; refused if
    someone else changed it meanwhile."""
    if phase not in Phase.values:
        raise TransitionError(_("Phase inconnue : %(phase)s.") % {"phase": phase})
    updated = Laureate.objects.filter(pk=laureate.pk, phase=before).update(
        phase=phase, updated_at=now
    )
    if not updated:
        raise TransitionError(
            _("La phase vient d'être changée par quelqu'un d'autre ; rechargez la page.")
        )
    audit.record(by, "laureate.phase", laureate, before=before, after=phase, reason=reason, at=now)
    laureate.phase = phase


def set_phase(laureate: Laureate, phase: str, *, by: User, now: datetime, reason: str = "") -> None:
    """Move a laureate to another phase of the beta.gouv vocabulary."""
    with transaction.atomic(durable=True):
        if laureate.phase == phase:
            raise TransitionError(_("Le lauréat est déjà dans cette phase."))
        _move_phase(laureate, laureate.phase, phase, by=by, now=now, reason=reason)


# The fields staff edit on a laureate besides its phase.
LAUREATE_EDITABLE = (
    "name",
    "mission",
    "coach",
    "funding_granted",
    "intrapreneur_public",
    "host_structure",
    "mentors",
)


def _amount(value) -> str:
    return "" if value is None else format(Decimal(value).normalize(), "f")


def _grant(
    laureate: Laureate, amount, *, by: User, now: datetime, reason: str = ""
) -> Decimal | None:
    """Check `amount` against the funding rules of the laureate's call and write it on the
    proposal's decision too, so there is one figure (inside the caller's transaction).

    The call row is locked first, so two staff cannot both spend the last euros of its
    envelope; the others' share is what the call's other selected proposals were granted.
    The results are public by then: a change needs a reason, audited with the old and new
    amounts.
    """
    proposal = laureate.proposal
    if proposal is None:
        if amount in ("", None):
            return None
        raise TransitionError(
            _("Un montant n'est accordé qu'à un projet lauréat d'un appel qui finance.")
        )
    call = Call.objects.select_for_update().get(pk=proposal.call_id)
    amount = funding.check_grant(
        call,
        amount=amount,
        yearly_budget=proposal.yearly_budget,
        others_granted=envelope_spent(call, excluding=proposal),
    )
    old, new = _amount(laureate.funding_granted), _amount(amount)
    if old == new:
        return amount
    reason = (reason or "").strip()
    if not reason:
        raise TransitionError(
            _(
                "Les résultats sont publiés : indiquez la raison du changement du financement "
                "accordé (elle figure au journal)."
            )
        )
    Decision.objects.filter(proposal=proposal).update(amount_granted=amount)
    audit.record(
        by,
        "laureate.funding",
        laureate,
        before=old,
        after=new,
        reason=reason,
        changes={"funding_granted": [old or None, new or None]},
        at=now,
    )
    return amount


def edit_laureate(
    laureate: Laureate,
    *,
    changes: dict,
    by: User,
    now: datetime,
    phase: str | None = None,
    reason: str = "",
    funding_reason: str = "",
) -> None:
    """Save staff's edit of a laureate in one transaction: its public name, mission, coach,
    mentors, flags, funding (checked against its call's rules) and phase (`None`: unchanged).
    Any refusal saves nothing of the edit."""
    unknown = set(changes) - set(LAUREATE_EDITABLE)
    if unknown:
        raise TransitionError(_("Champs non modifiables : %(f)s.") % {"f": ", ".join(unknown)})
    changes = dict(changes)
    mentors = changes.pop("mentors", None)
    with transaction.atomic(durable=True):
        current = (
            Laureate.objects.select_for_update(of=("self",))
            .select_related("proposal")
            .get(pk=laureate.pk)
        )
        if "funding_granted" in changes:
            changes["funding_granted"] = _grant(
                current, changes["funding_granted"], by=by, now=now, reason=funding_reason
            )
        # Old and new value of each field, for the Journal (the funding's own entry, with
        # its reason, is written by `_grant`).
        values = {
            field: [audit.plain(getattr(current, field)), audit.plain(value)]
            for field, value in changes.items()
            if getattr(current, field) != value
        }
        if changes:
            Laureate.objects.filter(pk=laureate.pk).update(**changes, updated_at=now)
        if mentors is not None:
            before = sorted(str(person) for person in current.mentors.all())
            after = sorted(str(person) for person in mentors)
            if before != after:
                values["mentors"] = [", ".join(before), ", ".join(after)]
            laureate.mentors.set(mentors)
        changed = sorted([*changes, *(["mentors"] if mentors is not None else [])])
        if changed:
            audit.record(
                by,
                "laureate.update",
                laureate,
                reason=", ".join(changed),
                changes=values,
                at=now,
            )
        if phase is not None and phase != current.phase:
            _move_phase(laureate, current.phase, phase, by=by, now=now, reason=reason)
    for field, value in changes.items():
        setattr(laureate, field, value)
