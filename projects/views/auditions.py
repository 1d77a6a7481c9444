"""The audition pages: the staff's shortlist, grid and slots; the jurors' audition list and
grid. Jurors reach only what `projects.queries.auditions` gives them: a conflicted proposal
is a 404.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from calls.loaders import load_call
from programme import keyset, web
from programme.forms import submit_helper
from projects.forms.deliberation import (
    AuditionCriterionForm,
    AuditionGridForm,
    ShortlistTopForm,
    SlotForm,
    UnshortlistForm,
)
from projects.queries import auditions as audition_queries
from projects.services import auditions, rankings
from projects.views.loaders import (
    call_crumbs,
    juror_seat,
    load_audition_criterion,
    load_proposal,
    say_form_errors,
)

MANAGE_CALL = "calls.manage_call"
SCREEN_PROPOSAL = "projects.screen_proposal"  # the programme's staff, as for its call


SHORTLIST_PAGE_SIZE = 50


# --- Staff: shortlist, grid and slots -----------------------------------------------------


@login_required
@require_GET
@web.object_permission(MANAGE_CALL, load_call)
def audition_list(request, call):
    top_form = ShortlistTopForm()
    top_form.helper.form_action = reverse("jury:shortlist-top", args=[call.slug])
    criterion_form = AuditionCriterionForm()
    criterion_form.helper.form_action = reverse("jury:audition-criterion-add", args=[call.slug])
    rankings.ensure(call, now=timezone.now())
    page = keyset.paginate(
        audition_queries.shortlist_candidates(call),
        audition_queries.SHORTLIST_KEYS,
        request.GET.get(keyset.PARAM),
        size=SHORTLIST_PAGE_SIZE,
        salt=f"shortlist:{call.pk}",
    )
    page.rows = audition_queries.as_proposals(page.rows)
    return render(
        request,
        "projects/jury/auditions.html",
        {
            "page_title": _("Auditions — %(call)s") % {"call": call.edition},
            "call": call,
            "page": page,
            **keyset.links(request.GET, page),
            "shortlisted_count": audition_queries.shortlisted(call).count(),
            "open": call.state in auditions.SHORTLIST_STATES,
            "grid": audition_queries.grid(call),
            "grid_editable": auditions.grid_editable(call),
            "top_form": top_form,
            "criterion_form": criterion_form,
            "breadcrumb_data": call_crumbs(call, _("Auditions")),
        },
    )


@login_required
@require_GET
@web.object_permission(MANAGE_CALL, load_call)
def audition_day(request, call):
    """The day view: each room (or video link) in a column, its slots in order."""
    days = audition_queries.audition_days(call)
    try:
        wanted = parse_date(request.GET.get("jour", "")[:10])
    except ValueError:  # well formed but no such day (2026-02-30): the first day instead
        wanted = None
    day = wanted if wanted in days else (days[0] if days else None)
    index = days.index(day) if day in days else 0
    return render(
        request,
        "projects/jury/audition_day.html",
        {
            "page_title": _("Planning des auditions — %(call)s") % {"call": call.edition},
            "call": call,
            "day": day,
            "days": days,
            "previous_day": days[index - 1] if day and index > 0 else None,
            "next_day": days[index + 1] if day and index + 1 < len(days) else None,
            "places": audition_queries.day_schedule(call, day) if day else [],
            "breadcrumb_data": call_crumbs(
                call,
                _("Planning"),
                (_("Auditions"), reverse("jury:auditions", args=[call.slug])),
            ),
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
@web.object_permission(None, load_audition_criterion)
def edit_audition_criterion(request, criterion):
    call = criterion.call
    web.check(request, MANAGE_CALL, call)
    form = AuditionCriterionForm(
        request.POST or None,
        initial={
            "name": criterion.name,
            "description": criterion.description,
            "weight": criterion.weight,
            "scale_max": criterion.scale_max,
        },
    )
    form.helper = submit_helper(_("Enregistrer le critère"))
    form.helper.form_action = reverse("jury:audition-criterion-edit", args=[criterion.pk])
    if request.method == "POST" and form.is_valid():
        outcome = web.run(
            request,
            auditions.update_audition_criterion,
            criterion,
            by=request.user,
            now=timezone.now(),
            success=_("Le critère d'audition est modifié."),
            form=form,
            **form.cleaned_data,
        )
        if outcome:
            return redirect("jury:auditions", slug=call.slug)
    return render(
        request,
        "projects/jury/audition_criterion.html",
        {
            "page_title": _("Critère d'audition — %(name)s") % {"name": criterion.name},
            "call": call,
            "criterion": criterion,
            "form": form,
            "editable": auditions.grid_editable(call),
            "breadcrumb_data": call_crumbs(
                call,
                criterion.name,
                (_("Auditions"), reverse("jury:auditions", args=[call.slug])),
            ),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
@web.object_permission(None, load_audition_criterion)
def delete_audition_criterion(request, criterion):
    call = criterion.call
    web.check(request, MANAGE_CALL, call)
    web.run(
        request,
        auditions.delete_audition_criterion,
        criterion,
        by=request.user,
        now=timezone.now(),
        success=_("Le critère est retiré de la grille d'audition."),
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
