"""The public cohort pages: the list of promotions, a promotion's page, and its open data
(laureats.csv, laureats.json) at stable addresses."""

import json
from functools import wraps

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from cohorts import opendata
from cohorts.queries.public import funnel, laureates_of, published_cohorts
from programme import spreadsheet, web

from . import load_cohort

# A hundred a page: a national promotion may hold a thousand (the open data files beside it
# always hold them all).
PUBLIC_PAGE_SIZE = 100


def visible_cohort(view):
    """Load the cohort once; a 404 for whoever may not see it yet, a visitor included (the
    sign-in page would hint that an unpublished cohort exists)."""

    @web.object_permission(None, load_cohort)
    @wraps(view)
    def wrapper(request, cohort, *args, **kwargs):
        if not request.user.has_perm("cohorts.view_cohort", cohort):
            raise Http404
        return view(request, cohort, *args, **kwargs)

    return wrapper


def cohort_index(request):
    return render(
        request,
        "cohorts/cohort_index.html",
        {
            "page_title": _("Promotions de lauréats"),
            "cohorts": published_cohorts(),
            "breadcrumb_data": web.crumbs(current=_("Promotions")),
        },
    )


@visible_cohort
def cohort_detail(request, cohort):
    return render(
        request,
        "cohorts/cohort_detail.html",
        {
            "page_title": cohort.label,
            "cohort": cohort,
            "laureates": Paginator(laureates_of(cohort), PUBLIC_PAGE_SIZE).get_page(
                request.GET.get("page")
            ),
            "funnels": funnel(cohort),
            "breadcrumb_data": web.crumbs(
                (_("Promotions"), reverse("cohorts:index")), current=cohort.label
            ),
        },
    )


def _public_rows(cohort):
    return (opendata.public_row(cohort, laureate) for laureate in laureates_of(cohort))


@visible_cohort
def cohort_csv(request, cohort):
    columns = opendata.column_names()
    return spreadsheet.csv_response(
        f"laureats-{cohort.slug}.csv",
        columns,
        ([row[name] for name in columns] for row in _public_rows(cohort)),
        french=False,
    )


@visible_cohort
def cohort_json(request, cohort):
    body = {
        "promotion": cohort.slug,
        "libelle": cohort.label,
        "programme": cohort.programme.name,
        "debut": cohort.starts_on.isoformat(),
        "fin": cohort.ends_on.isoformat(),
        "champs": {name: str(description) for name, description in opendata.FIELDS},
        "laureats": list(_public_rows(cohort)),
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
