"""The bench's generator on a tiny data set, and every page of the bench's table running the
same number of queries on two sizes of that data set (the timings are `make bench`'s, never
asserted here)."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from bench.pages import PAGES, path_of, targets
from calls.models import Call, JuryMember
from cohorts.models import Cohort, Laureate, Milestone, Report
from demo import bench as benchdata
from projects.models import Evaluation, Proposal, Score

pytestmark = pytest.mark.django_db

TINY = benchdata.Sizes(
    proposals=12,
    jurors=6,
    evaluations=36,
    criteria=3,
    cohorts=3,
    laureates=8,
    cohort_size=2,
    reports=5,
    drafts=7,
)
LARGER = benchdata.Sizes(
    proposals=120,
    jurors=12,
    evaluations=360,
    criteria=3,
    cohorts=6,
    laureates=70,
    cohort_size=3,
    reports=5,
    drafts=40,
)


def test_the_generator_makes_the_sizes_asked_for(capsys):
    call_command(
        "generate_bench_data",
        *[f"--{k.replace('_', '-')}={v}" for k, v in vars(TINY).items()],
    )
    call = Call.objects.get(slug=benchdata.RANKING_CALL)
    assert Proposal.objects.filter(call=call).count() == 12
    assert JuryMember.objects.filter(call=call).count() == 6
    assert Evaluation.objects.filter(assignment__juror__call=call, state="submitted").count() == 36
    assert Score.objects.filter(evaluation__assignment__juror__call=call).count() == 36 * 3
    assert Cohort.objects.filter(programme__slug=benchdata.SLUG).count() == 3
    assert Laureate.objects.filter(cohort__slug=benchdata.BIG_COHORT).count() == 8
    assert Laureate.objects.filter(cohort__programme__slug=benchdata.SLUG).count() == 8 + 2 * 2
    assert Proposal.objects.filter(call__slug=benchdata.DRAFTS_CALL, state="draft").count() == 7
    # Every laureate has its milestones; five monthly reports already due are filed.
    assert Milestone.objects.filter(laureate__cohort__programme__slug=benchdata.SLUG).count() > 0
    assert Report.objects.filter(submitted_at__isnull=False).count() == 5
    assert "reports filed: 5" in capsys.readouterr().out


def test_a_second_run_replaces_the_first_and_leaves_other_data_alone():
    other = get_user_model().objects.create_user(email="agent@exemple.gouv.fr", password="x")
    benchdata.generate(TINY)
    benchdata.generate(TINY)
    assert Proposal.objects.filter(call__slug=benchdata.RANKING_CALL).count() == 12
    benchdata.clear()
    assert not Proposal.objects.exists()
    assert list(get_user_model().objects.all()) == [other]


def _queries_per_page(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    users = get_user_model().objects
    roles = {
        "staff": users.get(email=benchdata.STAFF_EMAIL),
        "juror": users.get(email=benchdata.JUROR_EMAIL),
    }
    values = targets()
    counts = {}
    for page in PAGES:
        path = path_of(page, values)
        if path is None:
            continue
        client.logout()
        if page.role != "anonymous":
            client.force_login(roles[page.role])
        client.get(path)  # warm: sessions and caches as on a second visit
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
        assert response.status_code == 200, (page.label, response.status_code)
        counts[page.label] = len(captured)
    return counts


def test_every_bench_page_runs_the_same_queries_at_two_sizes(
    client,
):
    benchdata.generate(TINY)
    small = _queries_per_page(client)
    benchdata.generate(LARGER)
    large = _queries_per_page(client)
    assert set(small) >= {
        "floor (bare view)",
        "public list of calls",
        "call page",
        "staff proposals, page 1",
        "staff proposals, filtered",
        "staff proposals, search",
        "staff proposals, deep page",
        "proposal page",
        "jury ranking (10,000)",
        "juror's queue",
        "public cohort page",
        "programme page",
        "call reminders",
        "staff cohort desk (1,000)",
        "laureats.csv (1,000)",
        "deliberation",
        "decision form (fragment)",
        "staff follow-up dashboard",
    }
    assert small == large


# --- The bench's verdicts and table (bench/report.py): no timing, figures given ----------

from bench import report  # noqa: E402


def _report(*pages):
    return {
        "machine": {
            "cpu": "test",
            "cores": 2,
            "database": "sqlite",
            "python": "3.13",
            "when": "2026-12-01T21:00:00",
        },
        "load_start": "0.10 0.20 0.30",
        "load_end": "1.90 1.20 0.80",
        "pages": list(pages),
        "ranking": {
            "proposals": 10_000,
            "recompute_seconds": 1.4,
            "recompute_queries": 9,
            "compute_seconds": 0.9,
            "one_ms": 12.0,
            "one_max_ms": 31.0,
            "one_queries": 8,
        },
        "reminders": {
            "owed": 12_000,
            "scan_seconds": 3.9,
            "scan_queries": 35,
            "sent": 12_000,
            "mails": 11_000,
            "send_seconds": 50.0,
            "per_second": 240.0,
        },
    }


def _page(label, **figures):
    return {
        "page": label,
        "url_name": "x",
        "path": "/x",
        "status": 200,
        "queries": 3,
        "requests": 400,
        "failures": 0,
        "median_ms": 20.0,
        "p95_ms": 60.0,
        "rps": 100.0,
        "bytes": 12_345.0,
        "busy_before": 0.05,
        **figures,
    }


def test_a_page_that_served_no_request_fails_the_bench():
    silent = _page("deliberation", requests=0, median_ms=float("nan"), p95_ms=float("nan"), rps=0.0)
    figures = _report(_page("floor"), silent)
    assert report.problems(silent) == ["no request served"]
    assert report.exit_code(figures) == 1
    text = "\n".join(report.lines(figures))
    assert "| deliberation | 3 | — | — | 0.0 | 0.00 | 12345 | ÉCHEC: no request served |" in text
    assert "ÉCHEC: 1 page(s) failed:\n  deliberation: no request served" in text
    assert "nan" not in text


def test_an_error_rate_above_zero_fails_the_bench():
    errors = _page("dashboard", requests=200, failures=1)
    assert report.problems(errors) == ["error rate 0.5% (1 of 200)"]
    assert report.exit_code(_report(errors)) == 1
    refused = _page("dashboard", status=403, requests=0)
    assert report.problems(refused) == ["HTTP 403", "no request served"]


def test_pages_that_served_every_request_pass_and_absent_pages_are_not_failures():
    absent = {"page": "stored ranking", "url_name": "jury:stored", "path": None, "absent": True}
    figures = _report(_page("floor"), absent)
    assert report.exit_code(figures) == 0
    text = "\n".join(report.lines(figures))
    assert "every page served its requests without error" in text
    assert "| stored ranking | n/a — page absent (jury:stored) |" in text


def test_the_table_prints_sizes_targets_and_load():
    fast = _page("floor", median_ms=6.0, p95_ms=10.0, bytes=2.0)
    slow = _page("ranking", median_ms=420.0, p95_ms=900.0, busy_before=0.6)
    text = "\n".join(report.lines(_report(fast, slow)))
    assert (
        "| page | queries | median ms (≤ 50) | p95 ms (≤ 150) | req/s | × floor | bytes |" in text
    )
    assert "| floor | 3 | 6 ✓ | 10 ✓ | 100.0 | 0.00 | 2 | ok |" in text
    # Taken while the machine was busy with something else: marked.
    assert "| ranking † | 3 | 420 ✗ | 900 ✗ |" in text
    assert "load average at start: 0.10 0.20 0.30, at end: 1.90 1.20 0.80" in text
    assert "ranking of 10000 proposals, whole call from scratch: 1.40 ✗ s (target ≤ 1 s" in text
    assert "one evaluation's line, in its transaction: median 12 ✓ ms, max 31 ms" in text
    assert "reminder scan: 12000 reminders owed in 3.90 ✓ s (target ≤ 5 s)" in text
    assert "= 240 ✓ per second (target ≥ 200)" in text


def test_busy_fraction_reads_proc_stat():
    before = report.cpu_sample("cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 1 2 3 4")
    after = report.cpu_sample("cpu  150 0 150 900 0 0 0 0 0 0\ncpu0 1 2 3 4")
    assert report.busy_fraction(before, after) == 0.5
    assert report.busy_fraction(before, before) == 0.0


def test_the_two_sizes_are_compared_page_by_page():
    small = _report(_page("ranking", median_ms=40.0), _page("deliberation", median_ms=30.0))
    large = _report(
        _page("ranking", median_ms=48.0),
        _page("deliberation", median_ms=60.0),
        _page("dashboard", requests=0, median_ms=float("nan")),
    )
    text = "\n".join(report.compare([("1,000", small), ("10,000", large)]))
    assert "| page | median ms at 1,000 | median ms at 10,000 | × (≤ 1.3) |" in text
    assert "| ranking | 40 | 48 | 1.20 ✓ |" in text
    assert "| deliberation | 30 | 60 | 2.00 ✗ |" in text
    assert "| dashboard | — | — | — |" in text
