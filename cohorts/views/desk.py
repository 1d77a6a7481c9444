"""The staff's cohort desk: forming a cohort, publishing its laureate list, editing a laureate."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cohorts.enums import Phase
from cohorts.forms import CohortForm, LaureateForm, SelectionFiguresForm
from cohorts.models import Cohort
from cohorts.queries.followup import cohort_journal, laureate_journal
from cohorts.queries.public import laureate_keys, laureates_of
from cohorts.services import cohorts as services
from programme import journal, keyset, web
from programme.enums import choice_labels
from programme.queries import load_programme

from . import cohort_crumbs, load_cohort, load_laureate, staff_crumbs

# Laureates per page of the staff's cohort desk.
DESK_PAGE_SIZE = 100


@login_required
@require_http_methods(["GET", "POST"])
@web.object_permission("programme.manage_programme", load_programme)
def cohort_create(request, programme):
    form = CohortForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = web.run(
            request,
            services.form_cohort,
            programme,
            label=data["label"],
            slug=data["slug"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            proposals=data["proposals"],
            by=request.user,
            now=timezone.now(),
            success=_("La promotion %(label)s est formée.") % data,
            form=form,
        )
        if outcome:
            return redirect("cohorts:manage", slug=outcome.value.slug)
    title = _("Former une promotion")
    return render(
        request,
        "cohorts/cohort_form.html",
        {
            "page_title": title,
            "programme": programme,
            "form": form,
            "breadcrumb_data": staff_crumbs(programme, title),
        },
    )


@login_required
@web.object_permission("cohorts.manage_cohort", load_cohort)
def cohort_manage(request, cohort):
    # A national promotion holds a thousand laureates: keyset pages by name.
    page = keyset.paginate(
        laureates_of(cohort),
        laureate_keys(),
        request.GET.get(keyset.PARAM),
        size=DESK_PAGE_SIZE,
        salt=f"cohort-desk:{cohort.pk}",
    )
    phases = choice_labels(Phase)
    for laureate in page.rows:
        laureate.phase_label = phases.get(laureate.phase, laureate.phase)
    return render(
        request,
        "cohorts/cohort_manage.html",
        {
            "page_title": _("Piloter la promotion %(label)s") % {"label": cohort.label},
            "cohort": cohort,
            "laureates": page.rows,
            "page": page,
            **keyset.links(request.GET, page),
            "breadcrumb_data": staff_crumbs(cohort.programme, cohort.label),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@web.object_permission("cohorts.manage_cohort", load_cohort)
def selection_figures(request, cohort):
    # The form validates a copy: the page keeps showing what is saved until it is.
    form = SelectionFiguresForm(request.POST or None, instance=Cohort.objects.get(pk=cohort.pk))
    if request.method == "POST" and form.is_valid():
        outcome = web.run(
            request,
            services.record_selection_figures,
            cohort,
            form.cleaned_data,
            by=request.user,
            now=timezone.now(),
            success=_("Les chiffres de la sélection sont enregistrés."),
            form=form,
        )
        if outcome:
            return redirect("cohorts:manage", slug=cohort.slug)
    title = _("Chiffres de la sélection")
    return render(
        request,
        "cohorts/selection_figures.html",
        {
            "page_title": f"{title} — {cohort.label}",
            "cohort": cohort,
            "form": form,
            "breadcrumb_data": cohort_crumbs(cohort, title),
        },
    )


@login_required
@require_POST
@web.object_permission("cohorts.manage_cohort", load_cohort)
def cohort_publication(request, cohort):
    if request.POST.get("action") == "unpublish":
        web.run(
            request,
            services.unpublish_cohort,
            cohort,
            by=request.user,
            reason=request.POST.get("reason", ""),
            now=timezone.now(),
            success=_("La liste des lauréats n'est plus publique."),
        )
    else:
        web.run(
            request,
            services.publish_cohort,
            cohort,
            by=request.user,
            now=timezone.now(),
            success=_("La liste des lauréats est publiée."),
        )
    return redirect("cohorts:manage", slug=cohort.slug)


@login_required
@require_http_methods(["GET", "POST"])
@web.object_permission("cohorts.manage_cohort", load_laureate)
def laureate_edit(request, laureate):
    # The form writes what was posted on its instance: the page keeps the saved name.
    name, cohort = laureate.name, laureate.cohort
    form = LaureateForm(request.POST or None, instance=laureate)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = web.run(
            request,
            services.edit_laureate,
            laureate,
            changes={f: data[f] for f in form.changed_data if f in services.LAUREATE_EDITABLE},
            phase=data["phase"],
            funding_reason=data.get("funding_reason", ""),
            by=request.user,
            now=timezone.now(),
            success=_("Le lauréat %(name)s est enregistré.") % {"name": data["name"]},
            form=form,
        )
        if outcome:
            return redirect("cohorts:manage", slug=cohort.slug)
    title = _("Modifier %(name)s") % {"name": name}
    return render(
        request,
        "cohorts/laureate_form.html",
        {
            "page_title": title,
            "cohort": cohort,
            "laureate": laureate,
            "form": form,
            "breadcrumb_data": cohort_crumbs(cohort, title),
        },
    )


@login_required
@web.object_permission("cohorts.manage_cohort", load_cohort)
def cohort_journal_page(request, cohort):
    """Who did what to the promotion and its laureates, when (staff only)."""
    return journal.page(
        request,
        cohort_journal(cohort),
        title=_("Journal de la promotion %(label)s") % {"label": cohort.label},
        subject=cohort.label,
        breadcrumb_data=cohort_crumbs(cohort, _("Journal")),
        basename=f"journal-{cohort.slug}",
    )


@login_required
@web.object_permission("cohorts.manage_followup", load_laureate)
def laureate_journal_page(request, laureate):
    """Who did what to one laureate's record and follow-up, when (staff only)."""
    return journal.page(
        request,
        laureate_journal(laureate),
        title=_("Journal du lauréat %(name)s") % {"name": laureate},
        subject=str(laureate),
        breadcrumb_data=cohort_crumbs(
            laureate.cohort,
            _("Journal"),
            (str(laureate), reverse("cohorts:timeline", args=[laureate.cohort.slug, laureate.pk])),
        ),
        basename=f"journal-laureat-{laureate.pk}",
    )
