"""With the real Redis and a real Celery worker started by the test (not eager mode)."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from calls.enums import CallState
from cohorts.enums import ReminderState
from cohorts.models import Reminder
from cohorts.services import REQUEUE_AFTER, scan_reminders
from cohorts.tasks import scan_reminders as scan_task
from programme import mail
from tests import factories
from tests.worker import celery_publishing, wait_for

from .test_reminder_scan import UNREACHABLE_BROKER, draft_with_team

pytestmark = [
    pytest.mark.worker,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def open_call(now):
    # The worker reads the real clock, so the call is set around it.
    return factories.CallFactory(
        state=CallState.PUBLISHED,
        opens_at=now - timedelta(days=20),
        closes_at=now + timedelta(days=3),
    )


def states() -> set[str]:
    return set(Reminder.objects.values_list("state", flat=True))


def test_a_reminder_is_delivered_once_by_the_worker_and_the_ledger_says_sent(celery_worker):
    now = timezone.now()
    draft = draft_with_team(open_call(now), title="Registre des digues")

    result = scan_reminders(now=now)

    assert result.queued_recipients == 1
    wait_for(lambda: states() == {ReminderState.SENT}, what="the ledger to say sent")
    [delivered] = celery_worker.delivered()
    assert delivered["To"] == draft.created_by.email
    assert delivered["Subject"] == "Rappel : Brouillon : l'appel clôt dans 7 jours"
    assert "« Registre des digues »" in delivered.get_body(("plain",)).get_content()
    assert scan_reminders(now=now + timedelta(minutes=15)).queued_reminders == 0
    assert len(celery_worker.delivered()) == 1


def test_a_reminder_queued_while_the_broker_was_down_is_delivered_by_the_next_scan(
    celery_worker,
):
    now = timezone.now()
    draft = draft_with_team(open_call(now))

    with celery_publishing(broker_url=UNREACHABLE_BROKER, queue=celery_worker.queue):
        scan_reminders(now=now)
    assert states() == {ReminderState.PENDING}

    # The broker is back: the next scan, a quarter of an hour later, queues it again.
    result = scan_reminders(now=now + max(REQUEUE_AFTER, timedelta(minutes=15)))
    assert result.queued_reminders == 1
    wait_for(lambda: states() == {ReminderState.SENT}, what="the ledger to say sent")
    assert [m["To"] for m in celery_worker.delivered()] == [draft.created_by.email]


def test_the_foundation_mail_path_is_delivered_by_the_worker(celery_worker):
    person = factories.UserFactory(first_name="Dominique")
    with transaction.atomic():
        mail.send([person.email], "welcome", {"user": person})
    [delivered] = wait_for(celery_worker.delivered, what="the welcome mail")
    assert delivered["To"] == person.email
    assert "Bienvenue" in delivered["Subject"]


def test_the_beat_task_run_by_the_worker_scans_and_delivers(celery_worker):
    draft = draft_with_team(open_call(timezone.now()))

    scan_task.delay()  # what beat sends every REMINDER_SCAN_MINUTES

    wait_for(lambda: states() == {ReminderState.SENT}, what="the ledger to say sent")
    assert [m["To"] for m in celery_worker.delivered()] == [draft.created_by.email]
