"""The keyset pages of the staff's long lists are served by an index in their order: on
PostgreSQL the plan of a page (first or deep) has no sort step, so page 200 reads 50 rows
like page 1. Sequential scans are switched off so that a tiny test table shows the plan a
large one gets."""

from datetime import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from programme import keyset
from programme.enums import ReminderKind
from programme.models import Reminder
from projects.enums import ProposalState
from projects.queries import deliberation as deliberation_queries
from projects.queries import proposals as queries
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

NOW = datetime.fromisoformat("2026-03-02T10:00:00+01:00")


def _plan(queryset) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    return queryset.explain()


def _page_query(queryset, keys, after_row=None):
    ordered = queryset.order_by(*keyset.order(keys))
    if after_row is not None:
        ordered = ordered.filter(keyset.after(keys, [getattr(after_row, k.name) for k in keys]))
    return ordered[:51]


@pytest.mark.parametrize(
    "sort", ["reference", "title", "-title", "state", "-state", "submitted_at"]
)
def test_each_sort_of_the_staff_list_is_read_in_index_order(sort):
    call = factories.CallFactory()
    for n in range(5):
        factories.ProposalFactory(
            call=call, state=ProposalState.SUBMITTED, sequence=n + 1, submitted_at=NOW
        )
    keys = queries.staff_keys(sort)
    source = queries.staff_page_source(queries.staff_list(call), sort)
    middle = list(source.order_by(*keyset.order(keys)))[2]
    for plan in (_plan(_page_query(source, keys)), _plan(_page_query(source, keys, middle))):
        assert "Sort" not in plan, plan
        assert "proposal_list_" in plan or "proposal_unique_sequence" in plan, plan


def test_the_reminder_pages_are_read_in_index_order():
    call = factories.CallFactory()
    proposal = factories.ProposalFactory(call=call)
    kind = ContentType.objects.get_for_model(proposal)
    for _ in range(3):
        Reminder.objects.create(
            kind=ReminderKind.DRAFT_CLOSING_7D,
            content_type=kind,
            object_id=proposal.pk,
            recipient=factories.UserFactory(),
            due=NOW,
            call=call,
            next_attempt_at=NOW,
            created_at=NOW,
        )
    from cohorts.views.reminders import REMINDER_KEYS

    rows = Reminder.objects.filter(call=call)
    middle = rows.order_by(*keyset.order(REMINDER_KEYS))[1]
    for plan in (
        _plan(_page_query(rows, REMINDER_KEYS)),
        _plan(_page_query(rows, REMINDER_KEYS, middle)),
    ):
        assert "Sort" not in plan, plan
        assert "reminder_call_idx" in plan, plan


def test_the_outbox_is_read_in_the_proposals_title_order():
    call = factories.CallFactory()
    keys = deliberation_queries.outbox_keys()
    plan = _plan(_page_query(deliberation_queries.outbox(call), keys))
    assert "proposal_list_title_idx" in plan, plan


def test_the_cohort_desk_is_read_in_name_order():
    from cohorts.queries.public import laureate_keys, laureates_of

    cohort = factories.CohortFactory()
    factories.LaureateFactory.create_batch(3, cohort=cohort)
    rows = laureates_of(cohort)
    middle = rows.order_by(*keyset.order(laureate_keys()))[1]
    for plan in (
        _plan(_page_query(rows, laureate_keys())),
        _plan(_page_query(rows, laureate_keys(), middle)),
    ):
        assert "Sort" not in plan, plan
        assert "laureate_by_name_idx" in plan, plan
