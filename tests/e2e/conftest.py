"""Browser journeys: Debian's chromium driven by Playwright, checked with axe-core.

Fixtures for a journey:

- `page`: a Playwright page on a fresh browser context (no cookies), whose relative
  URLs go to the live server: `page.goto("/")`.
- `sign_in`: a function `sign_in(page, email, password)` that signs in through the
  real login form.
- `assert_accessible`: a function `assert_accessible(page)` that fails on any serious or
  critical axe-core violation of the current page.

A full-page screenshot of where each journey ended is saved in `test-artifacts/e2e/`
(`…-failed.png` when the test failed), for CI to keep.
"""

import os
import re
import warnings
from pathlib import Path

import pytest
from django.conf import settings
from django.test.utils import override_settings
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, sync_playwright

from tests.conftest import REQUIRE_SERVICES, chromium_path

# Playwright's sync API keeps an asyncio loop marked as running in the main thread, which
# makes Django refuse ORM calls from the test body (factories, assertions on the database).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

AXE_PATH = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS_DIR = Path(settings.BASE_DIR) / "test-artifacts" / "e2e"
# The machine has no outside network: nothing in the browser may try to reach it.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BLOCKING_IMPACTS = ("serious", "critical")


def _missing(reason: str):
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def pytest_collection_modifyitems(config, items):
    """Run the browser journeys last.

    While Playwright runs, the main thread has an asyncio loop marked as running, so a
    later test calling `async_to_sync` or `asyncio.run` would fail for no reason of its own.
    """
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, so `page` knows whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def _live_server_settings():
    """Plain HTTP and unhashed static files for the live server, set before it starts.

    The server builds its middleware once, at start, so the function-scoped `_plain_http`
    of tests/conftest.py comes too late: SecurityMiddleware would redirect to HTTPS.
    """
    overrides = override_settings(
        SECURE_SSL_REDIRECT=False,
        SECURE_HSTS_SECONDS=0,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        STATIC_ROOT=None,
        # Over plain HTTP a browser refuses `__Host-` cookies (they must be Secure).
        SESSION_COOKIE_NAME="sessionid",
        CSRF_COOKIE_NAME="csrftoken",
    )
    overrides.enable()
    yield
    overrides.disable()


@pytest.fixture(scope="session")
def live_server(_live_server_settings, live_server):
    """pytest-django's live server (static files served from the finders), over plain HTTP."""
    return live_server


@pytest.fixture(scope="session")
def axe_source_path() -> Path:
    if not AXE_PATH.exists():
        _missing(f"axe-core is not installed ({AXE_PATH} is missing): run `make node`")
    return AXE_PATH


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        _missing("chromium is not installed (set CHROMIUM_PATH)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(
    request,
    axe_source_path,
    browser,
    live_server,
    transactional_db,
    django_db_serialized_rollback,
):
    """A page in a fresh context, as a French-speaking visitor on a laptop screen.

    The live server reads the database from another thread, hence `transactional_db`;
    `django_db_serialized_rollback` restores what migrations put there (the DSFR site
    configuration: title, tagline, footer) once a previous journey has flushed it.

    `bypass_csp` lets axe-core be injected despite the site's Content-Security-Policy;
    the header itself is checked by tests/programme/test_pages.py.
    """
    context = browser.new_context(
        base_url=live_server.url,
        bypass_csp=True,
        locale="fr-FR",
        color_scheme="light",
        timezone_id="Europe/Paris",
        viewport={"width": 1280, "height": 800},
    )
    context.set_default_timeout(5_000)
    page = context.new_page()
    yield page
    report = getattr(request.node, "report_call", None)
    failed = report is None or report.failed
    name = re.sub(r"[^\w.-]+", "_", request.node.nodeid.split("::", 1)[-1])
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS_DIR / f"{name}{'-failed' if failed else ''}.png"
    try:
        page.screenshot(path=path, full_page=True)
    except PlaywrightError as error:
        # A crashed page must not hide the test's own failure behind a teardown error.
        warnings.warn(f"No screenshot of {request.node.nodeid}: {error}", stacklevel=1)
    finally:
        context.close()


@pytest.fixture
def sign_in():
    """`sign_in(page, email, password)`: signs in through the login form, by its labels.

    Leaves the page where the site sends the person afterwards; the journey checks it.
    """

    def sign_in(page: Page, email: str, password: str) -> None:
        page.goto("/compte/connexion/")
        page.get_by_label("Adresse électronique").fill(email)
        page.get_by_label("Mot de passe", exact=True).fill(password)
        with page.expect_navigation():
            page.get_by_role("button", name="Se connecter").click()

    return sign_in


@pytest.fixture
def assert_accessible(axe_source_path):
    """`assert_accessible(page)`: runs axe-core, fails listing serious and critical violations."""

    def assert_accessible(page: Page) -> None:
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.add_script_tag(path=str(axe_source_path))
        results = page.evaluate("() => axe.run(document)")
        blocking = [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]
        if blocking:
            lines = [f"{len(blocking)} accessibility violation(s) on {page.url}:"]
            for violation in blocking:
                targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"])
                lines.append(
                    f"- [{violation['impact']}] {violation['id']}: {violation['help']} ({targets})"
                )
            pytest.fail("\n".join(lines), pytrace=False)

    return assert_accessible
