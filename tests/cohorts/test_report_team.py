"""The monthly report seen by the team and its coach (issue 14, findings 8 and 10): each field
says what is wrong next to it, texts are bounded, dates are labelled in full; the coach reads
a report once filed, the team is told of a comment and answers under the report."""

from datetime import timedelta

import pytest
from django.core import mail as django_mail
from django.urls import reverse
from django.utils import timezone

from cohorts.enums import MilestoneKind, ReportStatus
from cohorts.forms import ReportForm
from cohorts.models import Report, ReportMessage
from cohorts.services import followup
from programme.exceptions import TransitionError
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(programme):
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


@pytest.fixture
def milestone(laureate):
    return laureate.milestones.get(kind=MilestoneKind.REPORT, number=1)


def url_of(milestone, name="cohorts:report"):
    return reverse(name, kwargs={"slug": milestone.laureate.cohort.slug, "pk": milestone.pk})


def filed(milestone):
    team = milestone.laureate.intrapreneur
    followup.save_report(
        milestone,
        data={"results": "Fait.", "next_steps": "Suite.", "status": ReportStatus.ON_TRACK},
        values={},
        by=team,
        now=timezone.now(),
    )
    return followup.submit_report(milestone, by=team, now=timezone.now())


def test_an_empty_filing_flags_each_field_with_its_own_message(client, milestone):
    client.force_login(milestone.laureate.intrapreneur)
    response = client.post(url_of(milestone), {"submit_report": "Déposer"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["period_start"] == ["Indiquez le premier jour de la période."]
    assert form.errors["period_end"] == ["Indiquez le dernier jour de la période."]
    assert form.errors["results"] == [
        "Décrivez les résultats du mois pour déposer le point d'étape."
    ]
    assert "next_steps" in form.errors
    assert "status" in form.errors
    assert "blockers" not in form.errors  # optional, and said so
    page = response.content.decode()
    assert "fr-input-group--error" in page or "fr-error-text" in page
    assert not Report.objects.filter(submitted_at__isnull=False).exists()


def test_a_draft_may_be_saved_incomplete(milestone):
    form = ReportForm(
        {
            "period_start": milestone.period_start.isoformat(),
            "period_end": milestone.period_end.isoformat(),
        }
    )
    assert form.is_valid(), form.errors


def test_texts_are_bounded_to_five_thousand_characters(milestone):
    data = {
        "period_start": milestone.period_start.isoformat(),
        "period_end": milestone.period_end.isoformat(),
        "results": "x" * 5001,
    }
    form = ReportForm(data)
    assert not form.is_valid()
    assert "5 000 caractères au plus : vous en avez saisi 5001" in form.errors["results"][0]
    assert ReportForm({**data, "results": "x" * 5000}).is_valid()
    with pytest.raises(TransitionError, match="5 000"):
        followup.save_report(
            milestone,
            data={"results": "x" * 5001},
            values={},
            by=milestone.laureate.intrapreneur,
            now=timezone.now(),
        )


def test_the_period_dates_carry_full_labels(client, milestone):
    client.force_login(milestone.laureate.intrapreneur)
    page = client.get(url_of(milestone)).content.decode()
    assert "Premier jour de la période" in page
    assert "Dernier jour de la période" in page
    assert ">au<" not in page.replace(" ", "").replace("\n", "")


def test_the_coach_does_not_read_a_draft(client, milestone):
    followup.save_report(
        milestone,
        data={"results": "Brouillon secret."},
        values={},
        by=milestone.laureate.intrapreneur,
        now=timezone.now(),
    )
    client.force_login(milestone.laureate.coach)
    page = client.get(url_of(milestone)).content.decode()
    assert "Brouillon secret." not in page
    assert "pas encore déposé ce point d'étape" in page


def test_a_coach_comment_is_mailed_to_the_team_once(milestone, django_capture_on_commit_callbacks):
    report = filed(milestone)
    laureate = milestone.laureate
    django_mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        followup.comment_report(report, text="Bien vu.", by=laureate.coach, now=timezone.now())
    team = sorted([laureate.intrapreneur.email, laureate.members.get().email])
    assert sorted(m.to[0] for m in django_mail.outbox) == team
    assert all("Bien vu." in m.body for m in django_mail.outbox)
    assert all(url_of(milestone) in m.body for m in django_mail.outbox)


def test_the_team_answers_the_comment_and_the_coach_answers_back(
    client, milestone, django_capture_on_commit_callbacks
):
    report = filed(milestone)
    laureate = milestone.laureate
    followup.comment_report(report, text="Et les usagers ?", by=laureate.coach, now=timezone.now())
    django_mail.outbox.clear()
    client.force_login(laureate.members.get())
    page = client.get(url_of(milestone)).content.decode()
    assert "Échanges sur ce point d'étape" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url_of(milestone, "cohorts:report-answer"), {"body": "200 inscrits ce mois-ci."}
        )
    assert response.status_code == 302
    (to_coach,) = django_mail.outbox
    assert to_coach.to == [laureate.coach.email]
    assert "200 inscrits ce mois-ci." in to_coach.body
    client.force_login(laureate.coach)
    assert "200 inscrits ce mois-ci." in client.get(url_of(milestone)).content.decode()
    django_mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url_of(milestone, "cohorts:report-answer"), {"body": "Parfait."})
    assert sorted(m.to[0] for m in django_mail.outbox) == sorted(
        [laureate.intrapreneur.email, laureate.members.get().email]
    )
    assert list(ReportMessage.objects.values_list("from_team", flat=True)) == [True, False]


def test_nobody_else_writes_under_a_report(client, milestone):
    filed(milestone)
    client.force_login(factories.CoachFactory(programme=milestone.laureate.cohort.programme))
    response = client.post(url_of(milestone, "cohorts:report-answer"), {"body": "Intrus"})
    assert response.status_code in (403, 404)
    assert not ReportMessage.objects.exists()


def test_no_answer_under_a_draft(milestone):
    followup.save_report(
        milestone, data={"results": "x"}, values={}, by=milestone.laureate.intrapreneur,
        now=timezone.now(),
    )  # fmt: skip
    report = Report.objects.get()
    with pytest.raises(TransitionError, match="une fois déposé"):
        followup.answer_report(
            report, body="Alors ?", by=milestone.laureate.coach, now=timezone.now()
        )


def test_the_laureate_page_shows_the_fil_of_its_follow_up(client, milestone):
    report = filed(milestone)
    laureate = milestone.laureate
    followup.comment_report(report, text="Bien vu.", by=laureate.coach, now=timezone.now())
    followup.answer_report(
        report, body="Merci, on mesure.", by=laureate.intrapreneur, now=timezone.now()
    )
    client.force_login(laureate.coach)
    url = reverse("cohorts:timeline", kwargs={"slug": "fast-13", "pk": laureate.pk})
    page = client.get(url).content.decode()
    fil = page[page.index("Le fil du suivi") :]
    assert fil.index("Point d&#x27;étape n°1 déposé") < fil.index("Bien vu.")
    assert fil.index("Bien vu.") < fil.index("Merci, on mesure.")


def test_once_laureate_the_coach_writes_in_the_proposal_s_fil(
    client, laureate, django_capture_on_commit_callbacks
):
    from projects.models import Message

    proposal = factories.ProposalFactory(created_by=laureate.intrapreneur)
    laureate.proposal = proposal
    laureate.save()
    staff = factories.StaffFactory(programme=proposal.call.programme)
    url = reverse("cohorts:laureate-message", kwargs={"slug": "fast-13", "pk": laureate.pk})
    client.force_login(laureate.coach)
    timeline = reverse("cohorts:timeline", kwargs={"slug": "fast-13", "pk": laureate.pk})
    assert "Écrire dans le fil" in client.get(timeline).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"body": "Point jeudi ?"}).status_code == 302
    assert [m.to for m in django_mail.outbox] == [[laureate.intrapreneur.email]]
    django_mail.outbox.clear()
    client.force_login(laureate.intrapreneur)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"body": "Oui, à 10 h."})
    assert sorted(m.to[0] for m in django_mail.outbox) == sorted(
        [staff.email, laureate.coach.email]
    )
    assert list(Message.objects.values_list("body", "from_staff")) == [
        ("Point jeudi ?", True),
        ("Oui, à 10 h.", False),
    ]
    page = client.get(timeline).content.decode()
    assert page.index("Point jeudi ?") < page.index("Oui, à 10 h.")
    # A mentor reads the follow-up but does not write in the proposal's thread.
    mentor = factories.UserFactory()
    laureate.mentors.add(mentor)
    client.force_login(mentor)
    assert client.post(url, {"body": "Moi aussi"}).status_code == 403


def test_filing_a_report_tells_the_team_and_the_coach_once(
    milestone, django_capture_on_commit_callbacks
):
    laureate = milestone.laureate
    with django_capture_on_commit_callbacks(execute=True):
        filed(milestone)
    expected = sorted(
        [laureate.intrapreneur.email, laureate.members.get().email, laureate.coach.email]
    )
    assert sorted(m.to[0] for m in django_mail.outbox) == expected
    assert all("Point d'étape déposé" in m.subject for m in django_mail.outbox)


def test_the_coach_downloads_a_file_the_team_joined_to_the_fil(client, laureate):
    from django.core.files.base import ContentFile

    from projects.models import Message
    from tests.files import PDF

    proposal = factories.ProposalFactory(created_by=laureate.intrapreneur)
    laureate.proposal = proposal
    laureate.save()
    message = Message(
        proposal=proposal,
        author=laureate.intrapreneur,
        body="Le budget revu.",
        created_at=timezone.now(),
    )
    message.file.save("budget.pdf", ContentFile(PDF), save=False)
    message.file_name, message.file_size = "budget-revu.pdf", len(PDF)
    message.save()
    download = reverse(
        "projects:message-file", kwargs={"public_id": proposal.public_id, "message_id": message.pk}
    )
    timeline = reverse("cohorts:timeline", kwargs={"slug": "fast-13", "pk": laureate.pk})
    client.force_login(laureate.coach)
    assert download in client.get(timeline).content.decode()
    response = client.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    mentor = factories.UserFactory()  # reads the follow-up, not the proposal's thread
    laureate.mentors.add(mentor)
    client.force_login(mentor)
    assert client.get(download).status_code == 404
