"""Jurors' reminders at a frozen time: evaluations due in 3 days, late ones, and the summary
of late jurors to the programme's staff. Conflicted pairs are never counted nor owed."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calls.enums import CallState
from calls.models import Call, JuryMember
from programme.enums import ProgrammeRole, ReminderKind
from programme.models import AuditEntry, Reminder
from programme.reminders import RULES, owed_at, scan_reminders
from projects.enums import ConflictKind, ConflictType, EvaluationState
from projects.models import Conflict, Evaluation
from tests import factories

from .conftest import NOW

pytestmark = pytest.mark.django_db

DUE = ReminderKind.EVALUATION_DUE_3D
LATE = ReminderKind.EVALUATION_LATE
SUMMARY = ReminderKind.EVALUATION_LATE_SUMMARY
JURY_KINDS = {DUE, LATE, SUMMARY}


def review_call(deadline, *, state=CallState.REVIEW, programme=None, **kwargs):
    return factories.CallFactory(
        programme=programme or factories.ProgrammeFactory(),
        state=state,
        opens_at=NOW - timedelta(days=60),
        closes_at=NOW - timedelta(days=30),
        review_closes_at=deadline,
        **kwargs,
    )


def juror(call, *, pending=0, submitted=0, drafts=0, conflicted=0, lifted=0, **user_fields):
    """A juror of `call` with assignments in each state (conflicted ones are unsubmitted)."""
    seat = factories.JuryMemberFactory(call=call, user=factories.UserFactory(**user_fields))
    for _ in range(pending):
        factories.AssignmentFactory(juror=seat, created_at=NOW)
    for state, count in ((EvaluationState.SUBMITTED, submitted), (EvaluationState.DRAFT, drafts)):
        for _ in range(count):
            assignment = factories.AssignmentFactory(juror=seat, created_at=NOW)
            Evaluation.objects.create(
                assignment=assignment,
                state=state,
                updated_at=NOW,
                submitted_at=NOW if state == EvaluationState.SUBMITTED else None,
            )
    for index in range(conflicted + lifted):
        assignment = factories.AssignmentFactory(juror=seat, created_at=NOW)
        Conflict.objects.create(
            juror=seat,
            proposal=assignment.proposal,
            kind=ConflictKind.DECLARED,
            type=ConflictType.PROFESSIONAL,
            created_at=NOW,
            lifted_at=NOW if index >= conflicted else None,
        )
    return seat


def owed(now=NOW) -> set[tuple[str, int, int]]:
    return {(o.kind, o.object_id, o.recipient_id) for o in owed_at(now) if o.kind in JURY_KINDS}


def test_the_jury_kinds_are_rules_and_no_longer_waiting():
    assert JURY_KINDS | {ReminderKind.SUBMISSION_RECEIPT} <= set(RULES)
    assert not any(RULES[kind].optional for kind in JURY_KINDS)


def test_jurors_with_evaluations_to_submit_within_3_days_are_owed_the_due_reminder():
    call = review_call(NOW + timedelta(days=2))
    behind = juror(call, pending=1, drafts=1, submitted=1)
    half_conflicted = juror(call, pending=1, conflicted=2)
    lifted = juror(call, lifted=1)  # a lifted conflict puts the evaluation back in their work
    juror(call, submitted=2)  # done
    juror(call, conflicted=1)  # nothing left but a conflicted pair
    juror(call, pending=1, is_active=False)  # account closed
    juror(call)  # nothing assigned

    found = list(owed_at(NOW))

    assert owed() == {
        (DUE, behind.pk, behind.user_id),
        (DUE, half_conflicted.pk, half_conflicted.user_id),
        (DUE, lifted.pk, lifted.user_id),
    }
    seat_type = ContentType.objects.get_for_model(JuryMember)
    assert {(o.content_type_id, o.due, o.call_id) for o in found if o.kind == DUE} == {
        (seat_type.pk, call.review_closes_at, call.pk)
    }


@pytest.mark.parametrize(
    "deadline", [timedelta(days=3, minutes=1), timedelta(days=10), None], ids=str
)
def test_a_deadline_more_than_3_days_away_or_none_owes_nothing(deadline):
    call = review_call(NOW + deadline if deadline else None)
    juror(call, pending=2)
    assert owed() == set()


@pytest.mark.parametrize(
    "state", [CallState.CLOSED, CallState.AUDITIONS, CallState.DELIBERATION, CallState.ARCHIVED]
)
def test_a_call_not_under_written_review_owes_nothing(state):
    juror(review_call(NOW + timedelta(days=1), state=state), pending=2)
    juror(review_call(NOW - timedelta(days=1), state=state), pending=2)
    assert owed() == set()


def test_the_edges_of_the_3_days_window():
    at_three = juror(review_call(NOW + timedelta(days=3)), pending=1)
    at_deadline = juror(review_call(NOW), pending=1)  # the deadline is now: late already
    assert owed() == {
        (DUE, at_three.pk, at_three.user_id),
        (LATE, at_deadline.pk, at_deadline.user_id),
    }


def test_after_the_deadline_late_jurors_and_the_programme_staff_are_owed_their_reminders():
    programme = factories.ProgrammeFactory()
    call = review_call(NOW - timedelta(hours=2), programme=programme)
    late = juror(call, pending=2, conflicted=1)
    juror(call, submitted=1, conflicted=1)  # done with all they may score
    lead = factories.StaffFactory(programme=programme)
    second = factories.StaffFactory(programme=programme)
    factories.StaffFactory(programme=programme, user__is_active=False)
    factories.CoachFactory(programme=programme)  # coaches are not told
    factories.StaffFactory()  # staff of another programme neither
    # Another call of the same programme, on time: nobody is owed anything about it.
    on_time = review_call(NOW - timedelta(hours=2), programme=programme)
    juror(on_time, submitted=1)

    assert owed() == {
        (LATE, late.pk, late.user_id),
        (SUMMARY, call.pk, lead.pk),
        (SUMMARY, call.pk, second.pk),
    }
    summaries = [o for o in owed_at(NOW) if o.kind == SUMMARY]
    assert {(o.content_type_id, o.due, o.call_id) for o in summaries} == {
        (ContentType.objects.get_for_model(Call).pk, call.review_closes_at, call.pk)
    }


def test_nobody_late_owes_no_summary():
    programme = factories.ProgrammeFactory()
    call = review_call(NOW - timedelta(hours=2), programme=programme)
    juror(call, submitted=2, conflicted=1)
    factories.StaffFactory(programme=programme)
    assert owed() == set()


def test_the_mails_give_the_count_the_deadline_in_paris_and_the_link(
    frozen, django_capture_on_commit_callbacks
):
    programme = factories.ProgrammeFactory()
    # Wednesday 25 November 2026, 17:00 UTC: 18:00 in Paris.
    soon = review_call(NOW + timedelta(days=2, hours=8), programme=programme, edition="FAST 14")
    due = juror(soon, pending=1, drafts=1, submitted=1, conflicted=1, first_name="Alix")
    passed = review_call(NOW - timedelta(hours=2), programme=programme, edition="FN 2026")
    late = juror(passed, pending=1, conflicted=1, first_name="Noa", last_name="Martin")
    other = juror(passed, pending=2, drafts=1, first_name="Sam", last_name="Bernard")
    staff = factories.StaffFactory(programme=programme)

    with django_capture_on_commit_callbacks(execute=True):
        scan_reminders(now=NOW)

    def mail_to(user):
        [message] = [m for m in mail.outbox if m.to == [user.email]]
        return message

    reminder = mail_to(due.user)
    assert reminder.subject == "Rappel : Évaluations attendues dans 3 jours"
    assert "il vous reste 2 évaluations à soumettre" in reminder.body
    assert "mercredi 25 novembre 2026 à 18h00" in reminder.body
    mine = settings.SITE_URL + reverse("jury:mine", args=[soon.slug])
    assert f"Mes évaluations : {mine}" in reminder.body
    assert f'href="{mine}"' in reminder.alternatives[0][0]

    overdue = mail_to(late.user)
    assert overdue.subject == "Rappel : Évaluations en retard"
    assert "il vous reste 1 évaluation à soumettre" in overdue.body
    assert "Jury de l'appel FN 2026" in overdue.body
    assert reverse("jury:mine", args=[passed.slug]) in overdue.body
    assert "3 évaluations" in mail_to(other.user).body

    summary = mail_to(staff)
    assert summary.subject == "Rappel : Synthèse des évaluations en retard"
    assert "2 jurés n'ont pas soumis toutes leurs évaluations" in summary.body
    assert "Sam Bernard : 3 évaluations en retard" in summary.body
    assert "Noa Martin : 1 évaluation en retard" in summary.body  # the conflicted one left out
    assert reverse("jury:panel", args=[passed.slug]) in summary.body
    assert len(mail.outbox) == 4


def test_running_the_scan_twice_sends_nothing_new(frozen, django_capture_on_commit_callbacks):
    programme = factories.ProgrammeFactory()
    juror(review_call(NOW + timedelta(days=1), programme=programme), pending=1)
    juror(review_call(NOW - timedelta(days=1), programme=programme), pending=1)
    factories.StaffFactory(programme=programme)
    with django_capture_on_commit_callbacks(execute=True):
        first = scan_reminders(now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        again = scan_reminders(now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        later = scan_reminders(now=NOW + timedelta(hours=6))
    assert first.queued_reminders == 3
    assert again.queued_reminders == later.queued_reminders == 0
    assert len(mail.outbox) == 3
    assert Reminder.objects.count() == 3


def test_a_juror_who_submits_before_the_mail_goes_is_not_sent_it(
    frozen, django_capture_on_commit_callbacks
):
    seat = juror(review_call(NOW + timedelta(days=1)), pending=1)
    with django_capture_on_commit_callbacks() as queued:
        scan_reminders(now=NOW)
    Evaluation.objects.create(
        assignment=seat.assignments.get(),
        state=EvaluationState.SUBMITTED,
        updated_at=NOW,
        submitted_at=NOW,
    )
    for callback in queued:
        callback()
    assert mail.outbox == []
    assert Reminder.objects.get().state == "cancelled"


def test_a_deadline_moved_later_is_a_new_reminder():
    call = review_call(NOW + timedelta(days=1))
    seat = juror(call, pending=1)
    scan_reminders(now=NOW)
    Call.objects.filter(pk=call.pk).update(review_closes_at=NOW + timedelta(days=2))
    scan_reminders(now=NOW + timedelta(hours=1))
    assert list(Reminder.objects.filter(recipient=seat.user).values_list("due", flat=True)) == [
        NOW + timedelta(days=2),
        NOW + timedelta(days=1),
    ]


def test_the_jury_rules_cost_the_same_queries_for_3_jurors_and_for_30():
    def queries_for(count: int) -> int:
        programme = factories.ProgrammeFactory()
        soon = review_call(NOW + timedelta(days=1), programme=programme)
        passed = review_call(NOW - timedelta(days=1), programme=programme)
        for _ in range(count):
            juror(soon, pending=1, conflicted=1)
            juror(passed, pending=1, drafts=1)
            factories.MembershipFactory(programme=programme, role=ProgrammeRole.STAFF)
        list(owed_at(NOW))  # the content types are cached after the first use
        with CaptureQueriesContext(connection) as queries:
            found = [o for o in owed_at(NOW) if o.kind in JURY_KINDS]
        assert len(found) >= 3 * count
        return len(queries)

    assert queries_for(3) == queries_for(30) <= len(RULES)


def test_staff_set_the_review_deadline_on_the_jury_settings_audited(client):
    programme = factories.ProgrammeFactory()
    call = review_call(None, programme=programme)
    seat = juror(call, pending=1)
    staff = factories.StaffFactory(programme=programme)
    url = reverse("jury:settings", args=[call.slug])
    data = {"disagreement_threshold": "1.5", "review_closes_at": "2026-11-25T18:00"}

    client.force_login(seat.user)
    assert client.post(url, data).status_code == 403
    client.force_login(factories.StaffFactory())
    assert client.post(url, data).status_code == 403
    client.logout()
    assert client.post(url, data).status_code == 302
    call.refresh_from_db()
    assert call.review_closes_at is None

    client.force_login(staff)
    response = client.post(url, data, follow=True)
    assert "Les réglages du jury sont enregistrés." in response.content.decode()
    call.refresh_from_db()
    assert call.review_closes_at == NOW + timedelta(days=2, hours=8)  # 18:00 Paris = 17:00 UTC
    entry = AuditEntry.objects.get(action="jury.settings")
    assert entry.actor == staff
    # The old and new value of the field, read by the Journal (no more "field=value" codes).
    assert entry.changes["review_closes_at"] == [None, "2026-11-25 18:00:00+01:00"]
    panel = client.get(reverse("jury:panel", args=[call.slug])).content.decode()
    assert 'value="2026-11-25T18:00"' in panel
    client.force_login(seat.user)
    mine = client.get(reverse("jury:mine", args=[call.slug])).content.decode()
    assert "À soumettre avant le mercredi 25 novembre 2026 à 18:00 (heure de Paris)." in mine

    client.force_login(staff)
    response = client.post(url, {**data, "review_closes_at": "le 31 février"}, follow=True)
    assert "Saisissez une date et une heure valides" in response.content.decode()
    call.refresh_from_db()
    assert call.review_closes_at == NOW + timedelta(days=2, hours=8)

    client.post(url, {"disagreement_threshold": "1.5", "review_closes_at": ""})
    call.refresh_from_db()
    assert call.review_closes_at is None


def test_the_call_s_reminder_page_lists_receipts_and_jury_reminders_in_fixed_queries(client):
    programme = factories.ProgrammeFactory()
    call = review_call(NOW - timedelta(hours=1), programme=programme, edition="FN 2026")
    staff = factories.StaffFactory(programme=programme)
    url = reverse("reminders:call", args=[call.slug])

    def queries_for(count: int) -> int:
        for _ in range(count):
            juror(call, pending=1)
        scan_reminders(now=NOW)
        client.force_login(staff)
        client.get(url)  # the content types are cached after the first use
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries)

    few = queries_for(2)
    many = queries_for(20)
    assert few == many
    page = client.get(url).content.decode()
    assert "Évaluations en retard" in page
    assert "Synthèse des évaluations en retard" in page
    assert "— FN 2026" in page  # the juror's seat names the call


def test_a_single_late_juror_reads_in_the_singular(frozen, django_capture_on_commit_callbacks):
    programme = factories.ProgrammeFactory()
    juror(review_call(NOW - timedelta(hours=1), programme=programme), pending=1)
    staff = factories.StaffFactory(programme=programme)
    with django_capture_on_commit_callbacks(execute=True):
        scan_reminders(now=NOW)
    [summary] = [m for m in mail.outbox if m.to == [staff.email]]
    assert "1 juré n'a pas soumis toutes ses évaluations." in summary.body
