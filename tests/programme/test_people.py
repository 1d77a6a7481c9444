"""The programme's people in the UI: staff and coaches added, invited and removed, jurors
invited and removed, pending invitations resent or cancelled; each change audited and mailed."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail as outbox
from django.urls import reverse

from calls.enums import CallState
from calls.models import JuryMember
from programme import journal, people
from programme.enums import InvitationRole, ProgrammeRole
from programme.exceptions import TransitionError
from programme.models import AuditEntry, ProgrammeInvitation, ProgrammeMembership
from projects.services import jury
from tests import factories

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def last_sentence(obj) -> str:
    entry = AuditEntry.objects.filter(journal.targets(obj)).select_related("actor").first()
    line = journal.describe(entry)
    return line.sentence


@pytest.fixture
def call(programme):
    return factories.CallFactory(programme=programme, state=CallState.PUBLISHED)


def test_staff_add_a_coach_with_an_account_at_once_mailed_and_audited(
    programme, staff, django_capture_on_commit_callbacks
):
    coach = factories.UserFactory(email="lea.petit@exemple.gouv.fr", first_name="Léa",
                                  last_name="Petit")  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        people.add_member(programme, "Lea.Petit@exemple.gouv.fr", "coach", by=staff, now=NOW)
    assert ProgrammeMembership.objects.filter(
        programme=programme, user=coach, role=ProgrammeRole.COACH
    ).exists()
    [sent] = outbox.outbox
    assert sent.to == ["lea.petit@exemple.gouv.fr"]
    assert "Coach ou tuteur" in sent.body
    assert last_sentence(programme).endswith("a ajouté Léa Petit (coach ou tuteur)")


def test_an_unknown_address_gets_an_invitation_link_that_gives_the_role(
    client, programme, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = people.add_member(
            programme, "nouvelle@exemple.gouv.fr", "staff", by=staff, now=NOW
        )
    assert isinstance(invitation, ProgrammeInvitation)
    [sent] = outbox.outbox
    token = people.invitation_token(invitation)
    assert reverse("programme-invitation", kwargs={"token": token})[:20] in sent.body
    newcomer = factories.UserFactory(email="nouvelle@exemple.gouv.fr")
    client.force_login(newcomer)
    url = sent.body.split("http://")[1].split()[0].split("/", 1)[1]
    response = client.post("/" + url)
    assert response.status_code == 302
    assert ProgrammeMembership.objects.filter(
        programme=programme, user=newcomer, role=ProgrammeRole.STAFF
    ).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


def test_someone_else_cannot_take_an_invitation(programme, staff):
    invitation = people.add_member(programme, "a@exemple.gouv.fr", "coach", by=staff, now=NOW)
    intruder = factories.UserFactory(email="b@exemple.gouv.fr")
    with pytest.raises(TransitionError, match="envoyée à a@exemple.gouv.fr"):
        people.accept_invitation(people.invitation_token(invitation), by=intruder, now=NOW)


def test_a_cancelled_invitation_no_longer_works_and_the_person_is_told(
    programme, staff, django_capture_on_commit_callbacks
):
    invitation = people.add_member(programme, "a@exemple.gouv.fr", "coach", by=staff, now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        people.cancel_invitation(invitation, by=staff, now=NOW)
    assert "annulée" in outbox.outbox[-1].body
    invitee = factories.UserFactory(email="a@exemple.gouv.fr")
    with pytest.raises(TransitionError, match="annulée"):
        people.accept_invitation(people.invitation_token(invitation), by=invitee, now=NOW)
    assert last_sentence(programme).endswith("a annulé l'invitation de a@exemple.gouv.fr")


def test_resending_mails_again_each_time(programme, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = people.add_member(programme, "a@exemple.gouv.fr", "coach", by=staff, now=NOW)
        people.resend_invitation(invitation, by=staff, now=NOW + timedelta(days=3))
        people.resend_invitation(invitation, by=staff, now=NOW + timedelta(days=5))
    assert len(outbox.outbox) == 3
    invitation.refresh_from_db()
    assert invitation.sent_count == 3
    assert invitation.sent_at == NOW + timedelta(days=5)


def test_removing_a_member_is_audited_mailed_and_keeps_one_staff(
    programme, staff, django_capture_on_commit_callbacks
):
    coach = factories.CoachFactory(programme)
    membership = coach.memberships.get()
    with django_capture_on_commit_callbacks(execute=True):
        people.remove_member(membership, by=staff, now=NOW)
    assert not ProgrammeMembership.objects.filter(pk=membership.pk).exists()
    assert outbox.outbox[-1].to == [coach.email]
    assert "a retiré" in last_sentence(programme)
    with pytest.raises(TransitionError, match="au moins une personne"):
        people.remove_member(staff.memberships.get(), by=staff, now=NOW)


def test_jury_invitations_are_kept_pending_resent_and_cancelled(
    programme, staff, call, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        token = jury.invite_juror(call, "jure@exemple.gouv.fr", by=staff, now=NOW)
    invitation = ProgrammeInvitation.objects.get(call=call)
    assert invitation.role == InvitationRole.JUROR
    assert invitation.is_pending
    with django_capture_on_commit_callbacks(execute=True):
        people.resend_invitation(invitation, by=staff, now=NOW + timedelta(days=1))
    assert len(outbox.outbox) == 2
    assert "jury" in outbox.outbox[1].subject.lower()
    people.cancel_invitation(invitation, by=staff, now=NOW + timedelta(days=2))
    juror = factories.UserFactory(email="jure@exemple.gouv.fr")
    with pytest.raises(TransitionError, match="annulée"):
        jury.accept_jury_invitation(token, by=juror, now=NOW + timedelta(days=3))
    assert not JuryMember.objects.filter(call=call, user=juror).exists()
    assert last_sentence(call).endswith("a annulé l'invitation au jury de jure@exemple.gouv.fr")


def test_accepting_a_jury_invitation_marks_it_accepted(programme, staff, call):
    token = jury.invite_juror(call, "jure@exemple.gouv.fr", by=staff, now=NOW)
    juror = factories.UserFactory(email="jure@exemple.gouv.fr")
    jury.accept_jury_invitation(token, by=juror, now=NOW)
    assert ProgrammeInvitation.objects.get(call=call).accepted_at == NOW


def test_removing_a_juror_is_mailed_and_refused_once_they_evaluated(
    programme, staff, call, django_capture_on_commit_callbacks
):
    seat = factories.JuryMemberFactory(call=call)
    with django_capture_on_commit_callbacks(execute=True):
        jury.remove_juror(seat, by=staff, now=NOW)
    assert not JuryMember.objects.filter(pk=seat.pk).exists()
    assert outbox.outbox[-1].to == [seat.user.email]
    assert last_sentence(call).endswith(f"a retiré {seat.user} du jury")

    busy = factories.JuryMemberFactory(call=call)
    assignment = factories.AssignmentFactory(
        juror=busy, proposal=factories.ProposalFactory(call=call)
    )
    from projects.models import Evaluation

    Evaluation.objects.create(assignment=assignment, updated_at=NOW)
    with pytest.raises(TransitionError, match="a déjà évalué 1 candidature"):
        jury.remove_juror(busy, by=staff, now=NOW)


def test_the_people_page_lists_roles_jurors_and_pending_invitations(client, programme, staff, call):
    factories.CoachFactory(programme, user__first_name="Léa", user__last_name="Petit")
    factories.JuryMemberFactory(call=call, user__first_name="Marc", user__last_name="Dubois")
    jury.invite_juror(call, "jure@exemple.gouv.fr", by=staff, now=NOW)
    client.force_login(staff)
    page = client.get(reverse("programme-people", args=[programme.slug])).content.decode()
    assert "Léa Petit" in page
    assert "Marc Dubois" in page
    assert "jure@exemple.gouv.fr" in page
    assert "23 novembre 2026" in page  # the invitation's date


def test_a_typo_in_the_address_is_said_next_to_the_field_and_kept(client, programme, staff):
    client.force_login(staff)
    response = client.post(
        reverse("programme-people-add", args=[programme.slug]),
        {"member-email": "pas-une-adresse", "member-role": "coach"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "pas-une-adresse" in page
    assert "Saisissez une adresse de courriel valide." in page


def test_adding_someone_twice_is_refused_with_a_message(client, programme, staff):
    client.force_login(staff)
    url = reverse("programme-people-add", args=[programme.slug])
    response = client.post(url, {"member-email": staff.email, "member-role": "staff"})
    assert response.status_code == 200
    assert "a déjà ce rôle" in response.content.decode()


@pytest.mark.parametrize("n", [1, 8])
def test_the_people_page_costs_the_same_queries_at_any_size(
    client, programme, staff, n, django_assert_num_queries
):
    for i in range(n):
        call = factories.CallFactory(programme=programme, state=CallState.PUBLISHED)
        factories.JuryMemberFactory(call=call)
        factories.CoachFactory(programme)
        jury.invite_juror(call, f"jure{i}@exemple.gouv.fr", by=staff, now=NOW)
    client.force_login(staff)
    url = reverse("programme-people", args=[programme.slug])
    client.get(url)
    with django_assert_num_queries(12):
        assert client.get(url).status_code == 200
