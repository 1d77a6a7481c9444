"""A team's invitations: a member invites a team mate, who joins through a signed link."""

from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from programme import audit, mail
from programme.accounts import require_verified
from programme.exceptions import TransitionError
from programme.models import User
from projects.enums import ProposalState, TeamRole
from projects.models import Invitation, Proposal, TeamMember
from projects.queries.invitations import INVITATION_MAX_AGE, invitation_from_token, token_for
from projects.services.jury import team_changed
from projects.services.proposals import lock, paris_time, require_editable, require_team_member
from projects.services.team_mail import GENERIC, tell_team


def require_team_open(proposal: Proposal, now: datetime) -> None:
    """A team changes (joins, invitations) only while its call is open: at the deadline it is
    the team of the receipt, the one the jury's conflicts are computed from."""
    if not proposal.call.is_open(now):
        raise TransitionError(
            _("L'équipe ne change plus : l'appel est clos depuis le %(date)s.")
            % {"date": paris_time(proposal.call.closes_at)}
        )


def mail_invitation(invitation: Invitation, *, by: User) -> None:
    """Mail the signed link of `invitation` (inside the caller's transaction)."""
    proposal = invitation.proposal
    mail.send(
        [invitation.email],
        "proposal_invitation",
        {
            "proposal": proposal,
            "call": proposal.call,
            "inviter": by,
            "path": reverse("projects:join", kwargs={"token": token_for(invitation)}),
            "days": INVITATION_MAX_AGE // 86400,
        },
    )


@transaction.atomic(durable=True)
def invite_member(proposal: Proposal, *, by: User, email: str, now: datetime) -> Invitation:
    """Invite a team mate by e-mail; they join through a signed link valid two weeks."""
    require_team_member(proposal, by)
    require_team_open(proposal, now)
    require_editable(proposal, now)
    email = email.strip().lower()
    if proposal.team.filter(user__email__iexact=email).exists():
        raise TransitionError(_("%(email)s fait déjà partie de l'équipe.") % {"email": email})
    if proposal.team.count() >= proposal.call.team_max:
        raise TransitionError(
            _("L'équipe est complète : cet appel admet au plus %(max)s personnes.")
            % {"max": proposal.call.team_max}
        )
    invitation = proposal.invitations.filter(email=email, accepted_at__isnull=True).first()
    if invitation is None:
        invitation = Invitation.objects.create(
            proposal=proposal, email=email, invited_by=by, created_at=now
        )
    else:
        invitation.created_at, invitation.invited_by = now, by
        invitation.save(update_fields=["created_at", "invited_by"])
    mail_invitation(invitation, by=by)
    audit.record(by, "proposal.invite", proposal, reason=email, at=now)
    return invitation


@transaction.atomic(durable=True)
def accept_invitation(token: str, *, user: User, now: datetime) -> Proposal:
    """Join a team through a signed invitation link sent to the user's own address."""
    require_verified(user)
    invitation = invitation_from_token(token)
    require_team_open(invitation.proposal, now)
    proposal = lock(invitation.proposal)
    if proposal.team.filter(user=user).exists():
        return proposal
    if invitation.accepted_at is not None:
        raise TransitionError(_("Cette invitation a déjà été acceptée."))
    if invitation.email.lower() != user.email.lower():
        raise TransitionError(
            _(
                "Cette invitation a été envoyée à %(email)s : connectez-vous avec cette adresse "
                "pour rejoindre l'équipe."
            )
            % {"email": invitation.email}
        )
    if proposal.state not in ProposalState.withdrawable_states:
        raise TransitionError(_("Cette candidature n'accueille plus de nouveaux membres."))
    if proposal.team.count() >= proposal.call.team_max:
        raise TransitionError(
            _("L'équipe est déjà complète (%(max)s personnes au plus).")
            % {"max": proposal.call.team_max}
        )
    TeamMember.objects.create(proposal=proposal, user=user, role=TeamRole.MEMBER)
    Invitation.objects.filter(pk=invitation.pk).update(accepted_at=now, accepted_by=user)
    entry = audit.record(user, "proposal.join", proposal, reason=invitation.email, at=now)
    team_changed(proposal, now=now)
    name = user.get_full_name() or user.email
    tell_team(
        proposal,
        GENERIC,
        {
            "subject": _("%(name)s a rejoint l'équipe — %(title)s")
            % {"name": name, "title": proposal.title},
            "lines": [
                _("%(name)s a accepté l'invitation et rejoint l'équipe du projet « %(title)s ».")
                % {"name": name, "title": proposal.title}
            ],
        },
        event_key=f"team-join:{entry.pk}",
    )
    return proposal
