from functools import cache

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


def choice_labels(choices: type[models.Choices]) -> dict[str, str]:
    """{value: label} of a choices enum in the active language, built once per language.

    For a list page's rows: `get_FOO_display` rebuilds and hashes the whole list of lazy
    labels at every call (a third of the staff list's time went there)."""
    return _choice_labels(choices, translation.get_language())


@cache
def _choice_labels(choices, language) -> dict[str, str]:
    with translation.override(language):
        return {value: str(label) for value, label in choices.choices}


class StructureType(models.TextChoices):
    CENTRAL = "central", _("Administration centrale")
    DREAL = "dreal", _("DREAL")
    DIRM = "dirm", _("DIRM")
    DIR = "dir", _("DIR")
    LOCAL_AUTHORITY = "collectivite", _("Collectivité")
    OPERATOR = "operateur", _("Opérateur")
    OTHER = "autre", _("Autre")


class ProgrammeRole(models.TextChoices):
    STAFF = "staff", _("Équipe du programme")
    COACH = "coach", _("Coach ou tuteur")


class Region(models.TextChoices):
    """The regions of France, for structures with a regional footprint."""

    AUVERGNE_RHONE_ALPES = "ara", _("Auvergne-Rhône-Alpes")
    BOURGOGNE_FRANCHE_COMTE = "bfc", _("Bourgogne-Franche-Comté")
    BRETAGNE = "bre", _("Bretagne")
    CENTRE_VAL_DE_LOIRE = "cvl", _("Centre-Val de Loire")
    CORSE = "cor", _("Corse")
    GRAND_EST = "ges", _("Grand Est")
    HAUTS_DE_FRANCE = "hdf", _("Hauts-de-France")
    ILE_DE_FRANCE = "idf", _("Île-de-France")
    NORMANDIE = "nor", _("Normandie")
    NOUVELLE_AQUITAINE = "naq", _("Nouvelle-Aquitaine")
    OCCITANIE = "occ", _("Occitanie")
    PAYS_DE_LA_LOIRE = "pdl", _("Pays de la Loire")
    PROVENCE_ALPES_COTE_D_AZUR = "pac", _("Provence-Alpes-Côte d'Azur")
    GUADELOUPE = "gua", _("Guadeloupe")
    GUYANE = "guy", _("Guyane")
    LA_REUNION = "reu", _("La Réunion")
    MARTINIQUE = "mar", _("Martinique")
    MAYOTTE = "may", _("Mayotte")


class DeliveryState(models.TextChoices):
    """Where a row of a mail ledger stands (`programme.delivery`)."""

    PENDING = "pending", _("À envoyer")
    SENDING = "sending", _("En cours d'envoi")
    SENT = "sent", _("Envoyé")
    FAILED = "failed", _("Échec")


class ReminderKind(models.TextChoices):
    """What a reminder speaks of; its rule is registered with `programme.reminders`."""

    DRAFT_CLOSING_7D = "draft_closing_7d", _("Brouillon : l'appel clôt dans 7 jours")
    DRAFT_CLOSING_1D = "draft_closing_1d", _("Brouillon : l'appel clôt demain")
    SUBMISSION_RECEIPT = "submission_receipt", _("Accusé de réception d'une candidature")
    EVALUATION_DUE_3D = "evaluation_due_3d", _("Évaluations attendues dans 3 jours")
    EVALUATION_LATE = "evaluation_late", _("Évaluations en retard")
    EVALUATION_LATE_SUMMARY = "evaluation_late_summary", _("Synthèse des évaluations en retard")
    AUDITION_CONVOCATION = "audition_convocation", _("Convocation à l'audition")
    AUDITION_DAY_BEFORE = "audition_day_before", _("Audition demain")
    DECISION_NOTICE = "decision_notice", _("Décision du jury")
    REPORT_DUE_7D = "report_due_7d", _("Point d'étape attendu dans 7 jours")
    REPORT_LATE_1D = "report_late_1d", _("Point d'étape en retard")
    MIDTERM_REVIEW = "midterm_review", _("Revue de mi-parcours à venir")
    FINAL_COMMITTEE = "final_committee", _("Comité final à venir")


class ReminderState(models.TextChoices):
    """Where a row of the reminder ledger stands: `DeliveryState` and "no longer owed"."""

    PENDING = "pending", _("À envoyer")
    SENDING = "sending", _("En cours d'envoi")
    SENT = "sent", _("Envoyé")
    FAILED = "failed", _("Échec")
    CANCELLED = "cancelled", _("Sans objet")


# States a staff member may ask to send again.
ReminderState.resendable_states = frozenset({ReminderState.FAILED})


class InvitationRole(models.TextChoices):
    """What an invitation mailed by a programme's staff offers."""

    STAFF = "staff", _("Équipe du programme")
    COACH = "coach", _("Coach ou tuteur")
    JUROR = "juror", _("Membre du jury")

    @classmethod
    def programme_roles(cls):
        return [cls.STAFF, cls.COACH]


class GroupAudience(models.TextChoices):
    """Who a grouped message of the staff goes to."""

    CALL_TEAMS = "teams", _("Les équipes d'un appel (selon l'état de leur candidature)")
    CALL_JURY = "jury", _("Le jury d'un appel")
    COHORT_LAUREATES = "laureates", _("Les lauréats d'une promotion")
    COACHES = "coaches", _("Les coachs du programme")


class GroupMessageState(models.TextChoices):
    DRAFT = "draft", _("Brouillon à relire")
    SENT = "sent", _("Envoyé")
