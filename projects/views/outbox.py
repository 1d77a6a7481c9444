"""The outbox of decision mails (staff): prepare the drafts, edit one, release them all."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from calls.enums import CallState
from calls.loaders import load_call
from programme import keyset, web
from programme.enums import choice_labels
from projects.enums import DecisionMailState, ProposalState
from projects.forms.deliberation import DecisionMailForm
from projects.queries import deliberation as deliberation_queries
from projects.services import decision_mails
from projects.views.loaders import call_crumbs, load_decision_mail

MANAGE_CALL = "calls.manage_call"
PAGE_SIZE = 100


@login_required
@require_GET
@web.object_permission(MANAGE_CALL, load_call)
def outbox(request, call):
    # One mail per team that ends its journey: as many as proposals, so keyset pages.
    page = keyset.paginate(
        deliberation_queries.outbox(call),
        deliberation_queries.outbox_keys(),
        request.GET.get(keyset.PARAM),
        size=PAGE_SIZE,
        salt=f"outbox:{call.pk}",
    )
    counts = deliberation_queries.outbox_counts(call)
    # Where each team's journey ended (a decision, or ineligible, or left out of the
    # auditions): the proposal's state, its label read once for the page.
    outcomes, states = choice_labels(ProposalState), choice_labels(DecisionMailState)
    for mail in page.rows:
        mail.outcome_label = outcomes.get(mail.proposal.state, mail.proposal.state)
        mail.state_label = states.get(mail.state, mail.state)
    return render(
        request,
        "projects/jury/outbox.html",
        {
            "page_title": _("Courriers de décision — %(call)s") % {"call": call.edition},
            "call": call,
            "mails": page.rows,
            "page": page,
            **keyset.links(request.GET, page),
            "total": counts["total"],
            "drafts": counts["drafts"],
            "can_prepare": call.state in decision_mails.OUTBOX_STATES,
            "can_send": call.state == CallState.RESULTS_PUBLISHED,
            "DecisionMailState": DecisionMailState,
            "breadcrumb_data": call_crumbs(call, _("Courriers de décision")),
        },
    )


@login_required
@require_POST
@web.object_permission(MANAGE_CALL, load_call)
def outbox_prepare(request, call):
    web.run(
        request,
        decision_mails.prepare_decision_mails,
        call,
        by=request.user,
        now=timezone.now(),
        success=_("Les courriers manquants sont préparés."),
    )
    return redirect("jury:outbox", slug=call.slug)


@login_required
@require_http_methods(["GET", "POST"])
@web.object_permission(None, load_decision_mail)
def outbox_edit(request, mail):
    call = mail.proposal.call
    web.check(request, MANAGE_CALL, call)
    form = DecisionMailForm(
        request.POST or None, initial={"subject": mail.subject, "body": mail.body}
    )
    if request.method == "POST" and form.is_valid():
        outcome = web.run(
            request,
            decision_mails.edit_decision_mail,
            mail,
            by=request.user,
            now=timezone.now(),
            success=_("Courrier enregistré."),
            form=form,
            **form.cleaned_data,
        )
        if outcome:
            return redirect("jury:outbox", slug=call.slug)
    return render(
        request,
        "projects/jury/outbox_edit.html",
        {
            "page_title": _("Courrier — %(title)s") % {"title": mail.proposal.title},
            "call": call,
            "mail": mail,
            "form": form,
            "editable": mail.state == DecisionMailState.DRAFT,
            "breadcrumb_data": web.crumbs(
                (_("Mon espace"), reverse("dashboard")),
                (_("Courriers de décision"), reverse("jury:outbox", args=[call.slug])),
                current=mail.proposal.title,
            ),
        },
    )


@login_required
@require_POST
@web.object_permission(MANAGE_CALL, load_call)
def outbox_send(request, call):
    web.run(
        request,
        decision_mails.release_decision_mails,
        call,
        by=request.user,
        now=timezone.now(),
        success=_("Les courriers partent : chaque membre des équipes reçoit le sien une fois."),
    )
    return redirect("jury:outbox", slug=call.slug)
