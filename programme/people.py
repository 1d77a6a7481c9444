"""The people of a programme (writes): its staff and coaches added, invited and removed, and
the invitations of every role (jurors' included) sent again or cancelled.

Each function is one change, in a transaction, guarded, audited on the programme (or, for a
juror, on the call) and mailed once per person (`mail.send(..., key=...)`).
"""

from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from . import audit, links, mail
from .accounts import require_verified
from .enums import InvitationRole, ProgrammeRole
from .exceptions import TransitionError
from .models import Programme, ProgrammeInvitation, ProgrammeMembership, User
from .rules import is_programme_staff

INVITATION_SALT = "programme.invitation"
INVITATION_MAX_AGE = 14 * 24 * 3600  # seconds: a link is good for two weeks


def _require_staff(programme: Programme, by: User) -> None:
    if not (by.is_superuser or is_programme_staff(by, programme)):
        raise TransitionError(_("Seule l'équipe du programme gère ses membres."))


def _who(user: User, role: str) -> str:
    return _("%(person)s (%(role)s)") % {
        "person": user.get_full_name() or user.email,
        "role": ProgrammeRole(role).label.lower(),
    }


@transaction.atomic(durable=True)
def add_member(programme: Programme, email: str, role: str, *, by: User, now: datetime):
    """Give `role` (staff or coach) in the programme to the account with this address, or,
    without an account, mail an invitation link. Returns the membership or the invitation."""
    _require_staff(programme, by)
    Programme.objects.select_for_update().get(pk=programme.pk)
    if role not in InvitationRole.programme_roles():
        raise TransitionError(_("Choisissez un rôle : équipe du programme ou coach."))
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email, anonymised_at__isnull=True).first()
    if user is None:
        return _invite(programme, email, role, by=by, now=now)
    if ProgrammeMembership.objects.filter(programme=programme, user=user, role=role).exists():
        raise TransitionError(_("%(person)s a déjà ce rôle dans le programme.") % {"person": user})
    membership = ProgrammeMembership.objects.create(programme=programme, user=user, role=role)
    audit.record(by, "programme.member_add", programme, reason=_who(user, role), at=now)
    mail.send(
        [user.email],
        "programme_member_added",
        {"programme": programme, "role": ProgrammeRole(role).label, "inviter": by,
         "path": reverse("dashboard")},
        key=f"programme-member-added:{membership.pk}",
    )  # fmt: skip
    return membership


def _invite(programme: Programme, email: str, role: str, *, by: User, now: datetime):
    pending = ProgrammeInvitation.objects.filter(
        programme=programme, email=email, role=role, accepted_at=None, cancelled_at=None
    )
    if pending.exists():
        raise TransitionError(
            _("Une invitation attend déjà la réponse de %(email)s : renvoyez-la plutôt.")
            % {"email": email}
        )
    invitation = ProgrammeInvitation.objects.create(
        programme=programme, email=email, role=role, invited_by=by, created_at=now, sent_at=now
    )
    _send(invitation, by=by)
    audit.record(
        by,
        "programme.invite",
        programme,
        reason=_("%(email)s (%(role)s)")
        % {"email": email, "role": ProgrammeRole(role).label.lower()},
        at=now,
    )
    return invitation


def invitation_token(invitation: ProgrammeInvitation) -> str:
    return links.sign({"invitation": invitation.pk}, salt=INVITATION_SALT)


# The apps that own a kind of invitation mail its link themselves (a jury invitation's link
# is the jury's, `projects.services.jury.mail_jury_invitation`): they register here at
# start-up, so the ground floor calls no app's service.
SENDERS: dict[str, Callable[..., object]] = {}


def register_sender(role: str, sender: Callable[..., object]) -> None:
    """`sender(invitation, by=, key=)` mails the link of the invitations of `role`."""
    SENDERS[role] = sender


def _send(invitation: ProgrammeInvitation, *, by: User) -> None:
    """Mail the invitation's link (once per sending: the key holds the count)."""
    key = f"invitation:{invitation.pk}:{invitation.sent_count}"
    if invitation.role in SENDERS:
        SENDERS[invitation.role](invitation, by=by, key=key)
        return
    mail.send(
        [invitation.email],
        "programme_invitation",
        {
            "programme": invitation.programme,
            "role": invitation.get_role_display(),
            "inviter": by,
            "path": reverse("programme-invitation", kwargs={"token": invitation_token(invitation)}),
            "days": INVITATION_MAX_AGE // 86400,
        },
        key=key,
    )


def _audited_object(invitation: ProgrammeInvitation):
    return invitation.call if invitation.role == InvitationRole.JUROR else invitation.programme


def _prefix(invitation: ProgrammeInvitation) -> str:
    return "jury" if invitation.role == InvitationRole.JUROR else "programme"


def _locked_pending(invitation: ProgrammeInvitation) -> ProgrammeInvitation:
    locked = ProgrammeInvitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.accepted_at is not None:
        raise TransitionError(_("Cette invitation a déjà été acceptée."))
    if locked.cancelled_at is not None:
        raise TransitionError(_("Cette invitation a été annulée."))
    return locked


@transaction.atomic(durable=True)
def resend_invitation(invitation: ProgrammeInvitation, *, by: User, now: datetime):
    """Mail a pending invitation again, with a fresh link valid two weeks from now."""
    _require_staff(invitation.programme, by)
    locked = _locked_pending(invitation)
    locked.sent_count += 1
    locked.sent_at = now
    locked.save(update_fields=["sent_count", "sent_at"])
    _send(locked, by=by)
    audit.record(
        by, f"{_prefix(locked)}.invitation_resend", _audited_object(locked), reason=locked.email,
        at=now,
    )  # fmt: skip
    return locked


@transaction.atomic(durable=True)
def cancel_invitation(invitation: ProgrammeInvitation, *, by: User, now: datetime):
    """Withdraw a pending invitation: its link no longer works; the person is told."""
    _require_staff(invitation.programme, by)
    locked = _locked_pending(invitation)
    locked.cancelled_at = now
    locked.save(update_fields=["cancelled_at"])
    audit.record(
        by, f"{_prefix(locked)}.invitation_cancel", _audited_object(locked), reason=locked.email,
        at=now,
    )  # fmt: skip
    mail.send(
        [locked.email],
        "invitation_cancelled",
        {"programme": locked.programme, "call": locked.call, "role": locked.get_role_display()},
        key=f"invitation-cancelled:{locked.pk}",
    )
    return locked


def invitation_from_token(token: str) -> ProgrammeInvitation:
    """The staff or coach invitation a mailed link names, or a French refusal."""
    data = links.read(
        token,
        salt=INVITATION_SALT,
        max_age=INVITATION_MAX_AGE,
        expired=_(
            "Ce lien d'invitation a expiré : demandez à l'équipe du programme de le renvoyer."
        ),
        invalid=_("Ce lien d'invitation n'est pas valide."),
    )
    invitation = (
        ProgrammeInvitation.objects.select_related("programme")
        .filter(pk=data.get("invitation"))
        .exclude(role=InvitationRole.JUROR)
        .first()
    )
    if invitation is None:
        raise TransitionError(_("Ce lien d'invitation n'est pas valide."))
    return invitation


@transaction.atomic(durable=True)
def accept_invitation(token: str, *, by: User, now: datetime) -> ProgrammeMembership:
    """Take the role a staff or coach invitation offers, signed in with the invited address."""
    require_verified(by)
    invitation = invitation_from_token(token)
    locked = ProgrammeInvitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.cancelled_at is not None:
        raise TransitionError(_("Cette invitation a été annulée."))
    if locked.email != by.email.lower():
        raise TransitionError(
            _(
                "Cette invitation a été envoyée à %(email)s : connectez-vous avec cette adresse "
                "pour l'accepter."
            )
            % {"email": locked.email}
        )
    membership, _created = ProgrammeMembership.objects.get_or_create(
        programme=locked.programme, user=by, role=locked.role
    )
    if locked.accepted_at is None:
        locked.accepted_at = now
        locked.save(update_fields=["accepted_at"])
        audit.record(
            by, "programme.invitation_accept", locked.programme, reason=_who(by, locked.role),
            at=now,
        )  # fmt: skip
    return membership


@transaction.atomic(durable=True)
def remove_member(membership: ProgrammeMembership, *, by: User, now: datetime) -> None:
    """Take a role in the programme away from someone; the programme keeps one staff member."""
    programme = membership.programme
    _require_staff(programme, by)
    Programme.objects.select_for_update().get(pk=programme.pk)
    staff = ProgrammeMembership.objects.filter(programme=programme, role=ProgrammeRole.STAFF)
    if membership.role == ProgrammeRole.STAFF and not staff.exclude(pk=membership.pk).exists():
        raise TransitionError(_("Le programme doit garder au moins une personne dans son équipe."))
    user, role = membership.user, membership.role
    deleted, _rows = ProgrammeMembership.objects.filter(pk=membership.pk).delete()
    if not deleted:
        raise TransitionError(_("Cette personne n'a déjà plus ce rôle."))
    audit.record(by, "programme.member_remove", programme, reason=_who(user, role), at=now)
    mail.send(
        [user.email],
        "programme_member_removed",
        {"programme": programme, "role": ProgrammeRole(role).label},
        key=f"programme-member-removed:{membership.pk}",
    )
