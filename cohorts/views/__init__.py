"""The cohorts' pages by journey: `public` (promotions and open data), `desk` (the staff forming,
publishing and editing laureates), `followup` (dashboard, timeline, reports, milestones),
`reminders`. The loaders below are the one way each page loads its object from the URL,
for `programme.web.object_permission`."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from cohorts.models import Cohort, Laureate, Milestone
from programme.models import Programme
from programme.web import crumbs


def load_cohort(slug: str) -> Cohort:
    return get_object_or_404(Cohort.objects.select_related("programme"), slug=slug)


def load_laureate(slug: str, pk: int) -> Laureate:
    return get_object_or_404(
        Laureate.objects.select_related("cohort__programme", "coach", "intrapreneur", "proposal"),
        cohort__slug=slug,
        pk=pk,
    )


def load_milestone(slug: str, pk: int) -> Milestone:
    return get_object_or_404(
        Milestone.objects.select_related("laureate__cohort__programme", "laureate__coach"),
        laureate__cohort__slug=slug,
        pk=pk,
    )


def staff_crumbs(programme: Programme, current: str, *more):
    """The staff's breadcrumb: their space, the programme's desk, then `more`."""
    return crumbs(
        (_("Mon espace"), reverse("dashboard")),
        (programme.name, reverse("programme-manage", kwargs={"slug": programme.slug})),
        *more,
        current=current,
    )


def cohort_crumbs(cohort: Cohort, current: str, *more):
    """The staff's breadcrumb under a cohort's desk."""
    desk = (cohort.label, reverse("cohorts:manage", kwargs={"slug": cohort.slug}))
    return staff_crumbs(cohort.programme, current, desk, *more)
