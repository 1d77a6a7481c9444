"""Celery tasks of programme: deliver the outbox's mails, scan and send the reminders,
anonymise. Each loads ids and calls one service."""

from celery import shared_task
from django.core.mail import mailers
from django.utils import timezone

from . import delivery, mail, reminders, services


@shared_task(bind=True, max_retries=None)
def deliver_mail(self, *, mail_id: int) -> None:
    """Send one mail of the outbox; a refused mail is tried again with back-off."""
    delivery.keep_trying(
        self, lambda: mail.deliver(mail_id, now=timezone.now()), retry_in=lambda wait: wait
    )


@shared_task(expires=600)
def flush_outbox() -> int:
    """Run by beat: queue again what the broker lost or a dead worker held."""
    return mail.flush_outbox(now=timezone.now())


@shared_task(expires=3600)
def anonymise_expired() -> dict:
    """Run by beat once a day: anonymise what is past the retention period (idempotent)."""
    done = services.anonymise_expired(now=timezone.now())
    return {"proposals": done.proposals, "people": done.people}


@shared_task(expires=600)
def scan_reminders() -> dict:
    """Run by beat every REMINDER_SCAN_MINUTES; a late or doubled firing is harmless."""
    result = reminders.scan_reminders(now=timezone.now())
    return {"reminders": result.queued_reminders, "recipients": result.queued_recipients}


@shared_task(bind=True, max_retries=None)
def send_reminders(self, *, recipient_id: int, reminder_ids: list[int]) -> dict:
    """Send one person's grouped reminders; a refused mail is tried again with back-off."""
    result = delivery.keep_trying(
        self,
        lambda: reminders.deliver_reminders(
            recipient_id=recipient_id, reminder_ids=list(reminder_ids), now=timezone.now()
        ),
        retry_in=lambda done: done.retry_in,
    )
    return {"sent": result.sent, "cancelled": result.cancelled, "failed": result.failed}


@shared_task
def send_reminder_batch(*, batches: list) -> dict:
    """Send several people's grouped reminders, as the scan queues them (`[recipient_id,
    reminder_ids]` pairs, `reminders.QUEUE_CHUNK` at most), over one mail connection.

    A person whose mail is refused gets their own `send_reminders` task, which tries again
    with back-off as the ledger allows; the others' mails are not held up by it.
    """
    totals = {"sent": 0, "cancelled": 0, "failed": 0, "retried": 0}
    mailer = mailers.default
    try:
        mailer.open()
    except OSError:
        # The mail server is unreachable: each person's delivery records the failure and
        # is retried on its own, as without a shared connection.
        mailer = None
    try:
        results = reminders.deliver_reminder_batches(batches, now=timezone.now(), mailer=mailer)
    finally:
        if mailer is not None:
            mailer.close()
    for recipient_id, reminder_ids, done in results:
        totals["sent"] += done.sent
        totals["cancelled"] += done.cancelled
        totals["failed"] += done.failed
        if done.retry_in is not None:
            totals["retried"] += 1
            send_reminders.apply_async(
                kwargs={"recipient_id": recipient_id, "reminder_ids": reminder_ids},
                countdown=done.retry_in,
            )
    return totals
