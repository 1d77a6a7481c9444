from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from . import services


@shared_task(
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def deliver_mail(*, to: list[str], subject: str, text: str, html: str) -> None:
    """Hand one rendered mail to the mail backend; SMTP failures are retried with back-off."""
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, to)
    message.attach_alternative(html, "text/html")
    message.send()


@shared_task(expires=3600)
def anonymise_expired() -> dict:
    """Run by beat once a day: anonymise what is past the retention period (idempotent)."""
    done = services.anonymise_expired(now=timezone.now())
    return {"proposals": done.proposals, "people": done.people}
