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
