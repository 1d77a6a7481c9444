"""The dashboard's "Prochaine échéance" is a milestone still ahead, never one already late;
late ones are shown as late."""

from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from cohorts.enums import MilestoneState
from cohorts.services import followup
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_next_deadline_is_never_a_late_milestone(client, programme, staff):
    cohort = factories.CohortFactory(
        programme=programme, slug="fast-13", starts_on=timezone.localdate() - timedelta(days=45)
    )
    factories.LaureateFactory(cohort=cohort, name="Mobilic")
    followup.write_milestones(cohort, now=timezone.now())
    client.force_login(staff)
    response = client.get(reverse("cohorts:followup", kwargs={"slug": "fast-13"}))
    (row,) = response.context["rows"]
    late = [m for m in row.timeline if m.current_state == MilestoneState.LATE]
    ahead = [m for m in row.timeline if m.current_state == MilestoneState.UPCOMING]
    assert late, "the first report is late a month and a half in"
    assert row.next_upcoming == ahead[0]
    html = unescape(response.content.decode())
    cell = html.split('data-laureate="')[1]
    # The late one is in the "En retard" cell, the next deadline is the one ahead.
    assert f"{late[0].title}, attendu le" in cell
    next_cell = cell.split("</td>")[3]  # after the name, phase, strip, late
    assert ahead[0].title in next_cell
    assert late[0].title not in next_cell
    export = client.get(reverse("cohorts:followup", kwargs={"slug": "fast-13"}), {"export": "csv"})
    lines = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()
    header, line = lines[0].split(";"), lines[1].split(";")
    assert line[header.index("Prochain jalon")] == ahead[0].title
