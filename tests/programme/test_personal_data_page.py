"""The personal-data page says what is stored: every table holding people's data has its row."""

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

pytestmark = pytest.mark.django_db

# Each table that holds data about a person, and the words of its row on the page.
ROW_OF = {
    "programme.User": "Compte : nom, adresse électronique",
    "programme.ProgrammeMembership": "Rôles : équipe d'un programme",
    "programme.AuditEntry": "Journal d'audit",
    "programme.OutgoingMail": "Courriels envoyés par le portail",
    "programme.Reminder": "Rappels envoyés",
    "calls.JuryMember": "membre d'un jury",
    "calls.Defi": "Candidatures non retenues",
    "projects.Proposal": "Candidatures non retenues",
    "projects.TeamMember": "Candidatures non retenues",
    "projects.Attachment": "pièces jointes",
    "projects.ProposalVersion": "Candidatures non retenues",
    "projects.Invitation": "invitations",
    "projects.Message": "messages",
    "projects.CorrectionRequest": "Candidatures non retenues",
    "projects.ExportJob": "Exports de candidatures",
    "projects.Conflict": "conflits d'intérêts",
    "projects.Assignment": "Évaluations du jury",
    "projects.Evaluation": "Évaluations du jury",
    "projects.AuditionEvaluation": "Évaluations du jury",
    "projects.Audition": "Auditions : créneau",
    "projects.Decision": "Décisions du jury",
    "projects.DecisionMail": "courriel de décision",
    "projects.DiscussionPost": "Discussion du jury",
    "projects.JuryNudge": "relances des jurés",
    "cohorts.Laureate": "Candidatures lauréates",
    "cohorts.Milestone": "Suivi des lauréats",
    "cohorts.Report": "Suivi des lauréats",
    "cohorts.ReportMessage": "échanges sous les points d'étape",
    "programme.ProgrammeInvitation": "Invitations à l'équipe d'un programme ou à un jury",
    "programme.GroupMessage": "Messages groupés",
    "programme.LetterTemplate": "courriers du programme",
    "axes.AccessAttempt": "Tentatives de connexion échouées",
}


def _holds_personal_data(model) -> bool:
    user_model = apps.get_model("programme", "User")
    return model is user_model or any(
        isinstance(field, models.EmailField)
        or (field.is_relation and field.related_model is user_model and field.concrete)
        for field in model._meta.get_fields()
    )


def test_every_table_holding_personal_data_has_its_row(client):
    html = client.get(reverse("footer-personal-data")).content.decode()
    ours = {"programme", "calls", "projects", "cohorts", "axes"}
    tables = {
        model._meta.label
        for model in apps.get_models()
        if model._meta.app_label in ours and _holds_personal_data(model)
    }
    assert tables - ROW_OF.keys() == set(), "a new table of personal data: give it a row"
    for label, words in ROW_OF.items():
        assert words in html, label


def test_successful_sign_ins_are_not_logged(client, settings):
    from axes.models import AccessLog

    from tests import factories

    user = factories.UserFactory(email="agent@example.gouv.fr")
    user.set_password("un mot de passe solide 2026")
    user.save()
    client.post(
        reverse("login"),
        {"username": "agent@example.gouv.fr", "password": "un mot de passe solide 2026"},
    )
    assert not AccessLog.objects.exists()
