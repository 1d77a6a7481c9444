"""The jury's services: conflicts, assignment, evaluations."""

import pytest

from calls.enums import CallState
from programme.exceptions import TransitionError
from programme.models import AuditEntry
from projects.enums import ConflictKind, ConflictType, EvaluationState
from projects.models import Assignment, Conflict, Evaluation
from projects.queries import jury as jury_queries
from projects.services import jury
from tests import factories
from tests.projects import jury_fixtures
from tests.projects.jury_fixtures import NOW, eligible, full_scores, juror_for, submit

pytestmark = pytest.mark.django_db

review_call = jury_fixtures.review_call
criteria = jury_fixtures.criteria


# --- Conflicts ----------------------------------------------------------------------------


def test_a_juror_of_the_candidates_structure_is_in_conflict_automatically(review_call, staff):
    (proposal,) = eligible(review_call)
    user = factories.UserFactory(structure=proposal.structure)
    seat = jury.add_juror(review_call, user, by=staff, now=NOW)
    conflict = Conflict.objects.get(juror=seat, proposal=proposal)
    assert conflict.kind == ConflictKind.AUTOMATIC
    assert conflict.type == ConflictType.STRUCTURE
    assert AuditEntry.objects.filter(action="jury.add_juror").exists()


def test_declared_conflict_removes_an_unscored_assignment_and_is_audited(review_call):
    seat = juror_for(review_call)
    (proposal,) = eligible(review_call)
    Assignment.objects.create(juror=seat, proposal=proposal, created_at=NOW)
    jury.declare_conflict(
        proposal, by=seat.user, type=ConflictType.PERSONAL, reason="Ma cousine", now=NOW
    )
    assert not Assignment.objects.filter(juror=seat, proposal=proposal).exists()
    assert AuditEntry.objects.filter(action="jury.conflict_declared", reason="Ma cousine").exists()
    with pytest.raises(TransitionError, match="déjà enregistré"):
        jury.declare_conflict(
            proposal, by=seat.user, type=ConflictType.PERSONAL, reason="Encore", now=NOW
        )


def test_only_a_juror_of_the_call_declares_and_needs_a_reason(review_call):
    (proposal,) = eligible(review_call)
    with pytest.raises(TransitionError, match="ne siégez pas"):
        jury.declare_conflict(
            proposal, by=factories.UserFactory(), type="other", reason="x", now=NOW
        )
    seat = juror_for(review_call)
    with pytest.raises(TransitionError, match="motif"):
        jury.declare_conflict(proposal, by=seat.user, type="other", reason=" ", now=NOW)


def test_staff_lift_a_conflict_with_a_reason_and_it_is_not_recreated(review_call, staff):
    (proposal,) = eligible(review_call)
    seat = jury.add_juror(
        review_call, factories.UserFactory(structure=proposal.structure), by=staff, now=NOW
    )
    conflict = Conflict.objects.get(juror=seat)
    with pytest.raises(TransitionError, match="pourquoi"):
        jury.lift_conflict(conflict, by=staff, reason="", now=NOW)
    with pytest.raises(TransitionError, match="équipe du programme"):
        jury.lift_conflict(conflict, by=seat.user, reason="Non", now=NOW)
    jury.lift_conflict(conflict, by=staff, reason="Service différent en réalité", now=NOW)
    conflict.refresh_from_db()
    assert conflict.lifted_at == NOW
    assert conflict.lifted_by == staff
    with pytest.raises(TransitionError, match="déjà levé"):
        jury.lift_conflict(conflict, by=staff, reason="Encore", now=NOW)
    jury.run_assignment(review_call, by=staff, now=NOW, k=1)
    assert not Conflict.objects.filter(juror=seat, lifted_at__isnull=True).exists()
    assert Assignment.objects.filter(juror=seat, proposal=proposal).exists()


# --- Assignment ---------------------------------------------------------------------------


def test_assignment_gives_k_jurors_none_conflicted_loads_within_one(review_call, staff):
    seats = [juror_for(review_call) for _ in range(5)]
    proposals = eligible(review_call, 8)
    factories.ProposalFactory(call=review_call, state="ineligible")
    jury.declare_conflict(proposals[0], by=seats[0].user, type="other", reason="Ami", now=NOW)
    result = jury.run_assignment(review_call, by=staff, now=NOW, k=3)
    assert result.spread <= 1
    for proposal in proposals:
        assert Assignment.objects.filter(proposal=proposal).count() == 3
    assert not Assignment.objects.filter(juror=seats[0], proposal=proposals[0]).exists()
    loads = [Assignment.objects.filter(juror=s).count() for s in seats]
    assert max(loads) - min(loads) <= 1
    assert Assignment.objects.count() == 24  # the ineligible proposal gets nobody
    assert AuditEntry.objects.filter(action="jury.assign").count() == 1


def test_rerun_after_a_new_conflict_keeps_what_is_scored(review_call, staff, criteria):
    seats = [juror_for(review_call) for _ in range(4)]
    proposals = eligible(review_call, 4)
    jury.run_assignment(review_call, by=staff, now=NOW, k=2)
    scored = Assignment.objects.filter(juror=seats[0]).first()
    submit(scored, criteria, 4, 3)
    other = Assignment.objects.filter(juror=seats[1]).exclude(proposal=scored.proposal).first()
    jury.declare_conflict(other.proposal, by=seats[1].user, type="other", reason="Ami", now=NOW)
    jury.run_assignment(review_call, by=staff, now=NOW, k=2)
    assert Assignment.objects.filter(pk=scored.pk).exists()
    assert not Assignment.objects.filter(juror=seats[1], proposal=other.proposal).exists()
    for proposal in proposals:
        assert Assignment.objects.filter(proposal=proposal).count() == 2


def test_assignment_needs_staff_and_a_closed_call(review_call, staff):
    with pytest.raises(TransitionError, match="équipe du programme"):
        jury.run_assignment(review_call, by=factories.UserFactory(), now=NOW)
    review_call.state = CallState.DELIBERATION
    review_call.save()
    with pytest.raises(TransitionError, match="clos"):
        jury.run_assignment(review_call, by=staff, now=NOW)


def test_move_assignment_refuses_a_conflicted_juror(review_call, staff, criteria):
    first, second, third = (juror_for(review_call) for _ in range(3))
    (proposal,) = eligible(review_call)
    assignment = Assignment.objects.create(juror=first, proposal=proposal, created_at=NOW)
    jury.declare_conflict(proposal, by=second.user, type="other", reason="Ami", now=NOW)
    with pytest.raises(TransitionError, match="conflit"):
        jury.move_assignment(assignment, second, by=staff, now=NOW)
    jury.move_assignment(assignment, third, by=staff, now=NOW)
    assignment.refresh_from_db()
    assert assignment.juror == third
    submit(assignment, criteria, 1, 1)
    with pytest.raises(TransitionError, match="commencée"):
        jury.move_assignment(assignment, first, by=staff, now=NOW)


# --- Evaluations --------------------------------------------------------------------------


@pytest.fixture
def assignment(review_call):
    (proposal,) = eligible(review_call)
    return Assignment.objects.create(
        juror=juror_for(review_call), proposal=proposal, created_at=NOW
    )


def test_draft_then_submit_locks_and_keeps_the_version(assignment, criteria, staff):
    user = assignment.juror.user
    draft = jury.save_evaluation(
        assignment, by=user, now=NOW, scores={criteria[0].pk: (4, "Fort")}, comment="À suivre"
    )
    assert draft.state == EvaluationState.DRAFT
    with pytest.raises(TransitionError, match="il manque : Maturité"):
        jury.submit_evaluation(
            assignment, by=user, now=NOW, scores={criteria[0].pk: (4, "")}, recommendation="yes"
        )
    with pytest.raises(TransitionError, match="recommandation"):
        jury.submit_evaluation(
            assignment, by=user, now=NOW, scores=full_scores(criteria, 4, 1), recommendation=""
        )
    evaluation = submit(assignment, criteria, 4, 1)
    assert evaluation.state == EvaluationState.SUBMITTED
    assert evaluation.total == pytest.approx((2 * 4 + 1) / 3)
    assert evaluation.versions.get().content["scores"][str(criteria[0].pk)]["value"] == 4
    with pytest.raises(TransitionError, match="ne change plus"):
        jury.save_evaluation(assignment, by=user, now=NOW, scores={})
    jury.reopen_evaluation(evaluation, by=staff, reason="Après discussion", now=NOW)
    evaluation = submit(assignment, criteria, 2, 1)
    assert [v.content["total"] for v in evaluation.versions.all()] == [
        pytest.approx(3.0),
        pytest.approx(5 / 3),
    ]
    assert evaluation.version == 2


def test_not_applicable_is_missing_never_zero(assignment, criteria):
    call = assignment.juror.call
    with pytest.raises(TransitionError, match="non applicable"):
        submit(assignment, criteria, 4, None)
    call.allows_not_applicable = True
    call.save()
    evaluation = submit(assignment, criteria, 4, None)
    assert evaluation.total == 4.0  # not (2*4 + 0) / 3


def test_scores_stay_on_the_scale_and_only_the_assigned_juror_scores(assignment, criteria):
    with pytest.raises(TransitionError, match="de 0 à 5"):
        submit(assignment, criteria, 6, 1)
    with pytest.raises(TransitionError, match="pas la vôtre"):
        jury.save_evaluation(assignment, by=factories.UserFactory(), now=NOW, scores={})


def test_a_conflicted_juror_cannot_score(assignment, criteria):
    submit_args = {"by": assignment.juror.user, "now": NOW, "scores": {}}
    Conflict.objects.create(
        juror=assignment.juror,
        proposal=assignment.proposal,
        kind="staff",
        type="other",
        created_at=NOW,
    )
    with pytest.raises(TransitionError, match="conflit"):
        jury.save_evaluation(assignment, **submit_args)
    assert not Evaluation.objects.exists()
    assert jury_queries.assignment_for(assignment.juror.user, assignment.proposal.public_id) is None


def test_scoring_only_while_the_call_is_under_review(assignment, criteria):
    call = assignment.juror.call
    call.state = CallState.DELIBERATION
    call.save()
    with pytest.raises(TransitionError, match="pas ouvertes"):
        submit(assignment, criteria, 1, 1)


def test_only_staff_reopen(assignment, criteria):
    evaluation = submit(assignment, criteria, 3, 3)
    with pytest.raises(TransitionError, match="équipe du programme"):
        jury.reopen_evaluation(evaluation, by=assignment.juror.user, reason="", now=NOW)
