import uuid

from django.conf import settings
from django.db import models
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rules.contrib.models import RulesModelBase, RulesModelMixin

from calls.models import Call, Criterion, Defi, JuryMember, Question, Theme
from programme.models import Structure

from . import rules as proposal_rules
from .enums import (
    BidChoice,
    ConflictKind,
    ConflictType,
    DecisionMailState,
    DecisionOutcome,
    EvaluationState,
    ExportFormat,
    ExportStatus,
    ProposalState,
    Recommendation,
    TeamRole,
)
from .storage import private_storage


class Proposal(RulesModelMixin, models.Model, metaclass=RulesModelBase):
    """A team's answer to a call, from draft to decision."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="proposals")
    defi = models.ForeignKey(
        Defi,
        verbose_name=_("défi"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        help_text=_("Pour une candidature aux défis EIG : le défi choisi."),
    )
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
    # Optimistic concurrency: every save of the draft bumps it; a save from an older one fails.
    version = models.PositiveIntegerField(_("version"), default=1)
    sequence = models.PositiveIntegerField(_("numéro dans l'appel"), null=True, blank=True)
    reference = models.CharField(_("référence"), max_length=30, blank=True)
    ineligibility_reason = models.TextField(_("motif d'irrecevabilité"), blank=True)
    yearly_budget = models.DecimalField(
        _("budget annuel du projet (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    requested_amount = models.DecimalField(
        _("montant demandé (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(_("déposée le"), null=True, blank=True)
    # Set when the retention period is over: free texts, files and messages are replaced,
    # what the statistics read (state, call, structure, amounts, choices) stays.
    anonymised_at = models.DateTimeField(_("anonymisée le"), null=True, blank=True, editable=False)
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="proposals", verbose_name=_("thèmes")
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="TeamMember", related_name="proposals"
    )

    class Meta:
        verbose_name = _("candidature")
        verbose_name_plural = _("candidatures")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["call", "state"]),
            # The sorts of the staff list, for its keyset pages (projects.queries.proposals
            # STAFF_SORTS): the primary key breaks ties, so one scan serves a page.
            models.Index(fields=["call", "sequence", "id"], name="proposal_list_reference_idx"),
            models.Index(fields=["call", "submitted_at", "id"], name="proposal_list_submitted_idx"),
            models.Index(fields=["call", "title", "id"], name="proposal_list_title_idx"),
            models.Index(fields=["call", "state", "id"], name="proposal_list_state_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["reference"],
                condition=~models.Q(reference=""),
                name="proposal_unique_reference",
            ),
            models.UniqueConstraint(
                fields=["call", "sequence"], name="proposal_unique_sequence_per_call"
            ),
        ]
        rules_permissions = {
            "view": proposal_rules.can_view_proposal,
            "change": proposal_rules.is_team_member,
            "screen": proposal_rules.can_screen_proposal,
        }

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("projects:detail", kwargs={"public_id": self.public_id})


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


class Answer(models.Model):
    """A proposal's answer to one custom question of its call."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.JSONField(_("réponse"), null=True, blank=True)

    class Meta:
        verbose_name = _("réponse")
        verbose_name_plural = _("réponses")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "question"], name="answer_unique"),
        ]

    def __str__(self):
        return f"{self.question} — {self.proposal}"


def attachment_path(instance, filename):
    # Never the candidate's file name on disk: a random one, grouped by proposal.
    return f"proposals/{instance.proposal.public_id}/{uuid.uuid4().hex}.pdf"


class LiveAttachments(models.Manager):
    """The files a proposal holds now: not those replaced or removed since a submission."""

    def get_queryset(self):
        return super().get_queryset().filter(superseded_at__isnull=True)


class Attachment(models.Model):
    """A file joined to a proposal, kept in private storage.

    A file a submitted version holds is never deleted when the team replaces or removes it:
    it is marked superseded, so that version's file stays downloadable and its hash true.
    `objects` (and `proposal.attachments`) give the live files, `all_objects` every one.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attachments")
    # The question this file answers, when it was uploaded on the question itself.
    question = models.ForeignKey(
        Question,
        verbose_name=_("question"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    file = models.FileField(_("fichier"), upload_to=attachment_path, storage=private_storage)
    original_name = models.CharField(_("nom du fichier"), max_length=255)
    size = models.PositiveIntegerField(_("taille (octets)"))
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("déposé le"))
    superseded_at = models.DateTimeField(_("remplacé ou retiré le"), null=True, blank=True)

    all_objects = models.Manager()
    objects = LiveAttachments()

    class Meta:
        default_manager_name = "objects"  # proposal.attachments: the live files
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name


class ProposalVersion(models.Model):
    """One submission of a proposal, kept as it was sent, with its receipt."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("numéro"))
    content = models.JSONField(_("contenu déposé"))
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    reference = models.CharField(_("référence"), max_length=30)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("déposée le"))
    # The sworn statement ("J'atteste sur l'honneur…") ticked on the summary page.
    attested = models.BooleanField(_("attestation sur l'honneur"), default=False)

    class Meta:
        verbose_name = _("version déposée")
        verbose_name_plural = _("versions déposées")
        ordering = ["proposal", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "number"], name="version_unique_number"),
        ]

    def __str__(self):
        return f"{self.reference} v{self.number}"


class Invitation(models.Model):
    """An invitation to join a proposal's team, sent by e-mail with a signed link."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("adresse électronique"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("envoyée le"))
    accepted_at = models.DateTimeField(_("acceptée le"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} — {self.proposal}"


def message_file_path(instance, filename):
    # Never the sender's file name on disk: a random one, grouped by proposal.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"proposals/{instance.proposal.public_id}/messages/{uuid.uuid4().hex}.{extension}"


class Message(models.Model):
    """One message of the thread between the programme staff and a proposal's team."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("message"))
    from_staff = models.BooleanField(_("de l'équipe du programme"), default=False)
    created_at = models.DateTimeField(_("envoyé le"))
    # An optional file joined to the message, checked by its content (`programme.files`),
    # kept in private storage and served only through the proposal's checked view.
    file = models.FileField(
        _("pièce jointe"), upload_to=message_file_path, storage=private_storage, blank=True
    )
    file_name = models.CharField(_("nom du fichier"), max_length=255, blank=True)
    file_size = models.PositiveIntegerField(_("taille (octets)"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.author} — {self.created_at:%Y-%m-%d %H:%M}"


class CorrectionRequest(models.Model):
    """Staff ask the team to correct a submitted proposal before a deadline."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="correction_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.TextField(_("correction demandée"))
    deadline = models.DateTimeField(_("à renvoyer avant le"))
    requested_at = models.DateTimeField(_("demandée le"))
    sent_back_at = models.DateTimeField(_("renvoyée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("demande de correction")
        verbose_name_plural = _("demandes de correction")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal"],
                condition=models.Q(sent_back_at__isnull=True),
                name="correction_one_open_per_proposal",
            ),
        ]

    def __str__(self):
        return f"{self.proposal} — {self.deadline:%Y-%m-%d}"


class ExportJob(models.Model):
    """An export of a call's proposals, written by a task into private storage."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    format = models.CharField(_("format"), max_length=4, choices=ExportFormat)
    status = models.CharField(
        _("état"), max_length=10, choices=ExportStatus, default=ExportStatus.PENDING
    )
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="exports/", storage=private_storage, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("export de candidatures")
        verbose_name_plural = _("exports de candidatures")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.call} — {self.format}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, round(100 * self.done / self.total))


# --- The jury's work: conflicts, assignments, evaluations ------------------------------------


class Conflict(models.Model):
    """A conflict of interest between a juror and a proposal; active until lifted."""

    juror = models.ForeignKey(JuryMember, on_delete=models.CASCADE, related_name="conflicts")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="conflicts")
    kind = models.CharField(_("origine"), max_length=10, choices=ConflictKind)
    type = models.CharField(_("nature du conflit"), max_length=20, choices=ConflictType)
    reason = models.TextField(_("motif"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("déclaré le"))
    lifted_at = models.DateTimeField(_("levé le"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lift_reason = models.TextField(_("motif de la levée"), blank=True)

    class Meta:
        verbose_name = _("conflit d'intérêts")
        verbose_name_plural = _("conflits d'intérêts")
        ordering = ["-created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["juror", "proposal"],
                condition=models.Q(lifted_at__isnull=True),
                name="conflict_one_active_per_pair",
            ),
        ]

    def __str__(self):
        return f"{self.juror} ≠ {self.proposal}"


class Bid(models.Model):
    """A juror's wish to score a proposal or not, which the assignment follows when it can."""

    juror = models.ForeignKey(JuryMember, on_delete=models.CASCADE, related_name="bids")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="bids")
    choice = models.CharField(_("souhait"), max_length=10, choices=BidChoice)
    updated_at = models.DateTimeField(_("modifié le"))

    class Meta:
        verbose_name = _("souhait d'évaluation")
        verbose_name_plural = _("souhaits d'évaluation")
        constraints = [
            models.UniqueConstraint(fields=["juror", "proposal"], name="bid_unique"),
        ]

    def __str__(self):
        return f"{self.juror} : {self.proposal} ({self.choice})"


class Assignment(models.Model):
    """A proposal given to a juror to score."""

    juror = models.ForeignKey(JuryMember, on_delete=models.CASCADE, related_name="assignments")
    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="jury_assignments"
    )
    created_at = models.DateTimeField(_("attribuée le"))

    class Meta:
        verbose_name = _("attribution")
        verbose_name_plural = _("attributions")
        constraints = [
            models.UniqueConstraint(fields=["juror", "proposal"], name="assignment_unique"),
        ]

    def __str__(self):
        return f"{self.juror} → {self.proposal}"


class Evaluation(models.Model):
    """A juror's evaluation of an assigned proposal: a draft, then submitted and locked.

    `total` is the weighted mean of the criterion scores ("not applicable" left out),
    computed by the database when the evaluation is submitted.
    """

    assignment = models.OneToOneField(
        Assignment, on_delete=models.PROTECT, related_name="evaluation"
    )
    state = models.CharField(
        _("état"), max_length=10, choices=EvaluationState, default=EvaluationState.DRAFT
    )
    recommendation = models.CharField(
        _("recommandation"), max_length=5, choices=Recommendation, blank=True
    )
    comment = models.TextField(_("appréciation générale"), blank=True)
    total = models.FloatField(_("note globale pondérée"), null=True, blank=True)
    version = models.PositiveIntegerField(_("versions soumises"), default=0)
    updated_at = models.DateTimeField(_("modifiée le"))
    submitted_at = models.DateTimeField(_("soumise le"), null=True, blank=True)

    class Meta:
        verbose_name = _("évaluation")
        verbose_name_plural = _("évaluations")

    def __str__(self):
        return str(self.assignment)


class Score(models.Model):
    """A juror's score on one criterion; no value means "not applicable" (missing, not zero)."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    value = models.PositiveSmallIntegerField(_("note"), null=True, blank=True)
    comment = models.TextField(_("commentaire"), blank=True)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "criterion"], name="score_unique"),
        ]

    def __str__(self):
        return f"{self.criterion}: {self.value}"


class EvaluationVersion(models.Model):
    """Every submitted version of an evaluation, as it was, to compare before and after."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("numéro"))
    content = models.JSONField(_("contenu soumis"))
    submitted_at = models.DateTimeField(_("soumise le"))

    class Meta:
        verbose_name = _("version d'évaluation")
        verbose_name_plural = _("versions d'évaluation")
        ordering = ["evaluation", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "number"], name="evaluation_version_unique"
            ),
        ]

    def __str__(self):
        return f"{self.evaluation} v{self.number}"


# --- Auditions and deliberation --------------------------------------------------------------


class Audition(models.Model):
    """A shortlisted proposal's audition slot: when, how long, and where (room or video)."""

    proposal = models.OneToOneField(Proposal, on_delete=models.CASCADE, related_name="audition")
    starts_at = models.DateTimeField(_("début"))
    duration_minutes = models.PositiveSmallIntegerField(_("durée (minutes)"), default=30)
    room = models.CharField(_("salle"), max_length=200, blank=True)
    video_link = models.URLField(_("lien de visioconférence"), blank=True)
    # Bumped at each change, so the calendar invitation replaces the previous one.
    sequence = models.PositiveIntegerField(_("révision"), default=0)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("modifiée le"))

    class Meta:
        verbose_name = _("audition")
        verbose_name_plural = _("auditions")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=1), name="audition_duration_positive"
            ),
            models.CheckConstraint(
                condition=~models.Q(room="", video_link=""), name="audition_has_a_place"
            ),
        ]

    def __str__(self):
        return str(self.proposal)

    def get_absolute_url(self):
        return self.proposal.get_absolute_url()


class AuditionEvaluation(models.Model):
    """A juror's scores of one audition on the call's audition grid."""

    juror = models.ForeignKey(
        JuryMember, on_delete=models.CASCADE, related_name="audition_evaluations"
    )
    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="audition_evaluations"
    )
    comment = models.TextField(_("appréciation"), blank=True)
    # The weighted mean of the grid, once every criterion is scored; None until then.
    total = models.FloatField(_("note d'audition pondérée"), null=True, blank=True)
    updated_at = models.DateTimeField(_("modifiée le"))

    class Meta:
        verbose_name = _("évaluation d'audition")
        verbose_name_plural = _("évaluations d'audition")
        constraints = [
            models.UniqueConstraint(
                fields=["juror", "proposal"], name="audition_evaluation_unique"
            ),
        ]

    def __str__(self):
        return f"{self.juror} → {self.proposal}"


class AuditionScore(models.Model):
    evaluation = models.ForeignKey(
        AuditionEvaluation, on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(
        "calls.AuditionCriterion", on_delete=models.PROTECT, related_name="scores"
    )
    value = models.PositiveSmallIntegerField(_("note"))

    class Meta:
        verbose_name = _("note d'audition")
        verbose_name_plural = _("notes d'audition")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "criterion"], name="audition_score_unique"
            ),
        ]

    def __str__(self):
        return f"{self.criterion}: {self.value}"


class Decision(models.Model):
    """The jury's decision on a proposal, with its justification and, for a funding call,
    the amount granted. The team sees it once the call's results are published."""

    proposal = models.OneToOneField(Proposal, on_delete=models.CASCADE, related_name="decision")
    outcome = models.CharField(_("décision"), max_length=20, choices=DecisionOutcome)
    justification = models.TextField(_("justification"))
    amount_granted = models.DecimalField(
        _("montant accordé (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("décidée le"))

    class Meta:
        verbose_name = _("décision du jury")
        verbose_name_plural = _("décisions du jury")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_granted__isnull=True)
                | models.Q(amount_granted__gte=0, outcome=DecisionOutcome.SELECTED),
                name="decision_amount_only_when_selected",
            ),
        ]

    def __str__(self):
        return f"{self.proposal} — {self.get_outcome_display()}"


class DecisionMail(models.Model):
    """The decision mail to a team, a draft staff read and edit, then release together with
    the others; the reminder ledger sends it once to each member."""

    proposal = models.OneToOneField(
        Proposal, on_delete=models.CASCADE, related_name="decision_mail"
    )
    subject = models.CharField(_("objet"), max_length=200)
    body = models.TextField(_("message"))
    state = models.CharField(
        _("état"), max_length=10, choices=DecisionMailState, default=DecisionMailState.DRAFT
    )
    generated_at = models.DateTimeField(_("préparé le"))
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    edited_at = models.DateTimeField(_("modifié le"), null=True, blank=True)
    released_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("courrier de décision")
        verbose_name_plural = _("courriers de décision")
        indexes = [models.Index(fields=["state", "released_at"])]

    def __str__(self):
        return str(self.proposal)

    def get_absolute_url(self):
        return self.proposal.get_absolute_url()


# --- The jury's discussion and nudges ----------------------------------------------------------


class DiscussionPost(models.Model):
    """One message of a proposal's thread between its jurors and the programme's staff.

    Jurors read and write while the call is in its discussion phase; an `internal` note is
    the staff's alone and no juror ever reads it. When the call hides jurors' names, the
    pages and mails show a juror's pseudonym (`projects.queries.discussion.pseudonyms`).
    """

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="discussion_posts"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("message"))
    internal = models.BooleanField(_("note interne à l'équipe du programme"), default=False)
    from_staff = models.BooleanField(_("de l'équipe du programme"), default=False)
    created_at = models.DateTimeField(_("publié le"))

    class Meta:
        verbose_name = _("message de discussion du jury")
        verbose_name_plural = _("messages de discussion du jury")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["proposal", "created_at"])]

    def __str__(self):
        return f"{self.proposal} — {self.created_at:%Y-%m-%d %H:%M}"


class JuryNudge(models.Model):
    """Staff's on-demand reminder to a call's late jurors: one mail to each, once."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="jury_nudges")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    message = models.TextField(_("mot de l'équipe"), blank=True)
    recipients = models.PositiveIntegerField(_("jurés relancés"), default=0)
    sent_at = models.DateTimeField(_("envoyée le"))

    class Meta:
        verbose_name = _("relance des jurés")
        verbose_name_plural = _("relances des jurés")
        ordering = ["-sent_at", "-id"]

    def __str__(self):
        return f"{self.call} — {self.sent_at:%Y-%m-%d %H:%M}"


class RankingState(models.Model):
    """Where a call's stored ranking stands: `requested` counts the changes to what it reads
    (bumped in the same transaction as each change, `projects.services.rankings.changed`),
    `computed` is the count the stored rows reflect (None: never computed). Below `requested`,
    a refresh is on its way; `score_counts` holds, per criterion, how many counted scores took
    each value (the ranking page's charts)."""

    call = models.OneToOneField(
        Call, on_delete=models.CASCADE, primary_key=True, related_name="ranking_state"
    )
    requested = models.PositiveBigIntegerField(default=0)
    computed = models.PositiveBigIntegerField(null=True, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    score_counts = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("état du classement")
        verbose_name_plural = _("états du classement")

    def __str__(self):
        return f"{self.call} — {self.computed}/{self.requested}"

    @property
    def current(self) -> bool:
        return self.computed is not None and self.computed >= self.requested


class RankingRow(models.Model):
    """One proposal's line of its call's ranking, as `projects.queries.ranking.call_ranking`
    computes it from scratch, stored so that the ranking, the deliberation and the exports
    read a page of it by an index instead of aggregating the whole call on each request.

    The figures local to the proposal (raw mean, counts, spread, criterion means, and its mean
    z-score from its jurors' current figures) are rewritten in the transaction that changes
    its evaluations; the figures that depend on the whole call (the bias model, the ranks,
    the other proposals' z-scores) by the call's refresh (`projects.services.rankings`)."""

    proposal = models.OneToOneField(
        Proposal, on_delete=models.CASCADE, primary_key=True, related_name="ranking_row"
    )
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="ranking_rows")
    rank = models.PositiveIntegerField(_("rang"), null=True, blank=True)
    model = models.FloatField(_("score du modèle"), null=True, blank=True)
    model_count = models.PositiveIntegerField(default=0)
    band = models.FloatField(null=True, blank=True)
    z_mean = models.FloatField(_("moyenne centrée réduite"), null=True, blank=True)
    z_count = models.PositiveIntegerField(default=0)
    raw_mean = models.FloatField(_("moyenne pondérée brute"), null=True, blank=True)
    received = models.PositiveIntegerField(default=0)
    expected = models.PositiveIntegerField(default=0)
    spread = models.FloatField(_("désaccord"), null=True, blank=True)
    flagged = models.BooleanField(default=False)
    # The mean score on each criterion, by the criterion's id (absent: nobody scored it).
    criterion_means = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("ligne du classement")
        verbose_name_plural = _("lignes du classement")
        # The sorts of the ranking page (projects.queries.ranking.row_keys), each with the
        # rank then the proposal to break ties, so that one index scan serves a keyset page.
        # A rank in ascending order puts its NULLs last on both databases; the figures sorted
        # best first (DESC NULLS LAST, which SQLite cannot index) have their indexes on
        # PostgreSQL only, created by migration 0013.
        indexes = [
            models.Index(fields=["call", "rank", "proposal"], name="ranking_rank_idx"),
            models.Index(
                F("call"),
                F("received").desc(),
                F("rank"),
                F("proposal"),
                name="ranking_received_idx",
            ),
        ]

    def __str__(self):
        return f"{self.proposal} — {self.rank}"

    def means(self, criteria) -> list[float | None]:
        """The mean on each of `criteria`, in their order (None: nobody scored it)."""
        return [self.criterion_means.get(str(c.pk)) for c in criteria]
