"""The deliberation page (staff): the final ranking, the weights, each decision and the
publication of the results. The decision mails are in `projects.views.outbox`, the public
results in `projects.views.results`.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from calls.enums import CallState
from calls.funding import ceiling
from calls.loaders import load_call
from programme import web
from projects.enums import DecisionOutcome
from projects.forms.deliberation import DecisionForm, WeightsForm
from projects.queries import deliberation as deliberation_queries
from projects.services import deliberation
from projects.views.loaders import call_crumbs, load_proposal, say_form_errors

MANAGE_CALL = "calls.manage_call"
SCREEN_PROPOSAL = "projects.screen_proposal"  # the programme's staff, as for its call


@login_required
@require_GET
@web.object_permission(MANAGE_CALL, load_call)
def deliberation_page(request, call):
    return _deliberation(request, call)


def _own_amount(row):
    decision = getattr(row, "decision", None)
    return decision.amount_granted if decision and decision.amount_granted else 0


def _deliberation(request, call, refused=None, status=200):
    """The deliberation page; `refused` is a (proposal id, bound form) whose decision was
    refused, shown again open with what staff typed and the reason."""
    criteria = list(call.criteria.all())
    rows = list(
        deliberation_queries.final_ranking(call, criteria).prefetch_related(
            deliberation_queries.audition_scores_of_page()
        )
    )
    spent = deliberation_queries.envelope_spent(call) if call.offers_funding else None
    for row in rows:
        row.ceiling = None
        if spent is not None:
            row.ceiling = ceiling(
                call, yearly_budget=row.yearly_budget, others_granted=spent - _own_amount(row)
            )
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
            "deciding": call.state == CallState.DELIBERATION,
            "published": call.state in CallState.results_states,
            "undecided": sum(getattr(r, "decision", None) is None for r in rows),
            "selected": sum(
                getattr(r, "decision", None) is not None
                and r.decision.outcome == DecisionOutcome.SELECTED
                for r in rows
            ),
            "spent": spent,
            "left": call.envelope - spent if spent is not None and call.envelope else None,
            "weights_form": weights_form,
            "breadcrumb_data": call_crumbs(call, _("Délibération")),
        },
        status=status,
    )


@login_required
@require_POST
@web.object_permission(MANAGE_CALL, load_call)
def weights(request, call):
    form = WeightsForm(request.POST)
    if not form.is_valid():
        say_form_errors(request, form)
    else:
        web.run(
            request,
            deliberation.set_final_weights,
            call,
            by=request.user,
            now=timezone.now(),
            success=_("Les poids du classement final sont enregistrés."),
            **form.cleaned_data,
        )
    return redirect("jury:deliberation", slug=call.slug)


@login_required
@require_POST
@web.object_permission(SCREEN_PROPOSAL, load_proposal)
def decide(request, proposal):
    form = DecisionForm(
        request.POST, funding=proposal.call.offers_funding, auto_id=f"id_{proposal.pk}_%s"
    )
    done = form.is_valid() and web.run(
        request,
        deliberation.decide,
        proposal,
        by=request.user,
        now=timezone.now(),
        outcome=form.cleaned_data["outcome"],
        justification=form.cleaned_data["justification"],
        amount_granted=form.cleaned_data.get("amount_granted"),
        success=_("Décision enregistrée pour « %(title)s ».") % {"title": proposal.title},
        form=form,
    )
    if not done:
        # Refused: the page again, this decision open with what was typed.
        return _deliberation(request, proposal.call, refused=(proposal.pk, form), status=400)
    return redirect(reverse("jury:deliberation", args=[proposal.call.slug]) + f"#p-{proposal.pk}")


@login_required
@require_http_methods(["GET", "POST"])
@web.object_permission(MANAGE_CALL, load_call)
def publish(request, call):
    """Publish the results: its confirmation (GET: who is told what), then the publication."""
    if request.method == "GET":
        audience = deliberation_queries.publication_audience(call)
        consequences = [
            _(
                "Chaque équipe voit sa décision sur la page de sa candidature (lauréates : "
                "%(selected)s ; non retenues : %(not_selected)s)."
            )
            % audience,
            _("Les lauréates paraissent sur la page publique des résultats de l'appel."),
        ]
        if audience["selected"] > call.laureates_target:
            consequences.append(
                _("Attention : %(x)s lauréates pour un objectif de %(target)s.")
                % {"x": audience["selected"], "target": call.laureates_target}
            )
        if audience["left_out"]:
            consequences.append(
                _(
                    "%(n)s candidatures recevables non auditionnées deviennent « Non retenue "
                    "pour audition »."
                )
                % {"n": audience["left_out"]}
            )
        consequences.append(
            _(
                "Les courriers de %(teams)s équipes (%(people)s personnes) sont préparés dans "
                "la boîte d'envoi : ils ne partent que lorsque vous les envoyez."
            )
            % audience
        )
        return web.confirm(
            request,
            web.Confirmation(
                title=_("Publier les résultats ?"),
                subject=str(call),
                consequences=consequences,
                action=reverse("jury:publish-results", args=[call.slug]),
                label=_("Publier les résultats"),
                cancel=reverse("jury:deliberation", args=[call.slug]),
            ),
            breadcrumb=call_crumbs(call, _("Publier les résultats")),
        )
    outcome = web.run(
        request,
        deliberation.publish_results,
        call,
        by=request.user,
        now=timezone.now(),
        success=_("Résultats publiés : chaque équipe voit sa décision. Relisez les courriers."),
    )
    return redirect("jury:outbox" if outcome else "jury:deliberation", slug=call.slug)
