"""Issue 13, finding 3: the team stops changing at the deadline, and conflicts of interest follow
the structure of every member of the team, recomputed when the team or a structure changes."""

from datetime import timedelta

import pytest
from django.core import signing
from django.urls import reverse

from calls.enums import CallState
from programme.exceptions import TransitionError
from programme.models import AuditEntry, Structure
from projects.enums import ConflictKind, ProposalState
from projects.models import Conflict
from projects.queries import invitations as invitation_queries
from projects.services import invitations, jury
from tests import factories
from tests.projects import jury_fixtures
from tests.projects.conftest import CLOSES_AT, NOW
from tests.projects.jury_fixtures import eligible, juror_for

pytestmark = pytest.mark.django_db
review_call = jury_fixtures.review_call


def _token(invitation) -> str:
    return signing.dumps(str(invitation.public_id), salt=invitation_queries.INVITATION_SALT)


def test_a_late_join_is_refused(proposal, agent):
    mate = factories.UserFactory(email="retardataire@exemple.gouv.fr")
    invitation = invitations.invite_member(proposal, by=agent, email=mate.email, now=NOW)
    with pytest.raises(TransitionError, match="clos"):
        invitations.accept_invitation(
            _token(invitation), user=mate, now=CLOSES_AT + timedelta(minutes=1)
        )
    assert not proposal.team.filter(user=mate).exists()


def test_a_late_join_is_refused_on_a_submitted_proposal(proposal, agent):
    mate = factories.UserFactory(email="retard@exemple.gouv.fr")
    invitation = invitations.invite_member(proposal, by=agent, email=mate.email, now=NOW)
    type(proposal).objects.filter(pk=proposal.pk).update(state=ProposalState.SUBMITTED)
    proposal.call.state = CallState.CLOSED
    proposal.call.save(update_fields=["state"])
    with pytest.raises(TransitionError, match="clos"):
        invitations.accept_invitation(_token(invitation), user=mate, now=CLOSES_AT)
    assert not proposal.team.filter(user=mate).exists()


def test_no_invitation_after_the_deadline(proposal, agent):
    with pytest.raises(TransitionError, match="clos"):
        invitations.invite_member(
            proposal, by=agent, email="tard@exemple.gouv.fr", now=CLOSES_AT + timedelta(hours=1)
        )


def _other_structure(name="Direction régionale des finances"):
    return Structure.objects.create(name=name, type="dreal", region="")


def test_conflicts_follow_every_members_structure(review_call, staff):
    (proposal,) = eligible(review_call)
    member_structure = _other_structure()
    factories.TeamMemberFactory(
        proposal=proposal, user=factories.UserFactory(structure=member_structure)
    )
    seat = jury.add_juror(
        review_call, factories.UserFactory(structure=member_structure), by=staff, now=NOW
    )
    conflict = Conflict.objects.get(juror=seat, proposal=proposal)
    assert conflict.kind == ConflictKind.AUTOMATIC


def test_a_join_recomputes_the_conflicts(call, proposal, agent, programme):
    member_structure = _other_structure()
    seat = factories.JuryMemberFactory(
        call=call, user=factories.UserFactory(structure=member_structure)
    )
    mate = factories.UserFactory(email="mate@exemple.gouv.fr", structure=member_structure)
    invitation = invitations.invite_member(proposal, by=agent, email=mate.email, now=NOW)
    type(proposal).objects.filter(pk=proposal.pk).update(state=ProposalState.SUBMITTED)
    invitations.accept_invitation(_token(invitation), user=mate, now=NOW)
    assert Conflict.objects.filter(juror=seat, proposal=proposal, lifted_at=None).exists()


def test_a_jurors_new_structure_puts_them_in_conflict_and_is_audited(review_call, client):
    (proposal,) = eligible(review_call)
    seat = juror_for(review_call)
    client.force_login(seat.user)
    response = client.post(
        reverse("profile"),
        {
            "first_name": "Jeanne",
            "last_name": "Juré",
            "job_title": "",
            "structure_type": proposal.structure.type,
            "structure_name": proposal.structure.name,
            "structure_region": proposal.structure.region,
        },
    )
    assert response.status_code == 302
    assert Conflict.objects.filter(juror=seat, proposal=proposal, lifted_at=None).exists()
    assert AuditEntry.objects.filter(action="jury.juror_structure", actor=seat.user).exists()
    client.force_login(factories.StaffFactory(programme=review_call.programme))
    panel = client.get(reverse("jury:panel", args=[review_call.slug]))
    assert "Changée par le juré le" in panel.content.decode()
