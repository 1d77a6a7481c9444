"""A call's state is one truth: after the deadline, without beat, every page says "Clos",
the jury can be assigned, and the close is written once whichever path sees it first."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from calls import services
from calls.enums import CallState
from calls.models import Call
from programme.models import AuditEntry
from projects.enums import ProposalState
from tests import factories

pytestmark = pytest.mark.django_db

DEADLINE = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
AFTER = DEADLINE + timedelta(hours=3)


@pytest.fixture
def due_call(programme):
    """Published, deadline passed, beat never ran: stored state still "published"."""
    call = factories.CallFactory(
        programme=programme,
        state=CallState.PUBLISHED,
        opens_at=DEADLINE - timedelta(days=30),
        closes_at=DEADLINE,
    )
    factories.CriterionFactory(call=call)
    for _ in range(3):
        factories.ProposalFactory(call=call, state=ProposalState.ELIGIBLE)
    for _ in range(2):
        factories.JuryMemberFactory(call=call)
    return call


def _closes(call):
    return AuditEntry.objects.filter(action="call.close", object_id=str(call.pk))


def test_after_the_deadline_every_page_says_closed_and_assignment_works(client, staff, due_call):
    client.force_login(staff)
    with time_machine.travel(AFTER, tick=False):
        pages = [
            reverse("calls:detail", args=[due_call.slug]),
            reverse("calls:manage", args=[due_call.slug]),
            reverse("jury:panel", args=[due_call.slug]),
        ]
        for url in pages:
            html = client.get(url).content.decode()
            assert "Clos" in html, url
            # Only the Journal still names the state it left ("Publié → Clos").
            assert "Publié" not in html.replace("Publié → Clos", ""), url
        response = client.post(reverse("jury:assign", args=[due_call.slug]), {"k": 1}, follow=True)
    text = response.content.decode()
    assert "Les candidatures sont attribuées." in text
    assert "une fois l'appel clos" not in text
    due_call.refresh_from_db()
    assert due_call.state == CallState.CLOSED
    assert _closes(due_call).count() == 1


def test_the_close_is_written_once_whichever_path_sees_it_first(due_call):
    # A page sees it first, then the beat task runs, then another page.
    services.settle(Call.objects.get(pk=due_call.pk), now=AFTER)
    assert services.close_due_calls(now=AFTER) == []
    services.settle(Call.objects.get(pk=due_call.pk), now=AFTER)
    entry = _closes(due_call).get()
    assert (entry.from_state, entry.to_state, entry.actor) == ("published", "closed", None)
    assert entry.at == DEADLINE


def test_two_stale_copies_settle_to_a_single_entry(due_call):
    # Two requests loaded the call before either wrote: the guarded update lets one win.
    first, second = Call.objects.get(pk=due_call.pk), Call.objects.get(pk=due_call.pk)
    services.settle(first, now=AFTER)
    services.settle(second, now=AFTER)
    assert first.state == second.state == CallState.CLOSED
    assert _closes(due_call).count() == 1


def test_before_the_deadline_nothing_is_written(due_call):
    services.settle(due_call, now=DEADLINE - timedelta(seconds=1))
    due_call.refresh_from_db()
    assert due_call.state == CallState.PUBLISHED
    assert not _closes(due_call).exists()
