"""Cohort pages: the public laureate lists and open data, and the staff's cohort desk."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from rules.contrib.views import permission_required

from cohorts import opendata
from cohorts.forms import CohortForm, LaureateForm
from cohorts.models import Cohort, Laureate
from cohorts.queries import funnel, laureates_of, published_cohorts
from cohorts.services import cohorts as services
from programme.exceptions import TransitionError
from programme.models import Programme
from programme.web import crumbs


def _cohort(request, slug):
    return get_object_or_404(Cohort.objects.select_related("programme"), slug=slug)


def _visible_cohort(request, slug) -> Cohort:
    """The cohort, or a 404 for whoever may not see it yet (nothing hints that it exists)."""
    cohort = _cohort(request, slug)
    if not request.user.has_perm("cohorts.view_cohort", cohort):
        raise Http404
    return cohort


def _programme(request, programme_slug):
    return get_object_or_404(Programme, slug=programme_slug)


def _staff_crumbs(programme, current, *more):
    return crumbs(
        (_("Mon espace"), reverse("dashboard")),
        (programme.name, reverse("programme-manage", kwargs={"slug": programme.slug})),
        *more,
        current=current,
    )


def cohort_index(request):
    return render(
        request,
        "cohorts/cohort_index.html",
        {
            "page_title": _("Promotions de lauréats"),
            "cohorts": published_cohorts(),
            "breadcrumb_data": crumbs(current=_("Promotions")),
        },
    )


PUBLIC_PAGE_SIZE = 100


def cohort_detail(request, slug):
    cohort = _visible_cohort(request, slug)
    return render(
        request,
        "cohorts/cohort_detail.html",
        {
            "page_title": cohort.label,
            "cohort": cohort,
            # A hundred a page: a national promotion may hold a thousand (the open data
            # files beside it always hold them all).
            "laureates": Paginator(laureates_of(cohort), PUBLIC_PAGE_SIZE).get_page(
                request.GET.get("page")
            ),
            "funnels": funnel(cohort),
            "breadcrumb_data": crumbs(
                (_("Promotions"), reverse("cohorts:index")), current=cohort.label
            ),
        },
    )


def _public_rows(cohort):
    return (opendata.public_row(cohort, laureate) for laureate in laureates_of(cohort))


def cohort_csv(request, slug):
    cohort = _visible_cohort(request, slug)
    response = StreamingHttpResponse(
        opendata.csv_lines(_public_rows(cohort)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="laureats-{cohort.slug}.csv"'
    return response


def cohort_json(request, slug):
    cohort = _visible_cohort(request, slug)
    body = {
        "promotion": cohort.slug,
        "libelle": cohort.label,
        "programme": cohort.programme.name,
        "debut": cohort.starts_on.isoformat(),
        "fin": cohort.ends_on.isoformat(),
        "champs": dict(opendata.FIELDS),
        "laureats": list(_public_rows(cohort)),
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )


@login_required
@require_http_methods(["GET", "POST"])
@permission_required("programme.manage_programme", fn=_programme, raise_exception=True)
def cohort_create(request, programme_slug):
    programme = _programme(request, programme_slug)
    form = CohortForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cohort = services.form_cohort(
                programme,
                label=data["label"],
                slug=data["slug"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                proposals=data["proposals"],
                by=request.user,
                now=timezone.now(),
            )
        except TransitionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("La promotion %(label)s est formée.") % data)
            return redirect("cohorts:manage", slug=cohort.slug)
    title = _("Former une promotion")
    return render(
        request,
        "cohorts/cohort_form.html",
        {
            "page_title": title,
            "programme": programme,
            "form": form,
            "breadcrumb_data": _staff_crumbs(programme, title),
        },
    )


@login_required
@permission_required("cohorts.manage_cohort", fn=_cohort, raise_exception=True)
def cohort_manage(request, slug):
    cohort = _cohort(request, slug)
    return render(
        request,
        "cohorts/cohort_manage.html",
        {
            "page_title": _("Piloter la promotion %(label)s") % {"label": cohort.label},
            "cohort": cohort,
            "laureates": laureates_of(cohort),
            "breadcrumb_data": _staff_crumbs(cohort.programme, cohort.label),
        },
    )


@login_required
@require_POST
@permission_required("cohorts.manage_cohort", fn=_cohort, raise_exception=True)
def cohort_publication(request, slug):
    cohort = _cohort(request, slug)
    try:
        if request.POST.get("action") == "unpublish":
            services.unpublish_cohort(
                cohort, by=request.user, reason=request.POST.get("reason", ""), now=timezone.now()
            )
            messages.success(request, _("La liste des lauréats n'est plus publique."))
        else:
            services.publish_cohort(cohort, by=request.user, now=timezone.now())
            messages.success(request, _("La liste des lauréats est publiée."))
    except TransitionError as error:
        messages.error(request, str(error))
    return redirect("cohorts:manage", slug=cohort.slug)


def _laureate(request, slug, pk):
    return get_object_or_404(
        Laureate.objects.select_related("cohort__programme"), cohort__slug=slug, pk=pk
    )


@login_required
@require_http_methods(["GET", "POST"])
@permission_required("cohorts.manage_cohort", fn=_laureate, raise_exception=True)
def laureate_edit(request, slug, pk):
    laureate = _laureate(request, slug, pk)
    form = LaureateForm(request.POST or None, instance=laureate)
    if request.method == "POST" and form.is_valid():
        now = timezone.now()
        # The form wrote the posted values on `laureate`; the services start from the row.
        current = Laureate.objects.select_related("cohort").get(pk=laureate.pk)
        data = form.cleaned_data
        changes = {f: data[f] for f in form.changed_data if f in services.LAUREATE_EDITABLE}
        try:
            if changes:
                services.update_laureate(current, changes=changes, by=request.user, now=now)
            if data["phase"] != current.phase:
                services.set_phase(current, data["phase"], by=request.user, now=now)
        except TransitionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("Le lauréat %(name)s est enregistré.") % {"name": current.name}
            )
            return redirect("cohorts:manage", slug=slug)
    cohort = laureate.cohort
    title = _("Modifier %(name)s") % {"name": laureate.name}
    return render(
        request,
        "cohorts/laureate_form.html",
        {
            "page_title": title,
            "cohort": cohort,
            "laureate": laureate,
            "form": form,
            "breadcrumb_data": _staff_crumbs(
                cohort.programme,
                title,
                (cohort.label, reverse("cohorts:manage", kwargs={"slug": cohort.slug})),
            ),
        },
    )
