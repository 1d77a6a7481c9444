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


class ReminderKind(models.TextChoices):
    """What a reminder speaks of; each kind has its rule in `cohorts.reminders`."""

    DRAFT_CLOSING_7D = "draft_closing_7d", _("Brouillon : l'appel clôt dans 7 jours")
    DRAFT_CLOSING_1D = "draft_closing_1d", _("Brouillon : l'appel clôt demain")


class ReminderState(models.TextChoices):
    PENDING = "pending", _("À envoyer")
    SENDING = "sending", _("En cours d'envoi")
    SENT = "sent", _("Envoyé")
    FAILED = "failed", _("Échec")
    CANCELLED = "cancelled", _("Sans objet")


# States a staff member may ask to send again.
RESENDABLE_STATES = frozenset({ReminderState.FAILED})
