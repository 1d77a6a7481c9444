"""From the call to the PDF receipt, with the keyboard alone: a new proposal, its answers
and a file uploaded on its question, the summary, the sworn statement, the submission, then
the receipt downloaded and read back (pypdf) for its reference and hash (issue 14)."""

import io
import re

import pytest
from django.core import mail
from playwright.sync_api import expect
from pypdf import PdfReader

from calls.enums import QuestionKind
from projects.models import Proposal
from tests.factories import PASSWORD, CallFactory, ProgrammeFactory, QuestionFactory, UserFactory
from tests.files import PDF

pytestmark = pytest.mark.browser

TITLE = "Registre des aidants"


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
        team_min=1,
        team_max=4,
    )
    QuestionFactory(
        call=call, label="Quel problème résolvez-vous ?", kind=QuestionKind.LONG_TEXT, position=1
    )
    QuestionFactory(
        call=call, label="Un sponsor vous soutient-il ?", kind=QuestionKind.YES_NO, position=2
    )
    QuestionFactory(
        call=call, label="Lettre de soutien", kind=QuestionKind.FILE, position=3, required=True
    )
    return call


def tab_to(page, locator, *, presses: int = 80) -> None:
    """Press Tab until `locator` has the focus, as a keyboard user would."""
    for _ in range(presses):
        if locator.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{locator} never took the focus")


def test_from_the_call_to_the_pdf_receipt_with_the_keyboard(
    page, sign_in, assert_accessible, open_call, tmp_path
):
    agent = UserFactory(first_name="Camille", last_name="Lefèvre")
    sign_in(page, agent.email, PASSWORD)

    page.goto(open_call.get_absolute_url())
    start = page.get_by_role("main").get_by_role("link", name="Candidater à cet appel")
    tab_to(page, start)
    page.keyboard.press("Enter")
    title = page.get_by_label("Titre du projet")
    tab_to(page, title)
    page.keyboard.type(TITLE)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()

    # The answers, and the file on its own question.
    contents = page.get_by_role("navigation", name="Pages de la candidature").get_by_role(
        "link", name="Contenu"
    )
    tab_to(page, contents)
    page.keyboard.press("Enter")
    summary = page.get_by_label("Résumé")
    tab_to(page, summary)
    page.keyboard.type("Un registre partagé des aidants numériques.")
    page.keyboard.press("Tab")
    page.keyboard.type("Les aidants ne sont pas recensés.")
    sponsor = page.get_by_label("Un sponsor vous soutient-il ?")
    tab_to(page, sponsor)
    sponsor.select_option("oui")  # a native select: the keyboard opens it the same way
    letter = page.get_by_label("Lettre de soutien")
    expect(page.get_by_role("main")).to_contain_text(
        "Formats acceptés : PDF, ODT, ODS, DOCX, XLSX, PNG, JPEG"
    )
    file = tmp_path / "lettre-de-soutien.pdf"
    file.write_bytes(PDF)
    tab_to(page, letter)
    letter.set_input_files(file)  # the file chooser itself is the system's
    assert_accessible(page)
    save = page.get_by_role("button", name="Enregistrer le brouillon")
    tab_to(page, save)
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Brouillon enregistré.")
    expect(page.get_by_role("main")).to_contain_text("Fichier actuel : lettre-de-soutien.pdf")

    # The summary: every answer as it reads, then the sworn statement.
    to_summary = page.get_by_role("link", name="Déposer ma candidature")
    tab_to(page, to_summary)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name=f"Déposer « {TITLE} »")).to_be_visible()
    main = page.get_by_role("main")
    expect(main).to_contain_text("Les aidants ne sont pas recensés.")
    expect(main).to_contain_text("Oui")
    expect(main.get_by_role("link", name="lettre-de-soutien.pdf").first).to_be_visible()
    assert_accessible(page)

    submit = page.get_by_role("button", name="Déposer", exact=True)
    tab_to(page, submit)
    page.keyboard.press("Enter")  # without the statement: refused, said next to it
    expect(page.get_by_role("main")).to_contain_text(
        "Cochez l'attestation sur l'honneur pour déposer votre candidature."
    )
    assert_accessible(page)
    statement = page.get_by_label(re.compile("J'atteste sur l'honneur"))
    tab_to(page, statement)
    page.keyboard.press("Space")
    expect(statement).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Déposer", exact=True))
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_contain_text("Candidature déposée sous la référence")
    proposal = Proposal.objects.get(title=TITLE)
    version = proposal.versions.get()
    expect(page.get_by_role("status")).to_contain_text(proposal.reference)
    assert_accessible(page)

    # The receipt, downloaded from the proposal page and read back.
    receipt = page.get_by_role("link", name="Récépissé de la version 1 (PDF)")
    tab_to(page, receipt)
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    data = open(download.value.path(), "rb").read()  # noqa: SIM115 (read at once)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert proposal.reference in text
    assert version.sha256 in text
    assert proposal.attachments.get().sha256 in text

    # An edit after the submission is saved but not submitted: the notice shows the diff.
    page.get_by_role("navigation", name="Pages de la candidature").get_by_role(
        "link", name="Contenu"
    ).click()
    page.get_by_label("Résumé").fill("Un registre des aidants, partagé entre communes.")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    expect(page.get_by_role("status")).to_contain_text("Modifications enregistrées, non déposées")
    notice = page.get_by_role("heading", name="Modifications non déposées").locator("xpath=..")
    expect(notice).to_contain_text("Un registre partagé des aidants numériques.")
    expect(notice).to_contain_text("Un registre des aidants, partagé entre communes.")
    assert_accessible(page)
    notice.get_by_role("link", name="Déposer les modifications").click()
    page.get_by_text(re.compile("J'atteste sur l'honneur")).click()
    page.get_by_role("button", name="Déposer", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("(version 2)")
    expect(page.get_by_role("heading", name="Modifications non déposées")).to_have_count(0)

    # Submitted again unchanged: said so, nothing sent.
    sent = len(mail.outbox)
    page.get_by_role("link", name="Déposer à nouveau").click()
    expect(page.get_by_role("main")).to_contain_text("Aucune modification depuis le dépôt du")
    page.get_by_text(re.compile("J'atteste sur l'honneur")).click()
    page.get_by_role("button", name="Déposer", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("rien n'a été déposé ni envoyé")
    assert_accessible(page)
    assert proposal.versions.count() == 2
    assert len(mail.outbox) == sent


def test_a_file_dropped_on_its_question_is_saved_with_the_form(
    page, sign_in, assert_accessible, open_call
):
    agent = UserFactory()
    sign_in(page, agent.email, PASSWORD)
    page.goto(open_call.get_absolute_url())
    page.get_by_role("main").get_by_role("link", name="Candidater à cet appel").click()
    page.get_by_label("Titre du projet").fill(TITLE)
    page.get_by_role("button", name="Commencer ma candidature").click()
    page.get_by_role("navigation", name="Pages de la candidature").get_by_role(
        "link", name="Contenu"
    ).click()
    letter = page.get_by_label("Lettre de soutien")
    # A drop as the browser sends it: a DataTransfer holding one PDF, on the question's zone.
    dropped = page.evaluate_handle(
        """(bytes) => {
            const data = new DataTransfer();
            const file = new File([new Uint8Array(bytes)], "lettre-glissee.pdf",
                                  {type: "application/pdf"});
            data.items.add(file);
            return data;
        }""",
        list(PDF),
    )
    letter.locator("xpath=..").dispatch_event("drop", {"dataTransfer": dropped})
    expect(page.get_by_role("main")).to_contain_text("Fichier choisi : lettre-glissee.pdf")
    assert_accessible(page)
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_role("status")).to_contain_text("Brouillon enregistré.")
    expect(page.get_by_role("main")).to_contain_text("Fichier actuel : lettre-glissee.pdf")
    proposal = Proposal.objects.get(title=TITLE)
    assert proposal.attachments.get().original_name == "lettre-glissee.pdf"
