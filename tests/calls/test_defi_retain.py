"""EIG stage 1: staff retain an administration's proposal as a défi in one action."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from calls import services
from calls.enums import CallKind, CallState, QuestionKind
from calls.models import Defi
from programme.audit import history
from programme.exceptions import TransitionError
from tests import factories

pytestmark = pytest.mark.django_db

NOW = datetime(2017, 9, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def stage_one(programme):
    call = factories.CallFactory(
        programme=programme,
        kind=CallKind.CHALLENGES,
        state=CallState.CLOSED,
        opens_at=datetime(2017, 6, 1, tzinfo=UTC),
        closes_at=datetime(2017, 7, 13, tzinfo=UTC),
    )
    for position, (label, kind) in enumerate(
        [
            ("Le défi en quelques lignes", QuestionKind.LONG_TEXT),
            ("Les données disponibles", QuestionKind.LONG_TEXT),
            ("Profils recherchés", QuestionKind.MULTIPLE_CHOICE),
            ("Les tuteurs proposés", QuestionKind.SHORT_TEXT),
        ]
    ):
        factories.QuestionFactory(call=call, label=label, kind=kind, position=position)
    return call


@pytest.fixture
def proposal(stage_one):
    proposal = factories.ProposalFactory(
        call=stage_one, title="PrédiSauvetage", state="eligible", summary="Résumé."
    )
    values = {
        "Le défi en quelques lignes": "Prédire les interventions des sauveteurs en mer.",
        "Les données disponibles": "Vingt ans d'interventions des CROSS.",
        "Profils recherchés": ["Data scientist", "Développeur"],
        "Les tuteurs proposés": "Deux officiers du CROSS Étel",
    }
    for question in stage_one.questions.all():
        factories.AnswerFactory(proposal=proposal, question=question, value=values[question.label])
    return proposal


def test_the_defi_takes_the_proposal_s_title_host_description_profiles_and_tutors(proposal, staff):
    defi = services.retain_defi(proposal, by=staff, now=NOW)
    assert defi.call == proposal.call
    assert defi.source_proposal == proposal
    assert defi.title == "PrédiSauvetage"
    assert defi.host_structure == proposal.structure
    assert "Prédire les interventions" in defi.description
    assert "Vingt ans d'interventions" in defi.description
    assert defi.profiles == "Data scientist, Développeur"
    assert defi.mentors == "Deux officiers du CROSS Étel"
    assert [e.action for e in history(proposal.call)] == ["call.defi.retain"]


def test_a_proposal_is_retained_once(proposal, staff):
    services.retain_defi(proposal, by=staff, now=NOW)
    with pytest.raises(TransitionError, match="déjà retenue"):
        services.retain_defi(proposal, by=staff, now=NOW)
    assert Defi.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"state": "ineligible"}, "ne peut pas devenir un défi"),
        ({"state": "draft"}, "ne peut pas devenir un défi"),
    ],
)
def test_turned_down_or_unsubmitted_proposals_are_refused(proposal, staff, change, message):
    for field, value in change.items():
        setattr(proposal, field, value)
    proposal.save()
    with pytest.raises(TransitionError, match=message):
        services.retain_defi(proposal, by=staff, now=NOW)
    assert not Defi.objects.exists()


def test_only_a_call_for_defis_makes_defis(staff):
    proposal = factories.ProposalFactory(state="eligible")
    with pytest.raises(TransitionError, match="appel à défis"):
        services.retain_defi(proposal, by=staff, now=NOW)


def test_a_title_already_taken_in_the_call_is_refused_with_advice(proposal, staff):
    factories.DefiFactory(call=proposal.call, title="PrédiSauvetage")
    with pytest.raises(TransitionError, match="renommez"):
        services.retain_defi(proposal, by=staff, now=NOW)


def test_an_archived_call_keeps_its_defis(proposal, staff):
    proposal.call.state = CallState.ARCHIVED
    proposal.call.save()
    with pytest.raises(TransitionError, match="ne peuvent plus changer"):
        services.retain_defi(proposal, by=staff, now=NOW)


# --- The page -----------------------------------------------------------------------------


def test_staff_retain_from_the_proposal_page(client, proposal, staff):
    client.force_login(staff)
    page = client.get(proposal.get_absolute_url()).content.decode()
    url = reverse("projects:retain-defi", args=[proposal.public_id])
    assert url in page
    response = client.post(url, follow=True)
    assert "est retenu comme défi" in response.content.decode()
    assert Defi.objects.get().source_proposal == proposal
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "Retenue comme défi" in page
    assert url not in page


def test_the_team_and_other_staff_cannot_retain(client, proposal):
    member = factories.TeamMemberFactory(proposal=proposal).user
    for user in (member, factories.StaffFactory()):
        client.force_login(user)
        response = client.post(reverse("projects:retain-defi", args=[proposal.public_id]))
        assert response.status_code in (403, 404)
    assert not Defi.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, proposal):
    response = client.post(reverse("projects:retain-defi", args=[proposal.public_id]))
    assert response.status_code == 302
    assert not Defi.objects.exists()


def test_the_button_is_absent_on_a_call_for_projects(client, staff, programme):
    proposal = factories.ProposalFactory(
        call=factories.CallFactory(programme=programme), state="eligible"
    )
    client.force_login(staff)
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert reverse("projects:retain-defi", args=[proposal.public_id]) not in page
