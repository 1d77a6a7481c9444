"""ProConnect sign-in (OpenID Connect through mozilla-django-oidc).

Authorization-code flow, tokens signed RS256 and checked against the provider's
JWKS. ProConnect answers the userinfo request with a signed JWT, which is
verified like the id token before any claim is used. Accounts are matched by
lower-cased e-mail, because ProConnect's `sub` differs from one identity
provider to another.

The URLs are always routed (see `urlpatterns`, included under `proconnect/`)
but answer 404 while ProConnect is switched off, so the switch is read at
request time rather than at import time.
"""

import logging
import re
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import resolve_url
from django.urls import path
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
    OIDCLogoutView,
)

from . import accounts, audit
from .enums import StructureType
from .models import Structure

logger = logging.getLogger(__name__)

SIRET_PATTERN = re.compile(r"\d{14}")
# Tolerated clock difference between ProConnect and us when checking exp and iat.
CLOCK_SKEW_SECONDS = 60


def end_session_url(request) -> str:
    """The provider's end-session address, with the id token and where to come back."""
    params = {
        "id_token_hint": request.session.get("oidc_id_token", ""),
        # ProConnect requires a state; nothing comes back to check it against,
        # so a fresh random value is enough.
        "state": get_random_string(32),
        "post_logout_redirect_uri": request.build_absolute_uri(
            resolve_url(settings.LOGOUT_REDIRECT_URL)
        ),
    }
    return f"{settings.OIDC_OP_LOGOUT_ENDPOINT}?{urlencode(params)}"


def provider_logout(request) -> str:
    """Hook for mozilla-django-oidc's own logout view (OIDC_OP_LOGOUT_URL_METHOD)."""
    if not request.session.get("oidc_id_token"):
        # Signed in with a password: there is no ProConnect session to end.
        return resolve_url(settings.LOGOUT_REDIRECT_URL)
    return end_session_url(request)


def _claim(claims: dict, name: str) -> str:
    value = claims.get(name)
    return value.strip() if isinstance(value, str) else ""


def _email(claims: dict) -> str:
    return _claim(claims, "email").lower()


def _structure_for_siret(siret: str) -> Structure | None:
    """The structure with this SIRET, created as an "other" structure when unknown."""
    if not SIRET_PATTERN.fullmatch(siret):
        return None
    structure = Structure.objects.filter(siret=siret).order_by("pk").first()
    if structure is None:
        structure, _created = Structure.objects.get_or_create(
            type=StructureType.OTHER, name=f"SIRET {siret}", defaults={"siret": siret}
        )
    return structure


class ProConnectBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, with ProConnect's signed userinfo and e-mail matching."""

    _jwks: list[dict] | None = None

    # -- tokens -------------------------------------------------------------

    def _signing_key(self, header: dict) -> jwt.PyJWK:
        """The provider's key for this token header, from its JWKS (fetched once per sign-in)."""
        if self._jwks is None:
            # bandit misses a computed timeout; it is OIDC_TIMEOUT (10 s).
            response = requests.get(  # nosec B113
                self.OIDC_OP_JWKS_ENDPOINT,
                verify=self.get_settings("OIDC_VERIFY_SSL", True),
                timeout=self.get_settings("OIDC_TIMEOUT", 10),
                proxies=self.get_settings("OIDC_PROXY", None),
            )
            response.raise_for_status()
            self._jwks = response.json().get("keys", [])
        kid = header.get("kid")
        candidates = [
            jwk
            for jwk in self._jwks
            if (kid is None or jwk.get("kid") == kid)
            and jwk.get("alg", header["alg"]) == header["alg"]
            and jwk.get("use", "sig") == "sig"
        ]
        if len(candidates) != 1:
            raise SuspiciousOperation(f"No single ProConnect signing key for kid {kid!r}.")
        try:
            return jwt.PyJWK(candidates[0], algorithm=self.OIDC_RP_SIGN_ALGO)
        except jwt.PyJWTError as exc:
            raise SuspiciousOperation(f"Unusable ProConnect signing key: {exc}") from exc

    def _verified_claims(self, token, *, is_id_token: bool) -> dict:
        """The claims of a JWT from ProConnect, once its signature, issuer and audience hold."""
        if not isinstance(token, str) or not token:
            raise SuspiciousOperation("ProConnect sent no token.")
        issuer = settings.PROCONNECT_ISSUER
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
                raise SuspiciousOperation(
                    f"ProConnect token signed with {header.get('alg')!r}, "
                    f"expected {self.OIDC_RP_SIGN_ALGO!r}."
                )
            claims = jwt.decode(
                token,
                key=self._signing_key(header),
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                # The id token must carry them all; the userinfo JWT is checked below
                # for the ones it carries.
                audience=self.OIDC_RP_CLIENT_ID if is_id_token else None,
                issuer=(issuer or None) if is_id_token else None,
                leeway=CLOCK_SKEW_SECONDS,
                options={
                    "require": ["iss", "sub", "aud", "exp", "iat"] if is_id_token else ["sub"],
                    "verify_aud": is_id_token,
                },
            )
        except jwt.PyJWTError as exc:
            raise SuspiciousOperation(f"ProConnect token refused: {exc}") from exc
        if not is_id_token:
            audience = claims.get("aud")
            if audience is not None and self.OIDC_RP_CLIENT_ID not in (
                [audience] if isinstance(audience, str) else audience
            ):
                raise SuspiciousOperation("ProConnect userinfo is meant for another client.")
            if issuer and "iss" in claims and claims["iss"] != issuer:
                raise SuspiciousOperation("ProConnect userinfo comes from another issuer.")
        return claims

    def verify_token(self, token, **kwargs):
        """The id token's claims: signature, issuer, audience, expiry and nonce checked."""
        claims = self._verified_claims(token, is_id_token=True)
        if self.get_settings("OIDC_USE_NONCE", True) and kwargs.get("nonce") != claims.get("nonce"):
            raise SuspiciousOperation("ProConnect id token nonce does not match.")
        return claims

    def get_userinfo(self, access_token, id_token, payload):
        """ProConnect's userinfo, which must come as a JWT signed by the provider."""
        # bandit misses a computed timeout; it is OIDC_TIMEOUT (10 s).
        response = requests.get(  # nosec B113
            self.OIDC_OP_USER_ENDPOINT,
            headers={"Authorization": f"Bearer {access_token}"},
            verify=self.get_settings("OIDC_VERIFY_SSL", True),
            timeout=self.get_settings("OIDC_TIMEOUT", 10),
            proxies=self.get_settings("OIDC_PROXY", None),
        )
        response.raise_for_status()
        content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/jwt":
            raise SuspiciousOperation(
                f"ProConnect userinfo is not a signed JWT (content-type {content_type!r})."
            )
        claims = self._verified_claims(response.text.strip(), is_id_token=False)
        if claims.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("ProConnect userinfo is about another person.")
        return claims

    # -- accounts -----------------------------------------------------------

    def verify_claims(self, claims):
        try:
            validate_email(_email(claims))
        except ValidationError:
            return False
        return True

    def describe_user_by_claims(self, claims):
        return f"email {_email(claims)}"

    def filter_users_by_claims(self, claims):
        email = _email(claims)
        if not email:
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(email=email)

    def create_user(self, claims):
        """A new account from the ProConnect identity, attached to its SIRET's structure."""
        try:
            with transaction.atomic(durable=True):
                user = self.UserModel(
                    email=_email(claims),
                    first_name=_claim(claims, "given_name")[:150],
                    last_name=_claim(claims, "usual_name")[:150],
                    proconnect_uid=(_claim(claims, "uid") or _claim(claims, "sub"))[:255],
                    proconnect_idp=_claim(claims, "idp_id")[:255],
                    structure=_structure_for_siret(_claim(claims, "siret")),
                    email_verified_at=timezone.now(),  # ProConnect vouches for the address
                )
                user.set_unusable_password()
                user.save()
                audit.record(user, "user.proconnect_signup", user)
        except IntegrityError as exc:
            # The same person finished signing in from another tab a moment ago.
            existing = self.filter_users_by_claims(claims).first()
            if existing is None:
                raise SuspiciousOperation(f"Cannot create the ProConnect account: {exc}") from exc
            return self.update_user(existing, claims)
        return user

    def update_user(self, user, claims):
        """Record the ProConnect identity on an existing account; fill what it lacks.

        An account whose address was never confirmed may have been registered by someone
        else: it is taken over (its password stops working) before it is handed over."""
        accounts.take_over_for_proconnect(user, now=timezone.now())
        changes = {
            "proconnect_uid": (_claim(claims, "uid") or _claim(claims, "sub"))[:255],
            "proconnect_idp": _claim(claims, "idp_id")[:255],
        }
        if not user.first_name:
            changes["first_name"] = _claim(claims, "given_name")[:150]
        if not user.last_name:
            changes["last_name"] = _claim(claims, "usual_name")[:150]
        changed = [
            field for field, value in changes.items() if value and getattr(user, field) != value
        ]
        for field in changed:
            setattr(user, field, changes[field])
        with transaction.atomic(durable=True):
            if user.structure_id is None:
                user.structure = _structure_for_siret(_claim(claims, "siret"))
                if user.structure is not None:
                    changed.append("structure")
            if changed:
                user.save(update_fields=changed)
        return user


# -- views ----------------------------------------------------------------


class SwitchedOnOnly:
    """Answers 404 while ProConnect is switched off (read at request time)."""

    def dispatch(self, request, *args, **kwargs):
        if not settings.PROCONNECT_ENABLED:
            raise Http404("ProConnect is not configured.")
        return super().dispatch(request, *args, **kwargs)


class AuthenticationRequestView(SwitchedOnOnly, OIDCAuthenticationRequestView):
    pass


class AuthenticationCallbackView(SwitchedOnOnly, OIDCAuthenticationCallbackView):
    """The provider's redirect back: a failure lands on the login page with a message."""

    @property
    def failure_url(self):
        return resolve_url(self.get_settings("LOGIN_REDIRECT_URL_FAILURE", "login"))

    def get(self, request):
        try:
            return super().get(request)
        except (SuspiciousOperation, requests.RequestException) as exc:
            # A forged or stale callback, a token we cannot verify, or the
            # provider not answering: refuse the sign-in, not a server error.
            logger.warning("ProConnect sign-in refused: %s", exc)
            return self.login_failure()

    def login_success(self):
        # Logging in over another person's session flushes it; keep the id token
        # that the sign-out at ProConnect needs.
        id_token = self.request.session.get("oidc_id_token")
        response = super().login_success()
        if id_token:
            self.request.session["oidc_id_token"] = id_token
        return response

    def login_failure(self):
        self.request.session.pop("oidc_id_token", None)
        user = getattr(self, "user", None)
        if self.request.GET.get("error"):
            logger.info(
                "ProConnect returned an error: %s (%s)",
                self.request.GET.get("error"),
                self.request.GET.get("error_description", ""),
            )
            message = _(
                "La connexion avec ProConnect n'a pas abouti. Vous pouvez réessayer, "
                "ou vous connecter avec votre adresse électronique et votre mot de passe."
            )
        elif user is not None and not user.is_active:
            message = _(
                "Votre compte est désactivé. Écrivez à l'équipe du programme pour le réactiver."
            )
        else:
            message = _(
                "ProConnect n'a pas pu confirmer votre identité : la connexion est refusée. "
                "Vous pouvez réessayer, ou vous connecter avec votre adresse électronique "
                "et votre mot de passe."
            )
        messages.error(self.request, message)
        return super().login_failure()


class LogoutView(SwitchedOnOnly, OIDCLogoutView):
    pass


# Included under `proconnect/` by programme/urls.py; names are mozilla-django-oidc's.
urlpatterns = [
    path("callback/", AuthenticationCallbackView.as_view(), name="oidc_authentication_callback"),
    path("authenticate/", AuthenticationRequestView.as_view(), name="oidc_authentication_init"),
    path("logout/", LogoutView.as_view(), name="oidc_logout"),
]
