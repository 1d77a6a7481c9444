"""The one delivery policy of every mail the portal owes: claim, send, retry, back off.

Both ledgers of mail use it: the outbox of `programme.mail.send` (`OutgoingMail`: welcome,
invitations, messages, ...) and the ledger of reminders (`Reminder`: reminders, receipts,
convocations, decision notices, sent grouped per person). A ledger row carries `state`,
`attempts`, `last_error`, `next_attempt_at`, `claim`, `claimed_at` and `sent_at`, and is
written in the same transaction as the change that owes the mail; then:

- the send is queued at commit (`queue_at_commit`); with the broker down the row stays
  pending, and the periodic flush or scan queues what is due (`take_due`), not again before
  `REQUEUE_AFTER` (the broker may still deliver it);
- a task first claims its rows with one conditional UPDATE (pending → sending, with its own
  token: `claim`) and sends only what it claimed, so two tasks for one row send one mail;
- a refused mail goes back to pending after a back-off doubling from `BACKOFF_SECONDS` up to
  `BACKOFF_MAX_SECONDS`, and is failed after `MAX_ATTEMPTS` with its error kept
  (`record_failure`);
- rows a killed task left sending are owed again after `STALE_CLAIM_AFTER` (`release_stale`).

The constants are read from the settings (`MAIL_*`), with the defaults below.
"""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Case, F, QuerySet, Value, When

from .enums import DeliveryState

logger = logging.getLogger(__name__)

# A queued row not sent after this long is queued again (the broker may have lost it).
REQUEUE_AFTER = timedelta(minutes=getattr(settings, "MAIL_REQUEUE_AFTER_MINUTES", 10))
# Longer than CELERY_TASK_TIME_LIMIT: past it, the task that claimed the row is dead.
STALE_CLAIM_AFTER = timedelta(minutes=getattr(settings, "MAIL_STALE_CLAIM_MINUTES", 15))
# Refusals before a row is marked failed, and the back-off between them.
MAX_ATTEMPTS = getattr(settings, "MAIL_MAX_ATTEMPTS", 5)
BACKOFF_SECONDS = getattr(settings, "MAIL_BACKOFF_SECONDS", 60)
BACKOFF_MAX_SECONDS = getattr(settings, "MAIL_BACKOFF_MAX_SECONDS", 3600)


def backoff(failures: int) -> int:
    """Seconds to wait after the `failures`-th refusal: doubling, capped."""
    return min(BACKOFF_MAX_SECONDS, BACKOFF_SECONDS * 2 ** (failures - 1))


def release_stale(rows: QuerySet, *, now: datetime) -> int:
    """Rows whose task died while sending (killed past its time limit) are owed again."""
    return rows.filter(state=DeliveryState.SENDING, claimed_at__lt=now - STALE_CLAIM_AFTER).update(
        state=DeliveryState.PENDING, claim=None, next_attempt_at=now
    )


def take_due(rows: QuerySet, *, now: datetime, fields: tuple[str, ...] = ()) -> list[tuple]:
    """The pending rows to queue now, as `(pk, *fields)`; not queued again for a while.

    On PostgreSQL a concurrent flush or scan skips the rows this one is taking (no-op on
    SQLite, where the caller's transaction already holds the database's write lock).
    """
    taken = list(
        rows.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now)
        .select_for_update(skip_locked=True)
        .order_by("pk")
        .values_list("pk", *fields)
    )
    if taken:
        rows.model.objects.filter(pk__in=[row[0] for row in taken]).update(
            next_attempt_at=now + REQUEUE_AFTER
        )
    return taken


def claim(rows: QuerySet, *, now: datetime) -> tuple[UUID, int]:
    """Claim the pending rows among `rows` for one task: its token and how many it got."""
    token = uuid4()
    claimed = rows.filter(state=DeliveryState.PENDING).update(
        state=DeliveryState.SENDING, claim=token, claimed_at=now
    )
    return token, claimed


def record_sent(rows: QuerySet, *, now: datetime) -> None:
    """The claimed rows among `rows` were accepted by the mail server."""
    rows.filter(state=DeliveryState.SENDING).update(
        state=DeliveryState.SENT, sent_at=now, claim=None
    )


def record_failure(rows: QuerySet, error: OSError, *, now: datetime) -> int | None:
    """The mail of the claimed rows among `rows` was refused: back off, or fail them.

    Returns the seconds before the task should try again, or None when the rows failed.
    """
    rows = rows.filter(state=DeliveryState.SENDING)
    # The least-tried row decides: while one may still go out, the task tries again.
    attempts = rows.order_by("attempts").values_list("attempts", flat=True).first()
    failures = (attempts or 0) + 1
    retry_in = backoff(failures)
    message = f"{type(error).__name__}: {error}"[:2000]
    # One statement: the SET expressions read the row as it was, so a row reaching
    # MAX_ATTEMPTS fails and the others go back to pending, with no moment in between.
    rows.update(
        attempts=F("attempts") + 1,
        last_error=message,
        claim=None,
        state=Case(
            When(attempts__gte=MAX_ATTEMPTS - 1, then=Value(DeliveryState.FAILED)),
            default=Value(DeliveryState.PENDING),
        ),
        next_attempt_at=now + timedelta(seconds=retry_in) + REQUEUE_AFTER,
    )
    logger.warning("Mail refused (attempt %s): %s", failures, message)
    return None if failures >= MAX_ATTEMPTS else retry_in


def resend(rows: QuerySet, *, now: datetime) -> int:
    """Failed rows among `rows` back to pending with fresh attempts; how many were."""
    return rows.filter(state=DeliveryState.FAILED).update(
        state=DeliveryState.PENDING,
        attempts=0,
        claim=None,
        next_attempt_at=now + REQUEUE_AFTER,
    )


def queue_at_commit(publish: Callable[[], object]) -> None:
    """Publish a send task when the current transaction commits.

    robust: an unreachable broker is logged and the rows stay pending for the next flush
    or scan, and the change that owed the mail is committed all the same.
    """
    transaction.on_commit(publish, robust=True)


def keep_trying(task, attempt: Callable[[], object], retry_in: Callable[[object], int | None]):
    """Run `attempt` in a bound Celery task, retrying it with back-off as the ledger says.

    The ledger counts the attempts and fails the rows after the last one, so the task
    needs no retry limit. Run in-process (embedded mode), no worker comes back later: the
    attempt is made again at once, and the ledger's count still ends it.
    """
    while True:
        result = attempt()
        wait = retry_in(result)
        if wait is None:
            return result
        if not task.request.is_eager:
            raise task.retry(countdown=wait)


def compose(
    to: list[str], subject: str, text: str, html: str = "", attachments=()
) -> EmailMultiAlternatives:
    """The message handed to the mail server: text, HTML alternative and attachments."""
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, list(to))
    if html:
        message.attach_alternative(html, "text/html")
    for name, content, mimetype in attachments:
        message.attach(name, content, mimetype)
    return message
