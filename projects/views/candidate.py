"""The candidate's pages: my proposals, start, the proposal page, edit, team, invitations,
attachments, submit, withdraw, messages, send back a correction, versions.

Thin views: `web.object_permission` loads and checks the proposal (a neighbour's proposal is
a 404), `web.run` calls the service and shows its refusal, the page renders.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from calls import funding
from calls import services as call_services
from calls.enums import CallKind
from calls.loaders import load_call
from programme import files, web
from programme.forms import autosaved
from projects.enums import ProposalState
from projects.forms.candidate import (
    AttachmentForm,
    CorrectionForm,
    InviteForm,
    MessageForm,
    ProposalForm,
    ScreenForm,
    StartProposalForm,
    SubmitForm,
)
from projects.models import Attachment, Proposal
from projects.queries import fil as fil_queries
from projects.queries import invitations as invitation_queries
from projects.queries import proposals as queries
from projects.queries.deliberation import visible_decision
from projects.receipt import filename as receipt_filename
from projects.receipt import receipt_pdf
from projects.services import invitations, proposals
from projects.services import team as team_services
from projects.views.actions import act_on_proposal
from projects.views.loaders import (
    attachment_of,
    load_proposal,
    pending_invitation_of,
    seat_of,
)

VIEW = "projects.view_proposal"
CHANGE = "projects.change_proposal"

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


def _euros(value) -> str:
    """An amount the French way, or a dash when it is not given yet."""
    return "—" if value in (None, "") else funding.euros(value)


def _available_files(proposal) -> set[str]:
    """The ids of the files still kept (those of submitted versions too), which the answers
    link to."""
    kept = Attachment.all_objects.filter(proposal=proposal)
    return {str(pk) for pk in kept.values_list("public_id", flat=True)}


def _proposal_crumbs(proposal, current):
    return web.crumbs(
        (_("Mes candidatures"), reverse("projects:mine")),
        (proposal.title, proposal.get_absolute_url()),
        current=current,
    )


@login_required
def my_proposals(request):
    now = timezone.now()
    mine = list(queries.proposals_of(request.user))
    for proposal in mine:
        proposal.next_step = next_step(proposal, now)
    return render(
        request,
        "projects/my_proposals.html",
        {
            "page_title": _("Mes candidatures"),
            "proposals": mine,
            "breadcrumb_data": web.crumbs(
                (_("Mon espace"), reverse("dashboard")), current=_("Mes candidatures")
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@web.object_permission("calls.view_call", load_call, private=True)
def start(request, call):
    now = timezone.now()
    form = StartProposalForm(request.POST or None, call=call)
    if request.method == "POST" and form.is_valid():
        outcome = web.run(
            request,
            proposals.start_proposal,
            call,
            by=request.user,
            now=now,
            title=form.cleaned_data["title"],
            defi=form.cleaned_data.get("defi"),
            form=form,
            success=_("Votre brouillon est créé : complétez-le à votre rythme."),
        )
        if outcome:
            return redirect("projects:edit", public_id=outcome.value.public_id)
    return render(
        request,
        "projects/start.html",
        {
            "page_title": _("Candidater à %(call)s") % {"call": call.edition},
            "call": call,
            "is_open": call.is_open(now),
            "form": form,
            "breadcrumb_data": web.crumbs(
                (_("Appels à projets"), reverse("calls:list")),
                (call.edition, call.get_absolute_url()),
                current=_("Candidater"),
            ),
        },
    )


def _staff_forms(proposal) -> dict:
    """The staff's forms on the proposal page: screening, correction, retaining a défi."""
    screen_form = ScreenForm()
    screen_form.helper.form_action = reverse("projects:screen", args=[proposal.public_id])
    correction_form = CorrectionForm()
    correction_form.helper.form_action = reverse(
        "projects:request-correction", args=[proposal.public_id]
    )
    context = {
        "screen_form": screen_form,
        "correction_form": correction_form,
        "staff_list_url": reverse("projects:call-proposals", args=[proposal.call.slug]),
    }
    if proposal.call.kind == CallKind.CHALLENGES:
        context["retained_defi"] = proposal.defis.first()
        context["can_retain_defi"] = (
            context["retained_defi"] is None and proposal.state in call_services.RETAINABLE_STATES
        )
    return context


@login_required
@require_GET
@web.object_permission(VIEW, load_proposal, private=True)
def detail(request, proposal):
    now = timezone.now()
    user = request.user
    is_team = user.has_perm(CHANGE, proposal)
    is_staff = user.has_perm("projects.screen_proposal", proposal)
    message_form = MessageForm()
    message_form.helper.form_action = reverse("projects:message", args=[proposal.public_id])
    decision = visible_decision(proposal)
    last_version, changes = queries.unsubmitted_changes(proposal)
    submitted = proposal.versions.order_by("-number").first()
    context = {
        "page_title": proposal.title,
        "last_version": last_version,
        "changes": changes if is_team else [],
        # Every answer, rendered as the version page renders them: the team reads its own
        # draft, the others what was submitted (never the team's unsubmitted edits).
        "sections": queries.sections(
            queries.snapshot(proposal) if is_team or submitted is None else submitted.content,
            proposal.call,
        ),
        "shows_version": None if is_team else submitted,
        "available_files": _available_files(proposal),
        "proposal": proposal,
        "is_team": is_team,
        "is_staff": is_staff,
        "can_edit": is_team and queries.can_edit(proposal, now),
        "can_submit": is_team and queries.can_submit(proposal, now),
        "can_withdraw": is_team and proposal.state in ProposalState.withdrawable_states,
        "is_lead": user.has_perm("projects.lead_team", proposal),
        "missing": queries.missing_items(proposal),
        "eligibility_warning": queries.eligibility_warning(proposal),
        "eligibility_breaches": queries.eligibility_breaches(proposal),
        "next_step": next_step(proposal, now),
        "correction": queries.open_correction(proposal),
        "team": proposal.team.select_related("user", "user__structure"),
        "attachments": proposal.attachments.all(),
        "versions": proposal.versions.select_related("submitted_by"),
        "fil": fil_queries.proposal_fil(proposal),
        "message_form": message_form,
        "yearly_budget": _euros(proposal.yearly_budget),
        "requested_amount": _euros(proposal.requested_amount),
        # The jury's decision once the results are out, and the audition slot (deliberation).
        "decision": decision,
        "granted": decision
        and decision.amount_granted is not None
        and _euros(decision.amount_granted),
        "audition": queries.audition_of(proposal),
        "breadcrumb_data": web.crumbs(
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
        context.update(_staff_forms(proposal))
    return render(request, "projects/detail.html", context)


def _proposal_form(proposal, data=None, uploaded=None):
    questions = proposal.call.questions.all()
    answers = {a.question_id: a.value for a in proposal.answers.all()}
    return ProposalForm(
        data,
        uploaded,
        proposal=proposal,
        questions=questions,
        answers=answers,
        attachments=list(proposal.attachments.all()),
    )


@login_required
@require_http_methods(["GET", "POST"])
@web.object_permission(CHANGE, load_proposal, private=True)
def edit(request, proposal):
    now = timezone.now()
    status = 200
    posted = request.method == "POST"
    form = _proposal_form(
        proposal, request.POST if posted else None, request.FILES if posted else None
    )
    if request.method == "POST":
        if form.is_valid():
            outcome = web.run(
                request,
                proposals.save_draft,
                proposal,
                by=request.user,
                version=form.cleaned_data["version"],
                now=now,
                fields=form.proposal_fields(),
                answers=form.answers(),
                uploads=form.uploads(),
                removals=form.removals(),
                form=form,
                success=(
                    _(
                        "Modifications enregistrées, non déposées : elles ne font partie de "
                        "votre dépôt qu'une fois déposées à nouveau."
                    )
                    if proposal.state == ProposalState.SUBMITTED
                    else _("Brouillon enregistré.")
                ),
            )
            if outcome:
                return redirect("projects:edit", public_id=proposal.public_id)
            # Someone saved since this form was loaded: a conflict, the typed text is kept.
            status = 409 if isinstance(outcome.error, proposals.StaleVersionError) else 400
        else:
            status = 400  # the form's one error summary says what to correct
    last_version, changes = queries.unsubmitted_changes(proposal)
    autosaved(form, reverse("projects:autosave", args=[proposal.public_id]))
    return render(
        request,
        "projects/edit.html",
        {
            "page_title": _("Modifier « %(title)s »") % {"title": proposal.title},
            "proposal": proposal,
            "form": form,
            "can_edit": queries.can_edit(proposal, now),
            "can_submit": queries.can_submit(proposal, now),
            "missing": queries.missing_items(proposal),
            "changes": changes,
            "last_version": last_version,
            "breadcrumb_data": _proposal_crumbs(proposal, _("Modifier")),
        },
        status=status,
    )


@login_required
@require_POST
@web.object_permission(CHANGE, load_proposal, private=True)
def autosave(request, proposal):
    """The edit form saving itself while the team types (JSON for `static/js/autosave.js`),
    through the same service and version check as "Enregistrer le brouillon"."""
    now = timezone.now()
    form = _proposal_form(proposal, request.POST)
    return web.autosave(
        form,
        lambda: proposals.save_draft(
            proposal,
            by=request.user,
            version=form.cleaned_data["version"],
            now=now,
            fields=form.proposal_fields(),
            answers=form.answers(),
        ),
        now=now,
        version=lambda saved: saved.version,
    )


@login_required
@require_http_methods(["GET", "POST"])
@web.object_permission(VIEW, load_proposal, private=True)
def team(request, proposal):
    is_team = request.user.has_perm(CHANGE, proposal)
    form = InviteForm(request.POST or None)
    if request.method == "POST":
        web.check(request, CHANGE, proposal)
        if form.is_valid():
            email = form.cleaned_data["email"]
            outcome = web.run(
                request,
                invitations.invite_member,
                proposal,
                by=request.user,
                email=email,
                now=timezone.now(),
                form=form,
                field="email",
                success=_("Invitation envoyée à %(email)s.") % {"email": email},
            )
            if outcome:
                return redirect("projects:team", public_id=proposal.public_id)
    return render(
        request,
        "projects/team.html",
        {
            "page_title": _("Équipe"),
            "proposal": proposal,
            "is_team": is_team,
            "is_lead": request.user.has_perm("projects.lead_team", proposal),
            "team_open": proposal.call.is_open(timezone.now())
            and proposal.state != ProposalState.WITHDRAWN,
            "team": proposal.team.select_related("user", "user__structure").order_by(
                "role", "joined_at", "pk"
            ),
            "invitations": proposal.invitations.filter(accepted_at__isnull=True),
            "form": form,
            "breadcrumb_data": _proposal_crumbs(proposal, _("Équipe")),
        },
    )


def _team_page(proposal):
    return redirect("projects:team", public_id=proposal.public_id)


def _team_confirmation(request, proposal, *, title, consequences, label, cancel):
    """The one confirmation step (`programme.web.confirm`) of a team change, posting back
    to the same address."""
    return web.confirm(
        request,
        web.Confirmation(
            title=title,
            subject=proposal.title,
            consequences=consequences,
            action=request.path,
            label=label,
            cancel=cancel,
        ),
        breadcrumb=_proposal_crumbs(proposal, title),
    )


def _told_team(proposal) -> str:
    count = proposal.team.count()
    return ngettext(
        "La personne de l'équipe en est informée par courriel.",
        "Les %(n)s personnes de l'équipe en sont informées par courriel.",
        count,
    ) % {"n": count}


@login_required
@require_http_methods(["GET", "POST"])
@web.object_permission(CHANGE, load_proposal, private=True)
def team_remove(request, proposal, seat_id):
    """The lead removes a member, after the confirmation step."""
    seat = seat_of(proposal, seat_id)
    name = seat.user.get_full_name() or seat.user.email
    if request.method == "GET":
        return _team_confirmation(
            request,
            proposal,
            title=_("Retirer %(name)s de l'équipe ?") % {"name": name},
            consequences=[
                _("%(name)s n'aura plus accès à la candidature.") % {"name": name},
                _told_team(proposal),
            ],
            label=_("Retirer %(name)s") % {"name": name},
            cancel=reverse("projects:team", args=[proposal.public_id]),
        )
    web.run(
        request,
        team_services.remove_member,
        proposal,
        by=request.user,
        member=seat.user,
        now=timezone.now(),
        success=_("%(name)s ne fait plus partie de l'équipe.") % {"name": name},
    )
    return _team_page(proposal)


@login_required
@require_http_methods(["GET", "POST"])
@web.object_permission(CHANGE, load_proposal, private=True)
def team_hand_over(request, proposal, seat_id):
    """The lead hands the lead role to another member, after the confirmation step."""
    seat = seat_of(proposal, seat_id)
    name = seat.user.get_full_name() or seat.user.email
    if request.method == "GET":
        return _team_confirmation(
            request,
            proposal,
            title=_("Passer le rôle de porteur à %(name)s ?") % {"name": name},
            consequences=[
                _(
                    "%(name)s porte désormais le projet : seule cette personne pourra retirer "
                    "la candidature ou changer l'équipe."
                )
                % {"name": name},
                _("Vous restez dans l'équipe comme co-rédacteur ou co-rédactrice."),
                _told_team(proposal),
            ],
            label=_("Passer le rôle à %(name)s") % {"name": name},
            cancel=reverse("projects:team", args=[proposal.public_id]),
        )
    web.run(
        request,
        team_services.hand_over_lead,
        proposal,
        by=request.user,
        to=seat.user,
        now=timezone.now(),
        success=_("%(name)s porte désormais le projet.") % {"name": name},
    )
    return _team_page(proposal)


@login_required
@require_http_methods(["GET", "POST"])
@web.object_permission(CHANGE, load_proposal, private=True)
def team_leave(request, proposal):
    """A member leaves the team, after the confirmation step, and lands on their list."""
    if request.method == "GET":
        return _team_confirmation(
            request,
            proposal,
            title=_("Quitter l'équipe ?"),
            consequences=[
                _("Vous n'aurez plus accès à cette candidature, sauf nouvelle invitation."),
                _told_team(proposal),
            ],
            label=_("Quitter l'équipe"),
            cancel=reverse("projects:team", args=[proposal.public_id]),
        )
    outcome = web.run(
        request,
        team_services.leave_team,
        proposal,
        by=request.user,
        now=timezone.now(),
        success=_("Vous avez quitté l'équipe de « %(title)s ».") % {"title": proposal.title},
    )
    return redirect("projects:mine") if outcome else _team_page(proposal)


@login_required
@require_POST
@web.object_permission(CHANGE, load_proposal, private=True)
def invitation_cancel(request, proposal, invitation_id):
    invitation = pending_invitation_of(proposal, invitation_id)
    web.run(
        request,
        team_services.cancel_invitation,
        invitation,
        by=request.user,
        now=timezone.now(),
        success=_("Invitation à %(email)s annulée.") % {"email": invitation.email},
    )
    return _team_page(proposal)


@login_required
@require_POST
@web.object_permission(CHANGE, load_proposal, private=True)
def invitation_resend(request, proposal, invitation_id):
    invitation = pending_invitation_of(proposal, invitation_id)
    web.run(
        request,
        team_services.resend_invitation,
        invitation,
        by=request.user,
        now=timezone.now(),
        success=_("Invitation envoyée à nouveau à %(email)s.") % {"email": invitation.email},
    )
    return _team_page(proposal)


@login_required
@require_http_methods(["GET", "POST"])
def join(request, token):
    found = web.run(request, invitation_queries.invitation_from_token, token)
    if not found:
        return redirect("projects:mine")
    if request.method == "POST":
        outcome = web.run(
            request,
            invitations.accept_invitation,
            token,
            user=request.user,
            now=timezone.now(),
            success=_("Vous avez rejoint l'équipe."),
        )
        if outcome:
            return redirect(outcome.value.get_absolute_url())
    return render(
        request,
        "projects/join.html",
        {
            "page_title": _("Rejoindre une équipe"),
            "invitation": found.value,
            "breadcrumb_data": web.crumbs(current=_("Rejoindre une équipe")),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@web.object_permission(VIEW, load_proposal, private=True)
def attachments(request, proposal):
    is_team = request.user.has_perm(CHANGE, proposal)
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        web.check(request, CHANGE, proposal)
        if form.is_valid():
            outcome = web.run(
                request,
                proposals.add_attachment,
                proposal,
                by=request.user,
                upload=form.cleaned_data["file"],
                now=timezone.now(),
                form=form,
                field="file",
                success=_("Pièce jointe ajoutée."),
            )
            if outcome:
                return redirect("projects:attachments", public_id=proposal.public_id)
    return render(
        request,
        "projects/attachments.html",
        {
            "page_title": _("Pièces jointes"),
            "proposal": proposal,
            "is_team": is_team,
            "can_edit": is_team and queries.can_edit(proposal, timezone.now()),
            "attachments": proposal.attachments.all(),
            "form": form,
            "breadcrumb_data": _proposal_crumbs(proposal, _("Pièces jointes")),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
@web.object_permission("projects.read_attachments", load_proposal, private=True)
def download_attachment(request, proposal, attachment_id):
    """The file as a download, never rendered: its checked type, sandboxed, not cached."""
    attachment = attachment_of(proposal, attachment_id)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=files.content_type(attachment.original_name),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
@web.object_permission(CHANGE, load_proposal, private=True)
def remove_attachment(request, proposal, attachment_id):
    web.run(
        request,
        proposals.remove_attachment,
        attachment_of(proposal, attachment_id),
        by=request.user,
        now=timezone.now(),
        success=_("Pièce jointe supprimée."),
    )
    return redirect("projects:attachments", public_id=proposal.public_id)


@login_required
@require_http_methods(["GET", "POST"])
@web.object_permission(CHANGE, load_proposal, private=True)
def submit(request, proposal):
    """The summary of every answer and file, what is missing, the sworn statement, then
    "Déposer". An unchanged proposal submitted again says so, and nothing is sent."""
    now = timezone.now()
    form = SubmitForm(
        request.POST if request.method == "POST" else None, initial={"version": proposal.version}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            outcome = web.run(
                request,
                proposals.submit_proposal,
                proposal,
                by=request.user,
                now=now,
                attested=True,
                version=form.cleaned_data["version"],
            )
            if outcome and not outcome.value.is_new:
                messages.info(
                    request,
                    _(
                        "Aucune modification depuis le dépôt du %(date)s (version %(n)s) : "
                        "rien n'a été déposé ni envoyé."
                    )
                    % {
                        "date": queries.paris_time(outcome.value.submitted_at),
                        "n": outcome.value.number,
                    },
                )
            elif outcome:
                messages.success(
                    request,
                    _(
                        "Candidature déposée sous la référence %(ref)s (version %(n)s) ; le "
                        "récépissé de dépôt (PDF) est envoyé par courriel à chaque membre de "
                        "l'équipe."
                    )
                    % {"ref": outcome.value.reference, "n": outcome.value.number},
                )
            if outcome or not isinstance(outcome.error, proposals.StaleVersionError):
                return redirect(proposal.get_absolute_url())
            # Changed since the summary was read: the fresh summary, and tick again.
            proposal.refresh_from_db()
            form = SubmitForm(initial={"version": proposal.version})
            status = 409
        else:
            status = 400
    last_version, changes = queries.unsubmitted_changes(proposal)
    return render(
        request,
        "projects/submit.html",
        {
            "page_title": _("Déposer « %(title)s »") % {"title": proposal.title},
            "proposal": proposal,
            "form": form,
            "can_submit": queries.can_submit(proposal, now),
            "missing": queries.missing_items(proposal),
            "sections": queries.sections(queries.snapshot(proposal), proposal.call),
            "team": proposal.team.select_related("user", "user__structure"),
            "attachments": proposal.attachments.all(),
            "available_files": _available_files(proposal),
            "last_version": last_version,
            "changes": changes,
            "breadcrumb_data": _proposal_crumbs(proposal, _("Déposer")),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
@web.object_permission(CHANGE, load_proposal, private=True)
def withdraw(request, proposal):
    if request.method == "GET":
        return _team_confirmation(
            request,
            proposal,
            title=_("Retirer la candidature ?"),
            consequences=[
                _(
                    "La candidature « %(title)s » est retirée pour de bon : elle ne peut plus "
                    "être déposée ni évaluée."
                )
                % {"title": proposal.title},
                _told_team(proposal),
            ],
            label=_("Retirer la candidature"),
            cancel=proposal.get_absolute_url(),
        )
    return act_on_proposal(
        request, proposal, proposals.withdraw_proposal, success=_("Candidature retirée.")
    )


@login_required
@require_POST
@web.object_permission(VIEW, load_proposal, private=True)
def message(request, proposal):
    return act_on_proposal(
        request,
        proposal,
        proposals.send_message,
        form=MessageForm(request.POST, request.FILES),
        fields=("body", "upload"),
        invalid=_("Le message est vide ou trop long (5 000 caractères au plus)."),
        anchor="#fil",
        success=_("Message envoyé."),
    )


@login_required
@require_GET
@web.object_permission("projects.write_fil", load_proposal, private=True)
def message_file(request, proposal, message_id):
    """A message's file as a download, never rendered: its checked type, sandboxed. Whoever
    reads the Fil downloads it: the team, staff, and the coach once the team is laureate."""
    found = get_object_or_404(proposal.messages.exclude(file=""), pk=message_id)
    response = FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.file_name,
        content_type=files.content_type(found.file_name),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
@web.object_permission(CHANGE, load_proposal, private=True)
def send_back(request, proposal):
    return act_on_proposal(
        request,
        proposal,
        proposals.send_back_correction,
        success=_("Candidature corrigée renvoyée."),
    )


@login_required
@require_GET
@web.object_permission(VIEW, load_proposal, private=True)
def version_detail(request, proposal, number):
    version = get_object_or_404(proposal.versions, number=number)
    title = _("Version %(n)s") % {"n": number}
    return render(
        request,
        "projects/version.html",
        {
            "page_title": title,
            "proposal": proposal,
            "version": version,
            "is_team": request.user.has_perm(CHANGE, proposal),
            "sections": queries.sections(version.content, proposal.call),
            "available_files": _available_files(proposal),
            "breadcrumb_data": _proposal_crumbs(proposal, title),
        },
    )


@login_required
@require_GET
@web.object_permission(VIEW, load_proposal, private=True)
def version_receipt(request, proposal, number):
    """The PDF receipt of one submitted version, as a download."""
    version = get_object_or_404(proposal.versions.select_related("submitted_by"), number=number)
    version.proposal = proposal
    response = HttpResponse(receipt_pdf(version), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{receipt_filename(version)}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response
