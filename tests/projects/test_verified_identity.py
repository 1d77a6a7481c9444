"""Only a person who proved their address sits on a jury, joins a team or submits
(issue 13, finding 2: a juror's seat taken by signing up with their address first)."""

import html
import re

import pytest
from django.urls import reverse

from calls.models import JuryMember
from programme.exceptions import TransitionError
from programme.models import OutgoingMail
from projects.queries.invitations import token_for
from projects.services import invitations, jury
from projects.services import proposals as services
from tests import factories
from tests.projects import jury_fixtures
from tests.projects.conftest import NOW, complete

pytestmark = pytest.mark.django_db

review_call = jury_fixtures.review_call

CONFIRM_FIRST = "Confirmez d'abord votre adresse électronique"


def _path(mail: OutgoingMail, marker: str) -> str:
    found = re.search(rf"https?://[^/\s]+({re.escape(marker)}\S+)", mail.text)
    assert found, mail.text
    return found.group(1)


def test_a_pre_registered_address_cannot_take_a_jury_seat(
    client, review_call, staff, password, django_capture_on_commit_callbacks
):
    # The attacker signed up first with the juror's address, never able to confirm it.
    squatter = factories.UserFactory(email="jure@exemple.gouv.fr", email_verified_at=None)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("jury:add-juror", args=[review_call.slug]),
            {"email": "Jure@exemple.gouv.fr", "role_label": ""},
            follow=True,
        )
    assert "Invitation envoyée" in response.content.decode()
    assert not JuryMember.objects.filter(call=review_call).exists()  # nobody seated at once
    invitation = OutgoingMail.objects.get(to=["jure@exemple.gouv.fr"])
    join = _path(invitation, "/jury/rejoindre/")

    # Even holding the link (it went to the address, not to them), the squatter is refused.
    client.force_login(squatter)
    response = client.post(join, follow=True)
    assert CONFIRM_FIRST in html.unescape(response.content.decode())
    assert not JuryMember.objects.filter(call=review_call).exists()
    assert client.get(reverse("jury:mine", args=[review_call.slug])).status_code in (403, 404)

    # The owner of the address resets the password from the mail, which proves the address.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": "jure@exemple.gouv.fr"})
    reset = _path(OutgoingMail.objects.latest("pk"), "/compte/mot-de-passe/nouveau/")
    owner = client.__class__()
    page = owner.get(reset, follow=True)
    new = "le vrai mot de passe du juré"
    owner.post(page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    signed_in = owner.post(reverse("login"), {"username": "jure@exemple.gouv.fr", "password": new})
    assert signed_in.status_code == 302
    owner.post(join)
    assert JuryMember.objects.filter(call=review_call, user=squatter).exists()
    assert not client.get(reverse("dashboard")).wsgi_request.user.is_authenticated


def test_staff_adding_a_known_verified_account_still_sends_an_invitation(
    client, review_call, staff, django_capture_on_commit_callbacks
):
    person = factories.UserFactory(email="jure@exemple.gouv.fr")
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("jury:add-juror", args=[review_call.slug]), {"email": person.email})
    assert not JuryMember.objects.filter(call=review_call).exists()
    join = _path(OutgoingMail.objects.get(to=[person.email]), "/jury/rejoindre/")
    client.force_login(person)
    client.post(join)
    assert JuryMember.objects.filter(call=review_call, user=person).exists()


def test_an_unverified_account_cannot_accept_a_jury_invitation(review_call, staff):
    person = factories.UserFactory(email="jure@exemple.gouv.fr", email_verified_at=None)
    token = jury.invite_juror(review_call, person.email, by=staff, now=NOW)
    with pytest.raises(TransitionError, match=CONFIRM_FIRST):
        jury.accept_jury_invitation(token, by=person, now=NOW)
    with pytest.raises(TransitionError, match=CONFIRM_FIRST):
        jury.add_juror(review_call, person, by=staff, now=NOW)
    assert not JuryMember.objects.exists()


def test_an_unverified_account_cannot_join_a_team(proposal, agent):
    mate = factories.UserFactory(email="coequipiere@exemple.gouv.fr", email_verified_at=None)
    invitation = invitations.invite_member(proposal, by=agent, email=mate.email, now=NOW)
    with pytest.raises(TransitionError, match=CONFIRM_FIRST):
        invitations.accept_invitation(token_for(invitation), user=mate, now=NOW)
    assert not proposal.team.filter(user=mate).exists()


def test_an_unverified_account_cannot_submit(proposal, agent, question):
    complete(proposal, agent)
    agent.email_verified_at = None
    agent.save()
    with pytest.raises(TransitionError, match=CONFIRM_FIRST):
        services.submit_proposal(proposal, by=agent, now=NOW)
    proposal.refresh_from_db()
    assert proposal.reference == ""
