"""The pages work under the site's Content Security Policy, enforced by a real browser.

The other journeys run with `bypass_csp` (to inject axe-core); this one does not: a
blocked inline script or style, or a script from elsewhere, shows up as a violation.
"""

import pytest
from django.urls import reverse

from tests import factories
from tests.security.world import STAFF, TEAM, build_world

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


@pytest.fixture
def strict_page(browser, live_server, transactional_db, django_db_serialized_rollback):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    context.set_default_timeout(5_000)
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.console_messages = console
    yield page
    context.close()


def visit_and_check(page, url):
    response = page.goto(url)
    assert response.status == 200, url
    policy = response.headers["content-security-policy"]
    assert "unsafe-inline" not in policy
    page.wait_for_load_state("load")
    # The DSFR's script (a module from our own origin) ran: the page is interactive.
    page.wait_for_function("document.documentElement.dataset.frJs === 'true'")
    violations = page.evaluate("window.__cspViolations")
    blocked = [m for m in page.console_messages if "Content Security Policy" in m]
    assert violations == [], (url, violations)
    assert blocked == [], (url, blocked)


def test_pages_run_under_the_policy_without_violation(strict_page, sign_in, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    world = build_world()
    for url in (
        reverse("home"),
        reverse("calls:detail", kwargs={"slug": world.open_call.slug}),
        reverse("cohorts:detail", kwargs={"slug": world.cohort.slug}),
        reverse("login"),
    ):
        visit_and_check(strict_page, url)

    sign_in(strict_page, world.people[STAFF].email, factories.PASSWORD)
    job = world.export_job
    job.status = "running"
    job.save(update_fields=["status"])
    for url in (
        reverse("dashboard"),
        reverse("calls:manage", kwargs={"slug": world.open_call.slug}),
        reverse("jury:ranking", kwargs={"slug": world.review_call.slug}),
        reverse("jury:matrix", kwargs={"slug": world.review_call.slug}),
        reverse("jury:proposal", kwargs={"public_id": world.eligible.public_id}),
        reverse("projects:call-proposals", kwargs={"slug": world.review_call.slug}),
        # Its progress is followed by a script file, not an inline script.
        reverse("projects:export-job", kwargs={"job_id": job.public_id}),
    ):
        visit_and_check(strict_page, url)
    job.status = "done"
    job.save(update_fields=["status"])
    # The script polls the status and shows the download link without a reload.
    strict_page.get_by_role("link", name="Télécharger le fichier").wait_for(state="visible")

    strict_page.context.clear_cookies()
    sign_in(strict_page, world.people[TEAM].email, factories.PASSWORD)
    for url in (
        reverse("projects:edit", kwargs={"public_id": world.draft.public_id}),
        reverse("projects:attachments", kwargs={"public_id": world.draft.public_id}),
    ):
        visit_and_check(strict_page, url)
