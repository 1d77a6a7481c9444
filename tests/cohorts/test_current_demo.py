"""The demo's promotion followed up today (issue 14, finding 13): its dates follow the day
the demo is seeded, and a laureate-team account signs in and files its report."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cohorts.enums import MilestoneKind, ReportStatus
from cohorts.models import Cohort, Milestone, Report

pytestmark = pytest.mark.django_db

TEAM = "laureat@demo.portail.example"


def test_a_promotion_is_being_followed_up_today(demo):
    cohort = Cohort.objects.get(slug="val-d-oise-en-cours")
    today = timezone.localdate()
    assert cohort.is_published
    assert cohort.starts_on < today < cohort.ends_on
    assert cohort.laureates.count() == 8
    assert (cohort.funnel_candidates, cohort.funnel_auditioned, cohort.funnel_selected) == (
        120,
        15,
        8,
    )
    reports = Milestone.objects.filter(laureate__cohort=cohort, kind=MilestoneKind.REPORT)
    # Two months are over (filed, but one laureate is late), the third is being written.
    assert reports.filter(due_on__lt=today, done_at__isnull=False).exists()
    assert reports.filter(due_on__lt=today, done_at__isnull=True).count() == 1
    running = reports.filter(period_start__lte=today, due_on__gte=today)
    assert running.count() == 8
    assert not running.filter(done_at__isnull=False).exists()


def test_the_laureate_team_signs_in_and_files_its_report(client, demo):
    signed = client.post(
        reverse("login"), {"username": TEAM, "password": settings.DEMO_PASSWORD}, follow=True
    )
    assert signed.context["user"].email == TEAM
    today = timezone.localdate()
    milestone = Milestone.objects.get(
        laureate__intrapreneur__email=TEAM,
        kind=MilestoneKind.REPORT,
        period_start__lte=today,
        due_on__gte=today,
    )
    url = reverse("cohorts:report", kwargs={"slug": "val-d-oise-en-cours", "pk": milestone.pk})
    page = client.get(url).content.decode()
    assert "Déposer le point d&#x27;étape" in page or "Déposer le point d'étape" in page
    response = client.post(
        url,
        {
            "period_start": milestone.period_start.isoformat(),
            "period_end": milestone.period_end.isoformat(),
            "results": "Trente familles ont suivi leur dossier en ligne.",
            "next_steps": "Ouvrir le service à tout le département.",
            "status": ReportStatus.ON_TRACK,
            "submit_report": "Déposer le point d'étape",
        },
    )
    assert response.status_code == 302
    assert Report.objects.get(milestone=milestone).is_submitted
    # The previous report carries the coach's comment, which the team may answer.
    commented = Report.objects.get(
        milestone__laureate__intrapreneur__email=TEAM, milestone__number=2
    )
    assert commented.coach_comment
    report_url = reverse(
        "cohorts:report", kwargs={"slug": "val-d-oise-en-cours", "pk": commented.milestone_id}
    )
    assert "Envoyer le message" in client.get(report_url).content.decode()


def test_seeding_again_the_same_day_changes_nothing_and_a_later_day_moves_the_dates(demo):
    cohort = Cohort.objects.get(slug="val-d-oise-en-cours")
    rows = list(Milestone.objects.filter(laureate__cohort=cohort).values_list("pk", "due_on"))
    call_command("seed_demo", stdout=None)
    assert (
        list(Milestone.objects.filter(laureate__cohort=cohort).values_list("pk", "due_on")) == rows
    )
    with time_machine.travel(timezone.now() + timedelta(days=40), tick=False):
        call_command("seed_demo", stdout=None)
        later = Cohort.objects.get(slug="val-d-oise-en-cours")
        assert later.starts_on > cohort.starts_on
        assert later.starts_on < timezone.localdate() < later.ends_on
        assert Cohort.objects.filter(slug="val-d-oise-en-cours").count() == 1
        assert later.laureates.count() == 8
