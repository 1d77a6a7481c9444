"""The scale reads the same for jurors and on the staff's pages: "de 0 à N"."""

from html import unescape

import pytest
from django.urls import reverse

from calls.enums import CallState
from calls.forms import CriterionForm
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_staff_form_says_the_scale_starts_at_zero():
    label = str(CriterionForm().fields["scale_max"].label)
    assert "de 0 à" in label
    assert "de 1 à" not in label


def test_the_staff_dashboard_and_the_call_page_say_de_0_a(client, staff, programme):
    call = factories.CallFactory(programme=programme, state=CallState.DRAFT)
    factories.CriterionFactory(call=call, name="Impact", scale_max=5)
    client.force_login(staff)
    manage = unescape(client.get(reverse("calls:manage", args=[call.slug])).content.decode())
    assert "note de 0 à 5" in manage
    detail = unescape(client.get(reverse("calls:detail", args=[call.slug])).content.decode())
    assert "noté de 0 à 5" in detail
