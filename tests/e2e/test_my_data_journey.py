"""A person downloads their data from their profile, then deletes their account."""

import json

import pytest
from playwright.sync_api import expect

from programme.models import User
from projects.enums import ProposalState
from projects.models import Proposal
from tests.factories import PASSWORD, CallFactory, ProposalFactory, UserFactory

pytestmark = pytest.mark.browser


def test_a_candidate_downloads_their_data_then_deletes_their_account(
    page, sign_in, assert_accessible, transactional_db
):
    agent = UserFactory(first_name="Camille", last_name="Lefèvre")
    proposal = ProposalFactory(
        call=CallFactory(edition="FN 2026"),
        created_by=agent,
        title="Registre des digues",
        state=ProposalState.SUBMITTED,
    )
    sign_in(page, agent.email, PASSWORD)

    page.get_by_role("link", name="Camille Lefèvre").click()
    expect(page.get_by_role("heading", level=1, name="Mon profil")).to_be_visible()
    page.get_by_role("link", name="Mes données : les télécharger ou supprimer mon compte").click()
    expect(page.get_by_role("heading", level=1, name="Mes données")).to_be_visible()
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger mes données (JSON)").click()
    data = json.loads(open(download.value.path(), encoding="utf-8").read())  # noqa: SIM115
    assert data["compte"]["nom"] == "Lefèvre"
    assert [p["titre"] for p in data["candidatures"]] == ["Registre des digues"]

    page.get_by_role("main").get_by_role("link", name="Supprimer mon compte").click()
    expect(page.get_by_role("heading", level=1, name="Supprimer mon compte")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Votre mot de passe").fill("pas le bon")
    page.get_by_label("Je comprends que mon compte est désactivé").check(force=True)
    page.get_by_role("button", name="Supprimer définitivement mon compte").click()
    expect(page.get_by_role("main")).to_contain_text("Mot de passe incorrect.")
    assert_accessible(page)
    assert User.objects.get(pk=agent.pk).is_active

    page.get_by_label("Votre mot de passe").fill(PASSWORD)
    page.get_by_label("Je comprends que mon compte est désactivé").check(force=True)
    page.get_by_role("button", name="Supprimer définitivement mon compte").click()
    expect(page.get_by_role("status")).to_contain_text("Votre compte est supprimé")
    expect(page.get_by_role("link", name="Camille Lefèvre")).to_have_count(0)
    assert_accessible(page)

    agent.refresh_from_db()
    assert not agent.is_active
    assert agent.last_name == ""
    assert Proposal.objects.get(pk=proposal.pk).state == ProposalState.SUBMITTED
