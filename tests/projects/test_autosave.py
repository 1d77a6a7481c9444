"""Issue 14, finding 1: drafts save themselves. The endpoints behind static/js/autosave.js
save through the same services as the save buttons, refuse a stale version with a clear
message instead of overwriting, and return the field errors; the pages carry what the script
needs (the endpoint, the version, a polite live status)."""

from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from calls.enums import QuestionKind
from projects.models import Answer, Assignment, Evaluation, Proposal
from tests import factories
from tests.projects import jury_fixtures
from tests.projects.conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):  # 9:00 UTC is 10 h 00 in Paris in March
        yield


def autosave_url(proposal):
    return reverse("projects:autosave", args=[proposal.public_id])


def test_the_edit_page_is_wired_for_autosave(client, proposal, agent):
    client.force_login(agent)
    html = client.get(reverse("projects:edit", args=[proposal.public_id])).content.decode()
    assert f'data-autosave-url="{autosave_url(proposal)}"' in html
    assert 'aria-live="polite"' in html
    assert 'id="autosave-status"' in html
    assert "js/autosave.js" in html
    assert "js/forms.js" in html


def test_an_autosave_saves_the_draft_and_answers_the_time_in_paris(
    client, proposal, agent, question
):
    client.force_login(agent)
    response = client.post(
        autosave_url(proposal),
        {"version": 1, "title": "Aides territoires", "summary": "Un résumé tapé",
         f"q_{question.pk}": "Une réponse tapée"},
    )  # fmt: skip
    assert response.status_code == 200
    assert response.json() == {
        "ok": True,
        "saved_at": "10 h 00",
        "status": "Enregistré à 10 h 00",
        "version": 2,
    }
    proposal.refresh_from_db()
    assert proposal.summary == "Un résumé tapé"
    assert proposal.version == 2
    assert Answer.objects.get(proposal=proposal, question=question).value == "Une réponse tapée"
    # The next save, with the version the page now holds, goes through too.
    again = client.post(autosave_url(proposal), {"version": 2, "title": "Aides territoires"})
    assert again.json()["version"] == 3


def test_a_stale_autosave_is_refused_and_overwrites_nothing(client, proposal, agent):
    mate = factories.TeamMemberFactory(proposal=proposal).user
    client.force_login(mate)
    client.post(autosave_url(proposal), {"version": 1, "title": "T", "summary": "Texte de Léa"})
    client.force_login(agent)
    response = client.post(
        autosave_url(proposal), {"version": 1, "title": "T", "summary": "Texte d'Alice"}
    )
    assert response.status_code == 409
    answer = response.json()
    assert answer["ok"] is False
    assert answer["stale"] is True
    assert answer["status"].startswith("Non enregistré : Un membre de votre équipe a enregistré")
    assert Proposal.objects.get(pk=proposal.pk).summary == "Texte de Léa"


def test_an_autosave_returns_the_errors_of_each_field(client, proposal, agent):
    number = factories.QuestionFactory(
        call=proposal.call, label="Nombre d'usagers", kind=QuestionKind.NUMBER
    )
    client.force_login(agent)
    response = client.post(
        autosave_url(proposal),
        {"version": 1, "title": "T", "summary": "x" * 3001, f"q_{number.pk}": "douze"},
    )
    assert response.status_code == 400
    answer = response.json()
    assert answer["status"] == "Non enregistré : 2 champs à corriger."
    assert set(answer["errors"]) == {"id_summary", f"id_q_{number.pk}"}
    assert "Saisissez un nombre." in answer["errors"][f"id_q_{number.pk}"][0]
    assert Proposal.objects.get(pk=proposal.pk).version == 1


def test_an_amount_typed_the_french_way_is_saved(client, call, agent):
    call.offers_funding = True
    call.save()
    proposal = factories.ProposalFactory(call=call, created_by=agent)
    client.force_login(agent)
    response = client.post(
        autosave_url(proposal),
        {"version": 1, "title": "T", "yearly_budget": "1 000 000",
         "requested_amount": "150\u202f000"},
    )  # fmt: skip
    assert response.status_code == 200, response.json()
    proposal.refresh_from_db()
    assert proposal.yearly_budget == 1000000
    assert proposal.requested_amount == 150000


def test_only_the_team_autosaves(client, proposal):
    client.force_login(factories.UserFactory())
    assert client.post(autosave_url(proposal), {"version": 1, "title": "T"}).status_code == 404


# --- The edit page after a save: one summary, honest markers, progress ------------------------


def test_a_failed_save_shows_one_summary_and_no_stale_list(client, proposal, agent, question):
    client.force_login(agent)
    response = client.post(
        reverse("projects:edit", args=[proposal.public_id]),
        {"version": 1, "title": "", "summary": "Gardé"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert html.count("fr-alert--error") == 1
    assert 'href="#id_title"' in html
    assert "Avant de déposer, il manque" not in html  # the out-of-date list is not stacked
    assert "Gardé" in html


def test_questions_needed_to_submit_say_so_once(client, proposal, agent, question):
    factories.QuestionFactory(call=proposal.call, label="Un lien", required=False)
    question.required = True
    question.save()
    client.force_login(agent)
    html = client.get(reverse("projects:edit", args=[proposal.public_id])).content.decode()
    assert html.count("(obligatoire pour déposer)") == 2  # the summary and the question
    assert html.count("(facultatif)") == 1  # the optional question only
    assert "Obligatoire pour déposer." not in html  # no second, contradicting hint
    assert "Optionnel" not in html


def test_each_section_shows_its_progress(client, proposal, agent, question):
    factories.QuestionFactory(call=proposal.call, label="Un lien")
    Answer.objects.create(proposal=proposal, question=question, value="Oui")
    client.force_login(agent)
    html = client.get(reverse("projects:edit", args=[proposal.public_id])).content.decode()
    assert "1 / 2 réponses" in html  # title given, summary not yet
    assert "1 / 2 réponses" in html.split("Questions de l")[1]


# --- The jury's scoring form ---------------------------------------------------------------


review_call = jury_fixtures.review_call


@pytest.fixture
def assignment(review_call):
    seat = jury_fixtures.juror_for(review_call)
    proposal = jury_fixtures.eligible(review_call)[0]
    return Assignment.objects.create(juror=seat, proposal=proposal, created_at=NOW)


def test_the_scoring_form_saves_itself_and_refuses_a_stale_tab(client, assignment):
    criterion = assignment.juror.call.criteria.first()
    url = reverse("jury:evaluate-autosave", args=[assignment.proposal.public_id])
    client.force_login(assignment.juror.user)
    page = client.get(reverse("jury:evaluate", args=[assignment.proposal.public_id]))
    assert f'data-autosave-url="{url}"' in page.content.decode()
    first = client.post(
        url, {f"score_{criterion.pk}": "3", "comment": "Solide.", "autosave_version": ""}
    )
    assert first.status_code == 200, first.json()
    token = first.json()["version"]
    evaluation = Evaluation.objects.get(assignment=assignment)
    assert evaluation.comment == "Solide."
    assert evaluation.scores.get().value == 3
    # A second tab still holding the page as first loaded is refused, not written over.
    stale = client.post(url, {"comment": "Autre onglet", "autosave_version": ""})
    assert stale.status_code == 409
    assert "enregistré entre-temps" in stale.json()["status"]
    assert Evaluation.objects.get(pk=evaluation.pk).comment == "Solide."
    again = client.post(url, {"comment": "Très solide.", "autosave_version": token})
    assert again.status_code == 200
    assert Evaluation.objects.get(pk=evaluation.pk).comment == "Très solide."


def test_the_edit_page_shows_amounts_the_french_way(client, call, agent):
    call.offers_funding = True
    call.save()
    proposal = factories.ProposalFactory(
        call=call, created_by=agent, yearly_budget=Decimal("400000.00"),
        requested_amount=Decimal("150000.50"),
    )  # fmt: skip
    client.force_login(agent)
    html = client.get(reverse("projects:edit", args=[proposal.public_id])).content.decode()
    assert 'value="400\u00a0000"' in html
    assert 'value="150\u00a0000,50"' in html
    assert "au plus 300\u00a0000 €" in html  # the call's ceiling, in the hint


def test_the_scoring_save_button_does_not_overwrite_another_tabs_save(client, assignment):
    page = reverse("jury:evaluate", args=[assignment.proposal.public_id])
    client.force_login(assignment.juror.user)
    html = client.get(page).content.decode()
    assert 'name="autosave_version" value=""' in html
    client.post(
        reverse("jury:evaluate-autosave", args=[assignment.proposal.public_id]),
        {"comment": "Premier onglet.", "autosave_version": ""},
    )
    response = client.post(page, {"comment": "Second onglet.", "autosave_version": ""})
    assert "enregistré entre-temps" in response.content.decode()
    assert Evaluation.objects.get(assignment=assignment).comment == "Premier onglet."
