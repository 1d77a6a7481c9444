"""Thin views: check the rule, call a query or a service, render."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from calls import services as call_services
from calls.enums import CallKind
from calls.models import Call
from programme.exceptions import TransitionError
from programme.web import crumbs
from projects.enums import ExportStatus, ProposalState
from projects.filters import ProposalFilter
from projects.forms.candidate import (
    AttachmentForm,
    CorrectionForm,
    ExportForm,
    InviteForm,
    MessageForm,
    ProposalForm,
    ScreenForm,
    StartProposalForm,
)
from projects.models import Attachment, Audition, ExportJob, Proposal
from projects.queries import proposals as queries
from projects.queries.deliberation import visible_decision
from projects.services import proposals as services

PAGE_SIZE = 50

NEXT_STEP = {
    ProposalState.DRAFT: gettext_lazy(
        "Complétez votre candidature puis déposez-la avant la clôture."
    ),
    ProposalState.SUBMITTED: gettext_lazy(
        "Déposée : vous pouvez encore la modifier jusqu'à la clôture ; l'équipe du programme "
        "examinera ensuite sa recevabilité."
    ),
    ProposalState.ELIGIBLE: gettext_lazy("Recevable : le jury va l'évaluer."),
    ProposalState.INELIGIBLE: gettext_lazy(
        "Irrecevable : le motif vous a été envoyé par courriel."
    ),
    ProposalState.SHORTLISTED: gettext_lazy(
        "Retenue pour l'audition : vous recevrez une convocation."
    ),
    ProposalState.NOT_SHORTLISTED: gettext_lazy("Non retenue pour l'audition."),
    ProposalState.SELECTED: gettext_lazy("Lauréate : félicitations !"),
    ProposalState.NOT_SELECTED: gettext_lazy("Non retenue par le jury."),
    ProposalState.WITHDRAWN: gettext_lazy("Retirée : plus rien à faire."),
}


AFTER_DEADLINE = {
    ProposalState.DRAFT: gettext_lazy("L'appel est clos : ce brouillon ne peut plus être déposé."),
    ProposalState.SUBMITTED: gettext_lazy(
        "Déposée : l'appel est clos, l'équipe du programme examine sa recevabilité."
    ),
}


def next_step(proposal: Proposal, now) -> str:
    """What the team should expect next, knowing whether the call still takes changes."""
    if not proposal.call.is_open(now) and proposal.state in AFTER_DEADLINE:
        return AFTER_DEADLINE[proposal.state]
    return NEXT_STEP.get(proposal.state, "")


def _proposal(request, public_id, perm="projects.view_proposal") -> Proposal:
    """The proposal if the user may see it; a 404 otherwise, so its existence stays private."""
    proposal = get_object_or_404(
        Proposal.objects.select_related("call__programme", "defi", "structure"),
        public_id=public_id,
    )
    if not request.user.has_perm(perm, proposal):
        raise Http404
    return proposal


def _proposal_crumbs(proposal, current):
    return crumbs(
        (_("Mes candidatures"), reverse("projects:mine")),
        (proposal.title, proposal.get_absolute_url()),
        current=current,
    )


def _staff_call(request, slug) -> Call:
    call = get_object_or_404(Call.objects.select_related("programme"), slug=slug)
    if not request.user.has_perm("calls.manage_call", call):
        raise PermissionDenied
    return call


@login_required
def my_proposals(request):
    now = timezone.now()
    proposals = list(queries.proposals_of(request.user))
    for proposal in proposals:
        proposal.next_step = next_step(proposal, now)
    return render(
        request,
        "projects/my_proposals.html",
        {
            "page_title": _("Mes candidatures"),
            "proposals": proposals,
            "breadcrumb_data": crumbs(
                (_("Mon espace"), reverse("dashboard")), current=_("Mes candidatures")
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def start(request, slug):
    call = get_object_or_404(Call.objects.select_related("programme"), slug=slug)
    if not request.user.has_perm("calls.view_call", call):
        raise Http404
    now = timezone.now()
    form = StartProposalForm(request.POST or None, call=call)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.start_proposal(
                call,
                by=request.user,
                now=now,
                title=form.cleaned_data["title"],
                defi=form.cleaned_data.get("defi"),
            )
        except TransitionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Votre brouillon est créé : complétez-le à votre rythme."))
            return redirect("projects:edit", public_id=proposal.public_id)
    return render(
        request,
        "projects/start.html",
        {
            "page_title": _("Candidater à %(call)s") % {"call": call.edition},
            "call": call,
            "is_open": call.is_open(now),
            "form": form,
            "breadcrumb_data": crumbs(
                (_("Appels à projets"), reverse("calls:list")),
                (call.edition, call.get_absolute_url()),
                current=_("Candidater"),
            ),
        },
    )


@login_required
@require_GET
def detail(request, public_id):
    proposal = _proposal(request, public_id)
    now = timezone.now()
    user = request.user
    is_team = user.has_perm("projects.change_proposal", proposal)
    is_staff = user.has_perm("projects.screen_proposal", proposal)
    message_form = MessageForm()
    message_form.helper.form_action = reverse("projects:message", args=[proposal.public_id])
    context = {
        "page_title": proposal.title,
        "proposal": proposal,
        "is_team": is_team,
        "is_staff": is_staff,
        "can_edit": is_team and services.can_edit(proposal, now),
        "can_submit": is_team and services.can_submit(proposal, now),
        "can_withdraw": is_team and proposal.state in services.ProposalState.withdrawable_states,
        "missing": services.missing_items(proposal),
        "eligibility_warning": services.eligibility_warning(proposal),
        "next_step": next_step(proposal, now),
        "correction": services.open_correction(proposal),
        "team": proposal.team.select_related("user", "user__structure"),
        "attachments": proposal.attachments.all(),
        "versions": proposal.versions.select_related("submitted_by"),
        "thread": proposal.messages.select_related("author"),
        "message_form": message_form,
        # The jury's decision once the results are out, and the audition slot (deliberation).
        "decision": visible_decision(proposal),
        "audition": Audition.objects.filter(
            proposal=proposal, proposal__state=ProposalState.SHORTLISTED
        ).first(),
        "breadcrumb_data": crumbs(
            (
                _("Candidatures %(call)s") % {"call": proposal.call.edition},
                reverse("projects:call-proposals", args=[proposal.call.slug]),
            )
            if is_staff and not is_team
            else (_("Mes candidatures"), reverse("projects:mine")),
            current=proposal.title,
        ),
    }
    if is_staff:
        screen_form = ScreenForm()
        screen_form.helper.form_action = reverse("projects:screen", args=[proposal.public_id])
        correction_form = CorrectionForm()
        correction_form.helper.form_action = reverse(
            "projects:request-correction", args=[proposal.public_id]
        )
        context.update(
            screen_form=screen_form,
            correction_form=correction_form,
            staff_list_url=reverse("projects:call-proposals", args=[proposal.call.slug]),
        )
        if proposal.call.kind == CallKind.CHALLENGES:
            context["retained_defi"] = proposal.defis.first()
            context["can_retain_defi"] = (
                context["retained_defi"] is None
                and proposal.state in call_services.RETAINABLE_STATES
            )
    return render(request, "projects/detail.html", context)


def _proposal_form(proposal, data=None):
    questions = proposal.call.questions.all()
    answers = {a.question_id: a.value for a in proposal.answers.all()}
    return ProposalForm(
        data,
        proposal=proposal,
        questions=questions,
        answers=answers,
        attachments=list(proposal.attachments.all()),
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, public_id):
    proposal = _proposal(request, public_id, "projects.change_proposal")
    now = timezone.now()
    status = 200
    if request.method == "POST":
        form = _proposal_form(proposal, request.POST)
        if form.is_valid():
            try:
                services.save_draft(
                    proposal,
                    by=request.user,
                    version=form.cleaned_data["version"],
                    now=now,
                    fields=form.proposal_fields(),
                    answers=form.answers(),
                )
            except services.StaleVersionError as error:
                messages.error(request, str(error))
                status = 409
            except TransitionError as error:
                messages.error(request, str(error))
                status = 400
            else:
                messages.success(request, _("Brouillon enregistré."))
                return redirect("projects:edit", public_id=proposal.public_id)
        else:
            messages.error(
                request,
                _(
                    "Certaines réponses sont à corriger : rien n'a été enregistré, votre "
                    "saisie est conservée ci-dessous."
                ),
            )
            status = 400
    else:
        form = _proposal_form(proposal)
    return render(
        request,
        "projects/edit.html",
        {
            "page_title": _("Modifier « %(title)s »") % {"title": proposal.title},
            "proposal": proposal,
            "form": form,
            "can_edit": services.can_edit(proposal, now),
            "can_submit": services.can_submit(proposal, now),
            "missing": services.missing_items(proposal),
            "breadcrumb_data": _proposal_crumbs(proposal, _("Modifier")),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def team(request, public_id):
    proposal = _proposal(request, public_id)
    is_team = request.user.has_perm("projects.change_proposal", proposal)
    form = InviteForm(request.POST or None)
    if request.method == "POST":
        if not is_team:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.invite_member(
                    proposal, by=request.user, email=form.cleaned_data["email"], now=timezone.now()
                )
            except TransitionError as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request,
                    _("Invitation envoyée à %(email)s.") % {"email": form.cleaned_data["email"]},
                )
                return redirect("projects:team", public_id=proposal.public_id)
    return render(
        request,
        "projects/team.html",
        {
            "page_title": _("Équipe"),
            "proposal": proposal,
            "is_team": is_team,
            "team": proposal.team.select_related("user", "user__structure"),
            "invitations": proposal.invitations.filter(accepted_at__isnull=True),
            "form": form,
            "breadcrumb_data": _proposal_crumbs(proposal, _("Équipe")),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def join(request, token):
    try:
        invitation = services.invitation_from_token(token)
    except TransitionError as error:
        messages.error(request, str(error))
        return redirect("projects:mine")
    if request.method == "POST":
        try:
            proposal = services.accept_invitation(token, user=request.user, now=timezone.now())
        except TransitionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Vous avez rejoint l'équipe."))
            return redirect(proposal.get_absolute_url())
    return render(
        request,
        "projects/join.html",
        {
            "page_title": _("Rejoindre une équipe"),
            "invitation": invitation,
            "breadcrumb_data": crumbs(current=_("Rejoindre une équipe")),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def attachments(request, public_id):
    proposal = _proposal(request, public_id)
    is_team = request.user.has_perm("projects.change_proposal", proposal)
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not is_team:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.add_attachment(
                    proposal, by=request.user, upload=form.cleaned_data["file"], now=timezone.now()
                )
            except TransitionError as error:
                form.add_error("file", str(error))
            else:
                messages.success(request, _("Pièce jointe ajoutée."))
                return redirect("projects:attachments", public_id=proposal.public_id)
    return render(
        request,
        "projects/attachments.html",
        {
            "page_title": _("Pièces jointes"),
            "proposal": proposal,
            "is_team": is_team,
            "can_edit": is_team and services.can_edit(proposal, timezone.now()),
            "attachments": proposal.attachments.all(),
            "form": form,
            "breadcrumb_data": _proposal_crumbs(proposal, _("Pièces jointes")),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def download_attachment(request, public_id, attachment_id):
    proposal = _proposal(request, public_id)
    attachment = get_object_or_404(Attachment, proposal=proposal, public_id=attachment_id)
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type="application/pdf",
    )


@login_required
@require_POST
def remove_attachment(request, public_id, attachment_id):
    proposal = _proposal(request, public_id, "projects.change_proposal")
    attachment = get_object_or_404(Attachment, proposal=proposal, public_id=attachment_id)
    try:
        services.remove_attachment(attachment, by=request.user, now=timezone.now())
    except TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Pièce jointe supprimée."))
    return redirect("projects:attachments", public_id=proposal.public_id)


@login_required
@require_POST
def submit(request, public_id):
    proposal = _proposal(request, public_id, "projects.change_proposal")
    try:
        version = services.submit_proposal(proposal, by=request.user, now=timezone.now())
    except TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _(
                "Candidature déposée sous la référence %(ref)s ; l'accusé de réception vous est "
                "envoyé par courriel."
            )
            % {"ref": version.reference},
        )
    return redirect(proposal.get_absolute_url())


@login_required
@require_POST
def withdraw(request, public_id):
    proposal = _proposal(request, public_id, "projects.change_proposal")
    if request.POST.get("confirm") != "on":
        messages.error(request, _("Cochez la case de confirmation pour retirer la candidature."))
        return redirect(proposal.get_absolute_url())
    try:
        services.withdraw_proposal(proposal, by=request.user, now=timezone.now())
    except TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Candidature retirée."))
    return redirect(proposal.get_absolute_url())


@login_required
@require_POST
def message(request, public_id):
    proposal = _proposal(request, public_id)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            services.send_message(
                proposal, by=request.user, body=form.cleaned_data["body"], now=timezone.now()
            )
        except TransitionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Message envoyé."))
    else:
        messages.error(request, _("Le message est vide ou trop long (5 000 caractères au plus)."))
    return redirect(proposal.get_absolute_url() + "#messages")


@login_required
@require_POST
def screen(request, public_id):
    proposal = _proposal(request, public_id, "projects.screen_proposal")
    form = ScreenForm(request.POST)
    if form.is_valid():
        try:
            if form.cleaned_data["decision"] == "eligible":
                services.mark_eligible(proposal, by=request.user, now=timezone.now())
            else:
                services.mark_ineligible(
                    proposal,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    now=timezone.now(),
                )
        except TransitionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Recevabilité enregistrée."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(proposal.get_absolute_url())


@login_required
@require_POST
def retain_defi(request, public_id):
    """EIG: staff retain an administration's proposal as a défi of its call."""
    proposal = _proposal(request, public_id, "projects.screen_proposal")
    try:
        defi = call_services.retain_defi(proposal, by=request.user, now=timezone.now())
    except TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("« %(title)s » est retenu comme défi : les candidats pourront s'y porter.")
            % {"title": defi.title},
        )
    return redirect(proposal.get_absolute_url())


@login_required
@require_POST
def request_correction(request, public_id):
    proposal = _proposal(request, public_id, "projects.screen_proposal")
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            services.request_correction(
                proposal,
                by=request.user,
                reason=form.cleaned_data["reason"],
                deadline=form.cleaned_data["deadline"],
                now=timezone.now(),
            )
        except TransitionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Correction demandée ; l'équipe est prévenue."))
    else:
        messages.error(request, _("Précisez la correction attendue et sa date limite."))
    return redirect(proposal.get_absolute_url())


@login_required
@require_POST
def send_back(request, public_id):
    proposal = _proposal(request, public_id, "projects.change_proposal")
    try:
        services.send_back_correction(proposal, by=request.user, now=timezone.now())
    except TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Candidature corrigée renvoyée."))
    return redirect(proposal.get_absolute_url())


@login_required
@require_GET
def version_detail(request, public_id, number):
    proposal = _proposal(request, public_id)
    version = get_object_or_404(proposal.versions, number=number)
    return render(
        request,
        "projects/version.html",
        {
            "page_title": _("Version %(n)s") % {"n": number},
            "proposal": proposal,
            "version": version,
            "breadcrumb_data": _proposal_crumbs(proposal, _("Version %(n)s") % {"n": number}),
        },
    )


# Staff side ---------------------------------------------------------------------------------


@login_required
@require_GET
def call_proposals(request, slug):
    call = _staff_call(request, slug)
    filterset = ProposalFilter(request.GET or None, queryset=queries.staff_list(call), call=call)
    queryset = filterset.qs
    if not request.GET.get("ordering"):
        queryset = queryset.order_by("sequence", "id")
    page = Paginator(queryset.values_list("pk", flat=True), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = queries.staff_rows(list(page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    export_form = ExportForm()
    export_form.helper.form_action = reverse("projects:export", args=[call.slug])
    return render(
        request,
        "projects/call_proposals.html",
        {
            "page_title": _("Candidatures — %(call)s") % {"call": call.edition},
            "call": call,
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "export_form": export_form,
            "breadcrumb_data": crumbs(
                (_("Mon espace"), reverse("dashboard")),
                (call.programme.name, reverse("programme-manage", args=[call.programme.slug])),
                current=_("Candidatures %(call)s") % {"call": call.edition},
            ),
        },
    )


def _uuids(values) -> list[uuid.UUID]:
    """The values that are identifiers; anything else sent in the list is ignored."""
    valid = []
    for value in values:
        try:
            valid.append(uuid.UUID(value))
        except ValueError:
            continue
    return valid


@login_required
@require_POST
def screen_selection(request, slug):
    call = _staff_call(request, slug)
    ids = _uuids(request.POST.getlist("selected"))
    # The form bounds the decision and the reason (a NUL byte was a server error).
    form = ScreenForm(request.POST)
    form.is_valid()
    decision = form.cleaned_data.get("decision")
    reason = form.cleaned_data.get("reason")
    proposals = list(
        Proposal.objects.filter(call=call, public_id__in=ids).select_related("call__programme")
    )
    if not proposals or decision not in ("eligible", "ineligible"):
        messages.error(request, _("Cochez au moins une candidature et choisissez la décision."))
    elif reason is None:
        messages.error(request, " ".join(form.errors.get("reason", [])))
    else:
        try:
            count = services.screen_selection(
                proposals,
                by=request.user,
                now=timezone.now(),
                eligible=decision == "eligible",
                reason=reason,
            )
        except TransitionError as error:
            messages.error(request, str(error) + " " + _("Aucune candidature n'a été modifiée."))
        else:
            messages.success(request, _("%(count)s candidature(s) examinée(s).") % {"count": count})
    return redirect(reverse("projects:call-proposals", args=[call.slug]))


@login_required
@require_POST
def export(request, slug):
    call = _staff_call(request, slug)
    form = ExportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez le format de l'export."))
        return redirect(reverse("projects:call-proposals", args=[call.slug]))
    job = services.request_export(
        call, by=request.user, fmt=form.cleaned_data["format"], now=timezone.now()
    )
    return redirect("projects:export-job", job_id=job.public_id)


def _export_job(request, job_id) -> ExportJob:
    job = get_object_or_404(ExportJob.objects.select_related("call__programme"), public_id=job_id)
    if job.requested_by_id != request.user.pk or not request.user.has_perm(
        "calls.manage_call", job.call
    ):
        raise Http404
    return job


@login_required
@require_GET
def export_job(request, job_id):
    job = _export_job(request, job_id)
    return render(
        request,
        "projects/export_job.html",
        {
            "page_title": _("Export des candidatures"),
            "job": job,
            "finished": job.status in (ExportStatus.DONE, ExportStatus.FAILED),
            "breadcrumb_data": crumbs(
                (
                    _("Candidatures %(call)s") % {"call": job.call.edition},
                    reverse("projects:call-proposals", args=[job.call.slug]),
                ),
                current=_("Export"),
            ),
        },
    )


@login_required
@require_GET
def export_status(request, job_id):
    job = _export_job(request, job_id)
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
def export_file(request, job_id):
    job = _export_job(request, job_id)
    if job.status != ExportStatus.DONE or not job.file:
        raise Http404
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=f"candidatures-{job.call.slug}.{job.format}",
    )
