"""A visitor signs in with e-mail and password and reaches their space."""

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser


def test_visitor_signs_in_from_the_header_and_reaches_their_space(page, assert_accessible):
    person = UserFactory(first_name="Camille", last_name="Lefèvre")

    page.goto("/")
    expect(
        page.get_by_role("heading", level=1, name="Portail des programmes d'intrapreneuriat")
    ).to_be_visible()
    assert_accessible(page)

    page.get_by_role("banner").get_by_role("link", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1, name="Se connecter")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Adresse électronique").fill(person.email)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    expect(page.get_by_role("heading", level=1, name="Mon espace")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Bonjour Camille Lefèvre.")
    expect(page.get_by_role("banner").get_by_role("button", name="Se déconnecter")).to_be_visible()
    assert_accessible(page)


def test_wrong_password_says_so_and_keeps_the_email(page, sign_in, assert_accessible):
    person = UserFactory()

    sign_in(page, person.email, "pas-le-bon-mot-de-passe")

    expect(page.get_by_role("heading", level=1, name="Se connecter")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text(
        "Adresse électronique ou mot de passe incorrect."
    )
    expect(page.get_by_label("Adresse électronique")).to_have_value(person.email)
    expect(page.get_by_label("Mot de passe", exact=True)).to_have_value("")
    assert_accessible(page)
