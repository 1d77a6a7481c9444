"""`choice_labels`: a list page's labels read once, the same as `get_FOO_display`."""

import pytest
from django.urls import reverse

from programme.enums import ReminderState, StructureType, choice_labels
from projects.enums import ProposalState
from tests import factories


def test_the_labels_are_those_the_model_displays():
    submitted = ProposalState.SUBMITTED
    assert choice_labels(ProposalState)[submitted] == str(submitted.label)
    assert choice_labels(StructureType) == {v: str(label) for v, label in StructureType.choices}
    assert choice_labels(ReminderState) is choice_labels(ReminderState)  # built once


@pytest.mark.django_db
def test_the_staff_list_shows_the_state_and_structure_type_by_their_labels(client):
    call = factories.CallFactory()
    structure = factories.StructureFactory(type=StructureType.DREAL)
    factories.ProposalFactory(call=call, state=ProposalState.ELIGIBLE, structure=structure)
    client.force_login(factories.StaffFactory(programme=call.programme))
    html = client.get(reverse("projects:call-proposals", args=[call.slug])).content.decode()
    assert f"<td>{ProposalState.ELIGIBLE.label}</td>" in html
    assert "<small>(DREAL)</small>" in html
