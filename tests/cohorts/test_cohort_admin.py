"""The admin of the cohorts shows phases, funding and states read-only: changes go through
admin actions that call the services, so each is guarded and audited."""

import pytest
from django.urls import reverse

from cohorts.enums import Phase
from cohorts.models import Cohort, Laureate
from programme.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(factories.UserFactory(is_superuser=True, is_staff=True))
    return client


def test_the_laureate_change_form_does_not_change_its_phase_or_funding(admin_client):
    laureate = factories.LaureateFactory()
    url = reverse("admin:cohorts_laureate_change", args=[laureate.pk])
    assert admin_client.get(url).status_code == 200
    admin_client.post(
        url,
        {
            "cohort": laureate.cohort_id,
            "name": "Renommé",
            "mission": laureate.mission,
            "phase": Phase.PERMANENT,
            "funding_granted": "999999",
        },
    )
    laureate.refresh_from_db()
    assert (laureate.phase, laureate.funding_granted) == (Phase.INVESTIGATION, None)


def test_an_admin_action_moves_laureates_through_the_service(admin_client):
    laureates = factories.LaureateFactory.create_batch(2)
    response = admin_client.post(
        reverse("admin:cohorts_laureate_changelist"),
        {"action": "move_to_construction", "_selected_action": [lt.pk for lt in laureates]},
    )
    assert response.status_code == 302
    assert set(Laureate.objects.values_list("phase", flat=True)) == {Phase.CONSTRUCTION}
    assert AuditEntry.objects.filter(action="laureate.phase").count() == 2


def test_publishing_from_the_admin_is_guarded_and_audited(admin_client):
    empty = factories.CohortFactory(published_at=None)
    ready = factories.CohortFactory(published_at=None)
    factories.LaureateFactory(cohort=ready)
    url = reverse("admin:cohorts_cohort_changelist")
    admin_client.post(url, {"action": "publish", "_selected_action": [empty.pk, ready.pk]})
    assert list(Cohort.objects.filter(published_at__isnull=False)) == [ready]
    assert AuditEntry.objects.filter(action="cohort.publish").count() == 1
    change = reverse("admin:cohorts_cohort_change", args=[ready.pk])
    assert admin_client.get(change).status_code == 200
    admin_client.post(
        change,
        {
            "programme": ready.programme_id,
            "label": ready.label,
            "slug": ready.slug,
            "starts_on": ready.starts_on.isoformat(),
            "ends_on": ready.ends_on.isoformat(),
            "published_at_0": "",
            "published_at_1": "",
            "laureates-TOTAL_FORMS": "0",
            "laureates-INITIAL_FORMS": "0",
        },
    )
    assert Cohort.objects.get(pk=ready.pk).published_at is not None
