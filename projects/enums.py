from django.db import models
from django.utils.translation import gettext_lazy as _


class ProposalState(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Déposée")
    ELIGIBLE = "eligible", _("Recevable")
    INELIGIBLE = "ineligible", _("Irrecevable")
    SHORTLISTED = "shortlisted", _("Retenue pour audition")
    NOT_SHORTLISTED = "not_shortlisted", _("Non retenue pour audition")
    SELECTED = "selected", _("Lauréate")
    NOT_SELECTED = "not_selected", _("Non retenue")
    WITHDRAWN = "withdrawn", _("Retirée")


class TeamRole(models.TextChoices):
    LEAD = "lead", _("Porteur ou porteuse")
    MEMBER = "member", _("Membre de l'équipe")


# States a candidate can still withdraw from (before the decision).
ProposalState.withdrawable_states = frozenset(
    {
        ProposalState.DRAFT,
        ProposalState.SUBMITTED,
        ProposalState.ELIGIBLE,
        ProposalState.SHORTLISTED,
    }
)

# States a team may still edit in (during the call, or while a correction is asked for).
ProposalState.editable_states = frozenset({ProposalState.DRAFT, ProposalState.SUBMITTED})

# States the staff may screen from (a screening can be corrected).
ProposalState.screenable_states = frozenset(
    {ProposalState.SUBMITTED, ProposalState.ELIGIBLE, ProposalState.INELIGIBLE}
)

# States that count as submitted (shown on the staff's list of a call).
ProposalState.submitted_states = frozenset(ProposalState) - {
    ProposalState.DRAFT,
    ProposalState.WITHDRAWN,
}


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV")
    XLSX = "xlsx", _("Excel (XLSX)")


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    RUNNING = "running", _("En cours")
    DONE = "done", _("Terminé")
    FAILED = "failed", _("Échec")


# --- The jury's work -------------------------------------------------------------------------


class ConflictKind(models.TextChoices):
    DECLARED = "declared", _("Déclaré par le juré")
    AUTOMATIC = "automatic", _("Automatique (même structure)")
    STAFF = "staff", _("Ajouté par l'équipe du programme")


class ConflictType(models.TextChoices):
    STRUCTURE = "structure", _("Même service ou structure")
    PROFESSIONAL = "professional", _("Lien professionnel")
    PERSONAL = "personal", _("Lien personnel ou familial")
    FINANCIAL = "financial", _("Intérêt financier")
    OTHER = "other", _("Autre")


class EvaluationState(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Soumise")


class Recommendation(models.TextChoices):
    YES = "yes", _("Oui")
    MAYBE = "maybe", _("Peut-être")
    NO = "no", _("Non")


# Proposals the jury evaluates.
ProposalState.jury_states = frozenset(
    {
        ProposalState.ELIGIBLE,
        ProposalState.SHORTLISTED,
        ProposalState.NOT_SHORTLISTED,
        ProposalState.SELECTED,
        ProposalState.NOT_SELECTED,
    }
)


# --- Auditions and deliberation --------------------------------------------------------------


class DecisionOutcome(models.TextChoices):
    SELECTED = "selected", _("Lauréate")
    NOT_SELECTED = "not_selected", _("Non retenue")


class DecisionMailState(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    RELEASED = "released", _("Envoyé")


# Proposals the deliberation decides on (shortlisted, or already decided).
ProposalState.deliberated_states = frozenset(
    {ProposalState.SHORTLISTED, ProposalState.SELECTED, ProposalState.NOT_SELECTED}
)


class BidChoice(models.TextChoices):
    """A juror's wish about a proposal (same values as `projects.services.assignment`'s
    BID_*); a conflict of interest is declared through the conflicts, never stored here."""

    YES = "yes", _("Oui")
    MAYBE = "maybe", _("Peut-être")
    NO = "no", _("Non")
