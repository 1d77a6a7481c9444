"""The staff's jury pages: the panel (jurors, conflicts, assignment, phase, settings), the
ranking and its export, the distribution of scores and an evaluation's versions.

Thin views: `web.object_permission` loads and checks, a query or `web.run(service)`, render.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from calls.enums import ReviewPhase
from calls.loaders import load_call
from programme import keyset, web
from programme.forms import InviteJurorForm
from programme.queries import load_programme, load_seat
from programme.spreadsheet import export_response
from programme.views import action_form, jury_calls, people_page, people_url
from projects.forms.expertise import CallThemesForm, ThemeChoiceForm
from projects.forms.jury import (
    AddJurorForm,
    AssignForm,
    JurySettingsForm,
    LiftConflictForm,
    MoveAssignmentForm,
    NudgeForm,
    PhaseForm,
    RankingFilter,
    ReopenForm,
    StaffConflictForm,
)
from projects.models import Assignment, Proposal
from projects.queries import charts
from projects.queries import jury as jury_queries
from projects.queries import ranking as ranking_queries
from projects.services import jury, jury_mail, rankings
from projects.views.loaders import (
    call_crumbs,
    load_conflict,
    load_evaluation,
    load_proposal,
    say_form_errors,
)

MANAGE_CALL = "calls.manage_call"
PAGE_SIZE = 50


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
            "themes_form": _form_for(
                CallThemesForm(initial={"themes": "\n".join(t.name for t in call.themes.all())}),
                "jury:themes",
                call,
            ),
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
        web.run(
            request,
            jury.run_assignment,
            call,
            by=request.user,
            now=timezone.now(),
            k=form.cleaned_data["k"],
            success=_("Les candidatures sont attribuées."),
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
    return redirect("jury:proposal", public_id=evaluation.assignment.proposal.public_id)


# --- The ranking ----------------------------------------------------------------------------


@login_required
@require_GET
@web.object_permission(MANAGE_CALL, load_call)
def ranking(request, call):
    """One line per proposal, ranked by the bias model; sortable by each column, filters and
    sort in the address; the evaluations themselves are on each proposal's jury page. Reads
    a keyset page of the stored ranking (`projects.services.rankings`)."""
    criteria = list(call.criteria.all())
    state = rankings.ensure(call, now=timezone.now())
    filterset = RankingFilter(request.GET, queryset=Proposal.objects.none())
    rows = ranking_queries.stored(call, criteria)
    if filterset.is_valid():
        data = filterset.form.cleaned_data
        rows = ranking_queries.filtered(
            rows, search=data.get("q") or "", state=data.get("state"), flagged=data.get("flagged")
        )
    sort = request.GET.get("sort") or "rank"
    keys = ranking_queries.row_keys(sort, criteria)
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx") and filterset.is_valid():
        return _export(call, criteria, rows.order_by(*keyset.order(keys)), fmt)
    page = keyset.paginate(
        rows, keys, request.GET.get(keyset.PARAM), size=PAGE_SIZE, salt=f"ranking:{call.pk}:{sort}"
    )
    for row in page.rows:
        row.criterion_list = row.means(criteria)
    return render(
        request,
        "projects/jury/ranking.html",
        {
            "page_title": _("Classement — %(call)s") % {"call": call.edition},
            "call": call,
            "criteria": criteria,
            "filter": filterset,
            "page": page,
            "total": rows.count(),
            "state": state,
            **keyset.links(request.GET, page),
            "columns": _columns(criteria, sort),
            "distributions": ranking_queries.criterion_distributions(criteria, state.score_counts),
            "chart": {
                "width": ranking_queries.CRITERION_CHART_WIDTH,
                "height": ranking_queries.CRITERION_CHART_HEIGHT,
                "label_y": ranking_queries.CRITERION_CHART_HEIGHT - 2,
            },
            "breadcrumb_data": call_crumbs(call, _("Classement")),
        },
    )


def _columns(criteria, sort):
    """The sortable headers: label, the `sort` value a click asks for, and `aria-sort`."""
    labels = [
        ("rank", _("Rang")),
        ("title", _("Candidature")),
        ("model", _("Score du modèle")),
        ("z", _("Moyenne centrée réduite")),
        ("raw", _("Moyenne pondérée brute")),
        ("received", _("Évaluations reçues / attendues")),
        ("spread", _("Désaccord")),
        *[(ranking_queries.criterion_key(c), c.name) for c in criteria],
    ]
    current, descending = sort.removeprefix("-"), sort.startswith("-")
    columns = []
    for key, label in labels:
        first_descending = ranking_queries.SORTS.get(key, True)
        if key == current:
            aria = "descending" if descending else "ascending"
            asks = key if descending else f"-{key}"
        else:
            aria = None
            asks = f"-{key}" if first_descending else key
        columns.append({"key": key, "label": label, "asks": asks, "aria": aria})
    return columns


def _themes_form(proposal):
    form = ThemeChoiceForm(
        call=proposal.call,
        initial={"themes": list(proposal.themes.all())},
        label=_("Thèmes de la candidature"),
        button=_("Enregistrer les thèmes"),
    )
    form.helper.form_action = reverse("jury:proposal-themes", args=[proposal.public_id])
    return form


def _export(call, criteria, rows, fmt):
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
        _("Score du modèle"),
        _("Notes du modèle"),
        _("Incertitude (±)"),
    ]
    lines = (
        [
            row.rank,
            row.proposal.reference,
            row.proposal.title,
            row.z_mean,
            row.z_count,
            row.raw_mean,
            row.received,
            row.expected,
            row.spread,
            row.flagged,
            *row.means(criteria),
            row.model,
            row.model_count,
            row.band,
        ]
        for row in rows.iterator(chunk_size=2000)
    )
    return export_response(fmt, f"classement-{call.slug}", _("Classement"), header, lines)


@login_required
@require_GET
@web.object_permission(None, load_proposal)
def proposal_jury(request, proposal):
    """Staff's jury page of one proposal: its figures, each juror's evaluation with its
    versions and, while the written review runs, the "Rouvrir" form with its reason."""
    call = proposal.call
    web.check(request, MANAGE_CALL, call, private=True)
    criteria = list(call.criteria.all())
    rankings.ensure(call, now=timezone.now())
    row = ranking_queries.stored(call, criteria).filter(proposal=proposal).first()
    if row is not None:
        row.criterion_list = row.means(criteria)
    return render(
        request,
        "projects/jury/proposal_jury.html",
        {
            "page_title": _("Jury — %(ref)s") % {"ref": proposal.reference or proposal.title},
            "call": call,
            "proposal": proposal,
            "row": row,
            "criteria": criteria,
            "assignments": jury_queries.proposal_assignments(proposal),
            "themes_form": _themes_form(proposal),
            "breadcrumb_data": call_crumbs(
                call,
                proposal.reference or proposal.title,
                (_("Classement"), reverse("jury:ranking", args=[call.slug])),
            ),
        },
    )


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
                (
                    evaluation.assignment.proposal.reference
                    or evaluation.assignment.proposal.title,
                    reverse("jury:proposal", args=[evaluation.assignment.proposal.public_id]),
                ),
            ),
        },
    )


# --- Nudging the late jurors ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@web.object_permission(MANAGE_CALL, load_call)
def nudge(request, call):
    """The late jurors who will be reminded (the preview), then the reminder itself."""
    form = NudgeForm(request.POST or None)
    form.helper.form_action = reverse("jury:nudge", args=[call.slug])
    if request.method == "POST" and form.is_valid():
        outcome = web.run(
            request,
            jury_mail.send_nudge,
            call,
            by=request.user,
            now=timezone.now(),
            message=form.cleaned_data["message"],
            form=form,
        )
        if outcome:
            messages.success(
                request,
                _("%(n)s jurés relancés.") % {"n": outcome.value.recipients},
            )
            return redirect("jury:panel", slug=call.slug)
    late = list(jury_queries.late_seats(call))
    return render(
        request,
        "projects/jury/nudge.html",
        {
            "page_title": _("Relancer les jurés — %(call)s") % {"call": call.edition},
            "call": call,
            "late": late,
            "form": form,
            "previous": call.jury_nudges.select_related("sent_by")[:5],
            "breadcrumb_data": call_crumbs(
                call,
                _("Relancer les jurés"),
                (_("Jury"), reverse("jury:panel", args=[call.slug])),
            ),
        },
        status=400 if form.errors else 200,
    )


# --- The programme's people page: its jurors (the page itself is programme.views) ----------


@login_required
@require_POST
@web.object_permission("programme.manage_programme", load_programme)
def programme_juror_invite(request, programme):
    form = action_form(
        InviteJurorForm(request.POST, calls=jury_calls(programme), prefix="juror"),
        "programme-juror-invite",
        programme,
    )
    if form.is_valid():
        outcome = web.run(
            request,
            jury.invite_juror,
            form.cleaned_data["call"],
            form.cleaned_data["email"],
            by=request.user,
            now=timezone.now(),
            role_label=form.cleaned_data["role_label"],
            form=form,
            field="email",
            success=_("Invitation au jury envoyée à %(email)s : le lien est valable 14 jours.")
            % {"email": form.cleaned_data["email"]},
        )
        if outcome:
            return redirect(people_url(programme))
    return people_page(request, programme, juror_form=form)


@login_required
@require_POST
@web.object_permission("programme.manage_people", load_seat)
def programme_juror_remove(request, seat):
    web.run(
        request,
        jury.remove_juror,
        seat,
        by=request.user,
        now=timezone.now(),
        success=_("%(person)s ne siège plus au jury de %(edition)s.")
        % {"person": seat.user, "edition": seat.call.edition},
    )
    return redirect(people_url(seat.call.programme))
