"""Follow-up pages: the staff's dashboard of a cohort, a laureate's timeline, the team's report
form with the coach's comment, and the staff's milestone actions (add, skip, review, final
committee)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cohorts.enums import MilestoneKind, MilestoneState, Phase
from cohorts.forms import (
    CommentForm,
    FinalDecisionForm,
    FollowupFilterForm,
    MilestoneAddForm,
    ReportAnswerForm,
    ReportForm,
    ReviewForm,
    SkipForm,
)
from cohorts.models import Report
from cohorts.queries import followup as queries
from cohorts.rules import writes_reports
from cohorts.services import followup as services
from programme import keyset, spreadsheet, web
from programme.exceptions import version_token
from programme.forms import autosaved
from projects.forms.candidate import MessageForm
from projects.services import proposals as proposal_services

from . import cohort_crumbs, load_cohort, load_laureate, load_milestone

# --- The staff's dashboard ---------------------------------------------------------------------

# Laureates per page of the dashboard (keyset pages, late first).
PAGE_SIZE = 50


@login_required
@web.object_permission("cohorts.follow_cohort", load_cohort)
def followup_dashboard(request, cohort):
    today = queries.today()
    form = FollowupFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    status, phase = filters.get("status", ""), filters.get("phase", "")
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx"):
        rows = queries.dashboard_rows(cohort, today=today, status=status, phase=phase)
        return spreadsheet.export_response(
            fmt, f"suivi-{cohort.slug}", _("Suivi"), export_header(), _export_rows(rows)
        )
    page = keyset.paginate(
        queries.followup_rows(cohort, today=today, status=status, phase=phase),
        queries.dashboard_keys(),
        request.GET.get(keyset.PARAM),
        size=PAGE_SIZE,
        salt=f"followup:{cohort.pk}",
    )
    rows = queries.decorate_rows(page.rows, today)
    query = request.GET.copy()
    query.pop("export", None)
    query.pop(keyset.PARAM, None)
    filters_query = query.urlencode()
    if page.next:
        query[keyset.PARAM] = page.next
    title = _("Suivi de la promotion %(label)s") % {"label": cohort.label}
    return render(
        request,
        "cohorts/followup_dashboard.html",
        {
            "page_title": title,
            "cohort": cohort,
            "rows": rows,
            "page": page,
            "first_url": f"?{filters_query}" if filters_query else "?",
            "next_url": f"?{query.urlencode()}" if page.next else "",
            "form": form,
            "query": filters_query,
            "today": today,
            "without_milestones": queries.without_milestones(cohort),
            "breadcrumb_data": cohort_crumbs(cohort, _("Suivi")),
        },
    )


def export_header() -> list[str]:
    return [
        _("Lauréat"),
        _("Phase"),
        _("Intrapreneur"),
        _("Coach"),
        _("Jalons faits"),
        _("Jalons en retard"),
        _("Jalons à venir"),
        _("Jalons écartés"),
        _("Premier retard"),
        _("Prochaine échéance"),
        _("Prochain jalon"),
        _("Dernier point d'étape"),
        _("Frise"),
    ]


def _export_rows(rows):
    for row in rows:
        states = [m.current_state for m in row.timeline]
        yield [
            row.name,
            row.get_phase_display(),
            row.intrapreneur or "",
            row.coach or "",
            states.count(MilestoneState.DONE),
            states.count(MilestoneState.LATE),
            states.count(MilestoneState.UPCOMING),
            states.count(MilestoneState.SKIPPED),
            row.first_late,
            row.next_upcoming.due_on if row.next_upcoming else None,
            row.next_upcoming.title if row.next_upcoming else "",
            row.last_status_label,
            " ".join(f"{m.abbr}:{m.state_label}" for m in row.timeline),
        ]


@require_POST
@login_required
@web.object_permission("cohorts.follow_cohort", load_cohort)
def followup_start(request, cohort):
    outcome = web.run(request, services.start_followup, cohort, by=request.user, now=timezone.now())
    if outcome:
        messages.success(request, _("Jalons créés pour %(n)s lauréat(s).") % {"n": outcome.value})
    return redirect("cohorts:followup", slug=cohort.slug)


# --- A laureate's timeline ---------------------------------------------------------------------


def _timeline_crumbs(request, laureate, current=None):
    cohort = laureate.cohort
    if request.user.has_perm("cohorts.follow_cohort", cohort):
        more = [(_("Suivi"), reverse("cohorts:followup", kwargs={"slug": cohort.slug}))]
        if current:
            more.append((laureate.name, _timeline_url(laureate)))
        return cohort_crumbs(cohort, current or laureate.name, *more)
    more = [(laureate.name, _timeline_url(laureate))] if current else []
    return web.crumbs(
        (_("Mon espace"), reverse("dashboard")), *more, current=current or laureate.name
    )


def _timeline_url(laureate):
    return reverse("cohorts:timeline", kwargs={"slug": laureate.cohort.slug, "pk": laureate.pk})


def _fil_form(request, laureate):
    """The message form of the laureate's Fil, for whoever writes in its proposal's thread."""
    if laureate.proposal is None or not request.user.has_perm(
        "projects.write_fil", laureate.proposal
    ):
        return None
    form = MessageForm()
    form.helper.form_action = reverse(
        "cohorts:laureate-message", kwargs={"slug": laureate.cohort.slug, "pk": laureate.pk}
    )
    return form


@login_required
@web.object_permission("cohorts.view_followup", load_laureate)
def timeline(request, laureate):
    milestones = queries.decorate(queries.timeline_of(laureate), queries.today())
    add_form = MilestoneAddForm()
    add_form.helper.form_action = reverse(
        "cohorts:milestone-add", kwargs={"slug": laureate.cohort.slug, "pk": laureate.pk}
    )
    return render(
        request,
        "cohorts/timeline.html",
        {
            "page_title": _("Suivi de %(name)s") % {"name": laureate.name},
            "laureate": laureate,
            "cohort": laureate.cohort,
            "milestones": milestones,
            "fil": queries.laureate_fil(laureate, milestones, viewer=request.user),
            "message_form": _fil_form(request, laureate),
            "next_due": queries.next_due(milestones),
            "late": [m for m in milestones if m.current_state == MilestoneState.LATE],
            "MilestoneState": MilestoneState,
            "is_team": writes_reports(request.user, laureate),
            "can_manage": request.user.has_perm("cohorts.manage_followup", laureate),
            "add_form": add_form,
            "breadcrumb_data": _timeline_crumbs(request, laureate),
        },
    )


@require_POST
@login_required
@web.object_permission("cohorts.view_followup", load_laureate)
def laureate_message(request, laureate):
    """A message in the Fil of the laureate's proposal, from its page: the team, the staff,
    and the coach (who joins the thread once the proposal is a laureate)."""
    proposal = laureate.proposal
    if proposal is None:
        raise Http404
    web.check(request, "projects.write_fil", proposal)
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        web.run(
            request,
            proposal_services.send_message,
            proposal,
            by=request.user,
            body=form.cleaned_data["body"],
            upload=form.cleaned_data["upload"],
            now=timezone.now(),
            success=_("Message envoyé."),
        )
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(_timeline_url(laureate) + "#fil")


@require_POST
@login_required
@web.object_permission("cohorts.manage_followup", load_laureate)
def milestone_add(request, laureate):
    form = MilestoneAddForm(request.POST)
    if form.is_valid():
        web.run(
            request,
            services.add_milestone,
            laureate,
            title=form.cleaned_data["title"],
            due_on=form.cleaned_data["due_on"],
            by=request.user,
            now=timezone.now(),
            success=_("Le jalon est ajouté."),
        )
    else:
        messages.error(request, _("Jalon non ajouté : donnez un intitulé et une échéance valide."))
    return redirect(_timeline_url(laureate))


@require_POST
@login_required
@web.object_permission("cohorts.manage_followup", load_milestone)
def milestone_skip(request, milestone):
    if request.POST.get("action") == "restore":
        web.run(
            request,
            services.restore_milestone,
            milestone,
            by=request.user,
            now=timezone.now(),
            success=_("Le jalon est rétabli."),
        )
    else:
        form = SkipForm(request.POST)
        web.run(
            request,
            services.skip_milestone,
            milestone,
            reason=form.cleaned_data["reason"] if form.is_valid() else "",
            by=request.user,
            now=timezone.now(),
            success=_("Le jalon est écarté."),
        )
    return redirect(_timeline_url(milestone.laureate))


# --- Reports -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@web.object_permission("cohorts.view_followup", load_milestone)
def report(request, milestone):
    if milestone.kind != MilestoneKind.REPORT:
        raise Http404
    laureate = milestone.laureate
    here = reverse("cohorts:report", kwargs={"slug": laureate.cohort.slug, "pk": milestone.pk})
    current = queries.report_of(milestone)
    # The rule itself: a superuser reads the reports but never writes them for the team.
    is_team = writes_reports(request.user, laureate)
    if request.method == "POST":
        web.check(request, "cohorts.write_report", laureate)
        if not is_team:
            raise PermissionDenied
    editable = (
        is_team and milestone.skipped_at is None and (current is None or not current.is_submitted)
    )
    if request.method == "POST" and not editable:
        messages.error(request, _("Ce point d'étape est déposé ou écarté : il ne change plus."))
        return redirect(here)
    indicators = queries.indicators_of(laureate.cohort.programme_id)
    form = None
    if editable:
        form = ReportForm(
            request.POST or None,
            indicators=indicators,
            initial=_initial(milestone, current),
            filing="submit_report" in request.POST,
        )
        if request.method == "POST" and form.is_valid():
            filing = "submit_report" in request.POST
            outcome = web.run(
                request,
                services.file_report if filing else services.save_report,
                milestone,
                data=form.report_data(),
                values=form.indicator_values(),
                by=request.user,
                now=timezone.now(),
                # The version the page was loaded with: a team mate's save is not overwritten.
                loaded=request.POST.get("autosave_version"),
                success=_("Point d'étape déposé. Merci !")
                if filing
                else _("Brouillon enregistré."),
                form=form,
            )
            if outcome:
                return redirect(_timeline_url(laureate) if filing else here)
    # Whoever is not in the team (the coach, mentors, staff) reads a report once it is filed:
    # a draft is the team's own until then.
    if current is not None and not is_team and not current.is_submitted:
        current = None
    if form is not None:
        autosaved(
            form,
            reverse(
                "cohorts:report-autosave", kwargs={"slug": laureate.cohort.slug, "pk": milestone.pk}
            ),
            version=request.POST.get(
                "autosave_version", version_token(current.updated_at if current else None)
            ),
        )
    values = {v.indicator_id: v.value for v in current.values.all()} if current else {}
    comment_form = None
    if (
        current is not None
        and current.is_submitted
        and request.user.has_perm("cohorts.comment_report", laureate)
    ):
        comment_form = CommentForm(initial={"text": current.coach_comment})
        comment_form.helper.form_action = reverse(
            "cohorts:report-comment", kwargs={"slug": laureate.cohort.slug, "pk": milestone.pk}
        )
    thread, answer_form = [], None
    if current is not None and current.is_submitted:
        thread = list(current.messages.select_related("author"))
        if is_team or request.user.has_perm("cohorts.comment_report", laureate):
            answer_form = ReportAnswerForm()
            answer_form.helper.form_action = reverse(
                "cohorts:report-answer",
                kwargs={"slug": laureate.cohort.slug, "pk": milestone.pk},
            )
    return render(
        request,
        "cohorts/report.html",
        {
            "is_team": is_team,
            "thread": thread,
            "answer_form": answer_form,
            "page_title": f"{milestone.title} — {laureate.name}",
            "milestone": milestone,
            "laureate": laureate,
            "report": current,
            "form": form,
            "indicator_rows": [(i, values.get(i.pk)) for i in indicators],
            "comment_form": comment_form,
            "breadcrumb_data": _timeline_crumbs(request, laureate, milestone.title),
        },
    )


@login_required
@require_POST
@web.object_permission("cohorts.view_followup", load_milestone)
def report_autosave(request, milestone):
    """The report form saving itself while the team types (JSON for `static/js/autosave.js`),
    through `save_report` with its version check: a team mate's save is never overwritten."""
    if milestone.kind != MilestoneKind.REPORT:
        raise Http404
    laureate = milestone.laureate
    web.check(request, "cohorts.write_report", laureate)
    if not writes_reports(request.user, laureate):
        raise PermissionDenied
    form = ReportForm(request.POST, indicators=queries.indicators_of(laureate.cohort.programme_id))
    now = timezone.now()
    return web.autosave(
        form,
        lambda: services.save_report(
            milestone,
            data=form.report_data(),
            values=form.indicator_values(),
            by=request.user,
            now=now,
            loaded=request.POST.get("autosave_version", ""),
        ),
        now=now,
        version=lambda saved: version_token(saved.updated_at),
    )


def _initial(milestone, current):
    if current is None:
        return {"period_start": milestone.period_start, "period_end": milestone.period_end}
    initial = {f: getattr(current, f) for f in services.REPORT_FIELDS}
    for value in current.values.all():
        initial[f"indicator_{value.indicator_id}"] = value.value
    return initial


@require_POST
@login_required
@web.object_permission("cohorts.comment_report", load_milestone)
def report_comment(request, milestone):
    current = get_object_or_404(Report, milestone=milestone)
    form = CommentForm(request.POST)
    web.run(
        request,
        services.comment_report,
        current,
        text=form.cleaned_data["text"] if form.is_valid() else "",
        by=request.user,
        now=timezone.now(),
        success=_("Commentaire enregistré."),
    )
    return redirect("cohorts:report", slug=milestone.laureate.cohort.slug, pk=milestone.pk)


@require_POST
@login_required
@web.object_permission("cohorts.view_followup", load_milestone)
def report_answer(request, milestone):
    """A message under a filed report, from the team or from its coach (or staff)."""
    current = get_object_or_404(Report, milestone=milestone, submitted_at__isnull=False)
    form = ReportAnswerForm(request.POST)
    if form.is_valid():
        web.run(
            request,
            services.answer_report,
            current,
            body=form.cleaned_data["body"],
            by=request.user,
            now=timezone.now(),
            success=_("Message envoyé."),
        )
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    url = reverse(
        "cohorts:report", kwargs={"slug": milestone.laureate.cohort.slug, "pk": milestone.pk}
    )
    return redirect(url + "#fil-point")


# --- Reviews and the final committee -----------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@web.object_permission("cohorts.manage_followup", load_milestone)
def milestone_review(request, milestone):
    if milestone.kind == MilestoneKind.REPORT:
        raise Http404
    laureate = milestone.laureate
    final = milestone.kind == MilestoneKind.FINAL
    form_class = FinalDecisionForm if final else ReviewForm
    form = form_class(request.POST or None)
    closed = milestone.done_at is not None or milestone.skipped_at is not None
    if request.method == "POST" and not closed and form.is_valid():
        data = form.cleaned_data
        if final:
            service, details = (
                services.decide_final,
                {
                    "outcome": data["outcome"],
                    "next_phase": data.get("next_phase", ""),
                    "reasons": data["reasons"],
                },
            )
        else:
            service, details = services.hold_review, {"notes": data["notes"]}
        outcome = web.run(
            request,
            service,
            milestone,
            **details,
            by=request.user,
            now=timezone.now(),
            success=_("Enregistré."),
            form=form,
        )
        if outcome:
            return redirect(_timeline_url(laureate))
    return render(
        request,
        "cohorts/milestone_review.html",
        {
            "page_title": f"{milestone.title} — {laureate.name}",
            "milestone": milestone,
            "laureate": laureate,
            "form": None if closed else form,
            "final": final,
            "phase_label": Phase(milestone.next_phase).label if milestone.next_phase else "",
            "breadcrumb_data": _timeline_crumbs(request, laureate, milestone.title),
        },
    )
