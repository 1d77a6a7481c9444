"""The jury's pages, for each role that may and may not open them."""

import csv
import io

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from calls.enums import ReviewPhase
from programme.models import OutgoingMail
from projects.models import Assignment, Conflict, Evaluation
from projects.services import jury
from tests import factories
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
def proposals(review_call):
    return eligible(review_call, 2, summary="Un résumé de la candidature.")


@pytest.fixture
def seat(review_call, proposals):
    seat = juror_for(review_call)
    for proposal in proposals:
        Assignment.objects.create(juror=seat, proposal=proposal, created_at=NOW)
    return seat


@pytest.fixture
def conflicted(review_call, proposals):
    """A juror assigned to both proposals, then in conflict with the first."""
    seat = juror_for(review_call)
    for proposal in proposals:
        Assignment.objects.create(juror=seat, proposal=proposal, created_at=NOW)
    Conflict.objects.create(
        juror=seat, proposal=proposals[0], kind="declared", type="personal", created_at=NOW
    )
    return seat


def _user(role, review_call, proposals, seat, conflicted, staff):
    return {
        "juror": lambda: seat.user,
        "conflicted_juror": lambda: conflicted.user,
        "other_call_juror": lambda: (
            juror_for(factories.CallFactory(programme=review_call.programme)).user
        ),
        "staff": lambda: staff,
        "other_staff": lambda: factories.StaffFactory(),
        "agent": lambda: proposals[0].created_by,
        "visitor": lambda: None,
    }[role]()


def _get(client, user, url):
    if user is not None:
        client.force_login(user)
    return client.get(url)


STAFF_PAGE_STATUS = {
    "staff": 200,
    "other_staff": 403,
    "juror": 403,
    "conflicted_juror": 403,
    "other_call_juror": 403,
    "agent": 403,
    "visitor": 302,
}


@pytest.mark.parametrize("page", ["jury:panel", "jury:ranking"])
@pytest.mark.parametrize("role", STAFF_PAGE_STATUS)
def test_staff_pages_per_role(client, review_call, proposals, seat, conflicted, staff, page, role):
    user = _user(role, review_call, proposals, seat, conflicted, staff)
    response = _get(client, user, reverse(page, args=[review_call.slug]))
    assert response.status_code == STAFF_PAGE_STATUS[role]


QUEUE_STATUS = {
    "juror": 200,
    "conflicted_juror": 200,
    "other_call_juror": 403,
    "staff": 403,
    "other_staff": 403,
    "agent": 403,
    "visitor": 302,
}


@pytest.mark.parametrize("role", QUEUE_STATUS)
def test_my_evaluations_per_role(client, review_call, proposals, seat, conflicted, staff, role):
    user = _user(role, review_call, proposals, seat, conflicted, staff)
    response = _get(client, user, reverse("jury:mine", args=[review_call.slug]))
    assert response.status_code == QUEUE_STATUS[role]


SCORING_STATUS = {
    "juror": 200,
    "conflicted_juror": 404,
    "other_call_juror": 404,
    "staff": 404,
    "other_staff": 404,
    "agent": 404,
    "visitor": 302,
}


@pytest.mark.parametrize("role", SCORING_STATUS)
def test_scoring_page_per_role(client, review_call, proposals, seat, conflicted, staff, role):
    user = _user(role, review_call, proposals, seat, conflicted, staff)
    response = _get(client, user, reverse("jury:evaluate", args=[proposals[0].public_id]))
    assert response.status_code == SCORING_STATUS[role]
    if role == "juror":
        text = response.content.decode()
        assert "Un résumé de la candidature." in text
        assert "Note de 0 à 5" in text


def test_the_queue_of_a_conflicted_juror_never_counts_the_conflict(client, conflicted, proposals):
    client.force_login(conflicted.user)
    page = client.get(reverse("jury:mine", args=[conflicted.call.slug])).content.decode()
    assert "0 sur 1 notées." in page
    assert proposals[1].title in page
    assert "Noter la suivante" in page
    conflicts = client.get(
        reverse("jury:mine", args=[conflicted.call.slug]), {"filtre": "conflicted"}
    ).content.decode()
    assert "Lien personnel ou familial" in conflicts


def test_a_juror_saves_a_draft_then_submits_and_it_locks(client, seat, proposals, criteria):
    client.force_login(seat.user)
    url = reverse("jury:evaluate", args=[proposals[0].public_id])
    impact, maturity = criteria
    response = client.post(url, {f"score_{impact.pk}": "4", "comment": "Prometteur", "save": "1"})
    assert response.status_code == 302
    evaluation = Evaluation.objects.get()
    assert evaluation.state == "draft"
    response = client.post(
        url,
        {
            f"score_{impact.pk}": "4",
            f"score_{maturity.pk}": "2",
            "recommendation": "yes",
            "submit": "1",
        },
        follow=True,
    )
    assert "Évaluation soumise." in response.content.decode()
    assert "elle ne change plus" in response.content.decode()
    evaluation.refresh_from_db()
    assert evaluation.state == "submitted"
    assert evaluation.total == pytest.approx(10 / 3)
    response = client.post(url, {f"score_{impact.pk}": "1", "save": "1"}, follow=True)
    assert "ne change plus" in response.content.decode()
    evaluation.refresh_from_db()
    assert evaluation.total == pytest.approx(10 / 3)


def test_submitting_an_incomplete_evaluation_says_what_is_missing(
    client, seat, proposals, criteria
):
    client.force_login(seat.user)
    url = reverse("jury:evaluate", args=[proposals[0].public_id])
    response = client.post(url, {f"score_{criteria[0].pk}": "4", "submit": "1"})
    assert response.status_code == 200
    assert "il manque : Maturité" in response.content.decode()


def test_not_applicable_is_offered_only_when_the_call_allows_it(client, seat, proposals, criteria):
    client.force_login(seat.user)
    url = reverse("jury:evaluate", args=[proposals[0].public_id])
    assert "Non applicable" not in client.get(url).content.decode()
    seat.call.allows_not_applicable = True
    seat.call.save()
    assert "Non applicable" in client.get(url).content.decode()


def test_scores_stay_blind_until_own_submission_and_discussion(
    client, review_call, seat, proposals, criteria, staff
):
    other = juror_for(review_call)
    assignment = Assignment.objects.create(juror=other, proposal=proposals[0], created_at=NOW)
    jury.submit_evaluation(
        assignment,
        by=other.user,
        now=NOW,
        scores={criteria[0].pk: (1, "Commentaire secret"), criteria[1].pk: (1, "")},
        recommendation="no",
    )
    client.force_login(seat.user)
    url = reverse("jury:evaluate", args=[proposals[0].public_id])
    assert "Commentaire secret" not in client.get(url).content.decode()
    jury.set_review_phase(review_call, ReviewPhase.DISCUSSION, by=staff, now=NOW)
    assert "Commentaire secret" not in client.get(url).content.decode()  # own not submitted
    submit(Assignment.objects.get(juror=seat, proposal=proposals[0]), criteria, 5, 5)
    page = client.get(url).content.decode()
    assert "Commentaire secret" in page
    assert other.user.last_name in page
    review_call.hide_juror_names = True
    review_call.save()
    page = client.get(url).content.decode()
    assert "Juré·e " in page  # a pseudonym, stable for the call
    assert other.user.last_name not in page


def test_a_juror_declares_a_conflict_from_the_list(client, seat, proposals):
    client.force_login(seat.user)
    response = client.post(
        reverse("jury:declare-conflict", args=[seat.call.slug]),
        {"proposal": proposals[0].public_id, "type": "professional", "reason": "Mon ancien chef"},
        follow=True,
    )
    assert "Conflit enregistré" in response.content.decode()
    assert not Assignment.objects.filter(juror=seat, proposal=proposals[0]).exists()
    url = reverse("jury:evaluate", args=[proposals[0].public_id])
    assert client.get(url).status_code == 404


def test_staff_run_the_panel(client, review_call, proposals, staff):
    client.force_login(staff)
    newcomer = factories.UserFactory(email="jure@exemple.gouv.fr", structure=proposals[0].structure)
    client.post(
        reverse("jury:add-juror", args=[review_call.slug]),
        {"email": "JURE@exemple.gouv.fr", "role_label": "CCDG"},
    )
    # An invitation, even to an existing account: the person takes the seat from the link.
    assert not review_call.jury_members.filter(user=newcomer).exists()
    invitation = OutgoingMail.objects.get(to=[newcomer.email]).text
    join = invitation[invitation.index("/jury/rejoindre/") :].split()[0]
    client.force_login(newcomer)
    client.post(join)
    client.force_login(staff)
    seat = review_call.jury_members.get(user=newcomer)
    conflict = Conflict.objects.get(juror=seat)  # same structure as the first proposal
    juror_for(review_call)
    response = client.post(reverse("jury:assign", args=[review_call.slug]), {"k": "1"}, follow=True)
    assert "Les candidatures sont attribuées." in response.content.decode()
    assert Assignment.objects.count() == 2
    assert not Assignment.objects.filter(juror=seat, proposal=proposals[0]).exists()
    client.post(reverse("jury:lift-conflict", args=[conflict.pk]), {"reason": "Erreur"})
    conflict.refresh_from_db()
    assert conflict.lifted_at is not None
    client.post(reverse("jury:phase", args=[review_call.slug]), {"phase": "discussion"})
    review_call.refresh_from_db()
    assert review_call.review_phase == "discussion"


def test_other_staff_cannot_post_to_the_panel(client, review_call, conflicted):
    client.force_login(factories.StaffFactory())
    conflict = Conflict.objects.get()
    for url, data in [
        (reverse("jury:add-juror", args=[review_call.slug]), {"email": "x@exemple.gouv.fr"}),
        (reverse("jury:assign", args=[review_call.slug]), {"k": "3"}),
        (reverse("jury:phase", args=[review_call.slug]), {"phase": "discussion"}),
        (reverse("jury:lift-conflict", args=[conflict.pk]), {"reason": "x"}),
    ]:
        assert client.post(url, data).status_code == 403
    assert Conflict.objects.get().lifted_at is None


def test_staff_reopen_an_evaluation(client, seat, proposals, criteria, staff):
    evaluation = submit(Assignment.objects.get(juror=seat, proposal=proposals[0]), criteria, 3, 3)
    client.force_login(factories.StaffFactory())
    url = reverse("jury:reopen", args=[evaluation.pk])
    assert client.post(url, {"reason": "x"}).status_code == 403
    client.force_login(staff)
    client.post(url, {"reason": "Après discussion"})
    evaluation.refresh_from_db()
    assert evaluation.state == "draft"


def _scored_call(review_call, criteria, proposals):
    seats = [juror_for(review_call) for _ in range(2)]
    for seat, values in zip(seats, [(5, 5), (1, 1)], strict=True):
        for proposal in proposals:
            submit(
                Assignment.objects.create(juror=seat, proposal=proposal, created_at=NOW),
                criteria,
                *values,
            )


def test_ranking_page_filters_and_exports(client, review_call, criteria, proposals, staff):
    _scored_call(review_call, criteria, proposals)
    client.force_login(staff)
    url = reverse("jury:ranking", args=[review_call.slug])
    page = client.get(url).content.decode()
    assert "désaccord" in page
    assert "2 / 2" in page
    flagged = client.get(url, {"flagged": "true"}).content.decode()
    assert proposals[0].title in flagged
    none = client.get(url, {"flagged": "false"}).content.decode()
    assert proposals[0].title not in none
    response = client.get(url, {"export": "csv", "sort": "title"})
    text = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:3] == ["Rang", "Référence", "Titre"]
    assert [r[2] for r in rows[1:]] == sorted(p.title for p in proposals)
    response = client.get(url, {"export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 3
    assert [c.value for c in sheet[1]][3:6] == [
        "Moyenne centrée réduite",
        "Notes calibrées",
        "Moyenne pondérée brute",
    ]
    assert float(sheet.cell(row=2, column=6).value) == pytest.approx(3.0)


def test_ranking_page_explains_each_score_and_says_what_each_rests_on(
    client, review_call, criteria, proposals, staff
):
    """Finding 5: the calibrated column no longer silently equals the raw one: each score
    says how many notes it rests on, and a sentence explains each column."""
    _scored_call(review_call, criteria, proposals)  # two jurors with two scores each
    client.force_login(staff)
    page = client.get(reverse("jury:ranking", args=[review_call.slug])).content.decode()
    for sentence in (
        "Score du modèle : la qualité estimée",
        "Moyenne centrée réduite : la moyenne des notes de chaque juré",
        "Moyenne pondérée brute : la moyenne des notes globales",
        "Désaccord : l'écart",
    ):
        assert sentence in page
    assert "0 note" in page  # the z-score rests on nobody: two scores per juror only
    assert "2 notes" in page  # the raw mean and the model rest on both


def test_ranking_reads_at_a_glance_one_line_per_proposal(
    client, review_call, criteria, proposals, staff
):
    """No evaluations nor reopening forms in the table: a link to each proposal's jury page."""
    _scored_call(review_call, criteria, proposals)
    client.force_login(staff)
    page = client.get(reverse("jury:ranking", args=[review_call.slug])).content.decode()
    assert "Rouvrir" not in page
    assert "Motif de la réouverture" not in page
    for proposal in proposals:
        assert reverse("jury:proposal", args=[proposal.public_id]) in page
    table = page.split("<table>", 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") == 1 + len(proposals)  # the header, then one line each


def test_ranking_sorts_by_a_column_and_shows_it(client, review_call, criteria, proposals, staff):
    _scored_call(review_call, criteria, proposals)
    client.force_login(staff)
    url = reverse("jury:ranking", args=[review_call.slug])
    page = client.get(url, {"sort": "-title", "flagged": "true"}).content.decode()
    titles = sorted((p.title for p in proposals), reverse=True)
    assert page.index(titles[0]) < page.index(titles[1])
    assert page.count('aria-sort="descending"') == 1
    assert 'aria-sort="ascending"' not in page
    # The header asks for the other direction, the filters stay in the address.
    assert "?sort=title&amp;flagged=true" in page or "?flagged=true&amp;sort=title" in page
    # Filtering again keeps the sort: it is a hidden field of the filters' form.
    assert 'type="hidden" name="sort" value="-title"' in page
    default = client.get(url).content.decode()
    assert default.count('aria-sort="ascending"') == 1  # the rank, best first


def test_ranking_page_draws_each_criterion_with_its_table(
    client, review_call, criteria, proposals, staff
):
    _scored_call(review_call, criteria, proposals)  # scores 5 and 1 on every criterion
    client.force_login(staff)
    page = client.get(reverse("jury:ranking", args=[review_call.slug])).content.decode()
    for criterion in criteria:
        assert f"Tableau : {criterion.name}" in page
        assert f"{criterion.name} —\n" in page or f"{criterion.name} —" in page
    assert "<svg" in page
    assert "style=" not in page.split("<main", 1)[-1].split("</main>", 1)[0]


def test_the_proposal_jury_page_lists_evaluations_and_reopens(
    client, review_call, criteria, proposals, staff
):
    _scored_call(review_call, criteria, proposals)
    client.force_login(staff)
    url = reverse("jury:proposal", args=[proposals[0].public_id])
    page = client.get(url).content.decode()
    assert "Motif de la réouverture" in page
    assert page.count(">Rouvrir<") == 2
    assert "1 version soumise" in page
    evaluation = Evaluation.objects.filter(assignment__proposal=proposals[0]).first()
    response = client.post(
        reverse("jury:reopen", args=[evaluation.pk]), {"reason": "Après discussion"}
    )
    assert response["Location"] == url
    evaluation.refresh_from_db()
    assert evaluation.state == "draft"
    assert page.count(">Rouvrir<") - 1 == client.get(url).content.decode().count(">Rouvrir<")


@pytest.mark.parametrize("n", [2, 9])
def test_the_proposal_jury_page_query_count_is_fixed(
    client, review_call, criteria, staff, n, django_assert_num_queries
):
    [proposal] = eligible(review_call, 1)
    for _ in range(n):
        submit(
            Assignment.objects.create(
                juror=juror_for(review_call), proposal=proposal, created_at=NOW
            ),
            criteria,
            3,
            4,
        )
    client.force_login(staff)
    url = reverse("jury:proposal", args=[proposal.public_id])
    client.get(url)  # the first read computes the stored ranking
    with django_assert_num_queries(11):  # its own stored row, not the whole call's ranking
        assert client.get(url).status_code == 200


def test_a_very_long_ranking_search_gives_the_page_with_a_message(
    client, review_call, criteria, proposals, staff
):
    client.force_login(staff)
    url = reverse("jury:ranking", args=[review_call.slug])
    response = client.get(url, {"q": "x" * 50_000})
    assert response.status_code == 200
    assert "La recherche est limitée à 200 caractères." in response.content.decode()
    # The export refuses it too, with the same page.
    response = client.get(url, {"q": "x" * 50_000, "export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("n", [5, 60])
def test_ranking_page_query_count_is_fixed(
    client, review_call, criteria, staff, n, django_assert_num_queries
):
    seat = juror_for(review_call)
    for proposal in eligible(review_call, n):
        Evaluation.objects.create(
            assignment=Assignment.objects.create(juror=seat, proposal=proposal, created_at=NOW),
            state="submitted",
            total=3.0,
            updated_at=NOW,
            submitted_at=NOW,
        )
    client.force_login(staff)
    url = reverse("jury:ranking", args=[review_call.slug])
    client.get(url)  # the first read computes the stored ranking
    with django_assert_num_queries(9):  # a page of the stored rows, its count, its charts
        assert client.get(url).status_code == 200


def test_dashboard_links_a_juror_to_their_evaluations(client, seat):
    client.force_login(seat.user)
    page = client.get(reverse("dashboard")).content.decode()
    assert reverse("jury:mine", args=[seat.call.slug]) in page


def test_staff_add_a_conflict_and_move_an_assignment(client, review_call, proposals, seat, staff):
    other, third = juror_for(review_call), juror_for(review_call)
    client.force_login(staff)
    response = client.post(
        reverse("jury:add-conflict", args=[review_call.slug]),
        {
            "juror": other.pk,
            "proposal": proposals[0].public_id,
            "type": "financial",
            "reason": "Actionnaire",
        },
        follow=True,
    )
    assert "intérêts est enregistré." in response.content.decode()
    assert Conflict.objects.get(juror=other).kind == "staff"
    move_url = reverse("jury:move", args=[review_call.slug])
    response = client.post(
        move_url,
        {"proposal": proposals[0].public_id, "from_juror": seat.pk, "to_juror": other.pk},
        follow=True,
    )
    assert "Ce juré est en conflit" in response.content.decode()
    client.post(
        move_url, {"proposal": proposals[0].public_id, "from_juror": seat.pk, "to_juror": third.pk}
    )
    assert Assignment.objects.filter(juror=third, proposal=proposals[0]).exists()
    assert not Assignment.objects.filter(juror=seat, proposal=proposals[0]).exists()


def test_other_staff_cannot_add_conflicts_nor_move(client, review_call, proposals, seat):
    other = juror_for(review_call)
    client.force_login(factories.StaffFactory())
    add = reverse("jury:add-conflict", args=[review_call.slug])
    data = {"juror": other.pk, "proposal": proposals[0].public_id, "type": "other", "reason": "x"}
    assert client.post(add, data).status_code == 403
    move = reverse("jury:move", args=[review_call.slug])
    data = {"proposal": proposals[0].public_id, "from_juror": seat.pk, "to_juror": other.pk}
    assert client.post(move, data).status_code == 403
    assert not Conflict.objects.exists()
    assert Assignment.objects.filter(juror=seat, proposal=proposals[0]).exists()


@pytest.mark.parametrize("n", [3, 30])
def test_panel_query_count_is_fixed(client, review_call, staff, n, django_assert_num_queries):
    proposals = eligible(review_call, 3)
    for _ in range(n):
        seat = juror_for(review_call)
        Assignment.objects.create(juror=seat, proposal=proposals[0], created_at=NOW)
        Conflict.objects.create(
            juror=seat, proposal=proposals[1], kind="declared", type="other", created_at=NOW
        )
    client.force_login(staff)
    url = reverse("jury:panel", args=[review_call.slug])
    client.get(url)
    with django_assert_num_queries(13):  # the call's themes: one more
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("n", [2, 20])
def test_my_evaluations_query_count_is_fixed(client, review_call, n, django_assert_num_queries):
    seat = juror_for(review_call)
    for proposal in eligible(review_call, n):
        Assignment.objects.create(juror=seat, proposal=proposal, created_at=NOW)
    client.force_login(seat.user)
    url = reverse("jury:mine", args=[review_call.slug])
    client.get(url)
    # …, the count of declarable proposals (a list, or the reference to type past 200)
    with django_assert_num_queries(10):
        assert client.get(url).status_code == 200


def test_a_lifted_conflict_lets_the_juror_declare_again(
    client, review_call, proposals, seat, staff
):
    conflict = jury.declare_conflict(
        proposals[0], by=seat.user, type="other", reason="Doute", now=NOW
    )
    jury.lift_conflict(conflict, by=staff, reason="Aucun lien", now=NOW)
    other = juror_for(review_call)
    jury.declare_conflict(proposals[0], by=other.user, type="other", reason="Ami", now=NOW)
    client.force_login(seat.user)
    page = client.get(reverse("jury:mine", args=[review_call.slug])).content.decode()
    assert f'value="{proposals[0].public_id}"' in page


def test_staff_change_the_jury_settings(client, review_call, seat, proposals, criteria, staff):
    url = reverse("jury:settings", args=[review_call.slug])
    data = {"hide_juror_names": "on", "allows_not_applicable": "on", "disagreement_threshold": "2"}
    client.force_login(factories.StaffFactory())
    assert client.post(url, data).status_code == 403
    client.force_login(staff)
    client.post(url, data)
    review_call.refresh_from_db()
    assert review_call.hide_juror_names
    assert review_call.allows_not_applicable
    assert review_call.disagreement_threshold == 2
    submit(Assignment.objects.get(juror=seat, proposal=proposals[0]), criteria, 3, None)
    response = client.post(url, {"disagreement_threshold": "2"}, follow=True)
    assert "doit rester ouverte" in response.content.decode()
    review_call.refresh_from_db()
    assert review_call.allows_not_applicable


def test_staff_invite_a_new_juror_by_signed_link(
    client, review_call, staff, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("jury:add-juror", args=[review_call.slug]),
            {"email": "Nouvelle@exemple.gouv.fr", "role_label": "Société civile"},
        )
    (message,) = mailoutbox
    assert message.to == ["nouvelle@exemple.gouv.fr"]
    path = message.body.split("http://")[-1].split("\n")[0]
    path = path[path.index("/jury/") :]
    client.logout()
    assert client.get(path).status_code == 302  # sign in (or sign up) first
    client.force_login(factories.UserFactory(email="autre@exemple.gouv.fr"))
    response = client.post(path, follow=True)
    assert "nouvelle@exemple.gouv.fr" in response.content.decode()
    assert not review_call.jury_members.exists()
    newcomer = factories.UserFactory(email="nouvelle@exemple.gouv.fr")
    client.force_login(newcomer)
    assert client.get(path).status_code == 200
    response = client.post(path)
    assert response.url == reverse("jury:mine", args=[review_call.slug])
    assert review_call.jury_members.get(user=newcomer).role_label == "Société civile"


def test_an_altered_jury_link_is_refused(client, user):
    client.force_login(user)
    response = client.get(reverse("jury:join", args=["faux:lien"]), follow=True)
    assert "pas valide" in response.content.decode()


def test_a_large_call_asks_the_reference_instead_of_a_list(client, review_call, monkeypatch):
    monkeypatch.setattr("projects.views.juror.CONFLICT_CHOICES_MAX", 2)
    proposals = eligible(review_call, 3)
    for number, proposal in enumerate(proposals, start=1):
        proposal.reference = f"FN-2026-{number:04d}"
        proposal.save(update_fields=["reference"])
    seat = juror_for(review_call)
    Assignment.objects.create(juror=seat, proposal=proposals[0], created_at=NOW)
    client.force_login(seat.user)
    url = reverse("jury:mine", args=[review_call.slug])
    page = client.get(url, {"conflit": proposals[0].public_id}).content.decode()
    assert "Référence de la candidature" in page
    assert 'value="FN-2026-0001"' in page  # prefilled from the row's link
    assert str(proposals[1].public_id) not in page  # no list of the call's proposals

    response = client.post(
        reverse("jury:declare-conflict", args=[review_call.slug]),
        {"proposal": "fn-2026-0003", "type": "personal", "reason": "Mon frère."},
    )
    assert response.status_code == 302
    assert Conflict.objects.get(juror=seat).proposal == proposals[2]


def test_a_wrong_reference_keeps_what_was_typed_with_a_french_message(client, review_call):
    eligible(review_call, 1)
    seat = juror_for(review_call)
    client.force_login(seat.user)
    response = client.post(
        reverse("jury:declare-conflict", args=[review_call.slug]),
        {"proposal": "FN-1999-0042", "type": "personal", "reason": "Ma voisine."},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Aucune candidature de cet appel ne porte cette référence" in html
    assert "Ma voisine." in html
    assert not Conflict.objects.filter(juror=seat).exists()
