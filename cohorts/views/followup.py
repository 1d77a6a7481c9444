"""Follow-up pages: the staff's dashboard of a cohort, a laureate's timeline, the team's report
form with the coach's comment, and the staff's milestone actions (add, skip, review, final
committee)."""

import csv
import io
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from rules.contrib.views import permission_required

from cohorts import followup
from cohorts.enums import MilestoneKind, MilestoneState, Phase, ReportStatus
from cohorts.forms import (
    CommentForm,
    FinalDecisionForm,
    FollowupFilterForm,
    MilestoneAddForm,
    ReportForm,
    ReviewForm,
    SkipForm,
)
from cohorts.models import Cohort, Indicator, Laureate, Milestone, Report
from cohorts.opendata import neutralise
from cohorts.queries import followup_rows, timeline_of
from programme.exceptions import TransitionError
from programme.web import crumbs

BADGE = {
    MilestoneState.DONE: "success",
    MilestoneState.LATE: "error",
    MilestoneState.UPCOMING: "info",
    MilestoneState.SKIPPED: "",
}


def _cohort(request, slug):
    return get_object_or_404(Cohort.objects.select_related("programme"), slug=slug)


def _laureate(request, slug, pk):
    return get_object_or_404(
        Laureate.objects.select_related("cohort__programme", "coach", "intrapreneur"),
        cohort__slug=slug,
        pk=pk,
    )


def _milestone(request, slug, pk):
    return get_object_or_404(
        Milestone.objects.select_related("laureate__cohort__programme", "laureate__coach"),
        laureate__cohort__slug=slug,
        pk=pk,
    )


def abbreviation(milestone: Milestone) -> str:
    return {
        MilestoneKind.REPORT: f"M{milestone.number}",
        MilestoneKind.MIDTERM: "MP",
        MilestoneKind.FINAL: "CF",
    }.get(milestone.kind, "J")


def decorate(milestones, today: date) -> list[Milestone]:
    """The milestones with their state (today), its label and badge, and a short name."""
    out = []
    for milestone in milestones:
        milestone.current_state = milestone.state(today)
        milestone.state_label = MilestoneState(milestone.current_state).label
        milestone.badge = BADGE[milestone.current_state]
        milestone.abbr = abbreviation(milestone)
        milestone.report_or_none = milestone.report if _has_report(milestone) else None
        out.append(milestone)
    return out


def _has_report(milestone) -> bool:
    try:
        return milestone.report is not None
    except Report.DoesNotExist:
        return False


OPEN_STATES = (MilestoneState.LATE, MilestoneState.UPCOMING)


def _next_due(milestones):
    return next(
        (
            m
            for m in milestones
            if m.current_state in (MilestoneState.LATE, MilestoneState.UPCOMING)
        ),
        None,
    )


def _staff_crumbs(cohort, current, *more):
    return crumbs(
        (_("Mon espace"), reverse("dashboard")),
        (
            cohort.programme.name,
            reverse("programme-manage", kwargs={"slug": cohort.programme.slug}),
        ),
        (cohort.label, reverse("cohorts:manage", kwargs={"slug": cohort.slug})),
        *more,
        current=current,
    )


# --- The staff's dashboard ---------------------------------------------------------------------


@login_required
@permission_required("cohorts.follow_cohort", fn=_cohort, raise_exception=True)
def followup_dashboard(request, slug):
    cohort = _cohort(request, slug)
    today = followup.today()
    form = FollowupFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = list(
        followup_rows(
            cohort, today=today, status=filters.get("status", ""), phase=filters.get("phase", "")
        )
    )
    for row in rows:
        row.timeline = decorate(row.milestones.all(), today)
        row.next_due = _next_due(row.timeline)
        row.last_status_label = ReportStatus(row.last_status).label if row.last_status else ""
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx"):
        return _export(cohort, rows, fmt)
    query = request.GET.copy()
    query.pop("export", None)
    title = _("Suivi de la promotion %(label)s") % {"label": cohort.label}
    return render(
        request,
        "cohorts/followup_dashboard.html",
        {
            "page_title": title,
            "cohort": cohort,
            "rows": rows,
            "form": form,
            "query": query.urlencode(),
            "today": today,
            "without_milestones": sum(1 for r in rows if not r.timeline),
            "breadcrumb_data": _staff_crumbs(cohort, _("Suivi")),
        },
    )


EXPORT_HEADER = [
    "Lauréat",
    "Phase",
    "Intrapreneur",
    "Coach",
    "Jalons faits",
    "Jalons en retard",
    "Jalons à venir",
    "Jalons écartés",
    "Premier retard",
    "Prochaine échéance",
    "Prochain jalon",
    "Dernier point d'étape",
    "Frise",
]


def _export_rows(rows):
    for row in rows:
        states = [m.current_state for m in row.timeline]
        yield [
            neutralise(row.name),
            neutralise(row.get_phase_display()),
            neutralise(row.intrapreneur or ""),
            neutralise(row.coach or ""),
            states.count(MilestoneState.DONE),
            states.count(MilestoneState.LATE),
            states.count(MilestoneState.UPCOMING),
            states.count(MilestoneState.SKIPPED),
            row.first_late.isoformat() if row.first_late else "",
            row.next_due.due_on.isoformat() if row.next_due else "",
            neutralise(row.next_due.title) if row.next_due else "",
            neutralise(row.last_status_label),
            " ".join(f"{m.abbr}:{m.state_label}" for m in row.timeline),
        ]


def _export(cohort, rows, fmt):
    filename = f"suivi-{cohort.slug}.{fmt}"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(EXPORT_HEADER)
        writer.writerows(_export_rows(rows))
        response = HttpResponse(
            "\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8"
        )
    else:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(_("Suivi"))
        sheet.append(EXPORT_HEADER)
        for line in _export_rows(rows):
            sheet.append(line)
        output = io.BytesIO()
        workbook.save(output)
        response = HttpResponse(
            output.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_POST
@login_required
@permission_required("cohorts.follow_cohort", fn=_cohort, raise_exception=True)
def followup_start(request, slug):
    cohort = _cohort(request, slug)
    try:
        count = followup.start_followup(cohort, by=request.user, now=timezone.now())
    except TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Jalons créés pour %(n)s lauréat(s).") % {"n": count})
    return redirect("cohorts:followup", slug=slug)


# --- A laureate's timeline ---------------------------------------------------------------------


def _timeline_crumbs(request, laureate, current=None):
    cohort = laureate.cohort
    if request.user.has_perm("cohorts.follow_cohort", cohort):
        more = [(_("Suivi"), reverse("cohorts:followup", kwargs={"slug": cohort.slug}))]
        if current:
            more.append((laureate.name, _timeline_url(laureate)))
        return _staff_crumbs(cohort, current or laureate.name, *more)
    more = [(laureate.name, _timeline_url(laureate))] if current else []
    return crumbs((_("Mon espace"), reverse("dashboard")), *more, current=current or laureate.name)


def _timeline_url(laureate):
    return reverse("cohorts:timeline", kwargs={"slug": laureate.cohort.slug, "pk": laureate.pk})


@login_required
@permission_required("cohorts.view_followup", fn=_laureate, raise_exception=True)
def timeline(request, slug, pk):
    laureate = _laureate(request, slug, pk)
    today = followup.today()
    milestones = decorate(timeline_of(laureate), today)
    add_form = MilestoneAddForm()
    add_form.helper.form_action = reverse(
        "cohorts:milestone-add", kwargs={"slug": slug, "pk": laureate.pk}
    )
    return render(
        request,
        "cohorts/timeline.html",
        {
            "page_title": _("Suivi de %(name)s") % {"name": laureate.name},
            "laureate": laureate,
            "cohort": laureate.cohort,
            "milestones": milestones,
            "next_due": _next_due(milestones),
            "late": [m for m in milestones if m.current_state == MilestoneState.LATE],
            "is_team": request.user.has_perm("cohorts.write_report", laureate),
            "can_manage": request.user.has_perm("cohorts.manage_followup", laureate),
            "add_form": add_form,
            "breadcrumb_data": _timeline_crumbs(request, laureate),
        },
    )


@require_POST
@login_required
@permission_required("cohorts.manage_followup", fn=_laureate, raise_exception=True)
def milestone_add(request, slug, pk):
    laureate = _laureate(request, slug, pk)
    form = MilestoneAddForm(request.POST)
    if form.is_valid():
        try:
            followup.add_milestone(
                laureate,
                title=form.cleaned_data["title"],
                due_on=form.cleaned_data["due_on"],
                by=request.user,
                now=timezone.now(),
            )
        except TransitionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Le jalon est ajouté."))
    else:
        messages.error(request, _("Jalon non ajouté : donnez un intitulé et une échéance valide."))
    return redirect(_timeline_url(laureate))


@require_POST
@login_required
@permission_required("cohorts.manage_followup", fn=_milestone, raise_exception=True)
def milestone_skip(request, slug, pk):
    milestone = _milestone(request, slug, pk)
    form = SkipForm(request.POST)
    try:
        if request.POST.get("action") == "restore":
            followup.restore_milestone(milestone, by=request.user, now=timezone.now())
            messages.success(request, _("Le jalon est rétabli."))
        else:
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            followup.skip_milestone(milestone, reason=reason, by=request.user, now=timezone.now())
            messages.success(request, _("Le jalon est écarté."))
    except TransitionError as error:
        messages.error(request, str(error))
    return redirect(_timeline_url(milestone.laureate))


# --- Reports -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@permission_required("cohorts.view_followup", fn=_milestone, raise_exception=True)
def report(request, slug, pk):
    milestone = _milestone(request, slug, pk)
    if milestone.kind != MilestoneKind.REPORT:
        raise Http404
    laureate = milestone.laureate
    current = Report.objects.filter(milestone=milestone).prefetch_related("values").first()
    is_team = request.user.has_perm("cohorts.write_report", laureate)
    editable = (
        is_team and milestone.skipped_at is None and (current is None or not current.is_submitted)
    )
    if request.method == "POST" and not editable:
        if not is_team:
            raise PermissionDenied
        messages.error(request, _("Ce point d'étape est déposé ou écarté : il ne change plus."))
        return redirect("cohorts:report", slug=slug, pk=pk)
    indicators = list(Indicator.objects.filter(programme_id=laureate.cohort.programme_id))
    form = None
    if editable:
        form = ReportForm(
            request.POST or None, indicators=indicators, initial=_initial(milestone, current)
        )
        if request.method == "POST" and form.is_valid():
            now = timezone.now()
            try:
                followup.save_report(
                    milestone,
                    data=form.report_data(),
                    values=form.indicator_values(),
                    by=request.user,
                    now=now,
                )
            except TransitionError as error:
                form.add_error(None, str(error))
            else:
                if "submit_report" not in request.POST:
                    messages.success(request, _("Brouillon enregistré."))
                    return redirect("cohorts:report", slug=slug, pk=pk)
                try:
                    followup.submit_report(milestone, by=request.user, now=now)
                except TransitionError as error:
                    form.add_error(None, str(error))
                else:
                    messages.success(request, _("Point d'étape déposé. Merci !"))
                    return redirect(_timeline_url(laureate))
    values = {v.indicator_id: v.value for v in current.values.all()} if current else {}
    comment_form = None
    if (
        current is not None
        and current.is_submitted
        and request.user.has_perm("cohorts.comment_report", laureate)
    ):
        comment_form = CommentForm(initial={"text": current.coach_comment})
        comment_form.helper.form_action = reverse(
            "cohorts:report-comment", kwargs={"slug": slug, "pk": pk}
        )
    return render(
        request,
        "cohorts/report.html",
        {
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


def _initial(milestone, current):
    if current is None:
        return {"period_start": milestone.period_start, "period_end": milestone.period_end}
    initial = {f: getattr(current, f) for f in followup.REPORT_FIELDS}
    for value in current.values.all():
        initial[f"indicator_{value.indicator_id}"] = value.value
    return initial


@require_POST
@login_required
@permission_required("cohorts.comment_report", fn=_milestone, raise_exception=True)
def report_comment(request, slug, pk):
    milestone = _milestone(request, slug, pk)
    current = get_object_or_404(Report, milestone=milestone)
    form = CommentForm(request.POST)
    try:
        text = form.cleaned_data["text"] if form.is_valid() else ""
        followup.comment_report(current, text=text, by=request.user, now=timezone.now())
    except TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Commentaire enregistré."))
    return redirect("cohorts:report", slug=slug, pk=pk)


# --- Reviews and the final committee -----------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@permission_required("cohorts.manage_followup", fn=_milestone, raise_exception=True)
def milestone_review(request, slug, pk):
    milestone = _milestone(request, slug, pk)
    if milestone.kind == MilestoneKind.REPORT:
        raise Http404
    laureate = milestone.laureate
    final = milestone.kind == MilestoneKind.FINAL
    form_class = FinalDecisionForm if final else ReviewForm
    form = form_class(request.POST or None)
    closed = milestone.done_at is not None or milestone.skipped_at is not None
    if request.method == "POST" and not closed and form.is_valid():
        data = form.cleaned_data
        now = timezone.now()
        try:
            if final:
                followup.decide_final(
                    milestone,
                    outcome=data["outcome"],
                    next_phase=data.get("next_phase", ""),
                    reasons=data["reasons"],
                    by=request.user,
                    now=now,
                )
            else:
                followup.hold_review(milestone, notes=data["notes"], by=request.user, now=now)
        except TransitionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Enregistré."))
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
