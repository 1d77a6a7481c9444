"""The follow-up pages: who sees and does what, the staff dashboard (late first, filters,
exports, fixed queries), the team's report form and timeline, the coach's comment, the
staff's milestone actions and the final committee."""

import csv
import io
from datetime import date, timedelta

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts.enums import MilestoneKind, Phase, ReportStatus
from cohorts.models import Milestone, Report
from cohorts.services import followup, lateness
from programme.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db


def login(client, user):
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def cohort(programme):
    # Started four months ago: reports 1 to 3 are due, the 4th is due today or just passed.
    start = timezone.localdate() - timedelta(days=100)
    return factories.CohortFactory(programme=programme, slug="fast-13", starts_on=start)


@pytest.fixture
def laureate(cohort):
    laureate = factories.LaureateFactory(
        cohort=cohort, name="Mobilic", coach=factories.CoachFactory(programme=cohort.programme)
    )
    laureate.members.add(factories.UserFactory())
    followup.write_milestones(cohort, now=timezone.now())
    return laureate


def first_report(laureate) -> Milestone:
    return laureate.milestones.get(kind=MilestoneKind.REPORT, number=1)


def people(laureate, staff=None):
    programme = laureate.cohort.programme
    return {
        "visitor": None,
        "agent": factories.UserFactory(),
        "team": laureate.intrapreneur,
        "member": laureate.members.get(),
        "coach": laureate.coach,
        "other coach": factories.CoachFactory(programme=programme),
        "other staff": factories.StaffFactory(),
        "staff": staff or factories.StaffFactory(programme=programme),
        "superuser": factories.UserFactory(is_superuser=True),
    }


def pages(laureate):
    slug = laureate.cohort.slug
    report = first_report(laureate)
    review = laureate.milestones.get(kind=MilestoneKind.MIDTERM)
    return {
        "followup": reverse("cohorts:followup", kwargs={"slug": slug}),
        "timeline": reverse("cohorts:timeline", kwargs={"slug": slug, "pk": laureate.pk}),
        "report": reverse("cohorts:report", kwargs={"slug": slug, "pk": report.pk}),
        "review": reverse("cohorts:milestone-review", kwargs={"slug": slug, "pk": review.pk}),
    }


# Who may open each page (GET): the others get a 403, a visitor the sign-in page.
ALLOWED = {
    "followup": {"staff", "superuser"},
    "timeline": {"team", "member", "coach", "staff", "superuser"},
    "report": {"team", "member", "coach", "staff", "superuser"},
    "review": {"staff", "superuser"},
}
WHO = ["visitor", "agent", "team", "member", "coach", "other coach", "other staff", "staff",
       "superuser"]  # fmt: skip


@pytest.mark.parametrize("page", list(ALLOWED))
@pytest.mark.parametrize("who", WHO)
def test_each_page_opens_for_its_roles_only(client, laureate, page, who):
    url = pages(laureate)[page]
    response = login(client, people(laureate)[who]).get(url)
    if who == "visitor":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    elif who in ALLOWED[page]:
        assert response.status_code == 200
    else:
        assert response.status_code == 403


POSTS = {
    # name: (url builder, data, roles allowed)
    "followup-start": (
        lambda lau: reverse("cohorts:followup-start", kwargs={"slug": lau.cohort.slug}),
        {},
        {"staff", "superuser"},
    ),
    "milestone-add": (
        lambda lau: reverse(
            "cohorts:milestone-add", kwargs={"slug": lau.cohort.slug, "pk": lau.pk}
        ),
        {"title": "Démo", "due_on": "2030-01-01"},
        {"staff", "superuser"},
    ),
    "milestone-skip": (
        lambda lau: reverse(
            "cohorts:milestone-skip", kwargs={"slug": lau.cohort.slug, "pk": first_report(lau).pk}
        ),
        {"reason": "Congés"},
        {"staff", "superuser"},
    ),
    "report-comment": (
        lambda lau: reverse(
            "cohorts:report-comment", kwargs={"slug": lau.cohort.slug, "pk": first_report(lau).pk}
        ),
        {"text": "Bravo"},
        {"coach", "staff", "superuser"},
    ),
}


@pytest.mark.parametrize("action", list(POSTS))
@pytest.mark.parametrize("who", ["visitor", "agent", "team", "other coach", "other staff"])
def test_each_action_is_refused_to_other_roles(client, laureate, action, who):
    url, data, allowed = POSTS[action]
    assert who not in allowed
    Report.objects.create(
        milestone=first_report(laureate),
        period_start=date(2020, 1, 1),
        period_end=date(2020, 1, 31),
        status=ReportStatus.ON_TRACK,
        submitted_at=timezone.now(),
        updated_at=timezone.now(),
    )
    response = login(client, people(laureate)[who]).post(url(laureate), data)
    assert response.status_code == (302 if who == "visitor" else 403)
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("who", ["coach", "staff", "other staff", "agent"])
def test_only_the_team_writes_its_report(client, laureate, who):
    url = pages(laureate)["report"]
    response = login(client, people(laureate)[who]).post(url, {"results": "Intrus"})
    assert response.status_code == 403
    assert not Report.objects.exists()


# --- The team ----------------------------------------------------------------------------------


def test_the_team_sees_its_timeline_and_what_is_due_next(client, laureate):
    response = login(client, laureate.intrapreneur).get(pages(laureate)["timeline"])
    html = response.content.decode()
    assert "À faire ensuite" in html
    assert "Point d&#x27;étape n°1 : attendu le" in html
    assert "en retard" in html
    assert "Rédiger le point d'étape" in html
    assert "Écarter" not in html  # staff's actions only


def test_the_dashboard_links_the_team_to_its_timeline(client, laureate):
    html = login(client, laureate.members.get()).get(reverse("dashboard")).content.decode()
    assert "Mon suivi de lauréat" in html
    assert pages(laureate)["timeline"] in html


def test_the_coach_finds_the_laureates_on_the_dashboard(client, laureate):
    html = login(client, laureate.coach).get(reverse("dashboard")).content.decode()
    assert "Lauréats que j&#x27;accompagne" in html or "Lauréats que j'accompagne" in html
    assert pages(laureate)["timeline"] in html


def test_the_header_links_to_the_cohorts(client):
    html = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("cohorts:index")}"' in html
    assert ">Promotions</a>" in html


def test_the_team_saves_a_draft_then_files_its_report(client, laureate):
    indicator = factories.IndicatorFactory(programme=laureate.cohort.programme, label="Usagers")
    milestone = first_report(laureate)
    url = pages(laureate)["report"]
    login(client, laureate.intrapreneur)
    page = client.get(url).content.decode()
    assert "Usagers (usagers)" in page
    assert milestone.period_start.isoformat() in page
    data = {
        "period_start": milestone.period_start.isoformat(),
        "period_end": milestone.period_end.isoformat(),
        "results": "200 transporteurs inscrits.",
        f"indicator_{indicator.pk}": "200",
        "save_draft": "Enregistrer le brouillon",
    }
    assert client.post(url, data).status_code == 302
    # Filing without next steps nor status says what is missing and keeps the draft.
    response = client.post(url, {**data, "submit_report": "Déposer"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Indiquez les prochaines étapes pour déposer le point d&#x27;étape." in page
    assert "Choisissez l&#x27;état du projet pour déposer le point d&#x27;étape." in page
    assert Report.objects.get().results == "200 transporteurs inscrits."
    data.update(next_steps="Ouvrir aux PME.", status=ReportStatus.AT_RISK, blockers="Budget")
    response = client.post(url, {**data, "submit_report": "Déposer"})
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.is_submitted
    assert report.values.get().value == 200
    milestone.refresh_from_db()
    assert milestone.done_at is not None
    # Filed: read-only, and a later post changes nothing.
    page = client.get(url).content.decode()
    assert "Déposé le" in page
    assert "À risque" in page
    assert 'name="results"' not in page
    client.post(url, {**data, "results": "Changé", "save_draft": "x"})
    assert Report.objects.get().results == "200 transporteurs inscrits."


def test_the_coach_comments_a_filed_report(client, laureate):
    milestone = first_report(laureate)
    followup.save_report(
        milestone,
        data={"results": "Fait.", "next_steps": "Suite.", "status": ReportStatus.ON_TRACK},
        values={},
        by=laureate.intrapreneur,
        now=timezone.now(),
    )
    followup.submit_report(milestone, by=laureate.intrapreneur, now=timezone.now())
    login(client, laureate.coach)
    page = client.get(pages(laureate)["report"]).content.decode()
    assert "Enregistrer le commentaire" in page
    url = reverse("cohorts:report-comment", kwargs={"slug": "fast-13", "pk": milestone.pk})
    assert client.post(url, {"text": "Très clair, merci."}).status_code == 302
    login(client, laureate.intrapreneur)
    page = client.get(pages(laureate)["report"]).content.decode()
    assert "Très clair, merci." in page
    assert "Enregistrer le commentaire" not in page


# --- Staff -------------------------------------------------------------------------------------


def test_staff_skip_add_and_hold_the_review_from_the_timeline(client, laureate, staff):
    login(client, staff)
    slug = laureate.cohort.slug
    milestone = first_report(laureate)
    skip = reverse("cohorts:milestone-skip", kwargs={"slug": slug, "pk": milestone.pk})
    client.post(skip, {"reason": ""})
    milestone.refresh_from_db()
    assert milestone.skipped_at is None
    client.post(skip, {"reason": "Lancement décalé"})
    milestone.refresh_from_db()
    assert milestone.skip_reason == "Lancement décalé"
    add = reverse("cohorts:milestone-add", kwargs={"slug": slug, "pk": laureate.pk})
    client.post(add, {"title": "Démo aux usagers", "due_on": "2030-01-15"})
    assert laureate.milestones.filter(kind=MilestoneKind.ADHOC, title="Démo aux usagers").exists()
    html = client.get(pages(laureate)["timeline"]).content.decode()
    assert "Lancement décalé" in html
    assert "Démo aux usagers" in html
    assert "Rétablir" in html
    response = client.post(pages(laureate)["review"], {"notes": "Cap maintenu."})
    assert response.status_code == 302
    assert laureate.milestones.get(kind=MilestoneKind.MIDTERM).notes == "Cap maintenu."


def test_staff_record_the_final_committee(client, laureate, staff):
    committee = laureate.milestones.get(kind=MilestoneKind.FINAL)
    url = reverse("cohorts:milestone-review", kwargs={"slug": "fast-13", "pk": committee.pk})
    login(client, staff)
    response = client.post(url, {"outcome": "continue", "reasons": "Encore un an."})
    assert "Choisissez la phase" in response.content.decode()
    response = client.post(
        url, {"outcome": "continue", "next_phase": Phase.ACCELERATION, "reasons": "Encore un an."}
    )
    assert response.status_code == 302
    laureate.refresh_from_db()
    assert laureate.phase == Phase.ACCELERATION
    page = client.get(url).content.decode()
    assert "Poursuit dans une nouvelle phase" in page
    assert "Encore un an." in page


def _late_cohort(programme, slug, size):
    """A cohort of `size` laureates; the n-th has filed its first n reports."""
    start = timezone.localdate() - timedelta(days=130)
    cohort = factories.CohortFactory(programme=programme, slug=slug, starts_on=start)
    for n in range(size):
        laureate = factories.LaureateFactory(
            cohort=cohort, name=f"Startup {n:02d}", coach=factories.CoachFactory(programme)
        )
        laureate.members.add(factories.UserFactory())
    followup.write_milestones(cohort, now=timezone.now())
    Milestone.objects.filter(laureate__cohort=cohort, kind=MilestoneKind.MIDTERM).update(
        done_at=timezone.now(), notes="Tenue."
    )
    for n, laureate in enumerate(cohort.laureates.order_by("name")):
        reports = laureate.milestones.filter(kind=MilestoneKind.REPORT).order_by("number")[:n]
        for milestone in reports:
            Report.objects.create(
                milestone=milestone,
                period_start=milestone.period_start,
                period_end=milestone.period_end,
                status=ReportStatus.AT_RISK if n % 2 else ReportStatus.ON_TRACK,
                submitted_at=timezone.now(),
                updated_at=timezone.now(),
            )
            Milestone.objects.filter(pk=milestone.pk).update(done_at=timezone.now())
    # Written straight to the tables: the stored lateness as the services would keep it.
    lateness.refresh(cohort.laureates.values_list("pk", flat=True), now=timezone.now())
    return cohort


def test_the_dashboard_puts_the_late_first(client, programme, staff):
    cohort = _late_cohort(programme, "retards", 5)
    # Four months passed: Startup 00 has 4 reports late, 01 three, … 04 none.
    response = login(client, staff).get(reverse("cohorts:followup", kwargs={"slug": "retards"}))
    rows = response.context["rows"]
    assert [r.name for r in rows] == [f"Startup {n:02d}" for n in range(5)]
    assert [r.late_count for r in rows] == [4, 3, 2, 1, 0]
    html = response.content.decode()
    assert html.count('class="followup-strip"') == 5
    assert "fr-badge--error" in html
    assert "fr-badge--success" in html
    # Ties are broken by the oldest late due date, then the name.
    first = cohort.laureates.get(name="Startup 04")
    Milestone.objects.filter(laureate=first, kind=MilestoneKind.REPORT, number=1).update(
        done_at=None
    )
    Report.objects.filter(milestone__laureate=first, milestone__number=1).delete()
    lateness.refresh([first.pk], now=timezone.now())
    rows = client.get(reverse("cohorts:followup", kwargs={"slug": "retards"})).context["rows"]
    # Both one report late, Startup 04's since the first month: it comes first.
    assert [(r.name, r.late_count) for r in rows][-2:] == [("Startup 04", 1), ("Startup 03", 1)]


def test_the_dashboard_filters_by_status_and_phase(client, programme, staff):
    cohort = _late_cohort(programme, "filtres", 5)
    cohort.laureates.filter(name="Startup 03").update(phase=Phase.ACCELERATION)
    login(client, staff)
    url = reverse("cohorts:followup", kwargs={"slug": "filtres"})

    def names(**query):
        return [r.name for r in client.get(url, query).context["rows"]]

    assert names(status="up_to_date") == ["Startup 04"]
    assert names(status="late") == [f"Startup {n:02d}" for n in range(4)]
    assert names(phase=Phase.ACCELERATION) == ["Startup 03"]
    assert names(status="at_risk") == ["Startup 01", "Startup 03"]
    assert names(status="on_track") == ["Startup 02", "Startup 04"]
    assert names(status="late", phase=Phase.INVESTIGATION) == ["Startup 00", "Startup 01",
                                                               "Startup 02"]  # fmt: skip


def test_the_dashboard_exports_csv_and_xlsx_without_formulas(client, programme, staff):
    cohort = _late_cohort(programme, "export", 2)
    cohort.laureates.filter(name="Startup 01").update(name="=HYPERLINK(1)")
    login(client, staff)
    url = reverse("cohorts:followup", kwargs={"slug": "export"})
    response = client.get(url, {"export": "csv", "status": "late"})
    assert response["Content-Disposition"] == 'attachment; filename="suivi-export.csv"'
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert lines[0][:3] == ["Lauréat", "Phase", "Intrapreneur"]
    assert [line[0] for line in lines[1:]] == ["Startup 00", "'=HYPERLINK(1)"]
    assert lines[1][5] == "4"  # late milestones
    response = client.get(url, {"export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert cells == ["Lauréat", "Startup 00", "'=HYPERLINK(1)"]


@pytest.mark.parametrize("url", ["cohorts:followup", "cohorts:detail"])
def test_the_dashboard_and_the_public_page_run_fixed_queries_at_two_sizes(
    client, programme, staff, url
):
    small, large = _late_cohort(programme, "petite", 3), _late_cohort(programme, "grande", 30)
    login(client, staff)
    counts = []
    for cohort in (small, large):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(url, kwargs={"slug": cohort.slug}))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    if url == "cohorts:followup":
        # Session, user, the cohort (once, for the permission and the page), roles, a page
        # of laureates (stored lateness), their milestones with reports, the count of the
        # laureates without milestones, and the DSFR settings.
        assert counts[0] == 8, counts


def test_a_cohort_without_milestones_gets_them_from_the_dashboard(client, programme, staff):
    cohort = factories.CohortFactory(programme=programme, slug="ancienne")
    factories.LaureateFactory(cohort=cohort)
    login(client, staff)
    url = reverse("cohorts:followup", kwargs={"slug": "ancienne"})
    assert "Créer les jalons du programme" in client.get(url).content.decode()
    client.post(reverse("cohorts:followup-start", kwargs={"slug": "ancienne"}))
    assert Milestone.objects.filter(laureate__cohort=cohort).count() == 8
    assert "Créer les jalons du programme" not in client.get(url).content.decode()


def test_the_dashboard_pages_by_keyset_late_first_and_keeps_its_filters(
    client, programme, staff, monkeypatch
):
    import re

    from cohorts.views import followup as views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    _late_cohort(programme, "pages", 5)
    login(client, staff)
    url = reverse("cohorts:followup", kwargs={"slug": "pages"})
    seen, address = [], url
    while address:
        response = client.get(address)
        seen += [r.name for r in response.context["rows"]]
        found = re.search(r'href="([^"]+)">Lauréats suivants', response.content.decode())
        address = url + found.group(1).replace("&amp;", "&") if found else None
    assert seen == [f"Startup {n:02d}" for n in range(5)]
    # The filter stays on the next pages.
    response = client.get(url, {"status": "late"})
    found = re.search(r'href="([^"]+)">Lauréats suivants', response.content.decode())
    assert "status=late" in found.group(1)
    rest = client.get(url + found.group(1).replace("&amp;", "&")).context["rows"]
    assert [r.name for r in rest] == ["Startup 02", "Startup 03"]
