import calendar
from datetime import date

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from calls.models import Call
from programme.models import Programme, Structure
from projects.models import Proposal

from .enums import Phase, ReminderKind, ReminderState


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


class Reminder(models.Model):
    """The ledger of reminders: one row per (kind, object, recipient, deadline), owed once.

    The object is generic (content type + id) because the kinds speak of different tables
    (proposals, evaluations, auditions, reports) and because the unique key must hold on
    non-null columns: with one nullable foreign key per table, SQLite and PostgreSQL < 15
    treat NULLs as distinct and the key would not protect anything. `call` and `cohort`
    are denormalised so the staff pages filter without joining through the object.
    `due` is the deadline the reminder speaks of: a deadline moved later is a new reminder.
    """

    kind = models.CharField(_("nature"), max_length=40, choices=ReminderKind)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField(_("identifiant de l'objet"))
    content_object = GenericForeignKey("content_type", "object_id")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("destinataire"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    due = models.DateTimeField(_("échéance"))
    call = models.ForeignKey(
        Call,
        verbose_name=_("appel"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
        db_index=False,  # the (call, created_at) index below starts with it
    )
    cohort = models.ForeignKey(
        Cohort,
        verbose_name=_("promotion"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
        db_index=False,  # the (cohort, created_at) index below starts with it
    )
    state = models.CharField(
        _("état"), max_length=10, choices=ReminderState, default=ReminderState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("tentatives échouées"), default=0)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    # The scan queues a pending row once this time has come: right away for a new row,
    # after a grace period when it was already queued (the broker may have lost it),
    # after the back-off when the mail server refused it.
    next_attempt_at = models.DateTimeField(_("prochain essai"))
    # A send task owns the rows carrying its token; another task cannot send them too.
    claim = models.UUIDField(null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("créé le"))
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("rappel")
        verbose_name_plural = _("rappels")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "content_type", "object_id", "recipient", "due"],
                name="reminder_owed_once",
            ),
            models.CheckConstraint(
                condition=~models.Q(state=ReminderState.SENT) | models.Q(sent_at__isnull=False),
                name="reminder_sent_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="reminder_scan_idx"),
            models.Index(fields=["call", "-created_at"], name="reminder_call_idx"),
            models.Index(fields=["cohort", "-created_at"], name="reminder_cohort_idx"),
            # The send task finds the rows it claimed by their token; only rows being sent
            # have one, so the index stays small however long the ledger grows.
            models.Index(
                fields=["claim"], name="reminder_claim_idx", condition=models.Q(claim__isnull=False)
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.recipient_id} — {self.due:%Y-%m-%d}"
