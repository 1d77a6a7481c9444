"""Verified identities: who has proved they read mail at their address.

Sign-up answers the same whether or not the address has an account: a new address gets an
account and a signed, expiring link; a known one gets a mail telling its owner. The link
marks the address verified, signs the person in and goes on where they were going. Until
then the account may not sit on a jury, join a team or submit (`require_verified`).
"""

from datetime import datetime

from axes.utils import reset as reset_sign_in_attempts
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from . import audit, links, mail
from .exceptions import TransitionError
from .models import User

VERIFY_SALT = "programme.verify_email"
VERIFY_MAX_AGE = 3 * 24 * 3600  # seconds: a link is good for three days
# "Renvoyer le lien": at most this many mails per account in RESEND_WINDOW seconds.
RESEND_LIMIT = 3
RESEND_WINDOW = 3600


def safe_next(url: str | None, host: str | None = None) -> str:
    """`url` when it is a path of this site, else "" (never an outside address)."""
    url = (url or "").strip()
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={host} if host else set()):
        return url if url.startswith("/") else ""
    return ""


def unverified_message() -> str:
    return _(
        "Confirmez d'abord votre adresse électronique : suivez le lien du courriel que nous "
        "vous avons envoyé, ou utilisez « Renvoyer le lien » en haut de la page."
    )


def require_verified(user: User) -> None:
    """Refuse, with a French message, what needs a proved address (jury, team, submission)."""
    if getattr(user, "email_verified_at", None) is None:
        raise TransitionError(unverified_message())


def verification_token(user: User, next_url: str = "") -> str:
    return links.sign({"user": user.pk, "email": user.email, "next": next_url}, salt=VERIFY_SALT)


def _send_verification(user: User, next_url: str) -> None:
    mail.send(
        [user.email],
        "verify_email",
        {
            "user": user,
            "path": reverse("verify-email", kwargs={"token": verification_token(user, next_url)}),
            "days": VERIFY_MAX_AGE // 86400,
        },
    )


def sign_up(form, *, next_url: str, now: datetime) -> User | None:
    """Create the account of a new address and mail its link; for an address that already
    has an account, mail its owner instead and create nothing. Returns the new account."""
    email = form.cleaned_data["email"]
    try:
        with transaction.atomic(durable=True):
            existing = User.objects.filter(email__iexact=email).first()
            if existing is not None:
                mail.send([existing.email], "account_exists", {"user": existing})
                return None
            user = form.save()
            audit.record(user, "user.signup", user, at=now)
            _send_verification(user, next_url)
            return user
    except IntegrityError:  # the same address signed up from another tab a moment ago
        with transaction.atomic(durable=True):
            mail.send([email], "account_exists", {"user": None})
        return None


def resend_verification(user: User, *, next_url: str, now: datetime) -> None:
    """Mail the link again (a few times an hour at most)."""
    if user.email_verified_at is not None:
        raise TransitionError(_("Votre adresse est déjà confirmée."))
    key = f"verify-resend:{user.pk}"
    cache.add(key, 0, RESEND_WINDOW)
    if cache.incr(key) > RESEND_LIMIT:
        raise TransitionError(
            _(
                "Le lien vous a déjà été envoyé plusieurs fois : vérifiez vos courriels "
                "indésirables, ou réessayez dans une heure."
            )
        )
    with transaction.atomic(durable=True):
        _send_verification(user, next_url)
        audit.record(user, "user.verification_resent", user, at=now)


def verification_from_token(token: str) -> tuple[User, str]:
    """The account and the `next` a verification link carries, or a French error."""
    data = links.read(
        token,
        salt=VERIFY_SALT,
        max_age=VERIFY_MAX_AGE,
        expired=_(
            "Ce lien de confirmation a expiré : connectez-vous, puis demandez un nouveau "
            "lien avec « Renvoyer le lien »."
        ),
        invalid=_("Ce lien de confirmation n'est pas valide."),
    )
    user = User.objects.filter(pk=data.get("user"), is_active=True).first()
    if user is None or user.email != data.get("email"):
        raise TransitionError(_("Ce lien de confirmation n'est pas valide."))
    return user, safe_next(data.get("next"))


@transaction.atomic(durable=True)
def confirm_email(token: str, *, now: datetime) -> tuple[User, str]:
    """Mark the address verified. A link signs in only once: used again, it is refused."""
    user, next_url = verification_from_token(token)
    if not User.objects.filter(pk=user.pk, email_verified_at__isnull=True).update(
        email_verified_at=now
    ):
        raise TransitionError(
            _("Votre adresse est déjà confirmée : connectez-vous avec votre mot de passe.")
        )
    user.email_verified_at = now
    audit.record(user, "user.email_verified", user, at=now)
    return user, next_url


@transaction.atomic(durable=True)
def password_was_reset(user: User, *, now: datetime) -> None:
    """A reset through the mailed link proves the address: verify it, lift the sign-in lock."""
    if user.email_verified_at is None:
        User.objects.filter(pk=user.pk).update(email_verified_at=now)
        user.email_verified_at = now
    audit.record(user, "user.password_reset", user, at=now)
    transaction.on_commit(lambda: reset_sign_in_attempts(username=user.email))


@transaction.atomic(durable=True)
def take_over_for_proconnect(user: User, *, now: datetime) -> None:
    """ProConnect vouches for this address: an unverified password account at it was
    registered by someone who never proved the address, so its password stops working
    (and its sessions with it) before the address's owner gets the account."""
    if user.email_verified_at is not None:
        return
    changed = ["email_verified_at"]
    if user.has_usable_password():
        user.set_unusable_password()
        changed.append("password")
    user.email_verified_at = now
    user.save(update_fields=changed)
    audit.record(None, "user.proconnect_takeover", user, reason=user.email, at=now)
