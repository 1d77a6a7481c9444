"""The cohort pages: who sees what before and after publication, the open data, the funnel,
the staff's desk, the programme's figures, and fixed query counts."""

import csv
import io
import json
from datetime import date
from decimal import Decimal

import factory
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohorts.enums import Phase
from cohorts.models import Cohort, Laureate
from programme.models import AuditEntry
from projects.enums import ProposalState
from tests import factories

pytestmark = pytest.mark.django_db


def login(client, user):
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def draft_cohort(programme):
    cohort = factories.CohortFactory(
        programme=programme, label="FAST 13", slug="fast-13", published_at=None
    )
    factories.LaureateFactory(cohort=cohort, name="Mobilic")
    return cohort


def people(programme):
    """Everyone who may not see an unpublished cohort of `programme`."""
    proposal = factories.ProposalFactory(call=factories.CallFactory(programme=programme))
    return {
        "visitor": None,
        "agent": proposal.created_by,
        "coach": factories.CoachFactory(programme=programme),
        "other staff": factories.StaffFactory(),
    }


PUBLIC_URLS = ["cohorts:detail", "cohorts:csv", "cohorts:json"]


@pytest.mark.parametrize("url", PUBLIC_URLS)
@pytest.mark.parametrize("who", ["visitor", "agent", "coach", "other staff"])
def test_an_unpublished_cohort_is_a_404_for_others(client, draft_cohort, url, who):
    user = people(draft_cohort.programme)[who]
    response = login(client, user).get(reverse(url, kwargs={"slug": draft_cohort.slug}))
    assert response.status_code == 404


@pytest.mark.parametrize("url", PUBLIC_URLS)
@pytest.mark.parametrize("who", ["staff", "superuser"])
def test_the_programme_staff_see_it_before_publication(client, draft_cohort, staff, url, who):
    user = staff if who == "staff" else factories.UserFactory(is_superuser=True)
    response = login(client, user).get(reverse(url, kwargs={"slug": draft_cohort.slug}))
    assert response.status_code == 200
    if url == "cohorts:detail":
        assert "Cette promotion n'est pas publiée" in response.content.decode()


@pytest.mark.parametrize("url", PUBLIC_URLS)
@pytest.mark.parametrize("who", ["visitor", "agent", "coach", "other staff"])
def test_a_published_cohort_is_public(client, draft_cohort, url, who):
    Cohort.objects.filter(pk=draft_cohort.pk).update(published_at="2023-10-01T10:00Z")
    user = people(draft_cohort.programme)[who]
    response = login(client, user).get(reverse(url, kwargs={"slug": draft_cohort.slug}))
    assert response.status_code == 200


def test_the_index_lists_published_cohorts_only(client, draft_cohort):
    factories.CohortFactory(label="EIG 2", slug="eig-2")
    html = client.get(reverse("cohorts:index")).content.decode()
    assert "EIG 2" in html
    assert "FAST 13" not in html


@pytest.fixture
def published(programme):
    cohort = factories.CohortFactory(programme=programme, label="FAST 13", slug="fast-13")
    person = factories.UserFactory(
        first_name="Aurélie", last_name="Secret", email="aurelie.secret@exemple.gouv.fr"
    )
    factories.LaureateFactory(
        cohort=cohort,
        name="Réfugiés.info",
        mission='=HYPERLINK("http://malveillant.example")',
        intrapreneur=person,
        funding_granted=Decimal("255000"),
    )
    shown = factories.UserFactory(first_name="Émile", last_name="Public")
    factories.LaureateFactory(
        cohort=cohort,
        name="@DossierFacile",
        mission="-Remettre la confiance entre propriétaires et locataires.",
        intrapreneur=shown,
        intrapreneur_public=True,
        host_structure=factories.StructureFactory(name="Ministère du Logement"),
    )
    return cohort


def test_open_data_carries_public_fields_only(client, published):
    body = client.get(reverse("cohorts:json", kwargs={"slug": "fast-13"}))
    assert body["Content-Type"] == "application/json; charset=utf-8"
    text = body.content.decode("utf-8")
    assert "Réfugiés.info" in text  # UTF-8, not \u escapes
    data = json.loads(text)
    assert data["promotion"] == "fast-13"
    rows = {row["nom"]: row for row in data["laureats"]}
    assert set(rows["Réfugiés.info"]) == {
        "identifiant", "promotion", "promotion_libelle", "programme", "debut", "fin", "nom",
        "mission", "phase", "structure_accueil", "siret_structure_accueil",
        "financement_accorde_eur", "intrapreneur",
    }  # fmt: skip
    assert rows["Réfugiés.info"]["financement_accorde_eur"] == 255000
    assert rows["Réfugiés.info"]["intrapreneur"] == ""
    assert rows["@DossierFacile"]["intrapreneur"] == "Émile Public"
    assert rows["@DossierFacile"]["structure_accueil"] == "Ministère du Logement"
    for leak in ("aurelie.secret", "Secret", "@exemple.gouv.fr", "Aurélie"):
        assert leak not in text
    page = client.get(reverse("cohorts:detail", kwargs={"slug": "fast-13"})).content.decode()
    assert "Émile Public" in page
    assert "Secret" not in page
    assert "aurelie.secret" not in page


def test_the_csv_is_streamed_utf8_and_neutralises_formulas(client, published):
    response = client.get(reverse("cohorts:csv", kwargs={"slug": "fast-13"}))
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    raw = b"".join(response.streaming_content)
    text = raw.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    by_name = {row["nom"]: row for row in rows}
    assert set(by_name) == {"Réfugiés.info", "'@DossierFacile"}
    assert by_name["Réfugiés.info"]["mission"].startswith("'=HYPERLINK")
    assert by_name["'@DossierFacile"]["mission"].startswith("'-Remettre")
    assert by_name["Réfugiés.info"]["financement_accorde_eur"] == "255000"
    assert "aurelie.secret" not in text
    assert "Secret" not in text


def test_the_funnel_of_the_call_is_drawn_with_a_table(client, programme):
    call = factories.CallFactory(programme=programme, edition="Fabrique numérique 2017")
    states = (
        [ProposalState.SELECTED] * 3
        + [ProposalState.NOT_SELECTED] * 2
        + [ProposalState.NOT_SHORTLISTED] * 4
        + [ProposalState.INELIGIBLE] * 1
        + [ProposalState.DRAFT, ProposalState.WITHDRAWN]
    )
    cohort = factories.CohortFactory(programme=programme, slug="fn-2018")
    for n, state in enumerate(states):
        proposal = factories.ProposalFactory(call=call, state=state)
        if state == ProposalState.SELECTED:
            factories.LaureateFactory(cohort=cohort, proposal=proposal, name=f"L{n}")
    html = client.get(reverse("cohorts:detail", kwargs={"slug": "fn-2018"})).content.decode()
    assert "<svg" in html
    assert 'role="img"' in html
    assert "10 déposées, 9 recevables, 5 auditionnées, 3 lauréates" in html
    for key, count in (("submitted", 10), ("eligible", 9), ("auditioned", 5), ("selected", 3)):
        assert f'<td data-step="{key}">{count}</td>' in html
    assert "<script" not in html.split('id="content"')[-1].split("</main>")[0]


@pytest.mark.parametrize("size", [5, 50])
def test_the_public_page_runs_a_fixed_number_of_queries(client, programme, size):
    call = factories.CallFactory(programme=programme)
    cohort = factories.CohortFactory(programme=programme, slug="grande")
    for n in range(size):
        proposal = factories.ProposalFactory(call=call, state=ProposalState.SELECTED)
        factories.LaureateFactory(
            cohort=cohort, proposal=proposal, name=f"Startup {n}", intrapreneur_public=True
        )
    url = reverse("cohorts:detail", kwargs={"slug": "grande"})
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('<th scope="row">Startup ') == size
    # The cohort, the calls it was selected by, the count and the page of its laureates, the
    # funnel, the open data's last update, and the DSFR site settings of the layout.
    assert len(queries) == 7, "\n".join(q["sql"][:90] for q in queries.captured_queries)


def test_a_large_promotion_is_listed_a_hundred_a_page(client, programme):
    cohort = factories.CohortFactory(programme=programme, slug="nationale")
    factories.LaureateFactory.create_batch(
        130, cohort=cohort, name=factory.Sequence(lambda n: f"Startup {n:03d}")
    )
    url = reverse("cohorts:detail", kwargs={"slug": "nationale"})
    first = client.get(url).content.decode()
    assert "130 lauréats" in first
    assert first.count('<th scope="row">Startup ') == 100
    assert "Page 1 sur 2" in first
    second = client.get(url, {"page": 2}).content.decode()
    assert second.count('<th scope="row">Startup ') == 30
    rows = client.get(reverse("cohorts:csv", kwargs={"slug": "nationale"}))
    assert b"".join(rows.streaming_content).decode("utf-8-sig").count("Startup ") == 130


def test_the_programme_page_shows_figures_from_data(client, programme):
    fast = factories.CohortFactory(programme=programme)
    factories.LaureateFactory(cohort=fast, funding_granted=Decimal("300000"))
    factories.LaureateFactory(cohort=fast, funding_granted=Decimal("250000"), phase=Phase.PERMANENT)
    factories.LaureateFactory(cohort=factories.CohortFactory(programme=programme))
    hidden = factories.CohortFactory(programme=programme, published_at=None)
    factories.LaureateFactory(cohort=hidden, funding_granted=Decimal("100000"))
    factories.LaureateFactory(funding_granted=Decimal("1000"))  # another programme
    response = client.get(reverse("programme-detail", kwargs={"slug": programme.slug}))
    figures = response.context["figures"]
    assert figures == {"cohorts": 2, "laureates": 3, "funding": Decimal("550000"), "permanent": 1}
    html = response.content.decode()
    assert "550\xa0000 €" in html.replace("\u202f", "\xa0").replace(" 000", "\xa0000")
    assert "<p>lauréat pérennisé</p>" in html


# --- the staff's desk --------------------------------------------------------------------------


STAFF_PAGES = [
    ("cohorts:manage", lambda c: {"slug": c.slug}),
    ("cohorts:laureate-edit", lambda c: {"slug": c.slug, "pk": c.laureates.get().pk}),
]


@pytest.mark.parametrize(("url", "kwargs"), STAFF_PAGES)
@pytest.mark.parametrize("who", ["visitor", "agent", "coach", "other staff"])
def test_the_staff_desk_is_refused_to_others(client, draft_cohort, url, kwargs, who):
    user = people(draft_cohort.programme)[who]
    response = login(client, user).get(reverse(url, kwargs=kwargs(draft_cohort)))
    # A visitor is sent to sign in; signed-in people without the role are refused.
    assert response.status_code == (302 if who == "visitor" else 403)


@pytest.mark.parametrize(("url", "kwargs"), STAFF_PAGES)
@pytest.mark.parametrize("who", ["staff", "superuser"])
def test_the_staff_desk_opens_for_the_programme_staff(
    client, draft_cohort, staff, url, kwargs, who
):
    user = staff if who == "staff" else factories.UserFactory(is_superuser=True)
    response = login(client, user).get(reverse(url, kwargs=kwargs(draft_cohort)))
    assert response.status_code == 200
    assert "Mobilic" in response.content.decode()


@pytest.mark.parametrize("who", ["visitor", "agent", "coach", "other staff"])
def test_forming_a_cohort_is_refused_to_others(client, programme, who):
    user = people(programme)[who]
    response = login(client, user).get(reverse("cohorts:create", args=[programme.slug]))
    assert response.status_code == (302 if who == "visitor" else 403)


def test_staff_form_then_publish_a_cohort(client, programme, staff):
    call = factories.CallFactory(programme=programme, edition="FAST 13")
    chosen = factories.ProposalFactory(call=call, title="Mobilic", state=ProposalState.SELECTED)
    factories.ProposalFactory(call=call, title="Recalée", state=ProposalState.NOT_SELECTED)
    login(client, staff)
    url = reverse("cohorts:create", args=[programme.slug])
    page = client.get(url).content.decode()
    assert "Mobilic (FAST 13)" in page
    assert "Recalée" not in page
    response = client.post(
        url, {"label": "FAST 13", "starts_on": "2023-08-31", "proposals": [chosen.pk]}
    )
    assert response.status_code == 302
    cohort = Cohort.objects.get(slug="fast-13")
    assert cohort.ends_on == date(2024, 2, 29)
    assert response["Location"] == reverse("cohorts:manage", kwargs={"slug": "fast-13"})
    # Not public yet.
    client.logout()
    assert client.get(reverse("cohorts:detail", kwargs={"slug": "fast-13"})).status_code == 404
    login(client, staff)
    client.post(reverse("cohorts:publication", kwargs={"slug": "fast-13"}), {"action": "publish"})
    client.logout()
    page = client.get(reverse("cohorts:detail", kwargs={"slug": "fast-13"}))
    assert page.status_code == 200
    assert "Mobilic" in page.content.decode()
    assert AuditEntry.objects.filter(action="cohort.publish").exists()


@pytest.mark.parametrize("who", ["visitor", "agent", "coach", "other staff"])
def test_publishing_is_refused_to_others(client, draft_cohort, who):
    user = people(draft_cohort.programme)[who]
    login(client, user)
    response = client.post(reverse("cohorts:publication", kwargs={"slug": draft_cohort.slug}))
    assert response.status_code == (302 if who == "visitor" else 403)
    draft_cohort.refresh_from_db()
    assert draft_cohort.published_at is None


def test_an_invalid_cohort_form_says_why(client, programme, staff):
    login(client, staff)
    response = client.post(
        reverse("cohorts:create", args=[programme.slug]),
        {"label": "FAST 13", "starts_on": "2023-08-31", "ends_on": "2023-08-01"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "La fin doit venir après le début." in html
    assert not Cohort.objects.exists()


def test_staff_edit_a_laureate(client, draft_cohort, staff):
    coach = factories.CoachFactory(programme=draft_cohort.programme)
    mentor = factories.CoachFactory(programme=draft_cohort.programme)
    laureate = draft_cohort.laureates.get()
    login(client, staff)
    url = reverse("cohorts:laureate-edit", kwargs={"slug": draft_cohort.slug, "pk": laureate.pk})
    response = client.post(
        url,
        {
            "name": "Mobilic",
            "mission": "Simplifier le suivi du temps de travail des travailleurs mobiles.",
            "phase": Phase.ACCELERATION,
            "coach": coach.pk,
            "mentors": [coach.pk, mentor.pk],
            "intrapreneur_public": "on",
        },
    )
    assert response.status_code == 302
    laureate.refresh_from_db()
    assert laureate.phase == Phase.ACCELERATION
    assert laureate.coach == coach
    assert set(laureate.mentors.all()) == {coach, mentor}
    assert "mentors" in AuditEntry.objects.get(action="laureate.update").reason
    assert laureate.intrapreneur_public
    assert set(AuditEntry.objects.values_list("action", flat=True)) == {
        "laureate.update",
        "laureate.phase",
    }
    # No funding call behind this laureate: no amount (tests/cohorts/test_cohort_findings.py
    # checks the call's rules).
    refused = client.post(url, {"name": "Mobilic", "mission": "x", "phase": Phase.ACCELERATION,
                                "funding_granted": "1000", "funding_reason": "Erreur"})  # fmt: skip
    assert refused.status_code == 200
    assert "appel qui finance" in refused.content.decode()
    assert Laureate.objects.get(pk=laureate.pk).funding_granted is None


def test_the_programme_desk_links_to_its_cohorts(client, draft_cohort, staff):
    login(client, staff)
    html = client.get(
        reverse("programme-manage", kwargs={"slug": draft_cohort.programme.slug})
    ).content.decode()
    assert "Former une promotion" in html
    assert reverse("cohorts:manage", kwargs={"slug": draft_cohort.slug}) in html


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_index_and_the_staff_desk_run_fixed_queries_at_two_sizes(client, programme, staff):
    def grow(n):
        for _ in range(n):
            cohort = factories.CohortFactory(programme=programme)
            factories.LaureateFactory(cohort=cohort)
        desk = factories.CohortFactory(programme=programme, slug=f"desk-{n}")
        for _ in range(n):
            factories.LaureateFactory(cohort=desk, coach=factories.CoachFactory(programme))
        return desk

    small, large = grow(3), grow(30)
    assert _count_queries(client, reverse("cohorts:index")) == 2  # the cohorts, DSFR settings
    login(client, staff)
    counts = {
        _count_queries(client, reverse("cohorts:manage", kwargs={"slug": desk.slug}))
        for desk in (small, large)
    }
    assert len(counts) == 1


def test_the_staff_desk_pages_a_large_promotion_by_name_without_gap_or_duplicate(
    client, programme, staff
):
    import re

    desk = factories.CohortFactory(programme=programme, slug="nationale")
    # 230 laureates under 4 names: the pages end in the middle of a run of equal names.
    laureates = factories.LaureateFactory.create_batch(
        230, cohort=desk, name=factory.Sequence(lambda n: f"Startup {n % 4}")
    )
    login(client, staff)
    url = reverse("cohorts:manage", kwargs={"slug": desk.slug})
    seen, link, sizes = [], "", []
    while link is not None:
        html = client.get(url + link).content.decode()
        ids = re.findall(r"/laureats/(\d+)/modifier/", html)
        seen += ids
        sizes.append(len(ids))
        found = re.search(r'href="(\?[^"]*apres=[^"]*)">Lauréats suivants', html)
        link = found.group(1).replace("&amp;", "&") if found else None
    assert sizes == [100, 100, 30]
    assert sorted(map(int, seen)) == sorted(laureate.pk for laureate in laureates)
    assert "Lauréats 201 à 230" in html


def test_a_superuser_forms_and_publishes_too(client, programme):
    chosen = factories.ProposalFactory(
        call=factories.CallFactory(programme=programme), state=ProposalState.SELECTED
    )
    login(client, factories.UserFactory(is_superuser=True))
    assert client.get(reverse("cohorts:create", args=[programme.slug])).status_code == 200
    client.post(
        reverse("cohorts:create", args=[programme.slug]),
        {
            "label": "Promo 1",
            "slug": "promo-1",
            "starts_on": "2024-01-31",
            "proposals": [chosen.pk],
        },
    )
    cohort = Cohort.objects.get(slug="promo-1")
    assert cohort.ends_on == date(2024, 7, 31)
    client.post(reverse("cohorts:publication", kwargs={"slug": "promo-1"}), {"action": "publish"})
    cohort.refresh_from_db()
    assert cohort.is_published
    client.post(reverse("cohorts:publication", kwargs={"slug": "promo-1"}), {"action": "unpublish"})
    cohort.refresh_from_db()
    assert not cohort.is_published


def test_the_index_is_public_to_everyone(client, draft_cohort):
    factories.CohortFactory(label="EIG 2", slug="eig-2")
    for who, user in people(draft_cohort.programme).items():
        login(client, user)
        assert "EIG 2" in client.get(reverse("cohorts:index")).content.decode(), who


@pytest.mark.parametrize("size", [2, 12])
def test_the_programme_page_shows_its_funnel_over_the_years(client, programme, size):
    for n in range(size):
        call = factories.CallFactory(programme=programme)
        cohort = factories.CohortFactory(
            programme=programme, label=f"Promotion {2000 + n}", starts_on=date(2000 + n, 1, 1)
        )
        for state in [ProposalState.SUBMITTED] * 3 + [ProposalState.NOT_SELECTED]:
            factories.ProposalFactory(call=call, state=state)
        proposal = factories.ProposalFactory(call=call, state=ProposalState.SELECTED)
        factories.LaureateFactory(cohort=cohort, proposal=proposal)
    # Selected before the portal: the published figures.
    old = factories.CohortFactory(
        programme=programme, label="EIG 2", starts_on=date(1999, 1, 15),
        funnel_candidates=200, funnel_selected=28,
    )  # fmt: skip
    factories.LaureateFactory(cohort=old)
    url = reverse("programme-detail", kwargs={"slug": programme.slug})
    with CaptureQueriesContext(connection) as queries:
        html = client.get(url).content.decode()
    rows = html.split("programme-funnels-caption", 1)[1].split("</tbody>")[0].split("<tr>")[2:]
    assert len(rows) == size + 1
    assert "EIG 2" in rows[0]
    assert "<td>200</td>" in rows[0]
    assert "Promotion 2000" in rows[1]
    assert "<td>5</td>" in rows[1]  # 3 submitted, 1 not selected, 1 selected
    # Programme, the published cohorts' state (the fragment's key), site config, figures (2),
    # promotions, calls; once the fragment is cached, the figures and promotions are not read.
    assert len(queries) == 7, "\n".join(q["sql"][:90] for q in queries.captured_queries)
    with CaptureQueriesContext(connection) as again:
        cached = client.get(url).content.decode()
    assert len(again) == 4

    def figures(page):
        return page.split("En chiffres", 1)[1].split("</tbody>")[0]

    assert figures(cached) == figures(html)
