"""The staff's pages on a call's proposals: the list, screening (one or a selection),
correction requests, retaining a défi (the exports are in `exports`).

Thin views: `web.object_permission` loads and checks the call or the proposal, `web.run`
calls the service and shows its refusal.
"""

import uuid

from crispy_forms.utils import render_crispy_form
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from calls import services as call_services
from calls.loaders import load_call
from programme import fragments, keyset, web
from projects.filters import ProposalFilter
from projects.forms.candidate import CorrectionForm, ExportForm, ScreenForm
from projects.models import Proposal
from projects.queries import proposals as queries
from projects.services import screening
from projects.views.actions import act_on_proposal, screen_many
from projects.views.loaders import call_crumbs, load_proposal

PAGE_SIZE = 50
MANAGE_CALL = "calls.manage_call"
SCREEN = "projects.screen_proposal"


def call_list_url(call) -> str:
    return reverse("projects:call-proposals", args=[call.slug])


@login_required
@require_GET
@web.object_permission(MANAGE_CALL, load_call)
def call_proposals(request, call):
    filterset = ProposalFilter(request.GET or None, queryset=queries.staff_list(call), call=call)
    sort = queries.staff_sort(request.GET.get("ordering"))
    queryset = filterset.qs
    # A keyset page of the ids (by index), then the rows of that page only.
    page = keyset.paginate(
        queries.staff_page_source(queryset, sort),
        queries.staff_keys(sort),
        request.GET.get(keyset.PARAM),
        size=PAGE_SIZE,
        salt=queries.staff_salt(call, sort),
    )
    page.rows = queries.with_eligibility_flags(
        call, queries.staff_rows([row.pk for row in page.rows])
    )
    export_form = ExportForm()
    export_form.helper.form_action = reverse("projects:export", args=[call.slug])
    return render(
        request,
        "projects/call_proposals.html",
        {
            "page_title": _("Candidatures — %(call)s") % {"call": call.edition},
            "call": call,
            "filter": filterset,
            "filter_form": _filter_form_html(request, call, filterset),
            "page": page,
            "total": queryset.count(),
            **keyset.links(request.GET, page),
            "export_form": export_form,
            # Counted by groups of facts: the list does not read every proposal of the call.
            "flagged": queries.flagged_count(call),
            "breadcrumb_data": web.crumbs(
                (_("Mon espace"), reverse("dashboard")),
                (call.programme.name, reverse("programme-manage", args=[call.programme.slug])),
                current=_("Candidatures %(call)s") % {"call": call.edition},
            ),
        },
    )


def _filter_form_html(request, call, filterset) -> str:
    """The crispy filter form, rendered once per call, défis and query string (it shows
    what was typed and its errors, nothing personal), then read from the cache."""
    defis = filterset.filters.get("defi")
    typed = fragments.typed(filterset.form, request.GET)
    parts = ["staff-filter", call.pk, call.kind, typed, filterset.is_bound]
    if defis is not None:
        parts.append(list(defis.queryset.values_list("pk", "title")))
    return fragments.render_once(parts, lambda: render_crispy_form(filterset.form))


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
@web.object_permission(MANAGE_CALL, load_call)
def screen_selection(request, call):
    ids = _uuids(request.POST.getlist("selected"))
    # The form bounds the decision and the reason (a NUL byte was a server error).
    form = ScreenForm(request.POST)
    form.is_valid()
    decision = form.cleaned_data.get("decision")
    reason = form.cleaned_data.get("reason")
    selection = list(
        Proposal.objects.filter(call=call, public_id__in=ids).select_related("call__programme")
    )
    if not selection or decision not in ("eligible", "ineligible"):
        messages.error(request, _("Cochez au moins une candidature et choisissez la décision."))
    elif reason is None:
        messages.error(request, " ".join(form.errors.get("reason", [])))
    else:
        screen_many(request, selection, eligible=decision == "eligible", reason=reason)
    return redirect(call_list_url(call))


@login_required
@require_POST
@web.object_permission(SCREEN, load_proposal, private=True)
def screen(request, proposal):
    eligible = request.POST.get("decision") == "eligible"
    return act_on_proposal(
        request,
        proposal,
        screening.mark_eligible if eligible else screening.mark_ineligible,
        form=ScreenForm(request.POST),
        fields=() if eligible else ("reason",),
        success=_("Recevabilité enregistrée."),
    )


@login_required
@require_POST
@web.object_permission(SCREEN, load_proposal, private=True)
def request_correction(request, proposal):
    return act_on_proposal(
        request,
        proposal,
        screening.request_correction,
        form=CorrectionForm(request.POST),
        fields=("reason", "deadline"),
        invalid=_("Précisez la correction attendue et sa date limite."),
        success=_("Correction demandée ; l'équipe est prévenue."),
    )


@login_required
@require_POST
@web.object_permission(SCREEN, load_proposal, private=True)
def retain_defi(request, proposal):
    """EIG: staff retain an administration's proposal as a défi of its call."""
    outcome = web.run(
        request, call_services.retain_defi, proposal, by=request.user, now=timezone.now()
    )
    if outcome:
        messages.success(
            request,
            _("« %(title)s » est retenu comme défi : les candidats pourront s'y porter.")
            % {"title": outcome.value.title},
        )
    return redirect(proposal.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
@web.object_permission(MANAGE_CALL, load_call)
def screen_flagged(request, call):
    """The bulk screening of the proposals that break a condition of the call: the list and
    its confirmation (GET), then each declared ineligible with its reasons (POST)."""
    if request.method == "POST":
        web.run(
            request,
            screening.screen_flagged,
            call,
            by=request.user,
            now=timezone.now(),
            success=_(
                "Les candidatures signalées sont déclarées irrecevables ; leurs courriers "
                "attendent dans la boîte d'envoi des décisions."
            ),
        )
        return redirect("projects:call-proposals", slug=call.slug)
    flagged = queries.flagged_for_screening(call)
    consequences = [
        _("« %(title)s » (%(reference)s) : %(why)s")
        % {
            "title": proposal.title,
            "reference": proposal.reference,
            "why": " ".join(breach.message for breach in proposal.eligibility_flags),
        }
        for proposal in flagged
    ] or [_("Aucune candidature à examiner n'est signalée.")]
    consequences.append(
        _(
            "Ces %(n)s candidatures deviennent « Irrecevable », avec ces motifs ; leurs équipes "
            "le lisent dans leur courrier, envoyé avec les résultats. Un examen reste "
            "corrigeable une à une."
        )
        % {"n": len(flagged)}
    )
    return web.confirm(
        request,
        web.Confirmation(
            title=_("Écarter les candidatures signalées ?"),
            subject=str(call),
            consequences=consequences,
            action=reverse("projects:screen-flagged", args=[call.slug]),
            label=_("Déclarer irrecevables"),
            cancel=reverse("projects:call-proposals", args=[call.slug]),
            irreversible=False,
        ),
        breadcrumb=call_crumbs(call, _("Candidatures signalées")),
    )
