"""The public cohort pages: the list of promotions, a promotion's page, and its open data
(laureats.csv, laureats.json) at stable addresses; the dataset of all promotions, its Table
Schema, the catalogue (HTML and DCAT JSON-LD) and the API page for re-users."""

import json
from functools import wraps

from django import forms
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import condition

from cohorts import opendata
from cohorts.queries.public import (
    cohort_state,
    dataset_cohorts,
    dataset_state,
    funnel,
    last_change,
    laureates_of,
    published_cohorts,
    published_laureates,
)
from programme import fragments, spreadsheet, web

from . import load_cohort

# A hundred a page: a national promotion may hold a thousand (the open data files beside it
# always hold them all).
PUBLIC_PAGE_SIZE = 100


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


@web.object_permission("cohorts.view_cohort", load_cohort, hidden=True)
def cohort_detail(request, cohort):
    state = cohort_state(cohort)
    # The page asked for, as the paginator would read it (the count is in `state`): one
    # cache entry per real page, whatever is typed in the address.
    pages = max(1, -(-state[1] // PUBLIC_PAGE_SIZE))
    asked = request.GET.get("page", "")
    number = min(int(asked), pages) if asked.isdigit() and int(asked) > 0 else 1
    # The laureates' table is read from the database only when its fragment, keyed by what
    # the open data's ETag follows from, is not cached.
    laureates = SimpleLazyObject(
        lambda: Paginator(laureates_of(cohort), PUBLIC_PAGE_SIZE).get_page(number)
    )
    return render(
        request,
        "cohorts/cohort_detail.html",
        {
            "page_title": cohort.label,
            "cohort": cohort,
            "laureates": laureates,
            "paginated": pages > 1,
            "fragment_tag": f"{fragments.tag('cohorts')}:{state}:{number}",
            "funnels": funnel(cohort),
            "updated": state[0],
            "producer": opendata.producer(cohort.programme),
            "licence": opendata.LICENCE,
            "breadcrumb_data": web.crumbs(
                (_("Promotions"), reverse("cohorts:index")), current=cohort.label
            ),
        },
    )


def _absolute(request, name: str, **kwargs) -> str:
    return request.build_absolute_uri(reverse(name, kwargs=kwargs or None))


def open_data_file(state):
    """An open-data file: readable from any origin, with an `ETag` and a `Last-Modified` from
    `state(request, *args)`, computed once: (last change, *what else the content follows
    from); a 304 for a client that already holds it."""

    def decorator(view):
        def current(request, *args, **kwargs):
            if not hasattr(request, "open_data_state"):
                request.open_data_state = state(request, *args, **kwargs)
            return request.open_data_state

        conditional = condition(
            etag_func=lambda request, *a, **kw: opendata.etag(*current(request, *a, **kw)),
            last_modified_func=lambda request, *a, **kw: current(request, *a, **kw)[0],
        )(view)

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            response = conditional(request, *args, **kwargs)
            response["Access-Control-Allow-Origin"] = "*"
            # Revalidate every time: a 304 costs one small query.
            response["Cache-Control"] = "max-age=0, must-revalidate"
            return response

        return wrapper

    return decorator


def _cohort_state(request, cohort, **kwargs):
    return cohort_state(cohort)


def _rows(laureates):
    return (opendata.public_row(laureate.cohort, laureate) for laureate in laureates)


def _csv(filename, laureates):
    columns = opendata.column_names()
    return spreadsheet.csv_response(
        filename,
        columns,
        ([row[name] for name in columns] for row in _rows(laureates)),
        french=False,
    )


def _json(request, laureates, *, updated, **document):
    body = opendata.json_document(
        updated=updated,
        schema_url=_absolute(request, "cohorts:schema"),
        rows=_rows(laureates),
        **document,
    )
    return HttpResponse(body, content_type="application/json; charset=utf-8")


def _cohort_laureates(cohort):
    return published_laureates([cohort])


@web.object_permission("cohorts.view_cohort", load_cohort, hidden=True)
@open_data_file(_cohort_state)
def cohort_csv(request, cohort):
    return _csv(f"laureats-{cohort.slug}.csv", _cohort_laureates(cohort))


@web.object_permission("cohorts.view_cohort", load_cohort, hidden=True)
@open_data_file(_cohort_state)
def cohort_json(request, cohort):
    return _json(
        request,
        _cohort_laureates(cohort),
        updated=request.open_data_state[0],
        title=str(_("Lauréats de la promotion %(label)s") % {"label": cohort.label}),
        producer=opendata.producer(cohort.programme),
        promotion=cohort.slug,
        libelle=cohort.label,
        programme=cohort.programme.name,
        debut=cohort.starts_on.isoformat(),
        fin=cohort.ends_on.isoformat(),
    )


class DatasetFilter(forms.Form):
    """The filters of the all-promotions dataset: a programme (its slug) and a starting year."""

    programme = forms.SlugField(required=False, max_length=80)
    annee = forms.IntegerField(required=False, min_value=1900, max_value=2999)


def _filtered(view):
    """Read the dataset's filters; a 400 with the French reason for a bad one."""

    @wraps(view)
    def wrapper(request):
        form = DatasetFilter(request.GET)
        if not form.is_valid():
            errors = "; ".join(f"{k} : {' '.join(v)}" for k, v in form.errors.items())
            return HttpResponseBadRequest(
                _("Filtre invalide — %(errors)s") % {"errors": errors},
                content_type="text/plain; charset=utf-8",
            )
        cohorts = dataset_cohorts(
            programme=form.cleaned_data["programme"] or "", year=form.cleaned_data["annee"]
        )
        return view(request, cohorts)

    return wrapper


@_filtered
@open_data_file(lambda request, cohorts: dataset_state(cohorts))
def all_csv(request, cohorts):
    return _csv("laureats.csv", published_laureates(cohorts))


@_filtered
@open_data_file(lambda request, cohorts: dataset_state(cohorts))
def all_json(request, cohorts):
    return _json(
        request,
        published_laureates(cohorts),
        updated=request.open_data_state[0],
        title=str(_("Lauréats de toutes les promotions publiées")),
        producer=opendata.producer(),
        filtres={
            key: value for key, value in request.GET.items() if key in DatasetFilter.base_fields
        },
    )


@open_data_file(lambda request: (None, "schema"))
def schema(request):
    body = opendata.table_schema(_absolute(request, "cohorts:schema"))
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )


def _datasets(request):
    """Every dataset of the catalogue: all promotions, then each published one."""
    cohorts = list(published_cohorts())
    everything = {
        "identifier": "laureats",
        "title": _("Lauréats de toutes les promotions publiées"),
        "producer": opendata.producer(),
        "updated": max((last_change(c) for c in cohorts), default=None),
        "count": sum(c.laureate_count for c in cohorts),
        "csv": _absolute(request, "cohorts:all-csv"),
        "json": _absolute(request, "cohorts:all-json"),
        "page": _absolute(request, "cohorts:catalogue"),
    }
    return [everything] + [
        {
            "identifier": f"laureats-{c.slug}",
            "title": _("Lauréats de la promotion %(label)s") % {"label": c.label},
            "producer": opendata.producer(c.programme),
            "updated": last_change(c),
            "count": c.laureate_count,
            "csv": _absolute(request, "cohorts:csv", slug=c.slug),
            "json": _absolute(request, "cohorts:json", slug=c.slug),
            "page": _absolute(request, "cohorts:detail", slug=c.slug),
        }
        for c in cohorts
    ]


def catalogue(request):
    return render(
        request,
        "cohorts/catalogue.html",
        {
            "page_title": _("Données ouvertes des lauréats"),
            "datasets": _datasets(request),
            "licence": opendata.LICENCE,
            "breadcrumb_data": web.crumbs(
                (_("Promotions"), reverse("cohorts:index")), current=_("Données ouvertes")
            ),
        },
    )


def catalogue_jsonld(request):
    """The catalogue in DCAT (https://www.w3.org/TR/vocab-dcat-3/), as JSON-LD."""
    schema_url = _absolute(request, "cohorts:schema")
    licence = {"@id": opendata.LICENCE["path"]}

    def distribution(url, media, label):
        return {
            "@type": "dcat:Distribution",
            "dct:title": label,
            "dcat:downloadURL": {"@id": url},
            "dcat:accessURL": {"@id": url},
            "dcat:mediaType": {"@id": f"https://www.iana.org/assignments/media-types/{media}"},
            "dct:format": label,
            "dct:conformsTo": {"@id": schema_url},
            "dct:license": licence,
        }

    body = {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "@id": _absolute(request, "cohorts:catalogue"),
        "@type": "dcat:Catalog",
        "dct:title": str(_("Données ouvertes des lauréats")),
        "dct:description": str(_("Les lauréats des promotions publiées, en CSV et en JSON.")),
        "dct:language": {"@id": "http://publications.europa.eu/resource/authority/language/FRA"},
        "dct:publisher": {"@type": "foaf:Organization", "foaf:name": opendata.producer()},
        "dct:license": licence,
        "dcat:dataset": [
            {
                "@id": dataset["page"] + "#" + dataset["identifier"],
                "@type": "dcat:Dataset",
                "dct:identifier": dataset["identifier"],
                "dct:title": str(dataset["title"]),
                "dct:publisher": {"@type": "foaf:Organization", "foaf:name": dataset["producer"]},
                "dct:license": licence,
                "dct:conformsTo": {"@id": schema_url},
                **(
                    {
                        "dct:modified": {
                            "@value": dataset["updated"].isoformat(),
                            "@type": "xsd:dateTime",
                        }
                    }
                    if dataset["updated"]
                    else {}
                ),
                "dcat:landingPage": {"@id": dataset["page"]},
                "dcat:distribution": [
                    distribution(dataset["csv"], "text/csv", "CSV"),
                    distribution(dataset["json"], "application/json", "JSON"),
                ],
            }
            for dataset in _datasets(request)
        ],
    }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, indent=2),
        content_type="application/ld+json; charset=utf-8",
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


def api_documentation(request):
    first = published_cohorts().first()
    slug = first.slug if first else "fast-13"
    return render(
        request,
        "cohorts/api.html",
        {
            "page_title": _("API des données ouvertes des lauréats"),
            "fields": opendata.FIELDS,
            "licence": opendata.LICENCE,
            "example_slug": slug,
            "urls": {
                "schema": _absolute(request, "cohorts:schema"),
                "all_csv": _absolute(request, "cohorts:all-csv"),
                "all_json": _absolute(request, "cohorts:all-json"),
                "catalogue": _absolute(request, "cohorts:catalogue"),
                "jsonld": _absolute(request, "cohorts:catalogue-jsonld"),
                "cohort_json": _absolute(
                    request, "cohorts:json", slug=first.slug if first else "fast-13"
                ),
            },
            "breadcrumb_data": web.crumbs(
                (_("Promotions"), reverse("cohorts:index")),
                (_("Données ouvertes"), reverse("cohorts:catalogue")),
                current=_("API"),
            ),
        },
    )
