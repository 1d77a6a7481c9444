"""Eligibility rules as data: per call, conditions on the structure type, the region, the
team's size and the amount asked; checked at submission (the candidate sees why), flagged on
the staff's list, and the flagged ones screened out at once."""

import itertools
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calls import eligibility
from calls.enums import EligibilityKind
from calls.models import EligibilityRule
from programme.enums import Region, StructureType
from programme.exceptions import TransitionError
from programme.models import AuditEntry
from projects.enums import ProposalState
from projects.models import Proposal
from projects.services import proposals as services
from projects.services import screening
from tests import factories
from tests.projects.conftest import CLOSES_AT, NOW, complete

pytestmark = pytest.mark.django_db
AFTER = CLOSES_AT + timedelta(days=1)


def rule(call, kind, **fields):
    return EligibilityRule.objects.create(call=call, kind=kind, **fields)


def facts(**overrides):
    base = {
        "structure_type": StructureType.DREAL,
        "region": Region.BRETAGNE,
        "team_size": 2,
        "requested_amount": Decimal("100000"),
    }
    return eligibility.Facts(**{**base, **overrides})


@pytest.mark.parametrize(
    ("kind", "fields", "given", "says"),
    [
        (EligibilityKind.STRUCTURE_TYPE, {"values": ["dirm"]}, {}, "n'est pas d'un type admis"),
        (EligibilityKind.REGION, {"values": ["occ"]}, {}, "Bretagne"),
        (EligibilityKind.REGION, {"values": ["occ"]}, {"region": None}, "nationale"),
        (EligibilityKind.TEAM_SIZE, {"minimum": 3}, {}, "il en faut au moins 3"),
        (EligibilityKind.TEAM_SIZE, {"maximum": 1}, {}, "c'est au plus 1"),
        (
            EligibilityKind.REQUESTED_AMOUNT,
            {"maximum": Decimal("50000")},
            {},
            "c'est au plus 50 000",
        ),
        (EligibilityKind.REQUESTED_AMOUNT, {"minimum": 1}, {"requested_amount": None}, "non"),
    ],
)
def test_each_kind_of_condition_says_why_in_french(call, kind, fields, given, says):
    (breach,) = eligibility.breaches([rule(call, kind, **fields)], facts(**given))
    assert says in breach.message.replace("\u202f", " ").replace("\xa0", " ")


def test_met_conditions_say_nothing(call):
    rules = [
        rule(call, EligibilityKind.STRUCTURE_TYPE, values=["dreal"]),
        rule(call, EligibilityKind.REGION, values=["bre"]),
        rule(call, EligibilityKind.TEAM_SIZE, minimum=1, maximum=4),
        rule(call, EligibilityKind.REQUESTED_AMOUNT, maximum=300000),
    ]
    assert eligibility.breaches(rules, facts()) == []


def test_a_blocking_condition_refuses_the_submission_saying_why(call, proposal, agent, question):
    rule(call, EligibilityKind.TEAM_SIZE, minimum=2, explanation="Voir l'article 3.")
    complete(proposal, agent)
    with pytest.raises(TransitionError) as refused:
        services.submit_proposal(proposal, by=agent, now=NOW)
    assert "ne remplit pas les conditions de l'appel" in str(refused.value)
    assert "L'équipe compte 1 personne : il en faut au moins 2. Voir l'article 3." in str(
        refused.value
    )
    assert Proposal.objects.get(pk=proposal.pk).state == ProposalState.DRAFT


def test_a_warning_condition_lets_the_team_submit_and_flags_it(call, proposal, agent, question):
    rule(call, EligibilityKind.TEAM_SIZE, minimum=2, blocking=False)
    complete(proposal, agent)
    services.submit_proposal(proposal, by=agent, now=NOW)
    assert Proposal.objects.get(pk=proposal.pk).state == ProposalState.SUBMITTED


def test_the_candidate_sees_the_conditions_not_met(client, call, proposal, agent, question):
    rule(call, EligibilityKind.TEAM_SIZE, minimum=2)
    client.force_login(agent)
    with time_machine.travel(NOW, tick=False):
        page = unescape(client.get(proposal.get_absolute_url()).content.decode())
    assert "Conditions de l'appel non remplies" in page
    assert "il en faut au moins 2" in page


_SEQUENCE = itertools.count(1)


def _submitted(call, n, **fields):
    return [
        factories.ProposalFactory(
            call=call, state=ProposalState.SUBMITTED, sequence=next(_SEQUENCE), **fields
        )
        for _ in range(n)
    ]


def test_the_staff_list_flags_the_proposals_out_of_conditions(client, call, staff):
    rule(call, EligibilityKind.REQUESTED_AMOUNT, maximum=Decimal("50000"), blocking=False)
    (over,) = _submitted(call, 1, requested_amount=Decimal("90000"))
    (within,) = _submitted(call, 1, requested_amount=Decimal("10000"))
    client.force_login(staff)
    page = unescape(
        client.get(reverse("projects:call-proposals", args=[call.slug])).content.decode()
    )
    assert page.count("Hors conditions") == 1
    assert "1 candidature à examiner ne remplit pas les conditions" in page
    rows = {r.pk: r.eligibility_flags for r in client.get(
        reverse("projects:call-proposals", args=[call.slug])
    ).context["page"].rows}  # fmt: skip
    assert rows[over.pk]
    assert rows[within.pk] == []


def test_the_flagged_list_runs_the_same_queries_at_two_sizes(client, call, staff):
    rule(call, EligibilityKind.TEAM_SIZE, minimum=3, blocking=False)
    rule(call, EligibilityKind.STRUCTURE_TYPE, values=["dirm"], blocking=False)
    client.force_login(staff)
    url = reverse("projects:call-proposals", args=[call.slug])
    _submitted(call, 3)
    client.get(url)  # warm the session and the content types
    small = _count(client, url)
    _submitted(call, 12)
    assert _count(client, url) == small


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_staff_screen_out_the_flagged_ones_at_once(client, call, staff):
    rule(call, EligibilityKind.TEAM_SIZE, minimum=2, blocking=False)
    flagged = _submitted(call, 2)
    kept = _submitted(call, 1)[0]
    factories.TeamMemberFactory(proposal=kept)
    client.force_login(staff)
    url = reverse("projects:screen-flagged", args=[call.slug])
    with time_machine.travel(AFTER, tick=False):
        page = unescape(client.get(url).content.decode())
        assert "Écarter les candidatures signalées ?" in page
        assert all(p.title in page for p in flagged)
        assert kept.title not in page
        client.post(url)
    states = dict(Proposal.objects.values_list("pk", "state"))
    assert [states[p.pk] for p in flagged] == [ProposalState.INELIGIBLE] * 2
    assert states[kept.pk] == ProposalState.SUBMITTED
    reasons = set(Proposal.objects.filter(pk__in=[p.pk for p in flagged]).values_list(
        "ineligibility_reason", flat=True
    ))  # fmt: skip
    assert all("il en faut au moins 2" in r for r in reasons)
    assert AuditEntry.objects.filter(action="proposal.screen", to_state="ineligible").count() == 2
    with pytest.raises(TransitionError, match="Aucune candidature"):
        screening.screen_flagged(call, by=staff, now=AFTER)


def test_staff_add_a_condition_on_the_pilotage_page(client, call, staff):
    client.force_login(staff)
    url = reverse("calls:eligibility-add", args=[call.slug])
    with time_machine.travel(NOW, tick=False):
        refused = client.post(url, {"kind": EligibilityKind.REGION, "blocking": "on"})
        assert refused.status_code == 200
        assert "Cochez au moins une région." in unescape(refused.content.decode())
        done = client.post(
            url, {"kind": EligibilityKind.REGION, "regions": ["bre", "occ"], "blocking": "on"}
        )
    assert done.status_code == 302
    saved = call.eligibility_rules.get()
    assert saved.values == ["bre", "occ"]
    with time_machine.travel(NOW, tick=False):
        manage = client.get(reverse("calls:manage", args=[call.slug])).content.decode()
    manage = unescape(manage)
    assert "Région de la structure : Bretagne, Occitanie" in manage
    assert AuditEntry.objects.filter(action="call.eligibilityrule.add").exists()


@pytest.mark.parametrize(
    "kinds",
    [
        [EligibilityKind.STRUCTURE_TYPE],
        [EligibilityKind.REGION, EligibilityKind.TEAM_SIZE],
        [EligibilityKind.REQUESTED_AMOUNT],
        list(EligibilityKind),
    ],
)
def test_the_flagged_count_equals_the_flagged_list(call, kinds, django_assert_num_queries):
    """The staff list's count asks the same rule, per group of facts: it finds exactly the
    proposals `flagged_for_screening` lists, in one query however many there are."""
    from projects.queries import proposals as queries

    fields = {
        EligibilityKind.STRUCTURE_TYPE: {"values": [StructureType.DREAL, StructureType.DIRM]},
        EligibilityKind.REGION: {"values": [Region.BRETAGNE]},
        EligibilityKind.TEAM_SIZE: {"minimum": 2, "maximum": 3},
        EligibilityKind.REQUESTED_AMOUNT: {"maximum": Decimal("50000")},
    }
    for kind in kinds:
        rule(call, kind, **fields[kind])
    structures = [
        factories.StructureFactory(type=kind, region=region)
        for kind in (StructureType.DREAL, StructureType.CENTRAL)
        for region in (Region.BRETAGNE, Region.OCCITANIE, "")
    ]
    amounts = [None, Decimal("10000"), Decimal("90000")]
    for n in range(24):
        (proposal,) = _submitted(
            call,
            1,
            structure=structures[n % len(structures)] if n % 7 else None,
            requested_amount=amounts[n % 3],
        )
        for _ in range(n % 4):
            factories.TeamMemberFactory(proposal=proposal)
    for proposal in _submitted(call, 2):  # screened already: not counted
        Proposal.objects.filter(pk=proposal.pk).update(state=ProposalState.ELIGIBLE)
    expected = len(queries.flagged_for_screening(call))
    assert expected > 0
    fresh = type(call).objects.get(pk=call.pk)
    with django_assert_num_queries(2):  # the rules, the groups
        assert queries.flagged_count(fresh) == expected
