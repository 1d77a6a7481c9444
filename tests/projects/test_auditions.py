"""Shortlisting, audition slots with their calendar invitation and convocations, and the
jurors' audition grid: guards, audit, who is owed which mail, who sees what."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse

from calls.enums import CallState
from programme.enums import ReminderKind
from programme.exceptions import TransitionError
from programme.models import AuditEntry, Reminder
from programme.reminders import RULES, owed_at
from projects.enums import ProposalState
from projects.ics import audition_ics
from projects.models import Audition, Conflict, TeamMember
from projects.queries import auditions as audition_queries
from projects.services import auditions, jury
from tests import factories
from tests.projects import jury_fixtures
from tests.projects.jury_fixtures import NOW, eligible, juror_for, submit

pytestmark = pytest.mark.django_db

review_call = jury_fixtures.review_call
criteria = jury_fixtures.criteria

SLOT = datetime(2026, 5, 12, 8, 30, tzinfo=UTC)  # 10:30 in Paris


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def ranked_call(review_call, criteria):
    """Four eligible proposals scored by one juror: the third is best, then the first."""
    seat = juror_for(review_call)
    proposals = eligible(review_call, 4)
    for proposal, value in zip(proposals, (3, 1, 5, 2), strict=True):
        assignment = factories.AssignmentFactory(juror=seat, proposal=proposal)
        submit(assignment, criteria, value, value)
    return review_call, proposals, seat


def grid(call):
    factories_ = [
        ("Envie d'y aller", 2, 5),
        ("Clarté de la présentation", 1, 10),
    ]
    from calls.models import AuditionCriterion

    return [
        AuditionCriterion.objects.create(
            call=call, name=name, weight=weight, scale_max=scale, position=i
        )
        for i, (name, weight, scale) in enumerate(factories_)
    ]


def shortlisted_with_slot(call, staff, *, starts_at=SLOT, members=()):
    proposal = eligible(call)[0]
    for user in members:
        TeamMember.objects.create(proposal=proposal, user=user)
    auditions.shortlist(proposal, by=staff, now=NOW)
    audition = auditions.schedule_audition(
        proposal, by=staff, now=NOW, starts_at=starts_at, duration_minutes=20, room="Salle 4"
    )
    return proposal, audition


# --- Shortlist ------------------------------------------------------------------------


def test_the_top_n_of_the_ranking_are_shortlisted_and_audited(ranked_call, staff):
    call, proposals, _seat = ranked_call
    added = auditions.shortlist_top(call, 2, by=staff, now=NOW)
    assert {p.pk for p in added} == {proposals[2].pk, proposals[0].pk}
    states = {p.pk: p.state for p in call.proposals.all()}
    assert states[proposals[2].pk] == states[proposals[0].pk] == ProposalState.SHORTLISTED
    assert states[proposals[1].pk] == states[proposals[3].pk] == ProposalState.ELIGIBLE
    entries = AuditEntry.objects.filter(action="jury.shortlist")
    assert entries.count() == 2
    assert {(e.from_state, e.to_state) for e in entries} == {("eligible", "shortlisted")}


def test_a_hand_picked_proposal_stays_when_the_top_n_is_taken(ranked_call, staff):
    call, proposals, _seat = ranked_call
    auditions.shortlist(proposals[1], by=staff, now=NOW)  # the last of the ranking
    auditions.shortlist_top(call, 1, by=staff, now=NOW)
    shortlisted = set(
        call.proposals.filter(state=ProposalState.SHORTLISTED).values_list("pk", flat=True)
    )
    assert shortlisted == {proposals[1].pk, proposals[2].pk}


def test_undo_puts_the_proposal_back_and_removes_its_slot(ranked_call, staff):
    call, proposals, _seat = ranked_call
    proposal = proposals[0]
    auditions.shortlist(proposal, by=staff, now=NOW)
    auditions.schedule_audition(
        proposal,
        by=staff,
        now=NOW,
        starts_at=SLOT,
        duration_minutes=30,
        video_link="https://v.example/a",
    )
    auditions.unshortlist(proposal, by=staff, now=NOW, reason="Erreur de sélection")
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.ELIGIBLE
    assert not Audition.objects.filter(proposal=proposal).exists()
    entry = AuditEntry.objects.get(action="jury.unshortlist")
    assert (entry.from_state, entry.to_state, entry.reason) == (
        "shortlisted",
        "eligible",
        "Erreur de sélection",
    )


@pytest.mark.parametrize(
    "state", [CallState.CLOSED, CallState.DELIBERATION, CallState.RESULTS_PUBLISHED]
)
def test_the_shortlist_changes_only_during_review_or_auditions(ranked_call, staff, state):
    call, proposals, _seat = ranked_call
    auditions.shortlist(proposals[0], by=staff, now=NOW)
    call.state = state
    call.save(update_fields=["state"])
    with pytest.raises(TransitionError, match="liste des auditions"):
        auditions.shortlist_top(call, 2, by=staff, now=NOW)
    with pytest.raises(TransitionError):
        auditions.shortlist(proposals[1], by=staff, now=NOW)
    with pytest.raises(TransitionError):
        auditions.unshortlist(proposals[0], by=staff, now=NOW)


def test_only_the_programme_staff_shortlist(ranked_call):
    call, proposals, seat = ranked_call
    other_staff = factories.StaffFactory()
    for person in (seat.user, proposals[0].created_by, other_staff):
        with pytest.raises(TransitionError, match="équipe du programme"):
            auditions.shortlist_top(call, 1, by=person, now=NOW)
        with pytest.raises(TransitionError, match="équipe du programme"):
            auditions.shortlist(proposals[0], by=person, now=NOW)
    assert not call.proposals.filter(state=ProposalState.SHORTLISTED).exists()


def test_an_ineligible_proposal_cannot_be_shortlisted(review_call, staff):
    proposal = factories.ProposalFactory(call=review_call, state=ProposalState.INELIGIBLE)
    with pytest.raises(TransitionError, match="recevable"):
        auditions.shortlist(proposal, by=staff, now=NOW)


def test_undo_is_refused_once_the_audition_is_scored(review_call, staff, frozen):
    grid_ = grid(review_call)
    proposal, _audition = shortlisted_with_slot(review_call, staff)
    seat = juror_for(review_call)
    review_call.state = CallState.AUDITIONS
    review_call.save(update_fields=["state"])
    auditions.score_audition(proposal, by=seat.user, now=NOW, scores={grid_[0].pk: 3})
    with pytest.raises(TransitionError, match="déjà noté"):
        auditions.unshortlist(proposal, by=staff, now=NOW)


# --- Slots, convocation and the calendar invitation ----------------------------------


def test_a_slot_convokes_each_member_once_with_the_calendar_invitation(
    review_call, staff, frozen, django_capture_on_commit_callbacks
):
    mate = factories.UserFactory(wants_nudges=False)  # a convocation is not optional
    with django_capture_on_commit_callbacks(execute=True):
        proposal, audition = shortlisted_with_slot(review_call, staff, members=[mate])
    rows = Reminder.objects.filter(kind=ReminderKind.AUDITION_CONVOCATION)
    assert {r.recipient_id for r in rows} == {proposal.created_by_id, mate.pk}
    assert {r.state for r in rows} == {"sent"}
    assert {r.due for r in rows} == {SLOT}
    # The team was told it is shortlisted (one mail each), then convoked (one mail each).
    convocations = [m for m in mail.outbox if m.attachments]
    assert sorted(m.to[0] for m in convocations) == sorted([proposal.created_by.email, mate.email])
    assert len(mail.outbox) == 4
    message = convocations[0]
    assert "audition" in message.body
    assert "mardi 12 mai 2026 à 10h30" in message.body
    assert "Salle 4" in message.body
    ((name, content, mimetype),) = message.attachments
    assert (name, mimetype) == ("audition.ics", "text/calendar")
    assert "DTSTART:20260512T083000Z" in content
    # The scan that follows owes nothing more: each convocation goes once.
    with django_capture_on_commit_callbacks(execute=True):
        from programme.reminders import scan_reminders

        scan_reminders(now=NOW + timedelta(minutes=1))
    assert len(mail.outbox) == 4
    assert audition.sequence == 0


def test_a_moved_slot_is_a_new_convocation_with_a_revised_invitation(
    review_call, staff, frozen, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        proposal, _audition = shortlisted_with_slot(review_call, staff)
        moved = auditions.schedule_audition(
            proposal,
            by=staff,
            now=NOW,
            starts_at=SLOT + timedelta(days=1),
            duration_minutes=20,
            room="Salle 5",
        )
    assert moved.sequence == 1
    convocations = [m for m in mail.outbox if m.attachments]  # after "shortlisted"
    assert len(convocations) == 2
    assert "SEQUENCE:1" in convocations[1].attachments[0][1]
    entry = AuditEntry.objects.filter(action="jury.audition_schedule").order_by("pk").last()
    assert entry.reason == "Salle 4 → Salle 5"
    assert entry.to_state == "2026-05-13T08:30:00+00:00"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"starts_at": NOW - timedelta(hours=1)}, "futur"),
        ({"room": "", "video_link": ""}, "salle ou le lien"),
        ({"duration_minutes": 0}, "durée"),
    ],
)
def test_a_slot_needs_a_future_time_a_length_and_a_place(review_call, staff, fields, message):
    proposal = eligible(review_call)[0]
    auditions.shortlist(proposal, by=staff, now=NOW)
    values = {"starts_at": SLOT, "duration_minutes": 30, "room": "Salle 1", **fields}
    with pytest.raises(TransitionError, match=message):
        auditions.schedule_audition(proposal, by=staff, now=NOW, **values)
    assert not Audition.objects.exists()
    assert not Reminder.objects.exists()


def test_only_a_shortlisted_proposal_gets_a_slot(review_call, staff):
    proposal = eligible(review_call)[0]
    with pytest.raises(TransitionError, match="retenue pour audition"):
        auditions.schedule_audition(
            proposal, by=staff, now=NOW, starts_at=SLOT, duration_minutes=30, room="Salle 1"
        )


def test_the_invitation_is_valid_icalendar(review_call, staff, settings):
    settings.DEFAULT_FROM_EMAIL = "Portail des programmes <noreply@localhost>"
    proposal = eligible(review_call, title="Carte, données; et « accents »" * 3)[0]
    auditions.shortlist(proposal, by=staff, now=NOW)
    audition = auditions.schedule_audition(
        proposal,
        by=staff,
        now=NOW,
        starts_at=SLOT,
        duration_minutes=45,
        room="Tour Séquoia, salle 12; 3e étage",
        video_link="https://visio.example/abc",
    )
    text = audition_ics(
        Audition.objects.select_related("proposal__call__programme").get(pk=audition.pk), now=NOW
    )
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert text.endswith("END:VEVENT\r\nEND:VCALENDAR\r\n")
    lines = text.split("\r\n")[:-1]
    assert all(len(line.encode()) <= 75 for line in lines)
    unfolded = text.replace("\r\n ", "")
    assert f"UID:audition-{audition.pk}@" in unfolded
    assert "METHOD:PUBLISH" in unfolded
    assert 'ORGANIZER;CN="Portail des programmes":mailto:noreply@localhost' in unfolded
    assert "DTSTAMP:20260504T090000Z" in unfolded
    assert "DTSTART:20260512T083000Z" in unfolded
    assert "DTEND:20260512T091500Z" in unfolded
    assert "LOCATION:Tour Séquoia\\, salle 12\\; 3e étage" in unfolded
    assert "Carte\\, données\\; et « accents »" in unfolded
    assert "URL:https://visio.example/abc" in unfolded


# --- The rules at a frozen time --------------------------------------------------------


def owed(now):
    return {(o.kind, o.object_id, o.recipient_id) for o in owed_at(now)}


def test_the_rules_owe_the_convocation_and_the_day_before_to_exactly_the_team(review_call, staff):
    keen = factories.UserFactory(wants_nudges=True)
    quiet = factories.UserFactory(wants_nudges=False)
    inactive = factories.UserFactory(is_active=False)
    proposal, audition = shortlisted_with_slot(review_call, staff, members=[keen, quiet, inactive])
    lead = proposal.created_by
    other = eligible(review_call)[0]  # eligible, not shortlisted: owed nothing
    assert other.state == ProposalState.ELIGIBLE
    conv, day = ReminderKind.AUDITION_CONVOCATION, ReminderKind.AUDITION_DAY_BEFORE
    lead.wants_nudges = True
    lead.save(update_fields=["wants_nudges"])
    # A week before: the convocation only, to every active member.
    assert owed(SLOT - timedelta(days=7)) == {
        (conv, audition.pk, lead.pk),
        (conv, audition.pk, keen.pk),
        (conv, audition.pk, quiet.pk),
    }
    # 23 hours before: the day-before reminder too, to those who want nudges.
    assert owed(SLOT - timedelta(hours=23)) == {
        (conv, audition.pk, lead.pk),
        (conv, audition.pk, keen.pk),
        (conv, audition.pk, quiet.pk),
        (day, audition.pk, lead.pk),
        (day, audition.pk, keen.pk),
    }
    # Exactly at the start, nothing any more.
    assert owed(SLOT) == set()
    assert RULES[conv].optional is False
    assert RULES[day].optional is True


@pytest.mark.parametrize("state", [CallState.DELIBERATION, CallState.RESULTS_PUBLISHED])
def test_no_convocation_is_owed_once_the_auditions_are_over(review_call, staff, state):
    shortlisted_with_slot(review_call, staff)
    review_call.state = state
    review_call.save(update_fields=["state"])
    assert owed(SLOT - timedelta(hours=2)) == set()


def test_a_convocation_written_before_an_undo_is_cancelled_at_sending(
    review_call, staff, frozen, django_capture_on_commit_callbacks
):
    proposal, audition = shortlisted_with_slot(review_call, staff)  # queued, not run
    auditions.unshortlist(proposal, by=staff, now=NOW)
    assert not Audition.objects.filter(pk=audition.pk).exists()
    from programme.reminders import deliver_reminders

    rows = list(Reminder.objects.filter(kind=ReminderKind.AUDITION_CONVOCATION))
    delivery = deliver_reminders(
        recipient_id=rows[0].recipient_id, reminder_ids=[r.pk for r in rows], now=NOW
    )
    assert delivery.sent == 0
    assert delivery.cancelled == 1
    assert mail.outbox == []


# --- The audition grid -----------------------------------------------------------------


@pytest.fixture
def at_auditions(review_call, staff):
    criteria_ = grid(review_call)
    proposal, _audition = shortlisted_with_slot(review_call, staff)
    review_call.state = CallState.AUDITIONS
    review_call.save(update_fields=["state"])
    return review_call, proposal, criteria_


def test_a_juror_scores_the_grid_and_the_total_is_weighted(at_auditions):
    call, proposal, (will, clarity) = at_auditions
    seat = juror_for(call)
    partial = auditions.score_audition(proposal, by=seat.user, now=NOW, scores={will.pk: 4})
    assert partial.total is None
    done = auditions.score_audition(
        proposal, by=seat.user, now=NOW, scores={will.pk: 4, clarity.pk: 7}, comment="Motivés"
    )
    assert done.total == pytest.approx((2 * 4 + 1 * 7) / 3)
    assert done.comment == "Motivés"
    assert AuditEntry.objects.filter(action="jury.audition_score").count() == 2


def test_a_conflicted_juror_cannot_score_the_audition_nor_see_it(at_auditions, client):
    call, proposal, (will, _clarity) = at_auditions
    seat = juror_for(call)
    jury.declare_conflict(proposal, by=seat.user, type="personal", reason="Ma sœur", now=NOW)
    with pytest.raises(TransitionError, match="conflit"):
        auditions.score_audition(proposal, by=seat.user, now=NOW, scores={will.pk: 4})
    assert list(audition_queries.juror_auditions(seat)) == []
    client.force_login(seat.user)
    assert client.get(reverse("jury:audition-score", args=[proposal.public_id])).status_code == 404
    page = client.get(reverse("jury:my-auditions", args=[call.slug]))
    assert proposal.title not in page.content.decode()


def test_a_lifted_conflict_lets_the_juror_score(at_auditions, staff):
    call, proposal, (will, _clarity) = at_auditions
    seat = juror_for(call)
    jury.declare_conflict(
        proposal, by=seat.user, type="personal", reason="Ancien collègue", now=NOW
    )
    jury.lift_conflict(Conflict.objects.get(), by=staff, reason="Sans lien actuel", now=NOW)
    assert auditions.score_audition(proposal, by=seat.user, now=NOW, scores={will.pk: 2})


@pytest.mark.parametrize("state", [CallState.REVIEW, CallState.DELIBERATION])
def test_the_grid_is_open_only_at_the_auditions(at_auditions, state):
    call, proposal, (will, _clarity) = at_auditions
    seat = juror_for(call)
    call.state = state
    call.save(update_fields=["state"])
    with pytest.raises(TransitionError, match="pas ouverte"):
        auditions.score_audition(proposal, by=seat.user, now=NOW, scores={will.pk: 2})


def test_outsiders_and_out_of_range_scores_are_refused(at_auditions):
    call, proposal, (will, _clarity) = at_auditions
    with pytest.raises(TransitionError, match="siégez pas"):
        auditions.score_audition(proposal, by=proposal.created_by, now=NOW, scores={will.pk: 2})
    seat = juror_for(call)
    with pytest.raises(TransitionError, match="de 0 à 5"):
        auditions.score_audition(proposal, by=seat.user, now=NOW, scores={will.pk: 6})
    other = eligible(call)[0]
    with pytest.raises(TransitionError, match="pas retenue"):
        auditions.score_audition(other, by=seat.user, now=NOW, scores={will.pk: 2})


def test_the_grid_is_fixed_once_an_audition_is_scored(at_auditions, staff):
    call, proposal, (will, _clarity) = at_auditions
    auditions.add_audition_criterion(call, by=staff, now=NOW, name="Équipe", weight=1)
    seat = juror_for(call)
    auditions.score_audition(proposal, by=seat.user, now=NOW, scores={will.pk: 2})
    with pytest.raises(TransitionError, match="ne change plus"):
        auditions.add_audition_criterion(call, by=staff, now=NOW, name="Autre")


# --- Pages per role ---------------------------------------------------------------------


def test_the_auditions_page_is_for_the_programme_staff(ranked_call, staff, client):
    call, proposals, seat = ranked_call
    url = reverse("jury:auditions", args=[call.slug])
    assert client.get(url).status_code == 302
    for person in (seat.user, proposals[0].created_by, factories.StaffFactory()):
        client.force_login(person)
        assert client.get(url).status_code == 403
    client.force_login(staff)
    page = client.get(url)
    assert page.status_code == 200
    assert proposals[2].title in page.content.decode()


def test_staff_shortlist_and_give_a_slot_through_the_pages(
    ranked_call, staff, client, frozen, django_capture_on_commit_callbacks
):
    call, proposals, _seat = ranked_call
    client.force_login(staff)
    client.post(reverse("jury:shortlist-top", args=[call.slug]), {"n": 1})
    proposals[2].refresh_from_db()
    assert proposals[2].state == ProposalState.SHORTLISTED
    url = reverse("jury:audition-slot", args=[proposals[2].public_id])
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {"starts_at": "2026-05-12T10:30", "duration_minutes": 25, "room": "Salle 2"},
        )
    assert response.status_code == 302
    audition = Audition.objects.get(proposal=proposals[2])
    assert audition.starts_at == SLOT
    # The team's convocation, and the juror's (with its calendar invitation).
    assert sorted(m.subject.split(" ")[0] for m in mail.outbox) == ["Convocation", "Convocation"]
    bad = client.post(url, {"starts_at": "2026-05-12T10:30", "duration_minutes": 25}, follow=True)
    assert "Indiquez la salle ou le lien de visioconférence." in bad.content.decode()
    client.post(reverse("jury:unshortlist", args=[proposals[2].public_id]))
    proposals[2].refresh_from_db()
    assert proposals[2].state == ProposalState.ELIGIBLE


def test_the_juror_pages_need_a_seat(at_auditions, client):
    call, proposal, (will, clarity) = at_auditions
    mine = reverse("jury:my-auditions", args=[call.slug])
    score = reverse("jury:audition-score", args=[proposal.public_id])
    assert client.get(mine).status_code == 302
    client.force_login(proposal.created_by)
    assert client.get(mine).status_code == 403
    assert client.get(score).status_code == 404
    seat = juror_for(call)
    client.force_login(seat.user)
    assert proposal.title in client.get(mine).content.decode()
    response = client.post(
        score, {f"score_{will.pk}": "5", f"score_{clarity.pk}": "10", "comment": "Très bien"}
    )
    assert response.status_code == 302
    assert proposal.audition_evaluations.get(juror=seat).total == pytest.approx(
        (2 * 5 + 1 * 10) / 3
    )


@pytest.mark.parametrize("n", [2, 7])
def test_the_audition_pages_run_a_fixed_number_of_queries(
    review_call, staff, client, django_assert_num_queries, n
):
    grid(review_call)
    for i in range(n):
        shortlisted_with_slot(review_call, staff, starts_at=SLOT + timedelta(hours=i))
    eligible(review_call, n)
    seat = juror_for(review_call)
    client.force_login(staff)
    url = reverse("jury:auditions", args=[review_call.slug])
    client.get(url)  # the first read computes the stored ranking
    # The 10th asks whether an audition is scored yet (the grid is editable until then).
    with django_assert_num_queries(10):
        assert client.get(url).status_code == 200
    review_call.state = CallState.AUDITIONS
    review_call.save(update_fields=["state"])
    client.force_login(seat.user)
    url = reverse("jury:my-auditions", args=[review_call.slug])
    with django_assert_num_queries(7):
        assert client.get(url).status_code == 200


def test_jurors_see_the_auditions_only_from_the_auditions_phase(review_call, staff, client):
    proposal, _audition = shortlisted_with_slot(review_call, staff)
    seat = juror_for(review_call)
    client.force_login(seat.user)
    mine = reverse("jury:my-auditions", args=[review_call.slug])
    score = reverse("jury:audition-score", args=[proposal.public_id])
    assert proposal.title not in client.get(mine).content.decode()  # still under review
    assert client.get(score).status_code == 404
    review_call.state = CallState.AUDITIONS
    review_call.save(update_fields=["state"])
    assert proposal.title in client.get(mine).content.decode()
    assert client.get(score).status_code == 200
    review_call.state = CallState.DELIBERATION
    review_call.save(update_fields=["state"])
    page = client.get(score).content.decode()
    assert "vos notes ne changent plus" in page
    assert "Enregistrer mes notes d'audition" not in page


def test_the_team_sees_its_audition_slot_on_its_proposal(review_call, staff, client):
    mate = factories.UserFactory()
    proposal, _audition = shortlisted_with_slot(review_call, staff, members=[mate])
    client.force_login(mate)
    page = client.get(reverse("projects:detail", args=[proposal.public_id])).content.decode()
    assert "Votre audition" in page
    assert "mardi 12 mai 2026 à 10:30" in page
    assert "Salle 4" in page
    outsider = factories.UserFactory()
    client.force_login(outsider)
    assert client.get(reverse("projects:detail", args=[proposal.public_id])).status_code == 404


def test_the_call_reminders_page_lists_the_convocations(review_call, staff, client):
    proposal, _audition = shortlisted_with_slot(review_call, staff)
    client.force_login(staff)
    page = client.get(reverse("reminders:call", args=[review_call.slug]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Convocation à l&#x27;audition" in text or "Convocation à l'audition" in text
    assert proposal.title in text
