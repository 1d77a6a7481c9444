import calendar
import uuid
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from programme.models import Programme, Structure
from projects.models import Proposal

from .enums import (
    FinalOutcome,
    MilestoneKind,
    MilestoneState,
    Phase,
    ReportStatus,
)

PARIS = ZoneInfo("Europe/Paris")


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months, clamped to the month's end: 31 January + 1 month is
    28 February (29 in a leap year), 31 August + 6 months is 28 or 29 February."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_end(starts_on: date, programme: Programme) -> date:
    """The end of a cohort starting on `starts_on`: the programme's follow-up length later."""
    return add_months(starts_on, programme.followup_months)


class Cohort(models.Model):
    """A promotion of laureates of a programme, e.g. "FAST 13"."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="cohorts")
    label = models.CharField(_("libellé"), max_length=100)
    slug = models.SlugField(_("identifiant d'adresse"), max_length=80, unique=True)
    starts_on = models.DateField(_("début"))
    ends_on = models.DateField(_("fin"))
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)
    # The selection's published figures, for a promotion selected before the portal (no
    # proposals in the database): what the public funnel shows instead, with its source.
    funnel_candidates = models.PositiveIntegerField(_("candidatures reçues"), null=True, blank=True)
    funnel_auditioned = models.PositiveIntegerField(
        _("candidatures présentées au jury"), null=True, blank=True
    )
    funnel_selected = models.PositiveIntegerField(_("lauréats retenus"), null=True, blank=True)
    funnel_defis_proposed = models.PositiveIntegerField(_("défis proposés"), null=True, blank=True)
    funnel_defis_auditioned = models.PositiveIntegerField(
        _("défis auditionnés"), null=True, blank=True
    )
    funnel_defis_retained = models.PositiveIntegerField(_("défis retenus"), null=True, blank=True)
    funnel_source = models.CharField(
        _("source des chiffres de sélection"),
        max_length=300,
        blank=True,
        help_text=_("Où ces chiffres ont été publiés (communiqué, article, adresse)."),
    )
    # The calls a promotion selected before the portal came from: their results address
    # leads to the promotion, which shows the laureates and the recorded figures.
    selection_calls = models.ManyToManyField(
        "calls.Call",
        verbose_name=_("appels de la sélection"),
        blank=True,
        related_name="selected_cohorts",
    )

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

    # Each step of a recorded selection, after the one it follows.
    FUNNEL_STEPS = [
        ("funnel_candidates", "funnel_auditioned", "funnel_selected"),
        ("funnel_defis_proposed", "funnel_defis_auditioned", "funnel_defis_retained"),
    ]

    def clean(self):
        """A recorded selection narrows at each step, and says where it was published."""
        errors = {}
        for steps in self.FUNNEL_STEPS:
            known = [
                (name, getattr(self, name)) for name in steps if getattr(self, name) is not None
            ]
            for (_before, wider), (name, value) in zip(known, known[1:], strict=False):
                if value > wider:
                    errors[name] = _("Ce chiffre ne peut pas dépasser celui de l'étape précédente.")
        figures = [getattr(self, name) for steps in self.FUNNEL_STEPS for name in steps]
        if any(figure is not None for figure in figures) and not self.funnel_source:
            errors["funnel_source"] = _("Indiquez où ces chiffres ont été publiés.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class Laureate(models.Model):
    """A laureate of a cohort: a startup d'État, or an entrepreneur on a défi."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="laureates")
    # The open data's row identifier: drawn once, never reused, whatever is renamed.
    public_id = models.UUIDField(
        _("identifiant public"), default=uuid.uuid4, unique=True, editable=False
    )
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
    intrapreneur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("intrapreneur ou entrepreneur"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="laureates_led",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("équipe"),
        blank=True,
        related_name="laureate_seats",
    )
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coach"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="laureates_coached",
    )
    mentors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("mentors (tuteurs)"),
        blank=True,
        related_name="laureates_mentored",
    )
    # Personal data stays out of the public page and the open data unless staff tick this:
    # the public name, mission, phase, host structure and funding are about the project.
    intrapreneur_public = models.BooleanField(
        _("publier le nom de l'intrapreneur"),
        default=False,
        help_text=_("Son nom paraît alors sur la page publique et dans les données ouvertes."),
    )
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    # The follow-up's state, stored so the dashboard sorts late-first by an index: kept by
    # the follow-up services and the reminder scan (cohorts.services.lateness), never typed.
    late_count = models.PositiveSmallIntegerField(_("jalons en retard"), default=0, editable=False)
    first_late_on = models.DateField(_("premier retard"), null=True, blank=True, editable=False)
    last_report_status = models.CharField(
        _("dernier point d'étape"), max_length=10, choices=ReportStatus, blank=True, editable=False
    )
    followup_as_of = models.DateField(_("suivi calculé au"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("lauréat")
        verbose_name_plural = _("lauréats")
        ordering = ["cohort", "name"]
        indexes = [
            # The follow-up dashboard's order (late first) and its keyset pages.
            models.Index(
                fields=["cohort", "-late_count", "first_late_on", "name", "id"],
                name="laureate_late_first_idx",
            ),
            # The staff's cohort desk and the public page: by name, keyset pages.
            models.Index(fields=["cohort", "name", "id"], name="laureate_by_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                # The ceiling is the call's (calls/funding.py); the database keeps the sign.
                condition=models.Q(funding_granted__isnull=True) | models.Q(funding_granted__gte=0),
                name="laureate_funding_not_negative",
            ),
        ]

    def __str__(self):
        return self.name


# --- Follow-up: milestones, reports, indicators -------------------------------------------------


class Indicator(models.Model):
    """An indicator a programme asks its laureates to report every month (e.g. users reached)."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("programme")
    )
    label = models.CharField(_("libellé"), max_length=150)
    unit = models.CharField(_("unité"), max_length=40, blank=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("indicateur de suivi")
        verbose_name_plural = _("indicateurs de suivi")
        ordering = ["programme", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "label"], name="indicator_unique_label"),
        ]

    def __str__(self):
        return f"{self.label} ({self.unit})" if self.unit else self.label


class Milestone(models.Model):
    """A dated step of a laureate's follow-up: a monthly report, the mid-term review, the final
    committee, or an ad-hoc milestone added by staff.

    The due date is written when the milestone is made and never recomputed: a report not
    filed by then is late, and stays late until it is filed (or staff skip it with a reason).
    """

    laureate = models.ForeignKey(
        Laureate, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("lauréat")
    )
    kind = models.CharField(_("nature"), max_length=10, choices=MilestoneKind)
    # The report's month (1, 2, …); 0 for the other kinds.
    number = models.PositiveSmallIntegerField(_("numéro"), default=0)
    title = models.CharField(_("intitulé"), max_length=200)
    due_on = models.DateField(_("échéance"))
    period_start = models.DateField(_("début de la période"), null=True, blank=True)
    period_end = models.DateField(_("fin de la période"), null=True, blank=True)
    done_at = models.DateTimeField(_("fait le"), null=True, blank=True)
    skipped_at = models.DateTimeField(_("écarté le"), null=True, blank=True)
    skip_reason = models.TextField(_("motif de l'écart"), blank=True)
    # The review's or the committee's minutes, and the committee's decision.
    notes = models.TextField(_("compte rendu"), blank=True)
    outcome = models.CharField(_("décision"), max_length=20, choices=FinalOutcome, blank=True)
    next_phase = models.CharField(_("phase suivante"), max_length=20, choices=Phase, blank=True)
    created_at = models.DateTimeField(_("créé le"))

    class Meta:
        verbose_name = _("jalon")
        verbose_name_plural = _("jalons")
        ordering = ["laureate", "due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["laureate", "kind", "number"],
                condition=~models.Q(kind=MilestoneKind.ADHOC),
                name="milestone_generated_once",
            ),
            models.CheckConstraint(
                condition=models.Q(done_at__isnull=True) | models.Q(skipped_at__isnull=True),
                name="milestone_done_or_skipped",
            ),
            models.CheckConstraint(
                condition=models.Q(skipped_at__isnull=True) | ~models.Q(skip_reason=""),
                name="milestone_skip_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "due_on"], name="milestone_due_idx"),
        ]

    def __str__(self):
        return f"{self.title} — {self.laureate.name}"

    def get_absolute_url(self):
        return reverse(
            "cohorts:timeline",
            kwargs={"slug": self.laureate.cohort.slug, "pk": self.laureate_id},
        )

    @property
    def deadline(self) -> datetime:
        """The due date's last minute, Paris time: what reminders and mails speak of."""
        return datetime.combine(self.due_on, time(23, 59), PARIS)

    def state(self, today: date) -> str:
        if self.done_at is not None:
            return MilestoneState.DONE
        if self.skipped_at is not None:
            return MilestoneState.SKIPPED
        return MilestoneState.LATE if self.due_on < today else MilestoneState.UPCOMING


class Report(models.Model):
    """A monthly report of a laureate's team; the coach comments once it is submitted."""

    milestone = models.OneToOneField(
        Milestone, on_delete=models.CASCADE, related_name="report", verbose_name=_("jalon")
    )
    period_start = models.DateField(_("du"))
    period_end = models.DateField(_("au"))
    results = models.TextField(_("résultats"), blank=True)
    next_steps = models.TextField(_("prochaines étapes"), blank=True)
    blockers = models.TextField(_("points de blocage"), blank=True)
    status = models.CharField(_("état du projet"), max_length=10, choices=ReportStatus, blank=True)
    updated_at = models.DateTimeField(_("modifié le"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("déposé le"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    coach_comment = models.TextField(_("commentaire du coach"), blank=True)
    commented_at = models.DateTimeField(_("commenté le"), null=True, blank=True)
    commented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("point d'étape")
        verbose_name_plural = _("points d'étape")
        ordering = ["milestone"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_start__lte=models.F("period_end")),
                name="report_period_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(submitted_at__isnull=True) | ~models.Q(status=""),
                name="report_submitted_has_status",
            ),
        ]

    def __str__(self):
        return str(self.milestone)

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class ReportMessage(models.Model):
    """One message of the thread under a submitted report: the team answers its coach's
    comment, the coach (or the programme's staff) answers back."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("message"))
    from_team = models.BooleanField(_("de l'équipe du lauréat"), default=False)
    created_at = models.DateTimeField(_("envoyé le"))

    class Meta:
        verbose_name = _("message sur un point d'étape")
        verbose_name_plural = _("messages sur les points d'étape")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.report} — {self.created_at:%Y-%m-%d %H:%M}"


class IndicatorValue(models.Model):
    """The value of one of the programme's indicators in a report."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="values")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values")
    value = models.DecimalField(_("valeur"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("valeur d'indicateur")
        verbose_name_plural = _("valeurs d'indicateurs")
        ordering = ["report", "indicator__position", "indicator"]
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="indicator_value_once"),
        ]

    def __str__(self):
        return f"{self.indicator}: {self.value}"
