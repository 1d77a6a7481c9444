"""Keyset pages (programme/keyset.py): every row once, in order, across pages whose
boundaries fall on equal values and on missing ones, with one query a page."""

from datetime import date

import pytest

from cohorts.models import Laureate
from cohorts.queries.followup import dashboard_keys
from programme import keyset
from tests import factories

pytestmark = pytest.mark.django_db


def _all_pages(queryset, keys, size):
    seen, cursor, starts = [], None, []
    while True:
        page = keyset.paginate(queryset, keys, cursor, size=size, salt="test")
        starts.append(page.start)
        seen += [row.name for row in page.rows]
        if not page.next:
            return seen, starts
        cursor = page.next


@pytest.mark.parametrize("size", [1, 2, 3, 10])
def test_pages_cover_every_row_once_with_ties_and_missing_values(size, django_assert_num_queries):
    cohort = factories.CohortFactory()
    figures = [
        (2, date(2026, 1, 5)),
        (2, date(2026, 1, 5)),  # a tie on both keys: the name, then the pk decide
        (2, date(2026, 2, 5)),
        (1, date(2026, 1, 5)),
        (0, None),
        (0, None),
        (0, None),
    ]
    for i, (late, first) in enumerate(figures):
        factories.LaureateFactory(
            cohort=cohort, name=f"L{i % 3}", late_count=late, first_late_on=first
        )
    queryset = Laureate.objects.filter(cohort=cohort)
    keys = dashboard_keys()
    expected = [row.name for row in queryset.order_by(*keyset.order(keys))]
    seen, starts = _all_pages(queryset, keys, size)
    assert seen == expected
    assert len(seen) == len(figures)
    assert starts == list(range(0, len(figures), size))[: len(starts)]
    with django_assert_num_queries(1):
        keyset.paginate(queryset, keys, None, size=size, salt="test")


def test_a_cursor_signed_for_another_list_gives_the_first_page():
    cohort = factories.CohortFactory()
    for i in range(3):
        factories.LaureateFactory(cohort=cohort, name=f"L{i}")
    queryset = Laureate.objects.filter(cohort=cohort)
    keys = dashboard_keys()
    other = keyset.paginate(queryset, keys, None, size=1, salt="other").next
    page = keyset.paginate(queryset, keys, other, size=1, salt="test")
    assert page.first
    assert page.start == 0
