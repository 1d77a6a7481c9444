"""Sending mail: rendered here (French, text and HTML), kept in the outbox with the change
that sends it, and delivered by a Celery task after commit.

A broker outage never fails the save and loses no mail: the outbox row waits and
`programme.tasks.flush_outbox` (beat) queues it again. Only one task may send a row (it
claims it first), so retries and redeliveries do not send twice.
"""

import logging
from datetime import datetime, timedelta
from uuid import uuid4

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

logger = logging.getLogger(__name__)

# A queued mail not sent after this long is queued again (the broker may have lost it).
REQUEUE_AFTER = timedelta(minutes=10)
# Longer than CELERY_TASK_TIME_LIMIT: past it, the task that claimed the row is dead.
STALE_CLAIM_AFTER = timedelta(minutes=15)
MAX_ATTEMPTS = 5
BACKOFF_SECONDS = 60


def render(template: str, context: dict) -> tuple[str, str, str]:
    """Subject, text and HTML of `templates/mail/<template>*`, with the site's address."""
    context = {"site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"mail/{template}_subject.txt", context).split())
    text = render_to_string(f"mail/{template}.txt", context)
    html = render_to_string(f"mail/{template}.html", context)
    return subject, text, html


def send(to: list[str], template: str, context: dict) -> None:
    """Keep one mail in the outbox with the current transaction, and queue it at commit."""
    from .models import OutgoingMail

    subject, text, html = render(template, context)
    now = timezone.now()
    with transaction.atomic():
        outgoing = OutgoingMail.objects.create(
            to=list(to),
            subject=subject[:300],
            text=text,
            html=html,
            created_at=now,
            next_attempt_at=now + REQUEUE_AFTER,
        )
    _queue([outgoing.pk])


def _queue(ids: list[int]) -> None:
    from .tasks import deliver_mail

    for mail_id in ids:
        # robust: with the broker down the row stays pending for flush_outbox.
        transaction.on_commit(
            lambda mail_id=mail_id: deliver_mail.delay(mail_id=mail_id), robust=True
        )


def deliver(mail_id: int, *, now: datetime) -> int | None:
    """Claim the mail, send it, record it. Returns seconds before a retry, or None.

    A mail another task has claimed, or already sent, is left alone.
    """
    from .models import OutgoingMail

    token = uuid4()
    claimed = OutgoingMail.objects.filter(pk=mail_id, state=OutgoingMail.State.PENDING).update(
        state=OutgoingMail.State.SENDING, claim=token, claimed_at=now
    )
    if not claimed:
        return None
    outgoing = OutgoingMail.objects.get(pk=mail_id)
    message = EmailMultiAlternatives(
        outgoing.subject, outgoing.text, settings.DEFAULT_FROM_EMAIL, outgoing.to
    )
    if outgoing.html:
        message.attach_alternative(outgoing.html, "text/html")
    try:
        message.send()
    except OSError as error:  # smtplib.SMTPException, refused connections and timeouts
        attempts = outgoing.attempts + 1
        failed = attempts >= MAX_ATTEMPTS
        retry_in = BACKOFF_SECONDS * 2 ** (attempts - 1)
        OutgoingMail.objects.filter(pk=mail_id, claim=token).update(
            state=OutgoingMail.State.FAILED if failed else OutgoingMail.State.PENDING,
            attempts=attempts,
            last_error=str(error)[:1000],
            claim=None,
            next_attempt_at=now + timedelta(seconds=retry_in) + REQUEUE_AFTER,
        )
        logger.warning("Mail %s refused (attempt %s): %s", mail_id, attempts, error)
        return None if failed else retry_in
    OutgoingMail.objects.filter(pk=mail_id, claim=token).update(
        state=OutgoingMail.State.SENT, sent_at=now, claim=None
    )
    return None


def flush_outbox(*, now: datetime) -> int:
    """Queue again the mails the broker lost or a dead worker held; delete old sent ones.

    Returns how many were queued.
    """
    from .models import OutgoingMail

    with transaction.atomic(durable=True):
        OutgoingMail.objects.filter(
            state=OutgoingMail.State.SENDING, claimed_at__lt=now - STALE_CLAIM_AFTER
        ).update(state=OutgoingMail.State.PENDING, claim=None, next_attempt_at=now)
        due = list(
            OutgoingMail.objects.filter(state=OutgoingMail.State.PENDING, next_attempt_at__lte=now)
            .select_for_update(skip_locked=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        OutgoingMail.objects.filter(pk__in=due).update(next_attempt_at=now + REQUEUE_AFTER)
        OutgoingMail.objects.filter(
            state=OutgoingMail.State.SENT,
            sent_at__lt=now - timedelta(days=settings.OUTBOX_KEEP_DAYS),
        ).delete()
        _queue(due)
    return len(due)
