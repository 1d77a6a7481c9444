"""The demo cohorts after `seed_demo`: FAST 13's open data, the FN funnel, EIG 2, idempotence."""

import json
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from cohorts.enums import Phase
from cohorts.models import Cohort, Laureate
from projects.models import Proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(demo):
    """The demo (seeded once per session, copied into each test's transaction)."""
    return None


def test_the_published_cohorts_and_nothing_twice(seeded):
    # (The Val d'Oise promotion followed up today is in test_current_demo.py.)
    cohorts = {c.slug: c for c in Cohort.objects.exclude(slug="val-d-oise-en-cours")}
    assert set(cohorts) == {"fabrique-numerique-2018", "fast-13", "eig-2", "eig-4"}
    assert all(c.is_published for c in cohorts.values())
    assert cohorts["fabrique-numerique-2018"].starts_on == date(2018, 1, 26)
    assert cohorts["fabrique-numerique-2018"].ends_on == date(2018, 7, 26)
    eig = cohorts["eig-2"]
    assert (
        eig.ends_on.year - eig.starts_on.year
    ) * 12 + eig.ends_on.month - eig.starts_on.month == 10
    counts = {slug: c.laureates.count() for slug, c in cohorts.items()}
    assert counts == {"fabrique-numerique-2018": 7, "fast-13": 10, "eig-2": 28, "eig-4": 0}


def test_fast_13_open_data_lists_ten_laureates_summing_to_2_55_million(client, seeded):
    response = client.get(reverse("cohorts:json", kwargs={"slug": "fast-13"}))
    assert response.status_code == 200
    rows = json.loads(response.content)["laureats"]
    assert len(rows) == 10
    names = {row["nom"] for row in rows}
    assert {"A-Just", "Réfugiés.info", "Ma Cantine", "Mobilic", "DossierFacile"} <= names
    amounts = [row["financement_accorde_eur"] for row in rows]
    assert sum(amounts) == 2_550_000
    assert max(amounts) <= 300_000
    mobilic = next(row for row in rows if row["nom"] == "Mobilic")
    assert mobilic["mission"] == (
        "Simplifier le suivi et le respect du temps de travail des travailleurs mobiles."
    )
    assert all(row["intrapreneur"] == "" for row in rows)
    assert "@" not in response.content.decode()


def test_the_fabrique_page_shows_the_funnel_50_12_7(client, seeded):
    html = client.get(
        reverse("cohorts:detail", kwargs={"slug": "fabrique-numerique-2018"})
    ).content.decode()
    assert "50 déposées, 50 recevables, 12 auditionnées, 7 lauréates" in html
    for key, count in (("submitted", 50), ("auditioned", 12), ("selected", 7)):
        assert f'<td data-step="{key}">{count}</td>' in html
    assert "Aides-territoires" in html
    fn = Proposal.objects.filter(call__slug="fabrique-numerique-2017")
    assert fn.filter(state="selected").count() == 7
    laureates = Laureate.objects.filter(cohort__slug="fabrique-numerique-2018")
    assert laureates.filter(proposal__isnull=False).count() == 7
    assert all(laureate.members.count() >= 2 for laureate in laureates)


def test_programme_pages_count_from_the_demo(client, seeded):
    fast = client.get(reverse("programme-detail", kwargs={"slug": "fast"})).context["figures"]
    assert fast == {"cohorts": 1, "laureates": 10, "funding": Decimal("2550000"), "permanent": 0}
    fn = client.get(reverse("programme-detail", kwargs={"slug": "fabrique-numerique"}))
    permanent = Laureate.objects.filter(
        cohort__slug="fabrique-numerique-2018", phase=Phase.PERMANENT
    ).count()
    assert fn.context["figures"]["permanent"] == permanent > 0


def test_eig_2_names_its_entrepreneurs_on_defis(client, seeded):
    rows = json.loads(client.get(reverse("cohorts:json", kwargs={"slug": "eig-2"})).content)
    assert len(rows["laureats"]) == 28
    assert any(row["nom"].startswith("PrédiSauvetage") for row in rows["laureats"])
    assert all(row["intrapreneur"] for row in rows["laureats"])


def test_seeding_again_changes_nothing(seeded):
    from cohorts.models import Milestone

    def fields(model):
        # `updated_at` says when a row was last written, which seeding again does.
        return [f.attname for f in model._meta.concrete_fields if f.name != "updated_at"]

    def snapshot():
        return (
            list(Cohort.objects.order_by("pk").values_list(*fields(Cohort))),
            list(Laureate.objects.order_by("pk").values_list(*fields(Laureate))),
            list(Laureate.members.through.objects.order_by("pk").values_list()),
            list(Proposal.objects.order_by("pk").values_list("pk", "state")),
            list(Milestone.objects.order_by("pk").values_list("pk", "laureate", "kind")),
        )

    first = snapshot()
    call_command("seed_demo", stdout=None)
    assert snapshot() == first


def test_the_demo_cohorts_have_their_follow_up(client, seeded):
    from cohorts.enums import FinalOutcome, MilestoneKind
    from cohorts.models import Milestone, Report
    from programme.models import AuditEntry, User

    counts = {
        slug: Milestone.objects.filter(laureate__cohort__slug=slug).count()
        for slug in ("fabrique-numerique-2018", "fast-13", "eig-2")
    }
    # Written once (seeding again adds none, above):
    # (6 reports + review + committee) x 7 and x 10, (10 + 2) x 28.
    assert counts == {"fabrique-numerique-2018": 56, "fast-13": 80, "eig-2": 336}
    filed = Report.objects.filter(submitted_at__isnull=False)
    late = Milestone.objects.filter(
        kind=MilestoneKind.REPORT, done_at__isnull=True, skipped_at__isnull=True
    )
    for slug in counts:
        assert filed.filter(milestone__laureate__cohort__slug=slug).count() > 0
        assert late.filter(laureate__cohort__slug=slug).count() > 0
    assert filed.filter(values__isnull=False).exists()
    committees = Milestone.objects.filter(kind=MilestoneKind.FINAL, done_at__isnull=False)
    fn = committees.filter(laureate__cohort__slug="fabrique-numerique-2018")
    assert fn.count() == 7
    assert not committees.exclude(laureate__cohort__slug="fabrique-numerique-2018").exists()
    outcomes = {m.laureate.name: (m.outcome, m.next_phase) for m in fn.select_related("laureate")}
    assert outcomes["Aides-territoires"] == (FinalOutcome.PERMANENT, Phase.PERMANENT)
    assert outcomes["Alerte sécheresse"] == (FinalOutcome.CONTINUE, Phase.TRANSFER)
    assert outcomes["Transporteurs et chargeurs"] == (FinalOutcome.ABANDON, Phase.ABANDONED)
    assert AuditEntry.objects.filter(action="laureate.final_decision").count() == 7
    client.force_login(User.objects.get(email="equipe.fast@demo.portail.example"))
    response = client.get(reverse("cohorts:followup", kwargs={"slug": "fast-13"}))
    rows = response.context["rows"]
    assert rows[0].late_count > rows[-1].late_count


def test_eig_2_shows_the_funnel_of_its_selection_from_the_seeds(client, seeded):
    page = client.get("/cohortes/eig-2/").content.decode()
    assert "De la candidature à la promotion" in page
    for step, count in [("candidates", 200), ("selected", 28)]:
        assert f'<td data-step="{step}">{count}</td>' in page
    assert "Chiffres publiés avant le portail" in page
    assert "Sélection des candidatures" in page


def test_fast_13_funnel_reads_like_a_real_call(client, seeded):
    page = client.get("/cohortes/fast-13/").content.decode()
    steps = dict(re.findall(r'data-step="(\w+)">(\d+)<', page))
    assert steps == {"submitted": "48", "eligible": "40", "auditioned": "24", "selected": "10"}


def test_the_eig_2_results_address_leads_to_its_promotion_with_its_figures(client, seeded):
    response = client.get(reverse("jury:results", kwargs={"slug": "eig-2-candidatures"}))
    assert response.status_code == 302
    assert response["Location"] == reverse("cohorts:detail", kwargs={"slug": "eig-2"})
    html = client.get(response["Location"]).content.decode()
    assert "28 lauréats" in html
    assert "200 candidatures" in html
    assert reverse("calls:detail", kwargs={"slug": "eig-2-candidatures"}) in html
    call_page = client.get(reverse("calls:detail", kwargs={"slug": "eig-2-candidatures"}))
    assert "Voir la promotion EIG 2 issue de cet appel" in call_page.content.decode()


def test_eig_promotion_4_shows_both_stages_of_its_selection(client, seeded):
    html = client.get(reverse("cohorts:detail", kwargs={"slug": "eig-4"})).content.decode()
    assert "n'est pas publiée sur le portail" in html
    for figure in (
        "800 candidatures",
        "140 présentées au jury",
        "41 retenues",
        "31 défis proposés",
        "21 défis auditionnés",
        "17 défis retenus",
    ):
        assert figure in html
