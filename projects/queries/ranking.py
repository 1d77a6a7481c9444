"""The ranking of a call's proposals, computed by the database in a fixed number of queries.

Whatever the size of the call: one aggregate per juror (count, mean, population standard
deviation of their totals), then per evaluation the z-score and per proposal the means,
counts and max - min. A juror with fewer than MIN_SCORES_FOR_Z scores or no spread has no
z-score: they are left out of the calibrated mean (`z_mean`, resting on `z_count` scores), as
in `projects.services.assignment.zscores`, but count in the raw mean (their raw totals,
0..5, averaged with z-scores, about -2..+2, would let a late juror's single 4/5 put a
proposal first). Conflicted pairs never count.
"""

from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    FloatField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    StdDev,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from calls.models import Call, JuryMember
from programme.keyset import Key
from projects.enums import EvaluationState, ProposalState
from projects.models import Assignment, Conflict, Evaluation, Proposal, RankingRow, Score
from projects.services import assignment as fair
from projects.services.assignment import ZERO_SPREAD

# A juror's scores are standardised only from this many on (as `assignment.zscores`).
MIN_SCORES_FOR_Z = 5


def counted_evaluations(call: Call):
    """The evaluations that count: submitted, with a total, not under an active conflict."""
    return Evaluation.objects.filter(
        assignment__juror__call=call,
        state=EvaluationState.SUBMITTED,
        total__isnull=False,
    ).exclude(assignment__in=Subquery(_conflicted_assignments(call)))


def juror_statistics(call: Call, jurors=None) -> dict[int, tuple[int, float, float | None]]:
    """Per juror: (count, mean, population standard deviation) of their counted totals,
    aggregated by the database in one query; `jurors` (a queryset of ids) narrows it to them."""
    counted = counted_evaluations(call)
    if jurors is not None:
        counted = counted.filter(assignment__juror_id__in=jurors)
    rows = (
        counted.values("assignment__juror_id")
        .annotate(n=Count("pk"), mean=Avg("total"), sd=StdDev("total", sample=False))
        .order_by("assignment__juror_id")
    )
    return {r["assignment__juror_id"]: (r["n"], r["mean"], r["sd"]) for r in rows}


def evaluations_with_z(call: Call, stats=None):
    """Counted evaluations with `z`: (total - juror's mean) / juror's standard deviation,
    or None for a juror with fewer than MIN_SCORES_FOR_Z scores or a spread below
    ZERO_SPREAD (as `projects.services.assignment.zscores`).

    The jurors' statistics come from one aggregate query (`juror_statistics`) and enter
    the z-score as a CASE on the juror: a correlated subquery per evaluation would cost
    the juror's whole load for each of their evaluations.
    """
    stats = juror_statistics(call) if stats is None else stats
    return counted_evaluations(call).annotate(
        z=_standardised("assignment__juror_id", "total", _calibrated(stats))
    )


def _calibrated(stats) -> list[tuple[int, float, float]]:
    """The jurors whose scores can be standardised, (id, mean, deviation) by id: at least
    MIN_SCORES_FOR_Z scores and a spread above ZERO_SPREAD."""
    return sorted(
        (juror_id, mean, sd)
        for juror_id, (n, mean, sd) in stats.items()
        if n >= MIN_SCORES_FOR_Z and sd is not None and sd > ZERO_SPREAD
    )


def criterion_key(criterion) -> str:
    return f"criterion_{criterion.pk}"


def _conflicted_assignments(call: Call):
    """The call's assignments under an active conflict, as one uncorrelated subquery (the
    database hashes it once instead of probing the conflicts for every evaluation)."""
    return Assignment.objects.filter(
        Exists(
            Conflict.objects.filter(
                juror_id=OuterRef("juror_id"),
                proposal_id=OuterRef("proposal_id"),
                lifted_at__isnull=True,
            )
        ),
        juror__call=call,
    ).values("pk")


def _standardised(juror: str, total: str, jurors: list[tuple[int, float, float]]):
    """The z-score of `total` from its juror's mean and deviation, None for the jurors not
    listed: a CASE split in halves on the juror's id (a balanced tree), so a row
    passes about log2(jurors) comparisons instead of one per juror (300 jurors: 9, not 150).
    """
    if not jurors:
        # Typed, or PostgreSQL cannot tell which AVG to run over a bare NULL.
        return Cast(Value(None), output_field=FloatField())
    if len(jurors) <= 4:
        return Case(
            *[
                When(**{juror: juror_id}, then=(F(total) - Value(mean)) / Value(sd))
                for juror_id, mean, sd in jurors
            ],
            default=Value(None),
            output_field=FloatField(),
        )
    middle = len(jurors) // 2
    return Case(
        When(
            **{f"{juror}__lt": jurors[middle][0]},
            then=_standardised(juror, total, jurors[:middle]),
        ),
        default=_standardised(juror, total, jurors[middle:]),
        output_field=FloatField(),
    )


def ranking(call: Call, criteria=None, stats=None):
    """The call's proposals before the jury with their figures, best first.

    Annotations: `z_mean` (mean of the jurors' z-scores, see `evaluations_with_z`),
    `z_count` (how many scores that mean rests on: the jurors without a z-score are left out),
    `raw_mean` (mean of the jurors' weighted totals), `received` / `expected`
    evaluations, `spread` (max - min of the totals), `flagged` (spread above the
    call's threshold), and the mean of each criterion (`criterion_<id>`).
    Ties are broken as `projects.services.assignment.rank`: the criteria in the call's order,
    then the earlier submission, then the proposal id; a missing value comes last.

    One grouped query: each proposal joined to its live assignments (the call's jurors,
    no active conflict: the join's condition), their evaluation (one to one) and, per
    criterion, the evaluation's score on it (unique per evaluation and criterion, so no
    row counts twice), aggregated per proposal. The jurors' statistics come first from
    one aggregate query (`juror_statistics`) and enter the z-score as a CASE on the
    juror; the conflicted assignments are one uncorrelated (hashed) subquery. No
    correlated subquery runs per proposal or per evaluation.
    """
    criteria = list(call.criteria.all()) if criteria is None else criteria
    stats = juror_statistics(call) if stats is None else stats
    live = FilteredRelation(
        "jury_assignments",
        condition=Q(
            jury_assignments__juror_id__in=Subquery(
                JuryMember.objects.filter(call=call).values("pk")
            )
        )
        & ~Q(jury_assignments__in=Subquery(_conflicted_assignments(call))),
    )
    counted = Q(live__evaluation__state=EvaluationState.SUBMITTED) & Q(
        live__evaluation__total__isnull=False
    )
    total = "live__evaluation__total"
    z = _standardised("live__juror_id", total, _calibrated(stats))
    scores = {
        f"score_{c.pk}": FilteredRelation(
            "live__evaluation__scores",
            condition=Q(live__evaluation__scores__criterion_id=c.pk),
        )
        for c in criteria
    }
    per_criterion = {
        criterion_key(c): Avg(
            Cast(f"score_{c.pk}__value", FloatField()),
            filter=counted & Q(**{f"score_{c.pk}__value__isnull": False}),
        )
        for c in criteria
    }
    threshold = float(call.disagreement_threshold)
    return (
        Proposal.objects.filter(call=call, state__in=ProposalState.jury_states)
        .select_related("structure")
        .alias(live=live)
        .alias(**scores)
        .annotate(
            z_mean=Avg(z, filter=counted),
            z_count=Count(z, filter=counted),
            raw_mean=Avg(total, filter=counted),
            received=Count("live", filter=counted),
            expected=Count("live"),
            high=Max(total, filter=counted),
            low=Min(total, filter=counted),
            **per_criterion,
        )
        .annotate(spread=F("high") - F("low"))
        .annotate(
            flagged=Case(
                When(spread__gt=threshold, then=Value(True)),
                default=Value(False),
            )
        )
    )


def tie_break(criteria) -> list:
    """The documented tie-break after the ranked figure (`projects.services.assignment.rank`)."""
    return [
        *[F(criterion_key(c)).desc(nulls_last=True) for c in criteria],
        F("submitted_at").asc(nulls_last=True),
        F("pk").asc(),
    ]


def ranked(call: Call, criteria=None, first=None):
    """The ranking ordered by `first` (default: the mean z-score), ties broken as documented."""
    criteria = list(call.criteria.all()) if criteria is None else criteria
    head = first if first is not None else [F("z_mean").desc(nulls_last=True)]
    return ranking(call, criteria).order_by(*head, *tie_break(criteria))


def evaluations_of_page():
    """For the staff's ranking page: each proposal's assignments with juror and evaluation."""
    return Prefetch(
        "jury_assignments",
        queryset=Assignment.objects.select_related("juror__user", "evaluation").order_by("pk"),
        to_attr="staff_assignments",
    )


# --- The ranking as staff read it: three scores, one line per proposal ------------------------

# The columns staff may sort the ranking page by, with the direction a first click gives.
SORTS = {
    "rank": False,  # ascending: first is best
    "model": True,
    "z": True,
    "raw": True,
    "received": True,
    "spread": True,
    "title": False,
}


def model_fit(call: Call) -> fair.ModelFit:
    """The additive bias model (`projects.services.assignment.fit_additive`) over every
    counted evaluation of the call, read in one query."""
    return fair.fit_additive(
        counted_evaluations(call)
        .order_by()
        .values_list("assignment__proposal_id", "assignment__juror_id", "total")
    )


def call_ranking(call: Call, criteria=None) -> list[Proposal]:
    """The call's ranking, whole: every proposal before the jury, best first, each with
    what `ranking` annotates plus `model` (the fitted quality of the bias model), `model_count`
    (the scores it rests on), `band` (half-width of its uncertainty band), `criterion_means`
    (in the call's order) and `rank` (1 for the best).

    Ranked by the model's quality, ties broken as `projects.services.assignment.rank` (the
    criteria in order, the earlier submission, the id); unscored proposals last. Four queries
    whatever the size (criteria, jurors' statistics, the grouped ranking, the evaluations
    for the model). The one place the ranking is computed, so that it can be stored as is.
    """
    criteria = list(call.criteria.all()) if criteria is None else criteria
    rows = list(ranking(call, criteria))
    fit = model_fit(call)
    for row in rows:
        row.model = fit.quality.get(row.pk)
        row.model_count = fit.count.get(row.pk, 0)
        row.band = fit.band.get(row.pk)
        row.criterion_means = [getattr(row, criterion_key(c)) for c in criteria]
    standings = fair.rank(
        fair.Standing(row.pk, row.model, row.criterion_means, row.submitted_at) for row in rows
    )
    by_pk = {row.pk: row for row in rows}
    ordered = [by_pk[s.proposal] for s in standings]
    for position, row in enumerate(ordered, start=1):
        row.rank = position
    return ordered


def stored(call: Call, criteria):
    """The call's stored ranking (`RankingRow`, kept by `projects.services.rankings`), each
    row with its proposal, `sort_title` and the mean on each criterion as `criterion_<id>`
    (the keys a keyset page sorts by); unordered."""
    return (
        RankingRow.objects.filter(call=call)
        .select_related("proposal")
        .annotate(
            sort_title=F("proposal__title"),
            **{
                criterion_key(c): Cast(KeyTextTransform(str(c.pk), "criterion_means"), FloatField())
                for c in criteria
            },
        )
    )


def filtered(rows, *, search: str = "", state: str = "", flagged: bool | None = None):
    """`stored` rows whose proposal's title or reference holds `search`, in `state`, flagged
    for disagreement or not."""
    if search:
        rows = rows.filter(
            Q(proposal__title__icontains=search) | Q(proposal__reference__icontains=search)
        )
    if state:
        rows = rows.filter(proposal__state=state)
    if flagged is not None:
        rows = rows.filter(flagged=flagged)
    return rows


def row_keys(sort: str, criteria) -> list[Key]:
    """The keyset keys of the ranking sorted by `sort` (a key of SORTS or `criterion_<id>`,
    "-" first for descending; anything else: the rank): the column, then the rank and the
    proposal, so equal figures keep the ranking's order. A missing figure comes last either
    way. The first-click direction of each column is served by an index of `RankingRow`;
    the criteria's means (JSON) and the titles are sorted by the database without one."""
    columns = {
        "rank": ("rank", int),
        "model": ("model", float),
        "z": ("z_mean", float),
        "raw": ("raw_mean", float),
        "received": ("received", int),
        "spread": ("spread", float),
        "title": ("sort_title", str),
        **{criterion_key(c): (criterion_key(c), float) for c in criteria},
    }
    descending, key = sort.startswith("-"), sort.removeprefix("-")
    if key not in columns:
        key, descending = "rank", False
    name, kind = columns[key]
    first = Key(name, descending=descending, kind=kind, nullable=name not in NEVER_NULL)
    tail = [Key("rank", kind=int), Key("pk", kind=int, nullable=False)]
    return [first, *[k for k in tail if k.name != name]]


NEVER_NULL = frozenset({"received", "sort_title"})


def score_counts(call: Call) -> dict[int, dict[int, int]]:
    """Per criterion id, how many counted scores took each value: one grouped query (stored
    with the ranking, `RankingState.score_counts`)."""
    counts: dict[int, dict[int, int]] = {}
    for criterion_id, value, n in (
        Score.objects.filter(
            evaluation__in=counted_evaluations(call).values("pk"), value__isnull=False
        )
        .order_by()
        .values_list("criterion_id", "value")
        .annotate(n=Count("pk"))
    ):
        counts.setdefault(criterion_id, {})[value] = n
    return counts


def criterion_distributions(criteria, counts: dict) -> list[dict]:
    """Per criterion, its `counts` (from `score_counts`, or as stored: keys may be strings)
    as the bars of a small SVG chart (x, y, width, height in the chart's units), with total
    and mean. No query."""
    counts = {int(c): {int(v): n for v, n in by.items()} for c, by in counts.items()}
    result = []
    for criterion in criteria:
        by_value = counts.get(criterion.pk, {})
        values = list(range(criterion.scale_max + 1))
        total = sum(by_value.values())
        top = max(by_value.values(), default=0)
        width = CRITERION_CHART_WIDTH / len(values)
        bars = []
        for i, v in enumerate(values):
            n = by_value.get(v, 0)
            height = round(n / top * (CRITERION_CHART_HEIGHT - 14), 1) if top else 0
            bars.append(
                {
                    "value": v,
                    "count": n,
                    "x": round(i * width + 2, 1),
                    "width": round(width - 4, 1),
                    "height": height,
                    "y": round(CRITERION_CHART_HEIGHT - 14 - height, 1),
                    "label_x": round(i * width + width / 2, 1),
                }
            )
        mean = sum(v * n for v, n in by_value.items()) / total if total else None
        result.append({"criterion": criterion, "bars": bars, "total": total, "mean": mean})
    return result


CRITERION_CHART_WIDTH = 180
CRITERION_CHART_HEIGHT = 70
