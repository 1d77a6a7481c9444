"""The jury's pure arithmetic: the exact assignment (property tests against brute force)
and ranking."""

from datetime import UTC, datetime
from itertools import combinations, product

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from projects.services.assignment import (
    BID_MAYBE,
    BID_NO,
    BID_YES,
    KEPT_CONFLICTED,
    KEPT_JUROR_GONE,
    KEPT_PROPOSAL_GONE,
    LOADS_UNBALANCED,
    PANEL_TOO_SMALL,
    TOO_MANY_CONFLICTS,
    Infeasible,
    Standing,
    assign,
    disagreement,
    mean_by_proposal,
    rank,
    weighted_total,
    zscores,
)

# Proposals are ints and jurors strings, so that mixing them up fails loudly.
GONE_PROPOSAL = 99
GONE_JUROR = "gone"
THEMES = ["eau", "mobilité", "données"]


@st.composite
def instances(draw, *, max_proposals=8, max_jurors=6, max_k=4, with_conflicts=True, with_keep=True):
    proposals = list(range(draw(st.integers(0, max_proposals))))
    jurors = [f"j{i}" for i in range(draw(st.integers(0, max_jurors)))]
    k = draw(st.integers(0, max_k))
    pairs = [(p, j) for p in proposals for j in jurors]
    conflicts = draw(st.sets(st.sampled_from(pairs))) if pairs and with_conflicts else set()
    keep = {}
    if with_keep:
        keep = draw(
            st.dictionaries(
                st.sampled_from([*proposals, GONE_PROPOSAL]),
                st.frozensets(st.sampled_from([*jurors, GONE_JUROR]), max_size=3),
                max_size=4,
            )
        )
    bids = (
        draw(st.dictionaries(st.sampled_from(pairs), st.sampled_from([BID_YES, BID_MAYBE, BID_NO])))
        if pairs
        else {}
    )
    themes = st.frozensets(st.sampled_from(THEMES), max_size=2)
    proposal_themes = {p: draw(themes) for p in proposals}
    juror_themes = {j: draw(themes) for j in jurors}
    return proposals, jurors, k, conflicts, keep, bids, proposal_themes, juror_themes


def solve(instance):
    proposals, jurors, k, conflicts, keep, bids, proposal_themes, juror_themes = instance
    return assign(
        proposals,
        jurors,
        k=k,
        conflicts=conflicts,
        keep=keep,
        bids=bids,
        proposal_themes=proposal_themes,
        juror_themes=juror_themes,
    )


def eligible(p, jurors, conflicts):
    return {j for j in jurors if (p, j) not in conflicts}


def valid_kept(p, jurors, conflicts, keep):
    return set(keep.get(p, ())) & eligible(p, jurors, conflicts)


def cost_of(p, j, bids, proposal_themes, juror_themes):
    """The documented weights, written out again: oui -4, peut-être -2, non +4, -1 per
    shared theme up to two."""
    bid = {BID_YES: -4, BID_MAYBE: -2, BID_NO: 4}.get(bids.get((p, j)), 0)
    return bid - min(len(set(proposal_themes[p]) & set(juror_themes[j])), 2)


def brute_force(instance):
    """Every assignment with k jurors per proposal, none conflicted, kept pairs kept, loads
    between floor and ceil of T / J (lowered to what a juror can take, raised to their kept
    pairs): the lowest total cost, or None when there is none."""
    proposals, jurors, k, conflicts, keep, bids, proposal_themes, juror_themes = instance
    choices, kept_load, can_take = [], dict.fromkeys(jurors, 0), dict.fromkeys(jurors, 0)
    for p in proposals:
        kept = valid_kept(p, jurors, conflicts, keep)
        free = sorted(eligible(p, jurors, conflicts) - kept)
        for j in kept:
            kept_load[j] += 1
        for j in kept | set(free):
            can_take[j] += 1
        if len(kept) + len(free) < k:
            return None
        need = max(k - len(kept), 0)
        choices.append([kept | set(c) for c in combinations(free, need)])
    total = sum(len(c[0]) for c in choices)
    if not jurors:
        return 0 if not total else None
    floor, ceil = total // len(jurors), -(-total // len(jurors))
    low = {j: min(floor, can_take[j]) for j in jurors}
    high = {j: max(ceil, kept_load[j]) for j in jurors}
    best = None
    for assignment in product(*choices):
        loads = {j: sum(j in js for js in assignment) for j in jurors}
        if all(low[j] <= loads[j] <= high[j] for j in jurors):
            cost = sum(
                cost_of(p, j, bids, proposal_themes, juror_themes)
                for p, js in zip(proposals, assignment, strict=True)
                for j in js
            )
            best = cost if best is None else min(best, cost)
    return best


@settings(max_examples=300, deadline=None)
@given(instances(max_proposals=5, max_jurors=4, max_k=2))
# Only moving 0 from j0 to j2 balances; j1 bid yes on 0 but cannot have it.
@example(
    (
        [0, 1, 2],
        ["j0", "j1", "j2"],
        1,
        {(0, "j1"), (1, "j2"), (2, "j2")},
        {},
        {(0, "j1"): BID_YES, (0, "j0"): BID_NO},
        {0: frozenset(), 1: frozenset(), 2: frozenset()},
        {"j0": frozenset(), "j1": frozenset(), "j2": frozenset()},
    )
)
def test_optimal_against_brute_force(instance):
    """The solver's total cost is the brute force's lowest, and it fails exactly when no
    assignment obeys the rules."""
    best = brute_force(instance)
    if best is None:
        with pytest.raises(Infeasible):
            solve(instance)
    else:
        result = solve(instance)
        proposals, jurors, k, conflicts, keep, bids, proposal_themes, juror_themes = instance
        assert (
            result.cost
            == best
            == sum(cost_of(p, j, bids, proposal_themes, juror_themes) for p, j in result.pairs())
        )


@settings(max_examples=200, deadline=None)
@given(instances())
def test_hard_rules(instance):
    """k per proposal, loads within one, no conflict, kept pairs kept."""
    proposals, jurors, k, conflicts, keep, *_ = instance
    try:
        result = solve(instance)
    except Infeasible as error:
        failure = error
    else:
        failure = None
    if failure is not None:
        if len(proposals) <= 5:
            assert brute_force(instance) is None
        if failure.reason != LOADS_UNBALANCED:
            assert failure.proposals
            for p, available in zip(failure.proposals, failure.available, strict=True):
                assert len(eligible(p, jurors, conflicts)) == available < k
        return

    assert list(result.jurors_by_proposal) == proposals
    for p, assigned in result.jurors_by_proposal.items():
        kept = valid_kept(p, jurors, conflicts, keep)
        assert assigned <= eligible(p, jurors, conflicts)  # never conflicted, never unknown
        assert kept <= assigned  # kept pairs stay
        assert len(assigned) == max(k, len(kept))  # exactly k, or all that were kept
    assert result.loads == {
        j: sum(j in js for js in result.jurors_by_proposal.values()) for j in sorted(jurors)
    }
    for j, (low, high) in result.bounds.items():
        assert low <= result.loads[j] <= high
    if not keep and not conflicts:
        assert result.spread <= 1
    # Every pair asked to be kept is either kept or reported, never both.
    asked = {(p, j) for p, js in keep.items() for j in js}
    dropped = {(d.proposal, d.juror) for d in result.dropped}
    assert result.kept | dropped == asked
    assert not result.kept & dropped
    assert result.kept <= result.pairs()


@settings(max_examples=100, deadline=None)
@given(instances(max_proposals=60, max_jurors=15, with_conflicts=False, with_keep=False))
def test_loads_within_one_without_conflicts(instance):
    instance = (*instance[:2], min(instance[2], len(instance[1])), *instance[3:])
    assert solve(instance).spread <= 1


@settings(max_examples=60, deadline=None)
@given(instances(max_proposals=20, max_jurors=8), st.randoms(use_true_random=False))
def test_deterministic_whatever_the_input_order(instance, rnd):
    proposals, jurors, k, conflicts, keep, bids, pt, jt = instance
    try:
        first = solve(instance)
    except Infeasible:
        return
    shuffled = [proposals[:], jurors[:], sorted(conflicts, key=repr), list(keep.items())]
    for items in shuffled:
        rnd.shuffle(items)
    again = solve((shuffled[0], shuffled[1], k, shuffled[2], dict(shuffled[3]), bids, pt, jt))
    assert again == first
    assert list(again.jurors_by_proposal.items()) == list(first.jurors_by_proposal.items())


def test_bids_and_themes_are_followed():
    """Two proposals, two jurors, one each: the yes bids and the theme win."""
    result = assign(
        [1, 2],
        ["a", "b"],
        k=1,
        bids={(1, "b"): BID_YES, (2, "b"): BID_NO},
        proposal_themes={1: {"eau"}, 2: {"mobilité"}},
        juror_themes={"a": {"mobilité"}, "b": set()},
    )
    assert result.jurors_by_proposal == {1: {"b"}, 2: {"a"}}
    assert result.cost == -4 - 1


def test_service_conflicts_still_balance():
    """A realistic panel: jurors are in conflict with their own service's proposals."""
    proposals = list(range(2000))
    jurors = [f"j{i:02}" for i in range(60)]
    conflicts = {(p, j) for p in proposals for i, j in enumerate(jurors) if p % 12 == i % 12}
    result = assign(proposals, jurors, k=3, conflicts=conflicts)
    assert result.spread <= 1
    assert not result.pairs() & conflicts


def test_kept_pairs_and_what_is_dropped():
    """Re-running after a new conflict keeps what was scored, and says what it dropped."""
    keep = {
        1: {"a", "b", "c", "d"},  # more than k already scored: all stay
        2: {"a", "zed"},  # zed left the panel
        3: {"b"},  # b has declared a conflict since
        7: {"c"},  # proposal 7 is no longer listed
    }
    result = assign([1, 2, 3], ["a", "b", "c", "d"], k=3, conflicts={(3, "b")}, keep=keep)
    assert result.jurors_by_proposal[1] == {"a", "b", "c", "d"}
    assert "a" in result.jurors_by_proposal[2]
    assert "b" not in result.jurors_by_proposal[3]
    assert [(d.proposal, d.juror, d.reason) for d in result.dropped] == [
        (2, "zed", KEPT_JUROR_GONE),
        (3, "b", KEPT_CONFLICTED),
        (7, "c", KEPT_PROPOSAL_GONE),
    ]
    assert result.kept == {(1, "a"), (1, "b"), (1, "c"), (1, "d"), (2, "a")}
    assert result.spread <= 1


def test_infeasible_says_why():
    with pytest.raises(Infeasible) as error:
        assign([1, 2], ["a", "b", "c"], k=3, conflicts={(2, "a")})
    assert error.value.reason == TOO_MANY_CONFLICTS
    assert (error.value.proposals, error.value.available) == ((2,), (2,))

    with pytest.raises(Infeasible) as error:
        assign([1], ["a", "b"], k=3)
    assert error.value.reason == PANEL_TOO_SMALL

    # Juror a already scored 3 of 4 proposals, b and c would need 1 each: loads 3, 1, 0
    # cannot all lie within one of each other.
    with pytest.raises(Infeasible) as error:
        assign([1, 2, 3, 4], ["a", "b", "c"], k=1, keep={1: {"a"}, 2: {"a"}, 3: {"a"}})
    assert error.value.reason == LOADS_UNBALANCED


def test_negative_k_is_refused():
    with pytest.raises(ValueError, match="k must"):
        assign([1], ["a"], k=-1)


# Ranking

# Juror A, 8 scores 2 4 4 4 5 5 7 9: mean 40 / 8 = 5; squared deviations
# 9 1 1 1 0 0 4 16, sum 32, population variance 32 / 8 = 4, standard deviation 2;
# z = (x - 5) / 2: -1.5 -0.5 -0.5 -0.5 0 0 1 2.
# Juror B, 5 scores 1 3 7 5 4: mean 20 / 5 = 4; squared deviations 9 1 9 1 0,
# sum 20, variance 20 / 5 = 4, standard deviation 2; z = (x - 4) / 2:
# -1.5 -0.5 1.5 0.5 0.
JUROR_A = {1: 2, 2: 4, 3: 4, 4: 4, 5: 5, 6: 5, 7: 7, 8: 9}
JUROR_B = {1: 1, 2: 3, 3: 7, 4: 5, 5: 4}


def test_zscores_match_the_hand_computed_example():
    z = zscores({"A": JUROR_A, "B": JUROR_B})
    assert z["A"] == pytest.approx({1: -1.5, 2: -0.5, 3: -0.5, 4: -0.5, 5: 0, 6: 0, 7: 1, 8: 2})
    assert z["B"] == pytest.approx({1: -1.5, 2: -0.5, 3: 1.5, 4: 0.5, 5: 0})
    # Means over the jurors who scored each proposal:
    # 1: (-1.5 - 1.5) / 2 = -1.5; 2: (-0.5 - 0.5) / 2 = -0.5; 3: (-0.5 + 1.5) / 2 = 0.5;
    # 4: (-0.5 + 0.5) / 2 = 0; 5: (0 + 0) / 2 = 0; 6, 7, 8: A's alone.
    assert mean_by_proposal(z) == pytest.approx(
        {1: -1.5, 2: -0.5, 3: 0.5, 4: 0, 5: 0, 6: 0, 7: 1, 8: 2}
    )
    # Raw: 3 gets 4 from A and 7 from B, a disagreement of 3.
    assert mean_by_proposal({"A": JUROR_A, "B": JUROR_B})[3] == 5.5
    assert disagreement({"A": JUROR_A, "B": JUROR_B})[3] == 3


def test_zscores_leave_out_a_juror_with_too_few_scores():
    few = {1: 8, 2: 9, 3: 10, 4: 12}  # 4 scores < min_scores = 5
    assert zscores({"C": few}) == {}
    # Left out, not averaged raw with the others' z-scores.
    assert mean_by_proposal(zscores({"B": JUROR_B, "C": few}))[3] == pytest.approx(1.5)
    # The threshold is a parameter: with 4 allowed, C is standardised.
    assert zscores({"C": few}, min_scores=4)["C"][4] > 1
    # B has exactly 5 scores: standardised by default.
    assert zscores({"B": JUROR_B})["B"][3] == pytest.approx(1.5)


def test_zscores_leave_out_a_juror_with_zero_spread():
    flat = dict.fromkeys(range(1, 7), 6.0)
    # 0.1 + 0.2 is 0.30000000000000004: a spread of about 2e-17, rounding, not judgement.
    noisy = {1: 0.1 + 0.2, 2: 0.3, 3: 0.3, 4: 0.1 + 0.2, 5: 0.3}
    assert zscores({"D": flat, "E": noisy}) == {}


def test_weighted_total_skips_not_applicable():
    scores = {"impact": 4, "team": None, "feasibility": 2}
    weights = {"impact": 2, "team": 1, "feasibility": 1}
    # (2 * 4 + 1 * 2) / (2 + 1): "team" is missing, not zero.
    assert weighted_total(scores, weights) == pytest.approx(10 / 3)
    assert weighted_total({"team": None}, weights) is None


def at(hour):
    return datetime(2017, 11, 20, hour, tzinfo=UTC)


def test_rank_breaks_ties_in_the_documented_order():
    standings = [
        Standing("a", 1.0, (3, 2), at(10)),
        Standing("b", 1.0, (3, 4), at(11)),  # second criterion beats a
        Standing("c", 1.0, (3, 2), at(9)),  # earlier than a
        Standing("d", 2.0, (1, 1), at(12)),  # best score, whatever else
        Standing("e", None, (5, 5), at(8)),  # unscored: last
        Standing("f", 1.0, (3, 2), at(10)),  # same as a in everything but the id
        Standing("g", 1.0, (None, 5), at(8)),  # no first criterion: after any value
        Standing("h", 1.0, (4, 0), at(12)),  # first criterion decides before the second
        Standing("i", 1.0, (3, 2), None),  # no submission time: after a time
    ]
    expected = ["d", "h", "b", "c", "a", "f", "i", "g", "e"]
    assert [s.proposal for s in rank(standings)] == expected
    assert [s.proposal for s in rank(reversed(standings))] == expected
