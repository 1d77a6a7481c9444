"""What `make bench` concludes from its figures: which rows failed, which were taken under
load, which targets are met, and the table it prints. Pure functions of the figures (no
Django, no timing), so `tests/programme/test_bench.py` tests them.

A page fails when it served no request, when any request failed (error rate above 0), or
when its query-count request did not answer 200; `make bench` then exits non-zero. A page
is "under load" when the machine was busy with something else than the bench just before
it was driven (the share of CPU time not idle, sampled while the server was idle, above
`BUSY_LIMIT`): its figures are marked, since they measure the other work too.
"""

import math

# The targets (issue 16), printed beside each figure.
MEDIAN_MS = 50
P95_MS = 150
ASSIGNMENT_S = 30.0  # issue 18: 10,000 proposals × 300 jurors × k = 3
RECOMPUTE_S = 1.0
REFRESH_MS = 50
SCAN_S = 5.0
REMINDERS_PER_S = 200
SIZE_RATIO = 1.3
BUSY_LIMIT = 0.25

FAIL = "ÉCHEC"
UNDER_LOAD = "†"


def _number(value) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def problems(row: dict) -> list[str]:
    """Why a measured page failed (empty: it did not)."""
    if row.get("absent"):
        return []
    found = []
    if row.get("status") not in (None, 200):
        found.append(f"HTTP {row['status']}")
    if "requests" in row:
        if not row["requests"]:
            found.append("no request served")
        elif row.get("failures"):
            rate = row["failures"] / row["requests"]
            found.append(f"error rate {rate:.1%} ({row['failures']} of {row['requests']})")
        if row.get("requests") and _number(row.get("median_ms")) is None:
            found.append("no timing")
    return found


def failed(report: dict) -> list[tuple[str, list[str]]]:
    """(page, problems) of every page that failed."""
    return [(row["page"], p) for row in report["pages"] if (p := problems(row))]


def under_load(row: dict, limit: float = BUSY_LIMIT) -> bool:
    busy = _number(row.get("busy_before"))
    return busy is not None and busy > limit


def mark(value: float | None, target: float, *, at_most: bool = True, digits: int = 0) -> str:
    """`value` with ✓ when it meets the target, ✗ otherwise; "—" when absent."""
    if value is None:
        return "—"
    met = value <= target if at_most else value >= target
    return f"{value:.{digits}f} {'✓' if met else '✗'}"


def busy_fraction(before: tuple[int, int], after: tuple[int, int]) -> float:
    """The share of CPU time not idle between two (busy, total) samples of /proc/stat."""
    busy = after[0] - before[0]
    total = after[1] - before[1]
    return busy / total if total > 0 else 0.0


def cpu_sample(stat_text: str) -> tuple[int, int]:
    """(busy, total) jiffies from the first line of /proc/stat."""
    fields = [int(x) for x in stat_text.splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    total = sum(fields[:8])
    return total - idle, total


def page_lines(report: dict) -> list[str]:
    header = (
        "page",
        "queries",
        f"median ms (≤ {MEDIAN_MS})",
        f"p95 ms (≤ {P95_MS})",
        "req/s",
        "× floor",
        "bytes",
        "verdict",
    )
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join(["---"] + ["---:"] * 6 + ["---"]) + "|",
    ]
    for row in report["pages"]:
        if row.get("absent"):
            lines.append(f"| {row['page']} | n/a — page absent ({row['url_name']}) | | | | | | |")
            continue
        why = problems(row)
        flag = f" {UNDER_LOAD}" if under_load(row) else ""
        verdict = f"{FAIL}: {', '.join(why)}" if why else "ok"
        if "requests" not in row:
            lines.append(f"| {row['page']} | {row.get('queries', '')} | | | | | | {verdict} |")
            continue
        median, p95 = _number(row.get("median_ms")), _number(row.get("p95_ms"))
        rps = _number(row.get("rps"))
        size = _number(row.get("bytes"))
        lines.append(
            f"| {row['page']}{flag} | {row.get('queries', '')} | {mark(median, MEDIAN_MS)} | "
            f"{mark(p95, P95_MS)} | {'—' if rps is None else f'{rps:.1f}'} | "
            f"{row.get('ratio', 0):.2f} | {'—' if size is None else f'{size:.0f}'} | {verdict} |"
        )
    return lines


def lines(report: dict) -> list[str]:
    """The whole printed report."""
    info = report["machine"]
    out = [
        f"{info['cpu']}, {info['cores']} cores, {info['database']}, Python {info['python']}, "
        f"{info['when']}",
        f"load average at start: {report.get('load_start', '?')}, at end: "
        f"{report.get('load_end', '?')} ({UNDER_LOAD}: figures taken while the machine was "
        f"more than {BUSY_LIMIT:.0%} busy with other work)",
        "",
        *page_lines(report),
        "",
    ]
    export = report.get("export")
    if export:
        out.append(
            f"laureats.csv alone: first byte {export['first_byte_ms']:.0f} ms, "
            f"last byte {export['last_byte_ms']:.0f} ms, {export['bytes']} bytes"
        )
    r = report.get("ranking")
    if r and "recompute_seconds" in r:
        out.append(
            f"stored ranking of {r['proposals']} proposals, whole call from scratch: "
            f"{mark(r['recompute_seconds'], RECOMPUTE_S, digits=2)} s "
            f"(target ≤ {RECOMPUTE_S:.0f} s; computing {r['compute_seconds']:.2f} s, "
            f"then writing), {r['recompute_queries']} queries"
        )
        if r.get("one_ms") is not None:
            out.append(
                f"one evaluation's line, in its transaction: median "
                f"{mark(r['one_ms'], REFRESH_MS)} ms, max {r['one_max_ms']:.0f} ms "
                f"(target ≤ {REFRESH_MS} ms), {r['one_queries']} queries; the model's ranks "
                f"follow by the whole-call refresh"
            )
    a = report.get("assignment")
    if a:
        out.append(
            f"assignment of {a['proposals']} proposals to {a['jurors']} jurors, k = {a['k']}: "
            f"{mark(a['seconds'], ASSIGNMENT_S, digits=1)} s (target < {ASSIGNMENT_S:.0f} s; "
            f"loads spread {a['spread']}, cost {a['cost']})"
        )
    m = report.get("reminders")
    if m:
        out.append(
            f"reminder scan: {m['owed']} reminders owed in "
            f"{mark(m['scan_seconds'], SCAN_S, digits=2)} s (target ≤ {SCAN_S:.0f} s), "
            f"{m['scan_queries']} queries"
        )
        if "per_second" in m:
            out.append(
                f"worker: {m['sent']} reminders sent ({m['mails']} mails received by the sink) "
                f"in {m['send_seconds']:.1f} s = "
                f"{mark(m['per_second'], REMINDERS_PER_S, at_most=False)} per second "
                f"(target ≥ {REMINDERS_PER_S})"
            )
        else:
            out.append(f"worker: {m.get('note')}")
    failures = failed(report)
    out.append("")
    if failures:
        out.append(f"{FAIL}: {len(failures)} page(s) failed:")
        out.extend(f"  {page}: {', '.join(p)}" for page, p in failures)
    else:
        out.append("every page served its requests without error")
    return out


def exit_code(report: dict) -> int:
    return 1 if failed(report) else 0


def compare(sizes: list[tuple[str, dict]]) -> list[str]:
    """The pages' medians at each size side by side, and whether the largest stays within
    `SIZE_RATIO` times the smallest (issue 16: a national programme feels like a small one)."""
    (small_name, small), (large_name, large) = sizes[0], sizes[-1]
    before = {row["page"]: row for row in small["pages"]}
    out = [
        f"| page | median ms at {small_name} | median ms at {large_name} | × (≤ {SIZE_RATIO}) |",
        "|---|---:|---:|---:|",
    ]
    for row in large["pages"]:
        first = before.get(row["page"], {})
        a, b = _number(first.get("median_ms")), _number(row.get("median_ms"))
        if a is None or b is None:
            out.append(f"| {row['page']} | {'—' if a is None else f'{a:.0f}'} | "
                       f"{'—' if b is None else f'{b:.0f}'} | — |")  # fmt: skip
            continue
        ratio = b / a if a else float("inf")
        out.append(f"| {row['page']} | {a:.0f} | {b:.0f} | {mark(ratio, SIZE_RATIO, digits=2)} |")
    return out
