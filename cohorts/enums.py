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
