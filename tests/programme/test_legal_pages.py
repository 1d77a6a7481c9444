"""The legal pages a State site must have, from the settings; a site map of every public page."""

import pytest
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from calls.enums import CallState
from tests import factories

pytestmark = pytest.mark.django_db


@override_settings(
    PORTAL_EDITOR="Direction interministérielle du numérique",
    PORTAL_PUBLICATION_DIRECTOR="Mme la directrice interministérielle",
    PORTAL_ADDRESS="20 avenue de Ségur, 75007 Paris",
    PORTAL_HOST="OVHcloud, 2 rue Kellermann, 59100 Roubaix",
    PORTAL_CONTACT_EMAIL="portail@numerique.gouv.fr",
)
def test_legal_notice_names_editor_director_address_host_and_contact(client):
    html = client.get(reverse("footer-legal-notice")).content.decode()
    assert "Direction interministérielle du numérique" in html
    assert "Mme la directrice interministérielle" in html
    assert "20 avenue de Ségur, 75007 Paris" in html
    assert "OVHcloud, 2 rue Kellermann, 59100 Roubaix" in html
    assert 'href="mailto:portail@numerique.gouv.fr"' in html
    assert "Etalab 2.0" in html


def test_legal_notice_has_sensible_defaults(client):
    html = client.get(reverse("footer-legal-notice")).content.decode()
    for heading in ("Éditeur", "Directeur de la publication", "Hébergement", "Nous contacter"):
        assert f"<h2>{heading}</h2>" in html
    assert "Ministère" in html


@override_settings(PORTAL_CONTACT_EMAIL="a11y@example.gouv.fr")
def test_accessibility_statement_follows_the_rgaa_model(client):
    html = client.get(reverse("footer-accessibility-status")).content.decode()
    assert "non conforme" in html
    assert "Cette déclaration a été établie le 1er décembre 2026." in html
    for heading in (
        "État de conformité",
        "Non-conformités",
        "Dérogations pour charge disproportionnée",
        "Pages vérifiées",
        "Retour d'information et contact",
        "Voies de recours",
    ):
        assert heading in html
    assert "a11y@example.gouv.fr" in html
    assert "Défenseur des droits" in html
    assert f'href="{reverse("cohorts:index")}"' in html  # an audited page


def test_site_map_lists_public_calls_results_and_published_promotions(client):
    programme = factories.ProgrammeFactory(name="FAST")
    factories.CallFactory(programme=programme, edition="FAST 14")
    done = factories.CallFactory(
        programme=programme, edition="FAST 13", state=CallState.RESULTS_PUBLISHED
    )
    factories.CallFactory(programme=programme, edition="FAST 15", state=CallState.DRAFT)
    cohort = factories.CohortFactory(programme=programme, label="Promotion FAST 13")
    factories.CohortFactory(programme=programme, label="Promotion secrète", published_at=None)
    html = client.get(reverse("footer-sitemap")).content.decode()
    assert "FAST 14" in html
    assert f'href="{reverse("jury:results", args=[done.slug])}"' in html
    assert f'href="{cohort.get_absolute_url()}"' in html
    assert "FAST 15" not in html
    assert "Promotion secrète" not in html


def _argument_free_urls(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            if not route.startswith("admin/"):
                yield from _argument_free_urls(entry, prefix + route)
        elif isinstance(entry, URLPattern) and "<" not in route and not entry.pattern.regex.groups:
            yield "/" + prefix + route


# Pages reached only as the next step of a form, never a destination of their own.
JOURNEY_STEPS = {reverse("password_reset_done"), reverse("password_reset_complete")}


def _opens_as_a_page(client, url):
    response = client.get(url)
    return response.status_code == 200 and response["Content-Type"].startswith("text/html")


def test_site_map_lists_every_page_a_visitor_can_open(client):
    html = client.get(reverse("footer-sitemap")).content.decode()
    opened = [
        url
        for url in _argument_free_urls()
        if url not in JOURNEY_STEPS and _opens_as_a_page(client, url)
    ]
    assert "/" in opened
    missing = [url for url in opened if f'href="{url}"' not in html]
    assert missing == []


@pytest.mark.parametrize("size", [1, 5])
def test_site_map_queries_do_not_grow_with_the_catalogue(client, django_assert_num_queries, size):
    for _ in range(size):
        programme = factories.ProgrammeFactory()
        factories.CallFactory(programme=programme)
        factories.CohortFactory(programme=programme)
    client.get(reverse("footer-sitemap"))  # the site configuration is cached after one page
    with django_assert_num_queries(4):
        client.get(reverse("footer-sitemap"))
