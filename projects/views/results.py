"""The public results of a call: its laureates and its funnel, once published."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from calls.enums import CallState
from calls.loaders import load_call
from calls.models import Call
from programme import web
from projects.queries import deliberation as deliberation_queries
from projects.queries.funnel import funnel_of_calls


@require_GET
@web.object_permission(None, load_call)
def results(request, call):
    if call.state not in CallState.results_states:
        # A call whose promotion was selected before the portal: its results are that
        # promotion's published page (laureates and the recorded figures of the selection).
        promotion = call.selected_cohorts.filter(published_at__isnull=False).first()
        if promotion is not None:
            return redirect(promotion.get_absolute_url())
        raise Http404  # nobody sees an unpublished result, staff included
    return render(
        request,
        "projects/results.html",
        {
            "page_title": _("Résultats — %(call)s") % {"call": call.edition},
            "call": call,
            "laureates": deliberation_queries.results(call),
            "funnels": funnel_of_calls(Call.objects.filter(pk=call.pk)),
            "breadcrumb_data": web.crumbs(
                (call.edition, call.get_absolute_url()), current=_("Résultats")
            ),
        },
    )
