from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from calls.models import Call
from programme.models import Structure

from .enums import ProposalState, TeamRole


class Proposal(models.Model):
    """A team's answer to a call, from draft to decision."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="proposals")
    title = models.CharField(_("titre"), max_length=200)
    summary = models.TextField(_("résumé"), blank=True)
    structure = models.ForeignKey(
        Structure,
        verbose_name=_("structure porteuse"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
    )
    state = models.CharField(
        _("état"), max_length=20, choices=ProposalState, default=ProposalState.DRAFT
    )
    reference = models.CharField(_("référence"), max_length=30, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(_("déposée le"), null=True, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="TeamMember", related_name="proposals"
    )

    class Meta:
        verbose_name = _("candidature")
        verbose_name_plural = _("candidatures")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["call", "state"])]
        constraints = [
            models.UniqueConstraint(
                fields=["reference"],
                condition=~models.Q(reference=""),
                name="proposal_unique_reference",
            ),
        ]

    def __str__(self):
        return self.title


class TeamMember(models.Model):
    """A person in a proposal's team."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_seats"
    )
    role = models.CharField(_("rôle"), max_length=10, choices=TeamRole, default=TeamRole.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membre d'équipe")
        verbose_name_plural = _("membres d'équipe")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "user"], name="team_member_unique"),
        ]

    def __str__(self):
        return f"{self.user} — {self.proposal}"
