"""A team's roles and changes: the lead (porteur or porteuse) and the co-editors.

Any member edits the proposal and invites; only the lead removes a member, cancels or resends
a pending invitation, and hands the lead role over (withdrawing is in `proposals`). A member
may leave; the lead leaves only after handing the role over. Membership changes stop when the
call closes (`require_team_open`): the team of the receipt is the one the jury's conflicts are
computed from. Every change is audited and mailed to the whole team (`team_mail.tell_team`).
"""

from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from programme import audit
from programme.exceptions import TransitionError
from programme.models import User
from projects import rules as proposal_rules
from projects.enums import ProposalState, TeamRole
from projects.models import Invitation, Proposal, TeamMember
from projects.services.invitations import mail_invitation, require_team_open
from projects.services.jury import team_changed
from projects.services.proposals import lock, require_team_member
from projects.services.team_mail import GENERIC, tell_team


def _name(user: User) -> str:
    return user.get_full_name() or user.email


def require_lead(proposal: Proposal, by: User) -> None:
    if not proposal_rules.is_team_lead(by, proposal):
        raise TransitionError(_("Seul le porteur ou la porteuse du projet peut faire cela."))


def _require_live(proposal: Proposal) -> None:
    if proposal.state == ProposalState.WITHDRAWN:
        raise TransitionError(_("Cette candidature est retirée : son équipe ne change plus."))


def _seat(proposal: Proposal, user: User) -> TeamMember:
    seat = proposal.team.select_related("user").filter(user=user).first()
    if seat is None:
        raise TransitionError(_("%(name)s ne fait pas partie de l'équipe.") % {"name": _name(user)})
    return seat


def _forget_cached_roles(proposal: Proposal) -> None:
    for cached in ("_team_user_ids", "_team_lead_id"):
        proposal.__dict__.pop(cached, None)


@transaction.atomic(durable=True)
def remove_member(proposal: Proposal, *, by: User, member: User, now: datetime) -> None:
    """The lead removes a member from the team; the team and the person removed are told."""
    locked = lock(proposal)
    require_lead(locked, by)
    _require_live(locked)
    require_team_open(locked, now)
    if member.pk == by.pk:
        raise TransitionError(
            _("Pour quitter l'équipe, passez d'abord le rôle de porteur à un autre membre.")
        )
    seat = _seat(locked, member)
    seat.delete()
    _forget_cached_roles(proposal)
    entry = audit.record(by, "team.remove", locked, reason=member.email, at=now)
    team_changed(locked, now=now)
    tell_team(
        locked,
        GENERIC,
        {
            "subject": _("%(name)s ne fait plus partie de l'équipe — %(title)s")
            % {"name": _name(member), "title": locked.title},
            "lines": [
                _(
                    "%(lead)s, porteur ou porteuse du projet « %(title)s », a retiré "
                    "%(name)s de l'équipe."
                )
                % {"lead": _name(by), "title": locked.title, "name": _name(member)}
            ],
        },
        event_key=f"team-remove:{entry.pk}",
        also=[member],
    )


@transaction.atomic(durable=True)
def leave_team(proposal: Proposal, *, by: User, now: datetime) -> None:
    """A member leaves the team; the lead must hand the role over first."""
    locked = lock(proposal)
    require_team_member(locked, by)
    _require_live(locked)
    require_team_open(locked, now)
    seat = _seat(locked, by)
    if seat.role == TeamRole.LEAD:
        raise TransitionError(
            _(
                "Vous portez ce projet : passez d'abord le rôle de porteur à un autre membre "
                "de l'équipe, puis quittez-la."
            )
        )
    seat.delete()
    _forget_cached_roles(proposal)
    entry = audit.record(by, "team.leave", locked, reason=by.email, at=now)
    team_changed(locked, now=now)
    tell_team(
        locked,
        GENERIC,
        {
            "subject": _("%(name)s a quitté l'équipe — %(title)s")
            % {"name": _name(by), "title": locked.title},
            "lines": [
                _("%(name)s a quitté l'équipe du projet « %(title)s ».")
                % {"name": _name(by), "title": locked.title}
            ],
        },
        event_key=f"team-leave:{entry.pk}",
        also=[by],
    )


@transaction.atomic(durable=True)
def hand_over_lead(proposal: Proposal, *, by: User, to: User, now: datetime) -> None:
    """The lead hands the lead role to another member, and becomes a co-editor."""
    locked = lock(proposal)
    require_lead(locked, by)
    _require_live(locked)
    if to.pk == by.pk:
        raise TransitionError(_("Vous portez déjà ce projet."))
    new_seat = _seat(locked, to)
    TeamMember.objects.filter(proposal=locked, user=by).update(role=TeamRole.MEMBER)
    TeamMember.objects.filter(pk=new_seat.pk).update(role=TeamRole.LEAD)
    _forget_cached_roles(proposal)
    entry = audit.record(
        by,
        "team.hand_over",
        locked,
        reason=to.email,
        changes={"lead": [by.email, to.email]},
        at=now,
    )
    tell_team(
        locked,
        GENERIC,
        {
            "subject": _("%(name)s porte désormais le projet — %(title)s")
            % {"name": _name(to), "title": locked.title},
            "lines": [
                _(
                    "%(old)s a passé le rôle de porteur ou porteuse du projet « %(title)s » "
                    "à %(new)s, qui le retire, gère l'équipe et ses invitations."
                )
                % {"old": _name(by), "new": _name(to), "title": locked.title}
            ],
        },
        event_key=f"team-hand-over:{entry.pk}",
    )


def _pending(invitation: Invitation) -> Invitation:
    locked = (
        Invitation.objects.select_for_update()
        .select_related("proposal__call__programme")
        .filter(pk=invitation.pk)
        .first()
    )
    if locked is None:
        raise TransitionError(_("Cette invitation a déjà été annulée."))
    if locked.accepted_at is not None:
        raise TransitionError(_("Cette invitation a déjà été acceptée."))
    return locked


@transaction.atomic(durable=True)
def cancel_invitation(invitation: Invitation, *, by: User, now: datetime) -> None:
    """The lead cancels a pending invitation: its link no longer works."""
    proposal = lock(invitation.proposal)
    require_lead(proposal, by)
    pending = _pending(invitation)
    email = pending.email
    pending.delete()
    entry = audit.record(by, "team.cancel_invitation", proposal, reason=email, at=now)
    tell_team(
        proposal,
        GENERIC,
        {
            "subject": _("Invitation annulée — %(title)s") % {"title": proposal.title},
            "lines": [
                _("%(lead)s a annulé l'invitation envoyée à %(email)s pour rejoindre l'équipe.")
                % {"lead": _name(by), "email": email}
            ],
            "link": reverse("projects:team", kwargs={"public_id": proposal.public_id}),
            "link_label": _("Voir l'équipe"),
        },
        event_key=f"team-cancel-invitation:{entry.pk}",
    )


@transaction.atomic(durable=True)
def resend_invitation(invitation: Invitation, *, by: User, now: datetime) -> Invitation:
    """The lead sends a pending invitation again, with a new link valid two weeks."""
    proposal = lock(invitation.proposal)
    require_lead(proposal, by)
    _require_live(proposal)
    require_team_open(proposal, now)
    pending = _pending(invitation)
    pending.created_at, pending.invited_by = now, by
    pending.save(update_fields=["created_at", "invited_by"])
    mail_invitation(pending, by=by)
    audit.record(by, "team.resend_invitation", proposal, reason=pending.email, at=now)
    return pending
