"""Issue 14, finding 1 on the monthly report: the form saves itself through `save_report`,
a team mate's save is never overwritten, the page is wired for the script."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cohorts.enums import MilestoneKind
from cohorts.models import Report
from cohorts.services import followup
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def laureate(programme):
    cohort = factories.CohortFactory(
        programme=programme, slug="fast-15", starts_on=timezone.localdate() - timedelta(days=40)
    )
    laureate = factories.LaureateFactory(cohort=cohort, name="Mobilic")
    followup.write_milestones(cohort, now=timezone.now())
    return laureate


def urls(laureate):
    milestone = laureate.milestones.get(kind=MilestoneKind.REPORT, number=1)
    kwargs = {"slug": laureate.cohort.slug, "pk": milestone.pk}
    return (
        milestone,
        reverse("cohorts:report", kwargs=kwargs),
        reverse("cohorts:report-autosave", kwargs=kwargs),
    )


def test_the_report_saves_itself_and_never_overwrites_a_team_mates_save(client, laureate):
    milestone, page, autosave = urls(laureate)
    client.force_login(laureate.intrapreneur)
    html = client.get(page).content.decode()
    assert f'data-autosave-url="{autosave}"' in html
    assert 'name="autosave_version" value=""' in html
    period = {
        "period_start": milestone.period_start.isoformat(),
        "period_end": milestone.period_end.isoformat(),
    }
    first = client.post(autosave, {**period, "results": "200 inscrits.", "autosave_version": ""})
    assert first.status_code == 200, first.json()
    assert first.json()["status"].startswith("Enregistré à ")
    assert Report.objects.get(milestone=milestone).results == "200 inscrits."
    # A page loaded before that save (its version is still "") is refused.
    stale = client.post(autosave, {**period, "results": "Autre.", "autosave_version": ""})
    assert stale.status_code == 409
    assert Report.objects.get(milestone=milestone).results == "200 inscrits."
    again = client.post(
        autosave,
        {**period, "results": "250 inscrits.", "autosave_version": first.json()["version"]},
    )
    assert again.status_code == 200
    assert Report.objects.get(milestone=milestone).results == "250 inscrits."


def test_the_report_autosave_returns_field_errors(client, laureate):
    milestone, _page, autosave = urls(laureate)
    client.force_login(laureate.intrapreneur)
    response = client.post(autosave, {"period_start": "pas une date", "autosave_version": ""})
    assert response.status_code == 400
    assert "id_period_start" in response.json()["errors"]
    assert not Report.objects.exists()


def test_only_the_team_autosaves_its_report(client, laureate, staff):
    _milestone, _page, autosave = urls(laureate)
    client.force_login(staff)
    assert client.post(autosave, {"autosave_version": ""}).status_code == 403


def test_the_save_button_does_not_overwrite_a_save_made_since_the_page_was_loaded(client, laureate):
    milestone, page, autosave = urls(laureate)
    client.force_login(laureate.intrapreneur)
    period = {
        "period_start": milestone.period_start.isoformat(),
        "period_end": milestone.period_end.isoformat(),
    }
    client.post(autosave, {**period, "results": "Ma version.", "autosave_version": ""})
    # Another tab, loaded before that save, clicks "Enregistrer".
    response = client.post(page, {**period, "results": "Autre onglet.", "autosave_version": ""})
    assert "enregistré entre-temps" in response.content.decode()
    assert "Autre onglet." in response.content.decode()  # what was typed is kept on the page
    assert Report.objects.get(milestone=milestone).results == "Ma version."
