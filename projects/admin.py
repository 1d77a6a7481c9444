from django.contrib import admin

from .models import (
    Answer,
    Attachment,
    Audition,
    AuditionEvaluation,
    AuditionScore,
    CorrectionRequest,
    Decision,
    DecisionMail,
    Invitation,
    Message,
    Proposal,
    ProposalVersion,
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
    readonly_fields = ["public_id", "version", "sequence"]
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
