"""The follow-up's reminder rules at a frozen time: reports due in 7 days and late by a day,
the mid-term review and the final committee ahead, to the team with the coach in copy."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohorts.enums import MilestoneKind
from cohorts.models import Milestone
from cohorts.services import followup
from programme.enums import ReminderKind, ReminderState
from programme.models import Reminder
from programme.reminders import RULES, owed_at, scan_reminders
from tests import factories

from .conftest import NOW

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)  # NOW in Paris
DUE, LATE = ReminderKind.REPORT_DUE_7D, ReminderKind.REPORT_LATE_1D
MID, FINAL = ReminderKind.MIDTERM_REVIEW, ReminderKind.FINAL_COMMITTEE


def owed() -> set[tuple[str, int, int]]:
    return {(o.kind, o.object_id, o.recipient_id) for o in owed_at(NOW)}


@pytest.fixture
def laureate():
    cohort = factories.CohortFactory(starts_on=date(2026, 6, 1))
    laureate = factories.LaureateFactory(
        cohort=cohort, name="Mobilic", coach=factories.CoachFactory(programme=cohort.programme)
    )
    laureate.members.add(factories.UserFactory(), laureate.intrapreneur)
    return laureate


def team_and_coach(laureate) -> set[int]:
    return {
        laureate.intrapreneur_id,
        laureate.coach_id,
        *laureate.members.values_list("pk", flat=True),
    }


def milestone(laureate, due_on, kind=MilestoneKind.REPORT, number=1, **kwargs):
    return Milestone.objects.create(
        laureate=laureate,
        kind=kind,
        number=number if kind == MilestoneKind.REPORT else 0,
        title=f"Point d'étape n°{number}" if kind == MilestoneKind.REPORT else str(kind.label),
        due_on=due_on,
        created_at=NOW,
        **kwargs,
    )


def test_the_rules_of_the_follow_up_are_not_optional():
    for kind in (DUE, LATE, MID, FINAL):
        assert RULES[kind].optional is False


def test_a_report_due_in_7_days_is_owed_to_the_team_and_its_coach(laureate):
    report = milestone(laureate, TODAY + timedelta(days=7))
    found = list(owed_at(NOW))
    assert {(o.kind, o.object_id, o.recipient_id) for o in found} == {
        (DUE, report.pk, person) for person in team_and_coach(laureate)
    }
    assert len(found) == 3  # the intrapreneur is also a member: owed once
    assert {(o.due, o.cohort_id, o.call_id) for o in found} == {
        (report.deadline, laureate.cohort_id, None)
    }


@pytest.mark.parametrize("days", [0, 8, -1, 30])
def test_a_report_due_outside_the_week_ahead_is_owed_no_due_reminder(laureate, days):
    milestone(laureate, TODAY + timedelta(days=days))
    assert {kind for kind, _, _ in owed()} <= {LATE}


def test_a_report_late_by_one_day_is_owed_the_late_reminder(laureate):
    report = milestone(laureate, TODAY - timedelta(days=1))
    assert owed() == {(LATE, report.pk, person) for person in team_and_coach(laureate)}


def test_a_report_due_today_is_not_late_yet_and_an_old_one_is_not_chased_again(laureate):
    milestone(laureate, TODAY, number=1)
    milestone(laureate, TODAY - timedelta(days=8), number=2)
    assert owed() == set()


def test_a_filed_report_owes_nothing(laureate):
    due = milestone(laureate, TODAY + timedelta(days=3), number=1)
    late = milestone(laureate, TODAY - timedelta(days=1), number=2)
    for m in (due, late):
        followup.save_report(
            m,
            data={"results": "Fait", "next_steps": "Suite", "status": "on_track"},
            values={},
            by=laureate.intrapreneur,
            now=NOW,
        )
        followup.submit_report(m, by=laureate.intrapreneur, now=NOW)
    assert owed() == set()


def test_a_draft_report_still_owes_its_reminder(laureate):
    report = milestone(laureate, TODAY + timedelta(days=3))
    followup.save_report(report, data={"results": "En cours"}, values={},
                         by=laureate.intrapreneur, now=NOW)  # fmt: skip
    assert {kind for kind, _, _ in owed()} == {DUE}


def test_a_skipped_milestone_owes_nothing(laureate, staff):
    for n, days in enumerate((3, -1), start=1):
        m = milestone(laureate, TODAY + timedelta(days=days), number=n)
        followup.skip_milestone(m, reason="Congés", by=staff, now=NOW)
    milestone(laureate, TODAY + timedelta(days=5), kind=MilestoneKind.MIDTERM)
    Milestone.objects.filter(kind=MilestoneKind.MIDTERM).update(skipped_at=NOW, skip_reason="x")
    assert owed() == set()


def test_the_midterm_review_and_the_final_committee_ahead(laureate):
    review = milestone(laureate, TODAY + timedelta(days=14), kind=MilestoneKind.MIDTERM)
    committee = milestone(laureate, TODAY, kind=MilestoneKind.FINAL)
    other = factories.LaureateFactory()  # no coach, no members: its intrapreneur only
    far = milestone(other, TODAY + timedelta(days=15), kind=MilestoneKind.FINAL)
    near = milestone(other, TODAY + timedelta(days=2), kind=MilestoneKind.MIDTERM)
    people = team_and_coach(laureate)
    assert owed() == {
        *((MID, review.pk, p) for p in people),
        *((FINAL, committee.pk, p) for p in people),
        (MID, near.pk, other.intrapreneur_id),
    }
    assert far.pk not in {pk for _, pk, _ in owed()}


def test_a_held_review_owes_nothing(laureate, staff):
    review = milestone(laureate, TODAY + timedelta(days=3), kind=MilestoneKind.MIDTERM)
    followup.hold_review(review, notes="Tenue en avance.", by=staff, now=NOW)
    assert owed() == set()


def test_inactive_people_and_other_laureates_are_owed_nothing(laureate):
    quiet = laureate.members.exclude(pk=laureate.intrapreneur_id).get()
    quiet.is_active = False
    quiet.wants_nudges = False
    quiet.save()
    laureate.intrapreneur.wants_nudges = False  # not optional: still owed
    laureate.intrapreneur.save()
    report = milestone(laureate, TODAY + timedelta(days=2))
    factories.LaureateFactory(coach=factories.UserFactory())  # no milestone
    assert owed() == {
        (DUE, report.pk, laureate.intrapreneur_id),
        (DUE, report.pk, laureate.coach_id),
    }


def test_the_rules_cost_one_query_each_whatever_the_number_of_laureates():
    def queries_for(count: int) -> int:
        cohort = factories.CohortFactory()
        for _ in range(count):
            lau = factories.LaureateFactory(cohort=cohort, coach=factories.UserFactory())
            lau.members.add(factories.UserFactory(), factories.UserFactory())
            milestone(lau, TODAY + timedelta(days=3))
            milestone(lau, TODAY - timedelta(days=1), number=2)
        list(owed_at(NOW))
        with CaptureQueriesContext(connection) as queries:
            assert len(list(owed_at(NOW))) >= 8 * count
        return len(queries)

    assert queries_for(2) == queries_for(20) <= len(RULES)


def test_the_scan_mails_the_team_and_the_coach_once_each(
    laureate, frozen, django_capture_on_commit_callbacks
):
    report = milestone(laureate, TODAY + timedelta(days=6))
    with django_capture_on_commit_callbacks(execute=True):
        scan_reminders(now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        scan_reminders(now=NOW + timedelta(hours=1))
    rows = Reminder.objects.filter(kind=DUE, object_id=report.pk)
    assert sorted(rows.values_list("recipient_id", flat=True)) == sorted(team_and_coach(laureate))
    assert set(rows.values_list("state", flat=True)) == {ReminderState.SENT}
    assert set(rows.values_list("cohort_id", flat=True)) == {laureate.cohort_id}
    assert len(mail.outbox) == 3
    [to_coach] = [m for m in mail.outbox if m.to == [laureate.coach.email]]
    assert "« Point d'étape n°1 — Mobilic » est attendu au plus tard le" in to_coach.body
    assert "dimanche 29 novembre 2026 à 23h59" in to_coach.body
    assert f"/cohortes/{laureate.cohort.slug}/laureats/{laureate.pk}/suivi/" in to_coach.body


def test_a_report_filed_before_the_mail_leaves_cancels_it(
    laureate, frozen, django_capture_on_commit_callbacks
):
    report = milestone(laureate, TODAY + timedelta(days=6))
    with django_capture_on_commit_callbacks(execute=False):
        scan_reminders(now=NOW)  # written and queued, but the broker loses the sends
    followup.save_report(
        report,
        data={"results": "Fait", "next_steps": "Suite", "status": "on_track"},
        values={},
        by=laureate.intrapreneur,
        now=NOW,
    )
    followup.submit_report(report, by=laureate.intrapreneur, now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        scan_reminders(now=NOW + timedelta(minutes=30))
    assert mail.outbox == []
    assert set(Reminder.objects.values_list("state", flat=True)) == {ReminderState.CANCELLED}


def test_the_cohort_reminder_page_names_each_milestone_in_fixed_queries(
    client, frozen, django_capture_on_commit_callbacks
):
    cohort = factories.CohortFactory(slug="suivie")
    staff = factories.StaffFactory(programme=cohort.programme)
    client.force_login(staff)
    url = reverse("reminders:cohort", kwargs={"slug": "suivie"})

    def grow_and_count(n):
        for _ in range(n):
            lau = factories.LaureateFactory(cohort=cohort)
            milestone(lau, TODAY + timedelta(days=3))
        with django_capture_on_commit_callbacks(execute=False):
            scan_reminders(now=NOW)
        client.get(url)  # content types are cached per process after a first page
        with CaptureQueriesContext(connection) as queries:
            html = client.get(url).content.decode()
        assert html.count("n°1 — Startup") == Reminder.objects.count()
        return len(queries)

    assert grow_and_count(2) == grow_and_count(20)
