from celery import shared_task
from django.utils import timezone

from projects.services import exports

from .models import ExportJob


@shared_task
def build_export(*, job_id: int) -> None:
    """Write the export file of one job."""
    job = ExportJob.objects.select_related("call").filter(pk=job_id).first()
    if job is None:
        return
    exports.run_export(job, now=timezone.now())
