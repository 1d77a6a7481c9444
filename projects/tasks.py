from celery import shared_task
from django.utils import timezone

from calls.models import Call
from projects.services import exports, rankings

from .models import ExportJob


@shared_task
def build_export(*, job_id: int) -> None:
    """Write the export file of one job."""
    job = ExportJob.objects.select_related("call").filter(pk=job_id).first()
    if job is None:
        return
    exports.run_export(job, now=timezone.now())


@shared_task
def refresh_ranking(*, call_id: int) -> bool:
    """Recompute a call's stored ranking after a change (a no-op once it is current)."""
    call = Call.objects.filter(pk=call_id).first()
    if call is None:
        return False
    return rankings.refresh(call, now=timezone.now())


@shared_task
def refresh_stale_rankings() -> int:
    """Beat task: the stored rankings left behind (a refresh lost with the broker)."""
    refreshed = 0
    for call in rankings.stale_calls():
        refreshed += rankings.refresh(call, now=timezone.now())
    return refreshed
