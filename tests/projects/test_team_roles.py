"""Team roles (issue 14, finding 2): the lead withdraws, removes, cancels or resends an
invitation and hands the role over; a member may leave. Each change is audited and mailed
to every member once."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail as django_mail
from django.urls import reverse

from programme.exceptions import TransitionError
from programme.models import AuditEntry
from projects.enums import ProposalState, TeamRole
from projects.models import Invitation, Proposal, TeamMember
from projects.services import invitations, team
from projects.services import proposals as services
from tests import factories
from tests.projects.conftest import CLOSES_AT, NOW


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def mate(proposal):
    user = factories.UserFactory(first_name="Sacha", last_name="Martin")
    TeamMember.objects.create(proposal=proposal, user=user, role=TeamRole.MEMBER)
    return user


def _to(outbox):
    return sorted(address for message in outbox for address in message.to)


def test_a_co_editor_cannot_withdraw_the_proposal(proposal, mate):
    with pytest.raises(TransitionError, match="Seul le porteur"):
        services.withdraw_proposal(proposal, by=mate, now=NOW)
    assert Proposal.objects.get(pk=proposal.pk).state == ProposalState.DRAFT


def test_the_withdraw_button_of_a_co_editor_withdraws_nothing(client, proposal, mate):
    client.force_login(mate)
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "Retirer ma candidature" not in page
    assert "Seul le porteur ou la porteuse du projet peut retirer" in page
    response = client.post(reverse("projects:withdraw", args=[proposal.public_id]), follow=True)
    assert "Seul le porteur" in response.content.decode()
    assert Proposal.objects.get(pk=proposal.pk).state == ProposalState.DRAFT


def test_the_lead_withdraws_and_every_member_is_told_once(
    proposal, agent, mate, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_proposal(proposal, by=agent, now=NOW)
    assert Proposal.objects.get(pk=proposal.pk).state == ProposalState.WITHDRAWN
    assert _to(django_mail.outbox) == sorted([agent.email, mate.email])
    told = next(m for m in django_mail.outbox if m.to == [mate.email])
    assert told.subject == "Candidature retirée — Aides territoires"
    assert "Bonjour Sacha Martin" in told.body
    assert "définitif" in told.body


def test_the_lead_removes_a_member_who_is_told_with_the_team(
    proposal, agent, mate, django_capture_on_commit_callbacks
):
    third = factories.UserFactory()
    TeamMember.objects.create(proposal=proposal, user=third)
    with django_capture_on_commit_callbacks(execute=True):
        team.remove_member(proposal, by=agent, member=mate, now=NOW)
    assert not proposal.team.filter(user=mate).exists()
    assert _to(django_mail.outbox) == sorted([agent.email, mate.email, third.email])
    assert AuditEntry.objects.filter(action="team.remove", reason=mate.email).count() == 1
    # The person removed no longer sees the proposal.
    assert not mate.has_perm("projects.view_proposal", Proposal.objects.get(pk=proposal.pk))


def test_a_member_cannot_remove_another_member(proposal, agent, mate):
    third = factories.UserFactory()
    TeamMember.objects.create(proposal=proposal, user=third)
    with pytest.raises(TransitionError, match="Seul le porteur"):
        team.remove_member(proposal, by=mate, member=third, now=NOW)
    with pytest.raises(TransitionError, match="Seul le porteur"):
        team.remove_member(proposal, by=mate, member=agent, now=NOW)
    assert proposal.team.count() == 3


def test_a_member_leaves_but_the_lead_must_hand_over_first(
    proposal, agent, mate, django_capture_on_commit_callbacks
):
    with pytest.raises(TransitionError, match="passez d'abord le rôle"):
        team.leave_team(proposal, by=agent, now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        team.leave_team(proposal, by=mate, now=NOW)
    assert list(proposal.team.values_list("user_id", flat=True)) == [agent.pk]
    assert _to(django_mail.outbox) == sorted([agent.email, mate.email])
    assert "a quitté l'équipe" in django_mail.outbox[0].subject


def test_handing_over_the_lead_role(proposal, agent, mate, django_capture_on_commit_callbacks):
    with pytest.raises(TransitionError, match="Seul le porteur"):
        team.hand_over_lead(proposal, by=mate, to=mate, now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        team.hand_over_lead(proposal, by=agent, to=mate, now=NOW)
    roles = dict(proposal.team.values_list("user_id", "role"))
    assert roles == {agent.pk: TeamRole.MEMBER, mate.pk: TeamRole.LEAD}
    assert _to(django_mail.outbox) == sorted([agent.email, mate.email])
    entry = AuditEntry.objects.get(action="team.hand_over")
    assert entry.changes == {"lead": [agent.email, mate.email]}
    # The former lead may now leave; the new one withdraws.
    fresh = Proposal.objects.get(pk=proposal.pk)
    with pytest.raises(TransitionError):
        services.withdraw_proposal(fresh, by=agent, now=NOW)
    team.leave_team(Proposal.objects.get(pk=proposal.pk), by=agent, now=NOW)
    services.withdraw_proposal(Proposal.objects.get(pk=proposal.pk), by=mate, now=NOW)


def test_only_the_lead_cancels_or_resends_an_invitation(
    proposal, agent, mate, django_capture_on_commit_callbacks
):
    invitation = invitations.invite_member(
        proposal, by=mate, email="Camille@Exemple.gouv.fr", now=NOW
    )
    with pytest.raises(TransitionError, match="Seul le porteur"):
        team.cancel_invitation(invitation, by=mate, now=NOW)
    with pytest.raises(TransitionError, match="Seul le porteur"):
        team.resend_invitation(invitation, by=mate, now=NOW)
    django_mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        team.resend_invitation(invitation, by=agent, now=NOW + timedelta(days=1))
    assert _to(django_mail.outbox) == ["camille@exemple.gouv.fr"]
    with django_capture_on_commit_callbacks(execute=True):
        team.cancel_invitation(invitation, by=agent, now=NOW + timedelta(days=2))
    assert not Invitation.objects.filter(pk=invitation.pk).exists()
    assert _to(django_mail.outbox[1:]) == sorted([agent.email, mate.email])


def test_team_membership_stops_changing_at_the_deadline(proposal, agent, mate):
    after = CLOSES_AT + timedelta(hours=1)
    with pytest.raises(TransitionError, match="L'équipe ne change plus"):
        team.remove_member(proposal, by=agent, member=mate, now=after)
    with pytest.raises(TransitionError, match="L'équipe ne change plus"):
        team.leave_team(proposal, by=mate, now=after)
    # The lead role still changes hands (it changes nobody's access or conflicts).
    team.hand_over_lead(proposal, by=agent, to=mate, now=after)


def test_the_team_page_offers_each_person_their_own_actions(client, proposal, agent, mate):
    url = reverse("projects:team", args=[proposal.public_id])
    client.force_login(agent)
    page = client.get(url).content.decode()
    assert "Passer le rôle de porteur à Sacha Martin" in page
    assert "Retirer Sacha Martin de l'équipe" in page
    assert "Pour quitter l'équipe, passez d'abord" in page
    client.force_login(mate)
    page = client.get(url).content.decode()
    assert "Passer le rôle" not in page
    assert reverse("projects:team-leave", args=[proposal.public_id]) in page


def test_team_changes_from_the_page_go_through_their_confirmation(client, proposal, agent, mate):
    seat = proposal.team.get(user=mate)
    url = reverse("projects:team-remove", args=[proposal.public_id, seat.pk])
    client.force_login(agent)
    page = client.get(url).content.decode()  # what will happen, and to whom, first
    assert "n&#x27;aura plus accès à la candidature" in page or "n'aura plus accès" in page
    assert "informées par courriel" in page
    assert proposal.team.filter(user=mate).exists()
    client.post(url)
    assert not proposal.team.filter(user=mate).exists()


def test_a_member_leaves_from_the_page_and_lands_on_their_list(client, proposal, mate):
    client.force_login(mate)
    response = client.post(reverse("projects:team-leave", args=[proposal.public_id]))
    assert response.url == reverse("projects:mine")
    assert not proposal.team.filter(user=mate).exists()


def test_the_demo_agent_leads_a_team_with_a_co_editor_and_a_fil(client, demo):
    from programme.models import User

    agent = User.objects.get(email="agent@demo.portail.example")
    draft = Proposal.objects.get(title="Tableau de bord des aides à la rénovation énergétique")
    client.force_login(agent)
    page = client.get(reverse("projects:team", args=[draft.public_id])).content.decode()
    assert "Inès Moreau" in page
    assert "louis.garcia@demo.portail.example" in page
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "Le fil de la candidature" in page
    assert "Brouillon créé" in page
    assert "administration d&#x27;accueil" in page
