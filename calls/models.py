from datetime import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from programme.enums import StructureType
from programme.models import Programme

from .enums import CallKind, CallState


class Call(models.Model):
    """A call for projects of a programme, e.g. "FAST 14"."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="calls")
    kind = models.CharField(_("nature"), max_length=30, choices=CallKind, default=CallKind.PROJECTS)
    edition = models.CharField(_("édition"), max_length=50, help_text=_("Par exemple FAST 14."))
    slug = models.SlugField(_("identifiant d'adresse"), max_length=80, unique=True)
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("description (Markdown)"), blank=True)
    state = models.CharField(_("état"), max_length=20, choices=CallState, default=CallState.DRAFT)
    opens_at = models.DateTimeField(_("ouverture"))
    closes_at = models.DateTimeField(_("clôture"))
    eligible_structure_types = models.JSONField(
        _("structures éligibles"),
        default=list,
        blank=True,
        help_text=_("Types de structures admis ; vide : toutes."),
    )
    team_min = models.PositiveSmallIntegerField(_("taille minimale d'équipe"), default=1)
    team_max = models.PositiveSmallIntegerField(_("taille maximale d'équipe"), default=4)
    laureates_target = models.PositiveSmallIntegerField(_("nombre de lauréats visé"), default=1)
    envelope = models.DecimalField(
        _("enveloppe de la promotion (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("appel à projets")
        verbose_name_plural = _("appels à projets")
        ordering = ["-opens_at"]
        indexes = [models.Index(fields=["state", "closes_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens_at__lt=models.F("closes_at")),
                name="call_opens_before_closing",
            ),
            models.CheckConstraint(
                condition=models.Q(team_min__lte=models.F("team_max")),
                name="call_team_bounds_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.edition} — {self.title}"

    def get_absolute_url(self):
        return reverse("calls:detail", kwargs={"slug": self.slug})

    def is_open(self, now: datetime) -> bool:
        """Open from `opens_at` (included) to `closes_at` (excluded): closing needs nobody."""
        return self.state == CallState.PUBLISHED and self.opens_at <= now < self.closes_at

    def eligible_structure_labels(self) -> list[str]:
        return [StructureType(value).label for value in self.eligible_structure_types]


class Criterion(models.Model):
    """An evaluation criterion of a call, with its weight and scale."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("nom"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    weight = models.DecimalField(_("poids"), max_digits=5, decimal_places=2, default=1)
    scale_max = models.PositiveSmallIntegerField(_("note maximale"), default=5)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("critère d'évaluation")
        verbose_name_plural = _("critères d'évaluation")
        ordering = ["call", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight__gt=0), name="criterion_weight_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(scale_max__gte=1), name="criterion_scale_positive"
            ),
        ]

    def __str__(self):
        return self.name


class JuryMember(models.Model):
    """A person sitting on one call's jury; the same person may sit on several."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="jury_members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jury_seats"
    )
    role_label = models.CharField(
        _("qualité"), max_length=200, blank=True, help_text=_("Par exemple directeur, CCDG.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membre du jury")
        verbose_name_plural = _("membres du jury")
        constraints = [
            models.UniqueConstraint(fields=["call", "user"], name="jury_member_unique"),
        ]

    def __str__(self):
        return f"{self.user} — {self.call.edition}"
