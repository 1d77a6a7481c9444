"""A promotion selected before the portal: staff record its published figures on the desk,
checked (each step narrows, a source is given) and audited with old and new values."""

import pytest
from django.urls import reverse

from cohorts.models import Cohort
from programme.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def eig(programme):
    return factories.CohortFactory(
        programme=programme, label="EIG 4", slug="eig-4", published_at=None
    )


def url(cohort):
    return reverse("cohorts:selection-figures", kwargs={"slug": cohort.slug})


def test_staff_record_the_figures_and_the_public_page_draws_them(client, eig, staff):
    client.force_login(staff)
    response = client.post(
        url(eig),
        {
            "funnel_candidates": "800",
            "funnel_auditioned": "140",
            "funnel_selected": "41",
            "funnel_defis_proposed": "31",
            "funnel_defis_auditioned": "21",
            "funnel_defis_retained": "17",
            "funnel_source": "Etalab, bilan de la promotion 4",
        },
    )
    assert response.status_code == 302
    eig.refresh_from_db()
    assert (eig.funnel_candidates, eig.funnel_selected, eig.funnel_defis_retained) == (800, 41, 17)
    entry = AuditEntry.objects.get(action="cohort.selection_figures")
    assert entry.actor == staff
    assert entry.changes["funnel_selected"] == [None, 41]
    html = client.get(reverse("cohorts:detail", kwargs={"slug": eig.slug})).content.decode()
    assert "800 candidatures" in html
    assert "17 défis retenus" in html


def test_a_figure_wider_than_the_step_before_is_refused_next_to_its_field(client, eig, staff):
    client.force_login(staff)
    response = client.post(
        url(eig),
        {"funnel_candidates": "40", "funnel_selected": "41", "funnel_source": "Etalab"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["funnel_selected"] == [
        "Ce chiffre ne peut pas dépasser celui de l'étape précédente."
    ]
    assert response.context["form"]["funnel_candidates"].value() == "40"  # what was typed
    assert Cohort.objects.get(pk=eig.pk).funnel_candidates is None


def test_figures_without_a_source_are_refused(client, eig, staff):
    client.force_login(staff)
    response = client.post(url(eig), {"funnel_candidates": "800"})
    assert (
        "Indiquez où ces chiffres ont été publiés."
        in response.context["form"].errors["funnel_source"]
    )


def test_a_promotion_with_figures_and_no_laureate_list_can_be_published(client, eig, staff):
    from django.utils import timezone

    from cohorts.services.cohorts import publish_cohort, record_selection_figures

    record_selection_figures(
        eig, {"funnel_candidates": 800, "funnel_source": "Etalab"}, by=staff, now=timezone.now()
    )
    publish_cohort(eig, by=staff, now=timezone.now())
    assert Cohort.objects.get(pk=eig.pk).is_published
