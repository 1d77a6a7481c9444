"""Sign-up and sign-in keep where the person was going (issue 14, finding 5): a visitor who
opens a team or jury invitation, or a call's "Candidater", and creates an account, confirms
it or resets a password, lands back where they were going."""

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import mail as django_mail
from django.urls import reverse

from programme.enums import StructureType
from projects.models import Invitation
from projects.queries.invitations import token_for
from projects.services import jury
from tests import factories

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _signup_data(email):
    return {
        "first_name": "Inès",
        "last_name": "Dupuis",
        "email": email,
        "structure_type": StructureType.DREAL,
        "structure_name": "DREAL Bretagne",
        "password1": "une phrase de passe solide",
        "password2": "une phrase de passe solide",
    }


def _link(text, pattern):
    found = re.search(pattern, text)
    assert found, text
    return found.group(1)


def _href(page, label):
    found = re.search(r'<a[^>]+href="([^"]+)"[^>]*>\s*' + re.escape(label), page)
    assert found, label
    return unescape(found.group(1))


def sign_up_from(client, destination, email, capture):
    """Open `destination` as a visitor, follow "Créer un compte", sign up, confirm the
    address from the mail; returns where the confirmation lands."""
    response = client.get(destination)
    assert response.status_code == 302
    login_url = response.url
    assert urlsplit(login_url).path == reverse("login")
    signup_url = _href(client.get(login_url).content.decode(), "Créer un compte")
    signup_page = client.get(signup_url).content.decode()
    assert f'value="{destination}"' in signup_page  # the hidden "next" of the form
    with capture(execute=True):
        client.post(signup_url, {**_signup_data(email), "next": destination})
    (verification,) = [m for m in django_mail.outbox if m.to == [email]]
    path = _link(verification.body, r"(/compte/confirmer/\S+/)")
    assert client.get(path).status_code == 200
    return client.post(path)


def test_a_visitor_invited_to_a_team_signs_up_and_lands_on_the_invitation(
    client, django_capture_on_commit_callbacks
):
    call = factories.CallFactory(
        opens_at=NOW - timedelta(days=1), closes_at=NOW + timedelta(days=9)
    )
    proposal = factories.ProposalFactory(call=call)
    invitation = Invitation.objects.create(
        proposal=proposal, email="ines.dupuis@exemple.gouv.fr", created_at=NOW
    )
    destination = reverse("projects:join", kwargs={"token": token_for(invitation)})
    landed = sign_up_from(
        client, destination, "ines.dupuis@exemple.gouv.fr", django_capture_on_commit_callbacks
    )
    assert landed.url == destination
    page = client.get(landed.url).content.decode()
    assert "Rejoindre" in page
    assert proposal.title in page


def test_a_visitor_invited_to_a_jury_signs_up_and_lands_on_the_invitation(
    client, programme, staff, django_capture_on_commit_callbacks
):
    call = factories.CallFactory(programme=programme)
    token = jury.invite_juror(call, "jure@exemple.gouv.fr", by=staff, now=NOW)
    django_mail.outbox.clear()
    destination = reverse("jury:join", kwargs={"token": token})
    landed = sign_up_from(
        client, destination, "jure@exemple.gouv.fr", django_capture_on_commit_callbacks
    )
    assert landed.url == destination
    assert client.get(landed.url).status_code == 200


def test_a_visitor_who_applies_to_a_call_signs_up_and_lands_on_the_application(
    client, django_capture_on_commit_callbacks
):
    call = factories.CallFactory(
        opens_at=NOW - timedelta(days=1), closes_at=NOW + timedelta(days=9)
    )
    destination = reverse("projects:start", kwargs={"slug": call.slug})
    landed = sign_up_from(
        client, destination, "candidate@exemple.gouv.fr", django_capture_on_commit_callbacks
    )
    assert landed.url == destination


def test_a_password_reset_keeps_where_the_person_was_going(
    client, django_capture_on_commit_callbacks
):
    person = factories.UserFactory()
    call = factories.CallFactory(
        opens_at=NOW - timedelta(days=1), closes_at=NOW + timedelta(days=9)
    )
    destination = reverse("projects:start", kwargs={"slug": call.slug})
    login_url = client.get(destination).url
    reset_url = _href(client.get(login_url).content.decode(), "Mot de passe oublié")
    assert "next=" in reset_url
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reset_url, {"email": person.email, "next": destination})
    assert "next=" in response.url
    (reset_mail,) = django_mail.outbox
    link = _link(reset_mail.body, r"(/compte/mot-de-passe/nouveau/\S+)")
    page = client.get(link, follow=True)
    new = "un nouveau mot de passe bien long"
    done = client.post(page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    complete = client.get(done.url).content.decode()
    sign_in = _href(complete, "Se connecter")
    signed = client.post(sign_in, {"username": person.email, "password": new, "next": destination})
    assert signed.url == destination


def test_an_outside_address_is_never_kept(client):
    page = client.get(reverse("signup") + "?next=https://ailleurs.example/").content.decode()
    assert "ailleurs.example" not in page
