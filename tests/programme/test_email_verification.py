"""Sign-up keeps where the person was going, through the mailed link that confirms the
address; the banner resends it; identity fields carry their autocomplete (RGAA 11.13)."""

import html
import re

import pytest
from django.urls import reverse

from programme.models import AuditEntry, OutgoingMail, User
from tests import factories
from tests.programme.test_accounts import SIGNUP

pytestmark = pytest.mark.django_db


def _link(mail: OutgoingMail) -> str:
    found = re.search(r"https?://[^/\s]+(/compte/confirmer/\S+)", mail.text)
    assert found, mail.text
    return found.group(1)


def _sign_up(client, capture, next_url=""):
    query = f"?next={next_url}" if next_url else ""
    page = client.get(reverse("signup") + query)
    assert f'value="{next_url}"' in page.content.decode()
    with capture(execute=True):
        client.post(reverse("signup") + query, {**SIGNUP, "next": next_url})
    return _link(OutgoingMail.objects.get(to=["ines.dupuis@developpement-durable.gouv.fr"]))


def test_the_link_confirms_signs_in_and_goes_on_to_the_call(
    client, programme, django_capture_on_commit_callbacks
):
    call = factories.CallFactory(programme=programme)
    where = reverse("calls:detail", args=[call.slug])
    link = _sign_up(client, django_capture_on_commit_callbacks, where)
    page = client.get(link)  # a mail scanner's GET changes nothing
    assert page.status_code == 200
    assert User.objects.get().email_verified_at is None
    response = client.post(link)
    assert response.status_code == 302
    assert response.url == where
    user = User.objects.get()
    assert user.email_verified_at is not None
    assert client.get(reverse("dashboard")).wsgi_request.user == user
    assert AuditEntry.objects.filter(action="user.email_verified").exists()
    # A link signs in once only.
    client.logout()
    response = client.post(link, follow=True)
    assert "déjà confirmée" in html.unescape(response.content.decode())
    assert not response.wsgi_request.user.is_authenticated


def test_next_to_another_site_is_dropped(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("signup"), {**SIGNUP, "next": "https://evil.example/"})
    link = _link(OutgoingMail.objects.get())
    assert client.post(link).url == reverse("dashboard")


def test_a_forged_link_is_refused(client, db):
    response = client.get(reverse("verify-email", args=["forged"]), follow=True)
    assert "n'est pas valide" in html.unescape(response.content.decode())


def test_login_s_create_account_link_keeps_next(client, db):
    page = client.get(reverse("login") + "?next=/jury/rejoindre/abc/")
    assert f"{reverse('signup')}?next=/jury/rejoindre/abc/" in page.content.decode()


def test_an_unverified_person_sees_the_banner_and_can_resend_a_few_times(
    client, django_capture_on_commit_callbacks
):
    person = factories.UserFactory(email_verified_at=None)
    client.force_login(person)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Renvoyer le lien" in page
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("resend-verification"), {"next": "/espace/"}, follow=True
            )
        assert "Un nouveau lien vous a été envoyé" in html.unescape(response.content.decode())
    response = client.post(reverse("resend-verification"), follow=True)
    assert "déjà été envoyé plusieurs fois" in html.unescape(response.content.decode())
    assert OutgoingMail.objects.filter(to=[person.email]).count() == 3
    # A verified person sees no banner.
    client.force_login(factories.UserFactory())
    assert "Renvoyer le lien" not in client.get(reverse("dashboard")).content.decode()


@pytest.mark.parametrize(
    ("name", "fields"),
    [
        ("signup", ["email", "given-name", "family-name", "new-password", "organization"]),
        ("login", ["email", "current-password"]),
        ("password_reset", ["email"]),
    ],
)
def test_identity_fields_carry_their_autocomplete(client, db, name, fields):
    page = client.get(reverse(name)).content.decode()
    for token in fields:
        assert f'autocomplete="{token}"' in page


def test_profile_fields_carry_their_autocomplete(client, user):
    client.force_login(user)
    page = client.get(reverse("profile")).content.decode()
    for token in ("given-name", "family-name", "organization-title", "organization"):
        assert f'autocomplete="{token}"' in page


def test_a_successful_reset_verifies_the_address_and_lifts_the_sign_in_lock(
    client, password, django_capture_on_commit_callbacks
):
    person = factories.UserFactory(email_verified_at=None)
    for _ in range(5):
        client.post(reverse("login"), {"username": person.email, "password": "faux"})
    locked = client.post(reverse("login"), {"username": person.email, "password": password})
    assert locked.status_code == 429
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": person.email})
    found = re.search(r"(/compte/mot-de-passe/nouveau/\S+)", OutgoingMail.objects.get().text)
    page = client.get(found.group(1), follow=True)
    new = "un nouveau mot de passe bien long"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    person.refresh_from_db()
    assert person.email_verified_at is not None
    response = client.post(reverse("login"), {"username": person.email, "password": new})
    assert response.status_code == 302
