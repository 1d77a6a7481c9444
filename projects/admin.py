from django.contrib import admin

from .models import (
    Answer,
    Attachment,
    CorrectionRequest,
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
