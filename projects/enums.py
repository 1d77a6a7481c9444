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
WITHDRAWABLE_STATES = frozenset(
    {
        ProposalState.DRAFT,
        ProposalState.SUBMITTED,
        ProposalState.ELIGIBLE,
        ProposalState.SHORTLISTED,
    }
)
