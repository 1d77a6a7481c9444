"""`/appels/`: open, upcoming and closed calls, the filters, and a fixed number of queries."""

import html as html_lib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from calls.enums import CallState
from tests import factories

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def text(response) -> str:
    return html_lib.unescape(response.content.decode())


def section(page: str, title: str) -> str:
    """The text of one section of the list, from its title to the next one."""
    start = page.index(f"<h2>{title}</h2>")
    end = page.find("<h2>", start + 1)
    return page[start : end if end != -1 else None]


@pytest.fixture
def calls():
    fn = factories.ProgrammeFactory(name="Fabrique numérique", slug="fabrique-numerique")
    fast = factories.ProgrammeFactory(name="FAST", slug="fast")
    return {
        "open": factories.CallFactory(
            programme=fast,
            edition="FAST 14",
            opens_at=NOW - timedelta(days=10),
            closes_at=NOW + timedelta(days=8),
        ),
        "upcoming": factories.CallFactory(
            programme=fast,
            edition="FAST 15",
            opens_at=NOW + timedelta(days=100),
            closes_at=NOW + timedelta(days=150),
        ),
        "closed": factories.CallFactory(
            programme=fn,
            edition="FN 2017",
            state=CallState.CLOSED,
            opens_at=datetime(2017, 11, 6, 8, tzinfo=UTC),
            closes_at=datetime(2017, 12, 15, 11, tzinfo=UTC),
        ),
        # Published, but past its deadline: shown closed though nobody wrote it down.
        "overdue": factories.CallFactory(
            programme=fn,
            edition="FN 2026",
            opens_at=NOW - timedelta(days=40),
            closes_at=NOW - timedelta(minutes=1),
        ),
        "draft": factories.CallFactory(
            programme=fn, edition="FN 2027 brouillon", state=CallState.DRAFT
        ),
    }


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.mark.usefixtures("frozen")
def test_sections_group_calls_by_what_a_visitor_can_do(client, calls):
    page = text(client.get(reverse("calls:list")))
    assert "FAST 14" in section(page, "Ouverts")
    assert "il reste 1\xa0semaine, 1\xa0jour" in section(page, "Ouverts")
    assert "FAST 15" in section(page, "À venir")
    closed = section(page, "Clos")
    assert "FN 2017" in closed
    assert "FN 2026" in closed
    assert "FN 2026" not in section(page, "Ouverts")
    assert "brouillon" not in page


@pytest.mark.usefixtures("frozen")
@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"status": "open"}, ["FAST 14"], ["FAST 15", "FN 2017", "FN 2026"]),
        ({"status": "upcoming"}, ["FAST 15"], ["FAST 14", "FN 2017"]),
        ({"status": "closed"}, ["FN 2017", "FN 2026"], ["FAST 14", "FAST 15"]),
        ({"programme": "fast"}, ["FAST 14", "FAST 15"], ["FN 2017", "FN 2026"]),
        ({"year": "2017"}, ["FN 2017"], ["FAST 14", "FN 2026"]),
        ({"year": "2026", "programme": "fabrique-numerique"}, ["FN 2026"], ["FN 2017", "FAST"]),
    ],
)
def test_filters(client, calls, query, shown, hidden):
    page = text(client.get(reverse("calls:list"), query))
    for edition in shown:
        assert edition in page
    for edition in hidden:
        assert f">{edition} —" not in page


@pytest.mark.usefixtures("frozen")
def test_a_bad_year_gets_a_french_message_and_is_kept(client, calls):
    page = text(client.get(reverse("calls:list"), {"year": "deux-mille"}))
    assert "Saisissez une année" in page or "Saisissez un nombre" in page
    assert "FAST 14" in page  # the other filters still work


@pytest.mark.parametrize("who", ["visitor", "agent", "staff", "superuser"])
def test_the_list_answers_every_role(client, who, programme):
    if who == "agent":
        client.force_login(factories.UserFactory())
    elif who == "staff":
        client.force_login(factories.StaffFactory(programme=programme))
    elif who == "superuser":
        client.force_login(factories.UserFactory(is_superuser=True))
    factories.CallFactory(programme=programme, edition="Publié")
    factories.CallFactory(programme=programme, edition="Caché", state=CallState.DRAFT)
    page = text(client.get(reverse("calls:list")))
    assert "Publié" in page
    # Drafts are managed from the staff pages, never listed publicly, even to staff.
    assert "Caché" not in page


def _make_calls(n: int):
    programmes = [factories.ProgrammeFactory() for _ in range(3)]
    for i in range(n):
        factories.CallFactory(
            programme=programmes[i % 3],
            state=[CallState.PUBLISHED, CallState.CLOSED, CallState.ARCHIVED][i % 3],
        )


@pytest.mark.parametrize("size", [3, 30])
def test_list_runs_the_same_number_of_queries_for_3_and_30_calls(
    client, django_assert_num_queries, size
):
    _make_calls(size)
    # The calls with their programme, the site's DSFR settings, the filter's programme choices.
    with django_assert_num_queries(3):
        response = client.get(reverse("calls:list"), {"status": ""})
    assert response.status_code == 200


@pytest.mark.parametrize("size", [3, 30])
def test_list_queries_do_not_grow_for_a_signed_in_agent(client, django_assert_num_queries, size):
    _make_calls(size)
    client.force_login(factories.UserFactory())
    with django_assert_num_queries(5):  # session and user, then the same three
        client.get(reverse("calls:list"))
