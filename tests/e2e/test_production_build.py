"""The site as production serves it: `collectstatic`, gunicorn, `DEBUG` off.

The other journeys run on Django's live server with `DEBUG` on, which serves the static files
from their sources: a production-only fault (a stylesheet refused for its integrity hash, a
script blocked by the Content-Security-Policy, a file missing from the manifest) would not show
there. This journey builds the site as a deployment does and fails on any console error,
refused request or stylesheet that did not apply.
"""

import pytest
from playwright.sync_api import expect

from tests.served import ServedSite

pytestmark = pytest.mark.browser

PASSWORD = "production-journey-password"  # noqa: S105
EMAIL = "camille.prod@example.gouv.fr"


@pytest.fixture(scope="module")
def production_site(tmp_path_factory):
    """A gunicorn serving a fresh SQLite database and the collected static files."""
    site = ServedSite(tmp_path_factory.mktemp("production"))
    site.build()
    site.manage(
        "shell",
        "-c",
        "from programme.models import User; "
        f"User.objects.create_user(email={EMAIL!r}, password={PASSWORD!r}, "
        "first_name='Camille', last_name='Prod')",
    )
    site.start()
    yield site.url
    site.stop()


@pytest.fixture
def production_page(browser, production_site):
    """A page with the site's real Content-Security-Policy (not bypassed), collecting faults."""
    context = browser.new_context(
        base_url=production_site,
        locale="fr-FR",
        color_scheme="light",
        viewport={"width": 1280, "height": 800},
    )
    context.set_default_timeout(5_000)
    page = context.new_page()
    page.faults = []
    page.on(
        "console",
        lambda message: message.type == "error" and page.faults.append(message.text),
    )
    page.on("pageerror", lambda error: page.faults.append(str(error)))
    page.on("requestfailed", lambda request: page.faults.append(f"failed: {request.url}"))
    page.on(
        "response",
        lambda response: (
            response.status >= 400 and page.faults.append(f"{response.status}: {response.url}")
        ),
    )
    yield page
    context.close()


def _assert_styled(page) -> None:
    """The DSFR and our own stylesheet applied: computed styles, not only the HTML."""
    styles = page.evaluate(
        """() => {
            const logo = document.querySelector("header .fr-logo");
            return {
                sheets: [...document.styleSheets].map((sheet) => {
                    try { return [sheet.href, sheet.cssRules.length]; }
                    catch (error) { return [sheet.href, -1]; }
                }),
                font: getComputedStyle(document.body).fontFamily,
                logo: getComputedStyle(logo).textTransform,
                mainOutline: getComputedStyle(document.querySelector("main")).outlineStyle,
            };
        }"""
    )
    # Every stylesheet loaded, none empty or refused.
    assert len(styles["sheets"]) >= 4, styles
    assert all(count > 0 for _, count in styles["sheets"]), styles
    # The DSFR's Marianne font and its upper-case logo; portal.css takes the outline off <main>.
    assert "Marianne" in styles["font"], styles
    assert styles["logo"] == "uppercase", styles
    assert styles["mainOutline"] == "none", styles


def test_a_visitor_signs_in_on_the_production_build(production_page):
    page = production_page

    page.goto("/")
    expect(
        page.get_by_role("heading", level=1, name="Portail des programmes d'intrapreneuriat")
    ).to_be_visible()
    _assert_styled(page)

    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Appels à projets"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    _assert_styled(page)

    page.get_by_role("banner").get_by_role("link", name="Se connecter").click()
    page.get_by_label("Adresse électronique").fill(EMAIL)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    # Back where the visitor was, now signed in.
    expect(page.get_by_role("banner").get_by_role("button", name="Se déconnecter")).to_be_visible()
    assert page.url.endswith("/appels/")

    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Mon espace"
    ).click()
    expect(page.get_by_role("heading", level=1, name="Mon espace")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Bonjour Camille Prod.")
    _assert_styled(page)

    # The DSFR's script ran (it marks the document once its modules started).
    assert page.evaluate("document.documentElement.hasAttribute('data-fr-js')")
    assert page.faults == []
