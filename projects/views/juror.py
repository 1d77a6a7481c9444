"""The juror's pages: joining a jury, the queue of proposals to score, the scoring form and
the declaration of a conflict of interest.

What a juror may see is decided by `projects.queries.jury` (a conflicted proposal is a 404),
so a template can never show more.
"""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from calls.loaders import load_call
from programme import web
from programme.exceptions import version_token
from programme.forms import autosaved
from projects.enums import EvaluationState
from projects.forms.jury import (
    CONFLICT_CHOICES_MAX,
    QUEUE_FILTERS,
    DeclareConflictForm,
    EvaluationForm,
)
from projects.queries import discussion as discussion_queries
from projects.queries import dossier as dossier_queries
from projects.queries import jury as jury_queries
from projects.services import jury
from projects.views.loaders import juror_seat


def _uuid_or_none(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


@login_required
@require_http_methods(["GET", "POST"])
def join(request, token):
    found = web.run(request, jury.jury_invitation_from_token, token)
    if not found:
        return redirect("dashboard")
    if request.method == "POST":
        outcome = web.run(
            request,
            jury.accept_jury_invitation,
            token,
            by=request.user,
            now=timezone.now(),
            success=_("Vous siégez désormais au jury."),
        )
        if outcome:
            return redirect("jury:mine", slug=outcome.value.call.slug)
    return render(
        request,
        "projects/jury/join.html",
        {
            "page_title": _("Rejoindre un jury"),
            "invitation": found.value,
            "breadcrumb_data": web.crumbs(current=_("Rejoindre un jury")),
        },
    )


@login_required
@require_GET
@web.object_permission(None, load_call)
def my_evaluations(request, call):
    return _queue(request, call, juror_seat(request, call))


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
            "breadcrumb_data": web.crumbs(
                (_("Mon espace"), reverse("dashboard")), current=_("Mes évaluations")
            ),
        },
        status=status,
    )


@login_required
@require_POST
@web.object_permission(None, load_call)
def declare_conflict(request, call):
    seat = juror_seat(request, call)
    form = _declare_form(call, seat, request.POST)
    if not form.is_valid():
        # The page again, with what was typed and a message on each field in error.
        messages.error(request, _("Le conflit n'est pas enregistré : corrigez le formulaire."))
        return _queue(request, call, seat, form, status=400)
    outcome = web.run(
        request,
        jury.declare_conflict,
        form.cleaned_data["proposal"],
        by=request.user,
        now=timezone.now(),
        type=form.cleaned_data["type"],
        reason=form.cleaned_data["reason"],
        success=_("Conflit enregistré : cette candidature ne vous sera pas confiée."),
        form=form,
    )
    if not outcome:
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
    form = EvaluationForm(
        request.POST or None,
        criteria=list(call.criteria.all()),
        allows_na=call.allows_not_applicable,
        evaluation=evaluation,
    )
    if request.method == "POST" and form.is_valid():
        submitting = "submit" in request.POST
        outcome = web.run(
            request,
            jury.submit_evaluation if submitting else jury.save_evaluation,
            assignment,
            by=request.user,
            now=timezone.now(),
            scores=form.scores(),
            recommendation=form.cleaned_data["recommendation"],
            comment=form.cleaned_data["comment"],
            # The version the page was loaded with: another tab's save is not overwritten.
            loaded=request.POST.get("autosave_version"),
            success=_("Évaluation soumise.") if submitting else _("Brouillon enregistré."),
            form=form,
        )
        if outcome:
            return redirect("jury:evaluate", public_id=proposal.public_id)
    discussion_open = discussion_queries.juror_may_read(assignment)
    others = list(jury_queries.others_evaluations(assignment))
    names = discussion_queries.pseudonyms(call) if others else {}
    for other in others:
        other.pseudonym = names.get(other.assignment.juror.user_id, "")
    if not (evaluation and evaluation.state == EvaluationState.SUBMITTED):
        autosaved(
            form,
            reverse("jury:evaluate-autosave", args=[proposal.public_id]),
            version=request.POST.get(
                "autosave_version", version_token(evaluation.updated_at if evaluation else None)
            ),
        )
    return render(
        request,
        "projects/jury/evaluate.html",
        {
            "page_title": _("Évaluer « %(title)s »") % {"title": proposal.title},
            "call": call,
            "proposal": proposal,
            "dossier": dossier_queries.proposal_dossier(proposal),
            "reopened": jury_queries.last_reopening(evaluation),
            "discussion_open": discussion_open,
            "discussion_count": (
                discussion_queries.thread(proposal, staff=False).count() if discussion_open else 0
            ),
            "evaluation": evaluation,
            "locked": evaluation is not None and evaluation.state == EvaluationState.SUBMITTED,
            "form": form,
            "others": others,
            "hide_names": call.hide_juror_names,
            "breadcrumb_data": web.crumbs(
                (_("Mon espace"), reverse("dashboard")),
                (_("Mes évaluations"), reverse("jury:mine", args=[call.slug])),
                current=proposal.title,
            ),
        },
    )


@login_required
@require_GET
@web.object_permission(None, load_call)
def dossier_pdf(request, call):
    """The juror's "dossier du jury" of the call: every proposal they evaluate, conflicts
    left out, with a table of contents."""
    seat = juror_seat(request, call)
    data = dossier_queries.jury_pdf(seat, dossier_queries.juror_dossiers(seat))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="dossier-jury-{call.slug}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def evaluate_autosave(request, public_id):
    """The scoring form saving itself while the juror types (JSON for
    `static/js/autosave.js`), through `save_evaluation` with its version check."""
    assignment = jury_queries.assignment_for(request.user, public_id)
    if assignment is None:
        raise Http404
    call = assignment.juror.call
    form = EvaluationForm(
        request.POST,
        criteria=list(call.criteria.all()),
        allows_na=call.allows_not_applicable,
        evaluation=getattr(assignment, "evaluation", None),
    )
    now = timezone.now()
    return web.autosave(
        form,
        lambda: jury.save_evaluation(
            assignment,
            by=request.user,
            now=now,
            scores=form.scores(),
            recommendation=form.cleaned_data["recommendation"],
            comment=form.cleaned_data["comment"],
            loaded=request.POST.get("autosave_version", ""),
        ),
        now=now,
        version=lambda saved: version_token(saved.updated_at),
    )
