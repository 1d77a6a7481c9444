"""The admin cannot bypass the workflow: states and scores are read-only there, and the
transitions it offers are actions that call the services (guarded, audited)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.forms import MultiWidget
from django.urls import reverse
from django.utils import timezone

from calls.enums import CallState
from programme.models import AuditEntry
from projects.enums import DecisionMailState, EvaluationState, ProposalState
from projects.models import Decision, DecisionMail, Evaluation, Proposal, Score
from tests import factories

pytestmark = pytest.mark.django_db


def _change_form_data(client, url) -> dict:
    """What the admin's change form would send back unchanged (inlines included)."""
    response = client.get(url)
    assert response.status_code == 200
    data = {}

    def add(form):
        for bound in form:
            value = bound.value()
            if value is None:
                continue
            if isinstance(bound.field.widget, MultiWidget):  # a date and a time
                for i, part in enumerate(bound.field.widget.decompress(value)):
                    data[f"{bound.html_name}_{i}"] = "" if part is None else str(part)
                continue
            if isinstance(value, list | tuple):
                data[bound.html_name] = [str(v) for v in value]
            elif isinstance(value, bool):
                if value:
                    data[bound.html_name] = "on"
            else:
                data[bound.html_name] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    return data


def _change_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def _changelist(model) -> str:
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")


def test_a_superuser_cannot_set_a_draft_proposal_to_selected(admin_client):
    proposal = factories.ProposalFactory()
    data = _change_form_data(admin_client, _change_url(proposal))
    data["state"] = ProposalState.SELECTED

    response = admin_client.post(_change_url(proposal), data)

    assert response.status_code == 302  # the rest of the form saves
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.DRAFT
    assert not AuditEntry.objects.filter(to_state=ProposalState.SELECTED).exists()


def test_a_superuser_cannot_reopen_an_evaluation_nor_change_its_scores_in_the_form(admin_client):
    assignment = factories.AssignmentFactory()
    criterion = factories.CriterionFactory(call=assignment.juror.call)
    evaluation = Evaluation.objects.create(
        assignment=assignment,
        state=EvaluationState.SUBMITTED,
        total=4.0,
        updated_at=timezone.now(),
        submitted_at=timezone.now(),
    )
    Score.objects.create(evaluation=evaluation, criterion=criterion, value=4)
    data = _change_form_data(admin_client, _change_url(evaluation))
    data["state"] = EvaluationState.DRAFT
    for name in list(data):
        if name.endswith("-value"):
            data[name] = "1"

    admin_client.post(_change_url(evaluation), data)  # refused: the evaluation is read-only

    evaluation.refresh_from_db()
    assert evaluation.state == EvaluationState.SUBMITTED
    assert list(evaluation.scores.values_list("value", flat=True)) == [4]


@pytest.fixture
def decided(db):
    call = factories.CallFactory(state=CallState.DELIBERATION, offers_funding=True)
    proposal = factories.ProposalFactory(call=call, state=ProposalState.SELECTED)
    decision = Decision.objects.create(
        proposal=proposal,
        outcome="selected",
        justification="Projet solide.",
        amount_granted=Decimal("100000"),
        decided_at=timezone.now(),
    )
    mail = DecisionMail.objects.create(
        proposal=proposal, subject="Résultat", body="Bravo.", generated_at=timezone.now()
    )
    return decision, mail


def test_a_superuser_cannot_change_a_decision_nor_release_its_mail_in_the_form(
    admin_client, decided
):
    decision, mail = decided
    admin_client.post(
        _change_url(decision), {"outcome": "not_selected", "amount_granted": "300000"}
    )
    admin_client.post(_change_url(mail), {"state": DecisionMailState.RELEASED})

    decision.refresh_from_db()
    mail.refresh_from_db()
    assert (decision.outcome, decision.amount_granted) == ("selected", Decimal("100000"))
    assert mail.state == DecisionMailState.DRAFT


def test_the_proposal_admin_shows_the_state_read_only(admin_client):
    proposal = factories.ProposalFactory()
    response = admin_client.get(_change_url(proposal))
    assert "state" not in response.context["adminform"].form.fields
    assert "ineligibility_reason" not in response.context["adminform"].form.fields


def _closed_call_with_submitted(n=2):
    call = factories.CallFactory(
        state=CallState.CLOSED,
        opens_at=timezone.now() - timedelta(days=30),
        closes_at=timezone.now() - timedelta(days=1),
    )
    return [
        factories.ProposalFactory(
            call=call, state=ProposalState.SUBMITTED, submitted_at=timezone.now()
        )
        for _ in range(n)
    ]


def test_screening_from_the_admin_goes_through_the_service(admin_client):
    proposals = _closed_call_with_submitted()

    admin_client.post(
        _changelist(Proposal),
        {"action": "mark_eligible", "_selected_action": [p.pk for p in proposals]},
    )

    assert set(Proposal.objects.values_list("state", flat=True)) == {ProposalState.ELIGIBLE}
    assert AuditEntry.objects.filter(action="proposal.screen").count() == 2


def test_an_admin_action_refused_by_the_service_changes_nothing(admin_client):
    (draft,) = _closed_call_with_submitted(1)
    Proposal.objects.filter(pk=draft.pk).update(state=ProposalState.DRAFT)

    response = admin_client.post(
        _changelist(Proposal),
        {"action": "mark_eligible", "_selected_action": [draft.pk]},
        follow=True,
    )

    draft.refresh_from_db()
    assert draft.state == ProposalState.DRAFT
    assert "ne peut pas être examinée" in response.content.decode()


def test_withdrawing_from_the_admin_is_audited(admin_client, admin_user):
    (proposal,) = _closed_call_with_submitted(1)

    admin_client.post(
        _changelist(Proposal), {"action": "withdraw", "_selected_action": [proposal.pk]}
    )

    proposal.refresh_from_db()
    assert proposal.state == ProposalState.WITHDRAWN
    entry = AuditEntry.objects.get(action="proposal.withdraw")
    assert entry.actor == admin_user
    assert entry.from_state == ProposalState.SUBMITTED


def test_reopening_an_evaluation_from_the_admin_goes_through_the_service(admin_client):
    call = factories.CallFactory(state=CallState.REVIEW)
    assignment = factories.AssignmentFactory(juror=factories.JuryMemberFactory(call=call))
    evaluation = Evaluation.objects.create(
        assignment=assignment,
        state=EvaluationState.SUBMITTED,
        updated_at=timezone.now(),
        submitted_at=timezone.now(),
    )

    admin_client.post(
        _changelist(Evaluation), {"action": "reopen", "_selected_action": [evaluation.pk]}
    )

    evaluation.refresh_from_db()
    assert evaluation.state == EvaluationState.DRAFT
    assert AuditEntry.objects.filter(to_state=EvaluationState.DRAFT).exists()


def test_declaring_ineligible_from_the_admin_asks_for_the_reason_then_calls_the_service(
    admin_client,
):
    proposals = _closed_call_with_submitted()
    selection = {"action": "mark_ineligible", "_selected_action": [p.pk for p in proposals]}

    response = admin_client.post(_changelist(Proposal), selection)
    assert response.status_code == 200
    assert "Motif d" in response.content.decode()
    assert set(Proposal.objects.values_list("state", flat=True)) == {ProposalState.SUBMITTED}

    admin_client.post(_changelist(Proposal), selection | {"apply": "1", "reason": "Hors sujet."})

    assert set(Proposal.objects.values_list("state", flat=True)) == {ProposalState.INELIGIBLE}
    entries = AuditEntry.objects.filter(action="proposal.screen", reason="Hors sujet.")
    assert entries.count() == 2
