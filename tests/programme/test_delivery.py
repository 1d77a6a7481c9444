"""Every mail the portal owes follows one delivery policy (programme.delivery).

A reminder digest (the reminder ledger) and an invitation (the outbox) are queued, retried,
backed off and failed by the same code with the same constants.
"""

from datetime import timedelta

import pytest
from django.core import mail as sent_mail
from django.utils import timezone

from programme import delivery, mail
from programme.enums import DeliveryState, ReminderState
from programme.models import OutgoingMail, Reminder
from programme.reminders import scan_reminders
from tests import factories
from tests.cohorts.conftest import NOW, call_closing_in, draft_with_team
from tests.fake_mail import FlakyBackend
from tests.worker import celery_publishing

UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def refusing_server(settings):
    FlakyBackend.reset()
    settings.MAILERS = {
        "default": {"BACKEND": "tests.fake_mail.FlakyBackend", "OPTIONS": {"failures": 99}}
    }
    yield FlakyBackend
    FlakyBackend.reset()


def invite(person, capture):
    with capture(execute=True):
        mail.send([person.email], "welcome", {"user": person})
    return OutgoingMail.objects.get()


def test_the_back_off_doubles_up_to_its_ceiling():
    assert [delivery.backoff(n) for n in (1, 2, 3)] == [
        delivery.BACKOFF_SECONDS,
        2 * delivery.BACKOFF_SECONDS,
        4 * delivery.BACKOFF_SECONDS,
    ]
    assert delivery.backoff(50) == delivery.BACKOFF_MAX_SECONDS
    assert delivery.STALE_CLAIM_AFTER > delivery.REQUEUE_AFTER


def test_both_ledgers_use_the_same_states():
    assert {s.value for s in DeliveryState} <= {s.value for s in ReminderState}
    assert OutgoingMail.State is DeliveryState


@pytest.mark.django_db
def test_an_invitation_and_a_reminder_digest_are_queued_with_the_same_grace_period(
    frozen, django_capture_on_commit_callbacks
):
    person = factories.UserFactory()
    draft_with_team(call_closing_in(timedelta(days=3)), person)
    with celery_publishing(broker_url=UNREACHABLE_BROKER, eager=False):
        with django_capture_on_commit_callbacks(execute=True):
            scan_reminders(now=NOW)
        invitation = invite(person, django_capture_on_commit_callbacks)

    reminder = Reminder.objects.filter(recipient=person).get()
    assert (reminder.state, invitation.state) == (DeliveryState.PENDING,) * 2
    assert reminder.next_attempt_at == invitation.next_attempt_at == NOW + delivery.REQUEUE_AFTER
    assert sent_mail.outbox == []


@pytest.mark.django_db
def test_a_refused_invitation_and_a_refused_digest_fail_after_the_same_attempts(
    frozen, refusing_server, django_capture_on_commit_callbacks, monkeypatch
):
    # One policy: changing its constants changes both ledgers.
    monkeypatch.setattr(delivery, "MAX_ATTEMPTS", 3)
    person = factories.UserFactory()
    draft_with_team(call_closing_in(timedelta(days=3)), person)

    with django_capture_on_commit_callbacks(execute=True):
        scan_reminders(now=NOW)
    invitation = invite(person, django_capture_on_commit_callbacks)

    reminder = Reminder.objects.filter(recipient=person).get()
    for row in (reminder, invitation):
        assert row.state == DeliveryState.FAILED
        assert row.attempts == 3
        assert row.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
        assert row.next_attempt_at == (
            timezone.now() + timedelta(seconds=delivery.backoff(3)) + delivery.REQUEUE_AFTER
        )
    assert sent_mail.outbox == []


@pytest.mark.django_db
def test_a_keyed_mail_is_written_once_however_often_it_is_sent(
    django_capture_on_commit_callbacks,
):
    person = factories.UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first = mail.send([person.email], "welcome", {"user": person}, key="welcome:1")
        second = mail.send([person.email], "welcome", {"user": person}, key="welcome:1")
    assert first is not None
    assert second is None
    assert OutgoingMail.objects.count() == 1
    assert len(sent_mail.outbox) == 1


@pytest.mark.django_db
def test_an_attachment_reaches_the_mail_server_unchanged(django_capture_on_commit_callbacks):
    person = factories.UserFactory()
    pdf = mail.Attachment("recepisse.pdf", b"%PDF-1.7 \x00\xff", "application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        mail.send([person.email], "welcome", {"user": person}, attachments=[pdf])
    (message,) = sent_mail.outbox
    assert message.attachments == [("recepisse.pdf", b"%PDF-1.7 \x00\xff", "application/pdf")]


@pytest.mark.django_db
def test_the_audit_keeps_old_and_new_values():
    from programme import audit

    person = factories.UserFactory(first_name="Inès")
    before = factories.UserFactory.build(first_name="Inès", last_name=person.last_name)
    after = factories.UserFactory.build(first_name="Inès", last_name="Nouveau")
    entry = audit.record(
        None,
        "user.rename",
        person,
        changes=audit.changed_fields(before, after, ["first_name", "last_name"]),
    )
    entry.refresh_from_db()
    assert entry.changes == {"last_name": [person.last_name, "Nouveau"]}
