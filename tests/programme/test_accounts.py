"""Signing up, signing in and out, resetting a password: by e-mail and password."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from programme.enums import StructureType
from programme.models import OutgoingMail
from tests import factories

pytestmark = pytest.mark.django_db
User = get_user_model()

SIGNUP = {
    "first_name": "Inès",
    "last_name": "Dupuis",
    "email": "Ines.Dupuis@Developpement-Durable.gouv.fr",
    "structure_type": StructureType.DREAL,
    "structure_name": "DREAL  Bretagne",
    "password1": "une phrase de passe solide",
    "password2": "une phrase de passe solide",
}


def test_signup_creates_the_account_with_its_structure_and_mails_a_link_without_signing_in(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("signup"), SIGNUP)
    assert response.status_code == 200
    assert "Un courriel vous a été envoyé" in response.content.decode()
    user = User.objects.get()
    assert user.email == "ines.dupuis@developpement-durable.gouv.fr"
    assert user.email_verified_at is None
    assert user.structure.name == "DREAL Bretagne"
    assert user.structure.type == StructureType.DREAL
    assert client.get(reverse("dashboard")).status_code == 302  # not signed in
    assert mail.outbox[0].to == [user.email]
    assert "Confirmez votre adresse" in mail.outbox[0].subject


def test_signup_records_the_structure_s_region(client):
    client.post(reverse("signup"), {**SIGNUP, "structure_region": "bre"})
    assert User.objects.get().structure.get_region_display() == "Bretagne"


def test_signup_reuses_an_existing_structure_whatever_the_case(client):
    existing = factories.StructureFactory(type=StructureType.DREAL, name="DREAL Bretagne")
    client.post(reverse("signup"), {**SIGNUP, "structure_name": "dreal bretagne"})
    assert User.objects.get().structure == existing


def test_signup_with_bad_input_keeps_what_was_typed_and_explains_in_french(client):
    data = {**SIGNUP, "password2": "autre chose", "email": "pas-une-adresse"}
    response = client.post(reverse("signup"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Les deux mots de passe ne sont pas identiques." in html
    assert "Saisissez une adresse de courriel valide." in html
    assert 'value="Inès"' in html
    assert 'value="DREAL  Bretagne"' in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_email-desc-error"' in html
    assert 'id="id_email-desc-error"' in html
    assert not User.objects.exists()


def test_signup_refuses_a_weak_password(client):
    response = client.post(reverse("signup"), {**SIGNUP, "password1": "1234", "password2": "1234"})
    html = response.content.decode()
    assert "Ce mot de passe est trop court" in html
    assert not User.objects.exists()


def test_signup_answers_the_same_for_a_known_and_an_unknown_address_and_mails_each(
    client, user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("signup"), {**SIGNUP, "email": user.email.upper()})
        unknown = client.post(reverse("signup"), {**SIGNUP, "email": "nouvelle@exemple.gouv.fr"})
    assert known.status_code == unknown.status_code == 200

    def text(response, email):  # the page's main part (the header carries random ids)
        html = response.content.decode()
        return html[html.index("<main") : html.index("</main>")].replace(email, "ADDRESS")

    assert text(known, user.email) == text(unknown, "nouvelle@exemple.gouv.fr")
    assert User.objects.filter(email=user.email).count() == 1  # no second account
    to_owner, to_new = mail.outbox
    assert to_owner.to == [user.email]
    assert "déjà un compte" in to_owner.subject
    assert to_new.to == ["nouvelle@exemple.gouv.fr"]
    assert "Confirmez votre adresse" in to_new.subject


def test_sign_in_with_email_in_any_case(client, user, password):
    response = client.post(reverse("login"), {"username": user.email.upper(), "password": password})
    assert response.status_code == 302
    assert response.url == reverse("dashboard")


def test_sign_in_with_a_wrong_password_says_so_in_french_and_keeps_the_email(client, user):
    response = client.post(reverse("login"), {"username": user.email, "password": "faux"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Adresse électronique ou mot de passe incorrect." in html
    assert f'value="{user.email}"' in html


def test_sign_in_goes_back_to_the_page_asked_for(client, user, password, programme):
    url = reverse("programme-detail", args=[programme.slug])
    response = client.post(
        reverse("login") + f"?next={url}",
        {"username": user.email, "password": password, "next": url},
    )
    assert response.url == url


def test_sign_out_is_a_post_and_ends_the_session(client, user):
    client.force_login(user)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 302


def _reset_link(client, email, capture):
    with capture(execute=True):
        response = client.post(reverse("password_reset"), {"email": email})
    assert response.status_code == 302
    return response


def test_password_reset_mail_goes_through_the_outbox_and_sets_a_new_password(
    client, user, django_capture_on_commit_callbacks
):
    _reset_link(client, user.email.upper(), django_capture_on_commit_callbacks)
    outgoing = OutgoingMail.objects.get()
    assert outgoing.to == [user.email]
    link = re.search(r"https?://[^/]+(/compte/mot-de-passe/nouveau/\S+)", outgoing.text)
    assert link, outgoing.text
    response = client.get(link.group(1), follow=True)
    assert response.status_code == 200
    new = "un autre mot de passe bien long"
    response = client.post(
        response.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    assert client.login(username=user.email, password=new)


def test_password_reset_answers_the_same_for_an_unknown_address(
    client, user, django_capture_on_commit_callbacks
):
    known = _reset_link(client, user.email, django_capture_on_commit_callbacks)
    unknown = _reset_link(client, "inconnu@exemple.gouv.fr", django_capture_on_commit_callbacks)
    assert known.url == unknown.url

    # The same page, whatever the address (only each response's CSP nonce differs).
    def page(url):
        return re.sub(r'nonce="[^"]+"', "", client.get(url).content.decode())

    assert page(known.url) == page(unknown.url)
    assert [m.to for m in OutgoingMail.objects.all()] == [[user.email]]


def test_profile_updates_name_structure_and_nudges(client, user):
    client.force_login(user)
    response = client.post(
        reverse("profile"),
        {
            "first_name": "Jeanne",
            "last_name": "Martin",
            "job_title": "Cheffe de projet",
            "structure_type": StructureType.DIRM,
            "structure_name": "DIRM Méditerranée",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.get_full_name() == "Jeanne Martin"
    assert user.structure.name == "DIRM Méditerranée"
    assert user.wants_nudges is False  # unchecked box


def test_profile_needs_sign_in(client, db):
    response = client.get(reverse("profile"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_pages_stay_in_french_for_an_english_browser(client, db):
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Mot de passe" in html
    assert ">Password" not in html
