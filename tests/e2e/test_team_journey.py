"""The team's side in a browser: the lead hands the lead role over and removes a member from
the team page, a co-editor writes to the staff with a file in the proposal's Fil. Each page
passes axe-core and every action is done with the keyboard-reachable controls."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from projects.enums import TeamRole
from projects.models import Message, TeamMember
from tests.factories import (
    PASSWORD,
    CallFactory,
    ProgrammeFactory,
    ProposalFactory,
    StaffFactory,
    UserFactory,
)
from tests.files import PDF

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def team(transactional_db):
    programme = ProgrammeFactory(name="Fabrique numérique", slug="fabrique-numerique")
    now = timezone.now()
    call = CallFactory(
        programme=programme,
        edition="FN 2026",
        opens_at=now - timedelta(days=5),
        closes_at=now + timedelta(days=20),
        team_min=1,
        team_max=4,
    )
    lead = UserFactory(first_name="Camille", last_name="Lefèvre")
    sacha = UserFactory(first_name="Sacha", last_name="Martin")
    noa = UserFactory(first_name="Noa", last_name="Petit")
    proposal = ProposalFactory(call=call, title="Aides territoires", created_by=lead)
    for user in (sacha, noa):
        TeamMember.objects.create(proposal=proposal, user=user, role=TeamRole.MEMBER)
    StaffFactory(programme=programme)
    return {"proposal": proposal, "lead": lead, "sacha": sacha, "noa": noa}


def test_the_lead_runs_the_team_and_a_co_editor_writes_in_the_fil(
    page, sign_in, assert_accessible, team, tmp_path
):
    proposal = team["proposal"]
    sign_in(page, team["lead"].email, PASSWORD)
    page.goto(f"/candidatures/{proposal.public_id}/equipe/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Équipe de")
    assert_accessible(page)

    # Remove Noa: the confirmation step says what happens first, reached by keyboard.
    page.get_by_role("link", name="Retirer Noa Petit de l'équipe").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Retirer Noa Petit")
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Retirer Noa Petit").click()
    expect(page.get_by_role("status")).to_contain_text("Noa Petit ne fait plus partie")
    assert not proposal.team.filter(user=team["noa"]).exists()
    assert_accessible(page)

    # Hand the lead role to Sacha.
    page.get_by_role("link", name="Passer le rôle de porteur à Sacha Martin").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Passer le rôle à Sacha Martin").click()
    expect(page.get_by_role("status")).to_contain_text("Sacha Martin porte désormais le projet")
    assert proposal.team.get(user=team["sacha"]).role == TeamRole.LEAD
    assert {m.to[0] for m in mail.outbox} >= {team["lead"].email, team["sacha"].email}

    # Camille, now a co-editor, writes to the staff with a file from the proposal's Fil.
    page.goto(proposal.get_absolute_url())
    expect(page.get_by_role("heading", name="Le fil de la candidature")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(
        "Seul le porteur ou la porteuse du projet peut retirer la candidature."
    )
    letter = tmp_path / "lettre.pdf"
    letter.write_bytes(PDF)
    page.get_by_label("Votre message").fill("Voici la lettre du sponsor.")
    page.get_by_label("Pièce jointe (facultatif)").set_input_files(str(letter))
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer le message").click()
    expect(page.get_by_role("status")).to_contain_text("Message envoyé.")
    expect(page.get_by_role("link", name="Télécharger lettre.pdf")).to_be_visible()
    assert Message.objects.get().file_name == "lettre.pdf"
    fil = page.locator("#fil")
    expect(fil).to_contain_text("Nouveau porteur ou nouvelle porteuse du projet")
    expect(fil).to_contain_text("Membre retiré de l'équipe")
    assert_accessible(page)
