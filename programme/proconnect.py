"""ProConnect sign-in (OpenID Connect through mozilla-django-oidc)."""

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse


def end_session_url(request) -> str:
    """The provider's end-session address, with the id token and where to come back."""
    params = {
        "id_token_hint": request.session.get("oidc_id_token", ""),
        "state": request.session.get("oidc_state", ""),
        "post_logout_redirect_uri": request.build_absolute_uri(
            reverse(settings.LOGOUT_REDIRECT_URL)
        ),
    }
    return f"{settings.OIDC_OP_LOGOUT_ENDPOINT}?{urlencode(params)}"


def provider_logout(request) -> str:
    """Hook for mozilla-django-oidc's own logout view (OIDC_OP_LOGOUT_URL_METHOD)."""
    return end_session_url(request)
