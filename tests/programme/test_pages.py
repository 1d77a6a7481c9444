"""Each page of the foundation, for each role that may or may not see it."""

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    "home",
    "programme-list",
    "calls:list",
    "login",
    "signup",
    "password_reset",
    "footer-legal-notice",
    "footer-accessibility-status",
    "footer-personal-data",
    "footer-sitemap",
]


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_pages_answer_to_visitors(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="fr"' in html
    assert "Mentions légales" in html  # the footer is there
    assert 'href="#content"' in html  # skip link


def test_footer_links_lead_to_real_pages(client):
    html = client.get(reverse("home")).content.decode()
    for name in (
        "footer-legal-notice",
        "footer-accessibility-status",
        "footer-personal-data",
        "footer-sitemap",
    ):
        url = reverse(name)
        assert f'href="{url}"' in html
        assert client.get(url).status_code == 200


def test_accessibility_page_states_conformity(client):
    html = client.get(reverse("footer-accessibility-status")).content.decode()
    assert "non conforme" in html
    assert "Défenseur des droits" in html


def test_home_lists_programmes_and_open_calls(client):
    programme = factories.ProgrammeFactory(name="Fabrique numérique")
    factories.CallFactory(programme=programme, edition="FN 2026", title="Appel ouvert")
    html = client.get(reverse("home")).content.decode()
    assert "Fabrique numérique" in html
    assert "FN 2026" in html


def test_dashboard_sends_visitors_to_sign_in(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_dashboard_of_an_agent_shows_their_proposals(client):
    proposal = factories.ProposalFactory(title="Aides territoires")
    client.force_login(proposal.created_by)
    html = client.get(reverse("dashboard")).content.decode()
    assert "Mes candidatures" in html
    assert "Aides territoires" in html
    assert "Programmes que je pilote" not in html
    assert "Mes jurys" not in html


def test_dashboard_of_a_juror_lists_their_juries(client):
    seat = factories.JuryMemberFactory(call__edition="FN 2017")
    client.force_login(seat.user)
    html = client.get(reverse("dashboard")).content.decode()
    assert "Mes jurys" in html
    assert "FN 2017" in html


def test_dashboard_of_staff_links_to_their_programme(client, staff, programme):
    client.force_login(staff)
    html = client.get(reverse("dashboard")).content.decode()
    assert "Programmes que je pilote" in html
    assert reverse("programme-manage", args=[programme.slug]) in html


def test_dashboard_of_a_coach(client, programme):
    coach = factories.CoachFactory(programme=programme)
    client.force_login(coach)
    html = client.get(reverse("dashboard")).content.decode()
    assert "Lauréats que j'accompagne" in html
    assert programme.name in html


def test_dashboard_of_a_superuser_links_to_admin(client):
    admin = factories.UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    html = client.get(reverse("dashboard")).content.decode()
    assert reverse("admin:index") in html


class TestProgrammeManage:
    def url(self, programme):
        return reverse("programme-manage", args=[programme.slug])

    def test_staff_of_the_programme_sees_it(self, client, staff, programme):
        factories.CallFactory(programme=programme, edition="FAST 14")
        client.force_login(staff)
        response = client.get(self.url(programme))
        assert response.status_code == 200
        assert "FAST 14" in response.content.decode()

    def test_superuser_sees_it(self, client, programme):
        client.force_login(factories.UserFactory(is_superuser=True))
        assert client.get(self.url(programme)).status_code == 200

    def test_staff_of_another_programme_is_refused(self, client, programme):
        client.force_login(factories.StaffFactory())
        assert client.get(self.url(programme)).status_code == 403

    def test_coach_is_refused(self, client, programme):
        client.force_login(factories.CoachFactory(programme=programme))
        assert client.get(self.url(programme)).status_code == 403

    def test_agent_is_refused(self, client, user, programme):
        client.force_login(user)
        assert client.get(self.url(programme)).status_code == 403

    def test_visitor_is_sent_to_sign_in(self, client, programme):
        response = client.get(self.url(programme))
        assert response.status_code in (302, 403)


def test_programme_page_is_public(client, programme):
    response = client.get(reverse("programme-detail", args=[programme.slug]))
    assert response.status_code == 200
    assert programme.name in response.content.decode()


def test_unknown_programme_is_404(client, db):
    assert client.get(reverse("programme-detail", args=["inconnu"])).status_code == 404


def test_draft_call_is_hidden_from_visitors(client):
    call = factories.CallFactory(state="draft")
    assert client.get(call.get_absolute_url()).status_code == 404


def test_pages_carry_a_content_security_policy(client, db):
    response = client.get(reverse("home"))
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_audience_measurement_is_off_unless_configured(client, db):
    assert "matomo" not in client.get(reverse("home")).content.decode()


def test_audience_measurement_snippet_when_configured(client, settings, db):
    settings.MATOMO_URL = "https://stats.example.gouv.fr"
    settings.MATOMO_SITE_ID = "42"
    html = client.get(reverse("home")).content.decode()
    assert 'data-url="https://stats.example.gouv.fr"' in html
    assert 'data-site-id="42"' in html
    assert "<script>" not in html.replace("<script></script>", "")  # no inline script


def test_breadcrumb_shows_where_the_visitor_is(client, programme):
    html = client.get(reverse("programme-detail", args=[programme.slug])).content.decode()
    assert 'class="fr-breadcrumb"' in html
    assert f'aria-current="page">{programme.name}' in html


def test_programme_page_never_shows_a_call_open_after_its_deadline(client, programme):
    from datetime import timedelta

    from django.utils import timezone

    factories.CallFactory(
        programme=programme,
        edition="FN passé",
        opens_at=timezone.now() - timedelta(days=30),
        closes_at=timezone.now() - timedelta(minutes=1),
    )
    html = client.get(reverse("programme-detail", args=[programme.slug])).content.decode()
    assert "FN passé" in html
    assert "Publié" not in html
    assert "Clos" in html
