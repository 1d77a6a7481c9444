"""The demo calls: the seeds' facts, and a second run changes nothing."""

from datetime import UTC, datetime

import pytest
from django.core.management import call_command

from calls.enums import CallKind, CallState, EligibilityKind
from calls.models import Call, Criterion, Defi, EligibilityRule, Question
from demo.calls import seed_calls
from tests import factories

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.fixture
def programmes():
    return {
        slug: factories.ProgrammeFactory(slug=slug)
        for slug in ("fabrique-numerique", "fast", "eig", "incubateur-val-d-oise")
    }


def test_seed_calls_reproduces_the_seeds_and_is_idempotent(programmes):
    calls = seed_calls(programmes, {}, now=NOW)
    counts = (Call.objects.count(), Criterion.objects.count(), Question.objects.count())
    rules = EligibilityRule.objects.count()
    seed_calls(programmes, {}, now=NOW)
    assert (Call.objects.count(), Criterion.objects.count(), Question.objects.count()) == counts
    assert EligibilityRule.objects.count() == rules == 3
    assert Defi.objects.count() == 6

    fn = calls["fabrique-numerique-2017"]
    assert fn.state == CallState.CLOSED
    assert fn.laureates_target == 7
    assert fn.opens_at.year == 2017
    assert fn.opens_at.month == 11
    assert sorted(fn.eligible_structure_types) == ["central", "dir", "dirm", "dreal"]
    rule = fn.eligibility_rules.get(kind=EligibilityKind.STRUCTURE_TYPE)
    assert sorted(rule.values) == ["central", "dir", "dirm", "dreal"]

    fast = calls["fast-14"]
    assert fast.is_open(NOW)
    assert [c.name for c in fast.criteria.all()] == ["Impact", "Maturité", "Ambition", "Soutien"]
    assert fast.offers_funding
    assert fast.max_funding_share == 50
    assert fast.max_funding_amount == 300000

    stage_one, stage_two = calls["eig-2-defis"], calls["eig-2-candidatures"]
    assert stage_one.kind == CallKind.CHALLENGES
    assert stage_two.challenge_call == stage_one
    titles = set(stage_two.defis_offered().values_list("title", flat=True))
    assert "PrédiSauvetage" in titles
    assert "Un accueil numérique de la gendarmerie" in titles
    assert "Des modèles prédictifs pour les sapeurs-pompiers" in titles
    predisauvetage = Defi.objects.get(title="PrédiSauvetage")
    assert "maritimes" in predisauvetage.host_structure.name


def test_seed_demo_command_runs_twice(demo):
    call_command("seed_demo", stdout=None)  # over the demo seeded once
    assert Call.objects.filter(slug="fabrique-numerique-2017").get().jury_members.exists()
    assert Call.objects.filter(slug="fast-14").get().state == CallState.PUBLISHED
