"""A juror's journey in a browser, from the bids through the whole dossier and the
discussion: bids, assigned (one mail), the dossier with its budget and attachment, scoring,
then the discussion once staff open it; never a conflicted proposal, never another juror's
hidden name."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from calls.enums import CallState, ReviewPhase
from projects.models import Attachment, Conflict, DiscussionPost
from projects.services import discussion, jury
from tests import factories
from tests.factories import PASSWORD
from tests.files import PDF

pytestmark = pytest.mark.browser


def _eligible(call, title, **fields):
    proposal = factories.ProposalFactory(call=call, title=title, state="eligible", **fields)
    proposal.sequence, proposal.submitted_at = proposal.pk, call.closes_at
    proposal.save()
    return proposal


def test_a_juror_reads_the_dossier_scores_and_discusses_without_names(
    page, live_server, sign_in, assert_accessible, transactional_db, settings, tmp_path
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    programme = factories.ProgrammeFactory(name="FAST", slug="fast")
    call = factories.CallFactory(
        programme=programme,
        edition="FAST 15",
        slug="fast-15",
        state=CallState.REVIEW,
        review_phase=ReviewPhase.WRITTEN,
        hide_juror_names=True,
        offers_funding=True,
        max_funding_share=50,
        max_funding_amount=Decimal("300000"),
        opens_at=timezone.now() - timedelta(days=60),
        closes_at=timezone.now() - timedelta(days=20),
    )
    factories.CriterionFactory(call=call, name="Impact", weight=2, scale_max=5, position=1)
    factories.CriterionFactory(call=call, name="Faisabilité et budget", scale_max=5, position=2)
    staff = factories.StaffFactory(programme=programme)
    juror = factories.JuryMemberFactory(
        call=call, user=factories.UserFactory(first_name="Élise", last_name="Garnier")
    )
    other = factories.JuryMemberFactory(
        call=call, user=factories.UserFactory(first_name="Hortense", last_name="Valmy")
    )
    # A third juror, so that the proposal the first is in conflict with still has two.
    factories.JuryMemberFactory(
        call=call, user=factories.UserFactory(first_name="Camille", last_name="Ferrand")
    )
    mobilic = _eligible(
        call, "Mobilic", yearly_budget=Decimal("500000"), requested_amount=Decimal("240000")
    )
    letter = Attachment(
        proposal=mobilic,
        original_name="lettre-de-soutien.pdf",
        size=len(PDF),
        sha256="0" * 64,
        uploaded_at=timezone.now(),
    )
    letter.file.save("lettre.pdf", ContentFile(PDF), save=False)
    letter.save()
    secret = _eligible(call, "Alerte sécheresse")
    Conflict.objects.create(
        juror=juror,
        proposal=secret,
        kind="declared",
        type="professional",
        reason="Ancien collègue.",
        created_at=timezone.now(),
    )

    # The juror bids on the call's proposals from the fast list (the conflicted one is not
    # even listed); staff then run the assignment, which follows the bids.
    sign_in(page, juror.user.email, PASSWORD)
    page.goto(reverse("jury:bids", args=[call.slug]))
    expect(page.get_by_role("main")).not_to_contain_text("Alerte sécheresse")
    page.get_by_role("group", name="Mobilic").get_by_label("Oui").check(force=True)
    page.get_by_role("button", name="Enregistrer mes souhaits").click()
    expect(page.get_by_role("status")).to_contain_text("1 modifié")
    assert_accessible(page)

    # Staff run the assignment: the juror receives one mail listing what they evaluate.
    jury.run_assignment(call, by=staff, now=timezone.now(), k=2)
    assert juror.assignments.filter(proposal=mobilic).exists()
    to_juror = [m for m in mail.outbox if m.to == [juror.user.email]]
    assert len(to_juror) == 1
    assert "Mobilic" in to_juror[0].body
    assert "Alerte sécheresse" not in to_juror[0].body

    # The other juror scores and writes first.
    criteria = list(call.criteria.all())
    other_assignment = mobilic.jury_assignments.exclude(juror=juror).get()
    other = other_assignment.juror
    jury.submit_evaluation(
        other_assignment,
        by=other.user,
        now=timezone.now(),
        scores={c.pk: (4, "") for c in criteria},
        recommendation="yes",
    )

    page.goto(reverse("jury:evaluate", args=[mobilic.public_id]))
    main = page.get_by_role("main")
    expect(main).to_contain_text("Montant demandé")
    expect(main).to_contain_text("240")
    expect(main.get_by_role("link", name="lettre-de-soutien.pdf")).to_be_visible()
    assert_accessible(page)

    # Scoring, then staff open the discussion: the juror is told.
    for criterion in criteria:
        page.locator(f"select[name=score_{criterion.pk}]").select_option("3")
    page.get_by_label("Recommandation").select_option(label="Oui")
    page.get_by_role("button", name="Soumettre l'évaluation").click()
    expect(page.get_by_role("status")).to_contain_text("Évaluation soumise.")
    jury.set_review_phase(call, ReviewPhase.DISCUSSION, by=staff, now=timezone.now())
    call.refresh_from_db()
    assert [m.subject for m in mail.outbox if m.to == [juror.user.email]][-1].endswith(
        "la discussion est ouverte"
    )
    discussion.post_message(
        mobilic, by=other.user, now=timezone.now(), body="Le budget me paraît tenu."
    )

    page.goto(reverse("jury:evaluate", args=[mobilic.public_id]))
    page.get_by_role("link", name="Discussion du jury").click()
    main = page.get_by_role("main")
    expect(main).to_contain_text("Le budget me paraît tenu.")
    expect(main).to_contain_text("Juré·e ")
    expect(main).not_to_contain_text(other.user.last_name)
    assert_accessible(page)
    page.get_by_label("Votre message").fill("D'accord : la part demandée reste sous 50 %.")
    page.get_by_role("button", name="Publier").click()
    expect(page.get_by_role("status")).to_contain_text("Message publié.")
    expect(main).to_contain_text("D'accord : la part demandée reste sous 50 %.")
    assert DiscussionPost.objects.filter(proposal=mobilic).count() == 2

    # The conflicted proposal: nothing, neither its dossier nor its discussion.
    for name in ("jury:evaluate", "jury:discussion"):
        assert page.goto(reverse(name, args=[secret.public_id])).status == 404
