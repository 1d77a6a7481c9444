"""Celery tasks of the reminders: the periodic scan and the sending of one person's mail."""

from celery import shared_task
from django.core import mail
from django.utils import timezone

from programme import delivery

from .services import reminders as services


@shared_task(expires=600)
def scan_reminders() -> dict:
    """Run by beat every REMINDER_SCAN_MINUTES; a late or doubled firing is harmless."""
    result = services.scan_reminders(now=timezone.now())
    return {"reminders": result.queued_reminders, "recipients": result.queued_recipients}


@shared_task(bind=True, max_retries=None)
def send_reminders(self, *, recipient_id: int, reminder_ids: list[int]) -> dict:
    """Send one person's grouped reminders; a refused mail is tried again with back-off."""
    result = delivery.keep_trying(
        self,
        lambda: services.deliver_reminders(
            recipient_id=recipient_id, reminder_ids=list(reminder_ids), now=timezone.now()
        ),
        retry_in=lambda done: done.retry_in,
    )
    return {"sent": result.sent, "cancelled": result.cancelled, "failed": result.failed}


@shared_task
def send_reminder_batch(*, batches: list) -> dict:
    """Send several people's grouped reminders, as the scan queues them (`[recipient_id,
    reminder_ids]` pairs, `services.QUEUE_CHUNK` at most), over one mail connection.

    A person whose mail is refused gets their own `send_reminders` task, which tries again
    with back-off as the ledger allows; the others' mails are not held up by it.
    """
    totals = {"sent": 0, "cancelled": 0, "failed": 0, "retried": 0}
    mailer = mail.mailers.default
    try:
        mailer.open()
    except OSError:
        # The mail server is unreachable: each person's delivery records the failure and
        # is retried on its own, as without a shared connection.
        mailer = None
    try:
        results = services.deliver_reminder_batches(batches, now=timezone.now(), mailer=mailer)
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
