"""Shared fixtures, and the rule for service-dependent tests.

Tests marked `postgres`, `redis`, `worker` or `browser` skip when their service is
missing, except when REQUIRE_SERVICES=1 (CI), where a missing service fails them.
"""

import os
import shutil
import socket
import uuid
from urllib.parse import urlparse

import pytest
from django.conf import settings

from tests import factories
from tests.worker import celery_worker  # noqa: F401

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
# Hashing passwords at full strength is the slowest thing in the suite and proves nothing.
_FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
    settings.PASSWORD_HASHERS = _FAST_HASHERS
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # WhiteNoise indexes STATIC_ROOT each time a test client builds its middleware: a folder
    # left by `collectstatic` (`make bench` writes one) made the permission matrix take a
    # quarter of an hour. Tests read static files from their sources.
    settings.STATIC_ROOT = None
    # Cache keys of this test's own: against the real Redis (CI) a counter a previous test or
    # run left behind (the "Renvoyer le lien" limit) must not carry over. Not a flush: that
    # Redis database is also Celery's broker.
    settings.CACHES = {
        alias: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
        for alias, config in settings.CACHES.items()
    }


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: no fragment rendered for another test's rows
    (whose ids the database hands out again)."""
    from django.core.cache import cache

    cache.clear()


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


@pytest.fixture(scope="session")
def _demo_rows(django_db_setup, django_db_blocker):
    """The rows `seed_demo` writes, seeded once per session in a transaction rolled back.

    Seeding takes half a minute; the tests that read the demo get these rows copied back into
    their own transaction (`demo`), which is far quicker and leaves nothing behind.
    """
    from io import StringIO

    from django.apps import apps
    from django.core.management import call_command
    from django.db import transaction
    from django.test import override_settings

    models = [m for m in apps.get_models(include_auto_created=True) if not m._meta.proxy]
    with (
        django_db_blocker.unblock(),
        override_settings(DEBUG=True, PASSWORD_HASHERS=_FAST_HASHERS),
        transaction.atomic(),
    ):
        before = {model: set(model._base_manager.values_list("pk", flat=True)) for model in models}
        call_command("seed_demo", stdout=StringIO())
        rows = {
            model: [
                row
                for row in model._base_manager.order_by("pk").values()
                if row[model._meta.pk.attname] not in before[model]
            ]
            for model in models
        }
        transaction.set_rollback(True)
    return {model: found for model, found in rows.items() if found}


@pytest.fixture
def demo(db, _demo_rows, settings):
    """The whole demo (as `seed_demo` leaves it) in this test's transaction, rolled back after.

    DEBUG is on, as `seed_demo` wants, so that a test may seed again over it. Not for a
    `transaction=True` test: its flush renumbers the content types the rows point to
    (pytest-django runs those after every other test, so the rows are copied before).
    """
    from django.core.management.color import no_style
    from django.db import connection

    settings.DEBUG = True
    # Foreign keys are checked at commit on SQLite and PostgreSQL: the order does not matter.
    # A raw insert, as `loaddata` does, keeps the timestamps `auto_now` would overwrite.
    for model, rows in _demo_rows.items():
        fields = model._meta.local_concrete_fields
        objs = [model(**row) for row in rows]
        size = connection.ops.bulk_batch_size(fields, objs) or len(objs)
        for start in range(0, len(objs), size):
            model._base_manager._insert(objs[start : start + size], fields=fields, raw=True)
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(_demo_rows)):
            cursor.execute(sql)
