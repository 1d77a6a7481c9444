"""Reads about team invitations: the signed link and the invitation it points to."""

from django.utils.translation import gettext as _

from programme import links
from programme.exceptions import TransitionError
from projects.models import Invitation

INVITATION_SALT = "projects.invitation"
INVITATION_MAX_AGE = 14 * 24 * 3600  # seconds: a link is good for two weeks


def token_for(invitation: Invitation) -> str:
    """The signed token of the link mailed with an invitation."""
    return links.sign(str(invitation.public_id), salt=INVITATION_SALT)


def invitation_from_token(token: str) -> Invitation:
    """The invitation a signed link points to, or a French error (expired, altered)."""
    public_id = links.read(
        token,
        salt=INVITATION_SALT,
        max_age=INVITATION_MAX_AGE,
        expired=_("Ce lien d'invitation a expiré : demandez à l'équipe de vous inviter à nouveau."),
        invalid=_("Ce lien d'invitation n'est pas valide."),
    )
    invitation = (
        Invitation.objects.select_related("proposal__call").filter(public_id=public_id).first()
    )
    if invitation is None:
        raise TransitionError(_("Cette invitation a été annulée."))
    return invitation
