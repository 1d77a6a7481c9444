"""The staff's desk in a browser: closing a call early through its confirmation, with a
reason; then the proposals flagged by the call's eligibility conditions, screened out at once.
Every page passes axe."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from calls.enums import CallState, EligibilityKind
from calls.models import Call, EligibilityRule
from programme.models import AuditEntry
from projects.enums import ProposalState
from projects.models import Proposal
from tests import factories
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(transactional_db):
    programme = factories.ProgrammeFactory(name="FAST", slug="fast")
    staff = factories.StaffFactory(programme=programme)
    call = factories.CallFactory(
        programme=programme,
        edition="FAST 15",
        slug="fast-15",
        state=CallState.PUBLISHED,
        offers_funding=True,
        envelope=Decimal("2550000"),
        opens_at=timezone.now() - timedelta(days=10),
        closes_at=timezone.now() + timedelta(days=20),
    )
    EligibilityRule.objects.create(
        call=call, kind=EligibilityKind.REQUESTED_AMOUNT, maximum=300000, blocking=False
    )
    factories.ProposalFactory(call=call, state=ProposalState.DRAFT, title="Brouillon")
    for n, (title, amount) in enumerate((("Mobilic", 250000), ("Camino", 400000)), start=1):
        factories.ProposalFactory(
            call=call,
            title=title,
            state=ProposalState.SUBMITTED,
            sequence=n,
            reference=f"FAST-2026-000{n}",
            requested_amount=Decimal(amount),
            yearly_budget=Decimal("900000"),
        )
    return staff, call


def test_staff_close_a_call_early_then_screen_out_the_flagged_proposals(
    page, live_server, sign_in, assert_accessible, desk
):
    staff, call = desk
    sign_in(page, staff.email, PASSWORD)
    page.goto(reverse("calls:manage", args=[call.slug]))
    page.get_by_role("link", name="Clore maintenant").click()
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", level=1)).to_have_text("Clore l'appel maintenant ?")
    expect(main).to_contain_text("1 équipes dont la candidature est encore un brouillon")
    assert_accessible(page)
    # The reason is required (the browser asks for it; the server too, tests/calls).
    expect(page.get_by_label("Raison de la clôture anticipée")).to_have_attribute("required", "")
    page.get_by_label("Raison de la clôture anticipée").fill("Enveloppe déjà engagée.")
    page.get_by_role("button", name="Clore maintenant").click()
    expect(page.get_by_role("status")).to_contain_text("L'appel est clos")
    call.refresh_from_db()
    assert call.state == CallState.CLOSED
    entry = AuditEntry.objects.get(action="call.close", object_id=str(call.pk))
    assert entry.reason == "Enveloppe déjà engagée."

    page.goto(reverse("projects:call-proposals", args=[call.slug]))
    main = page.get_by_role("main")
    expect(main).to_contain_text("1 candidature à examiner ne remplit pas les conditions")
    expect(main.get_by_role("table")).to_contain_text("Hors conditions")
    assert_accessible(page)
    page.get_by_role("link", name="Examiner les candidatures signalées").click()
    expect(main).to_contain_text("Camino")
    assert_accessible(page)
    page.get_by_role("button", name="Déclarer irrecevables").click()
    expect(page.get_by_role("status")).to_contain_text("déclarées irrecevables")
    states = dict(Proposal.objects.filter(call=call).values_list("title", "state"))
    assert states["Camino"] == ProposalState.INELIGIBLE
    assert states["Mobilic"] == ProposalState.SUBMITTED
    assert Call.objects.get(pk=call.pk).state == CallState.CLOSED
