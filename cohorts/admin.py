from django.contrib import admin

from .models import Cohort, Indicator, IndicatorValue, Laureate, Milestone, Report


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


# --- Follow-up ---------------------------------------------------------------------------------


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    """The indicators each programme asks in the monthly reports."""

    list_display = ["label", "unit", "programme", "position"]
    list_filter = ["programme"]
    search_fields = ["label"]


class ReportInline(admin.StackedInline):
    model = Report
    extra = 0
    fields = ["period_start", "period_end", "status", "results", "next_steps", "blockers",
              "submitted_at", "coach_comment"]  # fmt: skip
    readonly_fields = ["submitted_at"]


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    """Milestones are made and closed by the follow-up pages (audited); the admin reads them."""

    list_display = ["title", "laureate", "kind", "due_on", "done_at", "skipped_at"]
    list_filter = ["kind", "laureate__cohort"]
    search_fields = ["title", "laureate__name"]
    list_select_related = ["laureate"]
    raw_id_fields = ["laureate"]
    date_hierarchy = "due_on"
    inlines = [ReportInline]


class IndicatorValueInline(admin.TabularInline):
    model = IndicatorValue
    extra = 0


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["milestone", "status", "submitted_at", "commented_at"]
    list_filter = ["status", "milestone__laureate__cohort"]
    search_fields = ["milestone__laureate__name"]
    list_select_related = ["milestone__laureate"]
    raw_id_fields = ["milestone", "updated_by", "submitted_by", "commented_by"]
    inlines = [IndicatorValueInline]
