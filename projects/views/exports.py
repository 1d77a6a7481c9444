"""The staff's export of a call's proposals: ask for it, follow its progress, download it.

Only whoever asked for an export follows and downloads it (`projects.follow_export`).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from calls.loaders import load_call
from programme import web
from projects.enums import ExportStatus
from projects.forms.candidate import ExportForm
from projects.services import exports
from projects.views.loaders import load_export_job
from projects.views.screening import MANAGE_CALL, call_list_url

FOLLOW_EXPORT = "projects.follow_export"


@login_required
@require_POST
@web.object_permission(MANAGE_CALL, load_call)
def export(request, call):
    form = ExportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez le format de l'export."))
        return redirect(call_list_url(call))
    outcome = web.run(
        request,
        exports.request_export,
        call,
        by=request.user,
        fmt=form.cleaned_data["format"],
        now=timezone.now(),
    )
    if not outcome:
        return redirect(call_list_url(call))
    return redirect("projects:export-job", job_id=outcome.value.public_id)


@login_required
@require_GET
@web.object_permission(FOLLOW_EXPORT, load_export_job, private=True)
def export_job(request, job):
    return render(
        request,
        "projects/export_job.html",
        {
            "page_title": _("Export des candidatures"),
            "job": job,
            "done": job.status == ExportStatus.DONE,
            "failed": job.status == ExportStatus.FAILED,
            "finished": job.status in (ExportStatus.DONE, ExportStatus.FAILED),
            "breadcrumb_data": web.crumbs(
                (_("Candidatures %(call)s") % {"call": job.call.edition}, call_list_url(job.call)),
                current=_("Export"),
            ),
        },
    )


@login_required
@require_GET
@web.object_permission(FOLLOW_EXPORT, load_export_job, private=True)
def export_status(request, job):
    return JsonResponse(
        {
            "status": job.status,
            "label": job.get_status_display(),
            "done": job.done,
            "total": job.total,
            "percent": job.percent,
            "download": reverse("projects:export-file", args=[job.public_id])
            if job.status == ExportStatus.DONE
            else "",
        }
    )


@login_required
@require_GET
@web.object_permission(FOLLOW_EXPORT, load_export_job, private=True)
def export_file(request, job):
    if job.status != ExportStatus.DONE or not job.file:
        raise Http404
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=f"candidatures-{job.call.slug}.{job.format}",
    )
