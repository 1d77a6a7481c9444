"""The dashboard's stored lateness (issue 16, finding 3): after any sequence of follow-up
changes and days passing (the reminder scan), `late_count`, `first_late_on` and
`last_report_status` equal what the milestones and reports say when computed from scratch."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from cohorts.enums import MilestoneKind, ReportStatus
from cohorts.models import Laureate, Milestone
from cohorts.services import followup, lateness
from programme.exceptions import TransitionError
from programme.reminders import scan_reminders
from tests import factories

pytestmark = pytest.mark.django_db


def _stored(laureates):
    return {
        pk: (late, first, status)
        for pk, late, first, status in laureates.values_list(
            "pk", "late_count", "first_late_on", "last_report_status"
        )
    }


def _assert_fresh(cohort, now):
    laureates = Laureate.objects.filter(cohort=cohort)
    assert _stored(laureates) == lateness.compute(laureates, lateness.paris_today(now))


@pytest.fixture
def cohort(programme):
    return factories.CohortFactory(
        programme=programme, starts_on=timezone.localdate() - timedelta(days=75)
    )


def _step(rng, cohort, staff, now):
    """One random change through the follow-up services; returns the new `now`."""
    milestone = rng.choice(list(Milestone.objects.filter(laureate__cohort=cohort)))
    laureate = milestone.laureate
    action = rng.choice(["file", "file", "skip", "restore", "add", "review", "days"])
    try:
        if action == "file" and milestone.kind == MilestoneKind.REPORT:
            followup.file_report(
                milestone,
                data={
                    "period_start": milestone.period_start,
                    "period_end": milestone.period_end,
                    "results": "Usagers servis.",
                    "next_steps": "Étendre.",
                    "status": rng.choice(list(ReportStatus)),
                },
                values={},
                by=laureate.intrapreneur,
                now=now,
            )
        elif action == "skip":
            followup.skip_milestone(milestone, reason="Congés.", by=staff, now=now)
        elif action == "restore":
            followup.restore_milestone(milestone, by=staff, now=now)
        elif action == "add":
            due = lateness.paris_today(now) + timedelta(days=rng.randint(-20, 20))
            followup.add_milestone(laureate, title="Démo", due_on=due, by=staff, now=now)
        elif action == "review" and milestone.kind in MilestoneKind.review_kinds:
            followup.hold_review(milestone, notes="Tenue.", by=staff, now=now)
        elif action == "days":
            now += timedelta(days=rng.randint(1, 40))
            lateness.refresh_crossed(now=now)
    except TransitionError:
        pass  # refused (already done, not skipped, period not started): nothing changed
    return now


@pytest.mark.parametrize("seed", range(6))
def test_the_stored_lateness_equals_the_computation_after_any_sequence(cohort, staff, seed):
    rng = random.Random(seed)
    for n in range(4):
        factories.LaureateFactory(cohort=cohort, name=f"Startup {n}")
    now = timezone.now()
    followup.write_milestones(cohort, now=now)
    _assert_fresh(cohort, now)
    for _ in range(25):
        now = _step(rng, cohort, staff, now)
        _assert_fresh(cohort, now)


def test_the_scan_makes_a_laureate_late_when_its_milestone_passes(cohort):
    laureate = factories.LaureateFactory(cohort=cohort, name="Mobilic")
    now = timezone.now()
    followup.write_milestones(cohort, now=now)
    before = Laureate.objects.get(pk=laureate.pk)
    assert before.followup_as_of == lateness.paris_today(now)
    # A month later, with no write at all: the scan notices the milestones that fell due.
    later = now + timedelta(days=31)
    scan_reminders(now=later)
    after = Laureate.objects.get(pk=laureate.pk)
    assert after.late_count > before.late_count
    assert after.followup_as_of == lateness.paris_today(later)
    _assert_fresh(cohort, later)
    # A second scan the same day has nothing to do.
    assert lateness.refresh_crossed(now=later) == 0
