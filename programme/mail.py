"""Sending mail: rendered here (French, text and HTML), delivered by a Celery task after commit."""

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string


def render(template: str, context: dict) -> tuple[str, str, str]:
    """Subject, text and HTML of `templates/mail/<template>*`, with the site's address."""
    context = {"site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"mail/{template}_subject.txt", context).split())
    text = render_to_string(f"mail/{template}.txt", context)
    html = render_to_string(f"mail/{template}.html", context)
    return subject, text, html


def send(to: list[str], template: str, context: dict) -> None:
    """Queue one mail once the current transaction commits; a broker outage never fails the save."""
    from .tasks import deliver_mail

    subject, text, html = render(template, context)
    transaction.on_commit(
        lambda: deliver_mail.delay(to=list(to), subject=subject, text=text, html=html),
        robust=True,
    )
