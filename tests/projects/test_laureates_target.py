"""The call's target number of laureates is shown on the ranking and the deliberation
("x / target lauréats"), with a warning once exceeded."""

from html import unescape

import pytest
from django.urls import reverse

from tests.projects import jury_fixtures
from tests.projects.test_deliberation import build, decide

pytestmark = pytest.mark.django_db

review_call = jury_fixtures.review_call
criteria = jury_fixtures.criteria


def _page(client, name, call):
    return unescape(client.get(reverse(name, args=[call.slug])).content.decode())


def test_the_ranking_shows_the_target(client, staff, review_call):
    review_call.laureates_target = 3
    review_call.save(update_fields=["laureates_target"])
    client.force_login(staff)
    assert "Objectif de l'appel : 3 lauréats." in _page(client, "jury:ranking", review_call)


def test_the_deliberation_counts_laureates_against_the_target(client, staff, review_call, criteria):
    (first, second), _seat = build(review_call, criteria, staff, [5, 4], [5, 4])
    review_call.laureates_target = 2
    review_call.save(update_fields=["laureates_target"])
    client.force_login(staff)
    decide(first, staff, "selected")
    page = _page(client, "jury:deliberation", review_call)
    assert "1 / 2 lauréats" in page
    assert "objectif de l'appel est dépassé" not in page
    decide(second, staff, "selected")
    review_call.laureates_target = 1
    review_call.save(update_fields=["laureates_target"])
    page = _page(client, "jury:deliberation", review_call)
    assert "2 / 1 lauréats : l'objectif de l'appel est dépassé." in page
    confirm = _page(client, "jury:publish-results", review_call)
    assert "Attention : 2 lauréates pour un objectif de 1." in confirm
