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
        "proposal page",
        "jury ranking (10,000)",
        "juror's queue",
        "public cohort page",
        "laureats.csv (1,000)",
    }
    assert small == large
