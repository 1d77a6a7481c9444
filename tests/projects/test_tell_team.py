"""Tell the team at every step (issue 14, finding 12): each team-visible event mails every
member of the team exactly once, even when the code that tells runs twice."""

from datetime import timedelta

import pytest
from django.core import mail as django_mail

from calls.enums import CallState
from projects.enums import TeamRole
from projects.models import TeamMember
from projects.services import auditions, decision_mails, screening
from projects.services import proposals as services
from projects.services.team_mail import GENERIC, tell_team
from tests import factories
from tests.projects.conftest import CLOSES_AT, NOW, complete

AFTER = CLOSES_AT + timedelta(days=1)


@pytest.fixture
def team(proposal, agent):
    mates = [factories.UserFactory(), factories.UserFactory()]
    for user in mates:
        TeamMember.objects.create(proposal=proposal, user=user, role=TeamRole.MEMBER)
    return [agent, *mates]


@pytest.fixture
def submitted(proposal, agent, question, team):
    complete(proposal, agent)
    services.submit_proposal(proposal, by=agent, now=NOW)
    django_mail.outbox.clear()
    return proposal


def each_once(team) -> bool:
    received = sorted(address for m in django_mail.outbox for address in m.to)
    return received == sorted(user.email for user in team)


def test_tell_team_mails_each_member_once_however_often_it_runs(
    proposal, team, django_capture_on_commit_callbacks
):
    context = {"subject": "Un événement", "lines": ["Il s'est passé quelque chose."]}
    with django_capture_on_commit_callbacks(execute=True):
        assert tell_team(proposal, GENERIC, context, event_key="test:1") == 3
        assert tell_team(proposal, GENERIC, context, event_key="test:1") == 0
    assert each_once(team)
    assert all(m.subject == "Un événement" for m in django_mail.outbox)


def test_an_inactive_member_is_not_mailed(proposal, team, django_capture_on_commit_callbacks):
    team[2].is_active = False
    team[2].save()
    with django_capture_on_commit_callbacks(execute=True):
        tell_team(proposal, GENERIC, {"subject": "S", "lines": []}, event_key="test:2")
    assert each_once(team[:2])


def test_eligible_is_told_to_every_member(
    submitted, staff, team, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        screening.mark_eligible(submitted, by=staff, now=AFTER)
    assert each_once(team)
    assert "recevable" in django_mail.outbox[0].body


def test_ineligible_is_told_with_its_reason_through_the_decision_outbox(
    submitted, staff, team, django_capture_on_commit_callbacks
):
    # A screening may be corrected until the results (issue 17): the team's letter, with
    # the reason, waits in the decision outbox with the others, editable before release.
    with django_capture_on_commit_callbacks(execute=True):
        screening.mark_ineligible(submitted, by=staff, now=AFTER, reason="Hors périmètre.")
    assert django_mail.outbox == []
    _subject, body = decision_mails.render_letter(submitted)
    assert "Hors périmètre." in body


def test_a_correction_request_is_told_to_every_member(
    submitted, staff, team, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        screening.request_correction(
            submitted,
            by=staff,
            reason="Précisez le budget.",
            deadline=AFTER + timedelta(days=7),
            now=AFTER,
        )
    assert each_once(team)
    assert all("Précisez le budget." in m.body for m in django_mail.outbox)


def test_the_withdrawal_is_told_to_every_member(
    submitted, agent, team, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_proposal(submitted, by=agent, now=NOW)
    assert each_once(team)


def test_shortlisting_is_told_to_every_member(
    submitted, staff, team, django_capture_on_commit_callbacks
):
    screening.mark_eligible(submitted, by=staff, now=AFTER)
    submitted.call.state = CallState.REVIEW
    submitted.call.save()
    django_mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        auditions.shortlist(submitted, by=staff, now=AFTER)
    assert each_once(team)
    assert django_mail.outbox[0].subject.startswith("Retenue pour l'audition")
