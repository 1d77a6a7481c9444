"""The deliberation: final ranking with the call's weights, decisions with their guards and
FAST limits, publication, the outbox of decision mails through the ledger, the results."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import DatabaseError
from django.urls import reverse

from calls.enums import CallState
from calls.models import AuditionCriterion
from programme import audit
from programme.enums import ReminderKind
from programme.exceptions import TransitionError
from programme.models import AuditEntry, Reminder
from programme.reminders import scan_reminders
from projects.enums import DecisionMailState, ProposalState
from projects.models import Decision, DecisionMail, TeamMember
from projects.queries import deliberation as deliberation_queries
from projects.services import auditions, decision_mails, deliberation
from tests import factories
from tests.projects import jury_fixtures
from tests.projects.jury_fixtures import NOW, eligible, juror_for, submit

pytestmark = pytest.mark.django_db

review_call = jury_fixtures.review_call
criteria = jury_fixtures.criteria


def set_state(call, state):
    call.state = state
    call.save(update_fields=["state"])


def build(call, criteria, staff, written, heard, *, extra_eligible=0, **proposal_fields):
    """Shortlisted proposals with one juror's written totals (both criteria = value) and
    audition grid (one criterion out of 5 = value); the call left in deliberation."""
    seat = juror_for(call)
    grid = AuditionCriterion.objects.create(call=call, name="Envie d'y aller", scale_max=5)
    proposals = eligible(call, len(written), **proposal_fields)
    for proposal, value in zip(proposals, written, strict=True):
        submit(factories.AssignmentFactory(juror=seat, proposal=proposal), criteria, value, value)
        auditions.shortlist(proposal, by=staff, now=NOW)
    eligible(call, extra_eligible)
    set_state(call, CallState.AUDITIONS)
    for proposal, value in zip(proposals, heard, strict=True):
        if value is not None:
            auditions.score_audition(proposal, by=seat.user, now=NOW, scores={grid.pk: value})
    set_state(call, CallState.DELIBERATION)
    return proposals, seat


@pytest.fixture
def funding_call(review_call):
    review_call.offers_funding = True
    review_call.envelope = Decimal("500000")
    review_call.save(update_fields=["offers_funding", "envelope"])
    return review_call


def decide(proposal, staff, outcome="selected", amount=None, justification="Projet solide."):
    return deliberation.decide(
        proposal,
        by=staff,
        now=NOW,
        outcome=outcome,
        justification=justification,
        amount_granted=amount,
    )


# --- The final ranking ----------------------------------------------------------------


def test_the_final_ranking_weighs_written_and_audition_as_the_call_says(
    review_call, criteria, staff
):
    (strong_paper, strong_pitch), _seat = build(review_call, criteria, staff, [5, 2], [1, 5])
    rows = list(deliberation_queries.final_ranking(review_call))
    by_pk = {r.pk: r for r in rows}
    # Equal weights: (100 % + 20 %) / 2 and (40 % + 100 %) / 2.
    assert by_pk[strong_paper.pk].final == pytest.approx(60.0)
    assert by_pk[strong_pitch.pk].final == pytest.approx(70.0)
    assert [r.pk for r in rows] == [strong_pitch.pk, strong_paper.pk]
    deliberation.set_final_weights(review_call, by=staff, now=NOW, written=3, audition=1)
    rows = list(deliberation_queries.final_ranking(review_call))
    assert [r.pk for r in rows] == [strong_paper.pk, strong_pitch.pk]
    assert rows[0].final == pytest.approx((3 * 100 + 20) / 4)
    entry = AuditEntry.objects.get(action="jury.final_weights")
    assert (entry.from_state, entry.to_state) == ("1.00/1.00", "3/1")


def test_a_proposal_without_audition_score_keeps_its_written_part(review_call, criteria, staff):
    (heard, unheard), _seat = build(review_call, criteria, staff, [4, 4], [4, None])
    rows = {r.pk: r for r in deliberation_queries.final_ranking(review_call)}
    assert rows[unheard.pk].audition_mean is None
    assert rows[unheard.pk].final == pytest.approx(80.0)
    assert rows[heard.pk].final == pytest.approx(80.0)


def test_final_weights_are_refused_when_both_are_zero(review_call, staff):
    with pytest.raises(TransitionError, match="l'un d'eux au moins"):
        deliberation.set_final_weights(review_call, by=staff, now=NOW, written=0, audition=0)


# --- Decisions --------------------------------------------------------------------------


def test_a_decision_and_its_change_are_audited_with_before_and_after(review_call, criteria, staff):
    (proposal,), _seat = build(review_call, criteria, staff, [4], [4])
    decide(proposal, staff, "selected", justification="Impact fort.")
    decide(proposal, staff, "not_selected", justification="Équipe pas prête.")
    decision = Decision.objects.get(proposal=proposal)
    assert decision.outcome == "not_selected"
    assert decision.justification == "Équipe pas prête."
    first, change = AuditEntry.objects.filter(action__startswith="jury.decision").order_by("pk")
    assert (first.action, first.from_state, first.to_state) == ("jury.decision", "", "selected")
    assert (change.action, change.from_state, change.to_state, change.reason) == (
        "jury.decision_change",
        "selected",
        "not_selected",
        "Équipe pas prête.",
    )
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.SHORTLISTED  # the team sees nothing before results


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"justification": "  "}, "Justifiez"),
        ({"outcome": "maybe"}, "Choisissez la décision"),
        ({"amount": Decimal("1000")}, "n'est accordé qu'à"),
    ],
)
def test_a_decision_needs_an_outcome_and_a_justification(
    review_call, criteria, staff, fields, message
):
    (proposal,), _seat = build(review_call, criteria, staff, [4], [4])
    with pytest.raises(TransitionError, match=message):
        decide(proposal, staff, **fields)
    assert not Decision.objects.exists()


@pytest.mark.parametrize("state", [CallState.AUDITIONS, CallState.RESULTS_PUBLISHED])
def test_decisions_are_taken_only_during_the_deliberation(review_call, criteria, staff, state):
    (proposal,), _seat = build(review_call, criteria, staff, [4], [4])
    set_state(review_call, state)
    with pytest.raises(TransitionError, match="délibération"):
        decide(proposal, staff)


def test_only_the_programme_staff_decide(review_call, criteria, staff):
    (proposal,), seat = build(review_call, criteria, staff, [4], [4])
    for person in (seat.user, proposal.created_by, factories.StaffFactory()):
        with pytest.raises(TransitionError, match="équipe du programme"):
            decide(proposal, person)
    assert not Decision.objects.exists()


def test_a_proposal_left_out_of_the_auditions_is_not_deliberated(review_call, criteria, staff):
    build(review_call, criteria, staff, [4], [4], extra_eligible=1)
    left_out = review_call.proposals.get(state=ProposalState.ELIGIBLE)
    with pytest.raises(TransitionError, match="pas soumise à la délibération"):
        decide(left_out, staff)


def test_a_call_without_auditions_deliberates_on_its_eligible_proposals(review_call, staff):
    proposal = eligible(review_call)[0]
    set_state(review_call, CallState.DELIBERATION)
    assert decide(proposal, staff).outcome == "selected"


def test_a_failure_in_the_middle_of_a_change_leaves_the_previous_decision_whole(
    review_call, criteria, staff, monkeypatch
):
    (proposal,), _seat = build(review_call, criteria, staff, [4], [4])
    decide(proposal, staff, "selected", justification="Impact fort.")
    decision_mails.prepare_decision_mails(review_call, by=staff, now=NOW)

    def broken(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(deliberation.audit, "record", broken)
    with pytest.raises(DatabaseError):
        decide(proposal, staff, "not_selected", justification="Changement")
    decision = Decision.objects.get(proposal=proposal)
    assert (decision.outcome, decision.justification) == ("selected", "Impact fort.")
    assert DecisionMail.objects.filter(proposal=proposal).exists()  # its draft is kept too


# --- FAST: the amount granted -----------------------------------------------------------


@pytest.fixture
def fast(funding_call, criteria, staff):
    proposals, _seat = build(
        funding_call,
        criteria,
        staff,
        [5, 4, 3],
        [5, 4, 3],
        yearly_budget=Decimal("700000"),
        requested_amount=Decimal("300000"),
    )
    return funding_call, proposals


def test_the_amount_is_at_most_half_the_yearly_budget(fast, staff):
    call, (first, *_rest) = fast
    first.yearly_budget = Decimal("400000")
    first.save(update_fields=["yearly_budget"])
    with pytest.raises(TransitionError, match="50 % du budget annuel"):
        decide(first, staff, amount=Decimal("200000.01"))
    assert decide(first, staff, amount=Decimal("200000")).amount_granted == Decimal("200000")


def test_the_amount_is_at_most_the_ceiling_per_project(fast, staff):
    call, (first, *_rest) = fast
    with pytest.raises(TransitionError, match="plafond par projet de 300\u00a0000 €"):
        decide(first, staff, amount=Decimal("300001"))
    assert decide(first, staff, amount=Decimal("300000"))


def test_the_amount_stays_within_what_is_left_of_the_envelope(fast, staff):
    call, (first, second, third) = fast
    decide(first, staff, amount=Decimal("300000"))
    decide(second, staff, amount=Decimal("150000"))
    left = "reste de l'enveloppe de la promotion : 50\u00a0000 €"
    with pytest.raises(TransitionError, match=left):
        decide(third, staff, amount=Decimal("60000"))
    decide(third, staff, amount=Decimal("50000"))
    assert deliberation_queries.envelope_left(call) == Decimal("0")
    # Changing a decision does not count its own earlier amount against itself.
    decide(second, staff, amount=Decimal("140000"))
    # A refusal frees its amount.
    decide(first, staff, "not_selected", justification="Retiré")
    assert deliberation_queries.envelope_left(call) == Decimal("310000")


def test_a_selected_fast_proposal_needs_its_amount_and_known_budget(fast, staff):
    call, (first, second, _third) = fast
    with pytest.raises(TransitionError, match="Indiquez le montant"):
        decide(first, staff)
    second.yearly_budget = None
    second.save(update_fields=["yearly_budget"])
    with pytest.raises(TransitionError, match="budget annuel du projet n'est pas connu"):
        decide(second, staff, amount=Decimal("1000"))
    with pytest.raises(TransitionError, match="n'est accordé qu'à"):
        decide(first, staff, "not_selected", amount=Decimal("1000"))


# --- Publication, outbox, results -------------------------------------------------------


@pytest.fixture
def decided(review_call, criteria, staff):
    (winner, loser), _seat = build(review_call, criteria, staff, [5, 3], [5, 2], extra_eligible=1)
    mate = factories.UserFactory()
    TeamMember.objects.create(proposal=winner, user=mate)
    decide(winner, staff, "selected", justification="Impact et équipe.")
    decide(loser, staff, "not_selected", justification="Pas assez mûr.")
    return review_call, winner, loser, mate


def test_publication_needs_every_decision(review_call, criteria, staff):
    (first, _second), _seat = build(review_call, criteria, staff, [5, 3], [5, 2])
    decide(first, staff)
    with pytest.raises(TransitionError, match="1 candidatures attendent"):
        deliberation.publish_results(review_call, by=staff, now=NOW)
    review_call.refresh_from_db()
    assert review_call.state == CallState.DELIBERATION


def test_publication_shows_each_team_its_decision(decided, staff, client):
    call, winner, loser, mate = decided
    url = reverse("projects:detail", args=[winner.public_id])
    client.force_login(mate)
    assert "Impact et équipe." not in client.get(url).content.decode()
    deliberation.publish_results(call, by=staff, now=NOW)
    states = dict(call.proposals.values_list("pk", "state"))
    assert states[winner.pk] == ProposalState.SELECTED
    assert states[loser.pk] == ProposalState.NOT_SELECTED
    assert sorted(states.values()).count(ProposalState.NOT_SHORTLISTED) == 1
    call.refresh_from_db()
    assert call.state == CallState.RESULTS_PUBLISHED
    page = client.get(url).content.decode()
    assert "Décision du jury : Lauréate" in page
    assert "Impact et équipe." in page
    mine = client.get(reverse("projects:mine")).content.decode()
    assert "Lauréate" in mine
    # The laureate, the team not selected and the one not shortlisted for the auditions.
    assert DecisionMail.objects.filter(state=DecisionMailState.DRAFT).count() == 3
    assert AuditEntry.objects.filter(action="proposal.decision_publish").count() == 2


def test_publication_audits_each_proposal_left_out_of_the_auditions(decided, staff):
    call, winner, loser, _mate = decided
    left_out = call.proposals.get(state=ProposalState.ELIGIBLE)
    deliberation.publish_results(call, by=staff, now=NOW)
    entries = audit.history(left_out)
    assert [(e.from_state, e.to_state, e.actor) for e in entries] == [
        (ProposalState.ELIGIBLE, ProposalState.NOT_SHORTLISTED, staff)
    ]
    assert entries[0].at == NOW
    # Every proposal whose state changed has its entry from → to.
    for proposal in call.proposals.all():
        changes = [(e.from_state, e.to_state) for e in audit.history(proposal) if e.to_state]
        assert changes[0][1] == proposal.state


def test_the_outbox_sends_each_mail_once_through_the_ledger(
    decided, staff, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(NOW, tick=False)
    call, winner, loser, mate = decided
    decision_mails.prepare_decision_mails(call, by=staff, now=NOW)
    with pytest.raises(TransitionError, match="Publiez d'abord"):
        decision_mails.release_decision_mails(call, by=staff, now=NOW)
    draft = DecisionMail.objects.get(proposal=winner)
    assert "lauréate" in draft.body
    assert "Impact et équipe." in draft.body
    decision_mails.edit_decision_mail(
        draft, by=staff, now=NOW, subject="Félicitations", body="Bravo, vous êtes lauréats."
    )
    deliberation.publish_results(call, by=staff, now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        sent = decision_mails.release_decision_mails(call, by=staff, now=NOW)
    assert sent == 3  # with the letter of the team not shortlisted
    left_out = call.proposals.get(state=ProposalState.NOT_SHORTLISTED)
    rows = Reminder.objects.filter(kind=ReminderKind.DECISION_NOTICE)
    assert sorted(rows.values_list("recipient_id", "state")) == sorted(
        [
            (winner.created_by_id, "sent"),
            (mate.pk, "sent"),
            (loser.created_by_id, "sent"),
            (left_out.created_by_id, "sent"),
        ]
    )
    by_address = {m.to[0]: m for m in mail.outbox}
    assert len(mail.outbox) == 4
    assert by_address[mate.email].subject == "Félicitations"
    assert "Bravo, vous êtes lauréats." in by_address[mate.email].body
    assert "Pas assez mûr." in by_address[loser.created_by.email].body
    with pytest.raises(TransitionError, match="Aucun courrier"):
        decision_mails.release_decision_mails(call, by=staff, now=NOW)
    with pytest.raises(TransitionError, match="envoyé"):
        decision_mails.edit_decision_mail(draft, by=staff, now=NOW, subject="x", body="y")
    with django_capture_on_commit_callbacks(execute=True):
        scan_reminders(now=NOW + timedelta(hours=1))
    assert len(mail.outbox) == 4


def test_the_scan_sends_a_released_mail_the_broker_lost(
    decided, staff, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(NOW, tick=False)
    call, winner, _loser, _mate = decided
    deliberation.publish_results(call, by=staff, now=NOW)
    decision_mails.release_decision_mails(call, by=staff, now=NOW)  # queued sends never ran
    assert mail.outbox == []
    time_machine.move_to(NOW + timedelta(minutes=11), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        scan_reminders(now=NOW + timedelta(minutes=11))
    assert len(mail.outbox) == 4  # three teams' members, the not shortlisted one included


def test_the_public_results_page_appears_with_the_funnel_once_published(decided, staff, client):
    call, winner, loser, _mate = decided
    url = reverse("jury:results", args=[call.slug])
    assert client.get(url).status_code == 404
    client.force_login(staff)
    assert client.get(url).status_code == 404  # nobody sees an unpublished result
    deliberation.publish_results(call, by=staff, now=NOW)
    client.logout()
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert winner.title in text
    assert loser.title not in text
    assert '<td data-step="submitted">3</td>' in text
    assert '<td data-step="eligible">3</td>' in text
    assert '<td data-step="auditioned">2</td>' in text
    assert '<td data-step="selected">1</td>' in text
    assert "<svg" in text


# --- Pages per role and their query counts ---------------------------------------------


@pytest.mark.parametrize("name", ["jury:deliberation", "jury:outbox", "jury:auditions"])
def test_the_staff_pages_per_role(decided, staff, client, name):
    call, winner, _loser, _mate = decided
    url = reverse(name, args=[call.slug])
    assert client.get(url).status_code == 302
    juror = call.jury_members.first().user
    for person in (juror, winner.created_by, factories.StaffFactory()):
        client.force_login(person)
        assert client.get(url).status_code == 403
    client.force_login(staff)
    assert client.get(url).status_code == 200


def test_staff_decide_publish_and_send_through_the_pages(
    decided, staff, client, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(NOW, tick=False)
    call, winner, loser, _mate = decided
    client.force_login(staff)
    page = client.get(reverse("jury:deliberation", args=[call.slug])).content.decode()
    assert "Classement final" in page
    response = client.post(
        reverse("jury:decide", args=[loser.public_id]),
        {"outcome": "selected", "justification": ""},
        follow=True,
    )
    assert "Ce champ est obligatoire." in response.content.decode()
    client.post(reverse("jury:publish-results", args=[call.slug]))
    outbox = client.get(reverse("jury:outbox", args=[call.slug])).content.decode()
    assert winner.title in outbox
    mail_ = DecisionMail.objects.get(proposal=winner)
    client.post(
        reverse("jury:outbox-edit", args=[mail_.pk]), {"subject": "Objet revu", "body": "Texte"}
    )
    mail_.refresh_from_db()
    assert mail_.subject == "Objet revu"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("jury:outbox-send", args=[call.slug]))
    assert len(mail.outbox) == 4


def _deliberation_size(call, criteria, staff, n, funding=False):
    proposals, _seat = build(call, criteria, staff, [4] * n, [3] * n)
    for proposal in proposals:
        decide(proposal, staff, "not_selected")
    return proposals


@pytest.mark.parametrize("n", [2, 8])
def test_the_deliberation_page_runs_a_fixed_number_of_queries(
    review_call, criteria, staff, client, django_assert_num_queries, n
):
    _deliberation_size(review_call, criteria, staff, n)
    client.force_login(staff)
    url = reverse("jury:deliberation", args=[review_call.slug])
    client.get(url)
    # The page shows 50 rows: the counts of the undecided ones and of the selections (against
    # the call's laureates target) are queries of their own over the whole call.
    with django_assert_num_queries(13):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("n", [2, 8])
def test_the_outbox_runs_a_fixed_number_of_queries(
    review_call, criteria, staff, client, django_assert_num_queries, n
):
    _deliberation_size(review_call, criteria, staff, n)
    deliberation.publish_results(review_call, by=staff, now=NOW)
    client.force_login(staff)
    url = reverse("jury:outbox", args=[review_call.slug])
    client.get(url)
    # A keyset page of 100 mails, and their counts (all, drafts) in one query of their own.
    with django_assert_num_queries(7):
        assert client.get(url).status_code == 200


def test_the_outbox_pages_follow_each_other_without_gap_or_duplicate_across_ties(
    review_call, staff, client
):
    """230 mails to proposals of three titles: every mail once, over three pages."""
    proposals = [
        factories.ProposalFactory(call=review_call, title=f"Projet {n % 3}", state="not_selected")
        for n in range(230)
    ]
    DecisionMail.objects.bulk_create(
        DecisionMail(proposal=p, subject=f"Courrier {p.pk}", body="…", generated_at=NOW)
        for p in proposals
    )
    client.force_login(staff)
    url = reverse("jury:outbox", args=[review_call.slug])
    seen, link, pages = [], "", 0
    while link is not None:
        html = client.get(url + link).content.decode()
        assert "230 courriers" in html
        seen += re.findall(r"Courrier (\d+)", html)
        found = re.search(r'href="(\?[^"]*apres=[^"]*)">Courriers suivants', html)
        link = found.group(1).replace("&amp;", "&") if found else None
        pages += 1
    assert pages == 3
    assert sorted(map(int, seen)) == sorted(p.pk for p in proposals)


def test_the_admin_lists_the_new_models(client, db):
    admin_user = factories.UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    for name in ("audition", "auditionevaluation", "decision", "decisionmail"):
        assert client.get(reverse(f"admin:projects_{name}_changelist")).status_code == 200
    assert client.get(reverse("admin:calls_auditioncriterion_changelist")).status_code == 200
    assert client.get(reverse("admin:projects_decision_add")).status_code == 403


def test_the_lifecycle_button_does_not_publish_results_behind_the_deliberation(
    decided, staff, client
):
    call, _winner, _loser, _mate = decided
    client.force_login(staff)
    page = client.get(reverse("calls:manage", args=[call.slug])).content.decode()
    assert reverse("jury:deliberation", args=[call.slug]) in page
    client.post(reverse("calls:transition", args=[call.slug]), {"action": "publish_results"})
    call.refresh_from_db()
    assert call.state == CallState.DELIBERATION


def test_a_cohort_formed_from_the_results_takes_the_amounts_granted(fast, staff):
    from cohorts.services.cohorts import form_cohort

    call, (first, second, third) = fast
    decide(first, staff, amount=Decimal("250000"))
    decide(second, staff, amount=Decimal("100000"))
    decide(third, staff, "not_selected")
    deliberation.publish_results(call, by=staff, now=NOW)
    cohort = form_cohort(
        call.programme,
        label="FAST 14",
        starts_on=NOW.date(),
        proposals=[first, second],
        by=staff,
        now=NOW,
    )
    amounts = dict(cohort.laureates.values_list("proposal_id", "funding_granted"))
    assert amounts == {first.pk: Decimal("250000"), second.pk: Decimal("100000")}


def test_a_conflict_declared_after_the_audition_takes_that_score_out(
    review_call, criteria, staff, client
):
    from projects.models import Conflict, JuryMember
    from projects.services import jury

    (proposal,), seat = build(review_call, criteria, staff, [4], [5])
    other = juror_for(review_call, last_name="Conflictuel")
    set_state(review_call, CallState.AUDITIONS)
    grid_ = review_call.audition_criteria.get()
    auditions.score_audition(proposal, by=other.user, now=NOW, scores={grid_.pk: 1})
    set_state(review_call, CallState.DELIBERATION)
    row = deliberation_queries.final_ranking(review_call).get()
    assert row.audition_mean == pytest.approx(3.0)
    jury.add_conflict(
        JuryMember.objects.get(pk=other.pk),
        proposal,
        by=staff,
        type="personal",
        reason="Lien familial découvert",
        now=NOW,
    )
    row = deliberation_queries.final_ranking(review_call).get()
    assert (row.audition_mean, row.audition_count) == (pytest.approx(5.0), 1)
    client.force_login(staff)
    page = client.get(reverse("jury:deliberation", args=[review_call.slug])).content.decode()
    assert seat.user.get_full_name() in page
    assert "Conflictuel" not in page
    assert Conflict.objects.count() == 1


def test_the_deliberation_page_shows_the_most_that_may_be_granted(fast, staff, client):
    call, (first, second, _third) = fast
    decide(first, staff, amount=Decimal("300000"))
    decide(second, staff, amount=Decimal("150000"))
    client.force_login(staff)
    page = client.get(reverse("jury:deliberation", args=[call.slug])).content.decode()
    # 700 000 € of budget: 350 000 € by the share, 300 000 € by the ceiling, and the
    # envelope leaves 50 000 € to the third.
    assert "au plus 300\u00a0000 €" in page
    assert "au plus 200\u00a0000 €" in page  # the second: its own 150 000 € + 50 000 € left
    assert "au plus 50\u00a0000 €" in page
    assert "reste 50\u00a0000 €" in page


def test_a_refused_amount_comes_back_with_what_staff_typed(fast, staff, client):
    call, (first, second, third) = fast
    decide(first, staff, amount=Decimal("300000"))
    decide(second, staff, amount=Decimal("150000"))
    client.force_login(staff)
    response = client.post(
        reverse("jury:decide", args=[third.public_id]),
        {
            "outcome": "selected",
            "justification": "Équipe solide, usage national.",
            "amount_granted": "60000",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "enveloppe de la promotion : 50\u00a0000 €" in html  # the reason, on the page
    assert "Équipe solide, usage national." in html
    assert 'value="60000"' in html
    assert not Decision.objects.filter(proposal=third).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_staff_cannot_both_spend_the_last_of_the_envelope(fast, staff):
    import threading

    from django.db import connections

    call, (first, second, _third) = fast
    decide(first, staff, amount=Decimal("250000"))  # 250 000 € left
    other_staff = factories.StaffFactory(programme=call.programme)
    start = threading.Barrier(2)
    outcomes = []

    def run(proposal, person):
        try:
            start.wait(timeout=10)
            decide(proposal, person, amount=Decimal("200000"))
            outcomes.append("decided")
        except TransitionError as error:
            outcomes.append(str(error))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(second, staff)),
        threading.Thread(target=run, args=(_third, other_staff)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(o == "decided" for o in outcomes) == [False, True]
    assert deliberation_queries.envelope_spent(call) == Decimal("450000")
