"""Each juror's score distribution beside the panel's, and an evaluation's versions compared."""

import re

import pytest
import time_machine
from django.urls import reverse

from projects.models import Assignment, Conflict
from projects.queries import charts as jury_charts
from projects.services import jury
from tests import factories
from tests.projects import jury_fixtures
from tests.projects.jury_fixtures import NOW, eligible, full_scores, juror_for, submit

pytestmark = pytest.mark.django_db

review_call = jury_fixtures.review_call
criteria = jury_fixtures.criteria


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _scored(call, criteria, seat, *pairs):
    """The juror submits one evaluation per (impact, maturity) pair, on fresh proposals."""
    evaluations = []
    for proposal, values in zip(eligible(call, len(pairs)), pairs, strict=True):
        assignment = Assignment.objects.create(juror=seat, proposal=proposal, created_at=NOW)
        evaluations.append(submit(assignment, criteria, *values))
    return evaluations


def test_each_juror_is_binned_beside_the_panel_without_conflicts_or_drafts(review_call, criteria):
    harsh = juror_for(review_call, first_name="Alice", last_name="Sévère")
    lenient = juror_for(review_call, first_name="Bruno", last_name="Large")
    juror_for(review_call, first_name="Chloé", last_name="Absente")
    _scored(review_call, criteria, harsh, (1, 1), (2, 1))  # totals 1 and 1.67
    (conflicted, *_) = _scored(review_call, criteria, lenient, (5, 5), (4, 5), (5, 4))
    Conflict.objects.create(
        juror=lenient,
        proposal=conflicted.assignment.proposal,
        kind="staff",
        type="other",
        created_at=NOW,
    )
    draft = Assignment.objects.create(
        juror=harsh, proposal=eligible(review_call)[0], created_at=NOW
    )
    jury.save_evaluation(draft, by=harsh.user, now=NOW, scores=full_scores(criteria, 5, 5))

    panel, jurors, bins = jury_charts.distributions(review_call)

    assert bins == ["0–1", "1–2", "2–3", "3–4", "4–5"]
    by_name = {d.label: d for d in jurors}
    assert by_name["Alice Sévère"].counts == [0, 2, 0, 0, 0]
    # 4.33 and 4.67 fall in the top bin; the conflicted 5/5 does not count at all.
    assert by_name["Bruno Large"].counts == [0, 0, 0, 0, 2]
    assert by_name["Chloé Absente"].counts == [0, 0, 0, 0, 0]
    assert panel.counts == [0, 2, 0, 0, 2]
    assert panel.mean == pytest.approx((1 + 5 / 3 + 13 / 3 + 14 / 3) / 4)
    assert by_name["Alice Sévère"].shares[1] == 1.0


def _page(client, user, call):
    client.force_login(user)
    return client.get(reverse("jury:distribution", args=[call.slug]))


def test_staff_read_the_distribution_as_a_chart_and_a_table(client, review_call, criteria, staff):
    seat = juror_for(review_call, first_name="Alice", last_name="Sévère")
    _scored(review_call, criteria, seat, (1, 1), (2, 1))
    response = _page(client, staff, review_call)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html
    assert 'role="img"' in html
    assert "Alice Sévère" in html
    # SVG coordinates are never localised ("12,5" would draw nothing).
    bars = re.findall(r'<rect x="([^"]+)" y="([^"]+)" width="([^"]+)" height="([^"]+)"', html)
    assert bars
    assert all(re.fullmatch(r"\d+(\.\d+)?", value) for bar in bars for value in bar)
    assert "Nombre de notes globales par tranche" in html  # the table alternative


@pytest.mark.parametrize("who", ["juror", "other_staff", "agent"])
def test_only_the_programme_staff_see_the_distribution(client, review_call, who):
    user = {
        "juror": lambda: juror_for(review_call).user,
        "other_staff": lambda: factories.StaffFactory(),
        "agent": lambda: factories.UserFactory(),
    }[who]()
    assert _page(client, user, review_call).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, review_call):
    response = client.get(reverse("jury:distribution", args=[review_call.slug]))
    assert response.status_code == 302
    assert "connexion" in response["Location"]


@pytest.mark.parametrize("jurors", [2, 12])
def test_the_distribution_page_runs_a_fixed_number_of_queries(
    client, review_call, criteria, staff, jurors, django_assert_num_queries
):
    for _ in range(jurors):
        _scored(review_call, criteria, juror_for(review_call), (3, 4))
    client.force_login(staff)
    url = reverse("jury:distribution", args=[review_call.slug])
    # session + user, the call, the permission, the scale, the bins, the statistics, the jurors
    with django_assert_num_queries(9):
        assert client.get(url).status_code == 200


# --- Versions -----------------------------------------------------------------------------


@pytest.fixture
def resubmitted(review_call, criteria, staff):
    """A juror submits, staff reopen after the discussion, the juror changes one note."""
    seat = juror_for(review_call)
    (evaluation,) = _scored(review_call, criteria, seat, (2, 4))
    jury.reopen_evaluation(evaluation, by=staff, reason="Après discussion", now=NOW)
    assignment = evaluation.assignment
    jury.submit_evaluation(
        assignment,
        by=seat.user,
        now=NOW,
        scores=full_scores(criteria, 4, 4),
        recommendation="yes",
    )
    evaluation.refresh_from_db()
    return evaluation


def test_versions_are_compared_and_changes_marked(resubmitted):
    versions, rows = jury_charts.compare_versions(resubmitted)
    assert [v.number for v in versions] == [1, 2]
    by_label = {row.label: row for row in rows}
    impact, maturity = by_label["Impact"].cells, by_label["Maturité"].cells
    assert [c["text"] for c in impact] == ["2", "4"]
    assert impact[1]["changed"]
    assert [c["text"] for c in maturity] == ["4", "4"]
    assert not maturity[1]["changed"]
    assert [c["text"] for c in by_label["Note globale pondérée"].cells] == ["2,67", "4,00"]


def test_staff_open_the_comparison_from_the_proposal_jury_page(
    client, review_call, staff, resubmitted
):
    """From the ranking to the proposal's jury page, which links its evaluations' versions."""
    client.force_login(staff)
    ranking = client.get(reverse("jury:ranking", args=[review_call.slug])).content.decode()
    proposal_page = reverse("jury:proposal", args=[resubmitted.assignment.proposal.public_id])
    assert proposal_page in ranking
    url = reverse("jury:versions", args=[resubmitted.pk])
    assert url in client.get(proposal_page).content.decode()
    html = client.get(url).content.decode()
    assert "Version 1" in html
    assert "Version 2" in html
    assert "modifié" in html


def test_the_juror_and_other_staff_cannot_open_the_comparison(client, resubmitted):
    url = reverse("jury:versions", args=[resubmitted.pk])
    for user in (resubmitted.assignment.juror.user, factories.StaffFactory()):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302
