from datetime import UTC, datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from programme.enums import StructureType
from programme.models import Programme, Structure

from .enums import CallKind, CallState, EligibilityKind, QuestionKind, ReviewPhase


def _utc(moment: datetime) -> datetime:
    """Python compares two datetimes of the same zone by wall clock, ignoring the fold of a
    change of time (02:45 "after" 02:30 may be earlier); comparing in UTC is always right."""
    return moment.astimezone(UTC)


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
    offers_funding = models.BooleanField(
        _("l'appel finance les projets"),
        default=False,
        help_text=_("Cochez pour un appel de type FAST : les candidats demandent un montant."),
    )
    max_funding_share = models.PositiveSmallIntegerField(
        _("part maximale du budget annuel financée (%)"),
        default=50,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    max_funding_amount = models.DecimalField(
        _("montant maximal par projet (€)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("300000"),
        validators=[MinValueValidator(Decimal("1"))],
    )
    challenge_call = models.ForeignKey(
        "self",
        verbose_name=_("appel à défis (étape 1)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="application_calls",
        limit_choices_to={"kind": CallKind.CHALLENGES},
        help_text=_("Pour une candidature aux défis : l'appel dont les défis sont retenus."),
    )
    # The jury's work: what jurors see while the call is under review, and how it is ranked.
    review_phase = models.CharField(
        _("phase de l'évaluation"), max_length=20, choices=ReviewPhase, default=ReviewPhase.WRITTEN
    )
    hide_juror_names = models.BooleanField(_("masquer les noms des jurés entre eux"), default=False)
    allows_not_applicable = models.BooleanField(
        _("les jurés peuvent répondre « non applicable » à un critère"), default=False
    )
    disagreement_threshold = models.DecimalField(
        _("seuil de désaccord entre jurés"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1.5"),
        help_text=_("Écart (note la plus haute moins la plus basse) au-delà duquel signaler."),
    )
    review_closes_at = models.DateTimeField(
        _("fin de l'évaluation écrite"),
        null=True,
        blank=True,
        help_text=_(
            "Date limite des évaluations écrites : les jurés sont relancés trois jours avant, "
            "puis en cas de retard, et l'équipe reçoit la liste des retardataires."
        ),
    )
    # The deliberation's final ranking: weighted mean of the written and audition scores.
    written_weight = models.DecimalField(
        _("poids de l'évaluation écrite"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    audition_weight = models.DecimalField(
        _("poids de l'audition"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0"))],
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
            models.CheckConstraint(
                condition=models.Q(max_funding_share__gte=1, max_funding_share__lte=100),
                name="call_funding_share_percent",
            ),
            models.CheckConstraint(
                condition=models.Q(written_weight__gte=0, audition_weight__gte=0)
                & (models.Q(written_weight__gt=0) | models.Q(audition_weight__gt=0)),
                name="call_final_weights_valid",
            ),
        ]

    def __str__(self):
        return f"{self.edition} — {self.title}"

    def get_absolute_url(self):
        return reverse("calls:detail", kwargs={"slug": self.slug})

    def is_open(self, now: datetime) -> bool:
        """Open from `opens_at` (included) to `closes_at` (excluded): closing needs nobody."""
        now = _utc(now)
        return self.state == CallState.PUBLISHED and _utc(self.opens_at) <= now < _utc(
            self.closes_at
        )

    def state_at(self, now: datetime) -> str:
        """The state a person should see at `now`: a published call past its deadline is closed,
        whether or not the periodic task has written it yet."""
        if self.state == CallState.PUBLISHED and _utc(now) >= _utc(self.closes_at):
            return CallState.CLOSED
        return self.state

    def is_upcoming(self, now: datetime) -> bool:
        return self.state == CallState.PUBLISHED and _utc(now) < _utc(self.opens_at)

    def defis_offered(self):
        """The défis candidates of a stage-2 call apply to (those of its stage-1 call)."""
        if self.kind != CallKind.CHALLENGE_APPLICATIONS or self.challenge_call_id is None:
            return Defi.objects.none()
        return Defi.objects.filter(call_id=self.challenge_call_id).select_related("host_structure")

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


class AuditionCriterion(models.Model):
    """A criterion of the audition grid (e.g. the team's will to go for it), apart from the
    written criteria so the written review never asks for it."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="audition_criteria")
    name = models.CharField(_("nom"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    weight = models.DecimalField(_("poids"), max_digits=5, decimal_places=2, default=1)
    scale_max = models.PositiveSmallIntegerField(_("note maximale"), default=5)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("critère d'audition")
        verbose_name_plural = _("critères d'audition")
        ordering = ["call", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight__gt=0), name="audition_criterion_weight_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(scale_max__gte=1), name="audition_criterion_scale_positive"
            ),
        ]

    def __str__(self):
        return self.name


class Question(models.Model):
    """A custom question candidates answer in their proposal."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="questions")
    label = models.CharField(_("intitulé"), max_length=300)
    help_text = models.TextField(_("aide"), blank=True)
    kind = models.CharField(
        _("type de réponse"), max_length=20, choices=QuestionKind, default=QuestionKind.SHORT_TEXT
    )
    choices = models.JSONField(
        _("choix proposés"),
        default=list,
        blank=True,
        help_text=_("Pour les questions à choix : la liste des réponses possibles."),
    )
    max_length = models.PositiveIntegerField(
        _("longueur maximale (caractères)"), null=True, blank=True
    )
    required = models.BooleanField(_("réponse obligatoire"), default=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["call", "position", "id"]

    def __str__(self):
        return self.label


class Defi(models.Model):
    """An EIG défi: a challenge proposed by a host administration in a stage-1 call and
    retained; candidates of the stage-2 call apply to it."""

    call = models.ForeignKey(
        Call,
        verbose_name=_("appel à défis"),
        on_delete=models.CASCADE,
        related_name="defis",
    )
    host_structure = models.ForeignKey(
        Structure,
        verbose_name=_("administration d'accueil"),
        on_delete=models.PROTECT,
        related_name="defis",
    )
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    profiles = models.TextField(
        _("profils recherchés"), blank=True, help_text=_("Développeur, data scientist, designer…")
    )
    mentors = models.TextField(_("mentors (tuteurs)"), blank=True)
    source_proposal = models.ForeignKey(
        "projects.Proposal",
        verbose_name=_("proposition d'origine"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="defis",
    )
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("défi")
        verbose_name_plural = _("défis")
        ordering = ["call", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["call", "title"], name="defi_unique_title_per_call"),
        ]

    def __str__(self):
        return self.title


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
    themes = models.ManyToManyField(
        "calls.Theme", blank=True, related_name="jurors", verbose_name=_("thèmes d'expertise")
    )

    class Meta:
        verbose_name = _("membre du jury")
        verbose_name_plural = _("membres du jury")
        constraints = [
            models.UniqueConstraint(fields=["call", "user"], name="jury_member_unique"),
        ]

    def __str__(self):
        return f"{self.user} — {self.call.edition}"


class Theme(models.Model):
    """One theme of a call's list (staff edit it): jurors declare theirs, proposals carry
    theirs, and the assignment prefers a juror who shares a proposal's themes."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="themes")
    name = models.CharField(_("thème"), max_length=100)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("thème")
        verbose_name_plural = _("thèmes")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["call", "name"], name="theme_unique_per_call"),
        ]

    def __str__(self):
        return self.name


class EligibilityRule(models.Model):
    """An eligibility condition of a call, as data staff edit: the structure types or regions
    admitted, or bounds on the team's size or the amount asked. Checked at submission (a
    blocking one refuses it, saying why) and flagged on the staff's list of proposals."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="eligibility_rules")
    kind = models.CharField(_("condition sur"), max_length=20, choices=EligibilityKind)
    values = models.JSONField(
        _("valeurs admises"),
        default=list,
        blank=True,
        help_text=_("Types de structure ou régions admis."),
    )
    minimum = models.DecimalField(
        _("minimum"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    maximum = models.DecimalField(
        _("maximum"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    blocking = models.BooleanField(
        _("bloquante"),
        default=True,
        help_text=_(
            "Cochée : le dépôt est refusé tant que la condition n'est pas remplie. Décochée : "
            "le candidat est averti et la candidature signalée à l'équipe du programme."
        ),
    )
    explanation = models.CharField(
        _("explication au candidat"),
        max_length=300,
        blank=True,
        help_text=_("Facultatif : ajoutée au message, par exemple le point du règlement."),
    )
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("condition d'éligibilité")
        verbose_name_plural = _("conditions d'éligibilité")
        ordering = ["call", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minimum__isnull=True)
                | models.Q(maximum__isnull=True)
                | models.Q(minimum__lte=models.F("maximum")),
                name="eligibility_bounds_ordered",
            ),
        ]

    def __str__(self):
        from .eligibility import describe

        return describe(self)

    @property
    def label(self) -> str:
        return str(self)
