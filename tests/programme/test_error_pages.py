"""With DEBUG off, every error is a French page in the DSFR shell with a way back."""

import pytest
from django.db import OperationalError, connection
from django.test import Client, override_settings

from tests import factories

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls("tests.programme.error_urls"),
]


@pytest.fixture
def visitor():
    return Client(raise_request_exception=False)


def assert_french_error_page(response, status, heading):
    assert response.status_code == status
    html = response.content.decode()
    assert 'lang="fr"' in html
    assert heading in html
    assert 'role="banner"' in html or "fr-header" in html  # the DSFR header
    assert "Mentions légales" in html  # the footer
    assert "Retour à l'accueil" in html
    assert "Not Found" not in html
    assert "Forbidden" not in html
    return html


@override_settings(DEBUG=False)
@pytest.mark.parametrize(
    ("url", "status", "heading"),
    [
        ("/test-erreurs/404/", 404, "Page introuvable"),
        ("/cette-page-n-existe-pas/", 404, "Page introuvable"),
        ("/test-erreurs/403/", 403, "Accès refusé"),
        ("/test-erreurs/400/", 400, "Requête incorrecte"),
        ("/test-erreurs/500/", 500, "Erreur du portail"),
    ],
)
def test_each_error_is_a_french_dsfr_page(visitor, url, status, heading):
    html = assert_french_error_page(visitor.get(url), status, heading)
    assert "Se connecter" in html


@override_settings(DEBUG=False)
def test_a_refused_form_explains_what_to_do():
    browser = Client(enforce_csrf_checks=True, raise_request_exception=False)
    html = assert_french_error_page(
        browser.post("/test-erreurs/csrf/", {"title": "x"}), 403, "Formulaire expiré"
    )
    assert "rechargez-la" in html


@override_settings(DEBUG=False)
def test_a_signed_in_person_is_offered_their_space(visitor):
    visitor.force_login(factories.UserFactory())
    html = assert_french_error_page(visitor.get("/test-erreurs/403/"), 403, "Accès refusé")
    assert "Mon espace" in html


@override_settings(DEBUG=False)
def test_the_500_page_renders_with_the_database_unreachable(visitor):
    def unreachable(execute, sql, params, many, context):
        raise OperationalError("the database is down")

    with connection.execute_wrapper(unreachable):
        response = visitor.get("/test-erreurs/500/")
    assert_french_error_page(response, 500, "Erreur du portail")
