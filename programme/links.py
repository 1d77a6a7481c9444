"""Signed links mailed to people (team and jury invitations, address confirmation).

One way to read them: a link that expired or was altered becomes a French refusal
(`TransitionError`), shown on the page like any other.
"""

from django.core import signing
from django.utils.translation import gettext as _

from .exceptions import TransitionError


def sign(value, *, salt: str) -> str:
    """The token to put in a mailed link."""
    return signing.dumps(value, salt=salt)


def read(token: str, *, salt: str, max_age: int, expired: str, invalid: str | None = None):
    """What the token carries, or `expired` (or `invalid`) as a French refusal."""
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise TransitionError(expired) from None
    except signing.BadSignature:
        raise TransitionError(invalid or _("Ce lien n'est pas valide.")) from None
