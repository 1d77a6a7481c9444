"""The juror's whole dossier (page and PDF) and the jury's discussion of a proposal."""

import io
from decimal import Decimal

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from calls.enums import QuestionKind, ReviewPhase
from calls.funding import euros
from programme.exceptions import TransitionError
from programme.models import AuditEntry, OutgoingMail
from projects.enums import TeamRole
from projects.models import (
    Answer,
    Assignment,
    Attachment,
    Conflict,
    DiscussionPost,
    ProposalVersion,
)
from projects.queries.proposals import content_hash, snapshot
from projects.services import discussion, jury
from tests import factories
from tests.files import PDF
from tests.projects import jury_fixtures
from tests.projects.jury_fixtures import NOW, eligible, juror_for, submit

pytestmark = pytest.mark.django_db

review_call = jury_fixtures.review_call
criteria = jury_fixtures.criteria


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def funding_call(review_call):
    review_call.offers_funding = True
    review_call.max_funding_share = 50
    review_call.max_funding_amount = Decimal("300000")
    review_call.save()
    return review_call


def attach(proposal, name):
    attachment = Attachment(
        proposal=proposal, original_name=name, size=len(PDF), sha256="0" * 64, uploaded_at=NOW
    )
    attachment.file.save(name, ContentFile(PDF), save=False)
    attachment.save()
    return attachment


def dossier_of(call, *, title, budget="400000", amount="150000"):
    (proposal,) = eligible(
        call,
        title=title,
        summary=f"Le résumé de {title}.",
        yearly_budget=Decimal(budget),
        requested_amount=Decimal(amount),
    )
    question = call.questions.first() or factories.QuestionFactory(
        call=call, label="Quel problème résolvez-vous ?", kind=QuestionKind.LONG_TEXT
    )
    Answer.objects.create(proposal=proposal, question=question, value=f"Réponse de {title}")
    member = factories.UserFactory(first_name="Capucine", last_name="Lemaire")
    proposal.team.create(user=member, role=TeamRole.MEMBER)
    attach(proposal, f"budget-{proposal.pk}.pdf")
    # What the jury reads is the submitted version.
    content = snapshot(proposal)
    ProposalVersion.objects.create(
        proposal=proposal,
        number=1,
        content=content,
        sha256=content_hash(content),
        reference=proposal.reference,
        submitted_by=member,
        submitted_at=NOW,
    )
    return proposal


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


# --- The page --------------------------------------------------------------------------------


def test_the_evaluation_page_shows_the_whole_dossier(client, funding_call):
    proposal = dossier_of(funding_call, title="Carte des friches")
    seat = juror_for(funding_call)
    Assignment.objects.create(juror=seat, proposal=proposal, created_at=NOW)
    client.force_login(seat.user)
    page = client.get(reverse("jury:evaluate", args=[proposal.public_id])).content.decode()
    assert "Le résumé de Carte des friches." in page
    assert "Réponse de Carte des friches" in page
    assert euros(400000) in page  # the yearly budget
    assert euros(150000) in page  # the amount requested
    assert "Capucine Lemaire" in page
    attachment = proposal.attachments.get()
    link = reverse("projects:attachment", args=[proposal.public_id, attachment.public_id])
    assert link in page
    assert client.get(link).status_code == 200


def test_the_dossier_flags_an_amount_over_the_calls_limits(client, funding_call):
    proposal = dossier_of(funding_call, title="Trop cher", budget="200000", amount="150000")
    seat = juror_for(funding_call)
    Assignment.objects.create(juror=seat, proposal=proposal, created_at=NOW)
    client.force_login(seat.user)
    page = client.get(reverse("jury:evaluate", args=[proposal.public_id])).content.decode()
    assert "Points relevés à la recevabilité" in page
    assert "dépasse 50" in page


def test_a_reopened_evaluation_shows_the_staffs_reason(client, review_call, criteria, staff):
    (proposal,) = eligible(review_call)
    seat = juror_for(review_call)
    assignment = Assignment.objects.create(juror=seat, proposal=proposal, created_at=NOW)
    evaluation = submit(assignment, criteria, 4, 3)
    jury.reopen_evaluation(evaluation, by=staff, reason="Revoir la note de maturité.", now=NOW)
    client.force_login(seat.user)
    page = client.get(reverse("jury:evaluate", args=[proposal.public_id])).content.decode()
    assert "Évaluation rouverte le" in page
    assert "Revoir la note de maturité." in page


def test_the_jury_reads_the_submitted_version_not_later_edits(client, funding_call):
    proposal = dossier_of(funding_call, title="Carte des friches")
    Answer.objects.filter(proposal=proposal).update(value="Réécrit après le dépôt")
    type(proposal).objects.filter(pk=proposal.pk).update(requested_amount=Decimal("999999"))
    seat = juror_for(funding_call)
    Assignment.objects.create(juror=seat, proposal=proposal, created_at=NOW)
    client.force_login(seat.user)
    page = client.get(reverse("jury:evaluate", args=[proposal.public_id])).content.decode()
    assert "Réponse de Carte des friches" in page
    assert "Réécrit après le dépôt" not in page
    assert euros(Decimal("150000")) in page
    assert euros(Decimal("999999")) not in page
    pdf = pdf_text(client.get(reverse("jury:dossier-pdf", args=[funding_call.slug])).content)
    assert "Réponse de Carte des friches" in pdf
    assert "Réécrit après le dépôt" not in pdf


# --- The PDF ---------------------------------------------------------------------------------


def test_the_jury_pdf_holds_every_assigned_proposal_but_the_conflicted_one(client, funding_call):
    shown = [dossier_of(funding_call, title=f"Projet {n}") for n in ("Alpha", "Bêta")]
    secret = dossier_of(funding_call, title="Projet Secret")
    seat = juror_for(funding_call)
    for proposal in [*shown, secret]:
        Assignment.objects.create(juror=seat, proposal=proposal, created_at=NOW)
    Conflict.objects.create(
        juror=seat, proposal=secret, kind="declared", type="other", reason="x", created_at=NOW
    )
    client.force_login(seat.user)
    response = client.get(reverse("jury:dossier-pdf", args=[funding_call.slug]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Sommaire" in text
    for proposal in shown:
        assert text.count(proposal.title) >= 2  # in the contents and as a heading
        assert f"Réponse de {proposal.title}" in text
    assert "Projet Secret" not in text
    assert "Montant demandé" in text


def test_the_jury_pdf_runs_the_same_queries_at_two_sizes(client, funding_call):
    seat = juror_for(funding_call)
    client.force_login(seat.user)
    url = reverse("jury:dossier-pdf", args=[funding_call.slug])

    def grow(n):
        for i in range(n):
            proposal = dossier_of(funding_call, title=f"P{seat.assignments.count()}-{i}")
            Assignment.objects.create(juror=seat, proposal=proposal, created_at=NOW)

    grow(1)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    grow(4)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_someone_off_the_jury_gets_no_pdf(client, review_call):
    client.force_login(factories.UserFactory())
    assert client.get(reverse("jury:dossier-pdf", args=[review_call.slug])).status_code == 403


# --- The discussion --------------------------------------------------------------------------


@pytest.fixture
def trio(review_call, criteria):
    """A proposal with two jurors who submitted, and a conflicted one."""
    (proposal,) = eligible(review_call)
    seats = [juror_for(review_call) for _ in range(2)]
    for seat in seats:
        submit(
            Assignment.objects.create(juror=seat, proposal=proposal, created_at=NOW),
            criteria,
            4,
            3,
        )
    conflicted = juror_for(review_call)
    Assignment.objects.create(juror=conflicted, proposal=proposal, created_at=NOW)
    Conflict.objects.create(
        juror=conflicted, proposal=proposal, kind="staff", type="other", reason="x", created_at=NOW
    )
    return proposal, seats, conflicted


def test_jurors_write_only_once_the_discussion_opens(review_call, trio, staff):
    proposal, (first, _second), _conflicted = trio
    with pytest.raises(TransitionError, match="pas ouverte"):
        discussion.post_message(proposal, by=first.user, now=NOW, body="Je trouve que…")
    jury.set_review_phase(review_call, ReviewPhase.DISCUSSION, by=staff, now=NOW)
    proposal.call.refresh_from_db()
    post = discussion.post_message(proposal, by=first.user, now=NOW, body="Je trouve que…")
    assert AuditEntry.objects.filter(action="jury.discussion_post").count() == 1
    assert post.from_staff is False


def test_a_juror_who_has_not_submitted_cannot_write(review_call, criteria, staff):
    (proposal,) = eligible(review_call)
    seat = juror_for(review_call)
    Assignment.objects.create(juror=seat, proposal=proposal, created_at=NOW)
    jury.set_review_phase(review_call, ReviewPhase.DISCUSSION, by=staff, now=NOW)
    proposal.call.refresh_from_db()
    with pytest.raises(TransitionError, match="Soumettez votre évaluation"):
        discussion.post_message(proposal, by=seat.user, now=NOW, body="Bonjour")


def test_a_post_is_mailed_once_to_each_other_participant(review_call, trio, staff):
    proposal, (first, second), conflicted = trio
    jury.set_review_phase(review_call, ReviewPhase.DISCUSSION, by=staff, now=NOW)
    proposal.call.refresh_from_db()
    OutgoingMail.objects.all().delete()
    discussion.post_message(proposal, by=staff, now=NOW, body="Votre avis sur le budget ?")
    post = discussion.post_message(proposal, by=first.user, now=NOW, body="Il est serré.")
    mailed = OutgoingMail.objects.filter(key__startswith=f"discussion:{post.pk}:")
    recipients = sorted(address for m in mailed for address in m.to)
    assert recipients == sorted([second.user.email, staff.email])
    assert not [m for m in OutgoingMail.objects.all() if conflicted.user.email in m.to]


def test_hidden_names_give_stable_pseudonyms_and_internal_notes_stay_with_staff(
    client, review_call, trio, staff
):
    proposal, (first, second), _conflicted = trio
    review_call.hide_juror_names = True
    review_call.save()
    jury.set_review_phase(review_call, ReviewPhase.DISCUSSION, by=staff, now=NOW)
    first.user.first_name, first.user.last_name = "Bérénice", "Quintard"
    first.user.save()
    proposal.call.refresh_from_db()
    discussion.post_message(proposal, by=first.user, now=NOW, body="Premier avis.")
    discussion.post_message(proposal, by=staff, now=NOW, body="Note secrète", internal=True)
    url = reverse("jury:discussion", args=[proposal.public_id])
    client.force_login(second.user)
    page = client.get(url).content.decode()
    assert "Premier avis." in page
    assert "Juré·e 1" in page
    assert "Quintard" not in page
    assert "Note secrète" not in page
    client.force_login(staff)
    page = client.get(url).content.decode()
    assert "Note secrète" in page
    assert "Bérénice Quintard (Juré·e 1)" in page
    # The pseudonym is the same in the mail the other juror got.
    (mail,) = [
        m
        for m in OutgoingMail.objects.filter(key__startswith="discussion:")
        if second.user.email in m.to
    ]
    assert "Juré·e 1" in mail.text
    assert "Quintard" not in mail.text


def test_a_conflicted_juror_gets_404_and_the_page_posts(client, review_call, trio, staff):
    proposal, (first, _second), conflicted = trio
    url = reverse("jury:discussion", args=[proposal.public_id])
    client.force_login(conflicted.user)
    assert client.get(url).status_code == 404
    jury.set_review_phase(review_call, ReviewPhase.DISCUSSION, by=staff, now=NOW)
    client.force_login(first.user)
    response = client.post(url, {"body": "Mon avis."})
    assert response.status_code == 302
    assert DiscussionPost.objects.get().body == "Mon avis."
    response = client.post(url, {"body": "   "})
    assert response.status_code == 400


def test_the_discussion_page_runs_the_same_queries_at_two_sizes(client, review_call, trio, staff):
    proposal, (first, second), _conflicted = trio
    jury.set_review_phase(review_call, ReviewPhase.DISCUSSION, by=staff, now=NOW)
    proposal.call.refresh_from_db()
    url = reverse("jury:discussion", args=[proposal.public_id])
    client.force_login(second.user)
    discussion.post_message(proposal, by=first.user, now=NOW, body="Un")
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for n in range(5):
        discussion.post_message(proposal, by=first.user, now=NOW, body=f"Encore {n}")
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_staff_reach_the_discussion_from_the_proposal_page_and_leave_internal_notes(
    client, review_call, trio, staff
):
    proposal, (first, _second), _conflicted = trio
    client.force_login(staff)
    page = client.get(proposal.get_absolute_url()).content.decode()
    url = reverse("jury:discussion", args=[proposal.public_id])
    assert url in page
    # Written review: an internal note only; a message to the jury waits for the discussion.
    response = client.post(url, {"body": "À revoir en séance."})
    assert response.status_code == 400
    assert "seule une note interne est possible" in response.content.decode()
    client.post(url, {"body": "À revoir en séance.", "internal": "on"})
    assert DiscussionPost.objects.get().internal is True
    assert not [m for m in OutgoingMail.objects.all() if first.user.email in m.to]


def test_the_dossier_page_runs_the_same_queries_whatever_the_team_and_files(client, funding_call):
    proposal = dossier_of(funding_call, title="Carte des friches")
    seat = juror_for(funding_call)
    Assignment.objects.create(juror=seat, proposal=proposal, created_at=NOW)
    client.force_login(seat.user)
    url = reverse("jury:evaluate", args=[proposal.public_id])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for n in range(4):
        proposal.team.create(user=factories.UserFactory(), role=TeamRole.MEMBER)
        attach(proposal, f"annexe-{n}.pdf")
        question = factories.QuestionFactory(call=funding_call, label=f"Question {n}")
        Answer.objects.create(proposal=proposal, question=question, value=f"Réponse {n}")
    content = snapshot(proposal)  # submitted again with its new team, files and answers
    ProposalVersion.objects.create(
        proposal=proposal,
        number=2,
        content=content,
        sha256=content_hash(content),
        reference=proposal.reference,
        submitted_at=NOW,
    )
    with CaptureQueriesContext(connection) as large:
        page = client.get(url).content.decode()
    assert "annexe-3.pdf" in page
    assert len(large.captured_queries) == len(small.captured_queries)
