"""The call lifecycle: each transition, its guard, its audit entry; and the deadline."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from calls import services
from calls.enums import CallKind, CallState
from calls.models import Call
from calls.queries import open_calls
from calls.tasks import close_due_calls
from programme.audit import history
from programme.exceptions import TransitionError
from tests import factories

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def make_call(state=CallState.DRAFT, **kwargs):
    kwargs.setdefault("opens_at", NOW - timedelta(days=10))
    kwargs.setdefault("closes_at", NOW + timedelta(days=20))
    return factories.CallFactory(state=state, **kwargs)


def test_publish_a_draft_writes_the_state_and_the_audit_entry(staff, programme):
    call = make_call(programme=programme)
    services.publish(call, by=staff, now=NOW)
    call.refresh_from_db()
    assert call.state == CallState.PUBLISHED
    entry = history(call).get(action="call.publish")
    assert (entry.actor, entry.from_state, entry.to_state, entry.at) == (
        staff,
        "draft",
        "published",
        NOW,
    )


def test_publish_twice_is_refused_with_a_french_message(staff):
    call = make_call(state=CallState.PUBLISHED)
    with pytest.raises(TransitionError, match="Seul un appel en brouillon peut être publié"):
        services.publish(call, by=staff, now=NOW)
    assert not history(call).exists()


def test_publish_after_the_deadline_is_refused(staff):
    call = make_call(opens_at=NOW - timedelta(days=30), closes_at=NOW - timedelta(days=1))
    with pytest.raises(TransitionError, match="la clôture .* est déjà passée"):
        services.publish(call, by=staff, now=NOW)
    call.refresh_from_db()
    assert call.state == CallState.DRAFT


def test_publish_a_stage_two_call_needs_its_challenge_call(staff):
    call = make_call(kind=CallKind.CHALLENGE_APPLICATIONS)
    with pytest.raises(TransitionError, match="appel à défis"):
        services.publish(call, by=staff, now=NOW)


def test_close_before_the_deadline_is_refused(staff):
    call = make_call(state=CallState.PUBLISHED)
    with pytest.raises(TransitionError, match="il se clôt de lui-même"):
        services.close(call, by=staff, now=NOW)
    call.refresh_from_db()
    assert call.state == CallState.PUBLISHED


def test_close_after_the_deadline(staff):
    call = make_call(state=CallState.PUBLISHED, closes_at=NOW - timedelta(minutes=1))
    services.close(call, by=staff, now=NOW)
    call.refresh_from_db()
    assert call.state == CallState.CLOSED
    assert history(call).get().action == "call.close"


def test_close_a_draft_is_refused(staff):
    call = make_call(closes_at=NOW - timedelta(minutes=1), opens_at=NOW - timedelta(days=3))
    with pytest.raises(TransitionError, match="Seul un appel publié peut être clos"):
        services.close(call, by=staff, now=NOW)


@pytest.mark.parametrize(
    ("service", "before", "after"),
    [
        (services.start_review, CallState.CLOSED, CallState.REVIEW),
        (services.start_auditions, CallState.REVIEW, CallState.AUDITIONS),
        (services.start_deliberation, CallState.REVIEW, CallState.DELIBERATION),
        (services.start_deliberation, CallState.AUDITIONS, CallState.DELIBERATION),
        (services.archive, CallState.RESULTS_PUBLISHED, CallState.ARCHIVED),
    ],
)
def test_each_legal_transition_saves_and_logs(staff, service, before, after):
    call = make_call(state=before, closes_at=NOW - timedelta(days=1), opens_at=NOW - timedelta(9))
    service(call, by=staff, now=NOW)
    call.refresh_from_db()
    assert call.state == after
    entry = history(call).get()
    assert (entry.from_state, entry.to_state, entry.actor) == (before, after, staff)


@pytest.mark.parametrize(
    ("service", "state"),
    [
        (services.start_review, CallState.DRAFT),
        (services.start_review, CallState.REVIEW),
        (services.start_auditions, CallState.CLOSED),
        (services.start_auditions, CallState.DELIBERATION),
        (services.start_deliberation, CallState.CLOSED),
        (services.archive, CallState.DELIBERATION),
        (services.archive, CallState.ARCHIVED),
    ],
)
def test_each_illegal_transition_raises_and_changes_nothing(staff, service, state):
    call = make_call(state=state, closes_at=NOW - timedelta(days=1), opens_at=NOW - timedelta(9))
    with pytest.raises(TransitionError, match="Action impossible : l'appel est à l'état"):
        service(call, by=staff, now=NOW)
    call.refresh_from_db()
    assert call.state == state
    assert not history(call).exists()


def test_review_starts_on_a_published_call_past_its_deadline(staff):
    """Nobody had to write 'closed' first: the deadline alone closes the call."""
    call = make_call(state=CallState.PUBLISHED, closes_at=NOW - timedelta(hours=1))
    services.start_review(call, by=staff, now=NOW)
    call.refresh_from_db()
    assert call.state == CallState.REVIEW
    assert history(call).get().from_state == CallState.CLOSED


def test_review_cannot_start_while_the_call_is_open(staff):
    call = make_call(state=CallState.PUBLISHED)
    with pytest.raises(TransitionError, match="Publié"):
        services.start_review(call, by=staff, now=NOW)


def test_a_stale_object_cannot_replay_a_transition(staff):
    """Two tabs: the second click works on an old copy, the database says no."""
    call = make_call(state=CallState.CLOSED, closes_at=NOW - timedelta(days=1))
    stale = Call.objects.get(pk=call.pk)
    services.start_review(call, by=staff, now=NOW)
    with pytest.raises(TransitionError):
        services.start_review(stale, by=staff, now=NOW)
    assert history(call).count() == 1


def test_close_due_calls_is_idempotent_and_leaves_open_calls_alone():
    due = make_call(state=CallState.PUBLISHED, closes_at=NOW - timedelta(minutes=5))
    still_open = make_call(state=CallState.PUBLISHED)
    draft = make_call(closes_at=NOW - timedelta(minutes=5), opens_at=NOW - timedelta(days=2))
    assert services.close_due_calls(now=NOW) == [due.pk]
    assert services.close_due_calls(now=NOW) == []
    due.refresh_from_db()
    still_open.refresh_from_db()
    draft.refresh_from_db()
    assert (due.state, still_open.state, draft.state) == ("closed", "published", "draft")
    entry = history(due).get()
    assert entry.actor is None
    assert entry.to_state == "closed"


def test_the_beat_task_closes_due_calls_at_the_current_time():
    call = make_call(state=CallState.PUBLISHED, closes_at=NOW - timedelta(seconds=1))
    with time_machine.travel(NOW, tick=False):
        assert close_due_calls.delay().get() == 1
    call.refresh_from_db()
    assert call.state == CallState.CLOSED


def test_the_beat_task_is_scheduled(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "calls.tasks.close_due_calls" in tasks


# --- The deadline in Paris time, across the change to winter time -------------------------

# On 25 October 2026 Paris goes from 03:00 summer time back to 02:00 winter time: 02:30 happens
# twice. The first one (fold=0, summer time) is 00:30 UTC; the second is 01:30 UTC.
DST_DEADLINE = datetime(2026, 10, 25, 2, 30, tzinfo=PARIS)


def test_dst_deadline_is_the_first_0230_in_utc():
    assert DST_DEADLINE.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "is_open"),
    [
        (datetime(2026, 10, 25, 0, 29, 59, tzinfo=UTC), True),  # 02:29:59 summer time
        (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), False),  # the deadline itself
        (datetime(2026, 10, 25, 1, 15, tzinfo=UTC), False),  # 02:15 winter time: "before" on
        # the wall clock, after in reality
        (datetime(2026, 10, 25, 2, 0, 1, tzinfo=PARIS, fold=1), False),
    ],
)
def test_deadline_across_the_change_to_winter_time(moment, is_open):
    call = factories.CallFactory(
        opens_at=datetime(2026, 10, 1, 9, 0, tzinfo=PARIS), closes_at=DST_DEADLINE
    )
    assert call.is_open(moment) is is_open
    assert (call.state_at(moment) == CallState.PUBLISHED) is is_open
    assert open_calls(moment).filter(pk=call.pk).exists() is is_open


def test_deadline_after_the_change_to_summer_time():
    """29 March 2026: 02:00 becomes 03:00. A call closing at 03:30 Paris closes at 01:30 UTC."""
    call = factories.CallFactory(
        opens_at=datetime(2026, 3, 1, 9, 0, tzinfo=PARIS),
        closes_at=datetime(2026, 3, 29, 3, 30, tzinfo=PARIS),
    )
    assert call.is_open(datetime(2026, 3, 29, 1, 29, tzinfo=UTC))
    assert not call.is_open(datetime(2026, 3, 29, 1, 30, tzinfo=UTC))


def test_time_frozen_just_before_and_after_the_dst_deadline():
    call = factories.CallFactory(
        opens_at=datetime(2026, 10, 1, 9, 0, tzinfo=PARIS), closes_at=DST_DEADLINE
    )
    with time_machine.travel(datetime(2026, 10, 25, 0, 29, tzinfo=UTC), tick=False):
        assert services.close_due_calls(now=datetime.now(UTC)) == []
    with time_machine.travel(datetime(2026, 10, 25, 0, 31, tzinfo=UTC), tick=False):
        assert services.close_due_calls(now=datetime.now(UTC)) == [call.pk]


# --- Criteria and questions ------------------------------------------------------------------


def test_items_are_added_last_and_move_up_and_down(staff):
    call = make_call()
    first = services.save_item(
        factories.CriterionFactory.build(call=call, name="Impact"), by=staff, now=NOW
    )
    second = services.save_item(
        factories.CriterionFactory.build(call=call, name="Maturité"), by=staff, now=NOW
    )
    assert [c.name for c in call.criteria.all()] == ["Impact", "Maturité"]
    services.move_item(second, up=True, by=staff, now=NOW)
    assert [c.name for c in call.criteria.all()] == ["Maturité", "Impact"]
    services.move_item(second, up=True, by=staff, now=NOW)  # already first: nothing moves
    assert [c.name for c in call.criteria.all()] == ["Maturité", "Impact"]
    services.move_item(second, up=False, by=staff, now=NOW)
    assert [c.name for c in call.criteria.all()] == ["Impact", "Maturité"]
    services.delete_item(first, by=staff, now=NOW)
    assert [c.name for c in call.criteria.all()] == ["Maturité"]
    actions = list(history(call).values_list("action", flat=True))
    assert "call.criterion.add" in actions
    assert "call.criterion.move" in actions
    assert "call.criterion.delete" in actions


def test_questions_freeze_once_the_deadline_passes(staff):
    call = make_call(state=CallState.PUBLISHED, closes_at=NOW - timedelta(minutes=1))
    question = factories.QuestionFactory(call=call)
    with pytest.raises(TransitionError, match="les questions ne peuvent plus changer"):
        services.save_item(question, by=staff, now=NOW)
    with pytest.raises(TransitionError):
        services.delete_item(question, by=staff, now=NOW)
    assert call.questions.count() == 1


def test_criteria_freeze_once_the_review_starts(staff):
    call = make_call(state=CallState.REVIEW, closes_at=NOW - timedelta(days=1))
    criterion = factories.CriterionFactory(call=call)
    with pytest.raises(TransitionError, match="les critères ne peuvent plus changer"):
        services.move_item(criterion, up=True, by=staff, now=NOW)


def test_create_call_gives_a_unique_address_and_a_draft(staff, programme):
    factories.CallFactory(slug="fast-14")
    call = services.create_call(
        Call(
            programme=programme,
            edition="FAST 14",
            title="Appel",
            opens_at=NOW,
            closes_at=NOW + timedelta(days=3),
            state=CallState.PUBLISHED,
        ),
        by=staff,
        now=NOW,
    )
    assert call.slug == "fast-14-2"
    assert call.state == CallState.DRAFT
    assert history(call).get().action == "call.create"


def test_a_closed_call_rules_cannot_change(staff):
    call = make_call(state=CallState.CLOSED, closes_at=NOW - timedelta(days=1))
    call.title = "Autre titre"
    with pytest.raises(TransitionError, match="ses règles ne peuvent plus changer"):
        services.update_call(call, by=staff, now=NOW)
    call.refresh_from_db()
    assert call.title != "Autre titre"
