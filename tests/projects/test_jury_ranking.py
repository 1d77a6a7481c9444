"""The ranking computed by the database, against a hand-computed example and the pure maths."""

import math
from datetime import UTC, datetime, timedelta

import pytest

from projects.enums import EvaluationState
from projects.models import Assignment, Conflict, Evaluation, Proposal, Score
from projects.queries import ranking
from projects.services import assignment as maths
from projects.services import jury
from tests import factories
from tests.projects import jury_fixtures
from tests.projects.jury_fixtures import NOW, eligible, juror_for, submit

pytestmark = pytest.mark.django_db

review_call = jury_fixtures.review_call
criteria = jury_fixtures.criteria


def _score_all(call, criteria, table):
    """table: {juror: [(impact, maturity) per proposal, or None]} over the same proposals."""
    proposals = eligible(call, len(next(iter(table.values()))))
    for seat, rows in table.items():
        for proposal, values in zip(proposals, rows, strict=True):
            if values is None:
                continue
            assignment = Assignment.objects.create(juror=seat, proposal=proposal, created_at=NOW)
            submit(assignment, criteria, *values)
    return proposals


def _pure_ranking(call, criteria):
    """The same ranking by projects.services.assignment, from the rows the database holds."""
    totals: dict[int, dict[int, float]] = {}
    per_criterion: dict[tuple[int, int], list[float]] = {}
    for evaluation in ranking.counted_evaluations(call).select_related("assignment"):
        a = evaluation.assignment
        totals.setdefault(a.juror_id, {})[a.proposal_id] = evaluation.total
        for score in evaluation.scores.all():
            if score.value is not None:
                per_criterion.setdefault((a.proposal_id, score.criterion_id), []).append(
                    score.value
                )
    z = maths.mean_by_proposal(maths.zscores(totals, min_scores=5))
    proposals = Proposal.objects.filter(call=call, state="eligible")
    standings = [
        maths.Standing(
            p.pk,
            z.get(p.pk),
            tuple(
                (sum(v) / len(v)) if (v := per_criterion.get((p.pk, c.pk))) else None
                for c in criteria
            ),
            p.submitted_at,
        )
        for p in proposals
    ]
    return [(s.proposal, s.score) for s in maths.rank(standings)]


def test_hand_computed_z_scores(review_call, criteria):
    lenient, harsh, flat = (juror_for(review_call) for _ in range(3))
    # Both criteria get the same value, so each total is that value.
    proposals = _score_all(
        review_call,
        criteria,
        {
            lenient: [(5, 5), (4, 4), (3, 3), (2, 2), (1, 1)],
            harsh: [(3, 3), (3, 3), (2, 2), (2, 2), (0, 0)],
            flat: [(4, 4)] * 5,  # no spread: left out of the calibrated mean
        },
    )
    rows = {p.pk: p for p in ranking.ranked(review_call)}
    # lenient: mean 3, sd sqrt(2); harsh: mean 2, sd sqrt(1.2); flat: left out.
    sd_l, sd_h = math.sqrt(2), math.sqrt(1.2)
    expected = [
        (2 / sd_l + 1 / sd_h) / 2,
        (1 / sd_l + 1 / sd_h) / 2,
        (0 + 0) / 2,
        (-1 / sd_l + 0) / 2,
        (-2 / sd_l - 2 / sd_h) / 2,
    ]
    for proposal, z in zip(proposals, expected, strict=True):
        assert rows[proposal.pk].z_mean == pytest.approx(z)
        assert rows[proposal.pk].z_count == 2
    assert rows[proposals[0].pk].raw_mean == pytest.approx(4.0)
    assert rows[proposals[4].pk].spread == pytest.approx(4.0)
    assert rows[proposals[4].pk].flagged
    assert not rows[proposals[1].pk].flagged
    assert [p.pk for p in ranking.ranked(review_call)] == [p.pk for p in proposals]
    assert [(p.pk, pytest.approx(p.z_mean)) for p in ranking.ranked(review_call)] == (
        _pure_ranking(review_call, criteria)
    )


def test_a_juror_with_fewer_than_five_scores_is_left_out_of_the_calibrated_mean(
    review_call, criteria
):
    seat = juror_for(review_call)
    proposals = _score_all(review_call, criteria, {seat: [(5, 5), (1, 1), (3, 3), (2, 2)]})
    rows = {p.pk: p for p in ranking.ranked(review_call)}
    assert [rows[p.pk].z_mean for p in proposals] == [None] * 4
    assert [rows[p.pk].z_count for p in proposals] == [0] * 4
    assert [rows[p.pk].raw_mean for p in proposals] == [5, 1, 3, 2]


def test_a_late_juror_with_one_score_does_not_put_a_proposal_first(review_call, criteria):
    regular, other, late = (juror_for(review_call) for _ in range(3))
    # Two jurors score all five; the late one scores only the second proposal, 4/5. Averaged
    # raw with the others' z-scores, (0.71 + 0.71 + 4) / 3 = 1.80 would beat the first (1.41).
    proposals = _score_all(
        review_call,
        criteria,
        {
            regular: [(5, 5), (4, 4), (3, 3), (2, 2), (1, 1)],
            other: [(5, 5), (4, 4), (3, 3), (2, 2), (1, 1)],
            late: [None, (4, 4), None, None, None],
        },
    )
    ranked = list(ranking.ranked(review_call))
    assert [p.pk for p in ranked] == [p.pk for p in proposals]
    rows = {p.pk: p for p in ranked}
    assert rows[proposals[1].pk].z_count == 2  # the late juror's score is left out
    assert rows[proposals[1].pk].received == 3
    assert rows[proposals[1].pk].z_mean == pytest.approx(1 / math.sqrt(2))
    assert [(p.pk, pytest.approx(p.z_mean)) for p in ranked] == _pure_ranking(review_call, criteria)


def test_ties_broken_by_criteria_in_order_then_submission_then_id(review_call, criteria):
    seat = juror_for(review_call)
    # Totals: (2*4+1)/3 = 3 and (2*3+3)/3 = 3 for the last three.
    proposals = _score_all(review_call, criteria, {seat: [(3, 3), (4, 1), (3, 3), (5, 5)]})
    proposals[0].submitted_at = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)  # earliest
    proposals[0].save(update_fields=["submitted_at"])
    proposals[2].submitted_at = proposals[0].submitted_at
    proposals[2].save(update_fields=["submitted_at"])
    order = [p.pk for p in ranking.ranked(review_call)]
    # 5 first; then (4, 1) on the first criterion; then the two (3, 3) by submission then id.
    assert order == [proposals[3].pk, proposals[1].pk, proposals[0].pk, proposals[2].pk]
    assert order == [pk for pk, _z in _pure_ranking(review_call, criteria)]


def test_not_applicable_counts_as_missing_in_the_ranking(review_call, criteria):
    review_call.allows_not_applicable = True
    review_call.save()
    seat = juror_for(review_call)
    (proposal,) = _score_all(review_call, criteria, {seat: [(4, None)]})
    row = ranking.ranked(review_call).get(pk=proposal.pk)
    assert row.raw_mean == 4.0
    assert getattr(row, ranking.criterion_key(criteria[1])) is None


def test_conflicted_and_draft_evaluations_never_count(review_call, criteria, staff):
    first, second = juror_for(review_call), juror_for(review_call)
    (proposal,) = _score_all(review_call, criteria, {first: [(5, 5)], second: [(1, 1)]})
    jury.save_evaluation(
        Assignment.objects.create(juror=juror_for(review_call), proposal=proposal, created_at=NOW),
        by=Assignment.objects.latest("pk").juror.user,
        now=NOW,
        scores={},
    )
    Conflict.objects.create(
        juror=second, proposal=proposal, kind="staff", type="other", created_at=NOW
    )
    row = ranking.ranked(review_call).get(pk=proposal.pk)
    assert (row.received, row.expected, row.raw_mean) == (1, 2, 5.0)


def _bulk_call(call, criteria, n_proposals, n_jurors=30, k=3):
    """n proposals x k submitted evaluations, written in bulk."""
    seats = [juror_for(call) for _ in range(n_jurors)]
    owner = factories.UserFactory()
    start = datetime(2026, 3, 10, tzinfo=UTC)
    Proposal.objects.bulk_create(
        Proposal(
            call=call,
            title=f"Projet {i}",
            state="eligible",
            created_by=owner,
            sequence=i + 1,
            submitted_at=start + timedelta(minutes=i),
        )
        for i in range(n_proposals)
    )
    proposal_ids = list(Proposal.objects.filter(call=call).values_list("pk", flat=True))
    Assignment.objects.bulk_create(
        Assignment(juror=seats[(i + j) % n_jurors], proposal_id=pk, created_at=NOW)
        for i, pk in enumerate(proposal_ids)
        for j in range(k)
    )
    assignments = list(Assignment.objects.filter(juror__call=call).values_list("pk", flat=True))
    Evaluation.objects.bulk_create(
        Evaluation(
            assignment_id=pk,
            state=EvaluationState.SUBMITTED,
            total=float(pk % 6),
            recommendation="yes",
            version=1,
            updated_at=NOW,
            submitted_at=NOW,
        )
        for pk in assignments
    )
    Score.objects.bulk_create(
        Score(evaluation_id=pk, criterion=c, value=(pk + c.pk) % 6)
        for pk in Evaluation.objects.filter(assignment__juror__call=call).values_list(
            "pk", flat=True
        )
        for c in criteria
    )


@pytest.mark.parametrize("n", [10, 100])
def test_the_ranking_runs_a_fixed_number_of_queries(
    review_call, criteria, n, django_assert_num_queries
):
    _bulk_call(review_call, criteria, n)
    with django_assert_num_queries(3):  # the criteria, the jurors' statistics, the ranking
        rows = list(ranking.ranked(review_call))
    assert len(rows) == n
    assert all(r.received == 3 for r in rows)


def test_ten_thousand_proposals_rank_in_a_fixed_number_of_queries(
    review_call, criteria, django_assert_num_queries
):
    _bulk_call(review_call, criteria, 10_000, n_jurors=300)
    with django_assert_num_queries(4):  # criteria, jurors' statistics, count, one page
        queryset = ranking.ranked(review_call)
        total = queryset.count()
        page = list(queryset[:50])
    assert total == 10_000
    assert len(page) == 50
    assert all(row.received == row.expected == 3 for row in page)


def test_the_page_ranking_is_the_bias_model_computed_from_scratch(
    review_call, criteria, django_assert_num_queries
):
    """`call_ranking` (what the page shows and what issue 16 will store) equals the model
    fitted from the database's rows by the pure function, in its documented order; a
    lenient juror with only two scores no longer hides a proposal (finding 5)."""
    regular, other, late = (juror_for(review_call) for _ in range(3))
    proposals = _score_all(
        review_call,
        criteria,
        {
            regular: [(4, 4), (3, 3), (2, 2), (1, 1)],
            other: [(4, 4), (2, 2), (3, 3), (1, 1)],
            late: [None, None, (5, 5), (5, 5)],
        },
    )
    with django_assert_num_queries(3):  # jurors' statistics, the ranking, the model's scores
        rows = ranking.call_ranking(review_call, criteria)
    fit = maths.fit_additive(
        (a.proposal_id, a.juror_id, e.total)
        for e in ranking.counted_evaluations(review_call).select_related("assignment")
        for a in [e.assignment]
    )
    assert [r.pk for r in rows] == sorted(
        (p.pk for p in proposals), key=lambda pk: (-fit.quality[pk], pk)
    )
    for row in rows:
        assert row.model == pytest.approx(fit.quality[row.pk])
        assert row.model_count == fit.count[row.pk]
        assert row.band == pytest.approx(fit.band[row.pk])
    assert [r.rank for r in rows] == [1, 2, 3, 4]
    # No juror has five scores: no z-score, but the model rests on every score.
    assert all(r.z_count == 0 for r in rows)
    assert [r.model_count for r in sorted(rows, key=lambda r: r.pk)] == [2, 2, 3, 3]
    assert fit.leniency[late.pk] > 0
