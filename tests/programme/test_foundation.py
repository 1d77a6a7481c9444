"""Settings, demo data, audit log, admin and the real services."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from calls.models import Call, JuryMember
from programme import audit
from programme.models import AuditEntry, Programme, ProgrammeMembership, User
from tests import factories

ROOT = Path(__file__).resolve().parents[2]


def _settings_subprocess(env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "programme.settings"},
        capture_output=True,
        text=True,
        check=False,
    )


def test_missing_secret_key_stops_start_up_when_debug_is_off():
    result = _settings_subprocess({"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY is missing" in result.stderr


def test_debug_mode_starts_without_a_secret_key():
    result = _settings_subprocess({"DEBUG": "1"})
    assert result.returncode == 0, result.stderr


def test_settings_speak_french_in_paris_time():
    assert settings.LANGUAGE_CODE == "fr"
    assert settings.TIME_ZONE == "Europe/Paris"
    assert settings.USE_TZ is True
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    assert settings.CELERY_ACCEPT_CONTENT == ["json"]


def test_seed_demo_is_idempotent(demo):
    counts = (
        Programme.objects.count(),
        User.objects.count(),
        ProgrammeMembership.objects.count(),
        Call.objects.count(),
        JuryMember.objects.count(),
    )
    call_command("seed_demo")
    assert (
        Programme.objects.count(),
        User.objects.count(),
        ProgrammeMembership.objects.count(),
        Call.objects.count(),
        JuryMember.objects.count(),
    ) == counts
    assert set(Programme.objects.values_list("slug", flat=True)) >= {
        "fabrique-numerique",
        "fast",
        "eig",
        "incubateur-val-d-oise",
    }
    assert Programme.objects.get(slug="eig").followup_months == 10


@pytest.mark.django_db
def test_seed_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not User.objects.exists()


DEMO_ROLES = [
    ("admin@demo.portail.example", "Ouvrir l'administration"),
    ("equipe.fabrique@demo.portail.example", "Programmes que je pilote"),
    ("equipe.fast@demo.portail.example", "Programmes que je pilote"),
    ("equipe.eig@demo.portail.example", "Programmes que je pilote"),
    ("jure@demo.portail.example", "Mes jurys"),
    ("coach@demo.portail.example", "Lauréats que j'accompagne"),
    ("agent@demo.portail.example", "Mes candidatures"),
]


@pytest.mark.django_db
def test_each_demo_account_signs_in_and_sees_its_page(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    for email, page_text in DEMO_ROLES:
        client = Client()
        response = client.post(
            reverse("login"), {"username": email, "password": settings.DEMO_PASSWORD}, follow=True
        )
        assert response.status_code == 200, email
        assert page_text in response.content.decode(), email


@pytest.mark.django_db
def test_audit_record_keeps_who_what_from_to_and_why(user):
    programme = factories.ProgrammeFactory()
    entry = audit.record(user, "programme.edit", programme, before="a", after="b", reason="test")
    assert entry.actor == user
    assert entry.content_type == ContentType.objects.get_for_model(Programme)
    assert entry.object_id == str(programme.pk)
    assert (entry.from_state, entry.to_state, entry.reason) == ("a", "b", "test")
    assert list(audit.history(programme)) == [entry]


@pytest.mark.django_db
def test_admin_lists_every_model_with_search(client):
    admin = factories.UserFactory(is_superuser=True, is_staff=True)
    factories.ProposalFactory()
    client.force_login(admin)
    from django.contrib import admin as django_admin

    for model, model_admin in django_admin.site._registry.items():
        if model._meta.app_label not in ("programme", "calls", "projects", "cohorts"):
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url, {"q": "x"} if model_admin.search_fields else {})
        assert response.status_code == 200, url


@pytest.mark.django_db
def test_admin_is_closed_to_programme_staff(client, staff):
    client.force_login(staff)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302


@pytest.mark.django_db
def test_audit_log_cannot_be_edited_in_admin(client, user):
    admin = factories.UserFactory(is_superuser=True, is_staff=True)
    entry = audit.record(user, "x", factories.ProgrammeFactory())
    client.force_login(admin)
    url = reverse("admin:programme_auditentry_delete", args=[entry.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_suite_runs_on_postgresql_with_case_insensitive_structures():
    assert connection.vendor == "postgresql"
    factories.StructureFactory(name="DREAL Bretagne")
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        factories.StructureFactory._meta.model.objects.create(type="dreal", name="dreal bretagne")


@pytest.mark.redis
def test_the_cache_uses_the_real_redis():
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    cache.set("portal-test-key", "valeur", timeout=30)
    assert cache.get("portal-test-key") == "valeur"
    cache.delete("portal-test-key")


def test_the_production_servers_load_the_application():
    """gunicorn loads `programme.wsgi:application`; an ASGI server `programme.asgi`."""
    from django.core.handlers.asgi import ASGIHandler
    from django.core.handlers.wsgi import WSGIHandler

    from programme import asgi, wsgi

    assert isinstance(wsgi.application, WSGIHandler)
    assert isinstance(asgi.application, ASGIHandler)
