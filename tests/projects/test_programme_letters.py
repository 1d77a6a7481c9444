"""A programme's own letters: its receipt and decision letters in its words, used when it has
written them, back to the portal's default text when reset."""

import pytest
from django.core import mail as django_mail
from django.urls import reverse

from programme import mail, messaging
from programme.models import LetterTemplate
from projects.enums import DecisionOutcome
from projects.models import Decision
from projects.services import decision_mails
from projects.services import proposals as services
from tests import factories
from tests.projects.conftest import NOW, complete

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(call):
    return factories.StaffFactory(call.programme)


def submit(proposal, agent, capture):
    complete(proposal, agent)
    with capture(execute=True):
        services.submit_proposal(proposal, by=agent, now=NOW)
    return [m for m in django_mail.outbox if m.to == [agent.email]][-1]


def test_the_receipt_uses_the_programme_s_text_then_the_default_once_reset(
    proposal, agent, question, staff, django_capture_on_commit_callbacks
):
    programme = proposal.call.programme
    messaging.save_letter(
        programme,
        "submission_receipt",
        subject="Bien reçu : {référence}",
        body="Merci {prénom} ! « {titre} » est bien arrivé pour {appel}.",
        by=staff,
        now=NOW,
    )
    receipt = submit(proposal, agent, django_capture_on_commit_callbacks)
    proposal.refresh_from_db()
    assert receipt.subject == f"Bien reçu : {proposal.reference}"
    assert f"Merci {agent.first_name} ! « {proposal.title} » est bien arrivé pour" in receipt.body
    # The receipt's proof (reference, fingerprint) stays under the programme's words.
    assert f"Référence : {proposal.reference}" in receipt.body

    messaging.reset_letter(programme, "submission_receipt", by=staff, now=NOW)
    assert not LetterTemplate.objects.exists()
    proposal.state = "draft"
    proposal.save()
    again = submit(proposal, agent, django_capture_on_commit_callbacks)
    assert again.subject.startswith("Accusé de réception")


def test_the_decision_letter_draft_uses_the_programme_s_text(call, staff):
    messaging.save_letter(
        call.programme,
        "decision_not_selected",
        subject="Votre candidature à {appel}",
        body="Le jury n'a pas retenu « {titre} ». Motif : {motif}",
        by=staff,
        now=NOW,
    )
    proposal = factories.ProposalFactory(call=call, title="Projet Alpha")
    decision = Decision(
        proposal=proposal, outcome=DecisionOutcome.NOT_SELECTED, justification="Trop tôt."
    )
    subject, body = decision_mails.render_decision_mail(decision)
    assert subject == f"Votre candidature à {call.edition}"
    assert body == "Le jury n'a pas retenu « Projet Alpha ». Motif : Trop tôt."


def test_mail_render_takes_the_programme_s_letter_only_when_asked(call, staff):
    messaging.save_letter(
        call.programme, "submission_receipt", subject="Reçu {référence}", body="Bonjour {prénom}",
        by=staff, now=NOW,
    )  # fmt: skip
    values = {"référence": "FN-1", "prénom": "Léa"}
    subject, text, html = mail.render(
        "submission_receipt", {}, programme=call.programme, placeholders=values
    )
    assert (subject, text) == ("Reçu FN-1", "Bonjour Léa")
    assert "Bonjour Léa" in html
    # Another programme, or no programme: the default templates, as before.
    other = factories.ProgrammeFactory()
    default = mail.render("welcome", {"user": staff}, programme=other)
    assert default == mail.render("welcome", {"user": staff})


def test_the_editor_refuses_an_unknown_placeholder_next_to_the_field(client, call, staff):
    client.force_login(staff)
    url = reverse("programme-letter", args=[call.programme.slug, "submission_receipt"])
    page = client.get(url).content.decode()
    assert "Accusé de réception {référence} — {titre}" in page  # the default, to start from
    response = client.post(url, {"subject": "Reçu {ref}", "body": "Merci {montant}"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "« {ref} » n'est pas un espace réservé connu" in errors["subject"][0]
    assert "« {montant} » n'a pas de valeur pour ce groupe" in errors["body"][0]
    assert not LetterTemplate.objects.exists()
    response = client.post(url, {"subject": "Reçu {référence}", "body": "Merci {prénom}"})
    assert response.status_code == 302
    listing = client.get(reverse("programme-letters", args=[call.programme.slug]))
    assert "Texte du programme" in listing.content.decode()
    reset = reverse("programme-letter-reset", args=[call.programme.slug, "submission_receipt"])
    client.post(reset)
    assert not LetterTemplate.objects.exists()
