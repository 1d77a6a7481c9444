from django.db import models
from django.utils.translation import gettext_lazy as _


class Phase(models.TextChoices):
    """The beta.gouv vocabulary of a startup d'État's life."""

    INVESTIGATION = "investigation", _("Investigation")
    CONSTRUCTION = "construction", _("Construction")
    ACCELERATION = "acceleration", _("Accélération")
    CONSOLIDATION = "consolidation", _("Consolidation")
    TRANSFER = "transfert", _("Transfert")
    PERMANENT = "perennise", _("Pérennisé")
    ABANDONED = "abandon", _("Abandon")


# The phases a laureate may go on in after the final committee (neither kept nor given up).
Phase.continuing_phases = tuple(p for p in Phase if p not in (Phase.PERMANENT, Phase.ABANDONED))


class ReminderKind(models.TextChoices):
    """What a reminder speaks of; each kind has its rule in `cohorts.reminders`."""

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
    PENDING = "pending", _("À envoyer")
    SENDING = "sending", _("En cours d'envoi")
    SENT = "sent", _("Envoyé")
    FAILED = "failed", _("Échec")
    CANCELLED = "cancelled", _("Sans objet")


# States a staff member may ask to send again.
ReminderState.resendable_states = frozenset({ReminderState.FAILED})


class MilestoneKind(models.TextChoices):
    """What a milestone of a laureate's follow-up is."""

    REPORT = "report", _("Point d'étape mensuel")
    MIDTERM = "midterm", _("Revue de mi-parcours")
    FINAL = "final", _("Comité final")
    ADHOC = "adhoc", _("Jalon ponctuel")


# The milestones staff close by holding a review (the others by a report or the committee).
MilestoneKind.review_kinds = frozenset({MilestoneKind.MIDTERM, MilestoneKind.ADHOC})


class MilestoneState(models.TextChoices):
    """Where a milestone stands; computed from its dates, never stored (see `Milestone.state`)."""

    DONE = "done", _("Fait")
    LATE = "late", _("En retard")
    UPCOMING = "upcoming", _("À venir")
    SKIPPED = "skipped", _("Sans objet")


# What a milestone still owes: late or upcoming.
MilestoneState.open_states = frozenset({MilestoneState.LATE, MilestoneState.UPCOMING})


class ReportStatus(models.TextChoices):
    """The team's own weather of its project in a report."""

    ON_TRACK = "on_track", _("En bonne voie")
    AT_RISK = "at_risk", _("À risque")
    LATE = "late", _("En retard")


class FinalOutcome(models.TextChoices):
    """What the final committee decides for a laureate."""

    PERMANENT = "perennise", _("Pérennisé")
    CONTINUE = "continue", _("Poursuit dans une nouvelle phase")
    ABANDON = "abandon", _("Abandon")
