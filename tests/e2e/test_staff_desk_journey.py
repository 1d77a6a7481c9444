"""The staff's desk in a browser: invite a coach and a juror, write one templated message to
the shortlisted teams and send it, then read a proposal's Journal in French, old and new
values included. Every page is checked with axe-core."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from calls.enums import CallState
from programme import audit
from projects.enums import ProposalState
from projects.services import proposals as proposal_services
from tests import factories
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(transactional_db):
    programme = factories.ProgrammeFactory(name="Fabrique numérique", slug="fabrique-numerique")
    staff = factories.StaffFactory(programme, user__first_name="Inès", user__last_name="Martin")
    call = factories.CallFactory(
        programme=programme,
        edition="FN 2026",
        slug="fabrique-numerique-2026",
        state=CallState.PUBLISHED,
        opens_at=timezone.now() - timedelta(days=30),
        closes_at=timezone.now() + timedelta(days=10),
    )
    agent = factories.UserFactory(first_name="Farid", last_name="Benali")
    proposal = factories.ProposalFactory(call=call, title="Alerte sécheresse", created_by=agent)
    # The team renames its project while the call is open: the Journal keeps both titles.
    proposal_services.save_draft(
        proposal,
        by=agent,
        version=proposal.version,
        now=timezone.now() - timedelta(days=5),
        fields={"title": "Alerte sécheresse 2.0"},
        answers={},
    )
    proposal.refresh_from_db()
    audit.record(
        staff,
        "proposal.screen",
        proposal,
        before=ProposalState.SUBMITTED,
        after=ProposalState.ELIGIBLE,
        at=timezone.now() - timedelta(days=2),
    )
    proposal.state, proposal.reference = ProposalState.SHORTLISTED, "FN-2026-0001"
    proposal.save()
    other = factories.ProposalFactory(
        call=call, title="Camino", state=ProposalState.SHORTLISTED, reference="FN-2026-0002"
    )
    factories.ProposalFactory(call=call, title="Pas retenu", state=ProposalState.NOT_SHORTLISTED)
    return {"programme": programme, "staff": staff, "call": call, "proposal": proposal,
            "other": other}  # fmt: skip


def test_staff_invite_people_write_to_the_shortlisted_and_read_the_journal(
    page, live_server, sign_in, assert_accessible, desk
):
    staff, proposal = desk["staff"], desk["proposal"]
    sign_in(page, staff.email, PASSWORD)

    # The programme's people: a coach and a juror invited by address.
    page.goto("/programmes/fabrique-numerique/pilotage/")
    page.get_by_role("link", name="Gérer l'équipe, les coachs et les jurés").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Personnes de Fabrique numérique")
    assert_accessible(page)
    member_form = page.locator("form", has=page.get_by_role("button", name="Ajouter"))
    member_form.get_by_label("Adresse électronique").fill("nouvelle.coach@exemple.gouv.fr")
    member_form.get_by_label("Rôle", exact=True).select_option(label="Coach ou tuteur")
    member_form.get_by_role("button", name="Ajouter").click()
    expect(page.get_by_text("Invitation envoyée à nouvelle.coach@exemple.gouv.fr")).to_be_visible()
    juror_form = page.locator("form", has=page.get_by_role("button", name="Inviter au jury"))
    juror_form.get_by_label("Appel", exact=True).select_option(label="FN 2026")
    juror_form.get_by_label("Adresse électronique").fill("nouveau.jure@exemple.gouv.fr")
    juror_form.get_by_label("Qualité").fill("CCDG")
    juror_form.get_by_role("button", name="Inviter au jury").click()
    expect(
        page.get_by_text("Invitation au jury envoyée à nouveau.jure@exemple.gouv.fr")
    ).to_be_visible()
    pending = page.get_by_role("table", name="Invitations en attente de réponse")
    expect(pending.get_by_role("row")).to_have_count(3)  # the header and two invitations
    expect(pending).to_contain_text("Membre du jury — FN 2026")
    assert_accessible(page)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "nouveau.jure@exemple.gouv.fr",
        "nouvelle.coach@exemple.gouv.fr",
    ]

    # One message to the shortlisted teams, with placeholders, previewed, then sent.
    page.goto("/programmes/fabrique-numerique/messages/")
    assert_accessible(page)
    page.get_by_role("link", name="Nouveau message").click()
    page.get_by_label("Les équipes d'un appel (selon l'état de leur candidature)").check()
    page.get_by_role("combobox", name=re.compile("Appel")).select_option(label="FN 2026")
    page.get_by_label("Retenue pour audition", exact=True).check()
    page.get_by_label("Objet").fill("Audition de {référence}")
    page.get_by_label("Message").fill("Bonjour {prenom}, votre projet « {titre} » est retenu.")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    # A typo in a placeholder: said next to the field, what was typed kept.
    expect(page.get_by_text("« {prenom} » n'est pas un espace réservé connu")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Message").fill("Bonjour {prénom}, votre projet « {titre} » est retenu.")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_role("heading", name="Aperçu (2 destinataires)")).to_be_visible()
    expect(page.get_by_text("Audition de FN-2026-0001")).to_be_visible()
    expect(
        page.get_by_text("Bonjour Farid, votre projet « Alerte sécheresse 2.0 » est retenu.")
    ).to_be_visible()
    assert_accessible(page)
    before = len(mail.outbox)
    page.get_by_role("button", name="Envoyer à 2 personnes").click()
    expect(page.get_by_text("Message envoyé à 2 personnes.")).to_be_visible()
    sent = mail.outbox[before:]
    assert sorted(m.subject for m in sent) == [
        "Audition de FN-2026-0001",
        "Audition de FN-2026-0002",
    ]
    page.get_by_role("button", name="Envoyer à qui ne l'a pas encore reçu").click()
    expect(page.get_by_text("Tous les destinataires ont déjà reçu ce message.")).to_be_visible()
    assert len(mail.outbox) == before + 2

    # The proposal's Journal, in French, with the old and new title.
    page.goto(f"/candidatures/{proposal.public_id}/")
    page.get_by_role("link", name="Journal de la candidature").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Journal")
    expect(page.get_by_text("Farid Benali a enregistré le brouillon")).to_be_visible()
    expect(page.get_by_text("Titre : Alerte sécheresse → Alerte sécheresse 2.0")).to_be_visible()
    expect(page.get_by_text("Inès Martin a examiné la recevabilité : Recevable")).to_be_visible()
    expect(page.get_by_text("proposal.save_draft")).to_have_count(0)
    assert_accessible(page)
    page.get_by_label("Personne").select_option(label="Inès Martin")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_text("Farid Benali a enregistré le brouillon")).to_have_count(0)
    assert "personne=" in page.url
