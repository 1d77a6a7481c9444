"""Grouped messages: written once with placeholders, previewed per recipient, held as a draft,
then sent once per person however often "Envoyer" is pressed."""

from datetime import UTC, datetime

import pytest
from django.core import mail as outbox
from django.urls import reverse

from calls.enums import CallState
from programme import messaging
from programme.enums import GroupAudience, GroupMessageState
from programme.models import GroupMessage, OutgoingMail
from projects.enums import ProposalState
from tests import factories

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.fixture
def call(programme):
    return factories.CallFactory(
        programme=programme,
        state=CallState.AUDITIONS,
        closes_at=datetime(2026, 12, 3, 11, 0, tzinfo=UTC),
        edition="FAST 14",
    )


def shortlisted(call, n):
    start = call.proposals.count()
    return [
        factories.ProposalFactory(
            call=call, state=ProposalState.SHORTLISTED, reference=f"FAST-2026-{i:04d}"
        )
        for i in range(start, start + n)
    ]


def draft(programme, staff, call, **kwargs):
    message = GroupMessage(
        programme=programme,
        audience=GroupAudience.CALL_TEAMS,
        call=call,
        proposal_states=[ProposalState.SHORTLISTED],
        subject="Audition de {référence}",
        body="Bonjour {prénom} {nom},\nVotre projet « {titre} » ({appel}) est retenu.",
        **kwargs,
    )
    return messaging.save_draft(message, by=staff, now=NOW)


def test_a_message_to_50_teams_sends_50_mails_once_even_sent_twice(
    programme, staff, call, django_capture_on_commit_callbacks
):
    proposals = shortlisted(call, 50)
    factories.ProposalFactory(call=call, state=ProposalState.NOT_SHORTLISTED)
    message = draft(programme, staff, call)
    with django_capture_on_commit_callbacks(execute=True):
        assert messaging.send_group_message(message, by=staff, now=NOW) == 50
        assert messaging.send_group_message(message, by=staff, now=NOW) == 0
    assert len(outbox.outbox) == 50
    assert OutgoingMail.objects.filter(key__startswith=f"group-message:{message.pk}:").count() == 50
    first = next(m for m in outbox.outbox if m.to == [proposals[0].created_by.email])
    assert first.subject == "Audition de FAST-2026-0000"
    lead = proposals[0].created_by
    assert f"Bonjour {lead.first_name} {lead.last_name}," in first.body
    assert f"« {proposals[0].title} » (FAST 14)" in first.body
    message.refresh_from_db()
    assert (message.state, message.sent_count) == (GroupMessageState.SENT, 50)


def test_sending_again_reaches_only_the_teams_added_since(
    programme, staff, call, django_capture_on_commit_callbacks
):
    shortlisted(call, 3)
    message = draft(programme, staff, call)
    with django_capture_on_commit_callbacks(execute=True):
        messaging.send_group_message(message, by=staff, now=NOW)
        shortlisted(call, 1)
        assert messaging.send_group_message(message, by=staff, now=NOW) == 1
    assert len(outbox.outbox) == 4


def test_an_unknown_placeholder_is_said_next_to_the_field_and_kept(client, programme, staff, call):
    client.force_login(staff)
    response = client.post(
        reverse("programme-message-create", args=[programme.slug]),
        {
            "audience": "teams",
            "call": call.pk,
            "proposal_states": ["shortlisted"],
            "subject": "Bonjour {prenom}",
            "body": "Le jury de {promotion} vous attend.",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "« {prenom} » n'est pas un espace réservé connu" in form.errors["subject"][0]
    assert "« {promotion} » n'a pas de valeur pour ce groupe" in form.errors["body"][0]
    assert "Bonjour {prenom}" in response.content.decode()
    assert not GroupMessage.objects.exists()


def test_the_draft_is_previewed_per_recipient_before_it_is_sent(client, programme, staff, call):
    [one, two] = shortlisted(call, 2)
    client.force_login(staff)
    response = client.post(
        reverse("programme-message-create", args=[programme.slug]),
        {
            "audience": "teams",
            "call": call.pk,
            "proposal_states": ["shortlisted"],
            "subject": "Audition de {référence}",
            "body": "Bonjour {prénom}, clôture le {date_limite}.",
        },
    )
    message = GroupMessage.objects.get()
    assert response.url == reverse("programme-message", args=[programme.slug, message.pk])
    page = client.get(response.url)
    text = page.content.decode()
    assert "Aperçu (2 destinataires)" in text
    assert "Audition de FAST-2026-0000" in text
    assert f"Bonjour {one.created_by.first_name}, clôture le 3 décembre 2026." in text
    assert "Envoyer à 2 personnes" in text
    chosen = client.get(response.url, {"destinataire": two.created_by.pk})
    assert [p["person"] for p in chosen.context["previews"]] == [two.created_by]
    assert not OutgoingMail.objects.exists()


def test_the_jury_laureates_and_coaches_are_groups_too(programme, staff, call):
    seat = factories.JuryMemberFactory(call=call)
    coach = factories.CoachFactory(programme)
    laureate = factories.LaureateFactory(cohort__programme=programme)
    groups = {
        GroupAudience.CALL_JURY: ({"call": call}, "{prénom} — {appel}", seat.user),
        GroupAudience.COACHES: ({}, "{prénom} — {programme}", coach),
        GroupAudience.COHORT_LAUREATES: (
            {"cohort": laureate.cohort},
            "{prénom} — {promotion}",
            laureate.intrapreneur,
        ),
    }
    for audience, (scope, subject, person) in groups.items():
        message = messaging.save_draft(
            GroupMessage(programme=programme, audience=audience, subject=subject, body=".",
                         **scope),
            by=staff,
            now=NOW,
        )  # fmt: skip
        sent = messaging.send_group_message(message, by=staff, now=NOW)
        assert sent == 1, audience
        assert OutgoingMail.objects.get(key=f"group-message:{message.pk}:{person.pk}").subject


def test_a_sent_message_is_no_longer_edited(client, programme, staff, call):
    shortlisted(call, 1)
    message = draft(programme, staff, call)
    messaging.send_group_message(message, by=staff, now=NOW)
    client.force_login(staff)
    response = client.get(reverse("programme-message-edit", args=[programme.slug, message.pk]))
    assert response.status_code == 302


@pytest.mark.parametrize("n", [2, 12])
def test_the_message_list_costs_the_same_queries_at_any_size(
    client, programme, staff, call, n, django_assert_num_queries
):
    for _i in range(n):
        draft(programme, staff, call)
    client.force_login(staff)
    url = reverse("programme-messages", args=[programme.slug])
    client.get(url)
    with django_assert_num_queries(6):
        assert client.get(url).status_code == 200
