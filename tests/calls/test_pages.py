"""The calls' pages, for each role that may or may not see them."""

import html as html_lib
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from calls.enums import CallKind, CallState
from calls.models import Call, Criterion, Question
from programme.audit import history
from tests import factories

pytestmark = pytest.mark.django_db


def text(response) -> str:
    """The page as a person reads it: entities decoded."""
    return html_lib.unescape(response.content.decode())


@pytest.fixture
def call(programme):
    return factories.CallFactory(programme=programme, state=CallState.DRAFT, edition="FAST 14")


@pytest.fixture
def agent():
    return factories.UserFactory()


@pytest.fixture
def other_staff():
    return factories.StaffFactory()


@pytest.fixture
def superuser():
    return factories.UserFactory(is_superuser=True, is_staff=True)


def staff_urls(call, criterion, question):
    return [
        reverse("calls:manage", args=[call.slug]),
        reverse("calls:edit", args=[call.slug]),
        reverse("calls:criterion-add", args=[call.slug]),
        reverse("calls:criterion-edit", args=[call.slug, criterion.pk]),
        reverse("calls:question-add", args=[call.slug]),
        reverse("calls:question-edit", args=[call.slug, question.pk]),
        reverse("calls:create", args=[call.programme.slug]),
    ]


@pytest.fixture
def items(call):
    return factories.CriterionFactory(call=call), factories.QuestionFactory(call=call)


def test_staff_pages_send_visitors_to_sign_in(client, call, items):
    for url in staff_urls(call, *items):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("who", ["agent", "other_staff"])
def test_staff_pages_are_forbidden_to_agents_and_other_programmes_staff(
    client, call, items, who, request
):
    client.force_login(request.getfixturevalue(who))
    for url in staff_urls(call, *items):
        assert client.get(url).status_code == 403, url
    for name in ("criterion-delete", "criterion-move"):
        url = reverse(f"calls:{name}", args=[call.slug, items[0].pk])
        assert client.post(url, {"direction": "up"}).status_code == 403
    response = client.post(reverse("calls:transition", args=[call.slug]), {"action": "publish"})
    assert response.status_code == 403
    call.refresh_from_db()
    assert call.state == CallState.DRAFT
    assert Criterion.objects.filter(pk=items[0].pk).exists()


@pytest.mark.parametrize("who", ["staff", "superuser"])
def test_staff_pages_answer_to_programme_staff_and_superusers(client, call, items, who, request):
    client.force_login(request.getfixturevalue(who))
    for url in staff_urls(call, *items):
        assert client.get(url).status_code == 200, url


def test_call_dashboard_shows_counts_actions_and_history(client, staff, call):
    factories.ProposalFactory(call=call)
    factories.ProposalFactory(call=call, state="submitted")
    factories.JuryMemberFactory(call=call)
    client.force_login(staff)
    html = text(client.get(reverse("calls:manage", args=[call.slug])))
    assert "Piloter FAST 14" in html
    assert "Publier l'appel" in html
    assert "candidatures déposées" in html
    assert "Déposée" in html


def test_lifecycle_button_publishes_and_logs(client, staff, call):
    client.force_login(staff)
    response = client.post(
        reverse("calls:transition", args=[call.slug]), {"action": "publish"}, follow=True
    )
    call.refresh_from_db()
    assert call.state == CallState.PUBLISHED
    assert "L'appel est maintenant à l'état « Publié »" in text(response)
    assert history(call).get().actor == staff


def test_an_illegal_lifecycle_post_shows_the_reason(client, staff, call):
    call.state = CallState.PUBLISHED
    call.save()
    client.force_login(staff)
    response = client.post(
        reverse("calls:transition", args=[call.slug]), {"action": "archive"}, follow=True
    )
    html = text(response)
    assert "Action impossible : l'appel est à l'état « Publié »" in html
    assert 'role="alert"' in html
    call.refresh_from_db()
    assert call.state == CallState.PUBLISHED


def test_closing_before_the_deadline_by_a_forged_post_is_refused(client, staff, call):
    call.state = CallState.PUBLISHED
    call.save()
    client.force_login(staff)
    html = text(
        client.post(reverse("calls:transition", args=[call.slug]), {"action": "close"}, follow=True)
    )
    assert "se clôt de lui-même" in html


# --- Creating and editing a call -------------------------------------------------------------

GOOD = {
    "kind": CallKind.PROJECTS,
    "edition": "FAST 15",
    "title": "Quinzième promotion",
    "description": "## Règlement\n\nDeux promotions par an.",
    "opens_at": "2027-01-05T09:00",
    "closes_at": "2027-02-01T12:00",
    "eligible_structure_types": ["central", "dreal"],
    "team_min": "1",
    "team_max": "6",
    "laureates_target": "10",
    "offers_funding": "on",
    "envelope": "2550000",
    "max_funding_share": "50",
    "max_funding_amount": "300000",
}


def test_staff_create_a_call_in_paris_time(client, staff, programme):
    client.force_login(staff)
    response = client.post(reverse("calls:create", args=[programme.slug]), GOOD)
    call = Call.objects.get(edition="FAST 15")
    assert response.url == reverse("calls:manage", args=[call.slug])
    assert call.programme == programme
    assert call.state == CallState.DRAFT
    assert call.slug == "fast-15"
    # 12:00 in Paris in winter is 11:00 UTC.
    assert call.closes_at.astimezone(timezone.UTC).hour == 11
    assert call.eligible_structure_types == ["central", "dreal"]


def test_another_programmes_staff_cannot_create_a_call_here(client, other_staff, programme):
    client.force_login(other_staff)
    response = client.post(reverse("calls:create", args=[programme.slug]), GOOD)
    assert response.status_code == 403
    assert not Call.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"closes_at": "2027-01-01T09:00"}, "closes_at", "La clôture doit venir après"),
        ({"closes_at": "pas une date"}, "closes_at", "Saisissez une date et une heure valides"),
        ({"closes_at": "2026-10-25T02:30"}, "closes_at", "changement d'heure"),
        ({"opens_at": "2026-03-29T02:30"}, "opens_at", "changement d'heure"),
        ({"team_min": "5", "team_max": "2"}, "team_max", "La taille maximale doit être"),
        ({"max_funding_share": "150"}, "max_funding_share", "inférieure ou égale à 100"),
        ({"max_funding_amount": "3000000"}, "max_funding_amount", "enveloppe"),
        ({"envelope": ""}, "envelope", "Indiquez l'enveloppe"),
        ({"kind": CallKind.CHALLENGE_APPLICATIONS}, "challenge_call", "choisissez lequel"),
        ({"edition": ""}, "edition", "Ce champ est obligatoire"),
    ],
)
def test_bad_call_input_keeps_every_value_with_a_french_message(
    client, staff, programme, changes, field, message
):
    client.force_login(staff)
    data = {**GOOD, **changes}
    response = client.post(reverse("calls:create", args=[programme.slug]), data)
    assert response.status_code == 200
    assert not Call.objects.exists()
    form = response.context["form"]
    assert field in form.errors
    html = text(response)
    assert message in html
    assert 'value="Quinzième promotion"' in html
    assert "## Règlement" in html
    assert 'aria-invalid="true"' in html


def test_staff_edit_a_call_and_the_audit_keeps_it(client, staff, call):
    client.force_login(staff)
    data = {**GOOD, "edition": "FAST 14 bis"}
    response = client.post(reverse("calls:edit", args=[call.slug]), data)
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.edition == "FAST 14 bis"
    assert call.slug != "fast-15"  # the address does not move
    assert history(call).filter(action="call.update").exists()


def test_a_closed_call_cannot_be_edited_and_the_text_stays(client, staff, call):
    call.state = CallState.CLOSED
    call.save()
    client.force_login(staff)
    response = client.post(reverse("calls:edit", args=[call.slug]), GOOD)
    assert response.status_code == 200
    html = text(response)
    assert "ses règles ne peuvent plus changer" in html
    assert 'value="Quinzième promotion"' in html
    call.refresh_from_db()
    assert call.edition == "FAST 14"


# --- Criteria and questions -----------------------------------------------------------------


def test_staff_add_criteria_and_reorder_them(client, staff, call):
    client.force_login(staff)
    for name in ("Impact", "Maturité", "Ambition"):
        client.post(
            reverse("calls:criterion-add", args=[call.slug]),
            {"name": name, "weight": "1", "scale_max": "5"},
        )
    ambition = call.criteria.get(name="Ambition")
    client.post(reverse("calls:criterion-move", args=[call.slug, ambition.pk]), {"direction": "up"})
    assert [c.name for c in call.criteria.all()] == ["Impact", "Ambition", "Maturité"]
    client.post(reverse("calls:criterion-delete", args=[call.slug, ambition.pk]))
    assert [c.name for c in call.criteria.all()] == ["Impact", "Maturité"]


def test_bad_criterion_keeps_the_text(client, staff, call):
    client.force_login(staff)
    response = client.post(
        reverse("calls:criterion-add", args=[call.slug]),
        {"name": "Impact", "description": "Mesurable", "weight": "0", "scale_max": "0"},
    )
    html = text(response)
    assert "Le poids doit être strictement positif" in html
    assert "La note maximale va de 1 à 100" in html
    assert 'value="Impact"' in html
    assert "Mesurable" in html
    assert not call.criteria.exists()


def test_staff_add_a_choice_question(client, staff, call):
    client.force_login(staff)
    client.post(
        reverse("calls:question-add", args=[call.slug]),
        {
            "label": "Phase du projet",
            "kind": "single_choice",
            "choices_text": "Investigation\nConstruction\n\nConstruction\nAccélération",
            "required": "on",
        },
    )
    question = Question.objects.get(call=call)
    assert question.choices == ["Investigation", "Construction", "Accélération"]
    edit = client.get(reverse("calls:question-edit", args=[call.slug, question.pk]))
    assert "Investigation\nConstruction\nAccélération" in text(edit)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "single_choice", "choices_text": "Un seul"}, "au moins deux choix"),
        ({"kind": "number", "choices_text": "A\nB"}, "Seules les questions à choix"),
        ({"kind": "yes_no", "max_length": "200"}, "Seules les réponses en texte"),
        ({"kind": "long_text", "max_length": "0"}, "La longueur maximale doit être positive"),
        ({"kind": "long_text", "label": ""}, "Ce champ est obligatoire"),
    ],
)
def test_bad_question_keeps_the_text(client, staff, call, data, message):
    client.force_login(staff)
    payload = {"label": "Votre idée", "help_text": "Soyez bref", **data}
    response = client.post(reverse("calls:question-add", args=[call.slug]), payload)
    html = text(response)
    assert message in html
    assert "Soyez bref" in html
    assert not call.questions.exists()


def test_items_of_another_call_are_not_found(client, staff, call):
    other = factories.CriterionFactory()
    client.force_login(staff)
    url = reverse("calls:criterion-edit", args=[call.slug, other.pk])
    assert client.get(url).status_code == 404


# --- Programme staff page ---------------------------------------------------------------------


def test_programme_staff_page_links_to_create_and_manage(client, staff, call):
    client.force_login(staff)
    html = text(client.get(reverse("programme-manage", args=[call.programme.slug])))
    assert reverse("calls:create", args=[call.programme.slug]) in html
    assert "Créer un appel" in html
    assert reverse("calls:manage", args=[call.slug]) in html


# --- Public pages ---------------------------------------------------------------------------


def test_call_page_renders_sanitised_markdown(client):
    call = factories.CallFactory(
        description=(
            "## Règlement\n\n**Important** <script>alert('x')</script>"
            "<img src=x onerror=alert(1)> [lien](javascript:alert(1))"
        )
    )
    html = text(client.get(call.get_absolute_url()))
    assert "<h2>Règlement</h2>" in html
    assert "<strong>Important</strong>" in html
    assert "alert" not in html
    assert "onerror" not in html
    assert "javascript:" not in html


def test_call_page_shows_dates_in_paris_time_and_time_left(client):
    now = timezone.now()
    call = factories.CallFactory(
        opens_at=now - timedelta(days=3),
        closes_at=now + timedelta(days=4, hours=2),
        eligible_structure_types=["dreal", "dirm"],
    )
    factories.CriterionFactory(call=call, name="Impact")
    factories.QuestionFactory(call=call, label="Votre idée", kind="long_text", max_length=2000)
    html = text(client.get(call.get_absolute_url()))
    assert "heure de Paris" in html
    assert "Il reste 4" in html
    assert "DREAL, DIRM" in html
    assert "Impact" in html
    assert "Votre idée" in html
    assert "2000 caractères au plus" in html
    local = timezone.localtime(call.closes_at)
    assert f"{local:%H:%M}" in html


def test_call_page_never_shows_a_call_open_after_its_deadline(client):
    """The state still says published (the beat has not run); the page says closed."""
    call = factories.CallFactory(
        opens_at=timezone.now() - timedelta(days=5), closes_at=timezone.now() - timedelta(1)
    )
    html = text(client.get(call.get_absolute_url()))
    assert "n'accepte plus de candidatures" in html
    assert "Ouvert<" not in html
    listing = text(client.get(reverse("calls:list"), {"status": "open"}))
    assert call.edition not in listing


def test_stage_two_call_lists_the_defis(client):
    stage_one = factories.CallFactory(kind=CallKind.CHALLENGES, state=CallState.CLOSED)
    factories.DefiFactory(call=stage_one, title="PrédiSauvetage", profiles="Data scientist")
    stage_two = factories.CallFactory(
        kind=CallKind.CHALLENGE_APPLICATIONS, challenge_call=stage_one
    )
    html = text(client.get(stage_two.get_absolute_url()))
    assert "Les défis à relever" in html
    assert "PrédiSauvetage" in html
    assert "Direction des affaires maritimes" in html
    assert "Data scientist" in html


def test_funding_rules_on_a_fast_call(client):
    call = factories.CallFactory(offers_funding=True, envelope=2550000)
    html = text(client.get(call.get_absolute_url()))
    assert "au plus 50 % du budget annuel" in html
    assert "300" in html


def test_draft_call_is_hidden_from_visitors_agents_and_other_staff(
    client, call, agent, other_staff
):
    assert client.get(call.get_absolute_url()).status_code == 404
    for user in (agent, other_staff):
        client.force_login(user)
        assert client.get(call.get_absolute_url()).status_code == 404
    listing = text(client.get(reverse("calls:list")))
    assert "FAST 14" not in listing


@pytest.mark.parametrize("who", ["staff", "superuser"])
def test_draft_call_is_visible_to_its_staff(client, call, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get(call.get_absolute_url())
    assert response.status_code == 200
    assert "Brouillon" in text(response)
    assert reverse("calls:manage", args=[call.slug]) in text(response)


def test_call_page_offers_no_staff_link_to_agents(client, agent):
    call = factories.CallFactory()
    client.force_login(agent)
    html = text(client.get(call.get_absolute_url()))
    assert reverse("calls:manage", args=[call.slug]) not in html


def test_programme_staff_page_shows_an_overdue_call_as_closed(client, staff, programme):
    factories.CallFactory(
        programme=programme,
        edition="FN 2026",
        opens_at=timezone.now() - timedelta(days=9),
        closes_at=timezone.now() - timedelta(minutes=1),
    )
    client.force_login(staff)
    page = text(client.get(reverse("programme-manage", args=[programme.slug])))
    assert "<td>Clos</td>" in page
    assert "Publié" not in page


def test_call_page_offers_to_apply_only_while_open(client, agent):
    now = timezone.now()
    open_call = factories.CallFactory()
    overdue = factories.CallFactory(
        opens_at=now - timedelta(days=9), closes_at=now - timedelta(seconds=1)
    )
    client.force_login(agent)
    assert "Candidater à cet appel" in text(client.get(open_call.get_absolute_url()))
    assert "Candidater à cet appel" not in text(client.get(overdue.get_absolute_url()))


# --- Défis of an EIG stage-1 call -------------------------------------------------------------


@pytest.fixture
def challenge_call(programme):
    return factories.CallFactory(
        programme=programme, kind=CallKind.CHALLENGES, state=CallState.CLOSED, edition="EIG 2"
    )


def test_staff_retain_a_defi_with_its_host_administration(client, staff, challenge_call):
    client.force_login(staff)
    response = client.post(
        reverse("calls:defi-add", args=[challenge_call.slug]),
        {
            "title": "PrédiSauvetage",
            "structure_type": "central",
            "structure_name": "Direction des affaires maritimes",
            "description": "Prévenir les accidents en mer.",
            "profiles": "Data scientist",
            "mentors": "Un officier",
        },
    )
    assert response.status_code == 302
    defi = challenge_call.defis.get()
    assert defi.host_structure.name == "Direction des affaires maritimes"
    page = text(client.get(reverse("calls:manage", args=[challenge_call.slug])))
    assert "PrédiSauvetage" in page
    edit = text(client.get(reverse("calls:defi-edit", args=[challenge_call.slug, defi.pk])))
    assert 'value="Direction des affaires maritimes"' in edit


def test_bad_defi_keeps_the_text(client, staff, challenge_call):
    client.force_login(staff)
    response = client.post(
        reverse("calls:defi-add", args=[challenge_call.slug]),
        {"title": "", "structure_type": "", "structure_name": "DAM", "description": "Mer"},
    )
    page = text(response)
    assert page.count("Ce champ est obligatoire") >= 2
    assert 'value="DAM"' in page
    assert "Mer" in page
    assert not challenge_call.defis.exists()


def test_defis_belong_to_stage_one_calls_only(client, staff, call):
    client.force_login(staff)
    assert client.get(reverse("calls:defi-add", args=[call.slug])).status_code == 404


def test_defi_pages_are_forbidden_to_other_staff(client, other_staff, challenge_call):
    defi = factories.DefiFactory(call=challenge_call)
    client.force_login(other_staff)
    assert client.get(reverse("calls:defi-add", args=[challenge_call.slug])).status_code == 403
    url = reverse("calls:defi-delete", args=[challenge_call.slug, defi.pk])
    assert client.post(url).status_code == 403
    assert challenge_call.defis.exists()


def test_call_dates_are_read_and_shown_in_paris_time_whatever_the_active_zone(
    client, staff, programme
):
    client.force_login(staff)
    with timezone.override("America/Cayenne"):
        client.post(reverse("calls:create", args=[programme.slug]), GOOD)
        call = Call.objects.get()
        assert call.closes_at.astimezone(timezone.UTC).hour == 11  # 12:00 Paris, winter
        page = text(client.get(reverse("calls:edit", args=[call.slug])))
    assert 'value="2027-02-01T12:00"' in page


@pytest.mark.parametrize("size", [2, 12])
def test_call_dashboard_runs_a_fixed_number_of_queries(
    client, staff, django_assert_num_queries, size
):
    call = factories.CallFactory(programme=staff.memberships.get().programme)
    for _ in range(size):
        factories.CriterionFactory(call=call)
        factories.QuestionFactory(call=call)
        factories.ProposalFactory(call=call)
    client.force_login(staff)
    client.get(reverse("calls:manage", args=[call.slug]))  # warm the content-type cache
    with django_assert_num_queries(11):  # with the call's eligibility conditions
        client.get(reverse("calls:manage", args=[call.slug]))


def test_call_staff_page_links_to_proposals_jury_and_reminders(client, staff, call):
    client.force_login(staff)
    html = client.get(reverse("calls:manage", args=[call.slug])).content.decode()
    for url in (
        reverse("projects:call-proposals", args=[call.slug]),
        reverse("jury:panel", args=[call.slug]),
        reverse("reminders:call", args=[call.slug]),
    ):
        assert f'href="{url}"' in html
        assert client.get(url).status_code == 200
