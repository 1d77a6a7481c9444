"""The demo jury of Fabrique numérique 2017: its scores rank the 12 auditioned first."""

import re
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.db.models import F as models_f
from django.urls import reverse

from calls.models import Call
from cohorts.models import Laureate
from demo.cohorts import FN_AUDITIONED_NOT_SELECTED, FN_LAUREATES
from projects.models import (
    Assignment,
    AuditionEvaluation,
    Conflict,
    Decision,
    Evaluation,
    Proposal,
)
from projects.queries import ranking

pytestmark = pytest.mark.django_db


@pytest.fixture
def fn_call(demo):
    """The demo (seeded once per session, copied into each test's transaction)."""
    return Call.objects.get(slug="fabrique-numerique-2017")


def test_the_jury_seats_the_roles_of_the_seeds(fn_call):
    roles = sorted(fn_call.jury_members.values_list("role_label", flat=True))
    assert roles.count("Directeur d'administration centrale") == 2
    assert "Membre de la CCDG" in roles
    assert "Secrétaire générale" in roles
    assert fn_call.jury_members.filter(user__email="jure@demo.portail.example").exists()


def test_every_proposal_has_three_jurors_none_in_conflict_with_equal_loads(fn_call):
    per_proposal = Assignment.objects.filter(juror__call=fn_call).values("proposal")
    assert set(per_proposal.annotate(n=Count("pk")).values_list("n", flat=True)) == {3}
    loads = Assignment.objects.filter(juror__call=fn_call).values("juror").annotate(n=Count("pk"))
    counts = [row["n"] for row in loads]
    assert max(counts) - min(counts) <= 1
    conflicts = Conflict.objects.filter(juror__call=fn_call, lifted_at__isnull=True)
    assert conflicts.exists()  # the demo juror's own service sent proposals
    for conflict in conflicts:
        assert not Assignment.objects.filter(
            juror=conflict.juror, proposal=conflict.proposal
        ).exists()


def test_the_ranking_puts_the_twelve_auditioned_first_and_the_seven_laureates_on_top(fn_call):
    rows = list(ranking.ranked(fn_call))
    assert len(rows) == 50
    laureates = {title for title, _, _ in FN_LAUREATES}
    assert {r.title for r in rows[:7]} == laureates
    assert {r.title for r in rows[:12]} == laureates | set(FN_AUDITIONED_NOT_SELECTED)
    assert all(r.received == r.expected == 3 for r in rows)


def test_seeding_again_keeps_the_jury_work(fn_call, settings):
    before = Evaluation.objects.filter(assignment__juror__call=fn_call).count()
    call_command("seed_demo", stdout=None)
    assert Evaluation.objects.filter(assignment__juror__call=fn_call).count() == before == 150


def test_twelve_auditions_then_seven_decisions_published(fn_call):
    fn_call.refresh_from_db()
    assert fn_call.state == "results_published"
    heard = Proposal.objects.filter(call=fn_call, audition__isnull=False)
    assert heard.count() == 12
    laureates = {title for title, _, _ in FN_LAUREATES}
    assert set(heard.values_list("title", flat=True)) == laureates | set(FN_AUDITIONED_NOT_SELECTED)
    decisions = Decision.objects.filter(proposal__call=fn_call)
    assert decisions.count() == 12
    selected = decisions.filter(outcome="selected")
    assert set(selected.values_list("proposal__title", flat=True)) == laureates
    assert all(d.justification for d in decisions)
    states = Counter(fn_call.proposals.values_list("state", flat=True))
    assert states == {"selected": 7, "not_selected": 5, "not_shortlisted": 38}
    # Every juror not in conflict scored each audition on the grid.
    assert AuditionEvaluation.objects.filter(proposal__call=fn_call).count() == 12 * 6 - (
        Conflict.objects.filter(juror__call=fn_call, proposal__in=heard).count()
    )


def test_the_public_results_and_the_cohort_page_read_the_funnel(fn_call, client):
    html = client.get(reverse("jury:results", args=[fn_call.slug])).content.decode()
    assert "Aides-territoires" in html
    cohort = client.get("/cohortes/fabrique-numerique-2018/").content.decode()
    steps = dict(re.findall(r'data-step="(\w+)">(\d+)<', cohort))
    assert steps["submitted"] == "50"
    assert steps["selected"] == "7"
    assert "12" in steps.values()


def test_fast_13_selects_ten_startups_for_2_55_million_euros(fn_call):
    fast = Call.objects.get(slug="fast-13")
    decisions = Decision.objects.filter(proposal__call=fast, outcome="selected")
    assert decisions.count() == 10
    assert sum(d.amount_granted for d in decisions) == Decimal("2550000")
    for decision in decisions.select_related("proposal"):
        assert decision.amount_granted <= Decimal("300000")
        assert decision.amount_granted * 2 <= decision.proposal.yearly_budget
    laureates = Laureate.objects.filter(cohort__slug="fast-13")
    assert laureates.filter(proposal__call=fast).count() == 10
    assert sum(laureates.values_list("funding_granted", flat=True)) == Decimal("2550000")


def test_fast_13_has_its_jury_dossiers_and_one_discussion(demo, client, settings):
    """The funded call's dossier is seen on the seeds' data: the demo juror opens a FAST 13
    proposal with its budget, amount requested and answers, and reads its discussion."""
    from calls.funding import euros
    from projects.models import DiscussionPost

    fast = Call.objects.get(slug="fast-13")
    assert fast.jury_members.count() == 4
    assert Evaluation.objects.filter(assignment__juror__call=fast, state="submitted").count() == 30
    first = fast.proposals.order_by("sequence").first()
    assert DiscussionPost.objects.filter(proposal__call=fast).count() == 3
    mine = Assignment.objects.filter(
        juror__call=fast, juror__user__email="jure@demo.portail.example"
    )
    proposal = mine.order_by("proposal__sequence").first().proposal
    client.force_login(mine.first().juror.user)
    page = client.get(reverse("jury:evaluate", args=[proposal.public_id])).content.decode()
    assert euros(proposal.requested_amount) in page
    assert euros(proposal.yearly_budget) in page
    assert "Dans quelle phase est le projet ?" in page
    assert proposal == first  # the demo juror sits on the discussed proposal
    thread = client.get(reverse("jury:discussion", args=[first.public_id])).content.decode()
    assert "la direction cofinance-t-elle" in thread
    call_command("seed_demo", stdout=None)  # idempotent
    assert Evaluation.objects.filter(assignment__juror__call=fast).count() == 30
    assert DiscussionPost.objects.filter(proposal__call=fast).count() == 3


def test_the_demo_call_has_themes_expertise_and_bids(fn_call, client):
    from projects.models import Bid

    assert fn_call.themes.count() == 7
    assert all(seat.themes.count() == 2 for seat in fn_call.jury_members.all())
    assert not Proposal.objects.filter(call=fn_call, themes__isnull=True).exists()
    bids = Bid.objects.filter(juror__call=fn_call)
    assert bids.filter(choice="yes").exists()
    assert not bids.filter(
        juror__conflicts__proposal=models_f("proposal"), juror__conflicts__lifted_at__isnull=True
    ).exists()
    call_command("seed_demo", stdout=None)
    assert Bid.objects.filter(juror__call=fn_call).count() == bids.count()
    client.force_login(fn_call.jury_members.get(user__email="jure@demo.portail.example").user)
    page = client.get(reverse("jury:bids", args=[fn_call.slug])).content.decode()
    assert "Eau et sécheresse" in page


def test_the_bias_model_also_puts_the_seven_laureates_on_top(fn_call):
    rows = ranking.call_ranking(fn_call)
    laureates = {title for title, _, _ in FN_LAUREATES}
    assert {r.title for r in rows[:7]} == laureates
    assert all(r.model_count == 3 for r in rows)
