"""The deliberation at national scale (issue 16, finding 1): read-only rows in keyset pages,
one decision form opened on demand (a fragment of the one-row page), nothing lost on a
refusal, and back to the page the decision was taken from."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from projects.models import Decision
from projects.queries import deliberation as deliberation_queries
from projects.views import deliberation as views
from tests.projects import jury_fixtures
from tests.projects.test_deliberation import build, decide

pytestmark = pytest.mark.django_db

review_call = jury_fixtures.review_call
criteria = jury_fixtures.criteria


def _titles(html):
    return re.findall(r'<tr id="p-(\d+)">', html)


def test_rows_are_read_only_with_a_link_that_opens_one_form(review_call, criteria, staff, client):
    (first, second), _seat = build(review_call, criteria, staff, [5, 3], [5, 2])
    decide(first, staff, "selected")
    client.force_login(staff)
    page = client.get(reverse("jury:deliberation", args=[review_call.slug])).content.decode()
    # No decision form on the page: a link per row, "Changer" once decided.
    assert "Enregistrer la décision" not in page
    assert 'name="justification"' not in page
    decide_url = reverse("jury:decide", args=[second.public_id])
    assert f'href="{decide_url}" data-decision-form="p-{second.pk}-form"' in page
    assert "Changer la décision" in page
    assert "js/decision-form.js" in page
    # Without scripts: the one-row page, the form open with the decision made so far.
    one = client.get(reverse("jury:decide", args=[first.public_id]))
    assert one.status_code == 200
    html = one.content.decode()
    assert "<html" in html
    assert "Enregistrer la décision" in html
    assert "Projet solide." in html
    assert _titles(html) == [str(first.pk)]
    # With scripts: only the form, swapped into the row.
    fragment = client.get(reverse("jury:decide", args=[second.public_id]) + "?fragment=1")
    html = fragment.content.decode()
    assert "<html" not in html
    assert f'id="id_{second.pk}_outcome"' in html
    assert f'action="{decide_url}"' in html


def test_the_pages_follow_each_other_by_keyset_and_ranks_keep_counting(
    review_call, criteria, staff, client, monkeypatch
):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    build(review_call, criteria, staff, [5, 4, 4, 3, 2], [5, 4, 4, 3, None])
    expected = [str(r.pk) for r in deliberation_queries.final_ranking(review_call)]
    client.force_login(staff)
    url, seen, ranks = reverse("jury:deliberation", args=[review_call.slug]), [], []
    while url:
        html = client.get(url).content.decode()
        seen += _titles(html)
        ranks += re.findall(r'<tr id="p-\d+">\s*<td>(\d+)</td>', html)
        found = re.search(r'href="([^"]+)">Rangs suivants', html)
        url = found.group(1).replace("&amp;", "&") if found else None
    assert seen == expected
    assert ranks == ["1", "2", "3", "4", "5"]
    # A forged cursor gives the first page.
    html = client.get(
        reverse("jury:deliberation", args=[review_call.slug]) + "?apres=forged"
    ).content.decode()
    assert _titles(html) == expected[:2]


def test_a_decision_taken_on_page_two_comes_back_to_page_two(
    review_call, criteria, staff, client, monkeypatch
):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    proposals, _seat = build(review_call, criteria, staff, [5, 4, 3], [5, 4, 3])
    client.force_login(staff)
    first = client.get(reverse("jury:deliberation", args=[review_call.slug])).content.decode()
    next_url = re.search(r'href="([^"]+)">Rangs suivants', first).group(1).replace("&amp;", "&")
    cursor = parse_qs(urlsplit(next_url).query)["apres"][0]
    second = client.get(next_url).content.decode()
    last = proposals[2]
    assert f"{reverse('jury:decide', args=[last.public_id])}?apres=" in second
    form = client.get(
        reverse("jury:decide", args=[last.public_id]), {"apres": cursor, "fragment": "1"}
    ).content.decode()
    # The cursor travels with the form (an input tied to it by its id).
    assert f'id="p-{last.pk}-decision-form"' in form
    assert f'form="p-{last.pk}-decision-form" name="apres" value="{cursor}"' in form
    response = client.post(
        reverse("jury:decide", args=[last.public_id]),
        {"outcome": "not_selected", "justification": "Trop tôt.", "apres": cursor},
    )
    assert response.status_code == 302
    assert response.url == f"{next_url}#p-{last.pk}"
    assert Decision.objects.get(proposal=last).justification == "Trop tôt."


def test_a_refused_decision_comes_back_open_on_its_own_page(review_call, criteria, staff, client):
    (first,), _seat = build(review_call, criteria, staff, [5], [5])
    client.force_login(staff)
    response = client.post(
        reverse("jury:decide", args=[first.public_id]),
        {"outcome": "selected", "justification": ""},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Ce champ est obligatoire." in html
    assert 'value="selected" selected' in html
    assert not Decision.objects.exists()


@pytest.mark.parametrize("n", [3, 60])
def test_a_page_of_the_deliberation_runs_the_same_queries_at_two_sizes(
    review_call, criteria, staff, client, django_assert_num_queries, n
):
    proposals, _seat = build(review_call, criteria, staff, [4] * n, [3] * n)
    for proposal in proposals[::2]:
        decide(proposal, staff, "not_selected")
    client.force_login(staff)
    url = reverse("jury:deliberation", args=[review_call.slug])
    client.get(url)
    # The rows, and the counts of the undecided proposals and of the selections so far.
    with django_assert_num_queries(13):
        html = client.get(url).content.decode()
    assert len(_titles(html)) == min(n, views.PAGE_SIZE)
