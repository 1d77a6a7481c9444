from celery import shared_task
from django.utils import timezone

from . import delivery, mail, services


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
