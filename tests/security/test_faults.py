"""Faults: a write that fails half-way leaves nothing behind, a double submit makes one
version, and without Redis every page and every save still works.

A failure half-way is made at the edge, in the database: the insert of the audit-log entry
(the last write of every workflow), or another write in the middle, is refused, as a full
disk or a lost connection would.
"""

import contextlib
import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import OperationalError, close_old_connections, connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from calls.enums import CallState
from cohorts.models import Cohort, Laureate
from cohorts.services import cohorts as cohort_services
from programme import delivery, mail, reminders
from programme.enums import ReminderState
from programme.models import AuditEntry, OutgoingMail, Reminder
from programme.tasks import deliver_mail
from projects.enums import ProposalState
from projects.models import Decision, DecisionMail, Proposal, ProposalVersion
from projects.services import decision_mails, deliberation, screening
from projects.services import proposals as services
from tests import factories
from tests.fake_mail import FlakyBackend
from tests.worker import celery_publishing

from .test_permission_matrix import MATRIX, PAGE
from .world import STAFF, TEAM, build_world

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


@contextlib.contextmanager
def refused(model, verb="INSERT"):
    """The database refuses one kind of write to a model's table (as a full disk would)."""
    table = model._meta.db_table

    def refuse(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(verb) and table in sql:
            raise OperationalError("disk I/O error (simulated)")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse):
        yield


def audit_log_refused():
    """The database refuses to write an audit-log entry, the last write of every workflow."""
    return refused(AuditEntry)


def complete_draft(call, by):
    proposal = services.start_proposal(call, by=by, now=timezone.now(), title="Aides territoires")
    return services.save_draft(
        proposal,
        by=by,
        version=proposal.version,
        now=timezone.now(),
        fields={"summary": "Trouver les aides adaptées à son territoire."},
        answers={},
    )


@pytest.fixture
def open_call(db):
    return factories.CallFactory(team_min=1)


# --- one transaction per workflow ----------------------------------------------------------


@pytest.mark.django_db
def test_a_submission_that_fails_half_way_leaves_the_draft_as_it_was(open_call):
    agent = factories.UserFactory()
    draft = complete_draft(open_call, agent)

    with audit_log_refused(), pytest.raises(OperationalError):
        services.submit_proposal(draft, by=agent, now=timezone.now())

    draft.refresh_from_db()
    assert draft.state == ProposalState.DRAFT
    assert draft.sequence is None
    assert draft.reference == ""
    assert not ProposalVersion.objects.exists()
    services.submit_proposal(draft, by=agent, now=timezone.now())  # and it can be sent again
    assert ProposalVersion.objects.get().reference == Proposal.objects.get().reference


@pytest.mark.django_db
def test_publishing_that_fails_half_way_leaves_the_cohort_unpublished():
    cohort = factories.CohortFactory(published_at=None)
    factories.LaureateFactory(cohort=cohort)
    staff = factories.StaffFactory(programme=cohort.programme)

    with audit_log_refused(), pytest.raises(OperationalError):
        cohort_services.publish_cohort(cohort, by=staff, now=timezone.now())

    cohort.refresh_from_db()
    assert cohort.published_at is None


@pytest.mark.django_db
def test_forming_a_cohort_that_fails_half_way_leaves_no_cohort_nor_laureate():
    programme = factories.ProgrammeFactory()
    call = factories.CallFactory(programme=programme, state=CallState.RESULTS_PUBLISHED)
    chosen = [
        factories.ProposalFactory(call=call, state=ProposalState.SELECTED, summary="Un résumé.")
        for _ in range(3)
    ]
    staff = factories.StaffFactory(programme=programme)

    with audit_log_refused(), pytest.raises(OperationalError):
        cohort_services.form_cohort(
            programme,
            label="FAST 13",
            starts_on=date(2026, 9, 1),
            proposals=chosen,
            by=staff,
            now=timezone.now(),
        )

    assert not Cohort.objects.exists()
    assert not Laureate.objects.exists()


@pytest.mark.django_db
def test_screening_a_selection_is_all_or_nothing():
    call = factories.CallFactory(state=CallState.CLOSED)
    proposals = [
        factories.ProposalFactory(
            call=call, state=ProposalState.SUBMITTED, submitted_at=timezone.now()
        )
        for _ in range(3)
    ]
    staff = factories.StaffFactory(programme=call.programme)

    with audit_log_refused(), pytest.raises(OperationalError):
        screening.screen_selection(proposals, by=staff, now=timezone.now(), eligible=True)

    assert set(Proposal.objects.values_list("state", flat=True)) == {ProposalState.SUBMITTED}


# --- the deliberation: a decision, and the publication of the results ----------------------


@pytest.fixture
def deliberation_call(db):
    """A funding call in deliberation: two shortlisted proposals decided (one laureate with
    its amount, its draft mail prepared), one eligible proposal left out of the auditions."""
    call = factories.CallFactory(
        state=CallState.DELIBERATION, offers_funding=True, envelope=Decimal("2550000")
    )
    staff = factories.StaffFactory(programme=call.programme)
    now = timezone.now()
    laureate, other = (
        factories.ProposalFactory(
            call=call, state=ProposalState.SHORTLISTED, yearly_budget=Decimal("400000")
        )
        for _ in range(2)
    )
    left_out = factories.ProposalFactory(call=call, state=ProposalState.ELIGIBLE)
    deliberation.decide(
        laureate, by=staff, now=now, outcome="selected", justification="Impact fort.",
        amount_granted=Decimal("150000"),
    )  # fmt: skip
    deliberation.decide(other, by=staff, now=now, outcome="not_selected", justification="Tôt.")
    decision_mails.prepare_decision_mails(call, by=staff, now=now)
    return call, staff, laureate, other, left_out


def decision_of(proposal):
    return (
        Decision.objects.filter(proposal=proposal)
        .values("outcome", "justification", "amount_granted", "decided_at")
        .get()
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "failure",
    [
        pytest.param(lambda: refused(DecisionMail, "DELETE"), id="mid-way (dropping the draft)"),
        pytest.param(audit_log_refused, id="at the end (the audit entry)"),
    ],
)
def test_a_decision_that_fails_half_way_leaves_the_previous_decision_whole(
    deliberation_call, failure
):
    call, staff, laureate, _other, _left_out = deliberation_call
    before = decision_of(laureate)
    entries = AuditEntry.objects.count()

    with failure(), pytest.raises(OperationalError):
        deliberation.decide(
            laureate,
            by=staff,
            now=timezone.now() + timedelta(hours=1),
            outcome="not_selected",
            justification="Changement d'avis.",
        )

    assert decision_of(laureate) == before
    assert DecisionMail.objects.filter(proposal=laureate).exists()  # its draft too
    assert AuditEntry.objects.count() == entries
    # And the change goes through once the database answers again.
    deliberation.decide(
        laureate, by=staff, now=timezone.now(), outcome="not_selected", justification="Revu."
    )
    assert decision_of(laureate)["outcome"] == "not_selected"
    assert not DecisionMail.objects.filter(proposal=laureate).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "failure",
    [
        pytest.param(audit_log_refused, id="after the first proposal"),
        pytest.param(lambda: refused(DecisionMail), id="at the end (the last drafts)"),
    ],
)
def test_publishing_the_results_is_all_or_nothing(deliberation_call, failure):
    call, staff, laureate, other, left_out = deliberation_call
    # One decision without its mail yet: publishing prepares it, its last write.
    DecisionMail.objects.filter(proposal=other).delete()
    entries = AuditEntry.objects.count()

    with failure(), pytest.raises(OperationalError):
        deliberation.publish_results(call, by=staff, now=timezone.now())

    call.refresh_from_db()
    assert call.state == CallState.DELIBERATION
    states = dict(Proposal.objects.values_list("pk", "state"))
    assert states == {
        laureate.pk: ProposalState.SHORTLISTED,
        other.pk: ProposalState.SHORTLISTED,
        left_out.pk: ProposalState.ELIGIBLE,
    }
    assert list(DecisionMail.objects.values_list("proposal", flat=True)) == [laureate.pk]
    assert AuditEntry.objects.count() == entries
    # Nobody sees a result: the public page stays closed.
    assert Client().get(reverse("jury:results", args=[call.slug])).status_code == 404

    deliberation.publish_results(call, by=staff, now=timezone.now())
    assert dict(Proposal.objects.values_list("pk", "state")) == {
        laureate.pk: ProposalState.SELECTED,
        other.pk: ProposalState.NOT_SELECTED,
        left_out.pk: ProposalState.NOT_SHORTLISTED,
    }
    # The two decisions' letters, and the one to the team left out of the auditions.
    assert DecisionMail.objects.count() == 3


# --- double submit -----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_same_submission_sent_from_two_tabs_makes_one_version(
    open_call, django_capture_on_commit_callbacks, mailoutbox
):
    agent = factories.UserFactory()
    draft = complete_draft(open_call, agent)
    url = reverse("projects:submit", kwargs={"public_id": draft.public_id})
    tabs = [Client(), Client()]
    for tab in tabs:
        tab.force_login(agent)

    with django_capture_on_commit_callbacks(execute=True):
        responses = [tab.post(url, {"attestation": "on"}) for tab in tabs]

    assert [r.status_code for r in responses] == [302, 302]
    assert ProposalVersion.objects.count() == 1
    assert len(mailoutbox) == 1  # one receipt
    assert AuditEntry.objects.filter(action="proposal.submit").count() == 1

    # A real change submitted again does make a second version.
    draft.refresh_from_db()
    services.save_draft(
        draft,
        by=agent,
        version=draft.version,
        now=timezone.now(),
        fields={"summary": "Un résumé corrigé."},
        answers={},
    )
    tabs[0].post(url, {"attestation": "on"})
    assert list(ProposalVersion.objects.values_list("number", flat=True)) == [2, 1]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_tabs_submitting_at_the_same_instant_make_one_version():
    call = factories.CallFactory(team_min=1)
    agent = factories.UserFactory()
    draft = complete_draft(call, agent)
    barrier = threading.Barrier(2)
    outcomes = []

    def tab():
        try:
            barrier.wait(timeout=10)
            version = services.submit_proposal(
                Proposal.objects.get(pk=draft.pk), by=agent, now=timezone.now()
            )
            outcomes.append(version.number)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=tab) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert outcomes == [1, 1]  # both tabs are told of the same version
    assert ProposalVersion.objects.count() == 1
    assert Proposal.objects.get().sequence == 1


# --- Redis down ----------------------------------------------------------------------------


@pytest.fixture
def redis_down(settings):
    """The cache and the broker point at a Redis that does not answer (the cache backend
    production uses with Redis)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "programme.cache.TolerantRedisCache",
            "LOCATION": UNREACHABLE_REDIS,
        }
    }
    with celery_publishing(broker_url=UNREACHABLE_REDIS, eager=False):
        yield


@pytest.mark.django_db
def test_without_redis_every_page_still_answers(redis_down, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    world = build_world()
    for role in (TEAM, STAFF):
        client = Client()
        client.force_login(world.people[role])
        for name, row in MATRIX.items():
            if row.get is not None and row.get[role] == PAGE:
                url = reverse(name, kwargs=row.kwargs(world))
                assert client.get(url).status_code == 200, (name, role)


@pytest.mark.django_db
def test_without_redis_saves_work_and_reminders_wait_in_the_ledger(
    redis_down, client, password, django_capture_on_commit_callbacks
):
    now = timezone.now()
    call = factories.CallFactory(
        team_min=1, opens_at=now - timedelta(days=20), closes_at=now + timedelta(days=6)
    )
    agent = factories.UserFactory()
    factories.StaffFactory(programme=call.programme)  # who the message is mailed to
    # Signing in (sessions and sign-in attempts live in the database).
    response = client.post(reverse("login"), {"username": agent.email, "password": password})
    assert response.status_code == 302

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("projects:start", kwargs={"slug": call.slug}), {"title": "Aides territoires"}
        )
    assert response.status_code == 302
    draft = Proposal.objects.get()

    # The reminder scan commits its rows though it cannot queue their mail.
    with django_capture_on_commit_callbacks(execute=True):
        result = reminders.scan_reminders(now=now)
    assert result.queued_recipients == 1
    assert Reminder.objects.get().state == ReminderState.PENDING
    assert Reminder.objects.get().object_id == draft.pk

    # A save with mail to queue still succeeds.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("projects:message", kwargs={"public_id": draft.public_id}),
            {"body": "Une question sur le budget."},
        )
    assert response.status_code == 302
    assert draft.messages.count() == 1
    # Its mail waits in the outbox, the broker being down.
    assert OutgoingMail.objects.get().state == OutgoingMail.State.PENDING


# --- the outbox of programme.mail.send -----------------------------------------------------


def queue_welcome(person, capture):
    with capture(execute=True):
        mail.send([person.email], "welcome", {"user": person})
    return OutgoingMail.objects.get()


@pytest.mark.django_db
def test_a_mail_queued_while_the_broker_was_down_is_sent_once_by_the_next_flush(
    redis_down, mailoutbox, django_capture_on_commit_callbacks
):
    person = factories.UserFactory()
    outgoing = queue_welcome(person, django_capture_on_commit_callbacks)
    assert outgoing.state == OutgoingMail.State.PENDING
    assert mailoutbox == []


@pytest.mark.django_db
def test_the_flush_sends_what_waited_once_and_only_once(
    mailoutbox, django_capture_on_commit_callbacks
):
    person = factories.UserFactory()
    with celery_publishing(broker_url=UNREACHABLE_REDIS, eager=False):
        outgoing = queue_welcome(person, django_capture_on_commit_callbacks)
    now = timezone.now()
    # Queued a moment ago: not again yet (the broker may still deliver it).
    assert mail.flush_outbox(now=now) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert mail.flush_outbox(now=now + delivery.REQUEUE_AFTER) == 1
    assert [m.to for m in mailoutbox] == [[person.email]]
    outgoing.refresh_from_db()
    assert outgoing.state == OutgoingMail.State.SENT
    # The same task delivered again (a broker redelivery) sends nothing.
    deliver_mail.delay(mail_id=outgoing.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert mail.flush_outbox(now=now + 3 * delivery.REQUEUE_AFTER) == 0
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_a_mail_held_by_a_dead_worker_is_sent_after_the_claim_expires(
    mailoutbox, django_capture_on_commit_callbacks
):
    person = factories.UserFactory()
    with celery_publishing(broker_url=UNREACHABLE_REDIS, eager=False):
        outgoing = queue_welcome(person, django_capture_on_commit_callbacks)
    claimed_at = timezone.now()
    OutgoingMail.objects.filter(pk=outgoing.pk).update(
        state=OutgoingMail.State.SENDING, claimed_at=claimed_at
    )
    assert mail.flush_outbox(now=claimed_at + timedelta(minutes=5)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert mail.flush_outbox(now=claimed_at + delivery.STALE_CLAIM_AFTER + timedelta(seconds=1))
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_a_refused_mail_is_retried_then_marked_failed(
    settings, mailoutbox, django_capture_on_commit_callbacks
):
    FlakyBackend.reset()
    settings.MAILERS = {
        "default": {"BACKEND": "tests.fake_mail.FlakyBackend", "OPTIONS": {"failures": 2}}
    }
    person = factories.UserFactory()
    outgoing = queue_welcome(person, django_capture_on_commit_callbacks)
    assert outgoing.state == OutgoingMail.State.SENT
    assert outgoing.attempts == 2
    assert len(mailoutbox) == 1

    FlakyBackend.reset()
    settings.MAILERS["default"]["OPTIONS"]["failures"] = 99
    with django_capture_on_commit_callbacks(execute=True):
        mail.send([person.email], "welcome", {"user": person})
    failed = OutgoingMail.objects.exclude(pk=outgoing.pk).get()
    assert failed.state == OutgoingMail.State.FAILED
    assert failed.attempts == delivery.MAX_ATTEMPTS
    assert "Connection unexpectedly closed" in failed.last_error
    FlakyBackend.reset()


@pytest.mark.django_db
def test_sent_mails_are_deleted_after_the_keeping_period(settings):
    settings.OUTBOX_KEEP_DAYS = 30
    now = timezone.now()
    for days in (31, 29):
        OutgoingMail.objects.create(
            to=["a@exemple.gouv.fr"],
            subject="Bienvenue",
            text="…",
            state=OutgoingMail.State.SENT,
            created_at=now - timedelta(days=days),
            next_attempt_at=now,
            sent_at=now - timedelta(days=days),
        )
    mail.flush_outbox(now=now)
    assert OutgoingMail.objects.count() == 1
