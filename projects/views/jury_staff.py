"""The staff's jury pages: the panel (jurors, conflicts, assignment, phase, settings), the
ranking and its export, the distribution of scores and an evaluation's versions.

Thin views: `web.object_permission` loads and checks, a query or `web.run(service)`, render.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F, prefetch_related_objects
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from calls.enums import ReviewPhase
from calls.loaders import load_call
from programme import web
from programme.spreadsheet import export_response
from projects.forms.jury import (
    AddJurorForm,
    AssignForm,
    JurySettingsForm,
    LiftConflictForm,
    MoveAssignmentForm,
    PhaseForm,
    RankingFilter,
    ReopenForm,
    StaffConflictForm,
)
from projects.models import Assignment
from projects.queries import charts
from projects.queries import jury as jury_queries
from projects.queries import ranking as ranking_queries
from projects.services import jury
from projects.views.loaders import call_crumbs, load_conflict, load_evaluation, say_form_errors

MANAGE_CALL = "calls.manage_call"
PAGE_SIZE = 50

ORDERINGS = {
    "raw": [F("raw_mean").desc(nulls_last=True)],
    "spread": [F("spread").desc(nulls_last=True)],
    "received": [F("received").asc()],
    "title": [F("title").asc()],
}


def _form_for(form, name, call):
    form.helper.form_action = reverse(name, args=[call.slug])
    return form


# --- The panel ------------------------------------------------------------------------------


@login_required
@require_GET
@web.object_permission(MANAGE_CALL, load_call)
def panel(request, call):
    settings_form = JurySettingsForm(
        initial={
            "hide_juror_names": call.hide_juror_names,
            "allows_not_applicable": call.allows_not_applicable,
            "disagreement_threshold": call.disagreement_threshold,
            "review_closes_at": call.review_closes_at,
        }
    )
    return render(
        request,
        "projects/jury/panel.html",
        {
            "page_title": _("Jury — %(call)s") % {"call": call.edition},
            "call": call,
            "jurors": jury_queries.panel(call),
            "conflicts": jury_queries.call_conflicts(call),
            "add_form": _form_for(AddJurorForm(), "jury:add-juror", call),
            "assign_form": _form_for(AssignForm(), "jury:assign", call),
            "phase_form": _form_for(
                PhaseForm(initial={"phase": call.review_phase}), "jury:phase", call
            ),
            "conflict_form": _form_for(StaffConflictForm(call=call), "jury:add-conflict", call),
            "move_form": _form_for(MoveAssignmentForm(call=call), "jury:move", call),
            "settings_form": _form_for(settings_form, "jury:settings", call),
            "phase_label": ReviewPhase(call.review_phase).label,
            "breadcrumb_data": call_crumbs(call, _("Jury")),
        },
    )


@login_required
@require_POST
@web.object_permission(MANAGE_CALL, load_call)
def add_juror(request, call):
    form = AddJurorForm(request.POST)
    if not form.is_valid():
        say_form_errors(request, form)
    else:
        # Always an invitation, account or not: only the address's owner, once they have
        # confirmed it, takes the seat (someone may have signed up with it first).
        web.run(
            request,
            jury.invite_juror,
            call,
            form.cleaned_data["email"],
            by=request.user,
            now=timezone.now(),
            role_label=form.cleaned_data["role_label"],
            success=_("Invitation envoyée : le lien est valable 14 jours."),
        )
    return redirect("jury:panel", slug=call.slug)


@login_required
@require_POST
@web.object_permission(MANAGE_CALL, load_call)
def assign(request, call):
    form = AssignForm(request.POST)
    if form.is_valid():
        outcome = web.run(
            request,
            jury.run_assignment,
            call,
            by=request.user,
            now=timezone.now(),
            k=form.cleaned_data["k"],
            success=_("Les candidatures sont attribuées."),
        )
        if outcome and outcome.value.shortfalls:
            messages.warning(
                request,
                _("%(n)s candidatures n'ont pas tous leurs jurés (conflits ou jury trop petit).")
                % {"n": len(outcome.value.shortfalls)},
            )
    return redirect("jury:panel", slug=call.slug)


@login_required
@require_POST
@web.object_permission(MANAGE_CALL, load_call)
def phase(request, call):
    form = PhaseForm(request.POST)
    if form.is_valid():
        web.run(
            request,
            jury.set_review_phase,
            call,
            form.cleaned_data["phase"],
            by=request.user,
            now=timezone.now(),
            success=_("La phase de l'évaluation a changé."),
        )
    return redirect("jury:panel", slug=call.slug)


@login_required
@require_POST
@web.object_permission(MANAGE_CALL, load_call)
def jury_settings(request, call):
    form = JurySettingsForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label} : {error}" if label else error)
    else:
        web.run(
            request,
            jury.update_jury_settings,
            call,
            by=request.user,
            now=timezone.now(),
            success=_("Les réglages du jury sont enregistrés."),
            **form.cleaned_data,
        )
    return redirect("jury:panel", slug=call.slug)


@login_required
@require_POST
@web.object_permission(MANAGE_CALL, load_call)
def add_conflict(request, call):
    form = StaffConflictForm(request.POST, call=call)
    if not form.is_valid():
        messages.error(request, _("Choisissez le juré, la candidature, la nature et le motif."))
    else:
        web.run(
            request,
            jury.add_conflict,
            form.cleaned_data["juror"],
            form.cleaned_data["proposal"],
            by=request.user,
            now=timezone.now(),
            type=form.cleaned_data["type"],
            reason=form.cleaned_data["reason"],
            success=_("Le conflit d'intérêts est enregistré."),
        )
    return redirect("jury:panel", slug=call.slug)


@login_required
@require_POST
@web.object_permission(MANAGE_CALL, load_call)
def move(request, call):
    form = MoveAssignmentForm(request.POST, call=call)
    assignment = None
    if form.is_valid():
        assignment = Assignment.objects.filter(
            juror=form.cleaned_data["from_juror"], proposal=form.cleaned_data["proposal"]
        ).first()
    if assignment is None:
        messages.error(request, _("Ce juré n'a pas cette candidature à évaluer."))
    else:
        web.run(
            request,
            jury.move_assignment,
            assignment,
            form.cleaned_data["to_juror"],
            by=request.user,
            now=timezone.now(),
            success=_("L'attribution est déplacée."),
        )
    return redirect("jury:panel", slug=call.slug)


@login_required
@require_POST
@web.object_permission(None, load_conflict)
def lift_conflict(request, conflict):
    call = conflict.juror.call
    web.check(request, MANAGE_CALL, call)
    form = LiftConflictForm(request.POST)
    if form.is_valid():
        web.run(
            request,
            jury.lift_conflict,
            conflict,
            by=request.user,
            now=timezone.now(),
            reason=form.cleaned_data["reason"],
            success=_("Le conflit d'intérêts est levé."),
        )
    else:
        messages.error(request, _("Indiquez pourquoi le conflit est levé."))
    return redirect("jury:panel", slug=call.slug)


@login_required
@require_POST
@web.object_permission(None, load_evaluation)
def reopen(request, evaluation):
    call = evaluation.assignment.juror.call
    web.check(request, MANAGE_CALL, call)
    form = ReopenForm(request.POST)
    if form.is_valid():
        web.run(
            request,
            jury.reopen_evaluation,
            evaluation,
            by=request.user,
            now=timezone.now(),
            reason=form.cleaned_data["reason"],
            success=_("L'évaluation est rouverte."),
        )
    return redirect("jury:ranking", slug=call.slug)


# --- The ranking ----------------------------------------------------------------------------


@login_required
@require_GET
@web.object_permission(MANAGE_CALL, load_call)
def ranking(request, call):
    criteria = list(call.criteria.all())
    queryset = ranking_queries.ranked(
        call, criteria, first=ORDERINGS.get(request.GET.get("ordering") or "")
    )
    filterset = RankingFilter(request.GET, queryset=queryset)
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx") and filterset.is_valid():
        return _export(call, criteria, filterset.qs, fmt)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    prefetch_related_objects(page.object_list, ranking_queries.evaluations_of_page())
    for row in page:
        row.criterion_means = [getattr(row, ranking_queries.criterion_key(c)) for c in criteria]
    return render(
        request,
        "projects/jury/ranking.html",
        {
            "page_title": _("Classement — %(call)s") % {"call": call.edition},
            "call": call,
            "criteria": criteria,
            "filter": filterset,
            "page": page,
            "offset": page.start_index() - 1 if page.paginator.count else 0,
            "breadcrumb_data": call_crumbs(call, _("Classement")),
        },
    )


def _export(call, criteria, queryset, fmt):
    header = [
        _("Rang"),
        _("Référence"),
        _("Titre"),
        _("Moyenne centrée réduite"),
        _("Notes calibrées"),
        _("Moyenne pondérée brute"),
        _("Évaluations reçues"),
        _("Évaluations attendues"),
        _("Désaccord (max − min)"),
        _("Désaccord signalé"),
        *[c.name for c in criteria],
    ]
    rows = (
        [
            rank,
            row.reference,
            row.title,
            row.z_mean,
            row.z_count,
            row.raw_mean,
            row.received,
            row.expected,
            row.spread,
            row.flagged,
            *[getattr(row, ranking_queries.criterion_key(c)) for c in criteria],
        ]
        for rank, row in enumerate(queryset.iterator(chunk_size=500), start=1)
    )
    return export_response(fmt, f"classement-{call.slug}", _("Classement"), header, rows)


# --- Beside the ranking ---------------------------------------------------------------------


@login_required
@require_GET
@web.object_permission(MANAGE_CALL, load_call)
def distribution(request, call):
    panel, jurors, bins = charts.distributions(call)
    return render(
        request,
        "projects/jury/distribution.html",
        {
            "page_title": _("Répartition des notes — %(call)s") % {"call": call.edition},
            "call": call,
            "panel": panel,
            "jurors": jurors,
            "bins": bins,
            "chart": {
                "width": charts.CHART_WIDTH,
                "height": charts.CHART_HEIGHT,
                "axis_y": charts.CHART_HEIGHT - charts.AXIS_HEIGHT,
                "label_y": charts.CHART_HEIGHT - 4,
            },
            "breadcrumb_data": call_crumbs(call, _("Répartition des notes")),
        },
    )


@login_required
@require_GET
@web.object_permission(None, load_evaluation)
def versions(request, evaluation):
    call = evaluation.assignment.juror.call
    web.check(request, MANAGE_CALL, call)
    submitted, rows = charts.compare_versions(evaluation)
    return render(
        request,
        "projects/jury/versions.html",
        {
            "page_title": _("Versions d'une évaluation — %(call)s") % {"call": call.edition},
            "call": call,
            "evaluation": evaluation,
            "versions": submitted,
            "rows": rows,
            "breadcrumb_data": call_crumbs(
                call,
                _("Versions d'une évaluation"),
                (_("Classement"), reverse("jury:ranking", args=[call.slug])),
            ),
        },
    )
