"""Pages of the auditions and the deliberation: shortlist and slots (staff), the audition
grid (jurors), the deliberation and its outbox (staff), the public results of a call.

Thin views: check the rule, call a query or a service, render. Jurors reach only what
`auditions.juror_auditions` / `audition_for` give them, so a conflicted proposal is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from calls.enums import CallState
from calls.models import Call
from cohorts.queries.public import funnel_of_calls
from programme.web import crumbs
from projects.enums import DecisionMailState, ProposalState
from projects.forms.deliberation import (
    AuditionCriterionForm,
    AuditionGridForm,
    DecisionForm,
    DecisionMailForm,
    ShortlistTopForm,
    SlotForm,
    UnshortlistForm,
    WeightsForm,
)
from projects.models import DecisionMail, Proposal
from projects.services import auditions, deliberation
from projects.views.jury import _call, _call_crumbs, _run, _seat, _staff_call

PUBLISHED = frozenset({CallState.RESULTS_PUBLISHED, CallState.ARCHIVED})


def _errors(request, form) -> None:
    messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))


def _staff_proposal(request, public_id) -> Proposal:
    proposal = get_object_or_404(
        Proposal.objects.select_related("call__programme"), public_id=public_id
    )
    _staff_call(request, proposal.call.slug)
    return proposal


# --- Staff: shortlist, grid and slots -----------------------------------------------------


@login_required
@require_GET
def audition_list(request, slug):
    call = _staff_call(request, slug)
    top_form = ShortlistTopForm()
    top_form.helper.form_action = reverse("jury:shortlist-top", args=[call.slug])
    criterion_form = AuditionCriterionForm()
    criterion_form.helper.form_action = reverse("jury:audition-criterion-add", args=[call.slug])
    rows = list(auditions.shortlist_candidates(call))
    return render(
        request,
        "projects/jury/auditions.html",
        {
            "page_title": _("Auditions — %(call)s") % {"call": call.edition},
            "call": call,
            "rows": rows,
            "shortlisted_count": sum(r.state == ProposalState.SHORTLISTED for r in rows),
            "open": call.state in auditions.SHORTLIST_STATES,
            "grid": auditions.grid(call),
            "top_form": top_form,
            "criterion_form": criterion_form,
            "breadcrumb_data": _call_crumbs(call, _("Auditions")),
        },
    )


@login_required
@require_POST
def shortlist_top(request, slug):
    call = _staff_call(request, slug)
    form = ShortlistTopForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
    else:
        _run(
            request,
            auditions.shortlist_top,
            call,
            form.cleaned_data["n"],
            success=_("Les premières du classement sont retenues pour audition."),
        )
    return redirect("jury:auditions", slug=call.slug)


@login_required
@require_POST
def shortlist(request, public_id):
    proposal = _staff_proposal(request, public_id)
    _run(request, auditions.shortlist, proposal, success=_("Candidature retenue pour audition."))
    return redirect("jury:auditions", slug=proposal.call.slug)


@login_required
@require_POST
def unshortlist(request, public_id):
    proposal = _staff_proposal(request, public_id)
    form = UnshortlistForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
    else:
        _run(
            request,
            auditions.unshortlist,
            proposal,
            reason=form.cleaned_data["reason"],
            success=_("La candidature n'est plus retenue pour audition."),
        )
    return redirect("jury:auditions", slug=proposal.call.slug)


@login_required
@require_POST
def add_audition_criterion(request, slug):
    call = _staff_call(request, slug)
    form = AuditionCriterionForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
    else:
        _run(
            request,
            auditions.add_audition_criterion,
            call,
            success=_("Le critère est ajouté à la grille d'audition."),
            **form.cleaned_data,
        )
    return redirect("jury:auditions", slug=call.slug)


@login_required
@require_http_methods(["GET", "POST"])
def audition_slot(request, public_id):
    proposal = _staff_proposal(request, public_id)
    call = proposal.call
    audition = getattr(proposal, "audition", None)
    initial = {}
    if audition is not None:
        initial = {
            "starts_at": audition.starts_at,
            "duration_minutes": audition.duration_minutes,
            "room": audition.room,
            "video_link": audition.video_link,
        }
    form = SlotForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not form.is_valid():
            _errors(request, form)
        elif (
            _run(
                request,
                auditions.schedule_audition,
                proposal,
                success=_("Créneau enregistré : l'équipe reçoit sa convocation."),
                **form.cleaned_data,
            )
            is not None
        ):
            return redirect("jury:auditions", slug=call.slug)
    return render(
        request,
        "projects/jury/audition_slot.html",
        {
            "page_title": _("Créneau d'audition — %(title)s") % {"title": proposal.title},
            "call": call,
            "proposal": proposal,
            "audition": audition,
            "form": form,
            "breadcrumb_data": crumbs(
                (_("Mon espace"), reverse("dashboard")),
                (_("Auditions"), reverse("jury:auditions", args=[call.slug])),
                current=proposal.title,
            ),
        },
    )


# --- Jurors: the audition grid --------------------------------------------------------------


@login_required
@require_GET
def my_auditions(request, slug):
    call = _call(slug)
    seat = _seat(request, call)
    rows = list(auditions.juror_auditions(seat))
    for row in rows:
        row.mine = row.own_evaluation[0] if row.own_evaluation else None
    return render(
        request,
        "projects/jury/my_auditions.html",
        {
            "page_title": _("Mes auditions — %(call)s") % {"call": call.edition},
            "call": call,
            "rows": rows,
            "open": call.state == auditions.AUDITION_SCORING_STATE,
            "breadcrumb_data": crumbs(
                (_("Mon espace"), reverse("dashboard")), current=_("Mes auditions")
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def audition_score(request, public_id):
    seat, proposal = auditions.audition_for(request.user, public_id)
    if proposal is None:
        raise Http404  # not on the jury, or in conflict: the proposal stays private
    call = proposal.call
    evaluation = proposal.audition_evaluations.filter(juror=seat).first()
    criteria = auditions.grid(call)
    form = AuditionGridForm(request.POST or None, criteria=criteria, evaluation=evaluation)
    if request.method == "POST" and form.is_valid():
        done = _run(
            request,
            auditions.score_audition,
            proposal,
            scores=form.scores(),
            comment=form.cleaned_data["comment"],
            success=_("Vos notes d'audition sont enregistrées."),
        )
        if done is not None:
            return redirect("jury:audition-score", public_id=proposal.public_id)
    return render(
        request,
        "projects/jury/audition_score.html",
        {
            "page_title": _("Audition de « %(title)s »") % {"title": proposal.title},
            "call": call,
            "proposal": proposal,
            "evaluation": evaluation,
            "open": call.state == auditions.AUDITION_SCORING_STATE,
            "form": form,
            "breadcrumb_data": crumbs(
                (_("Mon espace"), reverse("dashboard")),
                (_("Mes auditions"), reverse("jury:my-auditions", args=[call.slug])),
                current=proposal.title,
            ),
        },
    )


# --- Staff: deliberation, outbox, publication ----------------------------------------------


@login_required
@require_GET
def deliberation_page(request, slug):
    return _deliberation(request, _staff_call(request, slug))


def _deliberation(request, call, refused=None, status=200):
    """The deliberation page; `refused` is a (proposal id, bound form) whose decision was
    refused, shown again open with what staff typed and the reason."""
    criteria = list(call.criteria.all())
    rows = list(
        deliberation.final_ranking(call, criteria).prefetch_related(
            deliberation.audition_scores_of_page()
        )
    )
    deciding = call.state == CallState.DELIBERATION
    spent = deliberation.envelope_spent(call) if call.offers_funding else None
    for row in rows:
        row.ceiling = deliberation.amount_ceiling(call, row, spent) if spent is not None else None
        decision = getattr(row, "decision", None)
        initial = {}
        if decision is not None:
            initial = {
                "outcome": decision.outcome,
                "justification": decision.justification,
                "amount_granted": decision.amount_granted,
            }
        if refused is not None and refused[0] == row.pk:
            row.form, row.refused = refused[1], True
        else:
            row.form = DecisionForm(
                initial=initial, funding=call.offers_funding, auto_id=f"id_{row.pk}_%s"
            )
        row.form.helper.form_action = reverse("jury:decide", args=[row.public_id])
    weights_form = WeightsForm(
        initial={"written": call.written_weight, "audition": call.audition_weight}
    )
    weights_form.helper.form_action = reverse("jury:weights", args=[call.slug])
    return render(
        request,
        "projects/jury/deliberation.html",
        {
            "page_title": _("Délibération — %(call)s") % {"call": call.edition},
            "call": call,
            "rows": rows,
            "deciding": deciding,
            "published": call.state in PUBLISHED,
            "undecided": sum(getattr(r, "decision", None) is None for r in rows),
            "spent": spent,
            "left": call.envelope - spent if spent is not None and call.envelope else None,
            "weights_form": weights_form,
            "breadcrumb_data": _call_crumbs(call, _("Délibération")),
        },
        status=status,
    )


@login_required
@require_POST
def weights(request, slug):
    call = _staff_call(request, slug)
    form = WeightsForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
    else:
        _run(
            request,
            deliberation.set_final_weights,
            call,
            success=_("Les poids du classement final sont enregistrés."),
            **form.cleaned_data,
        )
    return redirect("jury:deliberation", slug=call.slug)


@login_required
@require_POST
def decide(request, public_id):
    proposal = _staff_proposal(request, public_id)
    form = DecisionForm(
        request.POST, funding=proposal.call.offers_funding, auto_id=f"id_{proposal.pk}_%s"
    )
    if not form.is_valid():
        _errors(request, form)
        done = None
    else:
        done = _run(
            request,
            deliberation.decide,
            proposal,
            outcome=form.cleaned_data["outcome"],
            justification=form.cleaned_data["justification"],
            amount_granted=form.cleaned_data.get("amount_granted"),
            success=_("Décision enregistrée pour « %(title)s ».") % {"title": proposal.title},
        )
    if done is None:
        # Refused: the page again, this decision open with what was typed.
        return _deliberation(request, proposal.call, refused=(proposal.pk, form), status=400)
    return redirect(reverse("jury:deliberation", args=[proposal.call.slug]) + f"#p-{proposal.pk}")


@login_required
@require_POST
def publish(request, slug):
    call = _staff_call(request, slug)
    done = _run(
        request,
        deliberation.publish_results,
        call,
        success=_("Résultats publiés : chaque équipe voit sa décision. Relisez les courriers."),
    )
    if done is not None:
        return redirect("jury:outbox", slug=call.slug)
    return redirect("jury:deliberation", slug=call.slug)


@login_required
@require_GET
def outbox(request, slug):
    call = _staff_call(request, slug)
    mails = list(deliberation.outbox(call))
    return render(
        request,
        "projects/jury/outbox.html",
        {
            "page_title": _("Courriers de décision — %(call)s") % {"call": call.edition},
            "call": call,
            "mails": mails,
            "drafts": sum(m.state == DecisionMailState.DRAFT for m in mails),
            "can_prepare": call.state in deliberation.OUTBOX_STATES,
            "can_send": call.state == CallState.RESULTS_PUBLISHED,
            "breadcrumb_data": _call_crumbs(call, _("Courriers de décision")),
        },
    )


@login_required
@require_POST
def outbox_prepare(request, slug):
    call = _staff_call(request, slug)
    _run(
        request,
        deliberation.prepare_decision_mails,
        call,
        success=_("Les courriers manquants sont préparés."),
    )
    return redirect("jury:outbox", slug=call.slug)


@login_required
@require_http_methods(["GET", "POST"])
def outbox_edit(request, pk):
    mail = get_object_or_404(
        DecisionMail.objects.select_related("proposal__call__programme", "proposal__decision"),
        pk=pk,
    )
    call = _staff_call(request, mail.proposal.call.slug)
    form = DecisionMailForm(
        request.POST or None, initial={"subject": mail.subject, "body": mail.body}
    )
    if request.method == "POST":
        if not form.is_valid():
            _errors(request, form)
        elif (
            _run(
                request,
                deliberation.edit_decision_mail,
                mail,
                success=_("Courrier enregistré."),
                **form.cleaned_data,
            )
            is not None
        ):
            return redirect("jury:outbox", slug=call.slug)
    return render(
        request,
        "projects/jury/outbox_edit.html",
        {
            "page_title": _("Courrier — %(title)s") % {"title": mail.proposal.title},
            "call": call,
            "mail": mail,
            "form": form,
            "breadcrumb_data": crumbs(
                (_("Mon espace"), reverse("dashboard")),
                (_("Courriers de décision"), reverse("jury:outbox", args=[call.slug])),
                current=mail.proposal.title,
            ),
        },
    )


@login_required
@require_POST
def outbox_send(request, slug):
    call = _staff_call(request, slug)
    _run(
        request,
        deliberation.release_decision_mails,
        call,
        success=_("Les courriers partent : chaque membre des équipes reçoit le sien une fois."),
    )
    return redirect("jury:outbox", slug=call.slug)


# --- Visitors: the results of a call ---------------------------------------------------------


@require_GET
def results(request, slug):
    call = get_object_or_404(Call.objects.select_related("programme"), slug=slug)
    if call.state not in PUBLISHED:
        raise Http404  # nobody sees an unpublished result, staff included
    return render(
        request,
        "projects/results.html",
        {
            "page_title": _("Résultats — %(call)s") % {"call": call.edition},
            "call": call,
            "laureates": deliberation.results(call),
            "funnels": funnel_of_calls(Call.objects.filter(pk=call.pk)),
            "breadcrumb_data": crumbs(
                (call.edition, call.get_absolute_url()), current=_("Résultats")
            ),
        },
    )
