"""Expertise pages: the call's themes (staff), a juror's themes and bids, a proposal's
themes (staff) and the assignment matrix (staff).

Thin views: `web.object_permission` loads and checks, a query or `web.run(service)`, render.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from calls.loaders import load_call
from programme import keyset, web
from projects.forms.expertise import (
    BID_CHOICES,
    BidsForm,
    CallThemesForm,
    MatrixFilterForm,
    ThemeChoiceForm,
)
from projects.queries import expertise as queries
from projects.services import expertise
from projects.views.loaders import call_crumbs, juror_seat, load_proposal, say_form_errors

MANAGE_CALL = "calls.manage_call"
BIDS_PAGE_SIZE = 25
MATRIX_PAGE_SIZE = 20
MATRIX_JURORS = 25  # juror columns per page of the matrix


@login_required
@require_POST
@web.object_permission(MANAGE_CALL, load_call)
def call_themes(request, call):
    form = CallThemesForm(request.POST)
    if not form.is_valid():
        say_form_errors(request, form)
    else:
        web.run(
            request,
            expertise.set_call_themes,
            call,
            form.names(),
            by=request.user,
            now=timezone.now(),
            success=_("Les thèmes de l'appel sont enregistrés."),
        )
    return redirect("jury:panel", slug=call.slug)


def _theme_filter(request, call):
    wanted = request.GET.get("theme") or ""
    return next((t for t in call.themes.all() if str(t.pk) == wanted), None)


@login_required
@require_http_methods(["GET", "POST"])
@web.object_permission(None, load_call)
def bids(request, call):
    """The juror's fast list: their themes, then one form with a bid per proposal of the
    page (filterable by theme, keyset pages); "conflit d'intérêts" declares the conflict.
    The form posts to the page's own address (cursor and filters), and comes back to it."""
    seat = juror_seat(request, call)
    theme = _theme_filter(request, call)
    page = keyset.paginate(
        queries.bid_list(seat, theme=theme),
        queries.proposal_keys(),
        request.GET.get(keyset.PARAM),
        size=BIDS_PAGE_SIZE,
        salt=f"bids:{call.pk}",
    )
    themes_form = ThemeChoiceForm(call=call, initial={"themes": list(seat.themes.all())})
    themes_form.helper.form_action = reverse("jury:my-themes", args=[call.slug])
    bids_form = BidsForm(
        request.POST if request.method == "POST" else None,
        proposals=page.rows,  # a bid for a proposal of another page is not read
        initial={f"bid_{p.pk}": p.my_bid or "" for p in page.rows},
    )
    if request.method == "POST" and bids_form.is_valid():
        outcome = web.run(
            request,
            expertise.save_bids,
            seat,
            bids_form.choices(),
            by=request.user,
            now=timezone.now(),
            form=bids_form,
        )
        if outcome:
            counts = outcome.value
            messages.success(
                request,
                _(
                    "Souhaits enregistrés : %(written)s modifiés, %(cleared)s retirés, "
                    "%(declared)s conflits d'intérêts déclarés."
                )
                % counts,
            )
            return redirect(request.get_full_path())
    rows = [
        {
            "proposal": p,
            "field": f"bid_{p.pk}",
            "current": (bids_form.data.get(f"bid_{p.pk}") if bids_form.is_bound else None)
            or p.my_bid
            or "",
        }
        for p in page.rows
    ]
    return render(
        request,
        "projects/jury/bids.html",
        {
            "page_title": _("Mes souhaits d'évaluation — %(call)s") % {"call": call.edition},
            "call": call,
            "seat": seat,
            "themes": list(call.themes.all()),
            "theme": theme,
            "themes_form": themes_form,
            "bids_form": bids_form,
            "choices": BID_CHOICES,
            "rows": rows,
            "page": page,
            **keyset.links(request.GET, page),
            "breadcrumb_data": web.crumbs(
                (_("Mon espace"), reverse("dashboard")),
                (_("Mes évaluations"), reverse("jury:mine", args=[call.slug])),
                current=_("Mes souhaits d'évaluation"),
            ),
        },
    )


@login_required
@require_POST
@web.object_permission(None, load_call)
def my_themes(request, call):
    seat = juror_seat(request, call)
    form = ThemeChoiceForm(request.POST, call=call)
    if not form.is_valid():
        say_form_errors(request, form)
    else:
        web.run(
            request,
            expertise.declare_themes,
            seat,
            [t.pk for t in form.cleaned_data["themes"]],
            by=request.user,
            now=timezone.now(),
            success=_("Vos thèmes sont enregistrés."),
        )
    return redirect("jury:bids", slug=call.slug)


@login_required
@require_POST
@web.object_permission(None, load_proposal)
def proposal_themes(request, proposal):
    web.check(request, MANAGE_CALL, proposal.call, private=True)
    form = ThemeChoiceForm(request.POST, call=proposal.call)
    if not form.is_valid():
        say_form_errors(request, form)
    else:
        web.run(
            request,
            expertise.tag_proposal,
            proposal,
            [t.pk for t in form.cleaned_data["themes"]],
            by=request.user,
            now=timezone.now(),
            success=_("Les thèmes de la candidature sont enregistrés."),
        )
    return redirect("jury:proposal", public_id=proposal.public_id)


def _pair(value: str):
    try:
        p, j = value.split("-", 1)
        return int(p), int(j)
    except ValueError:
        return None


@login_required
@require_http_methods(["GET", "POST"])
@web.object_permission(MANAGE_CALL, load_call)
def matrix(request, call):
    """Proposals x jurors: bids, assignments and conflicts; checkboxes to add and remove
    assignments by hand, several at once, in one POST."""
    if request.method == "POST":
        # The page's proposals (one field each, not one per cell: a page of 20 proposals x
        # 300 jurors would pass Django's limit of 1,000 fields) times the call's jurors.
        rows = {int(v) for v in request.POST.getlist("row") if v.isdigit()}
        columns = {int(v) for v in request.POST.getlist("col") if v.isdigit()}
        shown = {(p, j) for p in rows for j in columns}
        checked = {pair for v in request.POST.getlist("cell") if (pair := _pair(v))} & shown
        current = set(queries.matrix_cells(call, {p for p, _j in shown})["assigned"])
        outcome = web.run(
            request,
            expertise.adjust_assignments,
            call,
            add=checked - current,
            remove=(shown & current) - checked,
            by=request.user,
            now=timezone.now(),
        )
        if outcome:
            added, removed = outcome.value
            messages.success(
                request,
                _("Attributions ajustées : %(added)s ajoutées, %(removed)s retirées.")
                % {"added": added, "removed": removed},
            )
        return redirect(f"{reverse('jury:matrix', args=[call.slug])}?{request.GET.urlencode()}")
    filters = MatrixFilterForm(request.GET or None, call=call)
    theme, under, k = None, None, 3
    if filters.is_bound and filters.is_valid():
        theme = filters.cleaned_data["theme"]
        k = filters.cleaned_data["k"] or 3
        under = k if filters.cleaned_data["under"] else None
    proposals = queries.matrix_proposals(call, theme=theme, under=under)
    page = keyset.paginate(
        proposals,
        queries.proposal_keys(),
        request.GET.get(keyset.PARAM),
        size=MATRIX_PAGE_SIZE,
        salt=f"matrix:{call.pk}",
    )
    # Columns are paged too: a page of 300 jurors would be neither readable nor light.
    columns = Paginator(list(queries.matrix_jurors(call)), MATRIX_JURORS).get_page(
        request.GET.get("jures")
    )
    jurors = list(columns)
    cells = queries.matrix_cells(call, [p.pk for p in page.rows])
    rows = [
        {
            "proposal": p,
            "short": p.assigned < k,
            "cells": [
                {
                    "juror": j,
                    "value": f"{p.pk}-{j.pk}",
                    "assigned": (p.pk, j.pk) in cells["assigned"],
                    "started": cells["assigned"].get((p.pk, j.pk), False),
                    "bid": cells["bids"].get((p.pk, j.pk)),
                    "conflict": (p.pk, j.pk) in cells["conflicts"],
                }
                for j in jurors
            ],
        }
        for p in page.rows
    ]
    return render(
        request,
        "projects/jury/matrix.html",
        {
            "page_title": _("Matrice d'attribution — %(call)s") % {"call": call.edition},
            "call": call,
            "filters": filters,
            "k": k,
            "jurors": jurors,
            "columns": columns,
            "rows": rows,
            "page": page,
            **keyset.links(request.GET, page),
            "total": proposals.count(),
            "bid_labels": dict(BID_CHOICES),
            "breadcrumb_data": call_crumbs(
                call,
                _("Matrice d'attribution"),
                (_("Jury"), reverse("jury:panel", args=[call.slug])),
            ),
        },
    )
