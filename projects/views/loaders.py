"""The one loader of each object the projects' pages show, for `web.object_permission`.

Each takes the URL arguments it names and returns the object (with what its rules read
already joined) or raises Http404.
"""

from django.shortcuts import get_object_or_404

from calls.models import Call
from projects.models import Attachment, ExportJob, Proposal


def load_proposal(public_id) -> Proposal:
    return get_object_or_404(
        Proposal.objects.select_related("call__programme", "defi", "structure"),
        public_id=public_id,
    )


def load_call(slug) -> Call:
    return get_object_or_404(Call.objects.select_related("programme"), slug=slug)


def load_export_job(job_id) -> ExportJob:
    return get_object_or_404(ExportJob.objects.select_related("call__programme"), public_id=job_id)


def attachment_of(proposal: Proposal, attachment_id) -> Attachment:
    """One of the proposal's attachments (the proposal was loaded and checked first)."""
    return get_object_or_404(Attachment, proposal=proposal, public_id=attachment_id)
