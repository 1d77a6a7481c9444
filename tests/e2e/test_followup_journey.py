"""A cohort's life in a browser: staff form it from the selected proposals and publish it, a
visitor reads the list and downloads the CSV, the laureate's team files its first report, and
staff see it on the follow-up dashboard. Each page passes axe-core."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cohorts.models import Cohort, Report
from projects.enums import ProposalState
from tests.factories import (
    PASSWORD,
    CallFactory,
    IndicatorFactory,
    ProgrammeFactory,
    ProposalFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def selected(transactional_db):
    programme = ProgrammeFactory(name="FAST", slug="fast", reference_prefix="FAST")
    IndicatorFactory(programme=programme, label="Usagers touchés", unit="usagers")
    call = CallFactory(programme=programme, edition="FAST 13", slug="fast-13-appel")
    lead = UserFactory(first_name="Camille", last_name="Lefèvre")
    ProposalFactory(
        call=call,
        title="Mobilic",
        summary="Simplifier le suivi du temps de travail des travailleurs mobiles.",
        state=ProposalState.SELECTED,
        created_by=lead,
    )
    ProposalFactory(call=call, title="Recalée", state=ProposalState.NOT_SELECTED)
    staff = StaffFactory(programme=programme, user__first_name="Claire", user__last_name="Fontaine")
    return {"programme": programme, "lead": lead, "staff": staff}


def sign_out(page):
    page.context.clear_cookies()


def test_a_cohort_from_forming_to_its_first_report(page, sign_in, assert_accessible, selected):
    # Staff form the cohort from the selected proposals; it started 40 days ago.
    sign_in(page, selected["staff"].email, PASSWORD)
    page.goto("/cohortes/former/fast/")
    expect(page.get_by_role("heading", level=1, name="Former une promotion")).to_be_visible()
    expect(page.get_by_role("main")).not_to_contain_text("Recalée")
    assert_accessible(page)
    page.get_by_label("Libellé", exact=False).first.fill("FAST 13")
    start = timezone.localdate() - timedelta(days=40)
    page.get_by_label("Début du suivi").fill(start.isoformat())
    page.get_by_label("Mobilic (FAST 13)").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Former la promotion").click()
    expect(page.get_by_role("status")).to_contain_text("La promotion FAST 13 est formée.")
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Publier la liste des lauréats").click()
    expect(page.get_by_role("status")).to_contain_text("La liste des lauréats est publiée.")
    assert Cohort.objects.get(slug="fast-13").is_published

    # A visitor finds the cohort from the header and downloads its CSV.
    sign_out(page)
    page.goto("/")
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Promotions"
    ).click()
    expect(page.get_by_role("heading", level=1, name="Promotions de lauréats")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="FAST 13").first.click()
    expect(page.get_by_role("table", name="Lauréats de la promotion FAST 13")).to_contain_text(
        "Mobilic"
    )
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger la liste des lauréats").click()
    assert download.value.suggested_filename == "laureats-fast-13.csv"
    with open(download.value.path(), encoding="utf-8-sig") as content:
        assert "Mobilic" in content.read()

    # The team goes from its space to its timeline and files the first report.
    sign_in(page, selected["lead"].email, PASSWORD)
    page.get_by_role("link", name="Frise de suivi de Mobilic").click()
    expect(page.get_by_role("heading", level=1, name="Suivi de Mobilic")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Point d'étape n°1 : attendu le")
    assert_accessible(page)
    page.get_by_role("link", name="Rédiger le point d'étape").click()
    assert_accessible(page)
    page.get_by_label("Usagers touchés (usagers)").fill("120")
    page.get_by_label("Résultats du mois").fill("120 transporteurs inscrits.")
    with page.expect_navigation():
        page.get_by_role("button", name="Déposer le point d'étape").click()
    # Each missing field says so next to it; what was typed is kept.
    expect(page.get_by_role("main")).to_contain_text(
        "Indiquez les prochaines étapes pour déposer le point d'étape."
    )
    expect(page.get_by_role("main")).to_contain_text(
        "Choisissez l'état du projet pour déposer le point d'étape."
    )
    expect(page.get_by_label("Résultats du mois")).to_have_value("120 transporteurs inscrits.")
    assert_accessible(page)
    page.get_by_label("Prochaines étapes").fill("Ouvrir aux PME.")
    page.get_by_label("État du projet").select_option(label="À risque")
    with page.expect_navigation():
        page.get_by_role("button", name="Déposer le point d'étape").click()
    expect(page.get_by_role("status")).to_contain_text("Point d'étape déposé.")
    report = Report.objects.get()
    assert report.is_submitted
    assert report.values.get().value == 120

    # Staff see it on the cohort's dashboard.
    sign_out(page)
    sign_in(page, selected["staff"].email, PASSWORD)
    page.goto("/cohortes/fast-13/suivi/")
    row = page.get_by_role("row").filter(has_text="Mobilic")
    expect(row).to_contain_text("Point d'étape n°1, ")
    expect(row).to_contain_text("Fait")
    expect(row).to_contain_text("À risque")
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Exporter en XLSX").click()
    assert download.value.suggested_filename == "suivi-fast-13.xlsx"
