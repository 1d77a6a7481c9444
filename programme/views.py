from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from calls.enums import CallState
from calls.models import Call
from calls.queries import calls_with_counts, open_calls
from cohorts.queries.followup import laureates_coached_by, laureates_followed_by
from cohorts.queries.public import programme_figures, programme_funnels, programme_state
from projects.models import Proposal

from . import accounts, fragments, observability, proconnect, services, signals, web
from .enums import ProgrammeRole
from .forms import DeleteAccountForm, ProfileForm, SignupForm
from .queries import (
    load_programme,
    personal_data_export,
    programmes_where,
    programmes_with_figures,
    site_map_programmes,
)
from .web import crumbs


def home(request):
    return render(
        request,
        "programme/home.html",
        {
            "programmes": programmes_with_figures(),
            "open_calls": open_calls(timezone.now()).select_related("programme")[:6],
        },
    )


def programme_list(request):
    return render(
        request,
        "programme/programme_list.html",
        {
            "page_title": _("Programmes"),
            "programmes": programmes_with_figures(),
            "breadcrumb_data": crumbs(current=_("Programmes")),
        },
    )


@web.object_permission(None, load_programme)
def programme_detail(request, programme):
    calls = (
        Call.objects.filter(programme=programme)
        .exclude(state=CallState.DRAFT)
        .order_by("-opens_at")
    )
    return render(
        request,
        "programme/programme_detail.html",
        {
            "page_title": programme.name,
            "programme": programme,
            "calls": calls,
            "now": timezone.now(),
            # Read only when the fragment is not cached (programme/fragments.py).
            "figures": SimpleLazyObject(lambda: programme_figures(programme)),
            "cohorts": programme_funnels(programme),
            "fragment_tag": f"{fragments.tag('programmes')}:{programme_state(programme)}",
            "can_manage": request.user.has_perm("programme.manage_programme", programme),
            "breadcrumb_data": crumbs(
                (_("Programmes"), reverse("programme-list")), current=programme.name
            ),
        },
    )


@login_required
@web.object_permission("programme.manage_programme", load_programme)
def programme_manage(request, programme):
    """The programme staff's desk: its calls with their proposal counts, its team."""
    return render(
        request,
        "programme/programme_manage.html",
        {
            "page_title": _("Piloter %(programme)s") % {"programme": programme.name},
            "programme": programme,
            "calls": calls_with_counts(Call.objects.filter(programme=programme)),
            "memberships": programme.memberships.select_related("user", "user__structure"),
            "cohorts": programme.cohorts.order_by("-starts_on"),
            "breadcrumb_data": crumbs(
                (_("Mon espace"), reverse("dashboard")), current=programme.name
            ),
        },
    )


@login_required
def dashboard(request):
    """The signed-in person's page: one section per role they hold."""
    user = request.user
    proposals = (
        Proposal.objects.filter(team__user=user)
        .select_related("call", "call__programme")
        .order_by("-updated_at")
    )
    jury_calls = Call.objects.filter(jury_members__user=user).select_related("programme")
    return render(
        request,
        "programme/dashboard.html",
        {
            "page_title": _("Mon espace"),
            "staff_programmes": programmes_where(user, ProgrammeRole.STAFF),
            "coach_programmes": programmes_where(user, ProgrammeRole.COACH),
            "jury_calls": jury_calls,
            "proposals": proposals,
            "laureates": laureates_followed_by(user),
            "coached": laureates_coached_by(user),
            "open_calls": open_calls(timezone.now()).select_related("programme")[:3],
            "breadcrumb_data": crumbs(current=_("Mon espace")),
        },
    )


def _next(request) -> str:
    """Where the person was going (a call, an invitation): a path of this site, or ""."""
    return accounts.safe_next(
        request.POST.get("next") or request.GET.get("next"), request.get_host()
    )


@require_http_methods(["GET", "POST"])
def signup(request):
    """Create an account. The answer is the same whether or not the address has one."""
    if request.user.is_authenticated:
        return redirect("dashboard")
    next_url = _next(request)
    form = SignupForm(request.POST or None, initial={"next": next_url})
    if request.method == "POST" and form.is_valid():
        accounts.sign_up(form, next_url=next_url, now=timezone.now())
        title = _("Confirmez votre adresse")
        return render(
            request,
            "registration/signup_sent.html",
            {
                "email": form.cleaned_data["email"],
                "days": accounts.VERIFY_MAX_AGE // 86400,
                "page_title": title,
                "breadcrumb_data": crumbs(current=title),
            },
        )
    return render(
        request,
        "registration/signup.html",
        {
            "form": form,
            "next": next_url,
            "page_title": _("Créer un compte"),
            "breadcrumb_data": crumbs(current=_("Créer un compte")),
        },
    )


@require_http_methods(["GET", "POST"])
def verify_email(request, token):
    """The mailed link: a button confirms the address (a mail scanner's GET changes
    nothing), signs the person in and goes on where they were going."""
    elsewhere = "dashboard" if request.user.is_authenticated else "login"
    found = web.run(request, accounts.verification_from_token, token)
    if not found:
        return redirect(elsewhere)
    if request.method == "POST":
        outcome = web.run(
            request,
            accounts.confirm_email,
            token,
            now=timezone.now(),
            success=_("Votre adresse est confirmée. Bienvenue !"),
        )
        if not outcome:
            return redirect(elsewhere)
        user, next_url = outcome.value
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(next_url or "dashboard")
    title = _("Confirmer mon adresse")
    return render(
        request,
        "registration/verify_email.html",
        {
            "account": found.value[0],
            "page_title": title,
            "breadcrumb_data": crumbs(current=title),
        },
    )


@login_required
@require_POST
def resend_verification(request):
    """The banner's "Renvoyer le lien"."""
    next_url = _next(request)
    web.run(
        request,
        accounts.resend_verification,
        request.user,
        next_url=next_url,
        now=timezone.now(),
        success=_("Un nouveau lien vous a été envoyé à %(email)s.") % {"email": request.user.email},
    )
    return redirect(next_url or "dashboard")


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        before_id = request.user.structure_id
        form.save()
        signals.structure_changed.send(
            type(request.user), user=request.user, before_id=before_id, now=timezone.now()
        )
        messages.success(request, _("Votre profil est enregistré."))
        return redirect("profile")
    return render(
        request,
        "registration/profile.html",
        {
            "form": form,
            "page_title": _("Mon profil"),
            "breadcrumb_data": crumbs(current=_("Mon profil")),
        },
    )


@require_POST
def logout(request):
    """Sign out here, and at ProConnect too when the session came from it."""
    next_url = reverse(settings.LOGOUT_REDIRECT_URL)
    if settings.PROCONNECT_ENABLED and request.session.get("oidc_id_token"):
        next_url = proconnect.end_session_url(request)
    auth_logout(request)
    return redirect(next_url)


# The pages every visitor may open, in the order of the site map (the site-map test checks that
# every page of the URL configuration a visitor can open is here).
PUBLIC_PAGES = (
    ("home", gettext_lazy("Accueil")),
    ("programme-list", gettext_lazy("Programmes")),
    ("calls:list", gettext_lazy("Appels à projets")),
    ("cohorts:index", gettext_lazy("Promotions")),
    ("cohorts:catalogue", gettext_lazy("Données ouvertes des lauréats")),
    ("cohorts:api", gettext_lazy("Utiliser les données ouvertes (API)")),
    ("login", gettext_lazy("Se connecter")),
    ("signup", gettext_lazy("Créer un compte")),
    ("password_reset", gettext_lazy("Mot de passe oublié")),
    ("footer-legal-notice", gettext_lazy("Mentions légales")),
    ("footer-accessibility-status", gettext_lazy("Déclaration d'accessibilité")),
    ("footer-personal-data", gettext_lazy("Données personnelles")),
    ("footer-sitemap", gettext_lazy("Plan du site")),
)


def legal_facts() -> dict:
    """Who publishes the portal, who hosts it, whom to write to: from the settings."""
    return {
        "editor": settings.PORTAL_EDITOR,
        "editor_siret": settings.PORTAL_EDITOR_SIRET,
        "director": settings.PORTAL_PUBLICATION_DIRECTOR,
        "address": settings.PORTAL_ADDRESS,
        "host": settings.PORTAL_HOST,
        "host_address": settings.PORTAL_HOST_ADDRESS,
        "contact_email": settings.PORTAL_CONTACT_EMAIL,
    }


def legal_notice(request):
    """Mentions légales: editor, publication director, address, host, contact, licence."""
    title = _("Mentions légales")
    return render(
        request,
        "pages/legal-notice.html",
        {"page_title": title, "legal": legal_facts(), "breadcrumb_data": crumbs(current=title)},
    )


def accessibility(request):
    """The accessibility statement in the RGAA model, its facts from the settings."""
    title = _("Déclaration d'accessibilité")
    return render(
        request,
        "pages/accessibility.html",
        {
            "page_title": title,
            "legal": legal_facts(),
            "statement_date": settings.PORTAL_ACCESSIBILITY_STATEMENT_DATE,
            "audit": settings.PORTAL_ACCESSIBILITY_AUDIT,
            "rate": settings.PORTAL_ACCESSIBILITY_RATE,
            "audited_pages": [(reverse(name), label) for name, label in PUBLIC_PAGES],
            "breadcrumb_data": crumbs(current=title),
        },
    )


def retention_label(days: int) -> str:
    """The retention period as people say it: "3 ans", "18 mois", "45 jours"."""
    if days % 365 == 0:
        years = days // 365
        return ngettext("%(n)s an", "%(n)s ans", years) % {"n": years}
    if days % 30 == 0:
        return _("%(n)s mois") % {"n": days // 30}
    return ngettext("%(n)s jour", "%(n)s jours", days) % {"n": days}


def personal_data(request):
    """What the portal keeps about people, why, and for how long (from the settings)."""
    title = _("Données personnelles")
    return render(
        request,
        "pages/personal-data.html",
        {
            "page_title": title,
            "retention": retention_label(settings.PERSONAL_DATA_RETENTION_DAYS),
            "session_hours": settings.SESSION_COOKIE_AGE // 3600,
            "outbox_days": settings.OUTBOX_KEEP_DAYS,
            "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
            "breadcrumb_data": crumbs(current=title),
        },
    )


@login_required
@require_GET
def my_data(request):
    """Mes données: download them, or delete the account."""
    title = _("Mes données")
    return render(
        request,
        "registration/my_data.html",
        {
            "page_title": title,
            "retention": retention_label(settings.PERSONAL_DATA_RETENTION_DAYS),
            "obstacles": services.deletion_obstacles(request.user),
            "breadcrumb_data": crumbs((_("Mon profil"), reverse("profile")), current=title),
        },
    )


@login_required
@require_GET
def my_data_export(request):
    """The person's data as a JSON file to download."""
    data = personal_data_export(request.user)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="mes-donnees-{stamp}.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    """Ask for the account's deletion; done at once when nothing prevents it."""
    user = request.user
    form = DeleteAccountForm(request.POST or None, user=user)
    obstacles = services.deletion_obstacles(user)
    deleting = request.method == "POST" and not obstacles and form.is_valid()
    if deleting and web.run(request, services.delete_account, user, by=user, now=timezone.now()):
        auth_logout(request)
        messages.success(
            request, _("Votre compte est supprimé : vos nom et adresse sont effacés du portail.")
        )
        return redirect("home")
    title = _("Supprimer mon compte")
    return render(
        request,
        "registration/delete_account.html",
        {
            "form": form,
            "obstacles": obstacles,
            "page_title": title,
            "breadcrumb_data": crumbs(
                (_("Mon profil"), reverse("profile")),
                (_("Mes données"), reverse("my-data")),
                current=title,
            ),
        },
        status=400 if request.method == "POST" else 200,
    )


def sitemap(request):
    """Every public page, each programme with its public calls, results and promotions."""
    title = _("Plan du site")
    return render(
        request,
        "pages/sitemap.html",
        {
            "page_title": title,
            "pages": [(reverse(name), label) for name, label in PUBLIC_PAGES],
            "programmes": site_map_programmes(),
            "breadcrumb_data": crumbs(current=title),
        },
    )


def healthz(request):
    """Liveness probe: the process answers, without touching the database."""
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def readyz(request):
    """Readiness probe: 200 when the database and Redis (if configured) answer, else 503, so
    a load balancer sends no request to a node that cannot serve it. Says which part failed
    (the exception's class name, never its text)."""
    checks = observability.readiness()
    ready = all(v == "ok" for v in checks.values())
    body = "\n".join(f"{name}: {state}" for name, state in checks.items()) + "\n"
    response = HttpResponse(body, content_type="text/plain", status=200 if ready else 503)
    response["Cache-Control"] = "no-store"
    return response
