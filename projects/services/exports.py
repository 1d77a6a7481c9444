"""The export of a call's proposals with all their answers, as CSV or XLSX.

The staff ask for it (`request_export`), a task writes the file (`run_export`) through the
one spreadsheet module, so that every cell is cleaned and numbers read the French way.
"""

import logging
from collections.abc import Callable, Iterator
from datetime import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from calls.models import Call
from programme import audit
from programme.models import User
from programme.spreadsheet import csv_lines, xlsx_bytes
from projects.enums import ExportFormat, ExportStatus
from projects.models import ExportJob
from projects.queries.proposals import for_export

logger = logging.getLogger(__name__)

CHUNK = 200


def header(call: Call) -> list[str]:
    return [
        _("Référence"),
        _("Titre"),
        _("État"),
        _("Structure"),
        _("Type de structure"),
        _("Défi"),
        _("Équipe"),
        _("Courriels"),
        _("Budget annuel (€)"),
        _("Montant demandé (€)"),
        _("Déposée le"),
        _("Motif d'irrecevabilité"),
        _("Résumé"),
        *[q.label for q in call.questions.all()],
    ]


def rows(call: Call, progress: Callable[[int, int], object] | None = None) -> Iterator[list]:
    """One row per submitted proposal, as raw values; `progress(done, total)` as it goes."""
    questions = list(call.questions.all())
    queryset = for_export(call)
    total = queryset.count()
    for done, proposal in enumerate(queryset.iterator(chunk_size=CHUNK), start=1):
        answers = {a.question_id: a.value for a in proposal.answers.all()}
        team = list(proposal.team.all())
        yield [
            proposal.reference,
            proposal.title,
            proposal.get_state_display(),
            proposal.structure.name if proposal.structure_id else "",
            proposal.structure.get_type_display() if proposal.structure_id else "",
            proposal.defi.title if proposal.defi_id else "",
            ", ".join(m.user.get_full_name() or m.user.email for m in team),
            ", ".join(m.user.email for m in team),
            proposal.yearly_budget,
            proposal.requested_amount,
            proposal.submitted_at,
            proposal.ineligibility_reason,
            proposal.summary,
            *[answers.get(q.pk) for q in questions],
        ]
        if progress and (done % CHUNK == 0 or done == total):
            progress(done, total)
    if progress and total == 0:
        progress(0, 0)


def build(call: Call, fmt: str, progress=None) -> ContentFile:
    """The file's content in the format asked (French CSV, or XLSX)."""
    if fmt == ExportFormat.CSV:
        return ContentFile("".join(csv_lines(header(call), rows(call, progress))).encode())
    return ContentFile(xlsx_bytes(_("Candidatures"), header(call), rows(call, progress)))


@transaction.atomic(durable=True)
def request_export(call: Call, *, by: User, fmt: str, now: datetime) -> ExportJob:
    """Queue an export of the call's proposals; a task writes the file."""
    from projects.tasks import build_export

    job = ExportJob.objects.create(call=call, requested_by=by, format=fmt, created_at=now)
    audit.record(by, "proposal.export", call, reason=fmt, at=now)
    transaction.on_commit(lambda: build_export.delay(job_id=job.pk))
    return job


def run_export(job: ExportJob, *, now: datetime) -> ExportJob:
    """Write the export file, recording progress as it goes (the status page reads it)."""
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING)
    try:
        content = build(
            job.call,
            job.format,
            progress=lambda done, total: ExportJob.objects.filter(pk=job.pk).update(
                done=done, total=total
            ),
        )
        name = f"candidatures-{job.call.slug}-{localtime(now):%Y%m%d-%H%M}.{job.format}"
        job.refresh_from_db()
        job.file.save(name, content, save=False)
        job.status, job.finished_at = ExportStatus.DONE, now
        job.done = job.total
        job.save(update_fields=["file", "status", "finished_at", "done"])
    except Exception as error:
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportStatus.FAILED, error=str(error)[:1000], finished_at=now
        )
        logger.exception("Export %s failed", job.pk)
    return job
