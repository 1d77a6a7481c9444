"""Sending mail: rendered here (French, text and HTML), kept in the outbox with the change
that sends it, and delivered by a Celery task after commit, as `programme.delivery` says.

A broker outage never fails the save and loses no mail: the outbox row waits and
`programme.tasks.flush_outbox` (beat) queues it again. Only one task may send a row (it
claims it first), so retries and redeliveries do not send twice.
"""

import base64
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import get_template, render_to_string
from django.utils import timezone

from . import delivery


@dataclass(frozen=True)
class Attachment:
    """A file joined to a mail (a receipt's PDF, an `.ics` invitation)."""

    name: str
    content: bytes
    content_type: str

    def stored(self) -> dict:
        return {
            "name": self.name,
            "content_type": self.content_type,
            "data": base64.b64encode(self.content).decode("ascii"),
        }

    @classmethod
    def from_stored(cls, stored: dict) -> "Attachment":
        return cls(stored["name"], base64.b64decode(stored["data"]), stored["content_type"])


def render(
    template: str, context: dict, *, programme=None, placeholders: dict | None = None
) -> tuple[str, str, str]:
    """Subject, text and HTML of `templates/mail/<template>*`, with the site's address.

    With `programme` (a programme or its id), a letter that programme wrote in its own words
    for `template` (`programme.letters.LETTERS`, edited on its "Courriers" page) replaces the
    default subject and text, its placeholders (`{prénom}`, …) filled from `placeholders`.
    Without `programme`, or when the programme keeps the default, nothing changes.
    """
    if programme is not None:
        from . import letters

        custom = letters.custom(programme, template, placeholders or {})
        if custom is not None:
            subject, text = custom
            html = render_to_string(
                "mail/letter.html",
                {"site_url": settings.SITE_URL, **context, "subject": subject, "body": text},
            )
            return " ".join(subject.split()), text, html
    return Renderer(template).render(context)


class Renderer:
    """The three templates of one mail, looked up and compiled once: a batch of mails
    (the worker's reminders) renders each person's mail with the same `Renderer`."""

    def __init__(self, template: str):
        self.subject = get_template(f"mail/{template}_subject.txt")
        self.text = get_template(f"mail/{template}.txt")
        self.html = get_template(f"mail/{template}.html")

    def render(self, context: dict) -> tuple[str, str, str]:
        context = {"site_url": settings.SITE_URL, **context}
        subject = " ".join(self.subject.render(context).split())
        return subject, self.text.render(context), self.html.render(context)


def send(
    to: list[str],
    template: str,
    context: dict,
    *,
    key: str | None = None,
    attachments: tuple[Attachment, ...] | list[Attachment] = (),
    programme=None,
    placeholders: dict | None = None,
):
    """Keep one mail in the outbox with the current transaction, and queue it at commit.

    With a `key` (for example `f"decision:{proposal.pk}:{user.pk}"`), a second call with
    the same key writes nothing and returns None: sending twice mails each person once.
    `programme` and `placeholders` let the programme's own letter replace the default text
    (see `render`).
    """
    from .models import OutgoingMail

    if key is not None and OutgoingMail.objects.filter(key=key).exists():
        return None
    subject, text, html = render(template, context, programme=programme, placeholders=placeholders)
    now = timezone.now()
    try:
        with transaction.atomic():
            outgoing = OutgoingMail.objects.create(
                to=list(to),
                key=key,
                subject=subject[:300],
                text=text,
                html=html,
                attachments=[attachment.stored() for attachment in attachments],
                created_at=now,
                next_attempt_at=now + delivery.REQUEUE_AFTER,
            )
    except IntegrityError:  # the same key written by a concurrent request
        return None
    _queue([outgoing.pk])
    return outgoing


def _queue(ids: list[int]) -> None:
    from .tasks import deliver_mail

    for mail_id in ids:
        delivery.queue_at_commit(lambda mail_id=mail_id: deliver_mail.delay(mail_id=mail_id))


def deliver(mail_id: int, *, now: datetime) -> int | None:
    """Claim the mail, send it, record it. Returns seconds before a retry, or None.

    A mail another task has claimed, or already sent, is left alone.
    """
    from .models import OutgoingMail

    token, claimed = delivery.claim(OutgoingMail.objects.filter(pk=mail_id), now=now)
    if not claimed:
        return None
    mine = OutgoingMail.objects.filter(pk=mail_id, claim=token)
    outgoing = mine.get()
    attached = [Attachment.from_stored(stored) for stored in outgoing.attachments]
    message = delivery.compose(
        outgoing.to,
        outgoing.subject,
        outgoing.text,
        outgoing.html,
        [(each.name, each.content, each.content_type) for each in attached],
    )
    try:
        message.send()
    except OSError as error:  # smtplib.SMTPException, refused connections and timeouts
        return delivery.record_failure(mine, error, now=now)
    delivery.record_sent(mine, now=now)
    return None


def flush_outbox(*, now: datetime) -> int:
    """Queue again the mails the broker lost or a dead worker held; delete old sent ones.

    Returns how many were queued.
    """
    from .models import OutgoingMail

    with transaction.atomic(durable=True):
        delivery.release_stale(OutgoingMail.objects.all(), now=now)
        due = [pk for (pk,) in delivery.take_due(OutgoingMail.objects.all(), now=now)]
        OutgoingMail.objects.filter(
            state=OutgoingMail.State.SENT,
            sent_at__lt=now - timedelta(days=settings.OUTBOX_KEEP_DAYS),
        ).delete()
        _queue(due)
    return len(due)
