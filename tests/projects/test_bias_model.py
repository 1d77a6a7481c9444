"""The additive bias model (`fit_additive`) recovers known qualities and juror offsets."""

import random
import statistics

import pytest

from projects.services.assignment import fit_additive

PROPOSALS, JURORS, PER_PROPOSAL, NOISE = 80, 12, 4, 0.3


def simulate(seed: int):
    """Known qualities (1 to 4), juror offsets (sd 0.6, centred), 4 jurors per proposal,
    Gaussian noise of sd 0.3: the scores and the truth."""
    rng = random.Random(seed)
    quality = {p: rng.uniform(1, 4) for p in range(PROPOSALS)}
    raw = [rng.gauss(0, 0.6) for _ in range(JURORS)]
    offset = {f"j{j}": raw[j] - statistics.fmean(raw) for j in range(JURORS)}
    jurors = sorted(offset)
    scores = [
        (p, j, quality[p] + offset[j] + rng.gauss(0, NOISE))
        for p in range(PROPOSALS)
        for j in rng.sample(jurors, PER_PROPOSAL)
    ]
    return scores, quality, offset


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_recovers_known_qualities_and_offsets(seed):
    """Tolerance: each quality within 0.45 of the truth and 0.15 on average; each juror's
    offset within 0.3 (their ~27 scores shrink it by 27 / 30); the noise within 25 %; the
    model errs at least a quarter less than the raw mean; the band holds the truth for at
    least 85 % of proposals."""
    scores, quality, offset = simulate(seed)
    fit = fit_additive(scores)

    errors = [abs(fit.quality[p] - quality[p]) for p in quality]
    assert max(errors) < 0.45
    assert statistics.fmean(errors) < 0.15
    assert all(abs(fit.leniency[j] - offset[j]) < 0.3 for j in offset)
    assert fit.sigma == pytest.approx(NOISE, rel=0.25)
    assert all(fit.count[p] == PER_PROPOSAL for p in quality)

    raw = {p: statistics.fmean(y for q, _, y in scores if q == p) for p in quality}
    raw_errors = [abs(raw[p] - quality[p]) for p in quality]
    assert statistics.fmean(errors) < 0.75 * statistics.fmean(raw_errors)
    covered = sum(abs(fit.quality[p] - quality[p]) <= fit.band[p] for p in quality)
    assert covered >= 0.85 * PROPOSALS


def test_a_juror_with_one_score_is_shrunk_to_zero():
    """One harsh score from a newcomer barely moves their offset: ridge 3 keeps it at a
    quarter of what a free offset would take."""
    scores = [(p, j, 3.0) for p in range(10) for j in ("a", "b", "c")]
    scores.append((0, "newcomer", 1.0))
    fit = fit_additive(scores)
    assert abs(fit.leniency["newcomer"]) < 0.5
    assert fit.count[0] == 4


def test_no_scores_no_figures():
    fit = fit_additive([])
    assert fit.quality == {}
    assert fit.sigma == 0.0
