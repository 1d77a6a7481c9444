"""The outbox of decision mails: drafts written when the results are published, edited by
staff, then released together; the reminder ledger sends each once to every team member.

Every team whose proposal ends its journey gets one letter from here: laureates and teams not
selected (the jury's decision), teams not shortlisted for the auditions, and teams whose
proposal was declared ineligible at screening (a screening may still be corrected until the
results, so their letter waits in the outbox with the others)."""

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from calls.enums import CallState
from calls.funding import euros
from calls.models import Call
from programme import audit, letters
from programme.exceptions import TransitionError
from programme.models import User
from programme.reminders import owe_reminders
from projects.enums import DecisionMailState, DecisionOutcome, ProposalState
from projects.models import Decision, DecisionMail, Proposal
from projects.reminders import decision_notices_owed
from projects.services.jury import _require_staff

# Call states in which the decision mails may be prepared and edited.
OUTBOX_STATES = frozenset({CallState.DELIBERATION, CallState.RESULTS_PUBLISHED})


# The states in which a proposal's journey has ended and its team is owed a letter (once the
# results are out: before, an ineligible proposal may still be screened again).
ENDED_STATES = frozenset(
    {
        ProposalState.SELECTED,
        ProposalState.NOT_SELECTED,
        ProposalState.NOT_SHORTLISTED,
        ProposalState.INELIGIBLE,
    }
)


def _decision_of(proposal: Proposal) -> Decision | None:
    try:
        return proposal.decision
    except Decision.DoesNotExist:
        return None


def render_decision_mail(decision: Decision) -> tuple[str, str]:
    """The jury's decision letter (laureate or not selected)."""
    return render_letter(decision.proposal)


def render_letter(proposal: Proposal) -> tuple[str, str]:
    """The letter owed to the team of a proposal that ended its journey: the jury's decision,
    not shortlisted for the auditions, or ineligible (with the screening's reason). A
    decision letter is in the programme's own words if it wrote some (`programme.letters`)."""
    decision = _decision_of(proposal)
    call = proposal.call
    if decision is not None:
        selected = decision.outcome == DecisionOutcome.SELECTED
        own = letters.custom(
            call.programme_id,
            "decision_selected" if selected else "decision_not_selected",
            {
                "appel": call.edition,
                "titre": proposal.title,
                "référence": proposal.reference,
                "montant": _("Le montant accordé est de %(amount)s.")
                % {"amount": euros(decision.amount_granted)}
                if selected and decision.amount_granted is not None
                else "",
                "motif": decision.justification,
            },
        )
        if own is not None:
            return " ".join(own[0].split())[:200], own[1].strip()
    context = {
        "proposal": proposal,
        "call": proposal.call,
        "decision": decision,
        "selected": decision is not None and decision.outcome == DecisionOutcome.SELECTED,
        "not_shortlisted": decision is None and proposal.state == ProposalState.NOT_SHORTLISTED,
        "ineligible": decision is None and proposal.state == ProposalState.INELIGIBLE,
        "amount": (
            euros(decision.amount_granted)
            if decision is not None and decision.amount_granted is not None
            else ""
        ),
    }
    with translation.override("fr"):
        subject = " ".join(render_to_string("mail/decision_notice_subject.txt", context).split())
        body = render_to_string("mail/decision_notice.txt", context).strip()
    return subject[:200], body


def letters_missing(call: Call):
    """The proposals of the call owed a letter that have none yet: those with a decision, and
    those whose journey ended without one (not shortlisted, ineligible)."""
    return Proposal.objects.filter(call=call, decision_mail__isnull=True).filter(
        Q(decision__isnull=False) | Q(state__in=ENDED_STATES)
    )


def write_drafts(call: Call, *, now: datetime) -> int:
    """Inside a write: a draft letter for each ended proposal of the call that has none yet."""
    missing = letters_missing(call).select_related("call", "decision").order_by("title", "pk")
    created = []
    for proposal in missing:
        subject, body = render_letter(proposal)
        created.append(
            DecisionMail(proposal=proposal, subject=subject, body=body, generated_at=now)
        )
    DecisionMail.objects.bulk_create(created)
    return len(created)


@transaction.atomic(durable=True)
def prepare_decision_mails(call: Call, *, by: User, now: datetime) -> int:
    """Write a draft mail for each decision that has none yet; returns how many."""
    _require_staff(call, by)
    locked = Call.objects.select_for_update().get(pk=call.pk)
    if locked.state not in OUTBOX_STATES:
        raise TransitionError(_("Les courriers se préparent pendant la délibération."))
    count = write_drafts(locked, now=now)
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
    locked = Call.objects.select_for_update().get(pk=call.pk)
    if locked.state != CallState.RESULTS_PUBLISHED:
        raise TransitionError(_("Publiez d'abord les résultats : le courrier renvoie vers eux."))
    if letters_missing(locked).exists():
        raise TransitionError(
            _("Des équipes n'ont pas encore leur courrier : préparez les courriers manquants.")
        )
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
