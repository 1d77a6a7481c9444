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

from programme import audit, fragments, web
from programme.queries import load_programme
from programme.web import crumbs

from . import services
from .enums import CallKind, CallState
from .filters import PublicCallFilter
from .forms import CallForm, CriterionForm, DefiForm, QuestionForm
from .models import Call, Criterion, Defi, Question
from .queries import call_dashboard_counts, load_call, public_calls_for_list

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
            "defis": _defis_shown(call),
            "manages_defis": call.kind == CallKind.CHALLENGES,
            "defis_editable": state in CallState.defis_editable_states,
            "rules_editable": state in CallState.rules_editable_states,
            "criteria_editable": state in CallState.criteria_editable_states,
            "history": audit.history(call)[:20],
            "breadcrumb_data": _staff_crumbs(call),
        },
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


@login_required
@manages_call
@require_POST
def call_transition(request, call):
    action = request.POST.get("action", "")
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
@require_POST
def item_delete(request, call, kind, pk):
    item = _item(call, kind, pk)
    web.run(
        request,
        services.delete_item,
        item,
        by=request.user,
        now=timezone.now(),
        success=_("« %(item)s » est supprimé.") % {"item": item},
    )
    return redirect("calls:manage", slug=call.slug)


@login_required
@manages_call
@require_POST
def item_move(request, call, kind, pk):
    item = _item(call, kind, pk)
    up = request.POST.get("direction") == "up"
    web.run(request, services.move_item, item, up=up, by=request.user, now=timezone.now())
    return redirect(reverse("calls:manage", args=[call.slug]) + f"#{kind}-{item.pk}")
