"""The deliberation's writes: the final weights, the decisions, the publication.

- A decision (selected / not selected) has its justification and, for a funding call,
  the amount granted, checked by the call's funding rules (`calls.funding.check_grant`: the
  share of the yearly budget, the ceiling per project, what is left of the envelope). The
  call row is locked while deciding, so two staff cannot both spend the same remainder.
- Publishing the results writes each decision into its proposal's state (what the team
  sees), marks the eligible proposals left out of the auditions not shortlisted (each with
  its audit entry) and moves the call to "results published". Decision mails wait as
  drafts (`projects.services.decision_mails`).
- What the pages read (final ranking, envelope, outbox, results) is in
  `projects.queries.deliberation`.
"""

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from calls import funding
from calls import services as calls_services
from calls.enums import CallState
from calls.models import Call
from programme import audit
from programme.exceptions import TransitionError
from programme.models import User
from projects.enums import DecisionMailState, DecisionOutcome, ProposalState
from projects.models import Decision, DecisionMail, Proposal
from projects.queries.deliberation import deliberated, envelope_spent
from projects.services import decision_mails
from projects.services.jury import _require_staff

# Call states in which the final weights may change (until the results are out).
WEIGHTS_EDITABLE_STATES = frozenset(
    {CallState.CLOSED, CallState.REVIEW, CallState.AUDITIONS, CallState.DELIBERATION}
)


def _locked_call(call: Call) -> Call:
    return Call.objects.select_for_update().get(pk=call.pk)


def _require_deliberation(call: Call) -> None:
    if call.state != CallState.DELIBERATION:
        raise TransitionError(
            _("Les décisions se prennent pendant la délibération ; l'appel est « %(state)s ».")
            % {"state": CallState(call.state).label}
        )


def describe(decision: Decision | None) -> str:
    """A decision in the audit log: its outcome and amount."""
    if decision is None:
        return ""
    text = decision.outcome
    if decision.amount_granted is not None:
        text += f" {decision.amount_granted}"
    return text


@transaction.atomic(durable=True)
def set_final_weights(call: Call, *, by: User, now: datetime, written, audition) -> Call:
    """Staff set how much the written review and the audition weigh in the final ranking."""
    _require_staff(call, by)
    locked = _locked_call(call)
    calls_services.settle(locked, now=now)
    if locked.state not in WEIGHTS_EDITABLE_STATES:
        raise TransitionError(_("Les résultats sont publiés : les poids ne changent plus."))
    written, audition = Decimal(written), Decimal(audition)
    if written < 0 or audition < 0 or (written == 0 and audition == 0):
        raise TransitionError(
            _("Les poids sont positifs ou nuls, et l'un d'eux au moins n'est pas nul.")
        )
    before = f"{locked.written_weight}/{locked.audition_weight}"
    locked.written_weight, locked.audition_weight = written, audition
    locked.save(update_fields=["written_weight", "audition_weight"])
    audit.record(
        by, "jury.final_weights", locked, before=before, after=f"{written}/{audition}", at=now
    )
    call.written_weight, call.audition_weight = written, audition
    return locked


def _granted(call: Call, proposal: Proposal, outcome: str, amount) -> Decimal | None:
    """The amount to store: a laureate's through the call's funding rules, none otherwise."""
    if outcome == DecisionOutcome.SELECTED:
        return funding.check_grant(
            call,
            amount=amount,
            yearly_budget=proposal.yearly_budget,
            others_granted=envelope_spent(call, excluding=proposal),
        )
    if amount not in ("", None):
        raise TransitionError(
            _("Un montant n'est accordé qu'à un projet lauréat d'un appel qui finance.")
        )
    return None


@transaction.atomic(durable=True)
def decide(
    proposal: Proposal,
    *,
    by: User,
    now: datetime,
    outcome: str,
    justification: str,
    amount_granted=None,
) -> Decision:
    """Record (or change) the jury's decision on a proposal during the deliberation.

    A change is audited with the decision before and after; a draft mail of the earlier
    decision is dropped, to be prepared again. Any failure leaves the earlier decision whole.
    """
    _require_staff(proposal.call, by)
    call = _locked_call(proposal.call)
    _require_deliberation(call)
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if not deliberated(call).filter(pk=locked.pk).exists():
        raise TransitionError(_("Cette candidature n'est pas soumise à la délibération."))
    if outcome not in DecisionOutcome.values:
        raise TransitionError(_("Choisissez la décision : lauréate ou non retenue."))
    justification = justification.strip()
    if not justification:
        raise TransitionError(_("Justifiez la décision."))
    amount = _granted(call, locked, outcome, amount_granted)
    previous = Decision.objects.filter(proposal=locked).first()
    before = describe(previous)
    decision = previous or Decision(proposal=locked)
    decision.outcome = outcome
    decision.justification = justification
    decision.amount_granted = amount
    decision.decided_by = by
    decision.decided_at = now
    decision.save()
    DecisionMail.objects.filter(proposal=locked, state=DecisionMailState.DRAFT).delete()
    audit.record(
        by,
        "jury.decision_change" if previous else "jury.decision",
        locked,
        before=before,
        after=describe(decision),
        reason=justification,
        at=now,
    )
    return decision


@transaction.atomic(durable=True)
def publish_results(call: Call, *, by: User, now: datetime) -> Call:
    """Publish the results: every deliberated proposal must have its decision. Each team
    then sees its decision; eligible proposals left out of the auditions are marked not
    shortlisted; the decision mails are prepared as drafts in the outbox."""
    _require_staff(call, by)
    locked = _locked_call(call)
    _require_deliberation(locked)
    undecided = deliberated(locked).filter(decision__isnull=True).count()
    if undecided:
        raise TransitionError(
            _("%(n)s candidatures attendent encore leur décision.") % {"n": undecided}
        )
    decisions = list(
        Decision.objects.filter(proposal__in=deliberated(locked)).select_related("proposal")
    )
    if not decisions:
        raise TransitionError(_("Aucune décision n'est prise : rien à publier."))
    # Every team is told once, with the results: a proposal never screened would get nothing.
    unscreened = Proposal.objects.filter(call=locked, state=ProposalState.SUBMITTED).count()
    if unscreened:
        raise TransitionError(
            _(
                "%(n)s candidatures déposées n'ont pas été examinées : déclarez-les recevables "
                "ou non avant de publier, pour que chaque équipe reçoive son courrier."
            )
            % {"n": unscreened}
        )
    shortlist_held = any(d.proposal.state == ProposalState.SHORTLISTED for d in decisions)
    for decision in decisions:
        before = decision.proposal.state
        Proposal.objects.filter(pk=decision.proposal_id).update(state=decision.outcome)
        audit.record(
            by, "proposal.decision_publish", decision.proposal, before=before,
            after=decision.outcome, at=now,
        )  # fmt: skip
    if shortlist_held:
        left_out = list(
            Proposal.objects.select_for_update().filter(call=locked, state=ProposalState.ELIGIBLE)
        )
        # Exactly the rows locked and audited below, even if another became eligible since.
        Proposal.objects.filter(
            pk__in=[p.pk for p in left_out], state=ProposalState.ELIGIBLE
        ).update(state=ProposalState.NOT_SHORTLISTED)
        audit.record_many(
            by,
            "proposal.not_shortlisted",
            left_out,
            before=ProposalState.ELIGIBLE,
            after=ProposalState.NOT_SHORTLISTED,
            at=now,
        )
    before = locked.state
    locked.state = CallState.RESULTS_PUBLISHED
    locked.save(update_fields=["state"])
    audit.record(by, "call.publish_results", locked, before=before, after=locked.state, at=now)
    decision_mails.write_drafts(locked, now=now)
    call.state = locked.state
    return locked
