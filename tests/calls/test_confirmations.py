"""Irreversible actions ask first (what will happen, to how many people), and a published
call is closed early only by "Clore maintenant", with a reason, audited old and new dates."""

import html as html_lib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from calls.enums import CallState
from calls.models import Call, Criterion, Question
from programme.audit import history
from projects.enums import ProposalState
from tests import factories
from tests.calls.test_pages import GOOD

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def text(response) -> str:
    return html_lib.unescape(response.content.decode())


@pytest.fixture
def open_call(programme):
    call = factories.CallFactory(
        programme=programme,
        state=CallState.PUBLISHED,
        edition="FAST 14",
        opens_at=NOW - timedelta(days=10),
        closes_at=NOW + timedelta(days=20),
    )
    for _ in range(3):
        factories.ProposalFactory(call=call, state=ProposalState.DRAFT)
    for _ in range(2):
        factories.ProposalFactory(call=call, state=ProposalState.SUBMITTED)
    return call


@pytest.fixture
def travel():
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_edit_form_refuses_a_past_closing_date_next_to_the_field(
    client, staff, open_call, travel
):
    client.force_login(staff)
    data = {**GOOD, "opens_at": "2026-11-01T09:00", "closes_at": "2026-11-22T12:00"}
    response = client.post(reverse("calls:edit", args=[open_call.slug]), data)
    assert response.status_code == 200
    assert "closes_at" in response.context["form"].errors
    assert "Clore maintenant" in text(response)
    assert 'value="Quinzième promotion"' in text(response)
    open_call.refresh_from_db()
    assert open_call.closes_at == NOW + timedelta(days=20)
    assert open_call.state == CallState.PUBLISHED


def test_an_edit_is_audited_with_old_and_new_values(client, staff, open_call, travel):
    client.force_login(staff)
    data = {**GOOD, "opens_at": "2026-11-01T09:00", "closes_at": "2026-12-20T12:00"}
    assert client.post(reverse("calls:edit", args=[open_call.slug]), data).status_code == 302
    entry = history(open_call).get(action="call.update")
    assert entry.changes["edition"] == ["FAST 14", "FAST 15"]
    assert "closes_at" in entry.changes


def test_close_now_asks_for_a_reason_and_says_whom_it_stops(client, staff, open_call, travel):
    client.force_login(staff)
    url = reverse("calls:close-now", args=[open_call.slug])
    page = text(client.get(url))
    assert "Clore l'appel maintenant ?" in page
    assert "3 équipes dont la candidature est encore un brouillon" in page
    assert "Les 2 candidatures déposées" in page
    refused = client.post(url, {"reason": "  "})
    assert refused.status_code == 400
    assert "Indiquez la raison de la clôture anticipée." in text(refused)
    open_call.refresh_from_db()
    assert open_call.state == CallState.PUBLISHED


def test_close_now_closes_and_audits_the_old_and_new_date(client, staff, open_call, travel):
    old = open_call.closes_at
    client.force_login(staff)
    response = client.post(
        reverse("calls:close-now", args=[open_call.slug]),
        {"reason": "Enveloppe épuisée par l'appel précédent."},
        follow=True,
    )
    assert "L'appel est clos" in text(response)
    open_call.refresh_from_db()
    assert open_call.state == CallState.CLOSED
    assert open_call.closes_at == NOW
    entry = history(open_call).get(action="call.close")
    assert entry.actor == staff
    assert entry.reason == "Enveloppe épuisée par l'appel précédent."
    assert entry.changes == {"closes_at": [old.isoformat(), NOW.isoformat()]}
    # The call page and the candidates see it closed at once.
    assert "Clos" in text(client.get(reverse("calls:detail", args=[open_call.slug])))


def test_the_dashboard_offers_close_now_on_an_open_call_only(client, staff, open_call, travel):
    client.force_login(staff)
    manage = reverse("calls:manage", args=[open_call.slug])
    assert "Clore maintenant" in text(client.get(manage))
    Call.objects.filter(pk=open_call.pk).update(state=CallState.REVIEW)
    assert "Clore maintenant" not in text(client.get(manage))


def test_publishing_asks_first_then_publishes(client, staff, programme, travel):
    draft = factories.CallFactory(
        programme=programme,
        state=CallState.DRAFT,
        opens_at=NOW + timedelta(days=1),
        closes_at=NOW + timedelta(days=30),
    )
    client.force_login(staff)
    manage = text(client.get(reverse("calls:manage", args=[draft.slug])))
    confirm_url = reverse("calls:transition", args=[draft.slug]) + "?action=publish"
    assert confirm_url in manage
    page = text(client.get(confirm_url))
    assert "Ce qui va se passer" in page
    assert "L'appel devient public" in page
    assert "Cette action ne peut pas être annulée." in page
    draft.refresh_from_db()
    assert draft.state == CallState.DRAFT  # asking changes nothing
    client.post(reverse("calls:transition", args=[draft.slug]), {"action": "publish"})
    draft.refresh_from_db()
    assert draft.state == CallState.PUBLISHED


def test_deleting_a_question_says_how_many_answers_go_with_it(client, staff, programme, travel):
    call = factories.CallFactory(programme=programme, state=CallState.DRAFT)
    question = factories.QuestionFactory(call=call, label="Votre ambition")
    criterion = factories.CriterionFactory(call=call, name="Impact")
    client.force_login(staff)
    url = reverse("calls:question-delete", args=[call.slug, question.pk])
    page = text(client.get(url))
    assert "Supprimer « Votre ambition » ?" in page
    assert "Les 0 réponses déjà saisies" in page
    assert Question.objects.filter(pk=question.pk).exists()
    client.post(url)
    assert not Question.objects.filter(pk=question.pk).exists()
    url = reverse("calls:criterion-delete", args=[call.slug, criterion.pk])
    assert "grille d'évaluation des jurés" in text(client.get(url))
    client.post(url)
    assert not Criterion.objects.filter(pk=criterion.pk).exists()
