"""The jury's pages: staff panel and ranking, the juror's queue and scoring form.

Thin views: check the rule, call a query or a service, render. What a juror may
see is decided by `jury_queries`, so a template can never show more.
"""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from calls.enums import ReviewPhase
from calls.models import Call, JuryMember
from programme.exceptions import TransitionError
from programme.spreadsheet import export_response
from programme.web import crumbs
from projects.enums import EvaluationState
from projects.forms.jury import (
    CONFLICT_CHOICES_MAX,
    QUEUE_FILTERS,
    AddJurorForm,
    AssignForm,
    DeclareConflictForm,
    EvaluationForm,
    JurySettingsForm,
    LiftConflictForm,
    MoveAssignmentForm,
    PhaseForm,
    RankingFilter,
    ReopenForm,
    StaffConflictForm,
)
from projects.models import Assignment, Conflict, Evaluation
from projects.queries import charts as jury_charts
from projects.queries import jury as jury_queries
from projects.services import jury

PAGE_SIZE = 50

ORDERINGS = {
    "raw": [F("raw_mean").desc(nulls_last=True)],
    "spread": [F("spread").desc(nulls_last=True)],
    "received": [F("received").asc()],
    "title": [F("title").asc()],
}


def _uuid_or_none(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _call(slug) -> Call:
    return get_object_or_404(Call.objects.select_related("programme"), slug=slug)


def _staff_call(request, slug) -> Call:
    call = _call(slug)
    if not request.user.has_perm("calls.manage_call", call):
        raise PermissionDenied
    return call


def _seat(request, call) -> JuryMember:
    seat = jury_queries.seat_of(request.user, call)
    if seat is None:
        raise PermissionDenied
    return seat


def _run(request, service, *args, success, **kwargs):
    try:
        result = service(*args, by=request.user, now=timezone.now(), **kwargs)
    except TransitionError as error:
        messages.error(request, str(error))
        return None
    messages.success(request, success)
    return result


def _call_crumbs(call, current):
    return crumbs(
        (_("Mon espace"), reverse("dashboard")),
        (call.edition, reverse("calls:manage", args=[call.slug])),
        current=current,
    )


# --- Staff --------------------------------------------------------------------------------


@login_required
@require_GET
def panel(request, slug):
    call = _staff_call(request, slug)
    add_form, assign_form = AddJurorForm(), AssignForm()
    add_form.helper.form_action = reverse("jury:add-juror", args=[call.slug])
    assign_form.helper.form_action = reverse("jury:assign", args=[call.slug])
    phase_form = PhaseForm(initial={"phase": call.review_phase})
    phase_form.helper.form_action = reverse("jury:phase", args=[call.slug])
    conflict_form = StaffConflictForm(call=call)
    conflict_form.helper.form_action = reverse("jury:add-conflict", args=[call.slug])
    move_form = MoveAssignmentForm(call=call)
    move_form.helper.form_action = reverse("jury:move", args=[call.slug])
    settings_form = JurySettingsForm(
        initial={
            "hide_juror_names": call.hide_juror_names,
            "allows_not_applicable": call.allows_not_applicable,
            "disagreement_threshold": call.disagreement_threshold,
            "review_closes_at": call.review_closes_at,
        }
    )
    settings_form.helper.form_action = reverse("jury:settings", args=[call.slug])
    return render(
        request,
        "projects/jury/panel.html",
        {
            "page_title": _("Jury — %(call)s") % {"call": call.edition},
            "call": call,
            "jurors": jury_queries.panel(call),
            "conflicts": jury_queries.call_conflicts(call),
            "add_form": add_form,
            "assign_form": assign_form,
            "phase_form": phase_form,
            "conflict_form": conflict_form,
            "move_form": move_form,
            "settings_form": settings_form,
            "phase_label": ReviewPhase(call.review_phase).label,
            "breadcrumb_data": _call_crumbs(call, _("Jury")),
        },
    )


@login_required
@require_POST
def add_juror(request, slug):
    call = _staff_call(request, slug)
    form = AddJurorForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    elif (account := form.account()) is not None:
        _run(
            request,
            jury.add_juror,
            call,
            account,
            role_label=form.cleaned_data["role_label"],
            success=_("La personne siège désormais au jury."),
        )
    else:
        _run(
            request,
            jury.invite_juror,
            call,
            form.cleaned_data["email"],
            role_label=form.cleaned_data["role_label"],
            success=_("Invitation envoyée : le lien est valable 14 jours."),
        )
    return redirect("jury:panel", slug=call.slug)


@login_required
@require_http_methods(["GET", "POST"])
def join(request, token):
    try:
        invitation = jury.jury_invitation_from_token(token)
    except TransitionError as error:
        messages.error(request, str(error))
        return redirect("dashboard")
    if request.method == "POST":
        seat = _run(
            request,
            jury.accept_jury_invitation,
            token,
            success=_("Vous siégez désormais au jury."),
        )
        if seat is not None:
            return redirect("jury:mine", slug=seat.call.slug)
    return render(
        request,
        "projects/jury/join.html",
        {
            "page_title": _("Rejoindre un jury"),
            "invitation": invitation,
            "breadcrumb_data": crumbs(current=_("Rejoindre un jury")),
        },
    )


@login_required
@require_POST
def assign(request, slug):
    call = _staff_call(request, slug)
    form = AssignForm(request.POST)
    if form.is_valid():
        result = _run(
            request,
            jury.run_assignment,
            call,
            k=form.cleaned_data["k"],
            success=_("Les candidatures sont attribuées."),
        )
        if result is not None and result.shortfalls:
            messages.warning(
                request,
                _("%(n)s candidatures n'ont pas tous leurs jurés (conflits ou jury trop petit).")
                % {"n": len(result.shortfalls)},
            )
    return redirect("jury:panel", slug=call.slug)


@login_required
@require_POST
def phase(request, slug):
    call = _staff_call(request, slug)
    form = PhaseForm(request.POST)
    if form.is_valid():
        _run(
            request,
            jury.set_review_phase,
            call,
            form.cleaned_data["phase"],
            success=_("La phase de l'évaluation a changé."),
        )
    return redirect("jury:panel", slug=call.slug)


@login_required
@require_POST
def jury_settings(request, slug):
    call = _staff_call(request, slug)
    form = JurySettingsForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label} : {error}" if label else error)
    else:
        _run(
            request,
            jury.update_jury_settings,
            call,
            success=_("Les réglages du jury sont enregistrés."),
            **form.cleaned_data,
        )
    return redirect("jury:panel", slug=call.slug)


@login_required
@require_POST
def add_conflict(request, slug):
    call = _staff_call(request, slug)
    form = StaffConflictForm(request.POST, call=call)
    if not form.is_valid():
        messages.error(request, _("Choisissez le juré, la candidature, la nature et le motif."))
    else:
        _run(
            request,
            jury.add_conflict,
            form.cleaned_data["juror"],
            form.cleaned_data["proposal"],
            type=form.cleaned_data["type"],
            reason=form.cleaned_data["reason"],
            success=_("Le conflit d'intérêts est enregistré."),
        )
    return redirect("jury:panel", slug=call.slug)


@login_required
@require_POST
def move(request, slug):
    call = _staff_call(request, slug)
    form = MoveAssignmentForm(request.POST, call=call)
    assignment = None
    if form.is_valid():
        assignment = Assignment.objects.filter(
            juror=form.cleaned_data["from_juror"], proposal=form.cleaned_data["proposal"]
        ).first()
    if assignment is None:
        messages.error(request, _("Ce juré n'a pas cette candidature à évaluer."))
    else:
        _run(
            request,
            jury.move_assignment,
            assignment,
            form.cleaned_data["to_juror"],
            success=_("L'attribution est déplacée."),
        )
    return redirect("jury:panel", slug=call.slug)


@login_required
@require_POST
def lift_conflict(request, pk):
    conflict = get_object_or_404(Conflict.objects.select_related("juror__call__programme"), pk=pk)
    call = _staff_call(request, conflict.juror.call.slug)
    form = LiftConflictForm(request.POST)
    if form.is_valid():
        _run(
            request,
            jury.lift_conflict,
            conflict,
            reason=form.cleaned_data["reason"],
            success=_("Le conflit d'intérêts est levé."),
        )
    else:
        messages.error(request, _("Indiquez pourquoi le conflit est levé."))
    return redirect("jury:panel", slug=call.slug)


@login_required
@require_POST
def reopen(request, pk):
    evaluation = get_object_or_404(
        Evaluation.objects.select_related("assignment__juror__call__programme"), pk=pk
    )
    call = _staff_call(request, evaluation.assignment.juror.call.slug)
    form = ReopenForm(request.POST)
    if form.is_valid():
        _run(
            request,
            jury.reopen_evaluation,
            evaluation,
            reason=form.cleaned_data["reason"],
            success=_("L'évaluation est rouverte."),
        )
    return redirect("jury:ranking", slug=call.slug)


def _ranking_rows(call, criteria, data):
    ordering = data.get("ordering") or ""
    queryset = jury_queries.ranked(call, criteria, first=ORDERINGS.get(ordering))
    return RankingFilter(data, queryset=queryset)


@login_required
@require_GET
def ranking(request, slug):
    call = _staff_call(request, slug)
    criteria = list(call.criteria.all())
    filterset = _ranking_rows(call, criteria, request.GET)
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx") and filterset.is_valid():
        return _export(call, criteria, filterset.qs, fmt)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    prefetch_related_objects(page.object_list, jury_queries.evaluations_of_page())
    for row in page:
        row.criterion_means = [getattr(row, jury_queries.criterion_key(c)) for c in criteria]
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
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
            "query": query.urlencode(),
            "breadcrumb_data": _call_crumbs(call, _("Classement")),
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
            *[getattr(row, jury_queries.criterion_key(c)) for c in criteria],
        ]
        for rank, row in enumerate(queryset.iterator(chunk_size=500), start=1)
    )
    return export_response(fmt, f"classement-{call.slug}", _("Classement"), header, rows)


# --- Juror --------------------------------------------------------------------------------


@login_required
@require_GET
def my_evaluations(request, slug):
    call = _call(slug)
    return _queue(request, call, _seat(request, call))


def _declare_form(call, seat, data=None, wanted=None) -> DeclareConflictForm:
    """A list of the call's proposals to choose from, or, for a large call, the reference
    to type (a list of thousands would weigh megabytes)."""
    declarable = jury_queries.declarable_proposals(seat)
    typed = declarable.count() > CONFLICT_CHOICES_MAX
    if typed and wanted:  # from a row of the queue: its reference, typed for the juror
        wanted = next(
            iter(
                declarable.filter(public_id=_uuid_or_none(wanted)).values_list(
                    "reference", flat=True
                )
            ),
            "",
        )
    form = DeclareConflictForm(
        data, proposals=declarable, typed=typed, initial={"proposal": wanted}
    )
    form.helper.form_action = reverse("jury:declare-conflict", args=[call.slug])
    return form


def _queue(request, call, seat, declare_form=None, status=200):
    shown = request.GET.get("filtre", "")
    assignments = list(jury_queries.juror_assignments(seat))
    for assignment in assignments:
        evaluation = getattr(assignment, "evaluation", None)
        assignment.scored = evaluation is not None and evaluation.state == EvaluationState.SUBMITTED
        assignment.started = evaluation is not None
    progress = jury_queries.juror_progress(seat)
    next_unscored = next((a for a in assignments if not a.scored), None)
    if shown == "todo":
        assignments = [a for a in assignments if not a.scored]
    elif shown == "scored":
        assignments = [a for a in assignments if a.scored]
    conflicts = list(jury_queries.juror_conflicts(seat))
    if declare_form is None:
        declare_form = _declare_form(call, seat, wanted=request.GET.get("conflit"))
    return render(
        request,
        "projects/jury/my_evaluations.html",
        {
            "page_title": _("Mes évaluations — %(call)s") % {"call": call.edition},
            "call": call,
            "seat": seat,
            "assignments": assignments if shown != "conflicted" else [],
            "conflicts": conflicts,
            "shown": shown,
            "filters": QUEUE_FILTERS,
            "progress": progress,
            "next_unscored": next_unscored,
            "declare_form": declare_form,
            "breadcrumb_data": crumbs(
                (_("Mon espace"), reverse("dashboard")), current=_("Mes évaluations")
            ),
        },
        status=status,
    )


@login_required
@require_POST
def declare_conflict(request, slug):
    call = _call(slug)
    seat = _seat(request, call)
    form = _declare_form(call, seat, request.POST)
    if not form.is_valid():
        # The page again, with what was typed and a message on each field in error.
        messages.error(request, _("Le conflit n'est pas enregistré : corrigez le formulaire."))
        return _queue(request, call, seat, form, status=400)
    done = _run(
        request,
        jury.declare_conflict,
        form.cleaned_data["proposal"],
        type=form.cleaned_data["type"],
        reason=form.cleaned_data["reason"],
        success=_("Conflit enregistré : cette candidature ne vous sera pas confiée."),
    )
    if done is None:
        return _queue(request, call, seat, form, status=400)
    return redirect("jury:mine", slug=call.slug)


@login_required
@require_http_methods(["GET", "POST"])
def evaluate(request, public_id):
    assignment = jury_queries.assignment_for(request.user, public_id)
    if assignment is None:
        raise Http404  # not assigned, or in conflict: the proposal's existence stays private
    call = assignment.juror.call
    proposal = assignment.proposal
    evaluation = getattr(assignment, "evaluation", None)
    criteria = list(call.criteria.all())
    form = EvaluationForm(
        request.POST or None,
        criteria=criteria,
        allows_na=call.allows_not_applicable,
        evaluation=evaluation,
    )
    if request.method == "POST" and form.is_valid():
        submitting = "submit" in request.POST
        service = jury.submit_evaluation if submitting else jury.save_evaluation
        done = _run(
            request,
            service,
            assignment,
            scores=form.scores(),
            recommendation=form.cleaned_data["recommendation"],
            comment=form.cleaned_data["comment"],
            success=_("Évaluation soumise.") if submitting else _("Brouillon enregistré."),
        )
        if done is not None:
            return redirect("jury:evaluate", public_id=proposal.public_id)
    locked = evaluation is not None and evaluation.state == EvaluationState.SUBMITTED
    return render(
        request,
        "projects/jury/evaluate.html",
        {
            "page_title": _("Évaluer « %(title)s »") % {"title": proposal.title},
            "call": call,
            "proposal": proposal,
            "answers": proposal.answers.select_related("question").order_by("question__position"),
            "evaluation": evaluation,
            "locked": locked,
            "form": form,
            "others": jury_queries.others_evaluations(assignment),
            "hide_names": call.hide_juror_names,
            "breadcrumb_data": crumbs(
                (_("Mon espace"), reverse("dashboard")),
                (_("Mes évaluations"), reverse("jury:mine", args=[call.slug])),
                current=proposal.title,
            ),
        },
    )


@login_required
@require_GET
def distribution(request, slug):
    call = _staff_call(request, slug)
    panel, jurors, bins = jury_charts.distributions(call)
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
                "width": jury_charts.CHART_WIDTH,
                "height": jury_charts.CHART_HEIGHT,
                "axis_y": jury_charts.CHART_HEIGHT - jury_charts.AXIS_HEIGHT,
                "label_y": jury_charts.CHART_HEIGHT - 4,
            },
            "breadcrumb_data": _call_crumbs(call, _("Répartition des notes")),
        },
    )


@login_required
@require_GET
def versions(request, pk):
    evaluation = get_object_or_404(
        Evaluation.objects.select_related(
            "assignment__juror__call__programme",
            "assignment__juror__user",
            "assignment__proposal",
        ),
        pk=pk,
    )
    call = _staff_call(request, evaluation.assignment.juror.call.slug)
    submitted, rows = jury_charts.compare_versions(evaluation)
    return render(
        request,
        "projects/jury/versions.html",
        {
            "page_title": _("Versions d'une évaluation — %(call)s") % {"call": call.edition},
            "call": call,
            "evaluation": evaluation,
            "versions": submitted,
            "rows": rows,
            "breadcrumb_data": crumbs(
                (_("Mon espace"), reverse("dashboard")),
                (call.edition, reverse("calls:manage", args=[call.slug])),
                (_("Classement"), reverse("jury:ranking", args=[call.slug])),
                current=_("Versions d'une évaluation"),
            ),
        },
    )
