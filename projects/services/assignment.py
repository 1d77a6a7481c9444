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
from bisect import bisect_left, insort
from collections import deque
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

# Why a proposal could not get k jurors.
PANEL_TOO_SMALL = "panel_too_small"  # fewer than k jurors on the panel at all
TOO_MANY_CONFLICTS = "too_many_conflicts"  # conflicts leave fewer than k jurors

# Why a pair asked to be kept was not kept.
KEPT_CONFLICTED = "conflicted"  # a conflict was declared since
KEPT_JUROR_GONE = "juror_not_on_panel"
KEPT_PROPOSAL_GONE = "proposal_not_listed"

# Below this, a juror's standard deviation counts as zero: identical scores may
# come back from SQL as 1e-17 rather than 0, which must not become huge z-scores.
ZERO_SPREAD = 1e-9


@dataclass(frozen=True)
class Shortfall[P: Hashable]:
    """A proposal that got fewer than k jurors: it has every eligible juror."""

    proposal: P
    wanted: int
    assigned: int
    reason: str  # PANEL_TOO_SMALL or TOO_MANY_CONFLICTS


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
    """

    jurors_by_proposal: dict[P, frozenset[J]]
    loads: dict[J, int]  # proposals per juror, every listed juror, in id order
    kept: frozenset[tuple[P, J]]
    dropped: tuple[DroppedPair[P, J], ...]
    shortfalls: tuple[Shortfall[P], ...]

    @property
    def spread(self) -> int:
        """Max load minus min load over the panel (0 for an empty panel)."""
        return max(self.loads.values()) - min(self.loads.values()) if self.loads else 0

    def pairs(self) -> set[tuple[P, J]]:
        return {(p, j) for p, js in self.jurors_by_proposal.items() for j in js}


def assign[P: Hashable, J: Hashable](
    proposals: Iterable[P],
    jurors: Iterable[J],
    *,
    k: int = 3,
    conflicts: Iterable[tuple[P, J]] = (),
    keep: Mapping[P, Collection[J]] | None = None,
) -> Assignment[P, J]:
    """Give each proposal k jurors, none in conflict, with loads as even as possible.

    Rules, in order of precedence:

    1. A conflicted juror is never assigned. Conflicts naming an unknown
       proposal or juror are ignored.
    2. `keep` (typically: pairs already scored) stays, unless the pair is now
       conflicted, its juror left the panel or its proposal is no longer listed;
       such pairs are reported in `dropped` with the reason. A kept pair is never
       moved; a proposal with more than k kept pairs keeps them all and gets no
       new juror.
    3. Each proposal gets exactly k jurors (kept ones count) when at least k
       jurors are not in conflict with it; otherwise it gets all of them and is
       reported in `shortfalls`.
    4. Balance. The load of a juror is the number of proposals they get (kept
       ones count). Among all assignments obeying 1-3, the result has the
       *decreasingly minimal* load vector: sorted from the highest load down, it
       is lexicographically smallest. That vector is known to minimise the
       highest load and, at the same time, maximise the lowest one, hence to
       minimise max load - min load, and also the sum of squared loads
       (Frank & Murota, "Discrete decreasing minimization", 2019; Harvey et al.,
       "Semi-matchings for bipartite graphs and load balancing", 2006). With
       neither conflicts nor kept pairs this means loads differ by at most one;
       with them, "best" means the smallest possible max - min (a juror in
       conflict with everything stays at 0, one with many kept pairs stays
       above the others, and everyone else is as even as the rules allow).

    Algorithm:

    - Greedy by scarcity: proposals with the fewest eligible jurors first (ties
      by id), each taking the least-loaded eligible jurors (ties by id). With
      neither conflicts nor kept pairs this alone is perfectly balanced.
    - Rebalancing: an alternating path j0 -p1-> j1 -p2-> ... jm means "p1 moves
      from j0 to j1, p2 from j1 to j2, ..."; it takes one proposal from j0 and
      gives one to jm, leaving every other load, every proposal's count and every
      kept pair as it was. While such a path joins a juror to one with a load at
      least two lower, apply it: the sum of squared loads drops each time, so
      this ends, and when no such path is left the load vector is decreasingly
      minimal (the characterisation in the papers above, a flow with a convex
      cost on the jurors' loads and no negative cycle). One breadth-first search,
      from the most loaded jurors down, finds a path or proves there is none.

    Why it is fair: every proposal is treated by the same rule and no juror is
    given more work than the conflicts force on them. Deterministic: ids are
    sorted and there is no randomness; the input order does not matter.
    10,000 proposals x 300 jurors x k=3 take about 0.1 s without conflicts and
    0.2 s with a few percent of them; a contrived pattern (each proposal open to
    a narrow window of 10 to 60 jurors) about 1.5 s.
    """
    if k < 0:
        raise ValueError("k must be zero or more")
    proposal_ids: list[P] = sorted(set(proposals))  # type: ignore[type-var]
    juror_ids: list[J] = sorted(set(jurors))  # type: ignore[type-var]
    p_index = {p: i for i, p in enumerate(proposal_ids)}
    j_index = {j: i for i, j in enumerate(juror_ids)}
    n_jurors = len(juror_ids)

    # Internally proposals and jurors are their positions in id order, and a set
    # of jurors is also kept as a bit mask (bit j for juror j), whose
    # intersections are fast enough for 10,000 proposals x 300 jurors.
    conflicted = [0] * len(proposal_ids)
    for p, j in conflicts:
        if p in p_index and j in j_index:
            conflicted[p_index[p]] |= 1 << j_index[j]

    members: list[set[int]] = [set() for _ in proposal_ids]  # jurors of each proposal
    dropped: list[DroppedPair[P, J]] = []
    for p in sorted(keep or {}):  # type: ignore[type-var]
        for j in sorted(keep[p]):  # type: ignore[index]
            if p not in p_index:
                dropped.append(DroppedPair(p, j, KEPT_PROPOSAL_GONE))
            elif j not in j_index:
                dropped.append(DroppedPair(p, j, KEPT_JUROR_GONE))
            elif conflicted[p_index[p]] >> j_index[j] & 1:
                dropped.append(DroppedPair(p, j, KEPT_CONFLICTED))
            else:
                members[p_index[p]].add(j_index[j])
    kept = frozenset((proposal_ids[p], juror_ids[j]) for p, js in enumerate(members) for j in js)

    # open_to[p]: the jurors p may still be given (neither in conflict nor a member).
    everyone = (1 << n_jurors) - 1
    open_to = [
        everyone & ~conflicted[p] & ~sum(1 << j for j in members[p])
        for p in range(len(proposal_ids))
    ]
    load = [0] * n_jurors
    for js in members:
        for j in js:
            load[j] += 1

    shortfalls: list[Shortfall[P]] = []
    need = [0] * len(proposal_ids)
    for p, pid in enumerate(proposal_ids):
        available = open_to[p].bit_count()
        need[p] = min(max(k - len(members[p]), 0), available)
        if len(members[p]) + available < k:
            reason = PANEL_TOO_SMALL if n_jurors < k else TOO_MANY_CONFLICTS
            shortfalls.append(Shortfall(pid, k, len(members[p]) + available, reason))

    # movable[j]: the proposals given to j here (not kept), which paths may move.
    movable: list[set[int]] = [set() for _ in juror_ids]
    _greedy(need, open_to, members, movable, load)
    while path := _improving_path(load, movable, open_to):
        _apply(path, load, movable, members, open_to)

    return Assignment(
        jurors_by_proposal={
            pid: frozenset(juror_ids[j] for j in members[p]) for p, pid in enumerate(proposal_ids)
        },
        loads={jid: load[j] for j, jid in enumerate(juror_ids)},
        kept=kept,
        dropped=tuple(dropped),
        shortfalls=tuple(shortfalls),
    )


def _greedy(
    need: list[int],
    open_to: list[int],
    members: list[set[int]],
    movable: list[set[int]],
    load: list[int],
) -> None:
    """Scarcest proposals first, each to its least-loaded eligible jurors."""
    by_load = sorted((load[j], j) for j in range(len(load)))
    scarcity = sorted(range(len(need)), key=lambda p: (open_to[p].bit_count(), p))
    for p in scarcity:
        if not need[p]:
            continue
        chosen: list[int] = []
        for _, j in by_load:
            if open_to[p] >> j & 1:
                chosen.append(j)
                if len(chosen) == need[p]:
                    break
        for j in chosen:
            del by_load[bisect_left(by_load, (load[j], j))]
            load[j] += 1
            insort(by_load, (load[j], j))
            members[p].add(j)
            movable[j].add(p)
            open_to[p] &= ~(1 << j)


# A path is the target juror followed by (juror, proposal) steps back to the source.
type _Path = list[tuple[int, int | None]]


def _improving_path(load: list[int], movable: list[set[int]], open_to: list[int]) -> _Path | None:
    """An alternating path from a juror to one with a load two lower, or None.

    Searches from the jurors of the highest load, then adds those of the next
    level down as roots, and so on: whoever is reached from the roots of level L
    could take a proposal from a juror of load >= L, which improves the balance
    when their own load is <= L - 2. Each juror and proposal is visited once.
    """
    roots = sorted(range(len(load)), key=lambda j: (-load[j], j))
    came_from: dict[int, tuple[int, int] | None] = {}
    unreached = (1 << len(load)) - 1
    seen: set[int] = set()
    queue: deque[int] = deque()
    i = 0
    while i < len(roots):
        level = load[roots[i]]
        while i < len(roots) and load[roots[i]] == level:
            if unreached >> roots[i] & 1:
                unreached &= ~(1 << roots[i])
                came_from[roots[i]] = None
                queue.append(roots[i])
            i += 1
        while queue:
            juror = queue.popleft()
            if load[juror] <= level - 2:
                path: _Path = [(juror, None)]
                while (step := came_from[path[-1][0]]) is not None:
                    path[-1] = (path[-1][0], step[1])
                    path.append((step[0], None))
                return path
            if not unreached:
                continue  # nobody left to reach; just check the queue's loads
            for p in sorted(movable[juror] - seen):
                seen.add(p)
                fresh = unreached & open_to[p]
                unreached &= ~fresh
                for other in _bits(fresh):
                    came_from[other] = (juror, p)
                    queue.append(other)
    return None


def _bits(mask: int) -> Iterable[int]:
    """The positions of the bits set in mask, lowest first."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


def _apply(
    path: _Path,
    load: list[int],
    movable: list[set[int]],
    members: list[set[int]],
    open_to: list[int],
) -> None:
    """Move each proposal of the path one juror along: source -1, target +1."""
    for (taker, p), (giver, _) in zip(path, path[1:], strict=False):
        assert p is not None
        movable[giver].remove(p)
        members[p].remove(giver)
        open_to[p] |= 1 << giver
        movable[taker].add(p)
        members[p].add(taker)
        open_to[p] &= ~(1 << taker)
    load[path[0][0]] += 1
    load[path[-1][0]] -= 1


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
    "Shortfall",
    "Standing",
    "assign",
    "disagreement",
    "mean_by_proposal",
    "rank",
    "weighted_total",
    "zscores",
]
