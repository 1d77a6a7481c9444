"""Each rule, at a frozen time, selects exactly who is owed what, and nobody else."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calls.enums import CallState
from programme.enums import ReminderKind
from programme.reminders import RULES, owed_at
from projects.enums import ProposalState
from tests import factories

from .conftest import NOW, call_closing_in, draft_with_team

pytestmark = pytest.mark.django_db

SEVEN = ReminderKind.DRAFT_CLOSING_7D
ONE = ReminderKind.DRAFT_CLOSING_1D


def owed() -> set[tuple[str, int, int]]:
    return {(o.kind, o.object_id, o.recipient_id) for o in owed_at(NOW)}


def test_a_draft_of_a_call_closing_in_7_days_is_owed_to_each_member_of_its_team():
    member = factories.UserFactory()
    call = call_closing_in(timedelta(days=7) - timedelta(hours=3))
    draft = draft_with_team(call, member)
    found = list(owed_at(NOW))
    assert {(o.kind, o.object_id, o.recipient_id) for o in found} == {
        (SEVEN, draft.pk, draft.created_by_id),
        (SEVEN, draft.pk, member.pk),
    }
    assert {(o.due, o.call_id, o.cohort_id) for o in found} == {(call.closes_at, call.pk, None)}


def test_the_day_before_closing_the_draft_is_owed_the_last_day_reminder_only():
    draft = draft_with_team(call_closing_in(timedelta(hours=20)))
    assert owed() == {(ONE, draft.pk, draft.created_by_id)}


def test_the_edges_of_the_windows():
    at_seven = draft_with_team(call_closing_in(timedelta(days=7)))
    at_one = draft_with_team(call_closing_in(timedelta(days=1)))
    assert owed() == {
        (SEVEN, at_seven.pk, at_seven.created_by_id),
        (ONE, at_one.pk, at_one.created_by_id),
    }


@pytest.mark.parametrize(
    "state", [s for s in ProposalState if s != ProposalState.DRAFT], ids=lambda s: s.value
)
def test_a_proposal_past_the_draft_is_owed_nothing(state):
    draft_with_team(call_closing_in(timedelta(days=3)), state=state)
    assert owed() == set()


def test_a_call_closing_in_8_days_owes_nothing():
    draft_with_team(call_closing_in(timedelta(days=8)))
    assert owed() == set()


def test_a_closed_call_owes_nothing():
    draft_with_team(call_closing_in(-timedelta(minutes=1)))
    assert owed() == set()


@pytest.mark.parametrize("state", [CallState.DRAFT, CallState.CLOSED, CallState.ARCHIVED])
def test_a_call_that_is_not_published_owes_nothing(state):
    draft_with_team(call_closing_in(timedelta(days=3), state=state))
    assert owed() == set()


def test_a_call_not_open_yet_owes_nothing():
    call = factories.CallFactory(
        opens_at=NOW + timedelta(hours=1), closes_at=NOW + timedelta(days=3)
    )
    draft_with_team(call)
    assert owed() == set()


def test_an_opted_out_member_is_owed_no_optional_reminder(client, password):
    quiet = factories.UserFactory()
    draft = draft_with_team(call_closing_in(timedelta(days=3)), quiet)
    # The person turns the nudges off on their profile page.
    client.login(email=quiet.email, password=password)
    response = client.post(
        reverse("profile"),
        {
            "first_name": quiet.first_name,
            "last_name": quiet.last_name,
            "job_title": "",
            "structure_type": quiet.structure.type,
            "structure_name": quiet.structure.name,
            # wants_nudges unticked
        },
    )
    assert response.status_code == 302
    quiet.refresh_from_db()
    assert quiet.wants_nudges is False
    assert all(RULES[kind].optional for kind in (SEVEN, ONE))
    assert owed() == {(SEVEN, draft.pk, draft.created_by_id)}


def test_an_inactive_account_is_owed_nothing():
    draft = draft_with_team(call_closing_in(timedelta(days=3)))
    draft.created_by.is_active = False
    draft.created_by.save()
    assert owed() == set()


def test_the_rules_cost_the_same_queries_for_2_drafts_and_for_40():
    def queries_for(count: int) -> int:
        call = call_closing_in(timedelta(days=3))
        for _ in range(count):
            draft_with_team(call, factories.UserFactory())
        list(owed_at(NOW))  # the content types are cached after the first use
        with CaptureQueriesContext(connection) as queries:
            assert len(list(owed_at(NOW))) >= 2 * count
        return len(queries)

    assert queries_for(2) == queries_for(40) <= len(RULES)


def test_every_kind_of_the_design_has_its_rule():
    assert set(RULES) == set(ReminderKind)
