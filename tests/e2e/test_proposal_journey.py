"""An agent's proposal, from an open call to a submitted proposal, then past the deadline.

The live server runs in this process and commits for real (`transactional_db`), so the
mails queued with `on_commit` are delivered by the in-process task to `mail.outbox`.
"""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from calls.enums import QuestionKind
from calls.models import Call
from projects.enums import ProposalState
from projects.models import Proposal
from tests.factories import (
    PASSWORD,
    CallFactory,
    ProgrammeFactory,
    QuestionFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser

from tests.files import PDF  # noqa: E402 (a real one-page PDF, checked by its content)

TITLE = "Aides territoires"
JOIN_LINK = re.compile(r"https?://\S+?(/candidatures/rejoindre/\S+/)")


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def open_call(transactional_db):
    programme = ProgrammeFactory(
        name="Fabrique numérique", slug="fabrique-numerique", reference_prefix="FN"
    )
    call = CallFactory(
        programme=programme,
        edition="FN 2026",
        slug="fabrique-numerique-2026",
        title="Appel à projets de la Fabrique numérique",
        team_min=2,
        team_max=4,
    )
    QuestionFactory(
        call=call,
        label="Quel problème résolvez-vous ?",
        kind=QuestionKind.LONG_TEXT,
        max_length=2000,
        position=1,
    )
    QuestionFactory(
        call=call,
        label="Quelle direction vous soutient ?",
        kind=QuestionKind.SHORT_TEXT,
        position=2,
    )
    return call


def missing_list(page):
    return page.get_by_role("heading", name="Avant de déposer, il manque :").locator("xpath=..")


def test_agent_submits_a_proposal_then_the_deadline_closes_it(
    page, browser, live_server, sign_in, assert_accessible, open_call, tmp_path
):
    agent = UserFactory(first_name="Camille", last_name="Lefèvre")
    mate = UserFactory(first_name="Inès", last_name="Moreau")
    sign_in(page, agent.email, PASSWORD)

    # The call page, then a draft.
    page.goto(open_call.get_absolute_url())
    main = page.get_by_role("main")
    expect(
        page.get_by_role(
            "heading", level=1, name="FN 2026 — Appel à projets de la Fabrique numérique"
        )
    ).to_be_visible()
    expect(main).to_contain_text("Taille des équipes : 2 à 4 personnes")
    expect(main).to_contain_text("Quel problème résolvez-vous ?")
    assert_accessible(page)

    main.get_by_role("link", name="Candidater à cet appel").click()
    expect(page.get_by_role("heading", level=1, name="Candidater à FN 2026")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Titre du projet").fill(TITLE)
    page.get_by_role("button", name="Commencer ma candidature").click()

    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Votre brouillon est créé")
    proposal = Proposal.objects.get(title=TITLE)
    assert proposal.state == ProposalState.DRAFT
    missing = missing_list(page)
    expect(missing).to_contain_text("Le résumé du projet.")
    for question in ("Quel problème résolvez-vous ?", "Quelle direction vous soutient ?"):
        expect(missing).to_contain_text(f"Une réponse à la question « {question} ».")
    expect(missing).to_contain_text("Au moins 2 personnes dans l'équipe (vous êtes 1)")
    assert_accessible(page)

    # Trying to submit an incomplete draft: the overview says what is missing, no button.
    nav = page.get_by_role("navigation", name="Pages de la candidature")
    nav.get_by_role("link", name="Vue d'ensemble").click()
    expect(page.get_by_role("main")).to_contain_text(
        "Le dépôt sera possible quand la candidature sera complète."
    )
    expect(missing_list(page)).to_contain_text("Le résumé du projet.")
    expect(page.get_by_role("button", name="Déposer ma candidature")).to_have_count(0)
    assert_accessible(page)

    # The answers.
    nav.get_by_role("link", name="Contenu").click()
    page.get_by_label("Résumé").fill("Trouver les aides adaptées à son territoire.")
    page.get_by_label("Quel problème résolvez-vous ?").fill(
        "Les collectivités ne trouvent pas les aides auxquelles elles ont droit."
    )
    page.get_by_label("Quelle direction vous soutient ?").fill("DGALN")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_role("status")).to_contain_text("Brouillon enregistré.")
    expect(page.get_by_label("Quelle direction vous soutient ?")).to_have_value("DGALN")
    missing = missing_list(page)
    expect(missing).not_to_contain_text("Le résumé du projet.")
    expect(missing).not_to_contain_text("Une réponse à la question")
    expect(missing).to_contain_text("Au moins 2 personnes dans l'équipe (vous êtes 1)")
    assert_accessible(page)

    # Attachments: a file named .pdf that is not one is refused, a real PDF is kept.
    fake = tmp_path / "budget.pdf"
    fake.write_bytes(b"PK\x03\x04 une feuille de calcul, pas un PDF")
    real = tmp_path / "dossier.pdf"
    real.write_bytes(PDF)
    nav.get_by_role("link", name="Pièces jointes").click()
    expect(page.get_by_role("main")).to_contain_text("Aucune pièce jointe.")
    page.get_by_label("Ajouter une pièce jointe").set_input_files(fake)
    page.get_by_role("button", name="Déposer le fichier").click()
    expect(page.get_by_role("main")).to_contain_text(
        "Le fichier « budget.pdf » n'est pas un PDF : son contenu ne correspond pas à son "
        "extension."
    )
    assert_accessible(page)
    page.get_by_label("Ajouter une pièce jointe").set_input_files(real)
    page.get_by_role("button", name="Déposer le fichier").click()
    expect(page.get_by_role("status")).to_contain_text("Pièce jointe ajoutée.")
    expect(page.get_by_role("link", name="dossier.pdf")).to_be_visible()
    assert_accessible(page)
    assert list(proposal.attachments.values_list("original_name", flat=True)) == ["dossier.pdf"]

    # The team mate is invited by e-mail.
    nav.get_by_role("link", name="Équipe").click()
    expect(page.get_by_role("heading", level=1, name=f"Équipe de « {TITLE} »")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Adresse électronique de votre coéquipier ou coéquipière").fill(mate.email)
    page.get_by_role("button", name="Envoyer l'invitation").click()
    expect(page.get_by_role("status")).to_contain_text(f"Invitation envoyée à {mate.email}.")
    expect(page.get_by_role("main")).to_contain_text("Invitations en attente")
    assert_accessible(page)
    (invitation,) = mail.outbox
    assert invitation.to == [mate.email]
    assert invitation.subject == f"Invitation à rejoindre l'équipe « {TITLE} »"
    join_path = JOIN_LINK.search(invitation.body).group(1)

    # … and joins through the signed link, in their own browser.
    mate_context = browser.new_context(
        base_url=live_server.url, bypass_csp=True, locale="fr-FR", timezone_id="Europe/Paris"
    )
    mate_context.set_default_timeout(5_000)
    try:
        mate_page = mate_context.new_page()
        sign_in(mate_page, mate.email, PASSWORD)
        mate_page.goto(join_path)
        expect(
            mate_page.get_by_role("heading", level=1, name="Rejoindre une équipe")
        ).to_be_visible()
        expect(mate_page.get_by_role("main")).to_contain_text(f"« {TITLE} » (FN 2026)")
        assert_accessible(mate_page)
        mate_page.get_by_role("button", name="Rejoindre l'équipe").click()
        expect(mate_page.get_by_role("status")).to_contain_text("Vous avez rejoint l'équipe.")
        expect(mate_page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
        expect(mate_page.get_by_role("main")).to_contain_text("Inès Moreau — Membre de l'équipe")
    finally:
        mate_context.close()

    # Complete now: the agent submits and gets the receipt.
    page.goto(proposal.get_absolute_url())
    expect(missing_list(page)).to_have_count(0)
    expect(page.get_by_role("main")).to_contain_text("Inès Moreau — Membre de l'équipe")
    page.get_by_role("link", name="Déposer ma candidature").click()
    expect(page.get_by_role("heading", level=1, name=f"Déposer « {TITLE} »")).to_be_visible()
    assert_accessible(page)
    page.get_by_text(re.compile("J'atteste sur l'honneur")).click()
    page.get_by_role("button", name="Déposer", exact=True).click()

    reference = f"FN-{timezone.localtime(open_call.opens_at).year}-0001"
    expect(page.get_by_role("status")).to_contain_text(
        f"Candidature déposée sous la référence {reference}"
    )
    main = page.get_by_role("main")
    expect(main).to_contain_text(f"Déposée FN 2026 — référence {reference}")
    expect(main).to_contain_text(f"Version 1 — {reference} — déposée le")
    expect(page.get_by_role("link", name="Déposer à nouveau")).to_be_visible()
    assert_accessible(page)

    proposal.refresh_from_db()
    assert proposal.state == ProposalState.SUBMITTED
    assert proposal.reference == reference
    (version,) = proposal.versions.all()
    # The invitation, the team told of Inès joining, then one receipt per member of the team
    # (through the reminder ledger).
    receipts = [m for m in mail.outbox if m.subject.startswith("Accusé de réception")]
    assert len(mail.outbox) == 5
    assert sum("a rejoint l'équipe" in m.subject for m in mail.outbox) == 2
    assert sorted(m.to[0] for m in receipts) == sorted([agent.email, mate.email])
    for receipt in receipts:
        assert receipt.subject == f"Accusé de réception {reference} — {TITLE}"
        assert f"Référence : {reference}" in receipt.body
        assert f"Empreinte SHA-256 du contenu déposé : {version.sha256}" in receipt.body
        assert f"{proposal.get_absolute_url()}" in receipt.body

    # "Mes candidatures" shows the new state and what comes next.
    page.goto(reverse("projects:mine"))
    expect(page.get_by_role("heading", level=1, name="Mes candidatures")).to_be_visible()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=TITLE))
    expect(row).to_contain_text(reference)
    expect(row).to_contain_text("Déposée")
    expect(row).to_contain_text("vous pouvez encore la modifier jusqu'à la clôture")
    assert_accessible(page)

    # The deadline passes (in the database, not on the clock).
    Call.objects.filter(pk=open_call.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    page.goto(proposal.get_absolute_url())
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Déposer"))).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("Déposer"))).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("navigation", name="Pages de la candidature").get_by_role(
        "link", name="Contenu"
    ).click()
    expect(page.get_by_role("main")).to_contain_text("Cette candidature n'est plus modifiable.")
    expect(page.get_by_role("button", name=re.compile("Déposer"))).to_have_count(0)
    expect(page.get_by_role("button", name="Enregistrer le brouillon")).to_have_count(0)
    assert_accessible(page)

    # A forged submission is refused, and nothing changes.
    csrf_token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(
        reverse("projects:submit", args=[proposal.public_id]),
        form={"csrfmiddlewaretoken": csrf_token, "attestation": "on"},
        max_redirects=0,
    )
    assert response.status == 302
    page.goto(response.headers["location"])
    expect(page.get_by_role("alert")).to_contain_text(
        "Dépôt impossible : l'appel est clos depuis le"
    )
    expect(page.get_by_role("button", name=re.compile("Déposer"))).to_have_count(0)
    assert_accessible(page)

    submitted = Proposal.objects.get(pk=proposal.pk)
    assert submitted.state == ProposalState.SUBMITTED
    assert submitted.submitted_at == proposal.submitted_at
    assert submitted.versions.count() == 1
    assert len(mail.outbox) == 5  # nothing more after the deadline
