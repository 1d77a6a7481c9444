"""Issue 14, finding 1: nothing typed is lost. By keyboard alone, an agent types a summary,
leaves the field (the draft saves itself), follows the "Vue d'ensemble" link, comes back and
finds the text; then, when a team mate has saved meanwhile so that the draft cannot be saved,
leaving by a link asks first, and staying keeps the text."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from projects.models import Proposal
from projects.services import proposals as services
from tests.factories import (
    PASSWORD,
    CallFactory,
    ProgrammeFactory,
    TeamMemberFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser

SUMMARY = "Trouver les aides adaptées à son territoire."


@pytest.fixture
def draft(transactional_db):
    programme = ProgrammeFactory(name="Fabrique numérique", slug="fabrique-numerique")
    call = CallFactory(programme=programme, edition="FN 2026", slug="fn-2026", team_max=4)
    agent = UserFactory(first_name="Camille", last_name="Lefèvre")
    proposal = services.start_proposal(
        call, by=agent, now=timezone.now(), title="Aides territoires"
    )
    return proposal


def test_a_draft_saves_itself_and_leaving_with_unsaved_text_asks_first(
    page, live_server, sign_in, assert_accessible, draft
):
    dialogs = []

    def on_dialog(dialog):
        dialogs.append((dialog.type, dialog.message))
        dialog.dismiss()  # stay on the page

    page.on("dialog", on_dialog)
    sign_in(page, draft.created_by.email, PASSWORD)
    page.goto(f"/candidatures/{draft.public_id}/modifier/")
    assert_accessible(page)

    # Type by keyboard, leave the field with Tab: the draft saves itself, no reload.
    summary = page.get_by_label("Résumé")
    summary.focus()
    page.keyboard.type(SUMMARY)
    page.keyboard.press("Tab")
    status = page.locator("#autosave-status")
    expect(status).to_have_text(re.compile(r"^Enregistré à \d{1,2} h \d{2}$"))
    assert Proposal.objects.get(pk=draft.pk).summary == SUMMARY
    assert_accessible(page)

    # Follow the "Vue d'ensemble" tab by keyboard: nothing to ask, it was saved.
    nav = page.get_by_role("navigation", name="Pages de la candidature")
    nav.get_by_role("link", name="Vue d'ensemble").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/candidatures/{draft.public_id}/$"))
    assert dialogs == []
    nav.get_by_role("link", name="Contenu").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Résumé")).to_have_value(SUMMARY)

    # A failed save: focus goes to the one error summary, whose link leads to the field.
    title = page.get_by_label("Titre du projet")
    title.focus()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.get_by_role("button", name="Enregistrer le brouillon").focus()
    page.keyboard.press("Enter")
    error_summary = page.locator("[data-error-summary]")
    expect(error_summary).to_be_focused()
    expect(page.locator(".fr-alert--error")).to_have_count(1)
    assert_accessible(page)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the summary's link to the title
    expect(page.get_by_label("Titre du projet")).to_be_focused()
    page.keyboard.type("Aides territoires")
    page.get_by_role("button", name="Enregistrer le brouillon").focus()
    page.keyboard.press("Enter")
    # A successful save: focus on the saved section, not the top of the page.
    expect(page.get_by_role("status")).to_contain_text("Brouillon enregistré.")
    expect(page.locator("fieldset.fr-fieldset").first).to_be_focused()

    # A team mate saves meanwhile: this tab's next save is refused, never written over theirs.
    mate = TeamMemberFactory(proposal=draft).user
    fresh = Proposal.objects.get(pk=draft.pk)
    services.save_draft(
        fresh, by=mate, version=fresh.version, now=timezone.now(), fields={}, answers={}
    )
    summary = page.get_by_label("Résumé")
    summary.focus()
    page.keyboard.press("End")
    page.keyboard.type(" Et les demander en ligne.")
    page.keyboard.press("Tab")
    expect(status).to_contain_text("Non enregistré : Un membre de votre équipe")
    assert_accessible(page)

    # Leaving by a link now asks first; dismissing keeps the page and the text.
    nav.get_by_role("link", name="Vue d'ensemble").focus()
    with page.expect_event("dialog"):
        page.keyboard.press("Enter")
    expect(page.get_by_label("Résumé")).to_have_value(f"{SUMMARY} Et les demander en ligne.")
    assert dialogs == [
        (
            "confirm",
            "Vos dernières modifications ne sont pas enregistrées. Quitter la page quand même ?",
        )
    ]
    assert Proposal.objects.get(pk=draft.pk).summary == SUMMARY

    # Closing the tab or reloading asks too (the browser's own question, "beforeunload").
    with page.expect_event("dialog") as closing:
        page.close(run_before_unload=True)
    assert closing.value.type == "beforeunload"


def test_the_jurys_scoring_form_saves_itself(
    page, live_server, sign_in, assert_accessible, transactional_db
):
    from calls.enums import CallState
    from projects.models import Assignment, Evaluation
    from tests import factories

    call = factories.CallFactory(
        edition="FN 2026",
        state=CallState.REVIEW,
        opens_at=timezone.now() - timedelta(days=60),
        closes_at=timezone.now() - timedelta(days=20),
    )
    factories.CriterionFactory(call=call, name="Pertinence", scale_max=5, position=1)
    proposal = factories.ProposalFactory(call=call, title="Ma Cantine", state="eligible")
    seat = factories.JuryMemberFactory(call=call)
    assignment = Assignment.objects.create(juror=seat, proposal=proposal, created_at=timezone.now())
    sign_in(page, seat.user.email, PASSWORD)
    page.goto(reverse("jury:evaluate", args=[proposal.public_id]))
    page.get_by_label("Appréciation générale").focus()
    page.keyboard.type("Un projet utile aux cantines.")
    page.keyboard.press("Tab")
    expect(page.locator("#autosave-status")).to_have_text(re.compile(r"^Enregistré à "))
    assert Evaluation.objects.get(assignment=assignment).comment == "Un projet utile aux cantines."
    assert_accessible(page)
