"""Issue 13, finding 6: only the team writes and files its reports, and only for a period that
has started."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cohorts.enums import MilestoneKind, ReportStatus
from cohorts.models import Report
from cohorts.services import followup
from programme.exceptions import TransitionError
from tests import factories

pytestmark = pytest.mark.django_db

TEXT = {"results": "200 entreprises inscrites.", "next_steps": "Ouvrir aux PME."}


@pytest.fixture
def laureate(programme):
    # Started 40 days ago: the first report's period has started, the third's has not.
    cohort = factories.CohortFactory(
        programme=programme, slug="fast-14", starts_on=timezone.localdate() - timedelta(days=40)
    )
    laureate = factories.LaureateFactory(cohort=cohort, name="Mobilic")
    followup.write_milestones(cohort, now=timezone.now())
    return laureate


def report_milestone(laureate, number):
    return laureate.milestones.get(kind=MilestoneKind.REPORT, number=number)


def test_the_superuser_cannot_submit_a_teams_report(laureate):
    superuser = factories.UserFactory(is_superuser=True)
    milestone = report_milestone(laureate, 1)
    data = {**TEXT, "status": ReportStatus.ON_TRACK}
    with pytest.raises(TransitionError, match="équipe du lauréat"):
        followup.file_report(milestone, data=data, values={}, by=superuser, now=timezone.now())
    with pytest.raises(TransitionError, match="équipe du lauréat"):
        followup.save_report(milestone, data=data, values={}, by=superuser, now=timezone.now())
    followup.save_report(milestone, data=data, values={}, by=laureate.intrapreneur,
                         now=timezone.now())  # fmt: skip
    with pytest.raises(TransitionError, match="équipe du lauréat"):
        followup.submit_report(milestone, by=superuser, now=timezone.now())
    assert not Report.objects.filter(submitted_at__isnull=False).exists()


def test_the_superuser_gets_no_report_form_and_a_refusal(client, laureate):
    milestone = report_milestone(laureate, 1)
    url = reverse("cohorts:report", kwargs={"slug": laureate.cohort.slug, "pk": milestone.pk})
    client.force_login(factories.UserFactory(is_superuser=True))
    assert 'name="results"' not in client.get(url).content.decode()
    response = client.post(url, {**TEXT, "status": ReportStatus.ON_TRACK, "submit_report": "1"})
    assert response.status_code == 403
    assert not Report.objects.exists()


def test_a_report_for_a_future_period_is_refused(laureate):
    milestone = report_milestone(laureate, 3)
    assert milestone.period_start > timezone.localdate()
    with pytest.raises(TransitionError, match="pas encore commencé"):
        followup.file_report(
            milestone,
            data={**TEXT, "status": ReportStatus.ON_TRACK},
            values={},
            by=laureate.intrapreneur,
            now=timezone.now(),
        )
    assert not Report.objects.exists()


def test_a_report_whose_typed_period_starts_tomorrow_is_refused(laureate):
    milestone = report_milestone(laureate, 1)
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(TransitionError, match="pas encore commencé"):
        followup.save_report(
            milestone,
            data={**TEXT, "period_start": tomorrow, "period_end": tomorrow + timedelta(days=3)},
            values={},
            by=laureate.intrapreneur,
            now=timezone.now(),
        )
