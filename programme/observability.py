"""What operations watch: errors sent to Sentry with personal data scrubbed, logs as JSON
lines, the readiness of the database and Redis, and the figures of the mail queues.

`settings.py` calls `init_sentry` when `SENTRY_DSN` is set and `logging_config` always.
"""

import re
from datetime import datetime

EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
SCRUBBED = "[supprimé]"
# Request parts that carry what people typed or who they are.
_REQUEST_KEYS = ("data", "cookies", "query_string", "env")
_SECRET_HEADERS = {"cookie", "authorization", "x-csrftoken", "x-forwarded-for", "x-real-ip"}


def scrub(value):
    """`value` with every e-mail address replaced, walking dicts, lists and strings."""
    if isinstance(value, str):
        return EMAIL.sub(SCRUBBED, value)
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(scrub(v) for v in value)
    return value


def before_send(event: dict, hint: dict | None = None) -> dict:
    """Sentry's `before_send`: no request body, cookie, query string or address, no user
    beyond its id, and no e-mail address anywhere in the event (messages, exceptions,
    breadcrumbs, local variables)."""
    request = event.get("request")
    if isinstance(request, dict):
        for key in _REQUEST_KEYS:
            if key in request:
                request[key] = SCRUBBED
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {
                k: (SCRUBBED if k.lower() in _SECRET_HEADERS else v) for k, v in headers.items()
            }
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {"id": user["id"]} if "id" in user else {}
    return scrub(event)


def init_sentry(dsn: str, *, environment: str, release: str, traces_sample_rate: float) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment or None,
        release=release or None,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        traces_sample_rate=traces_sample_rate,
        before_send=before_send,
        before_send_transaction=before_send,
    )


def logging_config(*, level: str, fmt: str) -> dict:
    """Django's LOGGING: plain lines, or one JSON object a line with `fmt="json"`
    (python-json-logger), for a log collector."""
    formatters = {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    }
    handler = {"class": "logging.StreamHandler"}
    if fmt == "json":
        handler["formatter"] = "json"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": formatters,
        "handlers": {"console": handler},
        "root": {"handlers": ["console"], "level": level},
        # django-axes logs every sign-in at INFO; failures and lockouts are warnings.
        "loggers": {"axes": {"level": "WARNING"}},
    }


def readiness() -> dict[str, str]:
    """{"database": "ok" | error, "redis": ...} (Redis only when `REDIS_URL` is set)."""
    from django.conf import settings
    from django.db import connection

    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as error:  # noqa: BLE001 (any failure means not ready)
        checks["database"] = type(error).__name__
    if settings.REDIS_URL:
        try:
            import redis

            client = redis.Redis.from_url(
                settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
            )
            client.ping()
            checks["redis"] = "ok"
        except Exception as error:  # noqa: BLE001
            checks["redis"] = type(error).__name__
    return checks


def figures(now: datetime) -> dict:
    """The figures to monitor: the Celery queue's length (Redis), the reminder ledger's and
    the outbox's rows pending or failed, and the oldest pending reminder's age."""
    from django.conf import settings
    from django.db.models import Count, Min, Q

    from programme.enums import DeliveryState, ReminderState
    from programme.models import OutgoingMail, Reminder

    ledger = Reminder.objects.aggregate(
        pending=Count("pk", filter=Q(state__in=[ReminderState.PENDING, ReminderState.SENDING])),
        failed=Count("pk", filter=Q(state=ReminderState.FAILED)),
        oldest=Min("created_at", filter=Q(state=ReminderState.PENDING)),
    )
    outbox = OutgoingMail.objects.aggregate(
        mails_pending=Count(
            "pk", filter=Q(state__in=[DeliveryState.PENDING, DeliveryState.SENDING])
        ),
        mails_failed=Count("pk", filter=Q(state=DeliveryState.FAILED)),
    )
    queue = None
    if settings.REDIS_URL:
        try:
            import redis

            client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1)
            queue = client.llen(settings.CELERY_TASK_DEFAULT_QUEUE)
        except Exception:  # noqa: BLE001 (shown as unknown)
            queue = None
    oldest = ledger["oldest"]
    return {
        "queue": queue,
        "reminders_pending": ledger["pending"],
        "reminders_failed": ledger["failed"],
        "oldest_pending_reminder": oldest,
        "oldest_pending_minutes": int((now - oldest).total_seconds() // 60) if oldest else None,
        **outbox,
    }
