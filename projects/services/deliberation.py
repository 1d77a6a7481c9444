"""The deliberation: final ranking, decisions, the outbox of decision mails, the results.

- The final ranking combines the written review and the auditions with the weights the
  call sets (`Call.written_weight`, `Call.audition_weight`). Each part is brought to a
  percentage of its maximum (the weighted mean of the criteria's scale maxima) so a grid
  scored out of 5 and one out of 10 weigh what the call says; a part with no score leaves
  its weight out, as "not applicable" does for a criterion. The written part is the raw
  weighted mean of `jury_queries.ranking`; its mean z-score is shown beside it.
- A decision (selected / not selected) has its justification and, for a funding call,
  the amount granted: at most `max_funding_share` % of the yearly budget, at most
  `max_funding_amount`, and within what is left of the call's envelope. The call row is
  locked while deciding, so two staff cannot both spend the same remainder.
- Publishing the results writes each decision into its proposal's state (what the team
  sees) and moves the call to "results published". Decision mails wait as drafts; staff
  edit them and release them together; the reminder ledger sends each once.
"""

from datetime import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.translation import gettext as _

from calls.enums import CallState
from calls.models import Call
from programme import audit
from programme.enums import ReminderKind, ReminderState
from programme.exceptions import TransitionError
from programme.models import Reminder, User
from programme.reminders import owe_reminders
from projects.enums import DecisionMailState, DecisionOutcome, ProposalState
from projects.models import AuditionEvaluation, Conflict, Decision, DecisionMail, Proposal
from projects.queries import jury as jury_queries
from projects.reminders import decision_notices_owed
from projects.services.jury import _require_staff

# Call states in which the final weights may change (until the results are out).
WEIGHTS_EDITABLE_STATES = frozenset(
    {CallState.CLOSED, CallState.REVIEW, CallState.AUDITIONS, CallState.DELIBERATION}
)
# Call states in which the decision mails may be prepared and edited.
OUTBOX_STATES = frozenset({CallState.DELIBERATION, CallState.RESULTS_PUBLISHED})


def euros(value) -> str:
    """An amount as French readers write it: "120 000 €"."""
    with translation.override("fr"):
        return f"{formats.number_format(value, 0, use_l10n=True, force_grouping=True)} €"


def _locked_call(call: Call) -> Call:
    return Call.objects.select_for_update().get(pk=call.pk)


def _require_deliberation(call: Call) -> None:
    if call.state != CallState.DELIBERATION:
        raise TransitionError(
            _("Les décisions se prennent pendant la délibération ; l'appel est « %(state)s ».")
            % {"state": CallState(call.state).label}
        )


def deliberated(call: Call):
    """The proposals the deliberation decides on: the shortlisted ones, or, for a call that
    went straight from the written review to the deliberation, the eligible ones. After the
    results, the decided ones."""
    if call.state in {CallState.RESULTS_PUBLISHED, CallState.ARCHIVED}:
        return Proposal.objects.filter(call=call, decision__isnull=False)
    base = Proposal.objects.filter(call=call)
    if base.filter(state=ProposalState.SHORTLISTED).exists():
        return base.filter(state=ProposalState.SHORTLISTED)
    return base.filter(state=ProposalState.ELIGIBLE)


def describe(decision: Decision | None) -> str:
    """A decision in the audit log: its outcome and amount."""
    if decision is None:
        return ""
    text = decision.outcome
    if decision.amount_granted is not None:
        text += f" {decision.amount_granted}"
    return text


# --- Weights ----------------------------------------------------------------------------


@transaction.atomic(durable=True)
def set_final_weights(call: Call, *, by: User, now: datetime, written, audition) -> Call:
    """Staff set how much the written review and the audition weigh in the final ranking."""
    _require_staff(call, by)
    locked = _locked_call(call)
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


# --- The final ranking ------------------------------------------------------------------


def _scale(criteria) -> float | None:
    weights = sum(float(c.weight) for c in criteria)
    if not weights:
        return None
    return sum(float(c.weight) * c.scale_max for c in criteria) / weights


def final_ranking(call: Call, criteria=None, audition_criteria=None):
    """The deliberated proposals with `raw_mean` and `z_mean` (written, from the jury's
    ranking), `audition_mean` (mean of the jurors' complete audition grids, conflicted
    pairs left out), `audition_count`, `final` (0-100, see the module), and their decision
    and mail; best first, ties broken as the written ranking."""
    criteria = list(call.criteria.all()) if criteria is None else criteria
    audition_criteria = (
        list(call.audition_criteria.all()) if audition_criteria is None else audition_criteria
    )
    counted = AuditionEvaluation.objects.filter(
        proposal_id=OuterRef("pk"), total__isnull=False
    ).exclude(
        Exists(
            Conflict.objects.filter(
                juror_id=OuterRef("juror_id"),
                proposal_id=OuterRef("proposal_id"),
                lifted_at__isnull=True,
            )
        )
    )
    audition_mean = Subquery(
        counted.values("proposal_id").annotate(v=Avg("total")).values("v")[:1],
        output_field=FloatField(),
    )
    audition_count = Subquery(counted.values("proposal_id").annotate(n=Count("pk")).values("n")[:1])
    ww, wa = float(call.written_weight), float(call.audition_weight)
    ws, as_ = _scale(criteria), _scale(audition_criteria)
    written = F("raw_mean") / Value(ws) if ws else None
    heard = F("audition_mean") / Value(as_) if as_ else None
    cases = []
    if written is not None and heard is not None and ww + wa > 0:
        cases.append(
            When(
                raw_mean__isnull=False,
                audition_mean__isnull=False,
                then=(Value(ww) * written + Value(wa) * heard) * Value(100.0 / (ww + wa)),
            )
        )
    if written is not None and ww > 0:
        cases.append(When(raw_mean__isnull=False, then=written * Value(100.0)))
    if heard is not None and wa > 0:
        cases.append(When(audition_mean__isnull=False, then=heard * Value(100.0)))
    final = Case(*cases, default=Value(None), output_field=FloatField())
    ids = deliberated(call).values("pk")
    return (
        jury_queries.ranking(call, criteria)
        .filter(pk__in=ids)
        .select_related("decision", "decision_mail", "audition")
        .annotate(audition_mean=audition_mean, audition_count=audition_count)
        .annotate(final=final)
        .order_by(F("final").desc(nulls_last=True), *jury_queries.tie_break(criteria))
    )


def audition_scores_of_page():
    """For the deliberation page: each proposal's audition evaluations with their juror
    (conflicted pairs left out), in one query."""
    return Prefetch(
        "audition_evaluations",
        queryset=AuditionEvaluation.objects.exclude(
            Exists(
                Conflict.objects.filter(
                    juror_id=OuterRef("juror_id"),
                    proposal_id=OuterRef("proposal_id"),
                    lifted_at__isnull=True,
                )
            )
        )
        .select_related("juror__user")
        .order_by("juror__user__last_name", "pk"),
        to_attr="audition_scores",
    )


def amount_ceiling(call: Call, proposal: Proposal, spent: Decimal) -> Decimal | None:
    """The most a funding call may grant this proposal: the lowest of its share of the
    yearly budget, the ceiling per project and what is left of the envelope (`spent` being
    the call's total granted, this proposal's own amount included)."""
    if not call.offers_funding or proposal.yearly_budget is None:
        return None
    limits = [proposal.yearly_budget * call.max_funding_share / 100, call.max_funding_amount]
    if call.envelope is not None:
        decision = getattr(proposal, "decision", None)
        own = decision.amount_granted if decision and decision.amount_granted else 0
        limits.append(call.envelope - spent + own)
    return max(Decimal("0"), min(limits))


def envelope_spent(call: Call, *, excluding: Proposal | None = None) -> Decimal:
    """The amounts granted so far by the call's decisions (one aggregate)."""
    rows = Decision.objects.filter(
        proposal__call=call, outcome=DecisionOutcome.SELECTED, amount_granted__isnull=False
    )
    if excluding is not None:
        rows = rows.exclude(proposal=excluding)
    return rows.aggregate(total=Sum("amount_granted"))["total"] or Decimal("0")


def envelope_left(call: Call) -> Decimal | None:
    if call.envelope is None:
        return None
    return call.envelope - envelope_spent(call)


# --- Decisions --------------------------------------------------------------------------


def _check_amount(call: Call, proposal: Proposal, outcome: str, amount) -> Decimal | None:
    amount = None if amount in ("", None) else Decimal(amount)
    if outcome != DecisionOutcome.SELECTED or not call.offers_funding:
        if amount is not None:
            raise TransitionError(
                _("Un montant n'est accordé qu'à une candidature lauréate d'un appel qui finance.")
            )
        return None
    if amount is None or amount <= 0:
        raise TransitionError(_("Indiquez le montant accordé à cette candidature lauréate."))
    if amount > call.max_funding_amount:
        raise TransitionError(
            _("Le montant accordé (%(amount)s) dépasse le plafond par projet de %(max)s.")
            % {"amount": euros(amount), "max": euros(call.max_funding_amount)}
        )
    if proposal.yearly_budget is None:
        raise TransitionError(
            _(
                "Le budget annuel du projet n'est pas connu : impossible de vérifier la part "
                "financée (%(share)s %% au plus)."
            )
            % {"share": call.max_funding_share}
        )
    ceiling = proposal.yearly_budget * call.max_funding_share / 100
    if amount > ceiling:
        raise TransitionError(
            _(
                "Le montant accordé (%(amount)s) dépasse %(share)s %% du budget annuel du "
                "projet (%(budget)s), soit %(ceiling)s au plus."
            )
            % {
                "amount": euros(amount),
                "share": call.max_funding_share,
                "budget": euros(proposal.yearly_budget),
                "ceiling": euros(ceiling),
            }
        )
    if call.envelope is not None:
        left = call.envelope - envelope_spent(call, excluding=proposal)
        if amount > left:
            raise TransitionError(
                _(
                    "Le montant accordé (%(amount)s) dépasse ce qui reste de l'enveloppe de la "
                    "promotion : %(left)s sur %(envelope)s."
                )
                % {"amount": euros(amount), "left": euros(left), "envelope": euros(call.envelope)}
            )
    return amount


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
    amount = _check_amount(call, locked, outcome, amount_granted)
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


# --- Publication ------------------------------------------------------------------------


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
    shortlist_held = any(d.proposal.state == ProposalState.SHORTLISTED for d in decisions)
    for decision in decisions:
        before = decision.proposal.state
        Proposal.objects.filter(pk=decision.proposal_id).update(state=decision.outcome)
        audit.record(
            by, "proposal.decision_publish", decision.proposal, before=before,
            after=decision.outcome, at=now,
        )  # fmt: skip
    if shortlist_held:
        Proposal.objects.filter(call=locked, state=ProposalState.ELIGIBLE).update(
            state=ProposalState.NOT_SHORTLISTED
        )
    before = locked.state
    locked.state = CallState.RESULTS_PUBLISHED
    locked.save(update_fields=["state"])
    audit.record(by, "call.publish_results", locked, before=before, after=locked.state, at=now)
    _prepare(locked, now=now)
    call.state = locked.state
    return locked


def visible_decision(proposal: Proposal) -> Decision | None:
    """The decision a team sees on its proposal: only once the call's results are out."""
    if proposal.call.state not in {CallState.RESULTS_PUBLISHED, CallState.ARCHIVED}:
        return None
    return Decision.objects.filter(proposal=proposal).first()


def results(call: Call):
    """The public results of a call: its laureates, with the amount granted."""
    return (
        Proposal.objects.filter(call=call, state=ProposalState.SELECTED)
        .select_related("structure", "decision")
        .order_by("title", "pk")
    )


# --- The outbox -------------------------------------------------------------------------


def render_decision_mail(decision: Decision) -> tuple[str, str]:
    context = {
        "proposal": decision.proposal,
        "call": decision.proposal.call,
        "decision": decision,
        "selected": decision.outcome == DecisionOutcome.SELECTED,
        "amount": euros(decision.amount_granted) if decision.amount_granted is not None else "",
    }
    with translation.override("fr"):
        subject = " ".join(render_to_string("mail/decision_notice_subject.txt", context).split())
        body = render_to_string("mail/decision_notice.txt", context).strip()
    return subject[:200], body


def _prepare(call: Call, *, now: datetime) -> int:
    missing = (
        Decision.objects.filter(proposal__call=call, proposal__decision_mail__isnull=True)
        .select_related("proposal__call")
        .order_by("proposal__title", "pk")
    )
    created = []
    for decision in missing:
        subject, body = render_decision_mail(decision)
        created.append(
            DecisionMail(proposal=decision.proposal, subject=subject, body=body, generated_at=now)
        )
    DecisionMail.objects.bulk_create(created)
    return len(created)


@transaction.atomic(durable=True)
def prepare_decision_mails(call: Call, *, by: User, now: datetime) -> int:
    """Write a draft mail for each decision that has none yet; returns how many."""
    _require_staff(call, by)
    locked = _locked_call(call)
    if locked.state not in OUTBOX_STATES:
        raise TransitionError(_("Les courriers se préparent pendant la délibération."))
    count = _prepare(locked, now=now)
    audit.record(by, "jury.decision_mails_prepare", locked, reason=str(count), at=now)
    return count


@transaction.atomic(durable=True)
def edit_decision_mail(
    mail: DecisionMail, *, by: User, now: datetime, subject: str, body: str
) -> DecisionMail:
    """Staff rewrite a draft decision mail before it goes."""
    locked = (
        DecisionMail.objects.select_for_update().select_related("proposal__call").get(pk=mail.pk)
    )
    _require_staff(locked.proposal.call, by)
    if locked.state != DecisionMailState.DRAFT:
        raise TransitionError(_("Ce courrier est envoyé : il ne change plus."))
    subject, body = subject.strip(), body.strip()
    if not subject or not body:
        raise TransitionError(_("Le courrier a besoin d'un objet et d'un message."))
    locked.subject, locked.body = subject[:200], body
    locked.edited_by, locked.edited_at = by, now
    locked.save(update_fields=["subject", "body", "edited_by", "edited_at"])
    audit.record(by, "jury.decision_mail_edit", locked, after="draft", at=now)
    return locked


@transaction.atomic(durable=True)
def release_decision_mails(call: Call, *, by: User, now: datetime) -> int:
    """Send the outbox: every draft decision mail of the call goes, once, to each member
    of its team through the reminder ledger. The results must be published first (the mail
    points to the decision on the proposal's page), and every decision needs its mail."""
    _require_staff(call, by)
    locked = _locked_call(call)
    if locked.state != CallState.RESULTS_PUBLISHED:
        raise TransitionError(_("Publiez d'abord les résultats : le courrier renvoie vers eux."))
    missing = Decision.objects.filter(proposal__call=locked, proposal__decision_mail__isnull=True)
    if missing.exists():
        raise TransitionError(_("Des décisions n'ont pas encore leur courrier : préparez-les."))
    drafts = list(
        DecisionMail.objects.filter(
            proposal__call=locked, state=DecisionMailState.DRAFT
        ).values_list("pk", flat=True)
    )
    if not drafts:
        raise TransitionError(_("Aucun courrier à envoyer."))
    DecisionMail.objects.filter(pk__in=drafts, state=DecisionMailState.DRAFT).update(
        state=DecisionMailState.RELEASED, released_at=now
    )
    audit.record(
        by,
        "jury.decision_mails_release",
        locked,
        before=DecisionMailState.DRAFT,
        after=DecisionMailState.RELEASED,
        reason=str(len(drafts)),
        at=now,
    )
    owe_reminders(decision_notices_owed(drafts, now=now), now=now)
    return len(drafts)


def outbox(call: Call):
    """The call's decision mails with their decision and ledger progress (one query)."""
    mail_type = ContentType.objects.get_for_model(DecisionMail)
    ledger = Reminder.objects.filter(
        kind=ReminderKind.DECISION_NOTICE, content_type=mail_type, object_id=OuterRef("pk")
    ).values("object_id")
    return (
        DecisionMail.objects.filter(proposal__call=call)
        .select_related("proposal__decision")
        .annotate(
            recipients=Subquery(ledger.annotate(n=Count("pk")).values("n")[:1]),
            delivered=Subquery(
                ledger.annotate(n=Count("pk", filter=Q(state=ReminderState.SENT))).values("n")[:1]
            ),
        )
        .order_by("proposal__title", "pk")
    )
