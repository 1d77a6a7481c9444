"""The findings of issue 12 on the cohorts, each reproduced through the pages: the object
loaded twice, the XLSX export broken by a control character, the half-done writes, and the
laureate's funding checked against its call's rules."""

import io
from datetime import timedelta
from decimal import Decimal
from html import unescape

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts.enums import MilestoneKind, Phase
from cohorts.models import Laureate, Report
from cohorts.services import followup
from programme.models import AuditEntry
from projects.enums import DecisionOutcome, ProposalState
from projects.models import Decision
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def laureate(programme):
    start = timezone.localdate() - timedelta(days=100)
    cohort = factories.CohortFactory(programme=programme, slug="fast-13", starts_on=start)
    laureate = factories.LaureateFactory(cohort=cohort, name="Mobilic")
    followup.write_milestones(cohort, now=timezone.now())
    return laureate


def _selects_from(queries, table) -> int:
    """How many SELECTs read `table` as their main table (a join does not count)."""
    main = ' FROM "' + table + '"'
    return sum(
        1 for q in queries.captured_queries if q["sql"].startswith("SELECT") and main in q["sql"]
    )


def _pages(laureate):
    slug = laureate.cohort.slug
    report = laureate.milestones.get(kind=MilestoneKind.REPORT, number=1)
    review = laureate.milestones.get(kind=MilestoneKind.MIDTERM)
    return [
        ("cohorts:manage", {"slug": slug}, "cohorts_cohort"),
        ("cohorts:followup", {"slug": slug}, "cohorts_cohort"),
        ("cohorts:detail", {"slug": slug}, "cohorts_cohort"),
        ("cohorts:laureate-edit", {"slug": slug, "pk": laureate.pk}, "cohorts_laureate"),
        ("cohorts:timeline", {"slug": slug, "pk": laureate.pk}, "cohorts_laureate"),
        ("cohorts:report", {"slug": slug, "pk": report.pk}, "cohorts_milestone"),
        ("cohorts:milestone-review", {"slug": slug, "pk": review.pk}, "cohorts_milestone"),
    ]


def test_each_page_loads_its_object_once(client, laureate, staff):
    client.force_login(staff)
    for name, kwargs, table in _pages(laureate):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(name, kwargs=kwargs)).status_code == 200, name
        assert _selects_from(queries, table) == 1, (name, [q["sql"] for q in queries])


def test_a_control_character_in_a_name_does_not_break_the_xlsx_export(client, laureate, staff):
    client.force_login(staff)
    edit = reverse("cohorts:laureate-edit", kwargs={"slug": "fast-13", "pk": laureate.pk})
    posted = {"name": "Mobi\x0blic", "mission": "Une mission.", "phase": Phase.INVESTIGATION}
    assert client.post(edit, posted).status_code == 302
    assert Laureate.objects.get(pk=laureate.pk).name == "Mobi\x0blic"
    url = reverse("cohorts:followup", kwargs={"slug": "fast-13"})
    response = client.get(url, {"export": "xlsx"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [row[0] for row in sheet.iter_rows(values_only=True)] == ["Lauréat", "Mobilic"]


class _PhaseChangedMeanwhile:
    """Another tab moves the laureate to construction right after the first write to it."""

    def __init__(self, laureate):
        self.laureate, self.done = laureate, False

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not self.done and sql.startswith('UPDATE "cohorts_laureate"'):
            self.done = True
            Laureate.objects.filter(pk=self.laureate.pk).update(phase=Phase.CONSTRUCTION)
        return result


def test_a_refused_phase_change_saves_nothing_of_the_edit(client, laureate, staff):
    client.force_login(staff)
    edit = reverse("cohorts:laureate-edit", kwargs={"slug": "fast-13", "pk": laureate.pk})
    posted = {"name": "Mobilic v2", "mission": "Une mission.", "phase": Phase.ACCELERATION}
    with connection.execute_wrapper(_PhaseChangedMeanwhile(laureate)):
        response = client.post(edit, posted)
    assert response.status_code == 200
    assert "rechargez la page" in response.content.decode()
    laureate.refresh_from_db()
    assert laureate.name == "Mobilic"
    assert not AuditEntry.objects.filter(action__startswith="laureate.").exists()


def test_a_refused_filing_saves_nothing_of_the_report(client, laureate):
    milestone = laureate.milestones.get(kind=MilestoneKind.REPORT, number=1)
    client.force_login(laureate.intrapreneur)
    url = reverse("cohorts:report", kwargs={"slug": "fast-13", "pk": milestone.pk})
    data = {
        "period_start": milestone.period_start.isoformat(),
        "period_end": milestone.period_end.isoformat(),
        "results": "200 transporteurs inscrits.",
        "submit_report": "Déposer",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Indiquez les prochaines étapes pour déposer le point d&#x27;étape." in html
    assert "200 transporteurs inscrits." in html  # what was typed is shown again
    assert not Report.objects.exists()


@pytest.fixture
def funded(programme):
    """A FAST call of 550 000 €: one project granted 300 000 €, the laureate 250 000 €."""
    call = factories.CallFactory(
        programme=programme,
        offers_funding=True,
        envelope=Decimal("550000"),
        max_funding_amount=Decimal("300000"),
        max_funding_share=50,
    )

    def selected(amount):
        proposal = factories.ProposalFactory(
            call=call, state=ProposalState.SELECTED, yearly_budget=Decimal("700000")
        )
        Decision.objects.create(
            proposal=proposal,
            outcome=DecisionOutcome.SELECTED,
            justification="Retenu.",
            amount_granted=amount,
            decided_at=timezone.now(),
        )
        return proposal

    selected(Decimal("300000"))
    cohort = factories.CohortFactory(programme=programme, slug="fast-13")
    return factories.LaureateFactory(
        cohort=cohort,
        name="Mobilic",
        proposal=selected(Decimal("250000")),
        funding_granted=Decimal("250000"),
    )


def _edit(client, laureate, **changes):
    url = reverse("cohorts:laureate-edit", kwargs={"slug": "fast-13", "pk": laureate.pk})
    data = {"name": laureate.name, "mission": "Une mission.", "phase": laureate.phase}
    return client.post(url, {**data, **changes})


def test_a_grant_beyond_the_envelope_is_refused_and_nothing_saved(client, funded, staff):
    client.force_login(staff)
    response = _edit(
        client, funded, name="Mobilic v2", funding_granted="300000", funding_reason="Revu."
    )
    assert response.status_code == 200
    assert "dépasse ce qui reste de l&#x27;enveloppe" in response.content.decode()
    funded.refresh_from_db()
    assert (funded.name, funded.funding_granted) == ("Mobilic", Decimal("250000"))
    assert Decision.objects.get(proposal=funded.proposal).amount_granted == Decimal("250000")
    assert not AuditEntry.objects.exists()


def test_a_grant_within_the_rules_writes_the_decision_too(client, funded, staff):
    client.force_login(staff)
    refused = _edit(client, funded, funding_granted="240000")
    assert refused.status_code == 200
    assert "Indiquez la raison du changement du financement accordé." in unescape(
        refused.content.decode()
    )
    assert Laureate.objects.get(pk=funded.pk).funding_granted == Decimal("250000")
    reason = "Budget annuel revu à la baisse."
    response = _edit(client, funded, funding_granted="240000", funding_reason=reason)
    assert response.status_code == 302
    funded.refresh_from_db()
    assert funded.funding_granted == Decimal("240000")
    assert Decision.objects.get(proposal=funded.proposal).amount_granted == Decimal("240000")
    entry = AuditEntry.objects.get(action="laureate.funding")
    assert (entry.from_state, entry.to_state) == ("250000", "240000")
    assert entry.reason == reason
    assert entry.changes == {"funding_granted": ["250000", "240000"]}


def test_an_amount_without_a_funding_call_is_refused(client, laureate, staff):
    client.force_login(staff)
    response = _edit(client, laureate, funding_granted="1000", funding_reason="Revu.")
    assert response.status_code == 200
    assert "appel qui finance" in response.content.decode()
    assert Laureate.objects.get(pk=laureate.pk).funding_granted is None
