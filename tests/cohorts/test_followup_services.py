"""The follow-up's milestones: their generation from the programme, reports, skips, reviews and
the final committee, each audited."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from cohorts.enums import FinalOutcome, MilestoneKind, MilestoneState, Phase, ReportStatus
from cohorts.models import Cohort, IndicatorValue, Milestone
from cohorts.services import cohorts as services
from cohorts.services import followup
from programme.exceptions import TransitionError
from programme.models import AuditEntry
from projects.enums import ProposalState
from tests import factories

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
R, MID, FIN = MilestoneKind.REPORT, MilestoneKind.MIDTERM, MilestoneKind.FINAL


def plan(start, end):
    return [(s.kind, s.number, s.due_on) for s in followup.schedule(start, end)]


def test_six_months_give_six_reports_a_midterm_review_and_a_final_committee():
    assert plan(date(2018, 1, 26), date(2018, 7, 26)) == [
        (R, 1, date(2018, 2, 26)),
        (R, 2, date(2018, 3, 26)),
        (R, 3, date(2018, 4, 26)),
        (MID, 0, date(2018, 4, 26)),
        (R, 4, date(2018, 5, 26)),
        (R, 5, date(2018, 6, 26)),
        (R, 6, date(2018, 7, 26)),
        (FIN, 0, date(2018, 7, 26)),
    ]


def test_a_cohort_starting_on_the_31st_keeps_month_ends_in_a_leap_year():
    steps = followup.schedule(date(2023, 8, 31), date(2024, 2, 29))
    reports = [s for s in steps if s.kind == R]
    # Counted from the start each time: 30 November does not drag December to the 30th.
    assert [s.due_on for s in reports] == [
        date(2023, 9, 30),
        date(2023, 10, 31),
        date(2023, 11, 30),
        date(2023, 12, 31),
        date(2024, 1, 31),
        date(2024, 2, 29),
    ]
    # Each report covers the month before it, without gap or overlap.
    assert [(s.period_start, s.period_end) for s in reports[:2]] == [
        (date(2023, 8, 31), date(2023, 9, 29)),
        (date(2023, 9, 30), date(2023, 10, 30)),
    ]
    assert reports[-1].period_start == date(2024, 1, 31)
    assert reports[-1].period_end == date(2024, 2, 28)
    for before, after in zip(reports, reports[1:], strict=False):
        assert after.period_start == before.period_end + timedelta(days=1)
    assert [s.due_on for s in steps if s.kind == MID] == [date(2023, 11, 30)]
    assert [s.due_on for s in steps if s.kind == FIN] == [date(2024, 2, 29)]


def test_february_of_a_common_year_and_a_start_on_the_29th_of_february():
    assert plan(date(2022, 8, 31), date(2023, 2, 28))[-2:] == [
        (R, 6, date(2023, 2, 28)),
        (FIN, 0, date(2023, 2, 28)),
    ]
    reports = [d for k, _, d in plan(date(2024, 1, 31), date(2024, 4, 30)) if k == R]
    assert reports == [date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30)]
    leap_day = [d for k, _, d in plan(date(2024, 2, 29), date(2025, 2, 28)) if k == R]
    assert leap_day[:2] == [date(2024, 3, 29), date(2024, 4, 29)]
    assert leap_day[-1] == date(2025, 2, 28)


def test_ten_months_of_eig_put_the_review_after_the_fifth_report():
    steps = plan(date(2018, 1, 15), date(2018, 11, 15))
    assert [n for k, n, _ in steps if k == R] == list(range(1, 11))
    assert (MID, 0, date(2018, 6, 15)) in steps


def test_an_odd_number_of_months_puts_the_review_on_the_middle_day():
    steps = plan(date(2024, 1, 1), date(2024, 6, 1))
    assert len([s for s in steps if s[0] == R]) == 5
    assert (MID, 0, date(2024, 3, 17)) in steps  # 152 days: the 76th


def test_an_end_off_the_month_grid_still_ends_with_the_committee():
    steps = plan(date(2024, 1, 10), date(2024, 3, 20))
    assert steps[-1] == (FIN, 0, date(2024, 3, 20))
    assert [d for k, _, d in steps if k == R] == [date(2024, 2, 10), date(2024, 3, 10)]


@pytest.fixture
def formed(programme, staff):
    call = factories.CallFactory(programme=programme)
    proposals = [
        factories.ProposalFactory(call=call, title=title, state=ProposalState.SELECTED)
        for title in ("Mobilic", "Ma Cantine")
    ]
    return services.form_cohort(
        programme,
        label="FAST 13",
        starts_on=date(2023, 8, 31),
        proposals=proposals,
        by=staff,
        now=NOW,
    )


@pytest.mark.django_db
def test_forming_a_cohort_gives_each_laureate_its_milestones(formed):
    for laureate in formed.laureates.all():
        milestones = list(laureate.milestones.order_by("due_on", "pk"))
        assert [m.kind for m in milestones].count(R) == 6
        assert milestones[-1].kind == FIN
        assert milestones[-1].due_on == date(2024, 2, 29)
        assert all(m.created_at == NOW for m in milestones)


@pytest.mark.django_db
def test_staff_generate_the_milestones_of_a_cohort_formed_without_them(programme, staff):
    cohort = factories.CohortFactory(programme=programme, starts_on=date(2018, 1, 26))
    first = factories.LaureateFactory(cohort=cohort)
    assert followup.start_followup(cohort, by=staff, now=NOW) == 1
    assert first.milestones.count() == 8
    second = factories.LaureateFactory(cohort=cohort)
    assert followup.start_followup(cohort, by=staff, now=NOW) == 1
    assert first.milestones.count() == second.milestones.count() == 8
    with pytest.raises(TransitionError, match="déjà ses jalons"):
        followup.start_followup(cohort, by=staff, now=NOW)
    assert AuditEntry.objects.filter(action="cohort.milestones").count() == 2


@pytest.mark.django_db
def test_a_due_date_never_moves_by_itself(formed):
    laureate = formed.laureates.first()
    before = list(laureate.milestones.values_list("due_on", flat=True))
    Cohort.objects.filter(pk=formed.pk).update(ends_on=date(2024, 6, 30))
    assert list(laureate.milestones.values_list("due_on", flat=True)) == before
    first = laureate.milestones.get(kind=R, number=1)
    # A late report stays late, day after day, until it is filed.
    for day in (date(2023, 10, 1), date(2024, 1, 1), date(2026, 1, 1)):
        assert first.state(day) == MilestoneState.LATE
    assert first.state(date(2023, 9, 30)) == MilestoneState.UPCOMING


# --- Reports -----------------------------------------------------------------------------------


@pytest.fixture
def laureate(formed):
    laureate = formed.laureates.get(name="Mobilic")
    laureate.coach = factories.CoachFactory(programme=formed.programme)
    laureate.save()
    return laureate


@pytest.fixture
def first_report(laureate):
    return laureate.milestones.get(kind=R, number=1)


def fill(milestone, user, **data):
    defaults = {"results": "200 entreprises inscrites.", "next_steps": "Ouvrir aux PME."}
    return followup.save_report(milestone, data={**defaults, **data}, values={}, by=user, now=NOW)


@pytest.mark.django_db
def test_the_team_saves_a_draft_then_submits_it(first_report, laureate):
    team = laureate.intrapreneur
    indicator = factories.IndicatorFactory(programme=laureate.cohort.programme, label="Usagers")
    report = followup.save_report(
        first_report,
        data={"results": "Premiers usagers.", "status": ReportStatus.ON_TRACK},
        values={indicator.pk: Decimal("120")},
        by=team,
        now=NOW,
    )
    assert (report.period_start, report.period_end) == (date(2023, 8, 31), date(2023, 9, 29))
    assert IndicatorValue.objects.get(report=report).value == Decimal("120")
    # Submitting without the next steps is refused; the draft stays as saved.
    with pytest.raises(TransitionError, match="Pour déposer, complétez les prochaines étapes"):
        followup.submit_report(first_report, by=team, now=NOW)
    report.refresh_from_db()
    assert report.results == "Premiers usagers."
    first_report.refresh_from_db()
    assert first_report.done_at is None
    fill(first_report, team, status=ReportStatus.AT_RISK)
    followup.submit_report(first_report, by=team, now=NOW)
    first_report.refresh_from_db()
    assert first_report.state(date(2030, 1, 1)) == MilestoneState.DONE
    entry = AuditEntry.objects.get(action="report.submit")
    assert (entry.actor, entry.to_state, entry.reason) == (team, "submitted", "at_risk")
    with pytest.raises(TransitionError, match="déjà déposé"):
        fill(first_report, team)


@pytest.mark.django_db
def test_an_indicator_of_another_programme_is_refused(first_report, laureate):
    other = factories.IndicatorFactory()
    with pytest.raises(TransitionError, match="indicateur"):
        followup.save_report(
            first_report, data={}, values={other.pk: Decimal(1)}, by=laureate.intrapreneur, now=NOW
        )


@pytest.mark.django_db
def test_the_coach_comments_a_submitted_report_only(first_report, laureate):
    report = fill(first_report, laureate.intrapreneur, status=ReportStatus.ON_TRACK)
    with pytest.raises(TransitionError, match="une fois déposé"):
        followup.comment_report(report, text="Bravo", by=laureate.coach, now=NOW)
    followup.submit_report(first_report, by=laureate.intrapreneur, now=NOW)
    followup.comment_report(report, text="Bravo, continuez.", by=laureate.coach, now=NOW)
    report.refresh_from_db()
    assert (report.coach_comment, report.commented_by) == ("Bravo, continuez.", laureate.coach)
    assert AuditEntry.objects.filter(action="report.comment").count() == 1


@pytest.mark.django_db
def test_a_skipped_milestone_needs_a_reason_and_is_no_longer_late(first_report, staff):
    with pytest.raises(TransitionError, match="motif"):
        followup.skip_milestone(first_report, reason="  ", by=staff, now=NOW)
    followup.skip_milestone(first_report, reason="Congés d'été", by=staff, now=NOW)
    first_report.refresh_from_db()
    assert first_report.state(date(2030, 1, 1)) == MilestoneState.SKIPPED
    with pytest.raises(TransitionError, match="écarté"):
        fill(first_report, first_report.laureate.intrapreneur)
    with pytest.raises(TransitionError, match="déjà fait ou écarté"):
        followup.skip_milestone(first_report, reason="Encore", by=staff, now=NOW)
    followup.restore_milestone(first_report, by=staff, now=NOW)
    first_report.refresh_from_db()
    assert first_report.state(date(2030, 1, 1)) == MilestoneState.LATE
    assert list(
        AuditEntry.objects.filter(action__startswith="milestone.").values_list("action", "reason")
    ) == [("milestone.restore", ""), ("milestone.skip", "Congés d'été")]


@pytest.mark.django_db
def test_staff_add_an_ad_hoc_milestone(laureate, staff):
    milestone = followup.add_milestone(
        laureate, title="Démo aux usagers", due_on=date(2023, 12, 12), by=staff, now=NOW
    )
    assert milestone.kind == MilestoneKind.ADHOC
    with pytest.raises(TransitionError, match="intitulé"):
        followup.add_milestone(laureate, title=" ", due_on=date(2023, 12, 12), by=staff, now=NOW)
    followup.hold_review(milestone, notes="Démo réussie.", by=staff, now=NOW)
    milestone.refresh_from_db()
    assert milestone.done_at == NOW


@pytest.mark.django_db
def test_the_midterm_review_is_held_with_its_minutes(laureate, staff):
    review = laureate.milestones.get(kind=MID)
    with pytest.raises(TransitionError, match="compte rendu"):
        followup.hold_review(review, notes="", by=staff, now=NOW)
    followup.hold_review(review, notes="Cap maintenu.", by=staff, now=NOW)
    with pytest.raises(TransitionError, match="déjà fait"):
        followup.hold_review(review, notes="Encore", by=staff, now=NOW)
    with pytest.raises(TransitionError):
        followup.hold_review(laureate.milestones.get(kind=FIN), notes="x", by=staff, now=NOW)


@pytest.mark.parametrize(
    ("outcome", "next_phase", "phase"),
    [
        (FinalOutcome.PERMANENT, "", Phase.PERMANENT),
        (FinalOutcome.ABANDON, "", Phase.ABANDONED),
        (FinalOutcome.CONTINUE, Phase.CONSOLIDATION, Phase.CONSOLIDATION),
    ],
)
@pytest.mark.django_db
def test_the_final_committee_decides_the_next_phase_in_the_audit_log(
    laureate, staff, outcome, next_phase, phase
):
    committee = laureate.milestones.get(kind=FIN)
    followup.decide_final(
        committee,
        outcome=outcome,
        next_phase=next_phase,
        reasons="Usage établi, budget trouvé.",
        by=staff,
        now=NOW,
    )
    laureate.refresh_from_db()
    committee.refresh_from_db()
    assert laureate.phase == phase
    assert (committee.outcome, committee.next_phase, committee.done_at) == (outcome, phase, NOW)
    entry = AuditEntry.objects.get(action="laureate.final_decision")
    assert (entry.from_state, entry.to_state) == (Phase.INVESTIGATION, phase)
    assert entry.reason.endswith("Usage établi, budget trouvé.")
    with pytest.raises(TransitionError, match="déjà rendu"):
        followup.decide_final(
            committee, outcome=outcome, next_phase=next_phase, reasons="x", by=staff, now=NOW
        )


@pytest.mark.django_db
def test_the_final_committee_needs_reasons_and_a_phase_to_continue_in(laureate, staff):
    committee = laureate.milestones.get(kind=FIN)
    with pytest.raises(TransitionError, match="Motivez"):
        followup.decide_final(committee, outcome=FinalOutcome.ABANDON, reasons="", by=staff,
                              now=NOW)  # fmt: skip
    for phase in ("", Phase.PERMANENT):
        with pytest.raises(TransitionError, match="phase"):
            followup.decide_final(
                committee,
                outcome=FinalOutcome.CONTINUE,
                next_phase=phase,
                reasons="Encore un an.",
                by=staff,
                now=NOW,
            )
    with pytest.raises(TransitionError, match="comité final"):
        followup.decide_final(
            laureate.milestones.get(kind=MID),
            outcome=FinalOutcome.ABANDON,
            reasons="x",
            by=staff,
            now=NOW,
        )
    assert not Milestone.objects.filter(done_at__isnull=False).exists()
