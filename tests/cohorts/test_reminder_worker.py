"""With the real Redis and a real Celery worker started by the test (not eager mode)."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from calls.enums import CallState
from programme import mail
from programme.delivery import REQUEUE_AFTER
from programme.enums import ReminderKind, ReminderState
from programme.models import Reminder
from programme.reminders import scan_reminders
from programme.tasks import scan_reminders as scan_task
from projects.enums import ProposalState
from projects.models import Proposal, TeamMember
from projects.services import proposals
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


def test_a_submission_saved_while_the_broker_is_down_gets_its_receipt_from_the_next_scan(
    celery_worker, client
):
    now = timezone.now()
    call = open_call(now)
    agent = factories.UserFactory()
    mate = factories.UserFactory()
    draft = proposals.start_proposal(call, by=agent, now=now, title="Registre des digues")
    TeamMember.objects.create(proposal=draft, user=mate)
    proposals.save_draft(
        draft, by=agent, version=1, now=now, fields={"summary": "Un registre partagé."}, answers={}
    )
    client.force_login(agent)

    with celery_publishing(broker_url=UNREACHABLE_BROKER, queue=celery_worker.queue):
        response = client.post(
            reverse("projects:submit", args=[draft.public_id]), {"attestation": "on"}, follow=True
        )

    # Saving worked and the page says so; the receipts wait in the ledger.
    submitted = Proposal.objects.get(pk=draft.pk)
    assert submitted.state == ProposalState.SUBMITTED
    assert f"Candidature déposée sous la référence {submitted.reference}" in (
        response.content.decode()
    )
    assert set(Reminder.objects.values_list("kind", "recipient_id", "state")) == {
        (ReminderKind.SUBMISSION_RECEIPT, agent.pk, ReminderState.PENDING),
        (ReminderKind.SUBMISSION_RECEIPT, mate.pk, ReminderState.PENDING),
    }
    assert celery_worker.delivered() == []

    # The broker is back: the next scan queues them, the worker sends one receipt each.
    result = scan_reminders(now=timezone.now() + REQUEUE_AFTER)
    assert result.queued_reminders == 2
    wait_for(lambda: states() == {ReminderState.SENT}, what="the ledger to say sent")
    delivered = celery_worker.delivered()
    assert sorted(m["To"] for m in delivered) == sorted([agent.email, mate.email])
    [version] = submitted.versions.all()
    for message in delivered:
        assert (
            message["Subject"] == f"Accusé de réception {submitted.reference} — Registre des digues"
        )
        body = message.get_body(("plain",)).get_content()
        assert f"Empreinte SHA-256 du contenu déposé : {version.sha256}" in body
    assert scan_reminders(now=timezone.now() + 2 * REQUEUE_AFTER).queued_reminders == 0
