"""Every team whose proposal ends its journey gets exactly one letter, through the decision
outbox: laureates, not selected, not shortlisted for the auditions, ineligible."""

import html

import pytest
from django.core import mail
from django.urls import reverse

from programme.exceptions import TransitionError
from programme.models import AuditEntry
from projects.enums import DecisionMailState, ProposalState
from projects.models import DecisionMail, TeamMember
from projects.services import decision_mails, deliberation, screening
from tests import factories
from tests.projects import jury_fixtures
from tests.projects.jury_fixtures import NOW
from tests.projects.test_deliberation import build, decide

pytestmark = pytest.mark.django_db

review_call = jury_fixtures.review_call
criteria = jury_fixtures.criteria


@pytest.fixture
def journeys(review_call, criteria, staff):
    """One proposal for each ending, plus a withdrawn one and a draft (owed no letter)."""
    (winner, loser), _seat = build(review_call, criteria, staff, [5, 3], [5, 2], extra_eligible=1)
    left_out = review_call.proposals.get(state=ProposalState.ELIGIBLE)
    rejected = factories.ProposalFactory(call=review_call, state=ProposalState.SUBMITTED)
    screening.mark_ineligible(rejected, by=staff, now=NOW, reason="Structure hors périmètre.")
    factories.ProposalFactory(call=review_call, state=ProposalState.WITHDRAWN)
    factories.ProposalFactory(call=review_call, state=ProposalState.DRAFT)
    for proposal in (winner, left_out, rejected):
        TeamMember.objects.create(proposal=proposal, user=factories.UserFactory())
    decide(winner, staff, "selected", justification="Impact et équipe.")
    decide(loser, staff, "not_selected", justification="Pas assez mûr.")
    return {"winner": winner, "loser": loser, "left_out": left_out, "rejected": rejected}


def _team(proposal):
    return {proposal.created_by.email} | {
        m.user.email for m in TeamMember.objects.filter(proposal=proposal).select_related("user")
    }


def test_screening_out_sends_nothing_yet(journeys):
    assert mail.outbox == []


def test_every_team_whose_journey_ends_gets_exactly_one_letter(
    journeys, review_call, staff, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(NOW, tick=False)
    deliberation.publish_results(review_call, by=staff, now=NOW)
    drafts = DecisionMail.objects.filter(state=DecisionMailState.DRAFT)
    assert set(drafts.values_list("proposal_id", flat=True)) == {p.pk for p in journeys.values()}
    with django_capture_on_commit_callbacks(execute=True):
        decision_mails.release_decision_mails(review_call, by=staff, now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        decision_mails.prepare_decision_mails(review_call, by=staff, now=NOW)  # nothing new
    expected = {address for p in journeys.values() for address in _team(p)}
    addresses = [m.to[0] for m in mail.outbox]
    assert sorted(addresses) == sorted(expected)  # each person once, nobody else
    body = {m.to[0]: m.body for m in mail.outbox}
    assert "pour les auditions" in body[journeys["left_out"].created_by.email]
    rejected = body[journeys["rejected"].created_by.email]
    assert "n'est pas recevable" in rejected
    assert "Structure hors périmètre." in rejected
    assert "Pas assez mûr." in body[journeys["loser"].created_by.email]


def test_prepare_missing_letters_includes_ineligible_teams(journeys, review_call, staff):
    count = decision_mails.prepare_decision_mails(review_call, by=staff, now=NOW)
    # The two decisions and the ineligible one; the left-out one is not shortlisted only
    # once the results are published.
    assert count == 3
    assert DecisionMail.objects.filter(proposal=journeys["rejected"]).exists()


def test_a_letter_to_an_ineligible_team_is_editable_before_release(
    journeys, review_call, staff, client
):
    decision_mails.prepare_decision_mails(review_call, by=staff, now=NOW)
    letter = DecisionMail.objects.get(proposal=journeys["rejected"])
    client.force_login(staff)
    page = client.get(reverse("jury:outbox", args=[review_call.slug])).content.decode()
    assert journeys["rejected"].title in page
    assert "Irrecevable" in page
    client.post(
        reverse("jury:outbox-edit", args=[letter.pk]),
        {"subject": "Votre candidature", "body": "Nous regrettons…"},
    )
    letter.refresh_from_db()
    assert letter.body == "Nous regrettons…"


def test_every_transition_of_the_publication_has_its_entry(journeys, review_call, staff):
    deliberation.publish_results(review_call, by=staff, now=NOW)
    for key in ("winner", "loser", "left_out", "rejected"):
        proposal = journeys[key]
        proposal.refresh_from_db()
        last = AuditEntry.objects.filter(object_id=str(proposal.pk), to_state=proposal.state)
        assert last.exists(), key


def test_publishing_the_results_asks_first_and_says_who_is_told(
    journeys, review_call, staff, client
):
    client.force_login(staff)
    deliberation_page = client.get(reverse("jury:deliberation", args=[review_call.slug]))
    url = reverse("jury:publish-results", args=[review_call.slug])
    assert url in deliberation_page.content.decode()
    page = html.unescape(client.get(url).content.decode())
    assert "Publier les résultats ?" in page
    assert "lauréates : 1 ; non retenues : 1" in page
    assert "1 candidatures recevables non auditionnées" in page
    assert "Les courriers de 4 équipes" in page
    review_call.refresh_from_db()
    assert review_call.state == "deliberation"  # asking changes nothing
    client.post(url)
    review_call.refresh_from_db()
    assert review_call.state == "results_published"


def test_a_corrected_screening_drops_the_draft_letter_it_made_untrue(journeys, review_call, staff):
    decision_mails.prepare_decision_mails(review_call, by=staff, now=NOW)
    rejected = journeys["rejected"]
    assert DecisionMail.objects.filter(proposal=rejected).exists()
    screening.mark_eligible(rejected, by=staff, now=NOW)
    assert not DecisionMail.objects.filter(proposal=rejected).exists()


def test_results_wait_until_every_submitted_proposal_is_screened(journeys, review_call, staff):
    forgotten = factories.ProposalFactory(call=review_call, state=ProposalState.SUBMITTED)
    with pytest.raises(TransitionError, match="1 candidatures déposées n'ont pas été examinées"):
        deliberation.publish_results(review_call, by=staff, now=NOW)
    review_call.refresh_from_db()
    assert review_call.state == "deliberation"
    screening.mark_ineligible(forgotten, by=staff, now=NOW, reason="Hors délai.")
    deliberation.publish_results(review_call, by=staff, now=NOW)
    assert DecisionMail.objects.filter(proposal=forgotten).exists()
