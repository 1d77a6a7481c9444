"""Sign-in rate limiting (django-axes): who a failed attempt counts against, and what the
locked-out person reads.

A username is counted with the address it was tried from, so a stranger cannot lock a
colleague out from elsewhere, and one address cannot try passwords forever; the IP alone is
counted too, with a higher limit, so one address cannot try a few passwords on many
accounts either (`SignInAttemptsHandler`).
"""

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .forms import LoginForm


def client_ip(request: HttpRequest) -> str:
    """The visitor's address: REMOTE_ADDR, or the one the trusted proxies saw.

    Behind `TRUSTED_PROXY_COUNT` proxies, each appends the address it received the request
    from to X-Forwarded-For, so the client is that many entries from the right; anything
    further left was written by the client and is not trusted.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def sign_in_username(request: HttpRequest, credentials: dict | None) -> str:
    """The address typed on the sign-in form, as accounts store it (case-insensitive)."""
    source = credentials if credentials is not None else request.POST
    return str(source.get("username") or "").strip().lower()[:254]


def without_typed_address(request: HttpRequest, credentials: dict | None) -> bool:
    """Attempts that carry no typed address (ProConnect's callback) are not counted here.

    They would all share one empty username: agents behind a ministry's shared address
    would lock each other out of ProConnect, which limits its own attempts.
    """
    return not sign_in_username(request, credentials)


def locked_out(
    request: HttpRequest, original_response=None, credentials: dict | None = None
) -> HttpResponse:
    """The sign-in page again, with what happened and when to try again (HTTP 429)."""
    form = LoginForm(request, data=request.POST or None)
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    form.is_bound = False  # show the typed address without running authentication again
    form.initial = {"username": request.POST.get("username", "")}
    message = _(
        "Trop de tentatives de connexion infructueuses depuis votre connexion : "
        "réessayez dans %(minutes)s minutes, ou réinitialisez votre mot de passe avec "
        "« Mot de passe oublié ? »."
    ) % {"minutes": minutes}
    return render(
        request,
        "registration/login.html",
        {"form": form, "locked_out_message": message, "next": request.POST.get("next", "")},
        status=429,
    )


class SignInAttemptsBackend(AxesStandaloneBackend):
    """django-axes' check, for sign-ins that come with a request.

    Every sign-in of the site (the form, the admin, ProConnect's callback) passes the
    request; only code calling `authenticate()` without one (the test client's `login`)
    has none, and there is no address to count attempts against.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


class SignInAttemptsHandler(AxesDatabaseHandler):
    """django-axes' database handler, with two limits instead of one.

    AXES_LOCKOUT_PARAMETERS counts failures for the address typed from an IP, then for the
    IP alone (every address tried from it). The pair is locked at AXES_FAILURE_LIMIT, the IP
    at the higher AXES_IP_FAILURE_LIMIT, so a few passwords tried on many accounts are
    stopped too, while colleagues behind one proxy who mistype are not. A successful sign-in
    clears only its own address's failures: an attacker signing in to their own account
    does not wipe the IP's count.
    """

    def get_failures(self, request, credentials: dict | None = None) -> int:
        """The pair's failures, or the pair's limit once the IP has reached its own."""
        pair, ip_wide = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        if ip_wide >= settings.AXES_IP_FAILURE_LIMIT:
            return max(pair, get_failure_limit(request, credentials))
        return pair

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        pair = self.filter_user_attempts(request, credentials)[0]
        count, _deleted = pair.delete()
        return count
