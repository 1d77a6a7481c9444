from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cohorts.enums import Phase
from cohorts.services import cohorts as services
from programme.exceptions import TransitionError

from .models import Cohort, Indicator, IndicatorValue, Laureate, Milestone, Report, ReportMessage


def _run_on_each(modeladmin, request, queryset, service, done: str, say=None, **kwargs) -> None:
    """Call `service` on each selected row; say how many it changed (`done`, with `n` and the
    values of `say`) and why the others were refused (guarded and audited like the pages,
    never a bare update)."""
    count = 0
    for obj in queryset:
        try:
            service(obj, by=request.user, now=timezone.now(), **kwargs)
        except TransitionError as error:
            modeladmin.message_user(request, f"{obj} : {error}", messages.ERROR)
        else:
            count += 1
    if count:
        modeladmin.message_user(request, done % {"n": count, **(say or {})}, messages.SUCCESS)


class LaureateInline(admin.TabularInline):
    """The cohort's laureates, read-only: they come from the selected proposals, and their
    phase and funding change through the laureate's edit page or the actions."""

    model = Laureate
    extra = 0
    fields = ["name", "mission", "phase", "funding_granted", "proposal", "host_structure"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["label", "programme", "starts_on", "ends_on", "published_at"]
    list_filter = ["programme"]
    search_fields = ["label", "slug"]
    readonly_fields = ["published_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["programme", "label", "slug", "starts_on", "ends_on", "published_at"]}),
        (
            _("Chiffres de sélection publiés (promotion sélectionnée avant le portail)"),
            {
                "fields": [
                    ("funnel_candidates", "funnel_auditioned", "funnel_selected"),
                    ("funnel_defis_proposed", "funnel_defis_auditioned", "funnel_defis_retained"),
                    "funnel_source",
                ],
                "description": _(
                    "Affichés sur la page publique de la promotion quand aucune candidature "
                    "n'est enregistrée dans le portail."
                ),
            },
        ),
        (None, {"fields": ["updated_at"]}),
    ]
    inlines = [LaureateInline]
    actions = ["publish", "unpublish"]

    @admin.action(description=_("Publier la liste des lauréats"))
    def publish(self, request, queryset):
        _run_on_each(
            self, request, queryset, services.publish_cohort, _("%(n)s promotion(s) publiée(s).")
        )

    @admin.action(description=_("Retirer la liste des lauréats des pages publiques"))
    def unpublish(self, request, queryset):
        _run_on_each(
            self,
            request,
            queryset,
            services.unpublish_cohort,
            _("%(n)s promotion(s) retirée(s)."),
            reason=_("Depuis l'administration"),
        )


def _phase_action(phase: Phase):
    def action(modeladmin, request, queryset):
        _run_on_each(
            modeladmin,
            request,
            queryset,
            services.set_phase,
            _("%(n)s lauréat(s) passé(s) en phase « %(phase)s »."),
            say={"phase": phase.label},
            phase=phase,
        )

    action.__name__ = f"move_to_{phase.name.lower()}"
    return admin.action(description=_("Passer en phase « %(phase)s »") % {"phase": phase.label})(
        action
    )


@admin.register(Laureate)
class LaureateAdmin(admin.ModelAdmin):
    list_display = ["name", "cohort", "phase", "funding_granted"]
    list_filter = ["phase", "cohort__programme", "cohort"]
    search_fields = ["name", "mission"]
    list_select_related = ["cohort"]
    raw_id_fields = ["proposal", "intrapreneur", "coach", "members", "mentors"]
    autocomplete_fields = ["host_structure"]
    # The phase moves through the actions; the funding through the laureate's edit page,
    # which checks the call's rules.
    readonly_fields = ["public_id", "phase", "funding_granted", "updated_at"]
    actions = [_phase_action(phase) for phase in Phase]


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
    readonly_fields = ["status", "submitted_at", "coach_comment"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    """Milestones are made and closed by the follow-up pages (audited); the admin reads them."""

    list_display = ["title", "laureate", "kind", "due_on", "done_at", "skipped_at"]
    list_filter = ["kind", "laureate__cohort"]
    search_fields = ["title", "laureate__name"]
    list_select_related = ["laureate"]
    raw_id_fields = ["laureate"]
    date_hierarchy = "due_on"
    readonly_fields = ["kind", "done_at", "skipped_at", "skip_reason", "outcome", "next_phase"]
    inlines = [ReportInline]


class ReportMessageInline(admin.TabularInline):
    """The thread under a report (team and coach), read only: written on the report's page."""

    model = ReportMessage
    extra = 0
    can_delete = False
    fields = ["created_at", "author", "from_team", "body"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class IndicatorValueInline(admin.TabularInline):
    model = IndicatorValue
    extra = 0


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["milestone", "status", "submitted_at", "commented_at"]
    list_filter = ["status", "milestone__laureate__cohort"]
    search_fields = ["milestone__laureate__name"]
    list_select_related = ["milestone__laureate"]
    raw_id_fields = ["milestone", "updated_by"]
    # Filed and commented through the follow-up pages (audited); the admin reads them.
    readonly_fields = [
        "status",
        "submitted_at",
        "submitted_by",
        "coach_comment",
        "commented_at",
        "commented_by",
    ]
    inlines = [IndicatorValueInline, ReportMessageInline]
