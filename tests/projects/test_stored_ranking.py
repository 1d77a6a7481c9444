"""The stored ranking (projects.services.rankings) against the ranking computed from scratch
(projects.queries.ranking.call_ranking), after random sequences of the changes it reads."""

import math
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calls.enums import CallState
from projects.enums import ConflictType, EvaluationState
from projects.models import Assignment, Conflict, Evaluation, RankingRow, RankingState
from projects.queries import ranking
from projects.services import jury, rankings
from tests.projects import jury_fixtures
from tests.projects.jury_fixtures import NOW, eligible, juror_for, submit

pytestmark = pytest.mark.django_db

review_call = jury_fixtures.review_call
criteria = jury_fixtures.criteria

FIGURES = ("rank", "model", "model_count", "band", *rankings.LOCAL_FIELDS)


def _close(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and math.isclose(a, b, abs_tol=1e-9)
    return a == b


def _stored(call) -> dict[int, dict]:
    return {
        row.proposal_id: {field: getattr(row, field) for field in FIGURES}
        for row in RankingRow.objects.filter(call=call)
    }


def _from_scratch(call, fields=FIGURES) -> dict[int, dict]:
    criteria = list(call.criteria.all())
    return {row.pk: rankings._figures(row, criteria, fields) for row in ranking.call_ranking(call)}


def _differences(stored: dict, expected: dict, fields=FIGURES) -> list:
    if stored.keys() != expected.keys():
        return [("proposals", sorted(stored), sorted(expected))]
    out = []
    for pk, figures in expected.items():
        for field in fields:
            a, b = stored[pk][field], figures[field]
            if field == "criterion_means":
                same = a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
            else:
                same = _close(a, b)
            if not same:
                out.append((pk, field, a, b))
    return out


def _call_with_panel(programme, *, jurors=4, proposals=6):
    call = jury_fixtures.make_review_call(programme)
    seats = [juror_for(call) for _ in range(jurors)]
    items = eligible(call, proposals)
    # Each proposal before three jurors, loads within one.
    for i, proposal in enumerate(items):
        for k in range(3):
            Assignment.objects.create(
                juror=seats[(i + k) % jurors], proposal=proposal, created_at=NOW
            )
    rankings.refresh(call, now=NOW)
    return call, seats, items


# One step: (what, a, b, c) with small integers the step maps onto the call's objects.
STEPS = st.lists(
    st.tuples(
        st.sampled_from(["submit", "submit", "submit", "reopen", "conflict", "lift", "threshold"]),
        st.integers(0, 20),
        st.integers(0, 5),
        st.integers(0, 5),
    ),
    min_size=1,
    max_size=15,
)


def _apply(step, call, seats, items, staff, at):
    what, a, b, c = step
    assignments = list(Assignment.objects.filter(juror__call=call).order_by("pk"))
    if what == "submit" and assignments:
        assignment = assignments[a % len(assignments)]
        evaluation = Evaluation.objects.filter(assignment=assignment).first()
        if evaluation is None or evaluation.state == EvaluationState.DRAFT:
            submit(assignment, list(call.criteria.all()), b, c, now=at)
            return [assignment.proposal_id]
    elif what == "reopen":
        submitted = list(
            Evaluation.objects.filter(
                assignment__juror__call=call, state=EvaluationState.SUBMITTED
            ).order_by("pk")
        )
        if submitted:
            evaluation = submitted[a % len(submitted)]
            jury.reopen_evaluation(evaluation, by=staff, reason="À revoir", now=at)
            return [evaluation.assignment.proposal_id]
    elif what == "conflict":
        seat, proposal = seats[a % len(seats)], items[b % len(items)]
        if not Conflict.objects.filter(juror=seat, proposal=proposal, lifted_at=None).exists():
            jury.add_conflict(
                seat, proposal, by=staff, type=ConflictType.OTHER, reason="Lien", now=at
            )
            return [proposal.pk]
    elif what == "lift":
        active = list(Conflict.objects.filter(juror__call=call, lifted_at=None).order_by("pk"))
        if active:
            conflict = active[a % len(active)]
            jury.lift_conflict(conflict, by=staff, reason="Levé", now=at)
            return [conflict.proposal_id]
    elif what == "threshold" and call.disagreement_threshold != Decimal(b) / 2:
        jury.update_jury_settings(
            call,
            by=staff,
            now=at,
            hide_juror_names=call.hide_juror_names,
            allows_not_applicable=call.allows_not_applicable,
            disagreement_threshold=Decimal(b) / 2,
        )
        return []
    return None


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=STEPS, run_after=st.lists(st.booleans(), min_size=15, max_size=15))
def test_the_stored_ranking_equals_the_ranking_from_scratch(programme, staff, steps, run_after):
    """After each change, the changed proposals' own figures are exact at once (in the same
    transaction); the queued refreshes run at random moments, several collapsing into one;
    once they have all run, every row equals the ranking computed from scratch."""
    call, seats, items = _call_with_panel(programme)
    pending = []
    for i, step in enumerate(steps):
        at = NOW + timedelta(minutes=i)
        with TestCase.captureOnCommitCallbacks() as queued:
            touched = _apply(step, call, seats, items, staff, at)
        pending += queued
        if touched:
            stored, expected = _stored(call), _from_scratch(call, rankings.LOCAL_FIELDS)
            for pk in touched:
                assert pk in stored
                assert not _differences(
                    {pk: stored[pk]}, {pk: expected[pk]}, rankings.LOCAL_FIELDS
                ), step
        if touched is not None:
            assert not RankingState.objects.get(call=call).current
        if run_after[i] and pending:
            pending.pop()()  # the latest refresh; the earlier ones find nothing to do
    for refresh in pending:
        refresh()
    assert RankingState.objects.get(call=call).current
    assert not _differences(_stored(call), _from_scratch(call))


def test_a_refresh_overtaken_by_a_newer_one_keeps_the_newer(
    review_call, criteria, staff, monkeypatch
):
    """A refresh that computed from older data does not overwrite the rows that a later
    refresh wrote while it was computing."""
    seats = [juror_for(review_call) for _ in range(2)]
    [first, second] = eligible(review_call, 2)
    a = Assignment.objects.create(juror=seats[0], proposal=first, created_at=NOW)
    b = Assignment.objects.create(juror=seats[1], proposal=second, created_at=NOW)
    submit(a, criteria, 2, 2)
    real = ranking.score_counts

    def meanwhile(call):
        monkeypatch.setattr(ranking, "score_counts", real)
        submit(b, criteria, 5, 5)  # a change, then its own refresh, while the first computes
        assert rankings.refresh(review_call, now=NOW)
        return real(call)

    monkeypatch.setattr(ranking, "score_counts", meanwhile)
    assert rankings.refresh(review_call, now=NOW) is False  # its result was older: dropped
    assert not _differences(_stored(review_call), _from_scratch(review_call))
    assert RankingRow.objects.get(proposal=second).rank == 1


def test_a_current_ranking_is_not_computed_again(review_call, criteria, django_assert_num_queries):
    [proposal] = eligible(review_call, 1)
    submit(
        Assignment.objects.create(juror=juror_for(review_call), proposal=proposal, created_at=NOW),
        criteria,
        3,
        3,
    )
    assert rankings.refresh(review_call, now=NOW)
    with django_assert_num_queries(1):  # reads its state, finds it current
        assert rankings.refresh(review_call, now=NOW) is False


def test_a_proposal_leaving_the_jury_leaves_the_ranking(review_call, criteria, staff):
    """Staff correct a screening (eligible, then found ineligible): its line goes at once."""
    [kept, withdrawn] = eligible(review_call, 2)
    rankings.refresh(review_call, now=NOW)
    assert RankingRow.objects.filter(call=review_call).count() == 2
    review_call.state = CallState.CLOSED
    review_call.save(update_fields=["state"])
    from projects.services import screening

    screening.mark_ineligible(withdrawn, by=staff, now=NOW, reason="Hors du champ de l'appel")
    assert list(RankingRow.objects.filter(call=review_call).values_list("proposal", flat=True)) == [
        kept.pk
    ]


def test_the_ranking_page_says_when_it_is_catching_up(client, review_call, criteria, staff):
    seat = juror_for(review_call)
    [proposal] = eligible(review_call, 1)
    rankings.refresh(review_call, now=NOW)
    with TestCase.captureOnCommitCallbacks() as queued:  # the refresh is queued, not run
        submit(
            Assignment.objects.create(juror=seat, proposal=proposal, created_at=NOW), criteria, 4, 2
        )
    client.force_login(staff)
    url = reverse("jury:ranking", args=[review_call.slug])
    page = client.get(url).content.decode()
    assert "Classement en cours de mise à jour" in page
    assert "3,33" in page  # the proposal's own line already counts the new evaluation
    for refresh in queued:
        refresh()
    page = client.get(url).content.decode()
    assert "Classement en cours de mise à jour" not in page
    assert "Classement calculé le" in page


def test_the_command_recomputes_a_call_and_refuses_an_unknown_one(review_call, criteria, capsys):
    eligible(review_call, 3)
    call_command("recompute_ranking", review_call.slug)
    assert "3 ligne(s) recalculée(s)" in capsys.readouterr().out
    assert RankingState.objects.get(call=review_call).current
    with pytest.raises(Exception, match="Appel inconnu : nulle-part"):
        call_command("recompute_ranking", "nulle-part")
    with pytest.raises(Exception, match="--all"):
        call_command("recompute_ranking")


def test_the_beat_catches_up_a_lost_refresh(review_call, criteria):
    from projects.tasks import refresh_stale_rankings

    [proposal] = eligible(review_call, 1)
    rankings.refresh(review_call, now=NOW)
    with TestCase.captureOnCommitCallbacks():  # the queued refresh is lost
        submit(
            Assignment.objects.create(
                juror=juror_for(review_call), proposal=proposal, created_at=NOW
            ),
            criteria,
            3,
            3,
        )
    assert list(rankings.stale_calls()) == [review_call]
    assert refresh_stale_rankings() == 1
    assert list(rankings.stale_calls()) == []
    assert not _differences(_stored(review_call), _from_scratch(review_call))


def test_the_shortlist_page_reads_the_ranking_page_by_page(
    client, review_call, criteria, staff, monkeypatch
):
    """The auditions' shortlist lists the eligible proposals in the stored ranking's order,
    a page at a time, each with its rank; the next page follows without overlap."""
    from projects.views import auditions as audition_views

    monkeypatch.setattr(audition_views, "SHORTLIST_PAGE_SIZE", 2)
    seat = juror_for(review_call)
    proposals = eligible(review_call, 3)
    for proposal, value in zip(proposals, (2, 5, 3), strict=True):
        assignment = Assignment.objects.create(juror=seat, proposal=proposal, created_at=NOW)
        submit(assignment, criteria, value, value)
    review_call.state = CallState.AUDITIONS
    review_call.save(update_fields=["state"])
    client.force_login(staff)
    url = reverse("jury:auditions", args=[review_call.slug])
    first = client.get(url).content.decode()
    best, second, last = proposals[1], proposals[2], proposals[0]
    assert best.title in first
    assert second.title in first
    assert last.title not in first
    assert first.index(best.title) < first.index(second.title)
    next_url = first.split("fr-pagination__link--next", 1)[1].split('href="', 1)[1].split('"')[0]
    following = client.get(url + next_url.replace("&amp;", "&")).content.decode()
    assert last.title in following
    assert best.title not in following
    assert "<td>3</td>" in following  # its rank in the whole ranking


@pytest.mark.postgres
def test_a_calls_first_rows_refresh_the_tables_statistics(review_call, criteria):
    """On PostgreSQL, a call's first stored rows are followed by ANALYZE once committed: the
    planner took the table for empty and joined the deliberation to it by a loop (0.6 s)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    eligible(review_call, 3)
    with CaptureQueriesContext(connection) as q, TestCase.captureOnCommitCallbacks(execute=True):
        rankings.refresh(review_call, now=NOW)
    assert any(query["sql"].startswith("ANALYZE") for query in q.captured_queries)
    with CaptureQueriesContext(connection) as q, TestCase.captureOnCommitCallbacks(execute=True):
        rankings.refresh(review_call, now=NOW, force=True)
    assert not any(query["sql"].startswith("ANALYZE") for query in q.captured_queries)


def test_shortlisting_the_first_n_reads_the_exact_ranking(review_call, criteria, staff):
    """Under review, the stored ranks may be behind their refresh; "shortlist the first N"
    is a decision and brings them up to date first."""
    from projects.services import auditions

    seat = juror_for(review_call)
    weaker, stronger = eligible(review_call, 2)
    submit(Assignment.objects.create(juror=seat, proposal=weaker, created_at=NOW), criteria, 2, 2)
    best = submit(
        Assignment.objects.create(juror=seat, proposal=stronger, created_at=NOW), criteria, 4, 4
    )
    rankings.refresh(review_call, now=NOW)
    with TestCase.captureOnCommitCallbacks():  # reopened: its refresh not run yet
        jury.reopen_evaluation(best, by=staff, reason="À revoir", now=NOW)
    assert RankingRow.objects.get(proposal=stronger).rank == 1  # stale
    [shortlisted] = auditions.shortlist_top(review_call, 1, by=staff, now=NOW)
    assert shortlisted == weaker
