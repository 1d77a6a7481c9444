"""Forming a cohort, its end date, publishing it and a laureate's phase."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from cohorts.enums import Phase
from cohorts.models import Cohort, add_months, default_end
from cohorts.services import cohorts as services
from programme.exceptions import TransitionError
from programme.models import AuditEntry
from projects.enums import ProposalState, TeamRole
from tests import factories

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (date(2018, 1, 26), 6, date(2018, 7, 26)),
        (date(2018, 1, 31), 1, date(2018, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
        (date(2023, 8, 31), 6, date(2024, 2, 29)),  # a cohort starting on the 31st, leap
        (date(2022, 8, 31), 6, date(2023, 2, 28)),
        (date(2023, 3, 31), 6, date(2023, 9, 30)),
        (date(2023, 5, 31), 10, date(2024, 3, 31)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2023, 12, 15), 1, date(2024, 1, 15)),  # across the year
        (date(2023, 7, 31), 10, date(2024, 5, 31)),
    ],
)
def test_months_are_added_clamping_month_ends(start, months, end):
    assert add_months(start, months) == end


def test_the_end_follows_the_programme_length():
    assert default_end(date(2018, 1, 26), factories.ProgrammeFactory.build()) == date(2018, 7, 26)
    eig = factories.ProgrammeFactory.build(followup_months=10)
    assert default_end(date(2018, 1, 31), eig) == date(2018, 11, 30)


@pytest.fixture
def selected(programme):
    call = factories.CallFactory(programme=programme)
    proposals = []
    for title in ("Mobilic", "Ma Cantine"):
        proposal = factories.ProposalFactory(
            call=call,
            title=title,
            summary="Simplifier le suivi du temps de travail.\nPlus de détails ensuite.",
            state=ProposalState.SELECTED,
        )
        factories.TeamMemberFactory(proposal=proposal)
        proposals.append(proposal)
    return proposals


@pytest.mark.django_db
def test_a_cohort_is_formed_from_selected_proposals(programme, staff, selected):
    cohort = services.form_cohort(
        programme,
        label="FAST 13",
        slug="fast-13",
        starts_on=date(2023, 8, 31),
        proposals=selected,
        by=staff,
        now=NOW,
    )
    assert cohort.ends_on == date(2024, 2, 29)
    assert not cohort.is_published
    laureates = {laureate.name: laureate for laureate in cohort.laureates.all()}
    assert set(laureates) == {"Mobilic", "Ma Cantine"}
    mobilic = laureates["Mobilic"]
    proposal = selected[0]
    assert mobilic.proposal == proposal
    assert mobilic.mission == "Simplifier le suivi du temps de travail."
    assert mobilic.host_structure == proposal.structure
    lead = proposal.team.get(role=TeamRole.LEAD).user
    assert mobilic.intrapreneur == lead
    assert set(mobilic.members.all()) == {m.user for m in proposal.team.all()}
    assert len(set(mobilic.members.all())) == 2
    assert not mobilic.intrapreneur_public
    entry = AuditEntry.objects.get(action="cohort.form")
    assert entry.actor == staff
    assert entry.object_id == str(cohort.pk)


@pytest.mark.django_db
def test_an_explicit_end_is_kept(programme, staff, selected):
    cohort = services.form_cohort(
        programme,
        label="FAST 13",
        slug="fast-13",
        starts_on=date(2023, 9, 1),
        ends_on=date(2024, 1, 15),
        proposals=selected,
        by=staff,
        now=NOW,
    )
    assert cohort.ends_on == date(2024, 1, 15)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "state",
    [ProposalState.SUBMITTED, ProposalState.ELIGIBLE, ProposalState.SHORTLISTED,
     ProposalState.NOT_SELECTED, ProposalState.WITHDRAWN],
)  # fmt: skip
def test_only_selected_proposals_enter_a_cohort(programme, staff, selected, state):
    other = factories.ProposalFactory(call=selected[0].call, title="Pas encore", state=state)
    with pytest.raises(TransitionError, match="n'est pas lauréate"):
        services.form_cohort(
            programme,
            label="X",
            slug="x",
            starts_on=date(2024, 1, 1),
            proposals=[*selected, other],
            by=staff,
            now=NOW,
        )
    assert not Cohort.objects.exists()


@pytest.mark.django_db
def test_a_proposal_of_another_programme_is_refused(programme, staff, selected):
    foreign = factories.ProposalFactory(title="Ailleurs", state=ProposalState.SELECTED)
    with pytest.raises(TransitionError, match="n'est pas une candidature de ce programme"):
        services.form_cohort(
            programme,
            label="X",
            slug="x",
            starts_on=date(2024, 1, 1),
            proposals=[foreign],
            by=staff,
            now=NOW,
        )
    assert not Cohort.objects.exists()


@pytest.mark.django_db
def test_proposals_of_several_calls_and_never_twice(programme, staff, selected):
    later = factories.ProposalFactory(
        call=factories.CallFactory(programme=programme), state=ProposalState.SELECTED
    )
    cohort = services.form_cohort(
        programme,
        label="A",
        slug="a",
        starts_on=date(2024, 1, 1),
        proposals=[selected[0], later],
        by=staff,
        now=NOW,
    )
    assert cohort.laureates.count() == 2
    with pytest.raises(TransitionError, match="déjà dans une promotion"):
        services.form_cohort(
            programme,
            label="B",
            slug="b",
            starts_on=date(2024, 1, 1),
            proposals=[later],
            by=staff,
            now=NOW,
        )
    with pytest.raises(TransitionError, match="au moins une"):
        services.form_cohort(
            programme, label="C", slug="c", starts_on=date(2024, 1, 1), proposals=[],
            by=staff, now=NOW,
        )  # fmt: skip


@pytest.mark.django_db
def test_publish_then_unpublish_with_audit(staff, programme):
    cohort = factories.LaureateFactory(
        cohort=factories.CohortFactory(programme=programme, published_at=None)
    ).cohort
    services.publish_cohort(cohort, by=staff, now=NOW)
    cohort.refresh_from_db()
    assert cohort.published_at == NOW
    with pytest.raises(TransitionError, match="déjà publiée"):
        services.publish_cohort(cohort, by=staff, now=NOW)
    services.unpublish_cohort(cohort, by=staff, reason="Une coquille", now=NOW)
    cohort.refresh_from_db()
    assert cohort.published_at is None
    with pytest.raises(TransitionError, match="n'est pas publiée"):
        services.unpublish_cohort(cohort, by=staff, reason="", now=NOW)
    actions = list(AuditEntry.objects.order_by("id").values_list("action", "reason"))
    assert actions == [("cohort.publish", ""), ("cohort.unpublish", "Une coquille")]


@pytest.mark.django_db
def test_an_empty_cohort_cannot_be_published(staff, programme):
    cohort = factories.CohortFactory(programme=programme, published_at=None)
    with pytest.raises(TransitionError, match="sans lauréat"):
        services.publish_cohort(cohort, by=staff, now=NOW)


@pytest.mark.django_db
def test_set_phase_is_guarded_and_logged(staff):
    laureate = factories.LaureateFactory()
    services.set_phase(laureate, Phase.PERMANENT, by=staff, now=NOW, reason="Comité final")
    laureate.refresh_from_db()
    assert laureate.phase == Phase.PERMANENT
    entry = AuditEntry.objects.get(action="laureate.phase")
    assert (entry.from_state, entry.to_state, entry.reason) == (
        Phase.INVESTIGATION,
        Phase.PERMANENT,
        "Comité final",
    )
    with pytest.raises(TransitionError, match="déjà dans cette phase"):
        services.set_phase(laureate, Phase.PERMANENT, by=staff, now=NOW)
    with pytest.raises(TransitionError, match="Phase inconnue"):
        services.set_phase(laureate, "licorne", by=staff, now=NOW)


@pytest.mark.django_db
def test_funding_follows_the_rules_of_the_laureates_call(staff):
    call = factories.CallFactory(offers_funding=True, max_funding_amount=Decimal("300000"))
    proposal = factories.ProposalFactory(
        call=call, state=ProposalState.SELECTED, yearly_budget=Decimal("700000")
    )
    laureate = factories.LaureateFactory(proposal=proposal)
    with pytest.raises(TransitionError, match="plafond par projet"):
        services.edit_laureate(
            laureate, changes={"funding_granted": Decimal("300001")}, by=staff, now=NOW
        )
    with pytest.raises(TransitionError, match="raison du changement"):
        services.edit_laureate(
            laureate, changes={"funding_granted": Decimal("300000")}, by=staff, now=NOW
        )
    services.edit_laureate(
        laureate,
        changes={"funding_granted": Decimal("300000")},
        by=staff,
        now=NOW,
        funding_reason="Budget revu par le comité.",
    )
    laureate.refresh_from_db()
    assert laureate.funding_granted == 300000
    with pytest.raises(TransitionError, match="appel qui finance"):
        services.edit_laureate(
            factories.LaureateFactory(), changes={"funding_granted": 1}, by=staff, now=NOW
        )


@pytest.mark.django_db
def test_the_address_comes_from_the_label_and_is_never_taken_twice(programme, staff, selected):
    cohort = services.form_cohort(
        programme, label="FAST 13", starts_on=date(2023, 11, 6), proposals=selected[:1],
        by=staff, now=NOW,
    )  # fmt: skip
    assert cohort.slug == "fast-13"
    with pytest.raises(TransitionError, match="déjà prise"):
        services.form_cohort(
            programme, label="FAST 13", starts_on=date(2023, 11, 6), proposals=selected[1:],
            by=staff, now=NOW,
        )  # fmt: skip


@pytest.mark.django_db
def test_a_laureate_edit_keeps_the_old_and_new_value_of_each_field_for_the_journal(staff):
    from programme import journal
    from programme.models import AuditEntry

    laureate = factories.LaureateFactory(name="Mobilic", mission="Suivre le temps de travail.")
    services.edit_laureate(
        laureate,
        changes={"mission": "Simplifier le suivi du temps de travail.", "name": "Mobilic"},
        by=staff,
        now=NOW,
    )
    entry = AuditEntry.objects.get(action="laureate.update")
    assert entry.changes == {
        "mission": ["Suivre le temps de travail.", "Simplifier le suivi du temps de travail."]
    }
    (change,) = journal.describe(entry).changes
    assert (change.label, change.old, change.new) == (
        "Mission en une ligne",
        "Suivre le temps de travail.",
        "Simplifier le suivi du temps de travail.",
    )
