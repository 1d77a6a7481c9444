from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .enums import (
    DeliveryState,
    GroupAudience,
    GroupMessageState,
    InvitationRole,
    ProgrammeRole,
    Region,
    ReminderKind,
    ReminderState,
    StructureType,
)


class Structure(models.Model):
    """A public body people work for: used for eligibility and conflicts of interest."""

    type = models.CharField(_("type de structure"), max_length=20, choices=StructureType)
    name = models.CharField(_("nom"), max_length=200)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    region = models.CharField(
        _("région"),
        max_length=3,
        choices=Region,
        blank=True,
        help_text=_("Vide pour une structure nationale."),
    )

    class Meta:
        verbose_name = _("structure")
        verbose_name_plural = _("structures")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("type", Lower("name"), name="structure_unique_type_name_ci"),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_type_display()})"


class PortalUserManager(UserManager):
    use_in_migrations = True

    def _create_user_object(self, username, email, password, **extra_fields):
        email = self.normalize_email(email).lower()
        return super()._create_user_object(username or email, email, password, **extra_fields)

    def create_user(self, email=None, password=None, **extra_fields):
        username = extra_fields.pop("username", None)
        return super().create_user(
            username or (email or "").lower(), email, password, **extra_fields
        )

    def create_superuser(self, email=None, password=None, **extra_fields):
        username = extra_fields.pop("username", None)
        return super().create_superuser(
            username or (email or "").lower(), email, password, **extra_fields
        )

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractUser):
    """A person of the portal, signed in by e-mail and password or through ProConnect.

    The e-mail (lower-cased) is the identity: ProConnect's `sub` differs from one
    identity provider to another, so accounts are matched by e-mail.
    """

    email = models.EmailField(_("adresse électronique"), unique=True)
    structure = models.ForeignKey(
        Structure,
        verbose_name=_("structure"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
    )
    job_title = models.CharField(_("fonction"), max_length=200, blank=True)
    proconnect_uid = models.CharField(_("identifiant ProConnect"), max_length=255, blank=True)
    proconnect_idp = models.CharField(_("fournisseur d'identité"), max_length=255, blank=True)
    wants_nudges = models.BooleanField(
        _("recevoir les rappels facultatifs"),
        default=True,
        help_text=_("Les avis d'échéance et de décision sont toujours envoyés."),
    )
    # Set when the person's data is anonymised (account deleted on request, or retention
    # period over); the row stays so that proposals and evaluations keep their counts.
    anonymised_at = models.DateTimeField(_("anonymisé le"), null=True, blank=True, editable=False)
    # Set when the person proved they read mail at this address (the signed link of
    # programme.accounts, a password reset, or ProConnect). Until then the account may not
    # sit on a jury, join a team or submit.
    email_verified_at = models.DateTimeField(
        _("adresse confirmée le"), null=True, blank=True, editable=False
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = PortalUserManager()

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        ordering = ["last_name", "first_name", "email"]

    def __str__(self):
        return self.get_full_name() or self.email

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        if not self.username:
            self.username = self.email
        super().save(*args, **kwargs)


class Programme(models.Model):
    """An intrapreneur programme run by an operator (Fabrique numérique, FAST, EIG, …)."""

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant d'adresse"), unique=True)
    short_name = models.CharField(_("sigle"), max_length=20, blank=True)
    operator = models.CharField(_("opérateur"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    followup_months = models.PositiveSmallIntegerField(_("durée du suivi (mois)"), default=6)
    team_min = models.PositiveSmallIntegerField(_("taille minimale d'équipe"), default=1)
    team_max = models.PositiveSmallIntegerField(_("taille maximale d'équipe"), default=4)
    reference_prefix = models.CharField(
        _("préfixe des références"),
        max_length=10,
        help_text=_("Début des références de dépôt, par exemple FN pour FN-2017-0042."),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="ProgrammeMembership", related_name="programmes"
    )

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(team_min__lte=models.F("team_max")),
                name="programme_team_bounds_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(followup_months__gte=1), name="programme_followup_positive"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("programme-detail", kwargs={"slug": self.slug})


class ProgrammeMembership(models.Model):
    """A person's role in a programme: staff manage it, coaches follow laureates."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("rôle"), max_length=10, choices=ProgrammeRole)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rôle dans un programme")
        verbose_name_plural = _("rôles dans les programmes")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "user", "role"], name="membership_unique_role"
            ),
        ]
        indexes = [models.Index(fields=["user", "role"])]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} — {self.programme}"


class AuditEntry(models.Model):
    """One line of the audit log: who did what to which object, from which state to which."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=100)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(_("identifiant de l'objet"), max_length=64)
    object_repr = models.CharField(_("objet"), max_length=300)
    from_state = models.CharField(_("état avant"), max_length=50, blank=True)
    to_state = models.CharField(_("état après"), max_length=50, blank=True)
    reason = models.TextField(_("motif"), blank=True)
    changes = models.JSONField(
        _("champs modifiés"),
        default=dict,
        blank=True,
        help_text=_("Pour chaque champ modifié : [ancienne valeur, nouvelle valeur]."),
    )
    at = models.DateTimeField(_("date"))

    class Meta:
        verbose_name = _("entrée du journal")
        verbose_name_plural = _("journal d'audit")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "-at"]),
            models.Index(fields=["action", "-at"]),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


class OutgoingMail(models.Model):
    """A mail of `programme.mail.send`, kept until it is sent (`programme.delivery`).

    Written in the same transaction as the change that sends it, then queued; if the
    broker is down or a worker dies, `programme.tasks.flush_outbox` queues it again, and
    the claim (pending → sending with a token) lets only one task send it. Sent rows are
    deleted after `OUTBOX_KEEP_DAYS`.
    """

    State = DeliveryState

    to = models.JSONField(_("destinataires"))
    key = models.CharField(
        _("clé d'unicité"),
        max_length=200,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Un second envoi avec la même clé n'écrit rien : un courriel par personne."),
    )
    subject = models.CharField(_("objet"), max_length=300)
    text = models.TextField(_("texte"))
    html = models.TextField(_("HTML"), blank=True)
    attachments = models.JSONField(
        _("pièces jointes"),
        default=list,
        blank=True,
        help_text=_("[{name, content_type, data (base64)}], joints tels quels à l'envoi."),
    )
    state = models.CharField(_("état"), max_length=10, choices=State, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("tentatives échouées"), default=0)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    created_at = models.DateTimeField(_("créé le"))
    next_attempt_at = models.DateTimeField(_("prochain essai"))
    claim = models.UUIDField(null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("courriel à envoyer")
        verbose_name_plural = _("courriels à envoyer")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self):
        return f"{self.subject} → {', '.join(self.to)}"


class Reminder(models.Model):
    """The ledger of reminders: one row per (kind, object, recipient, deadline), owed once.

    The object is generic (content type + id) because the kinds speak of different tables
    (proposals, evaluations, auditions, reports) and because the unique key must hold on
    non-null columns: with one nullable foreign key per table, SQLite and PostgreSQL < 15
    treat NULLs as distinct and the key would not protect anything. `call` and `cohort`
    are denormalised so the staff pages filter without joining through the object.
    `due` is the deadline the reminder speaks of: a deadline moved later is a new reminder.
    Delivered as every mail is (`programme.delivery`); written and sent by
    `programme.reminders`. The table keeps its name from when the ledger lived in cohorts.
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
        "calls.Call",
        verbose_name=_("appel"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
        db_index=False,  # the (call, created_at) index below starts with it
    )
    cohort = models.ForeignKey(
        "cohorts.Cohort",
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
        db_table = "cohorts_reminder"
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
            # The staff's reminder pages, newest first by keyset (cohorts.views.reminders).
            models.Index(fields=["call", "-created_at", "-id"], name="reminder_call_idx"),
            models.Index(fields=["cohort", "-created_at", "-id"], name="reminder_cohort_idx"),
            # The send task finds the rows it claimed by their token; only rows being sent
            # have one, so the index stays small however long the ledger grows.
            models.Index(
                fields=["claim"], name="reminder_claim_idx", condition=models.Q(claim__isnull=False)
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.recipient_id} — {self.due:%Y-%m-%d}"


class ProgrammeInvitation(models.Model):
    """An invitation mailed to an address: to the staff or the coaches of a programme, or to
    the jury of one of its calls. Kept so that staff see who has not answered yet (and since
    when), send it again or cancel it; the mailed link names the row, so a cancelled
    invitation's link no longer works."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="invitations"
    )
    call = models.ForeignKey(
        "calls.Call",
        verbose_name=_("appel"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="jury_invitations",
    )
    email = models.EmailField(_("adresse électronique"))
    role = models.CharField(_("rôle"), max_length=10, choices=InvitationRole)
    role_label = models.CharField(_("qualité"), max_length=200, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invité par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("invité le"))
    sent_at = models.DateTimeField(_("dernier envoi"))
    sent_count = models.PositiveSmallIntegerField(_("envois"), default=1)
    accepted_at = models.DateTimeField(_("acceptée le"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["programme", "accepted_at", "cancelled_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role=InvitationRole.JUROR, call__isnull=False)
                | (~models.Q(role=InvitationRole.JUROR) & models.Q(call__isnull=True)),
                name="programme_invitation_juror_has_a_call",
            ),
        ]

    def __str__(self):
        return f"{self.email} — {self.get_role_display()}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.cancelled_at is None


class GroupMessage(models.Model):
    """A message the staff write once to a group (teams of a call by state, a jury, the
    laureates of a promotion, the coaches), with placeholders filled per recipient
    (`programme.letters`); held as a draft for review, then sent once per person."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="messages"
    )
    audience = models.CharField(_("destinataires"), max_length=12, choices=GroupAudience)
    call = models.ForeignKey(
        "calls.Call",
        verbose_name=_("appel"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="group_messages",
    )
    proposal_states = models.JSONField(
        _("états des candidatures"),
        default=list,
        blank=True,
        help_text=_("Pour les équipes d'un appel : les états retenus (aucun : toutes)."),
    )
    cohort = models.ForeignKey(
        "cohorts.Cohort",
        verbose_name=_("promotion"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="group_messages",
    )
    subject = models.CharField(_("objet"), max_length=200)
    body = models.TextField(_("message"))
    state = models.CharField(
        _("état"), max_length=10, choices=GroupMessageState, default=GroupMessageState.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rédigé par"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("rédigé le"))
    updated_at = models.DateTimeField(_("modifié le"))
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    sent_count = models.PositiveIntegerField(_("courriels envoyés"), default=0)

    class Meta:
        verbose_name = _("message groupé")
        verbose_name_plural = _("messages groupés")
        ordering = ["-updated_at", "-pk"]

    def __str__(self):
        return self.subject

    @property
    def is_draft(self) -> bool:
        return self.state == GroupMessageState.DRAFT


class LetterTemplate(models.Model):
    """A programme's own text of one of its letters (a receipt, a decision, a convocation, a
    reminder; `programme.letters.LETTERS`), with placeholders; without one the portal's
    default text is used, and deleting it ("Rétablir le texte par défaut") goes back to it."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="letters"
    )
    letter = models.CharField(_("courrier"), max_length=40)
    subject = models.CharField(_("objet"), max_length=200)
    body = models.TextField(_("texte"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("modifié par"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("modifié le"))

    class Meta:
        verbose_name = _("modèle de courrier")
        verbose_name_plural = _("modèles de courriers")
        constraints = [
            models.UniqueConstraint(fields=["programme", "letter"], name="letter_template_unique"),
        ]

    def __str__(self):
        return f"{self.programme} — {self.letter}"
