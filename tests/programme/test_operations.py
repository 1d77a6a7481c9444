"""Operations: the readiness probe, the Sentry scrubber, JSON logs and the mail figures."""

import json
import logging
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.utils import OperationalError
from django.utils import timezone

from programme import observability
from programme.enums import ReminderState
from programme.observability import SCRUBBED, before_send, logging_config

pytestmark = pytest.mark.django_db


def test_readyz_answers_200_when_the_database_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert b"database: ok" in response.content
    assert response["Cache-Control"] == "no-store"


def test_readyz_answers_503_when_the_database_is_unreachable(client, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("connection refused to secret-host")

    monkeypatch.setattr("django.db.backends.base.base.BaseDatabaseWrapper.cursor", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert b"database: OperationalError" in response.content
    assert b"secret-host" not in response.content
    # The liveness probe does not depend on the database.
    assert client.get("/healthz").status_code == 200


def test_readyz_answers_503_when_redis_is_unreachable(client, settings):
    # Nothing listens on port 1: the ping fails within the connect timeout.
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert b"database: ok" in response.content
    assert b"redis: ConnectionError" in response.content


def test_sentry_events_carry_no_personal_data():
    event = {
        "message": "Refus pour camille.martin@exemple.gouv.fr",
        "request": {
            "url": "https://portail/candidatures/",
            "data": {"email": "camille.martin@exemple.gouv.fr", "password": "x"},
            "cookies": {"sessionid": "abc"},
            "query_string": "q=martin",
            "headers": {"Cookie": "sessionid=abc", "User-Agent": "Firefox", "X-Real-Ip": "1.2"},
            "env": {"REMOTE_ADDR": "192.0.2.1"},
        },
        "user": {"id": 42, "email": "camille.martin@exemple.gouv.fr", "ip_address": "192.0.2.1"},
        "exception": {
            "values": [{"type": "TransitionError", "value": "déjà pris : a.b@exemple.fr"}]
        },
        "breadcrumbs": {"values": [{"message": "mail to c.d@exemple.fr"}]},
    }
    cleaned = before_send(event, {})
    text = json.dumps(cleaned)
    assert "@exemple" not in text
    assert "192.0.2.1" not in text
    assert "sessionid" not in text
    assert cleaned["request"]["data"] == SCRUBBED
    assert cleaned["request"]["headers"]["User-Agent"] == "Firefox"
    assert cleaned["user"] == {"id": 42}
    assert cleaned["message"] == f"Refus pour {SCRUBBED}"
    assert cleaned["exception"]["values"][0]["type"] == "TransitionError"


def test_sentry_starts_only_with_a_dsn_and_never_sends_default_pii(monkeypatch):
    import sentry_sdk

    seen = {}
    monkeypatch.setattr(sentry_sdk, "init", lambda **kwargs: seen.update(kwargs))
    observability.init_sentry(
        "https://key@sentry.example/1", environment="prod", release="", traces_sample_rate=0
    )
    assert seen["send_default_pii"] is False
    assert seen["before_send"] is before_send
    assert seen["max_request_body_size"] == "never"


def test_logs_are_json_lines_with_log_format_json():
    config = logging_config(level="INFO", fmt="json")
    formatter = logging.config.DictConfigurator(config).configure_formatter(
        config["formatters"]["json"]
    )
    record = logging.LogRecord(
        "programme.mail", logging.WARNING, __file__, 1, "refus %s", ("x",), None
    )
    line = json.loads(formatter.format(record))
    assert line["level"] == "WARNING"
    assert line["logger"] == "programme.mail"
    assert line["message"] == "refus x"
    assert "formatter" not in logging_config(level="INFO", fmt="text")["handlers"]["console"]


def test_mail_figures_count_what_waits_and_what_failed():
    from django.contrib.contenttypes.models import ContentType

    from programme.enums import ReminderKind
    from programme.models import Reminder
    from tests import factories

    now = timezone.now()
    user = factories.UserFactory()
    for i, (state, age) in enumerate(
        [(ReminderState.PENDING, 90), (ReminderState.PENDING, 5), (ReminderState.FAILED, 0)]
    ):
        Reminder.objects.create(
            kind=ReminderKind.DRAFT_CLOSING_7D,
            content_type=ContentType.objects.get_for_model(user),
            object_id=i + 1,
            recipient=user,
            due=now,
            state=state,
            next_attempt_at=now,
            created_at=now - timedelta(minutes=age),
        )
    out = StringIO()
    call_command("mail_figures", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["reminders_pending"] == 2
    assert data["reminders_failed"] == 1
    assert data["oldest_pending_minutes"] >= 90
    out = StringIO()
    call_command("mail_figures", stdout=out)
    assert "reminders failed: 1" in out.getvalue()


def test_the_cache_is_a_miss_while_redis_is_down(caplog):
    from programme.cache import TolerantRedisCache

    down = TolerantRedisCache("redis://127.0.0.1:1/0", {})
    assert down.get("fragment", "rendu") == "rendu"
    assert down.add("fragment", "x") is False
    down.set("fragment", "x")  # skipped, no error: the page is rendered without it
    assert down.get_many(["a", "b"]) == {}
    assert "Cache unreachable" in caplog.text
