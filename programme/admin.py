from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import journal
from .models import (
    AuditEntry,
    GroupMessage,
    LetterTemplate,
    OutgoingMail,
    Programme,
    ProgrammeInvitation,
    ProgrammeMembership,
    Reminder,
    Structure,
    User,
)

# A longer search is no search: past SQLite's LIKE limit (50,000 bytes) it was a server error.
SEARCH_MAX_LENGTH = 200


class BoundedSearch:
    """The admin's search refuses a term longer than SEARCH_MAX_LENGTH, with a message."""

    def get_search_results(self, request, queryset, search_term):
        if len(search_term) > SEARCH_MAX_LENGTH:
            self.message_user(
                request,
                gettext("La recherche est limitée à %(n)s caractères : raccourcissez-la.")
                % {"n": SEARCH_MAX_LENGTH},
                messages.WARNING,
            )
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)


class BoundedSearchAdmin(BoundedSearch, admin.ModelAdmin):
    """The ModelAdmin of every list with a search box."""


@admin.register(Structure)
class StructureAdmin(BoundedSearchAdmin):
    list_display = ["name", "type", "siret"]
    list_filter = ["type"]
    search_fields = ["name", "siret"]


@admin.register(User)
class UserAdmin(BoundedSearch, BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "structure", "is_staff", "is_superuser"]
    list_filter = ["is_superuser", "is_active", "structure__type", "memberships__role"]
    search_fields = ["email", "first_name", "last_name", "structure__name"]
    list_select_related = ["structure"]
    autocomplete_fields = ["structure"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Identité"), {"fields": ["first_name", "last_name", "structure", "job_title"]}),
        (_("ProConnect"), {"fields": ["proconnect_uid", "proconnect_idp"]}),
        (_("Préférences"), {"fields": ["wants_nudges"]}),
        (
            _("Droits"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined", "anonymised_at"]}),
    ]
    readonly_fields = ["anonymised_at"]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


class MembershipInline(admin.TabularInline):
    model = ProgrammeMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Programme)
class ProgrammeAdmin(BoundedSearchAdmin):
    list_display = ["name", "operator", "followup_months", "reference_prefix"]
    search_fields = ["name", "operator"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(ProgrammeMembership)
class ProgrammeMembershipAdmin(BoundedSearchAdmin):
    list_display = ["user", "programme", "role", "created_at"]
    list_filter = ["role", "programme"]
    search_fields = ["user__email", "user__last_name", "programme__name"]
    list_select_related = ["user", "programme"]
    autocomplete_fields = ["user"]


@admin.register(AuditEntry)
class AuditEntryAdmin(BoundedSearchAdmin):
    list_display = ["at", "actor", "sentence", "object_repr"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr", "reason", "actor__email"]
    date_hierarchy = "at"
    list_select_related = ["actor", "content_type"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("action"))
    def sentence(self, entry):
        """The same French sentence as the Journal's, with the changed fields."""
        line = journal.describe(entry)
        text = line.sentence + (f" : {line.reason}" if line.reason else "")
        changes = " ; ".join(f"{c.label} : {c.old} → {c.new}" for c in line.changes)
        return f"{text} ({changes})" if changes else text


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "subject", "state", "attempts", "sent_at"]
    list_filter = ["state"]
    search_fields = ["subject", "to"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in OutgoingMail._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """The ledger, read-only: staff resend from the reminders' pages, which keep the rules."""

    list_display = ["kind", "recipient", "due", "state", "attempts", "sent_at", "call", "cohort"]
    list_filter = ["state", "kind", "call__programme"]
    search_fields = ["recipient__email", "recipient__last_name"]
    list_select_related = ["recipient", "call", "cohort"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ProgrammeInvitation)
class ProgrammeInvitationAdmin(BoundedSearchAdmin):
    """Read only: invitations are sent, resent and cancelled on the programme's people page."""

    list_display = ["email", "role", "programme", "call", "sent_at", "accepted_at", "cancelled_at"]
    list_filter = ["role", "programme"]
    search_fields = ["email"]
    list_select_related = ["programme", "call"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(GroupMessage)
class GroupMessageAdmin(BoundedSearchAdmin):
    """Read only: grouped messages are written, previewed and sent on the programme's pages."""

    list_display = ["subject", "programme", "audience", "state", "sent_at", "sent_count"]
    list_filter = ["state", "audience", "programme"]
    search_fields = ["subject"]
    list_select_related = ["programme"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(LetterTemplate)
class LetterTemplateAdmin(BoundedSearchAdmin):
    list_display = ["programme", "letter", "subject", "updated_at"]
    list_filter = ["programme", "letter"]
    search_fields = ["subject", "body"]
    list_select_related = ["programme"]
