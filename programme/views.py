from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse, JsonResponse
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

from . import (
    accounts,
    fragments,
    journal,
    letters,
    messaging,
    observability,
    people,
    proconnect,
    services,
    signals,
    web,
)
from .enums import ProgrammeRole
from .forms import (
    AddMemberForm,
    DeleteAccountForm,
    GroupMessageForm,
    InviteJurorForm,
    LetterTemplateForm,
    PasswordResetForm,
    ProfileForm,
    SetPasswordForm,
    SignupForm,
    with_next,
)
from .models import ProgrammeInvitation
from .queries import (
    group_messages_of,
    group_recipients,
    load_group_message,
    load_invitation,
    load_membership,
    load_programme,
    personal_data_export,
    programmes_where,
    programmes_with_figures,
    site_map_programmes,
)
from .queries import (
    programme_people as programme_people_of,
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


class PasswordResetView(auth_views.PasswordResetView):
    """ "Mot de passe oublié", keeping where the person was going through the mailed link."""

    form_class = PasswordResetForm
    extra_context = {"page_title": gettext_lazy("Mot de passe oublié")}

    def get_initial(self):
        return {**super().get_initial(), "next": _next(self.request)}

    def get_success_url(self):
        return super().get_success_url() + with_next(_next(self.request))


RESET_NEXT = "password_reset_next"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The mailed link: Django moves the token out of the address first, so where the person
    was going waits in the session until the new password is saved."""

    form_class = SetPasswordForm

    def dispatch(self, request, *args, **kwargs):
        next_url = accounts.safe_next(request.GET.get("next"), request.get_host())
        if next_url:
            request.session[RESET_NEXT] = next_url
        return super().dispatch(request, *args, **kwargs)

    def get_success_url(self):
        return super().get_success_url() + with_next(self.request.session.pop(RESET_NEXT, ""))


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "next": _next(self.request)}


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


# --- The programme's people --------------------------------------------------------------


def people_url(programme) -> str:
    return reverse("programme-people", kwargs={"slug": programme.slug})


def jury_calls(programme):
    return Call.objects.filter(programme=programme).exclude(
        state__in=[CallState.DELIBERATION, CallState.RESULTS_PUBLISHED, CallState.ARCHIVED]
    )


@login_required
@require_GET
@web.object_permission("programme.manage_programme", load_programme)
def programme_people(request, programme):
    """Staff and coaches, jurors of the calls, and pending invitations, managed in one page."""
    return people_page(request, programme)


def people_page(request, programme, add_form=None, juror_form=None):
    """The people page, with a refused form shown again with what was typed."""
    return render(
        request,
        "programme/people.html",
        {
            "page_title": _("Personnes de %(programme)s") % {"programme": programme.name},
            "programme": programme,
            **programme_people_of(programme),
            "add_form": add_form
            or action_form(AddMemberForm(prefix="member"), "programme-people-add", programme),
            "juror_form": juror_form
            or action_form(
                InviteJurorForm(calls=jury_calls(programme), prefix="juror"),
                "programme-juror-invite",
                programme,
            ),
            "breadcrumb_data": crumbs(
                (_("Mon espace"), reverse("dashboard")),
                (programme.name, reverse("programme-manage", args=[programme.slug])),
                current=_("Personnes"),
            ),
        },
    )


def action_form(form, name, programme):
    form.helper.form_action = reverse(name, kwargs={"slug": programme.slug})
    return form


@login_required
@require_POST
@web.object_permission("programme.manage_programme", load_programme)
def programme_people_add(request, programme):
    form = action_form(
        AddMemberForm(request.POST, prefix="member"), "programme-people-add", programme
    )
    if form.is_valid():
        outcome = web.run(
            request,
            people.add_member,
            programme,
            form.cleaned_data["email"],
            form.cleaned_data["role"],
            by=request.user,
            now=timezone.now(),
            form=form,
            field="email",
        )
        if outcome:
            messages.success(request, _added_message(outcome.value))
            return redirect(people_url(programme))
    return people_page(request, programme, add_form=form)


def _added_message(result) -> str:
    if isinstance(result, ProgrammeInvitation):
        return _("Invitation envoyée à %(email)s : le lien est valable 14 jours.") % {
            "email": result.email
        }
    return _("%(person)s a maintenant le rôle « %(role)s ».") % {
        "person": result.user,
        "role": result.get_role_display(),
    }


@login_required
@require_POST
@web.object_permission("programme.manage_people", load_membership)
def programme_member_remove(request, membership):
    web.run(
        request,
        people.remove_member,
        membership,
        by=request.user,
        now=timezone.now(),
        success=_("%(person)s n'a plus le rôle « %(role)s ».")
        % {"person": membership.user, "role": membership.get_role_display()},
    )
    return redirect(people_url(membership.programme))


@login_required
@require_POST
@web.object_permission("programme.manage_people", load_invitation)
def programme_invitation_resend(request, invitation):
    web.run(
        request,
        people.resend_invitation,
        invitation,
        by=request.user,
        now=timezone.now(),
        success=_("Invitation renvoyée à %(email)s.") % {"email": invitation.email},
    )
    return redirect(people_url(invitation.programme))


@login_required
@require_POST
@web.object_permission("programme.manage_people", load_invitation)
def programme_invitation_cancel(request, invitation):
    web.run(
        request,
        people.cancel_invitation,
        invitation,
        by=request.user,
        now=timezone.now(),
        success=_("Invitation de %(email)s annulée : son lien ne fonctionne plus.")
        % {"email": invitation.email},
    )
    return redirect(people_url(invitation.programme))


@require_http_methods(["GET", "POST"])
def programme_invitation(request, token):
    """The page a staff or coach invitation's link opens: sign in (or sign up), then accept."""
    read = web.run(request, people.invitation_from_token, token)
    if not read:  # expired or altered: the refusal is the page's message
        return render(request, "programme/invitation.html", {"page_title": _("Invitation")})
    invitation = read.value
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        outcome = web.run(
            request,
            people.accept_invitation,
            token,
            by=request.user,
            now=timezone.now(),
            success=_("Bienvenue : vous avez rejoint %(programme)s.")
            % {"programme": invitation.programme.name},
        )
        if outcome:
            return redirect("dashboard")
    return render(
        request,
        "programme/invitation.html",
        {"page_title": _("Invitation"), "invitation": invitation},
    )


@login_required
@require_GET
@web.object_permission("programme.manage_programme", load_programme)
def programme_journal(request, programme):
    """Who added, invited or removed whom in the programme, when (staff only)."""
    return journal.page(
        request,
        journal.targets(programme),
        title=_("Journal de %(programme)s") % {"programme": programme.name},
        subject=programme.name,
        breadcrumb_data=crumbs(
            (_("Mon espace"), reverse("dashboard")),
            (programme.name, reverse("programme-manage", args=[programme.slug])),
            (_("Personnes"), people_url(programme)),
            current=_("Journal"),
        ),
        basename=f"journal-{programme.slug}",
    )


# --- Grouped messages ----------------------------------------------------------------------

PREVIEWS_SHOWN = 3


def _messages_crumbs(programme, current):
    return crumbs(
        (_("Mon espace"), reverse("dashboard")),
        (programme.name, reverse("programme-manage", args=[programme.slug])),
        (_("Messages groupés"), reverse("programme-messages", args=[programme.slug])),
        current=current,
    )


@login_required
@require_GET
@web.object_permission("programme.manage_programme", load_programme)
def group_message_list(request, programme):
    """The programme's grouped messages: drafts to review and what was sent."""
    return render(
        request,
        "programme/group_message_list.html",
        {
            "page_title": _("Messages groupés — %(programme)s") % {"programme": programme.name},
            "programme": programme,
            "group_messages": group_messages_of(programme),
            "breadcrumb_data": crumbs(
                (_("Mon espace"), reverse("dashboard")),
                (programme.name, reverse("programme-manage", args=[programme.slug])),
                current=_("Messages groupés"),
            ),
        },
    )


def _message_form_page(request, programme, form, message=None):
    title = _("Modifier le message") if message else _("Nouveau message groupé")
    return render(
        request,
        "programme/group_message_form.html",
        {
            "page_title": title,
            "programme": programme,
            "form": form,
            "message": message,
            "breadcrumb_data": _messages_crumbs(programme, title),
        },
    )


def _save_message(request, programme, form):
    if not form.is_valid():
        return None
    outcome = web.run(
        request,
        messaging.save_draft,
        form.save(commit=False),
        by=request.user,
        now=timezone.now(),
        form=form,
        success=_("Brouillon enregistré : relisez l'aperçu avant d'envoyer."),
    )
    return outcome.value if outcome else None


@login_required
@require_http_methods(["GET", "POST"])
@web.object_permission("programme.manage_programme", load_programme)
def group_message_create(request, programme):
    form = GroupMessageForm(request.POST or None, programme=programme)
    if request.method == "POST" and (saved := _save_message(request, programme, form)):
        return redirect("programme-message", slug=programme.slug, pk=saved.pk)
    return _message_form_page(request, programme, form)


@login_required
@require_http_methods(["GET", "POST"])
@web.object_permission("programme.manage_people", load_group_message)
def group_message_edit(request, message):
    programme = message.programme
    if not message.is_draft:
        messages.error(request, _("Ce message est déjà envoyé : il ne se modifie plus."))
        return redirect("programme-message", slug=programme.slug, pk=message.pk)
    form = GroupMessageForm(request.POST or None, instance=message, programme=programme)
    if request.method == "POST" and (saved := _save_message(request, programme, form)):
        return redirect("programme-message", slug=programme.slug, pk=saved.pk)
    return _message_form_page(request, programme, form, message)


@login_required
@require_GET
@web.object_permission("programme.manage_people", load_group_message)
def group_message_detail(request, message):
    """The draft as each recipient will read it, and the list of who receives it."""
    recipients = group_recipients(message)
    chosen = request.GET.get("destinataire")
    shown = [r for r in recipients if str(r[0].pk) == chosen] or recipients[:PREVIEWS_SHOWN]
    previews = [
        {
            "person": person,
            "subject": letters.fill(message.subject, values),
            "body": letters.fill(message.body, values),
        }
        for person, values in shown
    ]
    return render(
        request,
        "programme/group_message_detail.html",
        {
            "page_title": message.subject,
            "programme": message.programme,
            "message": message,
            "recipients": recipients,
            "previews": previews,
            "errors": messaging.placeholder_errors(message),
            "breadcrumb_data": _messages_crumbs(message.programme, message.subject),
        },
    )


@login_required
@require_POST
@web.object_permission("programme.manage_people", load_group_message)
def group_message_send(request, message):
    outcome = web.run(request, messaging.send_group_message, message, by=request.user,
                      now=timezone.now())  # fmt: skip
    if outcome:
        if outcome.value:
            messages.success(
                request,
                ngettext(
                    "Message envoyé à %(n)s personne.", "Message envoyé à %(n)s personnes.",
                    outcome.value,
                ) % {"n": outcome.value},
            )  # fmt: skip
        else:
            messages.info(request, _("Tous les destinataires ont déjà reçu ce message."))
    return redirect("programme-message", slug=message.programme.slug, pk=message.pk)


# --- The programme's letters -------------------------------------------------------------


@login_required
@require_GET
@web.object_permission("programme.manage_programme", load_programme)
def letter_list(request, programme):
    """The letters the programme may write in its own words, and which it did."""
    own = letters.overrides([programme.pk])
    return render(
        request,
        "programme/letter_list.html",
        {
            "page_title": _("Courriers de %(programme)s") % {"programme": programme.name},
            "programme": programme,
            "letters": [
                (key, letter, own.get((programme.pk, key)))
                for key, letter in letters.LETTERS.items()
            ],
            "breadcrumb_data": crumbs(
                (_("Mon espace"), reverse("dashboard")),
                (programme.name, reverse("programme-manage", args=[programme.slug])),
                current=_("Courriers"),
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@web.object_permission("programme.manage_programme", load_programme)
def letter_edit(request, programme, letter):
    if letter not in letters.LETTERS:
        raise Http404
    own = letters.overrides([programme.pk]).get((programme.pk, letter))
    default = letters.LETTERS[letter]
    initial = {
        "subject": own.subject if own else str(default.subject),
        "body": own.body if own else str(default.body),
    }
    form = LetterTemplateForm(request.POST or None, initial=initial, letter=letter)
    if request.method == "POST" and form.is_valid():
        outcome = web.run(
            request,
            messaging.save_letter,
            programme,
            letter,
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
            by=request.user,
            now=timezone.now(),
            form=form,
            success=_("Texte enregistré : le programme l'utilise désormais."),
        )
        if outcome:
            return redirect("programme-letters", slug=programme.slug)
    return render(
        request,
        "programme/letter_form.html",
        {
            "page_title": str(default.label),
            "programme": programme,
            "letter": letter,
            "default": default,
            "own": own,
            "form": form,
            "breadcrumb_data": crumbs(
                (_("Mon espace"), reverse("dashboard")),
                (programme.name, reverse("programme-manage", args=[programme.slug])),
                (_("Courriers"), reverse("programme-letters", args=[programme.slug])),
                current=str(default.label),
            ),
        },
    )


@login_required
@require_POST
@web.object_permission("programme.manage_programme", load_programme)
def letter_reset(request, programme, letter):
    if letter not in letters.LETTERS:
        raise Http404
    web.run(
        request,
        messaging.reset_letter,
        programme,
        letter,
        by=request.user,
        now=timezone.now(),
        success=_("Texte par défaut rétabli."),
    )
    return redirect("programme-letters", slug=programme.slug)
