"""Money that always adds up: after a laureate's funding changes (with a reason), the public
results page, the promotion's page and the open data read the same stored figure; two staff
interleaving cannot take the envelope past its total."""

from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from calls.enums import CallState
from calls.models import Call
from cohorts.models import Laureate
from cohorts.services import cohorts as services
from programme.exceptions import TransitionError
from projects.models import Decision
from projects.queries.deliberation import envelope_spent
from tests import factories
from tests.cohorts.test_cohort_findings import _edit, funded  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def _public(client, name, **kwargs) -> str:
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200, name
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = unescape(body.decode("utf-8-sig"))
    return text.replace("\u202f", " ").replace("\xa0", " ")


def test_every_public_page_reads_the_same_stored_figure(client, funded, staff):  # noqa: F811
    call = Call.objects.get(pk=funded.proposal.call_id)
    Call.objects.filter(pk=call.pk).update(state=CallState.RESULTS_PUBLISHED)
    funded.cohort.published_at = timezone.now()
    funded.cohort.save(update_fields=["published_at"])
    client.force_login(staff)
    response = _edit(client, funded, funding_granted="200000", funding_reason="Budget revu.")
    assert response.status_code == 302
    client.logout()
    pages = {
        "results": _public(client, "jury:results", slug=call.slug),
        "promotion": _public(client, "cohorts:detail", slug=funded.cohort.slug),
        "open data (csv)": _public(client, "cohorts:csv", slug=funded.cohort.slug),
        "open data (json)": _public(client, "cohorts:json", slug=funded.cohort.slug),
    }
    for name, text in pages.items():
        assert "250 000" not in text, name
        assert "250000" not in text, name
        assert any(s in text for s in ("200 000", "200000")), name


def test_two_staff_interleaving_cannot_pass_the_envelope(funded, staff):  # noqa: F811
    """Sequential interleaving on SQLite (the PostgreSQL race is in test_deliberation): each
    edit reads what the others were granted after locking the call, so the second refuses."""
    call = Call.objects.get(pk=funded.proposal.call_id)
    other = factories.StaffFactory(programme=call.programme)
    # A third laureate on the same call, granted nothing yet.
    proposal = factories.ProposalFactory(
        call=call, state="selected", yearly_budget=Decimal("700000")
    )
    Decision.objects.create(
        proposal=proposal, outcome="selected", justification="Retenu.", decided_at=timezone.now()
    )
    third = factories.LaureateFactory(cohort=funded.cohort, proposal=proposal)
    # Both staff opened their form while 0 € was left (300 000 + 250 000 of 550 000).
    first_view, second_view = Laureate.objects.get(pk=funded.pk), Laureate.objects.get(pk=third.pk)
    services.edit_laureate(
        first_view,
        changes={"funding_granted": Decimal("200000")},
        by=staff,
        now=timezone.now(),
        funding_reason="Budget revu.",
    )  # 50 000 € freed
    services.edit_laureate(
        second_view,
        changes={"funding_granted": Decimal("50000")},
        by=other,
        now=timezone.now(),
        funding_reason="Complément.",
    )
    with pytest.raises(TransitionError, match="enveloppe"):
        services.edit_laureate(
            Laureate.objects.get(pk=funded.pk),
            changes={"funding_granted": Decimal("250000")},
            by=staff,
            now=timezone.now(),
            funding_reason="Retour au montant initial.",
        )
    assert envelope_spent(call) == Decimal("550000")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_staff_at_once_cannot_both_spend_the_last_of_the_envelope(funded, staff):  # noqa: F811
    import threading

    from django.db import connections

    call = Call.objects.get(pk=funded.proposal.call_id)
    # Free 50 000 €: 300 000 + 200 000 of 550 000.
    services.edit_laureate(
        funded,
        changes={"funding_granted": Decimal("200000")},
        by=staff,
        now=timezone.now(),
        funding_reason="Budget revu.",
    )
    seconds = []
    for _ in range(2):
        proposal = factories.ProposalFactory(
            call=call, state="selected", yearly_budget=Decimal("700000")
        )
        Decision.objects.create(
            proposal=proposal, outcome="selected", justification="Retenu.",
            decided_at=timezone.now(),
        )  # fmt: skip
        seconds.append(factories.LaureateFactory(cohort=funded.cohort, proposal=proposal))
    other = factories.StaffFactory(programme=call.programme)
    start = threading.Barrier(2)
    outcomes = []

    def run(laureate, person):
        try:
            start.wait(timeout=10)
            services.edit_laureate(
                laureate,
                changes={"funding_granted": Decimal("40000")},
                by=person,
                now=timezone.now(),
                funding_reason="Complément.",
            )
            outcomes.append("granted")
        except TransitionError as error:
            outcomes.append(str(error))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(seconds[0], staff)),
        threading.Thread(target=run, args=(seconds[1], other)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(o == "granted" for o in outcomes) == [False, True]
    assert envelope_spent(call) == Decimal("540000")
