from django.contrib import admin

from .models import Proposal, TeamMember


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["title", "call", "state", "reference", "submitted_at"]
    list_filter = ["state", "call__programme", "call"]
    search_fields = ["title", "reference", "summary"]
    list_select_related = ["call"]
    raw_id_fields = ["created_by"]
    autocomplete_fields = ["structure"]
    inlines = [TeamMemberInline]
