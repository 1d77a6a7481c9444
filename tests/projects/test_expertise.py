"""Themes, bids and the assignment matrix: services and pages, as a juror and staff see them."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.core import mail as django_mail
from django.urls import reverse

from calls.models import Theme
from programme import keyset
from programme.exceptions import TransitionError
from programme.models import AuditEntry
from projects.models import Assignment, Bid, Conflict
from projects.queries import expertise as expertise_queries
from projects.services import expertise, jury
from projects.views import expertise as views
from tests.projects import jury_fixtures
from tests.projects.jury_fixtures import NOW, eligible, juror_for, submit

pytestmark = pytest.mark.django_db

review_call = jury_fixtures.review_call
criteria = jury_fixtures.criteria


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def themes(review_call, staff):
    return expertise.set_call_themes(
        review_call, ["Eau", "Mobilité", " données  ouvertes ", "eau"], by=staff, now=NOW
    )


def test_staff_set_the_call_themes_in_order_without_duplicates(review_call, staff, themes):
    assert [t.name for t in themes] == ["Eau", "Mobilité", "données ouvertes"]
    seat = juror_for(review_call)
    expertise.declare_themes(seat, [themes[0].pk], by=seat.user, now=NOW)
    # Renaming keeps nobody's choice; a kept theme keeps its jurors, a removed one goes.
    expertise.set_call_themes(review_call, ["Mobilité", "Eau"], by=staff, now=NOW)
    assert list(review_call.themes.values_list("name", flat=True)) == ["Mobilité", "Eau"]
    assert list(seat.themes.values_list("name", flat=True)) == ["Eau"]
    entry = AuditEntry.objects.filter(action="jury.themes").order_by("pk").last()
    assert entry.changes["themes"][1] == ["Mobilité", "Eau"]
    with pytest.raises(TransitionError, match="100 caractères"):
        expertise.set_call_themes(review_call, ["x" * 101], by=staff, now=NOW)
    with pytest.raises(TransitionError, match="équipe du programme"):
        expertise.set_call_themes(review_call, ["Eau"], by=seat.user, now=NOW)


def test_a_juror_declares_only_themes_of_the_call(review_call, staff, themes):
    seat = juror_for(review_call)
    other = Theme.objects.create(call=jury_fixtures.factories.CallFactory(), name="Ailleurs")
    with pytest.raises(TransitionError, match="liste de l'appel"):
        expertise.declare_themes(seat, [other.pk], by=seat.user, now=NOW)
    with pytest.raises(TransitionError, match="pas les vôtres"):
        expertise.declare_themes(seat, [themes[0].pk], by=staff, now=NOW)


def test_bids_are_saved_cleared_and_a_conflict_bid_declares_the_conflict(review_call):
    seat = juror_for(review_call)
    a, b, c = eligible(review_call, 3)
    Assignment.objects.create(juror=seat, proposal=c, created_at=NOW)
    counts = expertise.save_bids(
        seat, {a.pk: "yes", b.pk: "no", c.pk: "conflict"}, by=seat.user, now=NOW
    )
    assert counts == {"written": 2, "cleared": 0, "declared": 1}
    assert dict(Bid.objects.values_list("proposal_id", "choice")) == {a.pk: "yes", b.pk: "no"}
    conflict = Conflict.objects.get(juror=seat, proposal=c)
    assert conflict.kind == "declared"
    assert not Assignment.objects.filter(juror=seat, proposal=c).exists()  # unscored: dropped
    counts = expertise.save_bids(seat, {a.pk: "", b.pk: "no", c.pk: ""}, by=seat.user, now=NOW)
    assert counts == {"written": 0, "cleared": 1, "declared": 0}
    assert Conflict.objects.filter(juror=seat, proposal=c, lifted_at__isnull=True).exists()
    with pytest.raises(TransitionError, match="oui, peut-être"):
        expertise.save_bids(seat, {a.pk: "perhaps"}, by=seat.user, now=NOW)


def test_the_solver_follows_bids_and_themes(review_call, staff, themes):
    """Two proposals, two jurors, one juror each: the yes bid and the shared theme win."""
    a, b = eligible(review_call, 2)
    first, second = juror_for(review_call), juror_for(review_call)
    expertise.save_bids(first, {b.pk: "yes", a.pk: "no"}, by=first.user, now=NOW)
    expertise.declare_themes(second, [themes[1].pk], by=second.user, now=NOW)
    expertise.tag_proposal(a, [themes[1].pk], by=staff, now=NOW)
    jury.run_assignment(review_call, by=staff, now=NOW, k=1)
    assert set(Assignment.objects.values_list("proposal_id", "juror_id")) == {
        (a.pk, second.pk),
        (b.pk, first.pk),
    }


def test_infeasible_assignment_is_refused_in_french_and_changes_nothing(review_call, staff):
    [proposal] = eligible(review_call, 1, reference="FN-2026-0001")
    seats = [juror_for(review_call) for _ in range(3)]
    for seat in seats[:2]:
        jury.declare_conflict(proposal, by=seat.user, type="other", reason="Ami", now=NOW)
    with pytest.raises(TransitionError, match=r"FN-2026-0001 \(1 jurés sans conflit\)"):
        jury.run_assignment(review_call, by=staff, now=NOW, k=2)
    assert not Assignment.objects.exists()


def test_one_assignment_mail_per_juror_however_often_it_runs(
    review_call, staff, django_capture_on_commit_callbacks
):
    eligible(review_call, 4)
    seats = [juror_for(review_call) for _ in range(2)]
    django_mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        jury.run_assignment(review_call, by=staff, now=NOW, k=1)
    with django_capture_on_commit_callbacks(execute=True):
        jury.run_assignment(review_call, by=staff, now=NOW, k=1)
    assert sorted(m.to[0] for m in django_mail.outbox) == sorted(s.user.email for s in seats)
    assert "2 candidatures" in django_mail.outbox[0].body


def test_staff_adjust_several_assignments_in_one_go(review_call, staff, criteria):
    a, b = eligible(review_call, 2)
    first, second, conflicted = (juror_for(review_call) for _ in range(3))
    scored = Assignment.objects.create(juror=first, proposal=a, created_at=NOW)
    submit(scored, criteria, 4, 4)
    Assignment.objects.create(juror=second, proposal=b, created_at=NOW)
    jury.declare_conflict(b, by=conflicted.user, type="other", reason="Ami", now=NOW)

    added, removed = expertise.adjust_assignments(
        review_call,
        add={(a.pk, second.pk), (b.pk, first.pk)},
        remove={(b.pk, second.pk)},
        by=staff,
        now=NOW,
    )
    assert (added, removed) == (2, 1)
    assert set(Assignment.objects.values_list("proposal_id", "juror_id")) == {
        (a.pk, first.pk),
        (a.pk, second.pk),
        (b.pk, first.pk),
    }
    assert AuditEntry.objects.filter(action="jury.assignment_add").count() == 2
    assert AuditEntry.objects.filter(action="jury.assignment_remove").count() == 1
    with pytest.raises(TransitionError, match="conflit d'intérêts"):
        expertise.adjust_assignments(
            review_call, add={(b.pk, conflicted.pk)}, remove=set(), by=staff, now=NOW
        )
    with pytest.raises(TransitionError, match="commencées"):
        expertise.adjust_assignments(
            review_call, add=set(), remove={(a.pk, first.pk)}, by=staff, now=NOW
        )


# --- Pages ----------------------------------------------------------------------------------


def test_the_juror_bids_from_one_form_and_filters_by_theme(client, review_call, staff, themes):
    seat = juror_for(review_call)
    a, b = eligible(review_call, 2)
    expertise.tag_proposal(a, [themes[0].pk], by=staff, now=NOW)
    client.force_login(seat.user)
    url = reverse("jury:bids", args=[review_call.slug])
    page = client.get(url).content.decode()
    assert a.title in page
    assert b.title in page
    assert "Conflit d&#x27;intérêts" in page or "Conflit d'intérêts" in page
    filtered = client.get(url, {"theme": themes[0].pk}).content.decode()
    assert a.title in filtered
    assert b.title not in filtered
    response = client.post(url, {f"bid_{a.pk}": "yes", f"bid_{b.pk}": "maybe"})
    assert response.status_code == 302
    assert dict(Bid.objects.values_list("proposal_id", "choice")) == {a.pk: "yes", b.pk: "maybe"}
    page = client.get(url).content.decode()
    assert f'name="bid_{a.pk}" value="yes" checked' in page
    # A conflict bid hides the proposal from the list, as everywhere a juror looks.
    client.post(url, {f"bid_{a.pk}": "conflict", f"bid_{b.pk}": "maybe"})
    page = client.get(url).content.decode()
    assert a.title not in page
    assert b.title in page
    response = client.post(
        reverse("jury:my-themes", args=[review_call.slug]), {"themes": [themes[1].pk]}
    )
    assert list(seat.themes.all()) == [themes[1]]


BID_ROW = re.compile(r'<fieldset class="fr-fieldset" id="bid-(\d+)"')
BIDS_NEXT = re.compile(r'href="(\?[^"]*apres=[^"]*)">Candidatures suivantes')


def _next(pattern, html):
    """The query string of the page's "next" link, or None on the last page."""
    found = pattern.search(html)
    return found.group(1).replace("&amp;", "&") if found else None


def _walk(client, url, query, row, following):
    """The rows of every page, following the "next" links from `url` + `query`."""
    rows, pages = [], 0
    while query is not None:
        html = client.get(url + query).content.decode()
        rows += [int(pk) for pk in row.findall(html)]
        query, pages = _next(following, html), pages + 1
    return rows, pages


def _in_a_shuffled_order(proposals):
    """The call's numbering, unlike the ids' order: the pages follow the numbering."""
    for n, proposal in enumerate(proposals):
        proposal.sequence = 1000 + (n * 3) % len(proposals)
        proposal.save(update_fields=["sequence"])
    return [p.pk for p in sorted(proposals, key=lambda p: p.sequence)]


def test_the_bid_list_pages_follow_each_other_and_keep_the_theme(
    client, review_call, staff, themes, monkeypatch
):
    monkeypatch.setattr(views, "BIDS_PAGE_SIZE", 2)
    seat = juror_for(review_call)
    proposals = eligible(review_call, 7)
    expected = _in_a_shuffled_order(proposals)
    for proposal in proposals[:5]:
        expertise.tag_proposal(proposal, [themes[0].pk], by=staff, now=NOW)
    client.force_login(seat.user)
    url = reverse("jury:bids", args=[review_call.slug])
    assert _walk(client, url, "", BID_ROW, BIDS_NEXT) == (expected, 4)
    tagged = {p.pk for p in proposals[:5]}
    theme = f"?theme={themes[0].pk}"
    assert _walk(client, url, theme, BID_ROW, BIDS_NEXT) == (
        [pk for pk in expected if pk in tagged],
        3,
    )
    second = client.get(url + _next(BIDS_NEXT, client.get(url).content.decode())).content
    assert "Candidatures 3 à 4" in second.decode()
    assert "Premières candidatures" in second.decode()


def test_a_bid_on_the_second_page_is_saved_and_comes_back_to_that_page(
    client, review_call, themes, staff, monkeypatch
):
    monkeypatch.setattr(views, "BIDS_PAGE_SIZE", 2)
    seat = juror_for(review_call)
    proposals = eligible(review_call, 5)
    for proposal in proposals:
        expertise.tag_proposal(proposal, [themes[0].pk], by=staff, now=NOW)
    first, third, fourth = proposals[0], proposals[2], proposals[3]
    client.force_login(seat.user)
    url = reverse("jury:bids", args=[review_call.slug])
    page_one = client.get(url, {"theme": themes[0].pk}).content.decode()
    second = url + _next(BIDS_NEXT, page_one)
    # A bid for a proposal of another page (forged into the form) is not read.
    response = client.post(second, {f"bid_{third.pk}": "yes", f"bid_{first.pk}": "no"})
    assert response.status_code == 302
    assert response["Location"] == second
    assert dict(Bid.objects.values_list("proposal_id", "choice")) == {third.pk: "yes"}
    html = client.get(response["Location"]).content.decode()
    assert [int(pk) for pk in BID_ROW.findall(html)] == [third.pk, fourth.pk]
    assert f'name="bid_{third.pk}" value="yes" checked' in html


def test_a_forged_bid_list_cursor_gives_the_first_page(client, review_call, monkeypatch):
    monkeypatch.setattr(views, "BIDS_PAGE_SIZE", 2)
    seat = juror_for(review_call)
    proposals = eligible(review_call, 3)
    client.force_login(seat.user)
    url = reverse("jury:bids", args=[review_call.slug])
    html = client.get(url, {"apres": "forged", "page": "2"}).content.decode()
    assert [int(pk) for pk in BID_ROW.findall(html)] == [p.pk for p in proposals[:2]]
    assert "Premières candidatures" not in html


# session, user, call, seat, the page of proposals, their themes, the seat's themes, the
# call's themes (read three times: filter, list, themes form) and the site's settings: the
# same for 3 proposals as for 30, on page 2 as on page 1.
BIDS_QUERIES = 11


@pytest.mark.parametrize("n", [3, 30])
def test_the_bid_list_runs_a_fixed_number_of_queries(
    client, review_call, staff, themes, n, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(views, "BIDS_PAGE_SIZE", 2)
    seat = juror_for(review_call)
    for proposal in eligible(review_call, n):
        expertise.tag_proposal(proposal, [themes[0].pk], by=staff, now=NOW)
    client.force_login(seat.user)
    url = reverse("jury:bids", args=[review_call.slug])
    client.get(url)
    with django_assert_num_queries(BIDS_QUERIES):
        first = client.get(url)
    assert first.status_code == 200
    with django_assert_num_queries(BIDS_QUERIES):
        assert client.get(url + _next(BIDS_NEXT, first.content.decode())).status_code == 200


def test_the_matrix_shows_bids_conflicts_and_counts_and_saves_in_one_post(
    client, review_call, staff
):
    a, b = eligible(review_call, 2)
    first, second = juror_for(review_call), juror_for(review_call)
    expertise.save_bids(first, {a.pk: "yes"}, by=first.user, now=NOW)
    jury.declare_conflict(b, by=second.user, type="other", reason="Ami", now=NOW)
    Assignment.objects.create(juror=first, proposal=b, created_at=NOW)
    client.force_login(staff)
    url = reverse("jury:matrix", args=[review_call.slug])
    page = client.get(url, {"k": 2}).content.decode()
    assert "1 / 2" in page
    assert "0 / 2" in page
    assert "conflit" in page
    assert f'value="{b.pk}-{first.pk}" checked' in page
    under = client.get(url, {"k": 1, "under": "on"}).content.decode()
    assert a.title in under
    assert b.title not in under
    response = client.post(
        url,
        {
            "row": [a.pk, b.pk],
            "col": [first.pk, second.pk],
            "cell": [f"{a.pk}-{first.pk}", f"{a.pk}-{second.pk}"],
        },
    )
    assert response.status_code == 302
    assert set(Assignment.objects.values_list("proposal_id", "juror_id")) == {
        (a.pk, first.pk),
        (a.pk, second.pk),
    }


MATRIX_ROW = re.compile(r'<input type="hidden" name="row" value="(\d+)">')
MATRIX_NEXT = BIDS_NEXT


def test_the_matrix_rows_follow_each_other_and_keep_the_filters(
    client, review_call, staff, monkeypatch
):
    monkeypatch.setattr(views, "MATRIX_PAGE_SIZE", 2)
    proposals = eligible(review_call, 7)
    expected = _in_a_shuffled_order(proposals)
    seat = juror_for(review_call)
    for proposal in proposals[:2]:
        Assignment.objects.create(juror=seat, proposal=proposal, created_at=NOW)
    client.force_login(staff)
    url = reverse("jury:matrix", args=[review_call.slug])
    assert _walk(client, url, "", MATRIX_ROW, MATRIX_NEXT) == (expected, 4)
    # The filters stay on every page: only the proposals with no juror yet.
    short = {p.pk for p in proposals[2:]}
    assert _walk(client, url, "?k=1&under=on", MATRIX_ROW, MATRIX_NEXT) == (
        [pk for pk in expected if pk in short],
        3,
    )
    second = client.get(url + _next(MATRIX_NEXT, client.get(url).content.decode()))
    assert "7 candidatures" in second.content.decode()
    assert "Candidatures 3 à 4" in second.content.decode()


def test_an_adjustment_on_the_second_matrix_page_comes_back_to_that_page(
    client, review_call, staff, monkeypatch
):
    monkeypatch.setattr(views, "MATRIX_PAGE_SIZE", 2)
    proposals = eligible(review_call, 5)
    seat = juror_for(review_call)
    client.force_login(staff)
    url = reverse("jury:matrix", args=[review_call.slug])
    page_one = client.get(url, {"k": 1, "under": "on"}).content.decode()
    second = url + _next(MATRIX_NEXT, page_one)
    third, fourth = proposals[2], proposals[3]
    response = client.post(
        second, {"row": [third.pk, fourth.pk], "col": [seat.pk], "cell": [f"{third.pk}-{seat.pk}"]}
    )
    assert response.status_code == 302
    assert parse_qs(urlsplit(response["Location"]).query) == parse_qs(urlsplit(second).query)
    assert set(Assignment.objects.values_list("proposal_id", "juror_id")) == {(third.pk, seat.pk)}
    # Back on the same cursor: the assigned one has left the "incomplete" filter.
    html = client.get(response["Location"]).content.decode()
    assert [int(pk) for pk in MATRIX_ROW.findall(html)] == [fourth.pk, proposals[4].pk]


def test_a_forged_matrix_cursor_gives_the_first_page(client, review_call, staff, monkeypatch):
    monkeypatch.setattr(views, "MATRIX_PAGE_SIZE", 2)
    proposals = eligible(review_call, 3)
    client.force_login(staff)
    url = reverse("jury:matrix", args=[review_call.slug])
    html = client.get(url, {"apres": "forged"}).content.decode()
    assert [int(pk) for pk in MATRIX_ROW.findall(html)] == [p.pk for p in proposals[:2]]
    assert "Premières candidatures" not in html
    # A cursor of another call's matrix means nothing here either.
    other = eligible(jury_fixtures.factories.CallFactory(programme=review_call.programme), 3)
    cursor = keyset.cursor_of(
        expertise_queries.proposal_keys(), other[1], 2, salt=f"matrix:{other[1].call_id}"
    )
    html = client.get(url, {"apres": cursor}).content.decode()
    assert [int(pk) for pk in MATRIX_ROW.findall(html)] == [p.pk for p in proposals[:2]]


# session, user, call, memberships, the page of proposals, their themes, the jurors, the
# page's assignments, bids and conflicts, the count, the site's settings and the call's
# themes (filter): the same for 3 proposals as for 25, on page 2 as on page 1.
MATRIX_QUERIES = 13


@pytest.mark.parametrize("n", [3, 25])
def test_the_matrix_runs_a_fixed_number_of_queries(
    client, review_call, staff, n, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(views, "MATRIX_PAGE_SIZE", 2)
    seats = [juror_for(review_call) for _ in range(3)]
    for proposal in eligible(review_call, n):
        Assignment.objects.create(juror=seats[proposal.pk % 3], proposal=proposal, created_at=NOW)
    client.force_login(staff)
    url = reverse("jury:matrix", args=[review_call.slug])
    client.get(url)
    with django_assert_num_queries(MATRIX_QUERIES):
        first = client.get(url)
    assert first.status_code == 200
    with django_assert_num_queries(MATRIX_QUERIES):
        assert client.get(url + _next(MATRIX_NEXT, first.content.decode())).status_code == 200


def test_the_matrix_pages_its_juror_columns_and_leaves_the_others_alone(client, review_call, staff):
    [proposal] = eligible(review_call, 1)
    seats = [juror_for(review_call, last_name=f"Juré {i:02d}") for i in range(27)]
    Assignment.objects.create(juror=seats[-1], proposal=proposal, created_at=NOW)
    client.force_login(staff)
    url = reverse("jury:matrix", args=[review_call.slug])
    first = client.get(url).content.decode()
    assert "Jurés 1 à 25 sur 27" in first
    assert "Juré 26" not in first
    second = client.get(url, {"jures": 2}).content.decode()
    assert "Juré 26" in second
    # Saving the first page's columns (nothing checked) keeps the 27th juror's assignment.
    client.post(url, {"row": [proposal.pk], "col": [s.pk for s in seats[:25]]})
    assert Assignment.objects.filter(juror=seats[-1]).exists()


def test_staff_tag_a_proposal_from_its_jury_page(client, review_call, staff, themes):
    [proposal] = eligible(review_call, 1)
    client.force_login(staff)
    page = client.get(reverse("jury:proposal", args=[proposal.public_id])).content.decode()
    assert "Thèmes de la candidature" in page
    client.post(
        reverse("jury:proposal-themes", args=[proposal.public_id]), {"themes": [themes[2].pk]}
    )
    assert list(proposal.themes.all()) == [themes[2]]
