"""The scan and the sending: one mail per person, each reminder once, retries and outages."""

import io
import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from programme import reminders as services
from programme.delivery import MAX_ATTEMPTS, REQUEUE_AFTER
from programme.enums import ReminderKind, ReminderState
from programme.models import Reminder
from programme.reminders import Owed, link_to, scan_reminders
from projects.enums import ProposalState
from tests import factories
from tests.worker import celery_publishing

from .conftest import NOW, call_closing_in, draft_with_team

UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"


def scan(capture, now=NOW):
    with capture(execute=True):
        return scan_reminders(now=now)


def mails_to(user) -> list:
    return [m for m in mail.outbox if m.to == [user.email]]


@pytest.mark.django_db
def test_one_mail_per_person_groups_what_is_due_for_them(
    frozen, django_capture_on_commit_callbacks
):
    both = factories.UserFactory(first_name="Camille")
    call = call_closing_in(timedelta(days=7) - timedelta(hours=6), edition="FAST 14")
    first = draft_with_team(call, both, title="Cartographie des haies")
    second = draft_with_team(call, both, title="Registre des digues")

    result = scan(django_capture_on_commit_callbacks)

    assert result.queued_reminders == 4
    assert result.queued_recipients == 3
    assert len(mail.outbox) == 3
    [grouped] = mails_to(both)
    assert grouped.subject == "2 rappels du portail des programmes"
    assert "Bonjour Camille" in grouped.body
    assert "« Cartographie des haies »" in grouped.body
    assert "« Registre des digues »" in grouped.body
    # Closes at 03:00 UTC on 30 November: 04:00 in Paris (winter time).
    assert "lundi 30 novembre 2026 à 04h00" in grouped.body
    html, mimetype = grouped.alternatives[0]
    assert mimetype == "text/html"
    assert "Portail des programmes" in html
    assert "Cartographie des haies" in html
    # A direct link: the proposal's page once it has one, else the person's space.
    assert f'href="{settings.SITE_URL}{link_to(first)}"' in html
    assert f"{settings.SITE_URL}{link_to(second)}" in grouped.body
    [alone] = mails_to(first.created_by)
    assert alone.subject == "Rappel : Brouillon : l'appel clôt dans 7 jours"
    assert "FAST 14" in alone.body
    assert mails_to(second.created_by)
    assert set(Reminder.objects.values_list("state", "sent_at", "attempts")) == {
        (ReminderState.SENT, NOW, 0)
    }


@pytest.mark.django_db
def test_running_the_scan_twice_sends_nothing_new(frozen, django_capture_on_commit_callbacks):
    draft_with_team(call_closing_in(timedelta(days=3)), factories.UserFactory())
    scan(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2

    again = scan(django_capture_on_commit_callbacks)
    later = scan(django_capture_on_commit_callbacks, now=NOW + timedelta(hours=1))

    assert again.queued_reminders == later.queued_reminders == 0
    assert len(mail.outbox) == 2
    assert Reminder.objects.count() == 2


@pytest.mark.django_db
def test_the_last_day_reminder_comes_on_top_of_the_7_days_one(
    time_machine, django_capture_on_commit_callbacks
):
    draft = draft_with_team(call_closing_in(timedelta(days=6)))
    time_machine.move_to(NOW, tick=False)
    scan(django_capture_on_commit_callbacks)
    time_machine.move_to(NOW + timedelta(days=5, hours=1), tick=False)
    scan(django_capture_on_commit_callbacks, now=NOW + timedelta(days=5, hours=1))

    assert [m.subject for m in mails_to(draft.created_by)] == [
        "Rappel : Brouillon : l'appel clôt dans 7 jours",
        "Rappel : Brouillon : l'appel clôt demain",
    ]
    assert set(Reminder.objects.values_list("kind", flat=True)) == {
        ReminderKind.DRAFT_CLOSING_7D,
        ReminderKind.DRAFT_CLOSING_1D,
    }


@pytest.mark.django_db
def test_a_reminder_no_longer_owed_when_its_turn_comes_is_not_sent(
    frozen, django_capture_on_commit_callbacks
):
    quiet = factories.UserFactory()
    draft = draft_with_team(call_closing_in(timedelta(days=3)), quiet)
    with django_capture_on_commit_callbacks() as queued:
        scan_reminders(now=NOW)
    # Between the scan and the sending, the draft is submitted and a member opts out.
    draft.state = ProposalState.SUBMITTED
    draft.save()
    quiet.wants_nudges = False
    quiet.save()
    for send in queued:
        send()

    assert mail.outbox == []
    assert set(Reminder.objects.values_list("state", flat=True)) == {ReminderState.CANCELLED}


@pytest.mark.django_db
def test_a_mail_server_failing_twice_then_accepting_delivers_one_mail(
    frozen, flaky_mail, django_capture_on_commit_callbacks
):
    server = flaky_mail(failures=2)
    draft = draft_with_team(call_closing_in(timedelta(days=3)))

    scan(django_capture_on_commit_callbacks)

    assert server.refused == 2
    assert len(mails_to(draft.created_by)) == 1
    assert len(mail.outbox) == 1
    reminder = Reminder.objects.get()
    assert reminder.state == ReminderState.SENT
    assert reminder.attempts == 2
    assert "SMTPServerDisconnected" in reminder.last_error


@pytest.mark.django_db
def test_a_refused_mail_in_a_batch_holds_up_nobody_else_and_is_retried_alone(
    frozen, flaky_mail, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(services, "QUEUE_CHUNK", 2)
    server = flaky_mail(failures=1)
    call = call_closing_in(timedelta(days=3))
    drafts = [draft_with_team(call) for _ in range(5)]

    with django_capture_on_commit_callbacks(execute=True) as queued:
        scan_reminders(now=NOW)

    assert len(queued) == 3  # five people, two per task
    assert server.refused == 1
    assert all(len(mails_to(d.created_by)) == 1 for d in drafts)
    assert len(mail.outbox) == 5
    assert set(Reminder.objects.values_list("state", flat=True)) == {ReminderState.SENT}
    assert sorted(Reminder.objects.values_list("attempts", flat=True)) == [0, 0, 0, 0, 1]


@pytest.mark.django_db
def test_a_mail_server_refusing_gives_up_after_a_few_tries_and_staff_can_resend(
    frozen, flaky_mail, django_capture_on_commit_callbacks
):
    server = flaky_mail(failures=100)
    draft = draft_with_team(call_closing_in(timedelta(days=3)))
    staff = factories.StaffFactory(programme=draft.call.programme)

    scan(django_capture_on_commit_callbacks)

    reminder = Reminder.objects.get()
    assert server.refused == MAX_ATTEMPTS
    assert mail.outbox == []
    assert reminder.state == ReminderState.FAILED
    assert reminder.attempts == MAX_ATTEMPTS
    assert "Connection unexpectedly closed" in reminder.last_error
    # A failed reminder is not picked up by later scans on its own...
    scan(django_capture_on_commit_callbacks, now=NOW + timedelta(hours=2))
    assert server.refused == MAX_ATTEMPTS

    # ...but staff resend it once the mail server is repaired.
    flaky_mail(failures=0)
    with django_capture_on_commit_callbacks(execute=True):
        services.resend_reminder(reminder, by=staff, now=NOW)
    reminder.refresh_from_db()
    assert reminder.state == ReminderState.SENT
    assert len(mails_to(draft.created_by)) == 1


@pytest.mark.django_db
def test_with_the_broker_down_the_scan_commits_and_the_next_scan_delivers(
    frozen, django_capture_on_commit_callbacks
):
    draft = draft_with_team(call_closing_in(timedelta(days=3)))

    with celery_publishing(broker_url=UNREACHABLE_BROKER, eager=False):
        result = scan(django_capture_on_commit_callbacks)

    assert result.queued_recipients == 1  # tried, the broker refused, the scan still committed
    reminder = Reminder.objects.get()
    assert reminder.state == ReminderState.PENDING
    assert mail.outbox == []

    # The broker is back (here: tasks in-process); the next scan finds what is still owed.
    scan(django_capture_on_commit_callbacks, now=NOW + timedelta(minutes=15))
    reminder.refresh_from_db()
    assert reminder.state == ReminderState.SENT
    assert len(mails_to(draft.created_by)) == 1


def test_a_queued_reminder_is_not_queued_again_before_the_grace_period():
    assert timedelta(minutes=1) < REQUEUE_AFTER < timedelta(minutes=15)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_send_each_reminder_once(frozen):
    call = call_closing_in(timedelta(days=3))
    people = [factories.UserFactory() for _ in range(6)]
    for person in people:
        draft_with_team(call, person)
    start = threading.Barrier(2)
    errors = []

    def run():
        try:
            start.wait(timeout=10)
            scan_reminders(now=NOW)
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert Reminder.objects.count() == 12
    assert set(Reminder.objects.values_list("state", flat=True)) == {ReminderState.SENT}
    assert len(mail.outbox) == 12  # 6 creators and 6 members, one mail each
    assert len({tuple(m.to) for m in mail.outbox}) == 12


@pytest.mark.django_db
def test_the_scan_costs_the_same_queries_for_2_people_and_for_30(
    frozen, django_capture_on_commit_callbacks
):
    def queries_for(people: int) -> int:
        Reminder.objects.all().delete()
        call = call_closing_in(timedelta(days=3))
        for _ in range(people):
            draft_with_team(call)
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks() as queued,
        ):
            scan_reminders(now=NOW)
        # One task per QUEUE_CHUNK people, each carrying its people's reminders.
        assert sum(len(task.keywords["batches"]) for task in queued) >= people
        return len(queries)

    assert queries_for(2) == queries_for(30)


@pytest.mark.django_db
def test_rows_left_sending_by_a_dead_task_are_sent_by_a_later_scan(
    frozen, django_capture_on_commit_callbacks
):
    draft = draft_with_team(call_closing_in(timedelta(days=3)), factories.UserFactory())
    with django_capture_on_commit_callbacks():
        scan_reminders(now=NOW)  # queued, but the task never runs...
    stuck, busy = Reminder.objects.order_by("pk")
    # ...one row was claimed by a task killed long ago, the other by a task still running
    # (claimed a minute before the next scan).
    Reminder.objects.filter(pk=stuck.pk).update(
        state=ReminderState.SENDING, claimed_at=NOW - timedelta(hours=1)
    )
    Reminder.objects.filter(pk=busy.pk).update(
        state=ReminderState.SENDING, claimed_at=NOW + timedelta(minutes=14)
    )

    scan(django_capture_on_commit_callbacks, now=NOW + timedelta(minutes=15))

    stuck.refresh_from_db()
    busy.refresh_from_db()
    assert (stuck.state, busy.state) == (ReminderState.SENT, ReminderState.SENDING)
    assert [m.to for m in mail.outbox] == [[stuck.recipient.email]]
    assert draft.pk == stuck.object_id


@pytest.mark.django_db
def test_another_workflow_owes_a_reminder_in_its_own_transaction(
    frozen, django_capture_on_commit_callbacks
):
    draft = draft_with_team(call_closing_in(timedelta(hours=5)))
    owed = Owed(
        kind=ReminderKind.DRAFT_CLOSING_1D,
        content_type_id=ContentType.objects.get_for_model(draft).pk,
        object_id=draft.pk,
        recipient_id=draft.created_by_id,
        due=draft.call.closes_at,
        call_id=draft.call_id,
    )
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        services.owe_reminders([owed], now=NOW)
        services.owe_reminders([owed], now=NOW)  # owed once, whoever asks twice

    assert Reminder.objects.get().state == ReminderState.SENT
    assert len(mail.outbox) == 1
    # The scan finds it already in the ledger.
    assert scan(django_capture_on_commit_callbacks).queued_reminders == 0


def test_the_beat_runs_the_scan_every_reminder_scan_minutes(settings):
    from programme.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["reminders-scan"]
    assert entry["schedule"] == settings.REMINDER_SCAN_MINUTES * 60
    assert settings.REMINDER_SCAN_MINUTES == 15  # the default
    import programme.tasks  # noqa: F401  (the worker finds it by autodiscovery)

    assert entry["task"] in app.tasks


@pytest.mark.django_db
def test_without_beat_the_scan_runs_as_a_command(frozen, django_capture_on_commit_callbacks):
    draft = draft_with_team(call_closing_in(timedelta(days=3)))
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("scan_reminders", stdout=out)
    assert out.getvalue().strip() == "1 reminder(s) queued for 1 recipient(s)."
    assert [m.to for m in mail.outbox] == [[draft.created_by.email]]
