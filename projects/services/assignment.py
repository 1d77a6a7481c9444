"""The jury's arithmetic, free of the database: fair assignment and ranking.

Everything here takes and returns plain ids and numbers, so it can be tested
exhaustively and cross-checked against what the database computes. The
services load the rows, call these functions and write the result.

Ids (proposals, jurors, criteria) must be hashable and comparable among their
own kind (ints, strings, UUIDs): results are made deterministic by sorting them.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from ortools.graph.python import min_cost_flow

# Why no assignment exists (`Infeasible.reason`).
PANEL_TOO_SMALL = "panel_too_small"  # fewer than k jurors on the panel at all
TOO_MANY_CONFLICTS = "too_many_conflicts"  # conflicts leave some proposal fewer than k jurors
LOADS_UNBALANCED = "loads_unbalanced"  # k each is possible, but not with loads within one

# Why a pair asked to be kept was not kept.
KEPT_CONFLICTED = "conflicted"  # a conflict was declared since
KEPT_JUROR_GONE = "juror_not_on_panel"
KEPT_PROPOSAL_GONE = "proposal_not_listed"

# A juror's bid on a proposal (`projects.enums.BidChoice` has the same values; a conflict
# bid is a declared conflict, passed in `conflicts`).
BID_YES = "yes"
BID_MAYBE = "maybe"
BID_NO = "no"

# The cost of giving proposal p to juror j, which the assignment minimises (see `assign`).
BID_COST = {BID_YES: -4, BID_MAYBE: -2, BID_NO: 4}
THEME_COST = -1  # per theme the juror declared that the proposal carries
THEMES_COUNTED = 2  # at most this many shared themes count

# Below this, a juror's standard deviation counts as zero: identical scores may
# come back from SQL as 1e-17 rather than 0, which must not become huge z-scores.
ZERO_SPREAD = 1e-9


class Infeasible[P: Hashable](ValueError):
    """No assignment obeys the rules. `reason` is one of PANEL_TOO_SMALL,
    TOO_MANY_CONFLICTS (`proposals`: those with fewer than k possible jurors, and
    `available`: how many each has) or LOADS_UNBALANCED (`low`, `high`: the loads asked)."""

    def __init__(self, reason: str, *, proposals=(), available=(), low=0, high=0):
        super().__init__(reason)
        self.reason = reason
        self.proposals: tuple[P, ...] = tuple(proposals)
        self.available: tuple[int, ...] = tuple(available)
        self.low = low
        self.high = high


@dataclass(frozen=True)
class DroppedPair[P: Hashable, J: Hashable]:
    """A pair asked to be kept that the assignment had to leave out."""

    proposal: P
    juror: J
    reason: str  # KEPT_CONFLICTED, KEPT_JUROR_GONE or KEPT_PROPOSAL_GONE


@dataclass(frozen=True)
class Assignment[P: Hashable, J: Hashable]:
    """The result of `assign`.

    `jurors_by_proposal` has every listed proposal, in id order, with its jurors
    (kept ones included). `kept` are the pairs of `keep` that stayed; the service
    creates the other pairs and deletes the unkept ones it no longer finds.
    `cost` is the total cost of every pair (kept ones included), `bounds` the
    (lowest, highest) load each juror was held to.
    """

    jurors_by_proposal: dict[P, frozenset[J]]
    loads: dict[J, int]  # proposals per juror, every listed juror, in id order
    kept: frozenset[tuple[P, J]]
    dropped: tuple[DroppedPair[P, J], ...]
    cost: int = 0
    bounds: dict[J, tuple[int, int]] | None = None

    @property
    def spread(self) -> int:
        """Max load minus min load over the panel (0 for an empty panel)."""
        return max(self.loads.values()) - min(self.loads.values()) if self.loads else 0

    def pairs(self) -> set[tuple[P, J]]:
        return {(p, j) for p, js in self.jurors_by_proposal.items() for j in js}


def pair_cost(bid: str | None, shared_themes: int) -> int:
    """The cost of one pair: its bid's cost plus THEME_COST per shared theme (at most
    THEMES_COUNTED of them). The one definition `assign` vectorises."""
    return BID_COST.get(bid, 0) + THEME_COST * min(shared_themes, THEMES_COUNTED)


def load_bounds(total: int, n_jurors: int, kept: int, available: int) -> tuple[int, int]:
    """The (lowest, highest) load of a juror: floor and ceil of total / n_jurors, where
    total is what the proposals need in all (k each, or more for one with more kept
    pairs), lowered to what the juror can take at all (kept + available: a juror in
    conflict with nearly everything) and raised to their kept pairs (never undone)."""
    floor, ceil = total // n_jurors, -(-total // n_jurors)
    return min(floor, kept + available), max(ceil, kept)


def assign[P: Hashable, J: Hashable](
    proposals: Iterable[P],
    jurors: Iterable[J],
    *,
    k: int = 3,
    conflicts: Iterable[tuple[P, J]] = (),
    keep: Mapping[P, Collection[J]] | None = None,
    bids: Mapping[tuple[P, J], str] | None = None,
    proposal_themes: Mapping[P, Collection[Hashable]] | None = None,
    juror_themes: Mapping[J, Collection[Hashable]] | None = None,
) -> Assignment[P, J]:
    """The whole call at once: each proposal k jurors, loads within one, the best bids.

    Hard rules (raise `Infeasible` when they cannot all hold):

    1. A conflicted juror is never assigned. Conflicts, bids and themes naming an
       unknown proposal or juror are ignored.
    2. `keep` (the pairs already scored) stays, unless the pair is now conflicted,
       its juror left the panel or its proposal is no longer listed; such pairs are
       reported in `dropped`. A kept pair is never moved; a proposal with more
       than k kept pairs keeps them all and gets no new juror.
    3. Each proposal gets exactly k jurors (kept ones count), or more if it had
       more kept pairs: Infeasible(TOO_MANY_CONFLICTS) names the proposals with
       fewer than k jurors free of conflict (PANEL_TOO_SMALL: fewer than k jurors).
    4. Loads within one: with T the number of pairs needed in all and J jurors,
       each juror's load (kept pairs count) lies in `load_bounds`: between
       floor(T / J) and ceil(T / J), lowered for a juror who cannot take that many
       and raised for one with more kept pairs. Infeasible(LOADS_UNBALANCED) when
       conflicts or kept pairs make that impossible.

    Among the assignments obeying 1-4, the result has the smallest total cost,
    the sum over its pairs of `pair_cost`:

        bid "oui" -4, "peut-être" -2, none 0, "non" +4;
        -1 per theme the juror declared for the call that the proposal carries,
        at most 2 themes counted.

    so a "oui" outweighs two theme matches, and a "non" is given only when the
    rules force it. Exact method: a min-cost flow (OR-Tools' network simplex in
    C++). Each proposal node supplies its k - kept missing jurors; an arc of
    capacity 1 and the pair's cost joins it to each juror free of conflict and
    not yet its juror; each juror joins the sink with capacity high - low (of the
    new pairs), the low part being a demand of the juror node itself (the usual
    reduction of a lower bound to supplies). Integral capacities give an integral
    optimal flow, which is the assignment. Deterministic: ids are sorted, arcs
    are added in id order. 10,000 proposals x 300 jurors x k = 3: see `make bench`.
    """
    if k < 0:
        raise ValueError("k must be zero or more")
    proposal_ids: list[P] = sorted(set(proposals))  # type: ignore[type-var]
    juror_ids: list[J] = sorted(set(jurors))  # type: ignore[type-var]
    p_index = {p: i for i, p in enumerate(proposal_ids)}
    j_index = {j: i for i, j in enumerate(juror_ids)}
    n_p, n_j = len(proposal_ids), len(juror_ids)

    open_pair = np.ones((n_p, n_j), dtype=bool)  # may be newly given
    for p, j in conflicts:
        if p in p_index and j in j_index:
            open_pair[p_index[p], j_index[j]] = False

    dropped: list[DroppedPair[P, J]] = []
    kept_pairs: list[tuple[int, int]] = []
    for p in sorted(keep or {}):  # type: ignore[type-var]
        for j in sorted(keep[p]):  # type: ignore[index]
            if p not in p_index:
                dropped.append(DroppedPair(p, j, KEPT_PROPOSAL_GONE))
            elif j not in j_index:
                dropped.append(DroppedPair(p, j, KEPT_JUROR_GONE))
            elif not open_pair[p_index[p], j_index[j]]:
                dropped.append(DroppedPair(p, j, KEPT_CONFLICTED))
            else:
                kept_pairs.append((p_index[p], j_index[j]))
    kept_p = np.zeros(n_p, dtype=np.int64)
    kept_j = np.zeros(n_j, dtype=np.int64)
    for pi, ji in kept_pairs:
        open_pair[pi, ji] = False
        kept_p[pi] += 1
        kept_j[ji] += 1

    available_p = open_pair.sum(axis=1)
    short = np.nonzero(kept_p + available_p < k)[0]
    if len(short):
        raise Infeasible(
            PANEL_TOO_SMALL if n_j < k else TOO_MANY_CONFLICTS,
            proposals=[proposal_ids[i] for i in short],
            available=[int(kept_p[i] + available_p[i]) for i in short],
        )
    need = np.maximum(k - kept_p, 0)
    total = int((kept_p + need).sum())

    cost = np.zeros((n_p, n_j), dtype=np.int64)
    for (p, j), bid in (bids or {}).items():
        if p in p_index and j in j_index:
            cost[p_index[p], j_index[j]] += BID_COST.get(bid, 0)
    cost += THEME_COST * np.minimum(
        _shared_themes(proposal_ids, juror_ids, proposal_themes, juror_themes), THEMES_COUNTED
    )

    loads = kept_j.copy()
    members: list[set[int]] = [set() for _ in proposal_ids]
    for pi, ji in kept_pairs:
        members[pi].add(ji)
    bounds: dict[J, tuple[int, int]] = {}
    if n_j and total:
        available_j = open_pair.sum(axis=0)
        low = np.empty(n_j, dtype=np.int64)
        high = np.empty(n_j, dtype=np.int64)
        for ji in range(n_j):
            low[ji], high[ji] = load_bounds(total, n_j, int(kept_j[ji]), int(available_j[ji]))
            bounds[juror_ids[ji]] = (int(low[ji]), int(high[ji]))
        new_low = np.maximum(low - kept_j, 0)
        new_high = high - kept_j
        tails, heads = np.nonzero(open_pair & (need > 0)[:, None])
        flow = min_cost_flow.SimpleMinCostFlow()
        sink = n_p + n_j
        pair_arcs = flow.add_arcs_with_capacity_and_unit_cost(
            tails, heads + n_p, np.ones(len(tails), dtype=np.int64), cost[tails, heads]
        )
        jurors_at = np.arange(n_j)
        flow.add_arcs_with_capacity_and_unit_cost(
            jurors_at + n_p,
            np.full(n_j, sink),
            new_high - new_low,
            np.zeros(n_j, dtype=np.int64),
        )
        supplies = np.concatenate([need, -new_low, [-(int(need.sum()) - int(new_low.sum()))]])
        flow.set_nodes_supplies(np.arange(n_p + n_j + 1), supplies)
        if flow.solve() != flow.OPTIMAL:
            raise Infeasible(LOADS_UNBALANCED, low=int(low.min()), high=int(high.max()))
        chosen = np.nonzero(flow.flows(pair_arcs))[0]
        for pi, ji in zip(tails[chosen].tolist(), heads[chosen].tolist(), strict=True):
            members[pi].add(ji)
            loads[ji] += 1
    else:
        bounds = {j: (0, int(kept_j[i])) for i, j in enumerate(juror_ids)}

    total_cost = sum(int(cost[pi, ji]) for pi, js in enumerate(members) for ji in js)
    return Assignment(
        jurors_by_proposal={
            pid: frozenset(juror_ids[j] for j in members[p]) for p, pid in enumerate(proposal_ids)
        },
        loads={jid: int(loads[j]) for j, jid in enumerate(juror_ids)},
        kept=frozenset((proposal_ids[p], juror_ids[j]) for p, j in kept_pairs),
        dropped=tuple(dropped),
        cost=total_cost,
        bounds=bounds,
    )


def _shared_themes(proposal_ids, juror_ids, proposal_themes, juror_themes) -> np.ndarray:
    """How many themes each (proposal, juror) pair shares, as a proposals x jurors matrix
    (one product of two 0/1 matrices, proposals x themes and themes x jurors)."""
    if not proposal_themes or not juror_themes:
        return np.zeros((len(proposal_ids), len(juror_ids)), dtype=np.int64)
    themes = sorted({t for ts in juror_themes.values() for t in ts}, key=repr)
    t_index = {t: i for i, t in enumerate(themes)}
    by_proposal = np.zeros((len(proposal_ids), len(themes)), dtype=np.int64)
    for i, p in enumerate(proposal_ids):
        for t in proposal_themes.get(p, ()):
            if t in t_index:
                by_proposal[i, t_index[t]] = 1
    by_juror = np.zeros((len(themes), len(juror_ids)), dtype=np.int64)
    for i, j in enumerate(juror_ids):
        for t in juror_themes.get(j, ()):
            by_juror[t_index[t], i] = 1
    return by_proposal @ by_juror


# Ranking


def zscores[J: Hashable, P: Hashable](
    scores_by_juror: Mapping[J, Mapping[P, float]], *, min_scores: int = 5
) -> dict[J, dict[P, float]]:
    """Each juror's scores standardised over their own scores in the call.

    For a juror with n scores x_1..x_n, mean m = sum(x) / n and the population
    standard deviation s = sqrt(sum((x - m)**2) / n) (divided by n, not n - 1:
    the juror's scores are all of them, not a sample); the z-score of x is
    (x - m) / s, so a lenient or harsh juror counts like any other.

    Left out (absent from the result): a juror with fewer than `min_scores`
    scores, too few to estimate their leniency, and a juror whose s is zero
    (below ZERO_SPREAD, 1e-9), who told no proposal apart. Their raw totals
    (0..5) would otherwise be averaged with z-scores (about -2..+2) and a late
    juror's single 4/5 would put a proposal first. The database computation
    must apply the same two rules (StdDevPop, count).
    """
    result: dict[J, dict[P, float]] = {}
    for juror, scores in scores_by_juror.items():
        values = [float(v) for v in scores.values()]
        if len(values) < max(min_scores, 1):
            continue
        mean = statistics.fmean(values)
        spread = math.sqrt(statistics.fmean([(v - mean) ** 2 for v in values]))
        if spread >= ZERO_SPREAD:
            result[juror] = {p: (float(v) - mean) / spread for p, v in scores.items()}
    return result


def weighted_total[C: Hashable](
    scores: Mapping[C, float | None], weights: Mapping[C, float]
) -> float | None:
    """A juror's total for one proposal: the weighted mean of their criterion scores.

    A criterion scored None ("not applicable") is missing, never zero: its
    weight leaves the denominator. None when no weighted criterion is scored.
    """
    scored = [(weights[c], s) for c, s in scores.items() if s is not None and weights.get(c)]
    weight = sum(w for w, _ in scored)
    return sum(w * s for w, s in scored) / weight if weight else None


def mean_by_proposal[J: Hashable, P: Hashable](
    scores_by_juror: Mapping[J, Mapping[P, float]],
) -> dict[P, float]:
    """The mean, per proposal, over the jurors who scored it (raw or z-scores)."""
    by_proposal = _by_proposal(scores_by_juror)
    return {p: statistics.fmean(v) for p, v in by_proposal.items()}


def disagreement[J: Hashable, P: Hashable](
    scores_by_juror: Mapping[J, Mapping[P, float]],
) -> dict[P, float]:
    """Per proposal, the highest minus the lowest of its jurors' totals."""
    by_proposal = _by_proposal(scores_by_juror)
    return {p: max(v) - min(v) for p, v in by_proposal.items()}


def _by_proposal[J: Hashable, P: Hashable](
    scores_by_juror: Mapping[J, Mapping[P, float]],
) -> dict[P, list[float]]:
    by_proposal: dict[P, list[float]] = {}
    for scores in scores_by_juror.values():
        for p, v in scores.items():
            by_proposal.setdefault(p, []).append(float(v))
    return dict(sorted(by_proposal.items()))  # type: ignore[type-var]


# Leniency model: the ridge on the jurors' offsets, in pseudo-scores at offset 0.
LENIENCY_RIDGE = 3.0
BAND_Z = 1.96  # the uncertainty band is quality +/- BAND_Z * sigma / sqrt(n)


@dataclass(frozen=True)
class ModelFit[P: Hashable, J: Hashable]:
    """The additive model fitted by `fit_additive`.

    `quality[p]` is the proposal's fitted quality (on the scores' scale: its expected score
    from a juror of average leniency), `count[p]` how many scores it rests on, `band[p]`
    the half-width of its uncertainty band (BAND_Z * sigma / sqrt(count)), `leniency[j]`
    the juror's fitted offset (positive: lenient), `sigma` the residual noise.
    """

    quality: dict[P, float]
    count: dict[P, int]
    band: dict[P, float]
    leniency: dict[J, float]
    sigma: float


def fit_additive[P: Hashable, J: Hashable](
    scores: Iterable[tuple[P, J, float]], *, ridge: float = LENIENCY_RIDGE
) -> ModelFit[P, J]:
    """Fit score = quality(proposal) + leniency(juror) + noise over the whole call.

    Regularised least squares: minimise

        sum over scores (y - q_p - b_j)**2  +  ridge * sum over jurors b_j**2

    The qualities are free (they absorb the overall level); the ridge shrinks each
    juror's offset toward 0, by about n / (n + ridge) for a juror with n scores, so a
    juror with one or two scores barely moves anybody while one with twenty is corrected
    almost fully (a z-score needs MIN_SCORES and is all or nothing). Solved exactly:
    for given offsets the best q_p is the mean of (y - b_j) over p's scores; putting
    that back leaves a jurors x jurors system (300 x 300 at most, dense), solved once:

        (BtB + ridge I - M D^-1 Mt) b = Bt y - M D^-1 At y

    with A, B the scores' proposal and juror incidence matrices, D = AtA (the counts per
    proposal) and M = BtA (sparse). sigma**2 is the residual sum of squares over
    (scores - proposals - jurors + 1), at least 1; the band, BAND_Z * sigma / sqrt(n),
    ignores the offsets' own uncertainty (an approximation, wider as n falls).
    """
    from scipy import sparse

    rows = [(p, j, float(y)) for p, j, y in scores]
    if not rows:
        return ModelFit({}, {}, {}, {}, 0.0)
    proposal_ids = sorted({p for p, _, _ in rows})  # type: ignore[type-var]
    juror_ids = sorted({j for _, j, _ in rows})  # type: ignore[type-var]
    p_index = {p: i for i, p in enumerate(proposal_ids)}
    j_index = {j: i for i, j in enumerate(juror_ids)}
    pi = np.array([p_index[p] for p, _, _ in rows])
    ji = np.array([j_index[j] for _, j, _ in rows])
    y = np.array([v for _, _, v in rows])
    n_p, n_j = len(proposal_ids), len(juror_ids)
    ones = np.ones(len(rows))
    count_p = np.bincount(pi, minlength=n_p).astype(float)
    count_j = np.bincount(ji, minlength=n_j).astype(float)
    sum_p = np.bincount(pi, weights=y, minlength=n_p)
    sum_j = np.bincount(ji, weights=y, minlength=n_j)
    m = sparse.csr_matrix((ones, (ji, pi)), shape=(n_j, n_p))  # BtA
    scaled = m.multiply(1.0 / count_p).tocsr()  # M D^-1
    system = np.diag(count_j + ridge) - (scaled @ m.T).toarray()
    offsets = np.linalg.solve(system, sum_j - scaled @ sum_p)
    quality = (sum_p - m.T @ offsets) / count_p
    residuals = y - quality[pi] - offsets[ji]
    freedom = max(len(rows) - n_p - n_j + 1, 1)
    sigma = float(np.sqrt(residuals @ residuals / freedom))
    band = BAND_Z * sigma / np.sqrt(count_p)
    return ModelFit(
        quality={p: float(quality[i]) for i, p in enumerate(proposal_ids)},
        count={p: int(count_p[i]) for i, p in enumerate(proposal_ids)},
        band={p: float(band[i]) for i, p in enumerate(proposal_ids)},
        leniency={j: float(offsets[i]) for i, j in enumerate(juror_ids)},
        sigma=sigma,
    )


@dataclass(frozen=True)
class Standing[P: Hashable]:
    """What `rank` needs to know about one proposal.

    `score` is the figure ranked on (mean z-score or weighted mean; None when
    unscored), `criteria` the proposal's mean score on each criterion in the
    call's order (None when nobody scored it), `submitted_at` when the proposal
    was submitted.
    """

    proposal: P
    score: float | None
    criteria: Sequence[float | None] = ()
    submitted_at: datetime | None = None


def rank[P: Hashable](standings: Iterable[Standing[P]]) -> list[Standing[P]]:
    """Best first. Ties are broken in this fixed order:

    1. the higher `score`;
    2. the higher mean on the call's first criterion, then on its second, ...;
    3. the earlier submission;
    4. the smaller proposal id, so that the order is total.

    At every step a missing value (None) comes after any value.
    """
    return sorted(standings, key=_rank_key)


def _rank_key(standing: Standing) -> tuple:
    def high_first(value: float | None) -> tuple[bool, float]:
        return (value is None, 0.0 if value is None else -value)

    submitted = standing.submitted_at
    return (
        high_first(standing.score),
        tuple(high_first(c) for c in standing.criteria),
        (submitted is None, submitted if submitted is not None else 0),
        standing.proposal,
    )


__all__ = [
    "Assignment",
    "DroppedPair",
    "Infeasible",
    "load_bounds",
    "pair_cost",
    "Standing",
    "assign",
    "disagreement",
    "fit_additive",
    "ModelFit",
    "mean_by_proposal",
    "rank",
    "weighted_total",
    "zscores",
]
