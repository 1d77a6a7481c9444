"""The jury's mails: one per juror per event, whatever runs twice."""

import pytest
from django.core import mail as django_mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calls.enums import CallState, ReviewPhase
from programme.exceptions import TransitionError
from programme.models import OutgoingMail
from projects.models import Assignment, Conflict, JuryNudge
from projects.services import jury, jury_mail
from tests import factories
from tests.projects import jury_fixtures
from tests.projects.jury_fixtures import NOW, eligible, juror_for, submit

pytestmark = pytest.mark.django_db

review_call = jury_fixtures.review_call
criteria = jury_fixtures.criteria


def mails_to(user):
    return [m for m in OutgoingMail.objects.order_by("pk") if user.email in m.to]


def test_an_assignment_run_mails_each_juror_once_with_all_their_proposals(review_call, staff):
    proposals = eligible(review_call, 4)
    seats = [juror_for(review_call) for _ in range(3)]
    jury.run_assignment(review_call, by=staff, now=NOW, k=2)
    for seat in seats:
        mine = mails_to(seat.user)
        assert len(mine) == 1
        assert "vos candidatures à évaluer" in mine[0].subject
        given = Assignment.objects.filter(juror=seat).count()
        listed = [p.title for p in proposals if p.title in mine[0].text]
        assert len(listed) == given
    # The same run key again writes nothing; a juror whose proposals are conflicted gets none.
    entry_key = OutgoingMail.objects.first().key.split(":")[1]
    assert jury_mail.notify_assigned(review_call, seats, run_key=entry_key) == 0


def test_notify_assigned_is_idempotent_and_leaves_conflicts_out(review_call):
    secret, shown = eligible(review_call, 2)
    seat = juror_for(review_call)
    for proposal in (secret, shown):
        Assignment.objects.create(juror=seat, proposal=proposal, created_at=NOW)
    Conflict.objects.create(
        juror=seat, proposal=secret, kind="declared", type="other", reason="x", created_at=NOW
    )
    assert jury_mail.notify_assigned(review_call, [seat.pk], run_key="r1") == 1
    assert jury_mail.notify_assigned(review_call, [seat], run_key="r1") == 0
    (sent,) = mails_to(seat.user)
    assert shown.title in sent.text
    assert secret.title not in sent.text


def test_a_reopened_evaluation_tells_the_juror_why_once_per_reopening(
    review_call, criteria, staff, django_capture_on_commit_callbacks
):
    (proposal,) = eligible(review_call)
    seat = juror_for(review_call)
    assignment = Assignment.objects.create(juror=seat, proposal=proposal, created_at=NOW)
    evaluation = submit(assignment, criteria, 4, 3)
    with django_capture_on_commit_callbacks(execute=True):
        jury.reopen_evaluation(evaluation, by=staff, reason="Revoir la maturité.", now=NOW)
    (sent,) = django_mail.outbox
    assert sent.to == [seat.user.email]
    assert "rouverte" in sent.subject
    assert "Revoir la maturité." in sent.body
    # Submitted and reopened again: a second event, a second mail.
    submit(assignment, criteria, 4, 4)
    jury.reopen_evaluation(evaluation, by=staff, reason="Encore.", now=NOW)
    assert len(mails_to(seat.user)) == 2


def test_opening_the_discussion_mails_each_juror_once(review_call, staff):
    proposals = eligible(review_call, 2)
    seats = [juror_for(review_call) for _ in range(2)]
    idle = juror_for(review_call)  # nothing to evaluate: not told
    for seat in seats:
        for proposal in proposals:
            Assignment.objects.create(juror=seat, proposal=proposal, created_at=NOW)
    jury.set_review_phase(review_call, ReviewPhase.DISCUSSION, by=staff, now=NOW)
    jury.set_review_phase(review_call, ReviewPhase.DISCUSSION, by=staff, now=NOW)  # no change
    for seat in seats:
        (sent,) = mails_to(seat.user)
        assert "la discussion est ouverte" in sent.subject
    assert mails_to(idle.user) == []


def test_a_nudge_mails_each_late_juror_once_and_says_how_many_are_left(
    review_call, criteria, staff
):
    first, second = eligible(review_call, 2)
    late, done = juror_for(review_call), juror_for(review_call)
    for proposal in (first, second):
        Assignment.objects.create(juror=late, proposal=proposal, created_at=NOW)
    submit(Assignment.objects.create(juror=done, proposal=first, created_at=NOW), criteria, 3, 3)
    nudge = jury_mail.send_nudge(review_call, by=staff, now=NOW, message="Merci d'avance !")
    assert nudge.recipients == 1
    (sent,) = mails_to(late.user)
    assert sent.key == f"nudge:{nudge.pk}:{late.pk}"
    assert "2 évaluations" in sent.text
    assert "Merci d'avance !" in sent.text
    assert mails_to(done.user) == []
    jury_mail.send_nudge(review_call, by=staff, now=NOW)  # a new nudge: a new mail
    assert len(mails_to(late.user)) == 2
    assert JuryNudge.objects.filter(call=review_call).count() == 2


def test_a_nudge_with_nobody_late_or_outside_review_is_refused(review_call, staff):
    with pytest.raises(TransitionError, match="Aucun juré n'est en retard"):
        jury_mail.send_nudge(review_call, by=staff, now=NOW)
    review_call.state = CallState.AUDITIONS
    review_call.save()
    with pytest.raises(TransitionError, match="pendant l'évaluation écrite"):
        jury_mail.send_nudge(review_call, by=staff, now=NOW)


def test_the_nudge_page_previews_the_late_jurors_then_sends(client, review_call, staff):
    (proposal,) = eligible(review_call)
    late = juror_for(review_call, first_name="Ophélie", last_name="Marchal")
    Assignment.objects.create(juror=late, proposal=proposal, created_at=NOW)
    client.force_login(staff)
    url = reverse("jury:nudge", args=[review_call.slug])
    page = client.get(url).content.decode()
    assert "Ophélie Marchal" in page
    assert "1 évaluation à soumettre" in page
    assert OutgoingMail.objects.count() == 0  # a preview sends nothing
    response = client.post(url, {"message": ""})
    assert response.status_code == 302
    assert len(mails_to(late.user)) == 1


def test_the_nudge_preview_runs_the_same_queries_at_two_sizes(
    client, review_call, staff, django_assert_num_queries
):
    client.force_login(staff)
    url = reverse("jury:nudge", args=[review_call.slug])

    def grow(n):
        for proposal in eligible(review_call, n):
            seat = juror_for(review_call)
            Assignment.objects.create(juror=seat, proposal=proposal, created_at=NOW)

    grow(1)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    grow(5)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(url)


def test_staff_outside_the_programme_cannot_nudge(review_call):
    outsider = factories.StaffFactory()
    with pytest.raises(TransitionError):
        jury_mail.send_nudge(review_call, by=outsider, now=NOW)
