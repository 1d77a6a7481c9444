"""The one loader of each object the projects' pages show, for `web.object_permission`.

Each loader takes the URL arguments it names and returns the object (with what its rules
read already joined) or raises Http404; `programme.web.object_permission` calls it once and
checks the rule on what it returns. The juror's seat depends on who asks, so it is read after
the call is loaded (`juror_seat`). Also here: the breadcrumb of a call's staff pages and the
message that lists a form's errors, which the jury's pages share.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from calls.models import AuditionCriterion, Call, JuryMember
from programme.web import crumbs
from projects.models import (
    Attachment,
    Conflict,
    DecisionMail,
    Evaluation,
    ExportJob,
    Invitation,
    Proposal,
    TeamMember,
)
from projects.queries import jury as jury_queries


def load_proposal(public_id) -> Proposal:
    return get_object_or_404(
        Proposal.objects.select_related("call__programme", "defi", "structure"),
        public_id=public_id,
    )


def load_export_job(job_id) -> ExportJob:
    return get_object_or_404(ExportJob.objects.select_related("call__programme"), public_id=job_id)


def attachment_of(proposal: Proposal, attachment_id) -> Attachment:
    """One of the proposal's attachments (the proposal was loaded and checked first), a file a
    submitted version holds included even if the team has replaced it since."""
    return get_object_or_404(Attachment.all_objects, proposal=proposal, public_id=attachment_id)


def seat_of(proposal: Proposal, seat_id) -> TeamMember:
    """One seat of the proposal's team (the proposal was loaded and checked first)."""
    return get_object_or_404(
        TeamMember.objects.select_related("user"), proposal=proposal, pk=seat_id
    )


def pending_invitation_of(proposal: Proposal, invitation_id) -> Invitation:
    """One of the proposal's invitations not accepted yet."""
    return get_object_or_404(
        Invitation, proposal=proposal, public_id=invitation_id, accepted_at__isnull=True
    )


def load_conflict(pk) -> Conflict:
    return get_object_or_404(Conflict.objects.select_related("juror__call__programme"), pk=pk)


def load_evaluation(pk) -> Evaluation:
    return get_object_or_404(
        Evaluation.objects.select_related(
            "assignment__juror__call__programme",
            "assignment__juror__user",
            "assignment__proposal",
        ),
        pk=pk,
    )


def load_audition_criterion(pk) -> AuditionCriterion:
    return get_object_or_404(AuditionCriterion.objects.select_related("call__programme"), pk=pk)


def load_decision_mail(pk) -> DecisionMail:
    return get_object_or_404(
        DecisionMail.objects.select_related("proposal__call__programme", "proposal__decision"),
        pk=pk,
    )


def juror_seat(request, call: Call) -> JuryMember:
    """The signed-in user's seat on the call's jury; 403 for anyone who does not sit on it."""
    seat = jury_queries.seat_of(request.user, call)
    if seat is None:
        raise PermissionDenied
    return seat


def call_crumbs(call: Call, current: str, *links):
    """The breadcrumb of a call's staff page: my space, the call, `links`, then `current`."""
    return crumbs(
        (_("Mon espace"), reverse("dashboard")),
        (call.edition, reverse("calls:manage", args=[call.slug])),
        *links,
        current=current,
    )


def say_form_errors(request, form) -> None:
    """A form posted from a page that redirects: its errors become one message."""
    messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
