"""Issue 13, finding 7: a date far outside the years of the site (0001-01-01 raised
OverflowError) gets a French message next to its field, with what was typed kept."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from calls.enums import CallState
from tests import factories

from .test_hostile_input import FormReader

pytestmark = pytest.mark.django_db

FAR = ["0001-01-01", "0001-01-01T00:00", "9999-12-31", "9999-12-31T23:59"]
MESSAGE = "Saisissez une date entre 2000 et 2100."


def post_with_date(client, url, field, value, *, page=None):
    """The form of `page` (else of `url`) as offered, with `value` typed in the date field
    `field`, posted to `url`."""
    reader = FormReader(url)
    reader.feed(client.get(page or url).content.decode())
    (form,) = [f for f in reader.forms if field in f.fields]
    data = {name: offered[-1] for name, offered in form.fields.items() if offered}
    data[field] = value
    return client.post(url, data)


@pytest.fixture
def staff_client(client, programme):
    client.force_login(factories.StaffFactory(programme=programme))
    return client


@pytest.mark.parametrize("value", FAR)
@pytest.mark.parametrize("field", ["opens_at", "closes_at"])
def test_0001_01_01_gives_a_french_message_on_the_call_forms(staff_client, programme, field, value):
    call = factories.CallFactory(
        programme=programme,
        opens_at=datetime(2026, 3, 1, tzinfo=UTC),
        closes_at=datetime(2026, 4, 1, tzinfo=UTC),
    )
    for url in (
        reverse("calls:edit", kwargs={"slug": call.slug}),
        reverse("calls:create", kwargs={"slug": programme.slug}),
    ):
        response = post_with_date(staff_client, url, field, value)
        assert response.status_code == 200
        html = response.content.decode()
        assert MESSAGE in html
        assert value in html  # what was typed is kept


@pytest.mark.parametrize("value", FAR)
def test_0001_01_01_gives_a_french_message_on_the_jury_settings(staff_client, programme, value):
    call = factories.CallFactory(programme=programme, state=CallState.REVIEW)
    url = reverse("jury:settings", kwargs={"slug": call.slug})
    panel = reverse("jury:panel", kwargs={"slug": call.slug})
    response = post_with_date(staff_client, url, "review_closes_at", value, page=panel)
    assert response.status_code == 302
    response = staff_client.get(response.url)
    assert MESSAGE in response.content.decode()
