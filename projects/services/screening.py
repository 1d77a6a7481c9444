"""The staff's screening of submitted proposals: eligible or not, one or a selection at once,
and the corrections they ask a team for. Each function is guarded and audited."""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from programme import audit
from programme.exceptions import TransitionError
from programme.models import User
from projects.enums import DecisionMailState, ProposalState
from projects.models import CorrectionRequest, DecisionMail, Proposal
from projects.queries.proposals import flagged_for_screening, open_correction
from projects.services import rankings
from projects.services.proposals import lock, require_staff, state_label
from projects.services.team_mail import GENERIC, tell_team


def _screen(proposal: Proposal, *, by: User, now: datetime, eligible: bool, reason: str) -> None:
    require_staff(proposal, by)
    if proposal.call.is_open(now):
        raise TransitionError(
            _("« %(title)s » : l'appel est encore ouvert, l'équipe peut encore la modifier.")
            % {"title": proposal.title}
        )
    target = ProposalState.ELIGIBLE if eligible else ProposalState.INELIGIBLE
    if not eligible and not reason.strip():
        raise TransitionError(
            _("Indiquez le motif d'irrecevabilité : il figure dans le courrier à l'équipe.")
        )
    before = proposal.state
    updated = Proposal.objects.filter(
        pk=proposal.pk, state__in=ProposalState.screenable_states
    ).update(state=target, ineligibility_reason="" if eligible else reason.strip(), updated_at=now)
    if not updated:
        raise TransitionError(
            _("« %(title)s » ne peut pas être examinée : elle est « %(state)s ».")
            % {"title": proposal.title, "state": state_label(proposal.state)}
        )
    proposal.state = target
    proposal.ineligibility_reason = "" if eligible else reason.strip()
    entry = audit.record(
        by,
        "proposal.screen",
        proposal,
        before=before,
        after=target,
        reason=proposal.ineligibility_reason,
        at=now,
    )
    if eligible:  # told at once; a refusal's letter waits in the decision outbox
        tell_team(
            proposal,
            GENERIC,
            {
                "subject": _("Candidature recevable — %(title)s") % {"title": proposal.title},
                "lines": [
                    _(
                        "Votre candidature « %(title)s » (%(reference)s) à l'appel %(edition)s "
                        "est recevable : le jury va maintenant l'évaluer."
                    )
                    % {
                        "title": proposal.title,
                        "reference": proposal.reference,
                        "edition": proposal.call.edition,
                    }
                ],
            },
            event_key=f"proposal-screened:{entry.pk}",
        )
    # The team's letter (with the reason) waits in the decision outbox: a screening may be
    # corrected until the results, and every team is told once, with the others. A draft
    # letter written for the previous screening no longer says what is true: dropped, to be
    # prepared again.
    if before != target:
        DecisionMail.objects.filter(proposal=proposal, state=DecisionMailState.DRAFT).delete()
    rankings.state_changed(proposal, before)


@transaction.atomic(durable=True)
def mark_eligible(proposal: Proposal, *, by: User, now: datetime) -> None:
    """Declare a submitted proposal eligible."""
    _screen(proposal, by=by, now=now, eligible=True, reason="")


@transaction.atomic(durable=True)
def mark_ineligible(proposal: Proposal, *, by: User, now: datetime, reason: str) -> None:
    """Declare a proposal ineligible; its letter, with the reason, waits in the decision outbox."""
    _screen(proposal, by=by, now=now, eligible=False, reason=reason)


@transaction.atomic(durable=True)
def screen_selection(
    proposals, *, by: User, now: datetime, eligible: bool, reason: str = ""
) -> int:
    """Screen a selection at once: all or nothing, so a refused one leaves the others as they
    were."""
    count = 0
    for proposal in proposals:
        _screen(proposal, by=by, now=now, eligible=eligible, reason=reason)
        count += 1
    return count


@transaction.atomic(durable=True)
def screen_flagged(call, *, by: User, now: datetime) -> int:
    """Declare ineligible, at once, every submitted proposal of the call that breaks one of
    its eligibility conditions; each one's reason is the conditions it breaks, and each is
    audited like a screening one by one. Returns how many."""
    flagged = flagged_for_screening(call)
    if not flagged:
        raise TransitionError(_("Aucune candidature à examiner n'est signalée."))
    for proposal in flagged:
        reason = " ".join(breach.message for breach in proposal.eligibility_flags)
        _screen(proposal, by=by, now=now, eligible=False, reason=reason)
    return len(flagged)


@transaction.atomic(durable=True)
def request_correction(
    proposal: Proposal, *, by: User, reason: str, deadline: datetime, now: datetime
) -> CorrectionRequest:
    """Ask the team to correct a submitted proposal before `deadline`; it reopens for editing."""
    require_staff(proposal, by)
    locked = lock(proposal)
    if locked.state not in ProposalState.screenable_states:
        raise TransitionError(
            _("Impossible de demander une correction : la candidature est « %(state)s ».")
            % {"state": state_label(locked.state)}
        )
    if not reason.strip():
        raise TransitionError(_("Précisez la correction attendue."))
    if deadline <= now:
        raise TransitionError(_("La date limite de la correction doit être dans le futur."))
    if open_correction(locked) is not None:
        raise TransitionError(_("Une correction est déjà demandée pour cette candidature."))
    correction = CorrectionRequest.objects.create(
        proposal=locked, requested_by=by, reason=reason.strip(), deadline=deadline, requested_at=now
    )
    audit.record(by, "proposal.request_correction", locked, reason=reason, at=now)
    tell_team(
        locked,
        "proposal_correction",
        {"correction": correction},
        event_key=f"proposal-correction:{correction.pk}",
    )
    return correction
