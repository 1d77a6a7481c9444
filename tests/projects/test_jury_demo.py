"""The demo jury of Fabrique numérique 2017: its scores rank the 12 auditioned first."""

import pytest
from django.core.management import call_command
from django.db.models import Count

from calls.models import Call
from cohorts.demo import FN_AUDITIONED_NOT_SELECTED, FN_LAUREATES
from projects import jury_queries
from projects.models import Assignment, Conflict, Evaluation

pytestmark = pytest.mark.django_db


@pytest.fixture
def fn_call(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=None)
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
    rows = list(jury_queries.ranked(fn_call))
    assert len(rows) == 50
    laureates = {title for title, _, _ in FN_LAUREATES}
    assert {r.title for r in rows[:7]} == laureates
    assert {r.title for r in rows[:12]} == laureates | set(FN_AUDITIONED_NOT_SELECTED)
    assert all(r.received == r.expected == 3 for r in rows)


def test_seeding_again_keeps_the_jury_work(fn_call, settings):
    before = Evaluation.objects.filter(assignment__juror__call=fn_call).count()
    call_command("seed_demo", stdout=None)
    assert Evaluation.objects.filter(assignment__juror__call=fn_call).count() == before == 150
