"""The Fil of a proposal (issue 14): every event and message in order, two-way messages
between the team and staff with a checked attachment downloaded through a checked view, and
a mail to each person on the other side, once."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail as django_mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from programme.exceptions import TransitionError
from projects.enums import TeamRole
from projects.models import Message, TeamMember
from projects.queries.fil import proposal_fil
from projects.services import proposals as services
from projects.services import screening
from tests import factories
from tests.files import PDF
from tests.projects.conftest import CLOSES_AT, NOW, complete

AFTER = CLOSES_AT + timedelta(days=1)


@pytest.fixture
def mate(proposal):
    user = factories.UserFactory()
    TeamMember.objects.create(proposal=proposal, user=user, role=TeamRole.MEMBER)
    return user


@pytest.fixture
def submitted(proposal, agent, question, mate):
    complete(proposal, agent)
    services.submit_proposal(proposal, by=agent, now=NOW)
    return proposal


def test_the_fil_lists_every_event_and_message_in_order(submitted, agent, staff):
    services.send_message(submitted, by=agent, body="Une question sur le budget.", now=NOW)
    screening.mark_ineligible(submitted, by=staff, now=AFTER, reason="Structure hors périmètre.")
    screening.request_correction(
        submitted,
        by=staff,
        reason="Joignez la lettre du sponsor.",
        deadline=AFTER + timedelta(days=5),
        now=AFTER + timedelta(hours=1),
    )
    services.send_message(
        submitted, by=staff, body="Nous attendons la lettre.", now=AFTER + timedelta(hours=2)
    )
    fil = proposal_fil(submitted)
    titles = [item.title for item in fil]
    assert titles == [
        "Brouillon créé",
        "Candidature déposée",
        "Message",
        "Déclarée irrecevable",
        "Correction demandée par l'équipe du programme",
        "Message",
    ]
    assert fil[3].detail == "Structure hors périmètre."
    assert fil[4].detail == "Joignez la lettre du sponsor."
    assert fil[5].who == "Équipe du programme"
    # Saving a draft is not an event of the Fil.
    assert "proposal.save_draft" not in titles


def test_the_fil_reads_in_the_same_queries_at_two_sizes(
    submitted, agent, staff, django_assert_num_queries
):
    services.send_message(submitted, by=agent, body="Un.", now=NOW)
    with django_assert_num_queries(3):
        proposal_fil(submitted)
    for n in range(10):
        services.send_message(submitted, by=staff, body=f"Réponse {n}.", now=NOW)
    with django_assert_num_queries(3):
        proposal_fil(submitted)


def test_a_staff_message_mails_each_member_once_and_a_team_message_each_staff(
    submitted, agent, mate, staff, programme, django_capture_on_commit_callbacks
):
    second = factories.StaffFactory(programme=programme)
    django_mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.send_message(submitted, by=staff, body="Bonjour l'équipe.", now=NOW)
    assert sorted(m.to[0] for m in django_mail.outbox) == sorted([agent.email, mate.email])
    assert all("Bonjour l'équipe." in m.body for m in django_mail.outbox)
    django_mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.send_message(submitted, by=mate, body="Merci !", now=NOW)
    assert sorted(m.to[0] for m in django_mail.outbox) == sorted([staff.email, second.email])


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_a_message_carries_a_checked_file_downloaded_by_the_team_only(
    client, submitted, agent, mate, frozen
):
    client.force_login(mate)
    response = client.post(
        reverse("projects:message", args=[submitted.public_id]),
        {
            "body": "La lettre du sponsor, signée.",
            "upload": SimpleUploadedFile("lettre.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    message = Message.objects.get()
    assert message.file_name == "lettre.pdf"
    assert "lettre" not in message.file.name  # a random name on disk
    response = client.get(submitted.get_absolute_url())
    assert response.status_code == 200, response
    page = response.content.decode()
    url = reverse("projects:message-file", args=[submitted.public_id, message.pk])
    assert url in page
    assert "Télécharger lettre.pdf" in page
    download = client.get(url)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == PDF
    client.force_login(factories.UserFactory())
    assert client.get(url).status_code == 404


def test_a_disguised_file_is_refused_and_nothing_is_sent(submitted, mate):
    fake = SimpleUploadedFile("lettre.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(TransitionError):
        services.send_message(submitted, by=mate, body="Voici.", now=NOW, upload=fake)
    assert not Message.objects.exists()
