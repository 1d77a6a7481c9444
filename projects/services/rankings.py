"""The stored ranking of a call (`RankingRow`, `RankingState`): what
`projects.queries.ranking.call_ranking` computes from scratch, kept so that the pages read a
page of it by an index.

Two steps, so that a juror's submission costs a few queries and the ranking is never wrong
for long:

- `changed(call, proposal_ids)` runs inside the transaction of every change the ranking reads:
  an evaluation submitted or reopened, a conflict declared, recorded or lifted, assignments
  drawn, adjusted or moved, a juror removed, the disagreement threshold, a proposal entering
  or leaving the jury's states. It counts the change (`RankingState.requested`, so the
  ranking knows it is behind), rewrites those proposals' rows with their own figures (raw
  mean, counts, spread, criterion means, mean z-score), and queues `refresh` on commit.
- `refresh(call)` computes the whole call from scratch (the bias model, the z-scores, the
  ranks) and writes every row, marked with the count it read before computing. It is
  idempotent: a refresh that finds the ranking current does nothing, and one that finds a
  newer result written while it computed throws its own away. The last refresh queued after
  the last change therefore leaves the rows equal to the from-scratch computation.

Should a queued refresh be lost (broker down), the beat's `refresh_stale_rankings` catches
up, and `manage.py recompute_ranking` recomputes a call by hand.
"""

import json
from datetime import datetime

from django.db import connection, transaction
from django.db.models import F, Q

from calls.enums import CallState
from calls.models import Call
from projects.enums import ProposalState
from projects.models import Assignment, RankingRow, RankingState
from projects.queries import ranking

# What `changed` rewrites for a proposal: the figures that rest on its own evaluations.
LOCAL_FIELDS = (
    "z_mean",
    "z_count",
    "raw_mean",
    "received",
    "expected",
    "spread",
    "flagged",
    "criterion_means",
)
# What only the whole call's computation gives.
CALL_FIELDS = ("rank", "model", "model_count", "band")
ALL_FIELDS = LOCAL_FIELDS + CALL_FIELDS


def _state(call: Call) -> RankingState:
    return RankingState.objects.get_or_create(call=call)[0]


def _figures(row, criteria, fields) -> dict:
    """The stored values of `fields` for a row of `ranking.ranking` / `ranking.call_ranking`."""
    values = {field: getattr(row, field) for field in fields if field != "criterion_means"}
    if "flagged" in values:
        values["flagged"] = bool(values["flagged"])
    if "criterion_means" in fields:
        means = ((c.pk, getattr(row, ranking.criterion_key(c))) for c in criteria)
        values["criterion_means"] = {str(pk): mean for pk, mean in means if mean is not None}
    return values


def changed(call: Call, proposal_ids=None) -> None:
    """Inside the transaction of a change the ranking reads: count it, rewrite the rows of
    the proposals `proposal_ids` (None: the change touches the whole call, the refresh
    rewrites it), and queue the call's refresh on commit. Call it last in the transaction:
    the state row stays locked until the commit."""
    from projects.tasks import refresh_ranking  # the task module imports this one

    _state(call)
    RankingState.objects.filter(pk=call.pk).update(requested=F("requested") + 1)
    if proposal_ids:
        _rewrite(call, sorted(set(proposal_ids)))
    transaction.on_commit(lambda: refresh_ranking.delay(call_id=call.pk), robust=True)


def state_changed(proposal, before: str) -> None:
    """A proposal's state went from `before` to `proposal.state`: `changed` when it entered or
    left the states the jury ranks."""
    if proposal.state != before and ProposalState.jury_states & {before, proposal.state}:
        changed(proposal.call, [proposal.pk])


def _rewrite(call: Call, ids: list[int]) -> None:
    """The rows of `ids` with their own figures, from the jurors' current statistics; a
    proposal no longer before the jury loses its row. The call's figures stay until the
    refresh."""
    criteria = list(call.criteria.all())
    jurors = Assignment.objects.filter(proposal_id__in=ids, juror__call=call).values("juror_id")
    stats = ranking.juror_statistics(call, jurors=jurors)
    rows = list(ranking.ranking(call, criteria, stats=stats).filter(pk__in=ids))
    RankingRow.objects.filter(proposal_id__in=set(ids) - {row.pk for row in rows}).delete()
    # In bulk: a run of automatic conflicts can touch hundreds of proposals at once.
    existing = set(
        RankingRow.objects.filter(proposal_id__in=[row.pk for row in rows]).values_list(
            "proposal_id", flat=True
        )
    )
    lines = [
        RankingRow(proposal_id=row.pk, call=call, **_figures(row, criteria, LOCAL_FIELDS))
        for row in rows
    ]
    RankingRow.objects.bulk_update(
        [line for line in lines if line.pk in existing], LOCAL_FIELDS, batch_size=500
    )
    RankingRow.objects.bulk_create([line for line in lines if line.pk not in existing])


def refresh(call: Call, *, now: datetime, force: bool = False) -> bool:
    """Compute the call's ranking from scratch and store it; False when it was current
    already (unless `force`) or when a newer result was written while this one computed."""
    state = _state(call)
    if state.current and not force:
        return False
    version = state.requested
    criteria = list(call.criteria.all())
    rows = ranking.call_ranking(call, criteria)
    counts = ranking.score_counts(call)
    with transaction.atomic():
        locked = RankingState.objects.select_for_update().get(pk=call.pk)
        if locked.computed is not None and (
            locked.computed > version or (locked.computed == version and not force)
        ):
            return False
        first = locked.computed is None
        RankingRow.objects.filter(call=call).delete()
        _insert(call, criteria, rows)
        locked.computed = version
        locked.computed_at = now
        locked.score_counts = {
            str(c): {str(v): n for v, n in by.items()} for c, by in counts.items()
        }
        locked.save(update_fields=["computed", "computed_at", "score_counts"])
        if first and connection.vendor == "postgresql":
            # A call's first rows can multiply the table: without fresh statistics the planner
            # takes it for nearly empty and joins the deliberation's 2,000 rows to it by a
            # loop over all of it (0.6 s instead of 25 ms at 10,000), until autovacuum runs.
            # Once committed, so that it counts them.
            transaction.on_commit(_analyze)
    return True


def _analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(RankingRow._meta.db_table)}")


def _insert(call: Call, criteria, rows) -> None:
    """Write the rows of `call_ranking` in one pass: COPY on PostgreSQL, one executemany
    elsewhere. Through `bulk_create`, 10,000 model instances took 0.6 s to build and 0.9 s
    to insert, more than computing the ranking; with COPY the whole refresh at 10,000 fell
    from 2.9 s to 1.7 s."""
    fields = [RankingRow._meta.get_field(name) for name in ("proposal", "call", *ALL_FIELDS)]
    table = connection.ops.quote_name(RankingRow._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    values = (
        (row.pk, call.pk, *_stored_values(_figures(row, criteria, ALL_FIELDS))) for row in rows
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = f"COPY {table} ({columns}) FROM STDIN"  # noqa: S608  # nosec B608
            with cursor.cursor.copy(sql) as copy:
                for line in values:
                    copy.write_row(line)
        else:
            marks = ", ".join(["%s"] * len(fields))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608  # nosec B608
            cursor.executemany(sql, list(values))


def _stored_values(figures: dict) -> list:
    return [
        json.dumps(figures[name]) if name == "criterion_means" else figures[name]
        for name in ALL_FIELDS
    ]


def ensure(call: Call, *, now: datetime) -> RankingState:
    """The call's ranking state, what the pages call before reading the rows. Computed first
    when it never was (a call from before the stored ranking, or data written without the
    services), and when it is behind once the written review is over: nothing changes it
    any more, and the shortlist and the deliberation must read the exact ranking. During the
    review a page shows the rows as they are, the refresh being on its way."""
    state = RankingState.objects.filter(pk=call.pk).first()
    if (
        state is None
        or state.computed is None
        or (not state.current and call.state != CallState.REVIEW)
    ):
        refresh(call, now=now)
        state = RankingState.objects.get(pk=call.pk)
    return state


def stale_calls():
    """The calls whose stored ranking is behind its changes (for the beat's catch-up)."""
    return Call.objects.filter(
        Q(ranking_state__computed__isnull=True)
        | Q(ranking_state__requested__gt=F("ranking_state__computed")),
        ranking_state__isnull=False,
    )
