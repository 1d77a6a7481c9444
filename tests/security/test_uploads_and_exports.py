"""Hostile files and spreadsheet cells: uploads refused with a clear message, exported cells
never run as formulas."""

import csv
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from programme.spreadsheet import CONTROL_CHARACTERS, FORMULA_STARTS, safe_cell
from projects.enums import ProposalState
from projects.models import Answer, Attachment, Proposal
from projects.services import exports
from tests import factories

from .world import PDF, STAFF, TEAM, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return build_world()


def upload(client, world, name, content, content_type="application/pdf"):
    client.force_login(world.people[TEAM])
    return client.post(
        reverse("projects:attachments", kwargs={"public_id": world.draft.public_id}),
        {"file": SimpleUploadedFile(name, content, content_type=content_type)},
    )


def zip_bomb() -> bytes:
    """A small archive that would unpack to 50 Mo of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.bin", b"\0" * (50 * 1024 * 1024))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("budget.pdf", b"<html><script>alert(1)</script></html>"),
        ("budget.pdf", b"MZ\x90\x00 an executable"),
        ("archive.pdf", None),  # the zip bomb
        ("budget.PDF", b"   %PDF-1.4 the magic is not at the start"),
    ],
)
def test_a_file_named_pdf_that_is_not_one_is_refused_with_a_clear_message(
    client, world, name, content
):
    before = Attachment.objects.count()
    response = upload(client, world, name, zip_bomb() if content is None else content)
    assert response.status_code == 400
    html = response.content.decode()
    assert f"Le fichier « {name} » n&#x27;est pas un PDF" in html
    assert "Formats acceptés : PDF, ODT, ODS, DOCX, XLSX, PNG, JPEG." in html
    assert Attachment.objects.count() == before


def test_an_empty_file_is_refused(client, world):
    response = upload(client, world, "vide.pdf", b"")
    assert response.status_code == 400
    assert "vide" in response.content.decode()


def test_an_oversize_file_is_refused_with_its_size_and_not_kept_whole(client, world, settings):
    written = []
    from programme.uploads import BoundedTemporaryFileUploadHandler

    original = BoundedTemporaryFileUploadHandler.file_complete

    def spy(self, file_size):
        result = original(self, file_size)
        written.append(Path(self.file.temporary_file_path()).stat().st_size)
        return result

    BoundedTemporaryFileUploadHandler.file_complete = spy
    try:
        content = PDF + b"0" * (10 * 1024 * 1024 + 300_000)
        response = upload(client, world, "gros.pdf", content)
    finally:
        BoundedTemporaryFileUploadHandler.file_complete = original
    assert response.status_code == 400
    assert "Le fichier « gros.pdf » dépasse 10 Mo (10.3 Mo)." in response.content.decode()
    # What reached the disk stops one byte past the limit.
    assert written == [settings.FILE_UPLOAD_MAX_BYTES + 1]


@pytest.mark.parametrize(
    "name",
    [
        "../../../../etc/passwd.pdf",
        "..\\..\\windows\\system32\\budget.pdf",
        "/tmp/absolu.pdf",  # noqa: S108 (a name sent by a client, not a path we use)
        "dossier/sous-dossier/budget.pdf",
        "budget.pdf\x00.html",
        "<script>alert(1)</script>.pdf",
    ],
)
def test_path_tricks_in_a_name_stay_in_the_private_folder(client, world, settings, name):
    response = upload(client, world, name, PDF)
    assert response.status_code in (302, 400)
    root = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    for attachment in Attachment.objects.exclude(pk=world.attachment.pk):
        stored = Path(attachment.file.path).resolve()
        assert stored.is_relative_to(root / "proposals" / str(world.draft.public_id))
        assert stored.suffix == ".pdf"
        assert "/" not in attachment.original_name
        assert "\\" not in attachment.original_name
        assert "\x00" not in attachment.original_name
        download = client.get(
            reverse(
                "projects:attachment",
                kwargs={"public_id": world.draft.public_id, "attachment_id": attachment.public_id},
            )
        )
        assert download.status_code == 200
        assert download["Content-Type"] == "application/pdf"
        assert download["Content-Disposition"].startswith("attachment;")
        assert "/" not in download["Content-Disposition"].split("filename", 1)[1]
    page = client.get(
        reverse("projects:attachments", kwargs={"public_id": world.draft.public_id})
    ).content.decode()
    assert "<script>alert(1)" not in page


# --- spreadsheet cells ----------------------------------------------------------------------

# Stored straight through the ORM: no NUL byte, which every form refuses and PostgreSQL
# cannot store (test_hostile_input sends it through the forms), and no lone surrogate, which
# is not text a database can store (a browser never sends one).
stored_text = st.characters(exclude_characters="\x00", exclude_categories=["Cs"])
cell_text = st.one_of(
    st.text(stored_text, max_size=30),
    st.builds(
        lambda start, rest: start + rest,
        st.sampled_from(FORMULA_STARTS),
        st.text(stored_text, max_size=20),
    ),
    st.sampled_from(['=HYPERLINK("http://malveillant.example","clic")', "@SUM(A1)", "-2+3"]),
)
hypothesis_settings = settings(
    max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)


def assert_no_formula_in_csv(text: str):
    for row in csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"):
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), cell


def assert_no_formula_in_xlsx(content: bytes):
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.value
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_STARTS), cell.value


@hypothesis_settings
@given(text=cell_text)
def test_safe_cell_never_leaves_a_formula_and_keeps_the_text(text):
    cell = safe_cell(text)
    assert not cell.startswith(FORMULA_STARTS)
    printable = CONTROL_CHARACTERS.sub("", text)
    assert cell in (printable, "'" + printable)
    assert safe_cell(-12) == -12  # numbers stay numbers


def test_the_proposals_export_neutralises_every_cell(world):
    eligible = world.eligible
    question = world.question
    question.call = eligible.call
    question.save()

    @hypothesis_settings
    @given(title=cell_text, summary=cell_text, answer=cell_text, label=cell_text)
    def check(title, summary, answer, label):
        savepoint = transaction.savepoint_create()
        try:
            Proposal.objects.filter(pk=eligible.pk).update(
                title=title[:200], summary=summary, state=ProposalState.ELIGIBLE
            )
            type(question).objects.filter(pk=question.pk).update(label=label[:300] or "Q")
            Answer.objects.update_or_create(
                proposal=eligible, question=question, defaults={"value": answer}
            )
            csv_file = exports.build(eligible.call, "csv").read().decode()
            xlsx_file = exports.build(eligible.call, "xlsx").read()
        finally:
            transaction.savepoint_rollback(savepoint)
        assert_no_formula_in_csv(csv_file)
        assert_no_formula_in_xlsx(xlsx_file)

    check()


def test_the_jury_ranking_files_neutralise_titles_and_criteria(client, world):
    call = world.review_call
    world.review_criterion.__class__.objects.filter(pk=world.review_criterion.pk).update(
        name="=1+1"
    )
    Proposal.objects.filter(pk=world.eligible.pk).update(title="@SUM(A1)", reference="-P-1")
    client.force_login(world.people[STAFF])
    url = reverse("jury:ranking", kwargs={"slug": call.slug})
    csv_response = client.get(url, {"export": "csv"})
    assert csv_response.status_code == 200
    text = b"".join(csv_response.streaming_content).decode()
    assert "'=1+1" in text
    assert "'@SUM(A1)" in text
    assert_no_formula_in_csv(text)
    xlsx_response = client.get(url, {"export": "xlsx"})
    assert xlsx_response.status_code == 200
    assert_no_formula_in_xlsx(xlsx_response.content)


def test_the_open_data_csv_neutralises_cells(client, world):
    world.cohort.laureates.update(name="=cmd|' /C calc'!A0", mission="+33 1 23 45 67 89")
    response = client.get(reverse("cohorts:csv", kwargs={"slug": world.cohort.slug}))
    text = b"".join(response.streaming_content)
    assert_no_formula_in_csv(text.decode())


def test_a_staff_question_label_cannot_smuggle_a_formula_into_the_export(world):
    call = world.review_call
    factories.QuestionFactory(call=call, label="=IMPORTXML(A1)")
    text = exports.build(call, "csv").read().decode()
    assert "'=IMPORTXML(A1)" in text
    assert_no_formula_in_csv(text)
