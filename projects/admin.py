from django.contrib import admin

from .models import (
    Answer,
    Assignment,
    Attachment,
    Audition,
    AuditionEvaluation,
    AuditionScore,
    Conflict,
    CorrectionRequest,
    Decision,
    DecisionMail,
    Evaluation,
    EvaluationVersion,
    ExportJob,
    Invitation,
    Message,
    Proposal,
    ProposalVersion,
    Score,
    TeamMember,
)


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    extra = 0
    autocomplete_fields = ["user"]


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    raw_id_fields = ["question"]


class VersionInline(admin.TabularInline):
    model = ProposalVersion
    extra = 0
    fields = ["number", "reference", "sha256", "submitted_by", "submitted_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["title", "call", "state", "reference", "submitted_at"]
    list_filter = ["state", "call__programme", "call"]
    search_fields = ["title", "reference", "summary"]
    list_select_related = ["call"]
    raw_id_fields = ["created_by", "defi"]
    autocomplete_fields = ["structure"]
    readonly_fields = ["public_id", "version", "sequence", "anonymised_at"]
    inlines = [TeamMemberInline, AnswerInline, VersionInline]


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["original_name", "proposal", "size", "uploaded_at"]
    raw_id_fields = ["proposal", "uploaded_by"]
    readonly_fields = ["sha256", "size"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "proposal", "created_at", "accepted_at"]
    raw_id_fields = ["proposal", "invited_by", "accepted_by"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["proposal", "author", "from_staff", "created_at"]
    raw_id_fields = ["proposal", "author"]


@admin.register(CorrectionRequest)
class CorrectionRequestAdmin(admin.ModelAdmin):
    list_display = ["proposal", "deadline", "requested_at", "sent_back_at"]
    raw_id_fields = ["proposal", "requested_by"]


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ["call", "format", "status", "done", "total", "created_at", "finished_at"]
    list_filter = ["status", "format"]
    list_select_related = ["call"]
    raw_id_fields = ["call", "requested_by"]
    readonly_fields = ["public_id", "done", "total", "error", "created_at", "finished_at"]


# The jury's work is changed through the jury pages (guards, audit log); the admin shows it.


@admin.register(Conflict)
class ConflictAdmin(admin.ModelAdmin):
    list_display = ["juror", "proposal", "kind", "type", "created_at", "lifted_at"]
    list_filter = ["kind", "type", "juror__call"]
    list_select_related = ["juror__user", "juror__call", "proposal"]
    raw_id_fields = ["juror", "proposal", "created_by", "lifted_by"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["juror", "proposal", "created_at"]
    list_filter = ["juror__call"]
    list_select_related = ["juror__user", "juror__call", "proposal"]
    raw_id_fields = ["juror", "proposal"]


class ScoreInline(admin.TabularInline):
    model = Score
    extra = 0
    raw_id_fields = ["criterion"]


# --- Auditions and deliberation --------------------------------------------------------------


@admin.register(Audition)
class AuditionAdmin(admin.ModelAdmin):
    list_display = ["proposal", "starts_at", "duration_minutes", "room", "video_link"]
    list_filter = ["proposal__call"]
    search_fields = ["proposal__title", "proposal__reference", "room"]
    list_select_related = ["proposal"]
    raw_id_fields = ["proposal", "scheduled_by"]
    date_hierarchy = "starts_at"


class AuditionScoreInline(admin.TabularInline):
    model = AuditionScore
    extra = 0
    raw_id_fields = ["criterion"]


class EvaluationVersionInline(admin.TabularInline):
    model = EvaluationVersion
    extra = 0
    fields = ["number", "submitted_at", "content"]
    readonly_fields = fields
    can_delete = False


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ["assignment", "state", "recommendation", "total", "version", "submitted_at"]
    list_filter = ["state", "recommendation", "assignment__juror__call"]
    list_select_related = ["assignment__juror__user", "assignment__proposal"]
    raw_id_fields = ["assignment"]
    readonly_fields = ["total", "version"]
    inlines = [ScoreInline, EvaluationVersionInline]


@admin.register(AuditionEvaluation)
class AuditionEvaluationAdmin(admin.ModelAdmin):
    list_display = ["proposal", "juror", "total", "updated_at"]
    list_filter = ["proposal__call"]
    search_fields = ["proposal__title", "juror__user__email"]
    list_select_related = ["proposal", "juror__user", "juror__call"]
    raw_id_fields = ["proposal", "juror"]
    inlines = [AuditionScoreInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Decisions and their mails change through the deliberation's services, which audit
    every change and check the funding limits; the admin only shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["proposal", "outcome", "amount_granted", "decided_by", "decided_at"]
    list_filter = ["outcome", "proposal__call"]
    search_fields = ["proposal__title", "proposal__reference", "justification"]
    list_select_related = ["proposal", "decided_by"]


@admin.register(DecisionMail)
class DecisionMailAdmin(ReadOnlyAdmin):
    list_display = ["proposal", "subject", "state", "generated_at", "released_at"]
    list_filter = ["state", "proposal__call"]
    search_fields = ["proposal__title", "subject"]
    list_select_related = ["proposal"]
