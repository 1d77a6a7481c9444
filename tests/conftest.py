"""Shared fixtures, and the rule for service-dependent tests.

Tests marked `postgres`, `redis`, `worker` or `browser` skip when their service is
missing, except when REQUIRE_SERVICES=1 (CI), where a missing service fails them.
"""

import os
import shutil
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings

from tests import factories
from tests.worker import celery_worker  # noqa: F401

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def _redis_reachable() -> bool:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        return False
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def chromium_path() -> str | None:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    return path if os.path.exists(path) else None


def _missing_service(marker: str) -> str | None:
    if marker == "postgres" and settings.DATABASES["default"]["ENGINE"] != (
        "django.db.backends.postgresql"
    ):
        return "DATABASE_URL does not point to PostgreSQL"
    if marker in ("redis", "worker") and not _redis_reachable():
        return "REDIS_URL is not set or Redis does not answer"
    if marker == "browser" and chromium_path() is None:
        return "chromium is not installed (set CHROMIUM_PATH)"
    return None


def pytest_runtest_setup(item):
    for marker in ("postgres", "redis", "worker", "browser"):
        if item.get_closest_marker(marker) is None:
            continue
        reason = _missing_service(marker)
        if reason is None:
            continue
        if REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(autouse=True)
def _plain_http(settings):
    """The test client and the live server speak plain HTTP; production keeps HTTPS."""
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    # Hashing passwords at full strength is the slowest thing in the suite and proves nothing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _tasks_in_process():
    """Tasks run in the test's process; tests of the real worker switch this off themselves."""
    from programme.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def password():
    return factories.PASSWORD


@pytest.fixture
def user(db):
    return factories.UserFactory()


@pytest.fixture
def programme(db):
    return factories.ProgrammeFactory()


@pytest.fixture
def staff(programme):
    return factories.StaffFactory(programme=programme)
