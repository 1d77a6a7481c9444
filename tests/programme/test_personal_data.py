"""Personal data: a person downloads their data and deletes their account; candidates' data
is anonymised after the retention period while the statistics stay; the page says so."""

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings as django_settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calls.enums import CallState, QuestionKind
from programme import services
from programme.enums import Region, ReminderKind, ReminderState, StructureType
from programme.models import AuditEntry, ProgrammeMembership, Reminder, User
from programme.tasks import anonymise_expired as anonymise_task
from projects.enums import DecisionOutcome, EvaluationState, ProposalState
from projects.models import (
    Answer,
    Attachment,
    AuditionEvaluation,
    Decision,
    DecisionMail,
    DiscussionPost,
    Evaluation,
    Invitation,
    Message,
    Proposal,
    ProposalVersion,
    Score,
    TeamMember,
)
from tests import factories

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
RETENTION = timedelta(days=3 * 365)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def proposal_on(call, user, *, state=ProposalState.SUBMITTED, **fields):
    proposal = factories.ProposalFactory(call=call, created_by=user, state=state, **fields)
    proposal.reference = f"P-{proposal.pk:04d}"
    proposal.save(update_fields=["reference"])
    return proposal


def filled(proposal, *, text="Je m'appelle Camille Durand, 06 12 34 56 78.", choice="Oui"):
    """Answers to a free-text question and a choice question, a message, a file, a version."""
    free = factories.QuestionFactory(call=proposal.call, kind=QuestionKind.LONG_TEXT)
    pick = factories.QuestionFactory(
        call=proposal.call, kind=QuestionKind.SINGLE_CHOICE, choices=["Oui", "Non"]
    )
    Answer.objects.create(proposal=proposal, question=free, value=text)
    Answer.objects.create(proposal=proposal, question=pick, value=choice)
    Message.objects.create(
        proposal=proposal,
        author=proposal.created_by,
        body="Mon numéro : 06 12 34 56 78",
        created_at=NOW,
    )
    attachment = Attachment(
        proposal=proposal,
        original_name="cv-camille-durand.pdf",
        size=10,
        sha256="0" * 64,
        uploaded_by=proposal.created_by,
        uploaded_at=NOW,
    )
    attachment.file.save("cv.pdf", ContentFile(b"%PDF-1.4 cv"), save=False)
    attachment.save()
    ProposalVersion.objects.create(
        proposal=proposal,
        number=1,
        content={"title": proposal.title, "answers": [text]},
        sha256="1" * 64,
        reference=proposal.reference,
        submitted_by=proposal.created_by,
        submitted_at=NOW,
    )
    Invitation.objects.create(proposal=proposal, email="ami@exemple.gouv.fr", created_at=NOW)
    return proposal


# --- Mes données: the pages --------------------------------------------------------------


@pytest.mark.parametrize("name", ["my-data", "my-data-export", "delete-account"])
def test_a_visitor_is_sent_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_profile_leads_to_mes_donnees(client, user):
    client.force_login(user)
    profile = client.get(reverse("profile")).content.decode()
    assert f'href="{reverse("my-data")}"' in profile
    page = client.get(reverse("my-data")).content.decode()
    assert "Mes données" in page
    assert f'href="{reverse("my-data-export")}"' in page
    assert f'href="{reverse("delete-account")}"' in page
    assert "3 ans après la clôture de l'appel" in page


def test_the_download_holds_the_person_s_data_and_nobody_else_s(client):
    structure = factories.StructureFactory(
        type=StructureType.DREAL, name="DREAL Bretagne", region=Region.values[0]
    )
    agent = factories.UserFactory(first_name="Camille", last_name="Durand", structure=structure)
    call = factories.CallFactory(edition="FN 2026")
    mine = filled(proposal_on(call, agent, title="Registre des digues"))
    Message.objects.create(
        proposal=mine, body="Merci pour votre dépôt.", from_staff=True, created_at=NOW
    )
    other = filled(proposal_on(call, factories.UserFactory(), title="Projet d'autrui"))
    seat = factories.JuryMemberFactory(call=call, user=agent)
    assignment = factories.AssignmentFactory(juror=seat, proposal=other)
    criterion = factories.CriterionFactory(call=call, name="Impact")
    evaluation = Evaluation.objects.create(
        assignment=assignment, state=EvaluationState.SUBMITTED, comment="Solide.", updated_at=NOW
    )
    Score.objects.create(evaluation=evaluation, criterion=criterion, value=4, comment="Clair")
    DiscussionPost.objects.create(
        proposal=other, author=agent, body="Je maintiens.", created_at=NOW
    )
    Reminder.objects.create(
        kind=ReminderKind.SUBMISSION_RECEIPT,
        content_type=ContentType.objects.get_for_model(Proposal),
        object_id=mine.pk,
        recipient=agent,
        due=NOW,
        state=ReminderState.SENT,
        sent_at=NOW,
        next_attempt_at=NOW,
        created_at=NOW,
    )
    client.force_login(agent)

    response = client.get(reverse("my-data-export"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="mes-donnees-')
    data = json.loads(response.content)
    assert data["compte"]["adresse_electronique"] == agent.email
    assert data["compte"]["nom"] == "Durand"
    assert data["structure"]["nom"] == "DREAL Bretagne"
    [proposal] = data["candidatures"]
    assert proposal["titre"] == "Registre des digues"
    assert proposal["reference"] == mine.reference
    assert {a["reponse"] for a in proposal["reponses"]} == {
        "Je m'appelle Camille Durand, 06 12 34 56 78.",
        "Oui",
    }
    assert [m["message"] for m in proposal["messages"]] == [
        "Mon numéro : 06 12 34 56 78",
        "Merci pour votre dépôt.",
    ]
    assert proposal["pieces_jointes"][0]["nom"] == "cv-camille-durand.pdf"
    assert proposal["versions"][0]["empreinte_sha256"] == "1" * 64
    assert [m["message"] for m in data["messages_ecrits"]] == ["Mon numéro : 06 12 34 56 78"]
    [written] = data["evaluations"]
    assert written["appreciation"] == "Solide."
    assert written["notes"] == [{"critere": "Impact", "note": 4, "commentaire": "Clair"}]
    assert [p["message"] for p in data["discussion_du_jury_ecrite"]] == ["Je maintiens."]
    assert [r["nature"] for r in data["rappels"]] == ["Accusé de réception d'une candidature"]
    assert "Projet d'autrui" not in json.dumps(data, ensure_ascii=False).replace(
        written["candidature"], ""
    )


def test_the_download_costs_the_same_queries_for_1_proposal_and_for_8(client):
    agent = factories.UserFactory()
    client.force_login(agent)
    call = factories.CallFactory()

    def queries_for(count):
        for _ in range(count):
            filled(proposal_on(call, agent))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("my-data-export")).status_code == 200
        return len(queries)

    assert queries_for(1) == queries_for(8)


# --- Deleting one's account --------------------------------------------------------------


def test_a_wrong_password_deletes_nothing_and_says_so(client, user, password):
    client.force_login(user)
    response = client.post(reverse("delete-account"), {"password": "faux", "confirm": "on"})
    assert response.status_code == 400
    assert "Mot de passe incorrect." in response.content.decode()
    user.refresh_from_db()
    assert user.is_active
    assert user.anonymised_at is None
    response = client.post(reverse("delete-account"), {"password": password})
    assert "Cochez la case pour confirmer la suppression." in response.content.decode()
    assert User.objects.get(pk=user.pk).is_active


def test_deleting_the_account_anonymises_it_at_once_and_keeps_the_proposals(
    client, password, time_machine
):
    time_machine.move_to(NOW, tick=False)
    agent = factories.UserFactory(first_name="Camille", last_name="Durand", job_title="Cheffe")
    email = agent.email
    call = factories.CallFactory()
    proposal = proposal_on(call, agent)
    Invitation.objects.create(
        proposal=proposal_on(call, factories.UserFactory()), email=email, created_at=NOW
    )
    pending = Reminder.objects.create(
        kind=ReminderKind.DRAFT_CLOSING_7D,
        content_type=ContentType.objects.get_for_model(Proposal),
        object_id=proposal.pk,
        recipient=agent,
        due=NOW,
        next_attempt_at=NOW,
        created_at=NOW,
    )
    client.force_login(agent)

    response = client.post(
        reverse("delete-account"), {"password": password, "confirm": "on"}, follow=True
    )

    assert "Votre compte est supprimé" in response.content.decode()
    assert response.wsgi_request.user.is_anonymous  # signed out
    agent.refresh_from_db()
    assert not agent.is_active
    assert agent.anonymised_at == NOW
    assert (agent.first_name, agent.last_name, agent.job_title) == ("", "", "")
    assert agent.email == f"anonyme-{agent.pk}@anonyme.invalid"
    assert not agent.has_usable_password()
    assert agent.structure is not None  # structure types and regions stay for statistics
    assert not client.login(email=email, password=password)
    assert Proposal.objects.get(pk=proposal.pk).state == ProposalState.SUBMITTED
    assert TeamMember.objects.filter(proposal=proposal, user=agent).exists()
    assert not Invitation.objects.filter(email=email).exists()
    assert Reminder.objects.get(pk=pending.pk).state == ReminderState.CANCELLED
    entry = AuditEntry.objects.get(action="account.delete")
    assert entry.actor == agent
    assert "Durand" not in entry.object_repr
    assert not AuditEntry.objects.filter(object_repr__contains="Durand").exists()


def test_sole_staff_of_a_programme_cannot_delete_their_account_until_someone_else_is(
    client, password
):
    programme = factories.ProgrammeFactory(name="FAST")
    staff = factories.StaffFactory(programme=programme)
    client.force_login(staff)
    page = client.get(reverse("my-data")).content.decode()
    assert "seule personne de l&#x27;équipe du programme « FAST »" in page
    response = client.post(reverse("delete-account"), {"password": password, "confirm": "on"})
    assert response.status_code == 400
    assert User.objects.get(pk=staff.pk).is_active

    # An inactive colleague does not count; an active one does.
    factories.StaffFactory(programme=programme, user__is_active=False)
    assert services.deletion_obstacles(staff)
    factories.StaffFactory(programme=programme)
    assert services.deletion_obstacles(staff) == []
    client.post(reverse("delete-account"), {"password": password, "confirm": "on"})
    staff.refresh_from_db()
    assert staff.anonymised_at is not None
    assert not ProgrammeMembership.objects.filter(user=staff).exists()


def test_an_administrator_account_is_not_deleted_from_the_profile(client, password):
    admin = factories.UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    response = client.post(reverse("delete-account"), {"password": password, "confirm": "on"})
    assert "Un compte d&#x27;administration ne se supprime pas ici" in response.content.decode()
    assert User.objects.get(pk=admin.pk).is_active


def test_a_proconnect_account_without_password_confirms_with_the_tick(client):
    agent = factories.UserFactory(proconnect_idp="agentconnect")
    agent.set_unusable_password()
    agent.save()
    client.force_login(agent)
    page = client.get(reverse("delete-account")).content.decode()
    assert 'name="password"' not in page
    client.post(reverse("delete-account"), {"confirm": "on"})
    assert User.objects.get(pk=agent.pk).anonymised_at is not None


# --- Anonymisation after the retention period --------------------------------------------


def statistics():
    """What the programme's statistics read: counts by call, state, structure type and region."""
    by = Proposal.objects.values(
        "call_id", "state", "structure__type", "structure__region"
    ).annotate(n=Count("pk"))
    choices = Answer.objects.filter(question__kind=QuestionKind.SINGLE_CHOICE).values_list(
        "value", flat=True
    )
    return (
        {tuple(row.values()) for row in by},
        sorted(choices),
        list(Score.objects.order_by("pk").values_list("value", flat=True)),
    )


@pytest.fixture
def expired_world():
    old = factories.CallFactory(
        state=CallState.ARCHIVED,
        opens_at=NOW - RETENTION - timedelta(days=60),
        closes_at=NOW - RETENTION - timedelta(days=1),
    )
    recent = factories.CallFactory(
        state=CallState.ARCHIVED,
        opens_at=NOW - RETENTION - timedelta(days=30),
        closes_at=NOW - RETENTION + timedelta(days=1),
    )
    long_ago = NOW - RETENTION - timedelta(days=90)
    gone = factories.UserFactory(first_name="Camille", last_name="Durand", date_joined=long_ago)
    again = factories.UserFactory(last_name="Martin", date_joined=long_ago)  # applied again
    laureate_lead = factories.UserFactory(last_name="Lauréat", date_joined=long_ago)
    world = {
        "old": old,
        "gone": gone,
        "again": again,
        "laureate_lead": laureate_lead,
        "not_selected": filled(
            proposal_on(old, gone, state=ProposalState.NOT_SELECTED, title="Projet de Camille")
        ),
        "draft": filled(proposal_on(old, gone, state=ProposalState.DRAFT)),
        "again_old": filled(proposal_on(old, again, state=ProposalState.INELIGIBLE)),
        "again_recent": filled(proposal_on(recent, again)),
        "selected": filled(
            proposal_on(old, laureate_lead, state=ProposalState.SELECTED, title="Lauréat")
        ),
    }
    factories.LaureateFactory(proposal=world["selected"], intrapreneur=laureate_lead)
    seat = factories.JuryMemberFactory(call=old, user=factories.UserFactory(date_joined=long_ago))
    assignment = factories.AssignmentFactory(juror=seat, proposal=world["not_selected"])
    evaluation = Evaluation.objects.create(
        assignment=assignment,
        state=EvaluationState.SUBMITTED,
        comment="Camille manque d'expérience.",
        updated_at=long_ago,
    )
    Score.objects.create(
        evaluation=evaluation, criterion=factories.CriterionFactory(call=old), value=2
    )
    DiscussionPost.objects.create(
        proposal=world["not_selected"],
        author=seat.user,
        body="Camille n'a pas encore quitté son poste.",
        created_at=long_ago,
    )
    world["juror"] = seat.user
    return world


def test_past_the_retention_candidates_data_is_anonymised_and_statistics_stay(
    expired_world, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(NOW, tick=False)
    w = expired_world
    before = statistics()
    cv = Attachment.objects.get(proposal=w["not_selected"]).file
    assert cv.storage.exists(cv.name)

    with django_capture_on_commit_callbacks(execute=True):
        done = services.anonymise_expired(now=NOW)

    assert done == services.Anonymised(proposals=3, people=1)
    assert statistics() == before
    gone = Proposal.objects.get(pk=w["not_selected"].pk)
    assert gone.anonymised_at == NOW
    assert gone.title == f"Candidature anonymisée {gone.pk}"
    assert gone.summary == ""
    assert gone.state == ProposalState.NOT_SELECTED
    assert gone.reference == w["not_selected"].reference
    answers = Answer.objects.filter(proposal=gone).values_list("question__kind", "value")
    assert dict(answers) == {
        QuestionKind.LONG_TEXT: "[anonymisé]",
        QuestionKind.SINGLE_CHOICE: "Oui",
    }
    anonymised = Answer.objects.filter(proposal__anonymised_at=NOW)
    assert not anonymised.filter(value__icontains="Camille").exists()
    assert list(Message.objects.filter(proposal=gone).values_list("body", flat=True)) == [
        "[anonymisé]"
    ]
    assert not Attachment.objects.filter(proposal=gone).exists()
    assert not cv.storage.exists(cv.name)
    assert not Invitation.objects.filter(proposal=gone).exists()
    assert ProposalVersion.objects.get(proposal=gone).content == {"anonymisee": True}
    assert Evaluation.objects.get(assignment__proposal=gone).comment == "[anonymisé]"
    assert DiscussionPost.objects.get(proposal=gone).body == "[anonymisé]"

    # The candidate with nothing else is anonymised; the one who applied again is not.
    person = User.objects.get(pk=w["gone"].pk)
    assert (person.first_name, person.last_name, person.is_active) == ("", "", False)
    assert person.email.endswith("@anonyme.invalid")
    assert person.structure_id == w["gone"].structure_id
    again = User.objects.get(pk=w["again"].pk)
    assert again.last_name == "Martin"
    assert again.anonymised_at is None
    assert Proposal.objects.get(pk=w["again_old"].pk).anonymised_at == NOW
    assert Proposal.objects.get(pk=w["again_recent"].pk).anonymised_at is None
    # Laureates and jurors keep their data.
    assert Proposal.objects.get(pk=w["selected"].pk).title == "Lauréat"
    assert User.objects.get(pk=w["laureate_lead"].pk).last_name == "Lauréat"
    assert User.objects.get(pk=w["juror"].pk).anonymised_at is None


def test_anonymising_again_changes_nothing(expired_world, time_machine):
    time_machine.move_to(NOW, tick=False)
    services.anonymise_expired(now=NOW)
    snapshot = (
        list(Proposal.objects.order_by("pk").values()),
        list(User.objects.order_by("pk").values()),
    )
    assert services.anonymise_expired(now=NOW + timedelta(hours=12)) == services.Anonymised(0, 0)
    assert (
        list(Proposal.objects.order_by("pk").values()),
        list(User.objects.order_by("pk").values()),
    ) == snapshot


def test_before_the_retention_nothing_is_anonymised(expired_world):
    assert services.anonymise_expired(now=NOW - timedelta(days=2)) == services.Anonymised(0, 0)
    assert not Proposal.objects.filter(anonymised_at__isnull=False).exists()


def test_a_candidate_who_signed_in_since_the_cutoff_keeps_the_account(expired_world):
    User.objects.filter(pk=expired_world["gone"].pk).update(last_login=NOW - timedelta(days=10))
    done = services.anonymise_expired(now=NOW)
    assert done.people == 0
    assert User.objects.get(pk=expired_world["gone"].pk).last_name == "Durand"


def test_the_retention_comes_from_the_settings(expired_world, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 5 * 365
    assert services.anonymise_expired(now=NOW) == services.Anonymised(0, 0)


def test_the_command_and_the_beat_task_anonymise(expired_world, time_machine):
    time_machine.move_to(NOW, tick=False)
    out = io.StringIO()
    call_command("anonymise_expired", stdout=out)
    assert out.getvalue().strip() == "3 proposal(s) and 1 person(s) anonymised."
    assert anonymise_task.delay().get() == {"proposals": 0, "people": 0}
    schedule = django_settings.CELERY_BEAT_SCHEDULE["personal-data-anonymise"]
    assert schedule["task"] == "programme.tasks.anonymise_expired"


# --- The personal-data page -------------------------------------------------------------


def test_the_personal_data_page_says_what_is_kept_and_how_long(client, settings):
    page = client.get(reverse("footer-personal-data")).content.decode()
    assert "3 ans après la clôture de l'appel, puis anonymisées." in page
    assert "Statistiques" in page
    assert "8 heures" in page
    assert "30 jours après l'envoi, puis effacés." in page  # the mail outbox
    settings.PERSONAL_DATA_RETENTION_DAYS = 540
    page = client.get(reverse("footer-personal-data")).content.decode()
    assert "18 mois après la clôture de l'appel" in page


def test_the_jury_s_words_about_an_expired_candidate_go_and_the_outcome_stays(
    expired_world, time_machine
):
    time_machine.move_to(NOW, tick=False)
    proposal = expired_world["not_selected"]
    seat = factories.JuryMemberFactory(call=proposal.call)
    AuditionEvaluation.objects.create(
        juror=seat, proposal=proposal, comment="Camille hésite.", total=2.0, updated_at=NOW
    )
    Decision.objects.create(
        proposal=proposal,
        outcome=DecisionOutcome.NOT_SELECTED,
        justification="Camille n'a pas convaincu le jury.",
        decided_at=NOW - RETENTION,
    )
    DecisionMail.objects.create(
        proposal=proposal,
        subject="Projet de Camille",
        body="Bonjour Camille, …",
        generated_at=NOW - RETENTION,
    )

    services.anonymise_expired(now=NOW)

    decision = Decision.objects.get(proposal=proposal)
    assert decision.outcome == DecisionOutcome.NOT_SELECTED
    assert decision.justification == "[anonymisé]"
    mail = DecisionMail.objects.get(proposal=proposal)
    assert (mail.subject, mail.body) == ("[anonymisé]", "[anonymisé]")
    audition = AuditionEvaluation.objects.get(proposal=proposal)
    assert (audition.comment, audition.total) == ("[anonymisé]", 2.0)
