"""Uploads checked by their content (issue 13, findings 5 and 8): active PDFs, polyglots,
dangerous names, compression bombs and macros refused with a French message next to the
field; every accepted format kept and served as a sandboxed download; the 5-file limit
holding under simultaneous uploads on PostgreSQL."""

import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import close_old_connections, connection
from django.urls import reverse
from django.utils import timezone

from programme import files
from programme.exceptions import TransitionError
from projects.models import Attachment
from projects.services import proposals as services
from tests import factories
from tests import files as made

from .world import TEAM, build_world


@pytest.fixture
def world(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return build_world()


def upload(client, world, name, content):
    client.force_login(world.people[TEAM])
    return client.post(
        reverse("projects:attachments", kwargs={"public_id": world.draft.public_id}),
        {"file": SimpleUploadedFile(name, content, content_type="application/octet-stream")},
    )


def download(client, world, attachment):
    return client.get(
        reverse(
            "projects:attachment",
            kwargs={"public_id": world.draft.public_id, "attachment_id": attachment.public_id},
        )
    )


ACCEPTED = [
    ("dossier.pdf", made.PDF, "application/pdf"),
    ("note.odt", made.opendocument("text"), "application/vnd.oasis.opendocument.text"),
    (
        "budget.ods",
        made.opendocument("spreadsheet"),
        "application/vnd.oasis.opendocument.spreadsheet",
    ),
    (
        "lettre.docx",
        made.docx(),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "plan.xlsx",
        made.xlsx(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("schema.png", made.png(), "image/png"),
    ("photo.jpg", made.jpeg(), "image/jpeg"),
    ("photo.JPEG", made.jpeg(), "image/jpeg"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "content", "content_type"), ACCEPTED)
def test_every_common_office_format_is_kept_and_served_as_what_was_checked(
    client, world, name, content, content_type
):
    response = upload(client, world, name, content)
    assert response.status_code == 302
    attachment = Attachment.objects.get(proposal=world.draft, original_name=name)
    served = download(client, world, attachment)
    assert served.status_code == 200
    assert served["Content-Type"] == content_type
    assert b"".join(served.streaming_content) == content


REFUSED = [
    ("script.pdf", made.pdf_with_javascript(), "Ce PDF contient du JavaScript"),
    ("ouverture.pdf", made.pdf_with_open_action(), "déclenche une action à son ouverture"),
    (
        "polyglotte.pdf",
        b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n" + made.PDF,
        "contient une page web en plus du PDF",
    ),
    ("page.html", b"<html><script>alert(1)</script></html>", "pas dans un format accepté"),
    ("image.svg", b"<svg onload='alert(1)'/>", "pas dans un format accepté"),
    ("outil.js", b"alert(1)", "pas dans un format accepté"),
    ("budget.pdf.html", made.PDF, "pas dans un format accepté"),
    ("budget.html.pdf", made.PDF, "contient une double extension"),
    ("macros.docx", made.docx(macros=True), "contient des macros"),
    ("bombe.docx", made.docx(bomb=True), "se décompresse en un volume démesuré"),
    ("macros.odt", made.opendocument("text", macros=True), "contient des macros"),
    ("tableau.xlsx", made.docx(), "n&#x27;est pas un XLSX"),
    ("photo.png", made.jpeg(), "n&#x27;est pas un PNG"),
    ("cassé.pdf", b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n", "endommagé"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "content", "message"), REFUSED)
def test_a_file_with_active_content_or_a_dangerous_name_is_refused_next_to_the_field(
    client, world, name, content, message
):
    before = Attachment.objects.count()
    response = upload(client, world, name, content)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    # The message sits next to the file field (DSFR error state of the upload group).
    assert 'id="id_file"' in html
    assert "fr-error-text" in html or "fr-message--error" in html
    assert Attachment.objects.count() == before


@pytest.mark.parametrize("name", ["bud\u202efdp.pdf", "budget\x07.pdf", "budget\n.pdf"])
def test_a_name_with_invisible_or_control_characters_is_refused(name):
    with pytest.raises(TransitionError, match="caractères invisibles"):
        files.check(SimpleUploadedFile(name, made.PDF))


@pytest.mark.django_db
def test_the_javascript_refusal_tells_how_to_fix_it(client, world):
    html = upload(client, world, "script.pdf", made.pdf_with_javascript()).content.decode()
    assert (
        "Ce PDF contient du JavaScript : enregistrez-le sans contenu actif (imprimer en PDF) "
        "puis déposez-le à nouveau."
    ) in html


@pytest.mark.django_db
def test_a_flate_bomb_is_refused_quickly_without_being_expanded(client, world):
    bomb = made.flate_bomb_pdf()
    assert len(bomb) < 1024 * 1024  # 200 Mo of zeros once inflated
    started = time.perf_counter()
    response = upload(client, world, "bombe.pdf", bomb)
    elapsed = time.perf_counter() - started
    assert response.status_code == 400
    assert "se décompresse en un volume démesuré" in response.content.decode()
    assert elapsed < 5
    assert not Attachment.objects.filter(original_name="bombe.pdf").exists()


@pytest.mark.django_db
def test_the_form_states_the_allowed_formats(client, world):
    client.force_login(world.people[TEAM])
    html = client.get(
        reverse("projects:attachments", kwargs={"public_id": world.draft.public_id})
    ).content.decode()
    assert "Formats acceptés : PDF, ODT, ODS, DOCX, XLSX, PNG, JPEG" in html
    assert ".docx" in html  # the file picker's accept attribute


@pytest.mark.django_db
def test_a_download_is_a_sandboxed_attachment_never_cached(client, world):
    upload(client, world, "Budget prévisionnel.pdf", made.PDF)
    attachment = Attachment.objects.get(original_name="Budget prévisionnel.pdf")
    served = download(client, world, attachment)
    assert served.status_code == 200
    assert served["Content-Disposition"] == (
        "attachment; filename*=utf-8''Budget%20pr%C3%A9visionnel.pdf"
    )
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert served["Content-Type"] == "application/pdf"
    assert "no-store" in served["Cache-Control"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_six_simultaneous_uploads_onto_three_leave_five(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    now = timezone.now()
    call = factories.CallFactory(
        opens_at=now - timedelta(days=10), closes_at=now + timedelta(days=20)
    )
    team = factories.UserFactory()
    draft = factories.ProposalFactory(call=call, created_by=team)
    for n in range(3):
        services.add_attachment(
            draft,
            by=team,
            upload=SimpleUploadedFile(f"deja-{n}.pdf", made.PDF),
            now=now,
        )
    start = threading.Barrier(6)
    outcomes = []

    def send(n):
        try:
            start.wait(timeout=10)
            services.add_attachment(
                type(draft).objects.get(pk=draft.pk),
                by=team,
                upload=SimpleUploadedFile(f"ensemble-{n}.pdf", made.PDF),
                now=timezone.now(),
            )
            outcomes.append("kept")
        except TransitionError as error:
            outcomes.append(str(error))
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert Attachment.objects.filter(proposal=draft).count() == 5
    refused = "Une candidature compte au plus 5 pièces jointes : supprimez-en une d'abord."
    assert Counter(outcomes) == {"kept": 2, refused: 4}
