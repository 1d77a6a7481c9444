from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from programme.models import Programme, Structure
from projects.models import Proposal

from .enums import Phase


class Cohort(models.Model):
    """A promotion of laureates of a programme, e.g. "FAST 13"."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="cohorts")
    label = models.CharField(_("libellé"), max_length=100)
    slug = models.SlugField(_("identifiant d'adresse"), max_length=80, unique=True)
    starts_on = models.DateField(_("début"))
    ends_on = models.DateField(_("fin"))
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_on__lt=models.F("ends_on")),
                name="cohort_starts_before_ending",
            ),
        ]

    def __str__(self):
        return self.label

    def get_absolute_url(self):
        return reverse("cohorts:detail", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class Laureate(models.Model):
    """A laureate of a cohort: a startup d'État, or an entrepreneur on a défi."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="laureates")
    proposal = models.OneToOneField(
        Proposal, on_delete=models.PROTECT, null=True, blank=True, related_name="laureate"
    )
    name = models.CharField(_("nom public"), max_length=200)
    mission = models.CharField(_("mission en une ligne"), max_length=300)
    host_structure = models.ForeignKey(
        Structure, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    phase = models.CharField(_("phase"), max_length=20, choices=Phase, default=Phase.INVESTIGATION)
    funding_granted = models.DecimalField(
        _("financement accordé (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("lauréat")
        verbose_name_plural = _("lauréats")
        ordering = ["cohort", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(funding_granted__isnull=True)
                | models.Q(funding_granted__gte=0, funding_granted__lte=300000),
                name="laureate_funding_within_cap",
            ),
        ]

    def __str__(self):
        return self.name
