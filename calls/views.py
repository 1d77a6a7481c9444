"""Thin views: check the rule, call a query or a service, render."""

from crispy_forms.utils import render_crispy_form
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from programme import fragments, journal, web
from programme.queries import journal_entries, load_programme
from programme.templatetags.french import date_fr
from programme.web import crumbs

from . import services
from .enums import CallKind, CallState
from .filters import PublicCallFilter
from .forms import (
    CallForm,
    CloseNowForm,
    CriterionForm,
    DefiForm,
    EligibilityRuleForm,
    QuestionForm,
)
from .loaders import load_call
from .models import Call, Criterion, Defi, EligibilityRule, Question
from .queries import (
    call_dashboard_counts,
    call_journal,
    item_dependents,
    lifecycle_audience,
    public_calls_for_list,
)

# The staff pages of one call: sign-in for a visitor, 403 for who does not run the call.
manages_call = web.object_permission("calls.manage_call", load_call)


def call_list(request):
    now = timezone.now()
    call_filter = PublicCallFilter(request.GET or None, queryset=public_calls_for_list(), now=now)
    calls = list(call_filter.qs)
    open_calls = sorted((c for c in calls if c.is_open(now)), key=lambda c: c.closes_at)
    upcoming = sorted((c for c in calls if c.is_upcoming(now)), key=lambda c: c.opens_at)
    closed = [c for c in calls if not c.is_open(now) and not c.is_upcoming(now)]
    # The lists are the same for everyone at the same minute: rendered once per version of
    # the calls, per filter and per minute ("il reste …" counts minutes).
    minute = now.replace(second=0, microsecond=0)
    status = call_filter.form.cleaned_data.get("status", "") if call_filter.is_bound else ""
    listing = [status, minute.isoformat()] + [
        [c.pk for c in part] for part in (open_calls, upcoming, closed)
    ]
    return render(
        request,
        "calls/call_list.html",
        {
            "page_title": _("Appels à projets"),
            "filter": call_filter,
            "filter_form": fragments.render_once(
                [
                    "call-filter",
                    fragments.tag("programmes"),
                    fragments.typed(call_filter.form, request.GET),
                    call_filter.is_bound,
                ],
                lambda: render_crispy_form(call_filter.form),
            ),
            "listing_key": f"{fragments.tag('calls')}:{listing}",
            "open": open_calls,
            "upcoming": upcoming,
            "closed": closed,
            "now": minute,
            "breadcrumb_data": crumbs(current=_("Appels à projets")),
        },
    )


@web.object_permission("calls.view_call", load_call, hidden=True)
def call_detail(request, call):
    now = timezone.now()
    return render(
        request,
        "calls/call_detail.html",
        {
            "page_title": call.title,
            "call": call,
            "now": now,
            "state": call.state_at(now),
            "is_open": call.is_open(now),
            "is_upcoming": call.is_upcoming(now),
            "criteria": call.criteria.all(),
            "questions": call.questions.all(),
            "defis": _defis_shown(call),
            # The promotions this call selected before the portal: their page is its result.
            "promotions": call.selected_cohorts.filter(published_at__isnull=False),
            "can_manage": request.user.has_perm("calls.manage_call", call),
            # The rules, défis, criteria and questions: the same for everyone, cached.
            "fragment_tag": fragments.tag("calls"),
            "breadcrumb_data": crumbs(
                (_("Appels à projets"), reverse("calls:list")), current=call.edition
            ),
        },
    )


def _defis_shown(call: Call):
    if call.kind == CallKind.CHALLENGES:
        return call.defis.select_related("host_structure")
    return call.defis_offered()


# --- Staff pages -------------------------------------------------------------------------


def _staff_crumbs(call: Call, current: str | None = None):
    links = [
        (_("Mon espace"), reverse("dashboard")),
        (call.programme.name, reverse("programme-manage", args=[call.programme.slug])),
    ]
    if current is None:
        return crumbs(*links, current=call.edition)
    links.append((call.edition, reverse("calls:manage", args=[call.slug])))
    return crumbs(*links, current=current)


@login_required
@manages_call
def call_manage(request, call):
    """The staff's dashboard of one call: figures, lifecycle, criteria, questions, history."""
    now = timezone.now()
    state = call.state_at(now)
    return render(
        request,
        "calls/call_manage.html",
        {
            "page_title": _("Piloter %(edition)s") % {"edition": call.edition},
            "call": call,
            "now": now,
            "state": state,
            "state_label": CallState(state).label,
            "actions": [
                (name, services.TRANSITIONS[name][1]) for name in services.NEXT_ACTIONS[state]
            ],
            "counts": call_dashboard_counts(call),
            "criteria": call.criteria.all(),
            "questions": call.questions.all(),
            "eligibility_rules": call.eligibility_rules.all(),
            "defis": _defis_shown(call),
            "manages_defis": call.kind == CallKind.CHALLENGES,
            "defis_editable": state in CallState.defis_editable_states,
            "rules_editable": state in CallState.rules_editable_states,
            "can_close_now": state == CallState.PUBLISHED and call.opens_at <= now,
            "criteria_editable": state in CallState.criteria_editable_states,
            "journal": journal.lines(journal_entries(call_journal(call), limit=10)),
            "breadcrumb_data": _staff_crumbs(call),
        },
    )


@login_required
@manages_call
def call_journal_page(request, call):
    """Who did what to the call, when, in French sentences (staff only)."""
    return journal.page(
        request,
        call_journal(call),
        title=_("Journal de %(edition)s") % {"edition": call.edition},
        subject=call.title,
        breadcrumb_data=_staff_crumbs(call, _("Journal")),
        basename=f"journal-{call.slug}",
    )


def _save(request, service, form, success: str):
    """Save a valid form's object through `service`: the saved object, or None when refused
    (the reason is then on the form, which the page shows again with what was typed)."""
    outcome = web.run(
        request,
        service,
        form.save(commit=False),
        by=request.user,
        now=timezone.now(),
        success=success,
        form=form,
    )
    return outcome.value if outcome else None


@login_required
@require_http_methods(["GET", "POST"])
@web.object_permission("calls.create_call", load_programme)
def call_create(request, programme):
    draft = Call(programme=programme, team_min=programme.team_min, team_max=programme.team_max)
    form = CallForm(request.POST or None, instance=draft, programme=programme)
    if request.method == "POST" and form.is_valid():
        success = _("L'appel est créé en brouillon. Publiez-le quand il est prêt.")
        if saved := _save(request, services.create_call, form, success):
            return redirect("calls:manage", slug=saved.slug)
    return render(
        request,
        "calls/call_form.html",
        {
            "page_title": _("Créer un appel — %(programme)s") % {"programme": programme.name},
            "form": form,
            "breadcrumb_data": crumbs(
                (_("Mon espace"), reverse("dashboard")),
                (programme.name, reverse("programme-manage", args=[programme.slug])),
                current=_("Créer un appel"),
            ),
        },
    )


@login_required
@manages_call
@require_http_methods(["GET", "POST"])
def call_edit(request, call):
    form = CallForm(request.POST or None, instance=call, programme=call.programme)
    saving = request.method == "POST" and form.is_valid()
    if saving and _save(request, services.update_call, form, _("L'appel est enregistré.")):
        return redirect("calls:manage", slug=call.slug)
    return render(
        request,
        "calls/call_form.html",
        {
            "page_title": _("Modifier %(edition)s") % {"edition": call.edition},
            "form": form,
            "call": call,
            "breadcrumb_data": _staff_crumbs(call, _("Modifier")),
        },
    )


def _paris(moment) -> str:
    return date_fr(moment, "j F Y à H:i")


def _transition_consequences(call: Call, action: str) -> list[str]:
    """What a lifecycle step does, and to how many people, for its confirmation."""
    audience = lifecycle_audience(call)
    if action == "publish":
        return [
            _("L'appel devient public : toute personne peut lire sa page et son règlement."),
            _("Les candidatures sont reçues du %(opens)s au %(closes)s (heure de Paris).")
            % {"opens": _paris(call.opens_at), "closes": _paris(call.closes_at)},
            _(
                "Il ne peut plus revenir en brouillon ; sa clôture ne pourra être avancée "
                "que par « Clore maintenant », avec une raison."
            ),
        ]
    if action == "start_review":
        return [
            _(
                "Les %(eligible)s candidatures recevables (sur %(submitted)s déposées) passent "
                "aux %(jurors)s membres du jury."
            )
            % {**audience},
            _("Les critères d'évaluation ne peuvent plus changer."),
        ]
    if action == "start_auditions":
        return [
            _("Les %(n)s candidatures retenues pour audition sont entendues par le jury.")
            % {"n": audience["shortlisted"]},
            _("Les évaluations écrites ne sont plus modifiables par les %(n)s jurés.")
            % {"n": audience["jurors"]},
        ]
    if action == "start_deliberation":
        return [
            _(
                "Les notes du jury sont arrêtées ; l'équipe du programme décide "
                "de chaque candidature."
            ),
            _("Les %(n)s jurés ne peuvent plus modifier leurs notes.") % {"n": audience["jurors"]},
        ]
    if action == "archive":
        return [
            _("L'appel passe aux archives : ses résultats restent publics, plus rien ne change."),
        ]
    return []


@login_required
@manages_call
@require_http_methods(["GET", "POST"])
def call_transition(request, call):
    """A lifecycle step: its confirmation (GET, what will happen), then the step (POST)."""
    action = (
        request.POST.get("action", "")
        if request.method == "POST"
        else request.GET.get("action", "")
    )
    if request.method == "GET" and action not in services.TRANSITIONS:
        return redirect("calls:manage", slug=call.slug)
    if request.method == "GET":
        label = services.TRANSITIONS[action][1]
        return web.confirm(
            request,
            web.Confirmation(
                title=_("%(label)s ?") % {"label": label},
                subject=str(call),
                consequences=_transition_consequences(call, action),
                action=reverse("calls:transition", args=[call.slug]),
                hidden=(("action", action),),
                label=label,
                cancel=reverse("calls:manage", args=[call.slug]),
            ),
            breadcrumb=_staff_crumbs(call, str(label)),
        )
    outcome = web.run(
        request, services.run_transition, call, action, by=request.user, now=timezone.now()
    )
    if outcome:
        messages.success(
            request,
            _("L'appel est maintenant à l'état « %(state)s ».")
            % {"state": CallState(call.state).label},
        )
    return redirect("calls:manage", slug=call.slug)


@login_required
@manages_call
@require_http_methods(["GET", "POST"])
def call_close_now(request, call):
    """ "Clore maintenant": close a published call before its deadline, with a reason, after
    a confirmation saying who it stops."""
    now = timezone.now()
    form = CloseNowForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = web.run(
            request,
            services.close_now,
            call,
            by=request.user,
            now=now,
            reason=form.cleaned_data["reason"],
            form=form,
            field="reason",
            success=_("L'appel est clos : plus aucun dépôt n'est accepté."),
        )
        if outcome:
            return redirect("calls:manage", slug=call.slug)
    audience = lifecycle_audience(call)
    consequences = [
        _("La clôture passe du %(old)s à maintenant, le %(new)s (heure de Paris).")
        % {"old": _paris(call.closes_at), "new": _paris(now)},
        _("%(n)s équipes dont la candidature est encore un brouillon ne pourront plus la déposer.")
        % {"n": audience["drafts"]},
        _("Les %(n)s candidatures déposées ne pourront plus être modifiées par leurs équipes.")
        % {"n": audience["submitted"]},
        _("La raison figure au journal de l'appel avec l'ancienne et la nouvelle date."),
    ]
    return web.confirm(
        request,
        web.Confirmation(
            title=_("Clore l'appel maintenant ?"),
            subject=str(call),
            consequences=consequences,
            action=reverse("calls:close-now", args=[call.slug]),
            label=_("Clore maintenant"),
            cancel=reverse("calls:manage", args=[call.slug]),
        ),
        form=form,
        breadcrumb=_staff_crumbs(call, _("Clore maintenant")),
        status=400 if form.is_bound else 200,
    )


ITEMS = {
    "criterion": (
        Criterion,
        CriterionForm,
        gettext_lazy("Ajouter un critère"),
        gettext_lazy("Modifier le critère"),
    ),
    "question": (
        Question,
        QuestionForm,
        gettext_lazy("Ajouter une question"),
        gettext_lazy("Modifier la question"),
    ),
    "defi": (
        Defi,
        DefiForm,
        gettext_lazy("Ajouter un défi retenu"),
        gettext_lazy("Modifier le défi"),
    ),
    "eligibility": (
        EligibilityRule,
        EligibilityRuleForm,
        gettext_lazy("Ajouter une condition d'éligibilité"),
        gettext_lazy("Modifier la condition d'éligibilité"),
    ),
}


def _check_kind(call, kind):
    """Only a call to administrations (EIG stage 1) has défis of its own."""
    if kind == "defi" and call.kind != CallKind.CHALLENGES:
        raise Http404


def _item(call, kind, pk):
    _check_kind(call, kind)
    model = ITEMS[kind][0]
    return get_object_or_404(model, call=call, pk=pk)


@login_required
@manages_call
@require_http_methods(["GET", "POST"])
def item_edit(request, call, kind, pk=None):
    """Add (no `pk`) or edit a criterion or a question of the call."""
    model, form_class, add_title, edit_title = ITEMS[kind]
    _check_kind(call, kind)
    instance = _item(call, kind, pk) if pk else model(call=call)
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        success = _("« %(item)s » est enregistré.") % {"item": instance}
        if _save(request, services.save_item, form, success):
            return redirect("calls:manage", slug=call.slug)
    title = edit_title if pk else add_title
    return render(
        request,
        "calls/item_form.html",
        {
            "page_title": _("%(title)s — %(edition)s") % {"title": title, "edition": call.edition},
            "title": title,
            "form": form,
            "call": call,
            "breadcrumb_data": _staff_crumbs(call, title),
        },
    )


@login_required
@manages_call
@require_http_methods(["GET", "POST"])
def item_delete(request, call, kind, pk):
    """Delete a criterion, a question or a défi: its confirmation (GET), then the delete."""
    item = _item(call, kind, pk)
    if request.method == "GET":
        return web.confirm(
            request,
            web.Confirmation(
                title=_("Supprimer « %(item)s » ?") % {"item": item},
                subject=str(call),
                consequences=_deletion_consequences(item, kind),
                action=reverse(f"calls:{kind}-delete", args=[call.slug, item.pk]),
                label=_("Supprimer"),
                cancel=reverse("calls:manage", args=[call.slug]),
            ),
            breadcrumb=_staff_crumbs(call, _("Supprimer")),
        )
    web.run(
        request,
        services.delete_item,
        item,
        by=request.user,
        now=timezone.now(),
        success=_("« %(item)s » est supprimé.") % {"item": item},
    )
    return redirect("calls:manage", slug=call.slug)


def _deletion_consequences(item, kind: str) -> list[str]:
    dependents = item_dependents(item)
    if kind == "question":
        return [
            _("La question disparaît du formulaire de candidature."),
            _("Les %(n)s réponses déjà saisies par les candidats sont effacées.")
            % {"n": dependents},
        ]
    if kind == "eligibility":
        return [
            _(
                "La condition n'est plus vérifiée au dépôt ni signalée sur la liste des "
                "candidatures."
            )
        ]
    if kind == "criterion":
        return [
            _("Le critère disparaît de la grille d'évaluation des jurés."),
            _("%(n)s notes ont déjà été données sur ce critère.") % {"n": dependents},
        ]
    return [_("Le défi disparaît de la liste que lisent les candidats.")]


@login_required
@manages_call
@require_POST
def item_move(request, call, kind, pk):
    item = _item(call, kind, pk)
    up = request.POST.get("direction") == "up"
    web.run(request, services.move_item, item, up=up, by=request.user, now=timezone.now())
    return redirect(reverse("calls:manage", args=[call.slug]) + f"#{kind}-{item.pk}")
