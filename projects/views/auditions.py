"""The audition pages: the staff's shortlist, grid and slots; the jurors' audition list and
grid. Jurors reach only what `projects.queries.auditions` gives them: a conflicted proposal
is a 404.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from calls.loaders import load_call
from programme import web
from projects.enums import ProposalState
from projects.forms.deliberation import (
    AuditionCriterionForm,
    AuditionGridForm,
    ShortlistTopForm,
    SlotForm,
    UnshortlistForm,
)
from projects.queries import auditions as audition_queries
from projects.services import auditions
from projects.views.loaders import call_crumbs, juror_seat, load_proposal, say_form_errors

MANAGE_CALL = "calls.manage_call"
SCREEN_PROPOSAL = "projects.screen_proposal"  # the programme's staff, as for its call


# --- Staff: shortlist, grid and slots -----------------------------------------------------


@login_required
@require_GET
@web.object_permission(MANAGE_CALL, load_call)
def audition_list(request, call):
    top_form = ShortlistTopForm()
    top_form.helper.form_action = reverse("jury:shortlist-top", args=[call.slug])
    criterion_form = AuditionCriterionForm()
    criterion_form.helper.form_action = reverse("jury:audition-criterion-add", args=[call.slug])
    rows = list(audition_queries.shortlist_candidates(call))
    return render(
        request,
        "projects/jury/auditions.html",
        {
            "page_title": _("Auditions — %(call)s") % {"call": call.edition},
            "call": call,
            "rows": rows,
            "shortlisted_count": sum(r.state == ProposalState.SHORTLISTED for r in rows),
            "open": call.state in auditions.SHORTLIST_STATES,
            "grid": audition_queries.grid(call),
            "top_form": top_form,
            "criterion_form": criterion_form,
            "breadcrumb_data": call_crumbs(call, _("Auditions")),
        },
    )


@login_required
@require_POST
@web.object_permission(MANAGE_CALL, load_call)
def shortlist_top(request, call):
    form = ShortlistTopForm(request.POST)
    if not form.is_valid():
        say_form_errors(request, form)
    else:
        web.run(
            request,
            auditions.shortlist_top,
            call,
            form.cleaned_data["n"],
            by=request.user,
            now=timezone.now(),
            success=_("Les premières du classement sont retenues pour audition."),
        )
    return redirect("jury:auditions", slug=call.slug)


@login_required
@require_POST
@web.object_permission(SCREEN_PROPOSAL, load_proposal)
def shortlist(request, proposal):
    web.run(
        request,
        auditions.shortlist,
        proposal,
        by=request.user,
        now=timezone.now(),
        success=_("Candidature retenue pour audition."),
    )
    return redirect("jury:auditions", slug=proposal.call.slug)


@login_required
@require_POST
@web.object_permission(SCREEN_PROPOSAL, load_proposal)
def unshortlist(request, proposal):
    form = UnshortlistForm(request.POST)
    if not form.is_valid():
        say_form_errors(request, form)
    else:
        web.run(
            request,
            auditions.unshortlist,
            proposal,
            by=request.user,
            now=timezone.now(),
            reason=form.cleaned_data["reason"],
            success=_("La candidature n'est plus retenue pour audition."),
        )
    return redirect("jury:auditions", slug=proposal.call.slug)


@login_required
@require_POST
@web.object_permission(MANAGE_CALL, load_call)
def add_audition_criterion(request, call):
    form = AuditionCriterionForm(request.POST)
    if not form.is_valid():
        say_form_errors(request, form)
    else:
        web.run(
            request,
            auditions.add_audition_criterion,
            call,
            by=request.user,
            now=timezone.now(),
            success=_("Le critère est ajouté à la grille d'audition."),
            **form.cleaned_data,
        )
    return redirect("jury:auditions", slug=call.slug)


@login_required
@require_http_methods(["GET", "POST"])
@web.object_permission(SCREEN_PROPOSAL, load_proposal)
def audition_slot(request, proposal):
    call = proposal.call
    audition = getattr(proposal, "audition", None)
    initial = {}
    if audition is not None:
        initial = {
            "starts_at": audition.starts_at,
            "duration_minutes": audition.duration_minutes,
            "room": audition.room,
            "video_link": audition.video_link,
        }
    form = SlotForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        outcome = web.run(
            request,
            auditions.schedule_audition,
            proposal,
            by=request.user,
            now=timezone.now(),
            success=_("Créneau enregistré : l'équipe reçoit sa convocation."),
            form=form,
            **form.cleaned_data,
        )
        if outcome:
            return redirect("jury:auditions", slug=call.slug)
    return render(
        request,
        "projects/jury/audition_slot.html",
        {
            "page_title": _("Créneau d'audition — %(title)s") % {"title": proposal.title},
            "call": call,
            "proposal": proposal,
            "audition": audition,
            "form": form,
            "breadcrumb_data": web.crumbs(
                (_("Mon espace"), reverse("dashboard")),
                (_("Auditions"), reverse("jury:auditions", args=[call.slug])),
                current=proposal.title,
            ),
        },
    )


# --- Jurors: the audition grid --------------------------------------------------------------


@login_required
@require_GET
@web.object_permission(None, load_call)
def my_auditions(request, call):
    rows = list(audition_queries.juror_auditions(juror_seat(request, call)))
    for row in rows:
        row.mine = row.own_evaluation[0] if row.own_evaluation else None
    return render(
        request,
        "projects/jury/my_auditions.html",
        {
            "page_title": _("Mes auditions — %(call)s") % {"call": call.edition},
            "call": call,
            "rows": rows,
            "open": call.state == auditions.AUDITION_SCORING_STATE,
            "breadcrumb_data": web.crumbs(
                (_("Mon espace"), reverse("dashboard")), current=_("Mes auditions")
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def audition_score(request, public_id):
    seat, proposal = audition_queries.audition_for(request.user, public_id)
    if proposal is None:
        raise Http404  # not on the jury, or in conflict: the proposal stays private
    call = proposal.call
    evaluation = proposal.audition_evaluations.filter(juror=seat).first()
    form = AuditionGridForm(
        request.POST or None, criteria=audition_queries.grid(call), evaluation=evaluation
    )
    if request.method == "POST" and form.is_valid():
        outcome = web.run(
            request,
            auditions.score_audition,
            proposal,
            by=request.user,
            now=timezone.now(),
            scores=form.scores(),
            comment=form.cleaned_data["comment"],
            success=_("Vos notes d'audition sont enregistrées."),
            form=form,
        )
        if outcome:
            return redirect("jury:audition-score", public_id=proposal.public_id)
    return render(
        request,
        "projects/jury/audition_score.html",
        {
            "page_title": _("Audition de « %(title)s »") % {"title": proposal.title},
            "call": call,
            "proposal": proposal,
            "evaluation": evaluation,
            "open": call.state == auditions.AUDITION_SCORING_STATE,
            "form": form,
            "breadcrumb_data": web.crumbs(
                (_("Mon espace"), reverse("dashboard")),
                (_("Mes auditions"), reverse("jury:my-auditions", args=[call.slug])),
                current=proposal.title,
            ),
        },
    )
