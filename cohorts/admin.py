from django.contrib import admin

from .models import Cohort, Laureate, Reminder


class LaureateInline(admin.TabularInline):
    model = Laureate
    extra = 0
    fields = ["name", "mission", "phase", "funding_granted", "proposal", "host_structure"]
    raw_id_fields = ["proposal"]
    autocomplete_fields = ["host_structure"]


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["label", "programme", "starts_on", "ends_on", "published_at"]
    list_filter = ["programme"]
    search_fields = ["label", "slug"]
    inlines = [LaureateInline]


@admin.register(Laureate)
class LaureateAdmin(admin.ModelAdmin):
    list_display = ["name", "cohort", "phase", "funding_granted"]
    list_filter = ["phase", "cohort__programme", "cohort"]
    search_fields = ["name", "mission"]
    list_select_related = ["cohort"]
    raw_id_fields = ["proposal", "intrapreneur", "coach", "members", "mentors"]
    autocomplete_fields = ["host_structure"]


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
