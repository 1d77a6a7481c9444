"""Submitting is a considered act (issue 14, findings 3, 4 and 9): a summary with a sworn
statement, edits after a submission shown as unsubmitted, an unchanged resubmission that
sends nothing, answers read as typed, a PDF receipt, and files uploaded on their question."""

import io
from decimal import Decimal

import pytest
import time_machine
from django.core import mail as django_mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from calls.enums import QuestionKind
from projects.enums import ProposalState
from projects.models import Attachment, Proposal
from projects.services import proposals as services
from tests import factories
from tests import files as sample
from tests.projects.conftest import NOW, PDF, complete

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def text_of(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _submit_url(proposal):
    return reverse("projects:submit", args=[proposal.public_id])


def _submit(client, proposal, capture, **data):
    with capture(execute=True):
        return client.post(_submit_url(proposal), {"attestation": "on", **data}, follow=True)


@pytest.fixture
def funded(call):
    call.offers_funding = True
    call.max_funding_share = 80
    call.max_funding_amount = Decimal("500000")
    call.save()
    return call


@pytest.fixture
def kinds(call):
    """A yes/no, a number and a file question, besides the long text one."""
    return {
        kind: factories.QuestionFactory(
            call=call, label=f"Question {label}", kind=kind, required=False, position=n
        )
        for n, (kind, label) in enumerate(
            [
                (QuestionKind.YES_NO, "sponsor"),
                (QuestionKind.NUMBER, "usagers"),
                (QuestionKind.FILE, "annexe"),
            ],
            start=10,
        )
    }


def _save(proposal, by, *, answers=None, uploads=None, removals=frozenset(), **fields):
    proposal.refresh_from_db()
    return services.save_draft(
        proposal,
        by=by,
        version=proposal.version,
        now=NOW,
        fields=fields,
        answers=answers or {},
        uploads=uploads,
        removals=removals,
    )


# --- finding 9: a summary, a sworn statement, then "Déposer" ----------------------------


def test_the_submit_page_summarises_every_answer_and_links_what_is_missing(
    client, proposal, agent, question
):
    client.force_login(agent)
    response = client.get(_submit_url(proposal))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Quel problème résolvez-vous ?" in html
    edit = reverse("projects:edit", args=[proposal.public_id])
    assert f'href="{edit}#id_summary"' in html  # the missing summary, linked to its field
    assert f'href="{edit}#id_q_{question.pk}"' in html
    assert "J&#x27;atteste sur l&#x27;honneur" not in html  # incomplete: nothing to attest yet

    complete(proposal, agent)
    html = client.get(_submit_url(proposal)).content.decode()
    assert "Une réponse" in html
    assert "Trouver les aides adaptées à son territoire." in html
    assert "J&#x27;atteste sur l&#x27;honneur l&#x27;exactitude des informations" in html
    assert ">Déposer</button>" in html


def test_submitting_without_the_sworn_statement_is_refused_next_to_it(
    client, proposal, agent, question, django_capture_on_commit_callbacks
):
    complete(proposal, agent)
    client.force_login(agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_submit_url(proposal))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Cochez l&#x27;attestation sur l&#x27;honneur pour déposer" in html
    assert 'aria-describedby="attestation-error"' in html
    assert Proposal.objects.get(pk=proposal.pk).state == ProposalState.DRAFT
    assert django_mail.outbox == []


def test_submitting_with_the_statement_keeps_it_on_the_version_and_mails_the_pdf(
    client, proposal, agent, question, django_capture_on_commit_callbacks
):
    complete(proposal, agent)
    client.force_login(agent)
    html = _submit(client, proposal, django_capture_on_commit_callbacks).content.decode()
    proposal.refresh_from_db()
    version = proposal.versions.get()
    assert proposal.state == ProposalState.SUBMITTED
    assert version.attested
    assert f"Candidature déposée sous la référence {proposal.reference}" in html
    (receipt,) = django_mail.outbox
    ((name, content, content_type),) = receipt.attachments
    assert name == f"recepisse-{proposal.reference}-v1.pdf"
    assert content_type == "application/pdf"
    text = text_of(content)
    assert proposal.reference in text
    assert version.sha256 in text


# --- finding 3: unsubmitted changes, an unchanged resubmission -----------------------------


def test_an_edit_after_submission_is_saved_as_unsubmitted_with_a_diff(
    client, proposal, agent, question, django_capture_on_commit_callbacks
):
    complete(proposal, agent)
    client.force_login(agent)
    _submit(client, proposal, django_capture_on_commit_callbacks)
    response = client.post(
        reverse("projects:edit", args=[proposal.public_id]),
        {
            "version": Proposal.objects.get(pk=proposal.pk).version,
            "title": "Aides territoires",
            "summary": "Un résumé réécrit.",
            f"q_{question.pk}": "Une réponse",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "Modifications enregistrées, non déposées" in html
    assert "Brouillon enregistré." not in html
    for page in (reverse("projects:edit", args=[proposal.public_id]), proposal.get_absolute_url()):
        html = client.get(page).content.decode()
        assert "Modifications non déposées" in html
        assert "Trouver les aides adaptées à son territoire." in html  # as submitted
        assert "Un résumé réécrit." in html  # as it is now
        assert "Déposer les modifications" in html
    # Submitted again, the notice goes.
    _submit(client, proposal, django_capture_on_commit_callbacks)
    assert (
        "Modifications non déposées" not in client.get(proposal.get_absolute_url()).content.decode()
    )
    assert proposal.versions.count() == 2


def test_an_unchanged_resubmission_says_so_and_sends_nothing(
    client, proposal, agent, question, django_capture_on_commit_callbacks
):
    complete(proposal, agent)
    client.force_login(agent)
    _submit(client, proposal, django_capture_on_commit_callbacks)
    assert len(django_mail.outbox) == 1
    assert "Aucune modification depuis le dépôt du" in (
        client.get(_submit_url(proposal)).content.decode()
    )
    html = _submit(client, proposal, django_capture_on_commit_callbacks).content.decode()
    assert "Aucune modification depuis le dépôt du 10 mars 2026" in html
    assert "récépissé" not in html.split("Aucune modification")[1].split("</")[0]
    assert "Candidature déposée sous la référence" not in html  # no second receipt said
    assert len(django_mail.outbox) == 1
    assert proposal.versions.count() == 1


# --- finding 4: the version page reads the answers as typed --------------------------------


@pytest.fixture
def submitted_with_values(funded, proposal, agent, question, kinds):
    complete(
        proposal,
        agent,
        yearly_budget=Decimal("600000"),
        requested_amount=Decimal("400000"),
    )
    _save(
        proposal,
        agent,
        answers={
            question.pk: "Une réponse",
            kinds[QuestionKind.YES_NO].pk: True,
            kinds[QuestionKind.NUMBER].pk: "1500000",
        },
        uploads={
            kinds[QuestionKind.FILE].pk: SimpleUploadedFile(
                "budget-detaille.pdf", PDF, content_type="application/pdf"
            )
        },
    )
    services.submit_proposal(proposal, by=agent, now=NOW, attested=True)
    return proposal


def test_the_version_page_shows_oui_file_names_and_french_amounts(
    client, submitted_with_values, agent
):
    proposal = submitted_with_values
    client.force_login(agent)
    html = client.get(reverse("projects:version", args=[proposal.public_id, 1])).content.decode()
    assert "Oui" in html
    assert "True" not in html
    attachment = proposal.attachments.get()
    assert "budget-detaille.pdf" in html
    assert str(attachment.public_id) not in html.replace(
        reverse("projects:attachment", args=[proposal.public_id, attachment.public_id]), ""
    )
    assert reverse("projects:attachment", args=[proposal.public_id, attachment.public_id]) in html
    plain = html.replace("\u00a0", " ").replace("\u202f", " ")
    assert "400 000 €" in plain
    assert "400000.00" not in html
    assert "1 500 000" in plain
    assert "honneur cochée au dépôt." in html


def test_the_staff_read_the_same_answers_on_the_proposal_page(client, submitted_with_values):
    proposal = submitted_with_values
    staff = factories.StaffFactory(programme=proposal.call.programme)
    client.force_login(staff)
    html = client.get(proposal.get_absolute_url()).content.decode()
    assert "Question sponsor" in html
    assert "Oui" in html
    assert "budget-detaille.pdf" in html
    assert "Votre projet" not in html
    version_html = client.get(
        reverse("projects:version", args=[proposal.public_id, 1])
    ).content.decode()
    assert "budget-detaille.pdf" in version_html
    assert "votre" not in version_html.split("<main")[1]


# --- the PDF receipt ---------------------------------------------------------------------


def test_the_receipt_pdf_holds_the_reference_time_hashes_and_answers(
    client, submitted_with_values, agent
):
    proposal = submitted_with_values
    version = proposal.versions.get()
    attachment = proposal.attachments.get()
    client.force_login(agent)
    response = client.get(reverse("projects:receipt", args=[proposal.public_id, 1]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"recepisse-{version.reference}-v1.pdf" in response["Content-Disposition"]
    text = text_of(response.content)
    assert "Récépissé de dépôt" in text
    assert version.reference in text
    assert version.sha256 in text
    assert attachment.sha256 in text
    assert "budget-detaille.pdf" in text
    assert "10 mars 2026 à 10h00 (heure de Paris)" in text  # 9:00 UTC, winter time
    assert "Question sponsor" in text
    assert "Oui" in text
    assert "attesté sur l'honneur" in text


def test_the_receipt_is_the_same_document_whenever_asked(client, submitted_with_values, agent):
    proposal = submitted_with_values
    client.force_login(agent)
    url = reverse("projects:receipt", args=[proposal.public_id, 1])
    assert text_of(client.get(url).content) == text_of(client.get(url).content)


def test_the_staff_download_the_receipt_others_get_404(client, submitted_with_values):
    proposal = submitted_with_values
    url = reverse("projects:receipt", args=[proposal.public_id, 1])
    client.force_login(factories.StaffFactory(programme=proposal.call.programme))
    assert client.get(url).status_code == 200
    client.force_login(factories.UserFactory())
    assert client.get(url).status_code == 404


# --- per-question uploads ----------------------------------------------------------------


def test_a_file_question_takes_replaces_and_removes_its_file_on_the_edit_page(
    client, proposal, agent, kinds
):
    question = kinds[QuestionKind.FILE]
    url = reverse("projects:edit", args=[proposal.public_id])
    client.force_login(agent)
    html = client.get(url).content.decode()
    assert f'id="id_q_{question.pk}"' in html
    assert 'type="file"' in html
    assert "Formats acceptés : PDF, ODT, ODS, DOCX, XLSX, PNG, JPEG" in html
    assert "10 Mo au plus" in html
    assert 'enctype="multipart/form-data"' in html

    def post(**more):
        proposal.refresh_from_db()
        data = {"version": proposal.version, "title": "Aides territoires", **more}
        return client.post(url, data)

    upload = SimpleUploadedFile("annexe.pdf", PDF, content_type="application/pdf")
    assert post(**{f"q_{question.pk}": upload}).status_code == 302
    first = proposal.attachments.get()
    assert first.original_name == "annexe.pdf"
    assert first.question == question
    html = client.get(url).content.decode()
    assert "Fichier actuel : annexe.pdf" in html
    assert "Retirer le fichier « annexe.pdf »" in html

    again = SimpleUploadedFile("annexe-v2.pdf", PDF, content_type="application/pdf")
    assert post(**{f"q_{question.pk}": again}).status_code == 302
    assert list(proposal.attachments.values_list("original_name", flat=True)) == ["annexe-v2.pdf"]
    answer = proposal.answers.get(question=question)
    assert answer.value == str(proposal.attachments.get().public_id)

    assert post(**{f"q_{question.pk}_remove": "on"}).status_code == 302
    assert not proposal.attachments.exists()
    assert proposal.answers.get(question=question).value is None


def test_a_file_refused_by_its_content_is_said_next_to_its_question_and_nothing_saved(
    client, proposal, agent, kinds
):
    question = kinds[QuestionKind.FILE]
    client.force_login(agent)
    fake = SimpleUploadedFile("budget.pdf", b"GIF89a pas un PDF", content_type="application/pdf")
    response = client.post(
        reverse("projects:edit", args=[proposal.public_id]),
        {
            "version": 1,
            "title": "Aides territoires",
            "summary": "Gardé tel quel",
            f"q_{question.pk}": fake,
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "n'est pas un PDF" in " ".join(form.errors[f"q_{question.pk}"])
    assert "Gardé tel quel" in response.content.decode()
    assert not proposal.attachments.exists()
    assert Proposal.objects.get(pk=proposal.pk).summary == ""


@pytest.mark.parametrize(
    ("name", "maker"),
    [
        ("note.odt", lambda: sample.opendocument("text")),
        ("budget.ods", lambda: sample.opendocument("spreadsheet")),
        ("budget.xlsx", sample.xlsx),
        ("note.docx", sample.docx),
        ("plan.png", sample.png),
        ("photo.jpeg", sample.jpeg),
    ],
)
def test_office_formats_are_accepted_on_a_file_question(proposal, agent, kinds, name, maker):
    data = maker()
    question = kinds[QuestionKind.FILE]
    _save(proposal, agent, uploads={question.pk: SimpleUploadedFile(name, data)})
    assert proposal.attachments.get().original_name == name


def test_the_staff_read_the_submitted_answers_not_the_team_s_unsubmitted_edits(
    client, submitted_with_values, agent
):
    proposal = submitted_with_values
    _save(proposal, agent, summary="Une réécriture pas encore déposée.")
    client.force_login(factories.StaffFactory(programme=proposal.call.programme))
    html = client.get(proposal.get_absolute_url()).content.decode()
    assert "Une réécriture pas encore déposée." not in html
    assert "Trouver les aides adaptées à son territoire." in html
    assert "celles de la version 1" in html
    client.force_login(agent)
    assert "Une réécriture pas encore déposée." in (
        client.get(proposal.get_absolute_url()).content.decode()
    )


def test_the_diff_names_the_file_replaced_since_the_submission(
    client, submitted_with_values, agent, kinds
):
    proposal = submitted_with_values
    question = kinds[QuestionKind.FILE]
    new = SimpleUploadedFile("budget-revu.pdf", PDF, content_type="application/pdf")
    _save(proposal, agent, uploads={question.pk: new})
    client.force_login(agent)
    html = client.get(reverse("projects:edit", args=[proposal.public_id])).content.decode()
    notice = html[html.index("Modifications non déposées") :]
    assert "Question annexe" in notice
    assert "budget-detaille.pdf" in notice
    assert "budget-revu.pdf" in notice


def test_a_summary_read_before_a_team_mate_s_save_cannot_be_submitted(
    client, proposal, agent, question, django_capture_on_commit_callbacks
):
    complete(proposal, agent)
    proposal.refresh_from_db()
    read = proposal.version
    _save(proposal, agent, summary="Changé par un coéquipier entre-temps.")
    client.force_login(agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_submit_url(proposal), {"attestation": "on", "version": read})
    assert response.status_code == 409
    html = response.content.decode()
    assert "depuis que vous avez ouvert ce récapitulatif" in html
    assert "Changé par un coéquipier entre-temps." in html  # the fresh summary
    assert Proposal.objects.get(pk=proposal.pk).state == ProposalState.DRAFT
    assert django_mail.outbox == []
    proposal.refresh_from_db()
    _submit(client, proposal, django_capture_on_commit_callbacks, version=proposal.version)
    assert Proposal.objects.get(pk=proposal.pk).state == ProposalState.SUBMITTED


def test_a_submitted_file_replaced_since_stays_downloadable_from_its_version(
    client, submitted_with_values, agent, kinds
):
    proposal = submitted_with_values
    question = kinds[QuestionKind.FILE]
    submitted_file = proposal.attachments.get()
    new = SimpleUploadedFile("budget-revu.pdf", PDF, content_type="application/pdf")
    _save(proposal, agent, uploads={question.pk: new})
    assert list(proposal.attachments.values_list("original_name", flat=True)) == ["budget-revu.pdf"]
    client.force_login(agent)
    version = client.get(reverse("projects:version", args=[proposal.public_id, 1]))
    url = reverse("projects:attachment", args=[proposal.public_id, submitted_file.public_id])
    assert url in version.content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    # A file never submitted goes for good when replaced.
    draft_file = proposal.attachments.get()
    _save(proposal, agent, removals={question.pk})
    assert not Attachment.all_objects.filter(pk=draft_file.pk).exists()
