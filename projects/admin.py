from django.contrib import admin

from .models import (
    Answer,
    Assignment,
    Attachment,
    Conflict,
    CorrectionRequest,
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
