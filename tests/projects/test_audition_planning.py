"""Audition planning: clashes refused, the jurors' calendar invitations, the grid editable
until the first audition score, the day view and the convocation's subject."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calls.models import AuditionCriterion
from programme.enums import ReminderKind
from programme.exceptions import TransitionError
from programme.models import OutgoingMail
from programme.reminders import RULES
from projects.models import Conflict, TeamMember
from projects.services import auditions
from tests import factories
from tests.projects import jury_fixtures
from tests.projects.jury_fixtures import NOW, eligible, juror_for

pytestmark = pytest.mark.django_db

review_call = jury_fixtures.review_call
criteria = jury_fixtures.criteria

SLOT = datetime(2026, 5, 12, 8, 30, tzinfo=UTC)  # 10:30 in Paris


def heard(call, staff, *, members=()):
    (proposal,) = eligible(call)
    for user in members:
        TeamMember.objects.create(proposal=proposal, user=user)
    auditions.shortlist(proposal, by=staff, now=NOW)
    return proposal


def slot(proposal, staff, starts_at=SLOT, minutes=30, room="Salle 4", video_link=""):
    return auditions.schedule_audition(
        proposal,
        by=staff,
        now=NOW,
        starts_at=starts_at,
        duration_minutes=minutes,
        room=room,
        video_link=video_link,
    )


def test_overlapping_slots_in_one_room_are_refused(review_call, staff):
    first, second = heard(review_call, staff), heard(review_call, staff)
    slot(first, staff)
    with pytest.raises(TransitionError, match="La salle « Salle 4 » est déjà prise"):
        slot(second, staff, starts_at=SLOT + timedelta(minutes=20))
    # Back to back is no clash, nor the same time in another room with no common juror.
    slot(second, staff, starts_at=SLOT + timedelta(minutes=30))


def test_the_same_video_link_twice_at_once_is_refused(review_call, staff):
    first, second = heard(review_call, staff), heard(review_call, staff)
    link = "https://webinaire.numerique.gouv.fr/salle-jury"
    slot(first, staff, room="", video_link=link)
    with pytest.raises(TransitionError, match="Le lien de visioconférence"):
        slot(second, staff, room="", video_link=link, starts_at=SLOT + timedelta(minutes=10))


def test_a_team_member_heard_twice_at_once_is_refused(review_call, staff):
    person = factories.UserFactory()
    first = heard(review_call, staff, members=[person])
    second = heard(review_call, staff, members=[person])
    slot(first, staff, room="Salle A")
    with pytest.raises(TransitionError, match="Un membre de l'équipe"):
        slot(second, staff, room="Salle B", starts_at=SLOT + timedelta(minutes=15))


def test_a_juror_in_two_rooms_at_once_is_refused_unless_in_conflict(review_call, staff):
    first, second = heard(review_call, staff), heard(review_call, staff)
    seat = juror_for(review_call, first_name="Armelle", last_name="Saulnier")
    slot(first, staff, room="Salle A")
    with pytest.raises(TransitionError, match="Armelle Saulnier entend aussi"):
        slot(second, staff, room="Salle B", starts_at=SLOT + timedelta(minutes=15))
    # In conflict with the second, the juror does not hear it: the two rooms run at once.
    Conflict.objects.create(
        juror=seat, proposal=second, kind="staff", type="other", reason="x", created_at=NOW
    )
    slot(second, staff, room="Salle B", starts_at=SLOT + timedelta(minutes=15))


def test_each_juror_not_in_conflict_gets_a_convocation_with_the_ics(review_call, staff):
    proposal = heard(review_call, staff)
    hearing, conflicted = juror_for(review_call), juror_for(review_call)
    Conflict.objects.create(
        juror=conflicted, proposal=proposal, kind="staff", type="other", reason="x", created_at=NOW
    )
    audition = slot(proposal, staff)
    mails = [m for m in OutgoingMail.objects.all() if hearing.user.email in m.to]
    assert len(mails) == 1
    assert mails[0].subject.startswith("Convocation : audition de")
    assert mails[0].attachments[0]["name"] == "audition.ics"
    assert not [m for m in OutgoingMail.objects.all() if conflicted.user.email in m.to]
    slot(proposal, staff)  # the same slot saved again: a new revision, a new invitation
    audition.refresh_from_db()
    assert audition.sequence == 1
    assert len([m for m in OutgoingMail.objects.all() if hearing.user.email in m.to]) == 2


def test_the_teams_convocation_reads_as_a_convocation():
    subject = RULES[ReminderKind.AUDITION_CONVOCATION].subject
    assert str(subject).startswith("Convocation")


def test_the_grid_is_editable_and_deletable_until_the_first_audition_score(review_call, staff):
    criterion = AuditionCriterion.objects.create(call=review_call, name="Envie", position=1)
    changed = auditions.update_audition_criterion(
        criterion, by=staff, now=NOW, name="Envie d'y aller", weight=2, scale_max=10
    )
    assert (changed.name, changed.scale_max) == ("Envie d'y aller", 10)
    other = AuditionCriterion.objects.create(call=review_call, name="Clarté", position=2)
    auditions.delete_audition_criterion(other, by=staff, now=NOW)
    assert list(review_call.audition_criteria.values_list("name", flat=True)) == ["Envie d'y aller"]
    proposal = heard(review_call, staff)
    seat = juror_for(review_call)
    review_call.state = "auditions"
    review_call.save()
    auditions.score_audition(proposal, by=seat.user, now=NOW, scores={criterion.pk: 7})
    with pytest.raises(TransitionError, match="déjà notées"):
        auditions.update_audition_criterion(criterion, by=staff, now=NOW, name="Autre")
    with pytest.raises(TransitionError, match="déjà notées"):
        auditions.delete_audition_criterion(criterion, by=staff, now=NOW)


def test_the_criterion_page_edits_and_deletes(client, review_call, staff):
    criterion = AuditionCriterion.objects.create(call=review_call, name="Envie", position=1)
    client.force_login(staff)
    url = reverse("jury:audition-criterion-edit", args=[criterion.pk])
    assert "Envie" in client.get(url).content.decode()
    response = client.post(url, {"name": "Motivation", "weight": "1", "scale_max": "5"})
    assert response.status_code == 302
    criterion.refresh_from_db()
    assert criterion.name == "Motivation"
    client.post(reverse("jury:audition-criterion-delete", args=[criterion.pk]))
    assert not AuditionCriterion.objects.filter(pk=criterion.pk).exists()


def test_the_day_view_groups_slots_by_place_with_the_same_queries_at_two_sizes(
    client, review_call, staff
):
    client.force_login(staff)
    url = reverse("jury:audition-day", args=[review_call.slug])
    slot(heard(review_call, staff), staff, room="Salle A")
    with CaptureQueriesContext(connection) as small:
        page = client.get(url).content.decode()
    assert "Salle A" in page
    assert "10:30" in page
    for n in range(1, 5):
        slot(heard(review_call, staff), staff, room="Salle B", starts_at=SLOT + timedelta(hours=n))
    with CaptureQueriesContext(connection) as large:
        page = client.get(url).content.decode()
    assert "Salle B" in page
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_day_view_reads_a_day_from_the_address_and_survives_a_bad_one(
    client, review_call, staff
):
    slot(heard(review_call, staff), staff, room="Salle A")
    slot(heard(review_call, staff), staff, room="Salle A", starts_at=SLOT + timedelta(days=1))
    client.force_login(staff)
    url = reverse("jury:audition-day", args=[review_call.slug])
    page = client.get(url, {"jour": "2026-05-13"}).content.decode()
    assert "mercredi 13 mai 2026" in page
    assert "mardi 12 mai 2026" in page  # the link to the day before
    for bad in ("2026-02-30", "n'importe quoi", "9" * 5000):
        assert client.get(url, {"jour": bad}).status_code == 200
