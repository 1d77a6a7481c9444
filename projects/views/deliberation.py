"""The deliberation page (staff): the final ranking, the weights, each decision and the
publication of the results. The decision mails are in `projects.views.outbox`, the public
results in `projects.views.results`.
"""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from calls.enums import CallState
from calls.funding import ceiling
from calls.loaders import load_call
from programme import keyset, web
from projects.forms.deliberation import DecisionForm, WeightsForm
from projects.queries import deliberation as deliberation_queries
from projects.services import deliberation, rankings
from projects.views.loaders import call_crumbs, load_proposal, say_form_errors

MANAGE_CALL = "calls.manage_call"
SCREEN_PROPOSAL = "projects.screen_proposal"  # the programme's staff, as for its call


@login_required
@require_GET
@web.object_permission(MANAGE_CALL, load_call)
def deliberation_page(request, call):
    return _deliberation(request, call)


# Rows per page of the deliberation: read-only rows; one decision form opens on demand.
PAGE_SIZE = 50


def _own_amount(row):
    decision = getattr(row, "decision", None)
    return decision.amount_granted if decision and decision.amount_granted else 0


def _with_ceilings(call, rows, spent):
    for row in rows:
        row.ceiling = None
        if spent is not None:
            row.ceiling = ceiling(
                call, yearly_budget=row.yearly_budget, others_granted=spent - _own_amount(row)
            )


def _deliberation(request, call):
    """The deliberation page: a keyset page of the final ranking, each row read-only with a
    link that opens its decision form (fetched in place by static/js/decision-form.js, or
    the one-row page without scripts). No form is built for the rows."""
    criteria = list(call.criteria.all())
    rankings.ensure(call, now=timezone.now())
    cursor = request.GET.get(keyset.PARAM)
    pool = deliberation_queries.deliberated(call)
    page = keyset.paginate(
        deliberation_queries.final_ranking(call, criteria, pool=pool).prefetch_related(
            deliberation_queries.audition_scores_of_page()
        ),
        deliberation_queries.FINAL_KEYS,
        cursor,
        size=PAGE_SIZE,
        salt=f"deliberation:{call.pk}",
    )
    spent = deliberation_queries.envelope_spent(call) if call.offers_funding else None
    _with_ceilings(call, page.rows, spent)
    back = f"?{urlencode({keyset.PARAM: cursor})}" if cursor else ""
    for rank, row in enumerate(page.rows, start=page.start + 1):
        row.rank = rank
        row.decide_url = reverse("jury:decide", args=[row.public_id]) + back
    weights_form = WeightsForm(
        initial={"written": call.written_weight, "audition": call.audition_weight}
    )
    weights_form.helper.form_action = reverse("jury:weights", args=[call.slug])
    here = reverse("jury:deliberation", args=[call.slug])
    return render(
        request,
        "projects/jury/deliberation.html",
        {
            "page_title": _("Délibération — %(call)s") % {"call": call.edition},
            "call": call,
            "rows": page.rows,
            "page": page,
            "first_url": here,
            "next_url": f"{here}?{urlencode({keyset.PARAM: page.next})}" if page.next else "",
            "deciding": call.state == CallState.DELIBERATION,
            "published": call.state in CallState.results_states,
            "undecided": deliberation_queries.undecided_count(call, pool),
            "selected": deliberation_queries.selected_count(call),
            "spent": spent,
            "left": call.envelope - spent if spent is not None and call.envelope else None,
            "weights_form": weights_form,
            "breadcrumb_data": call_crumbs(call, _("Délibération")),
        },
    )


def _decision_form(call, proposal, data=None):
    decision = getattr(proposal, "decision", None)
    initial = {}
    if decision is not None:
        initial = {
            "outcome": decision.outcome,
            "justification": decision.justification,
            "amount_granted": decision.amount_granted,
        }
    form = DecisionForm(
        data, initial=initial, funding=call.offers_funding, auto_id=f"id_{proposal.pk}_%s"
    )
    form.helper.form_action = reverse("jury:decide", args=[proposal.public_id])
    form.helper.form_id = f"p-{proposal.pk}-decision-form"
    return form


def _decision_page(request, proposal, form, *, status=200):
    """The one-row page of a decision (the form open), or with `?fragment=1` only the form,
    the partial that static/js/decision-form.js swaps into the deliberation's row."""
    call = proposal.call
    criteria = list(call.criteria.all())
    rankings.ensure(call, now=timezone.now())
    row = (
        deliberation_queries.final_ranking(call, criteria)
        .prefetch_related(deliberation_queries.audition_scores_of_page())
        .filter(pk=proposal.pk)
        .first()
    )
    if row is None:
        raise Http404
    spent = deliberation_queries.envelope_spent(call) if call.offers_funding else None
    _with_ceilings(call, [row], spent)
    cursor = request.POST.get(keyset.PARAM) or request.GET.get(keyset.PARAM) or ""
    back = reverse("jury:deliberation", args=[call.slug])
    if cursor:
        back += f"?{urlencode({keyset.PARAM: cursor})}"
    template = "projects/jury/decision.html"
    fragment = request.method == "GET" and request.GET.get("fragment") == "1"
    return render(
        request,
        f"{template}#decision-form" if fragment else template,
        {
            "page_title": _("Décision — %(title)s") % {"title": proposal.title},
            "call": call,
            "row": row,
            "form": form,
            "cursor": cursor,
            "back_url": f"{back}#p-{row.pk}",
            "deciding": call.state == CallState.DELIBERATION,
            "refused": status != 200,
            "breadcrumb_data": web.crumbs(
                (_("Délibération"), back),
                current=proposal.title,
            ),
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
@require_http_methods(["GET", "POST"])
@web.object_permission(SCREEN_PROPOSAL, load_proposal)
def decide(request, proposal):
    """GET: the decision form of one proposal (its one-row page, or the fragment swapped
    into the deliberation). POST: record the decision, back to the deliberation's page."""
    call = proposal.call
    if request.method == "GET":
        if not deliberation_queries.deliberated(call).filter(pk=proposal.pk).exists():
            raise Http404
        return _decision_page(request, proposal, _decision_form(call, proposal))
    form = _decision_form(call, proposal, request.POST)
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
        # Refused: the decision's page again, the form open with what was typed.
        return _decision_page(request, proposal, form, status=400)
    back = reverse("jury:deliberation", args=[call.slug])
    cursor = request.POST.get(keyset.PARAM)
    if cursor:
        back += f"?{urlencode({keyset.PARAM: cursor})}"
    return redirect(f"{back}#p-{proposal.pk}")


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
