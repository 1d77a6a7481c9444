"""The staff's desk on the demo data: the call's Journal reads in French, with the moved
closing date and its reason; invitations wait; a grouped message is held; idempotent."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from programme.models import GroupMessage, LetterTemplate, ProgrammeInvitation, User

pytestmark = pytest.mark.django_db


def test_the_demo_staff_read_the_journal_and_their_pending_work(demo, client):
    call_command("seed_demo", stdout=None)  # over the demo seeded once: nothing doubles
    assert ProgrammeInvitation.objects.count() == 2
    assert GroupMessage.objects.count() == 1
    assert LetterTemplate.objects.count() == 1
    client.force_login(User.objects.get(email="equipe.fabrique@demo.portail.example"))
    journal = client.get(reverse("calls:journal", args=["fabrique-numerique-2017"]))
    text = journal.content.decode()
    assert "Basile Morel a déplacé la clôture du 13 au 15 décembre 2017" in text
    assert "Prolongation demandée par plusieurs DREAL" in text
    assert text.count("a déplacé la clôture") == 1
    people = client.get(reverse("programme-people", args=["fabrique-numerique"])).content
    assert "nouveau.jure@demo.portail.example" in people.decode()
    message = GroupMessage.objects.get()
    preview = client.get(reverse("programme-message", args=["fabrique-numerique", message.pk]))
    assert "Aperçu (" in preview.content.decode()
