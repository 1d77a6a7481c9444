from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from programme.admin import BoundedSearchAdmin
from programme.exceptions import TransitionError

from . import services
from .models import (
    AuditionCriterion,
    Call,
    Criterion,
    Defi,
    EligibilityRule,
    JuryMember,
    Question,
    Theme,
)


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


class EligibilityRuleInline(admin.TabularInline):
    model = EligibilityRule
    extra = 0
    fields = ["kind", "values", "minimum", "maximum", "blocking", "explanation", "position"]


class ThemeInline(admin.TabularInline):
    """The call's list of themes (the assignment prefers jurors who share a proposal's)."""

    model = Theme
    extra = 0


class JuryMemberInline(admin.TabularInline):
    model = JuryMember
    extra = 0
    autocomplete_fields = ["user"]


def transition_action(name: str):
    """An admin action running the lifecycle transition `name` on each selected call.

    It goes through the service, as the staff's button does: guarded, audited, one call at
    a time; a refused call is named with the reason and the others still move.
    """
    _service, label = services.TRANSITIONS[name]

    @admin.action(description=label)
    def action(modeladmin, request, queryset):
        moved = 0
        for call in queryset.select_related("programme"):
            try:
                services.run_transition(call, name, by=request.user, now=timezone.now())
            except TransitionError as error:
                modeladmin.message_user(
                    request,
                    _("%(call)s : %(reason)s") % {"call": call.edition, "reason": error},
                    messages.ERROR,
                )
            else:
                moved += 1
        if moved:
            modeladmin.message_user(
                request,
                ngettext("%(n)s appel a changé d'état.", "%(n)s appels ont changé d'état.", moved)
                % {"n": moved},
                messages.SUCCESS,
            )

    action.__name__ = f"transition_{name}"
    return action


@admin.register(Call)
class CallAdmin(BoundedSearchAdmin):
    list_display = ["edition", "title", "programme", "kind", "state", "opens_at", "closes_at"]
    list_filter = ["programme", "kind", "state"]
    search_fields = ["edition", "title", "slug"]
    date_hierarchy = "closes_at"
    list_select_related = ["programme"]
    inlines = [CriterionInline, EligibilityRuleInline, ThemeInline, JuryMemberInline]
    # The state changes only through the actions below (the services' guards and audit). The
    # dates and the money rules too, on the call's own pages: a closing date moves into the
    # past only by "Clore maintenant" (with a reason), and an envelope changes with its audit.
    readonly_fields = [
        "state",
        "opens_at",
        "closes_at",
        "offers_funding",
        "envelope",
        "max_funding_share",
        "max_funding_amount",
    ]
    actions = [transition_action(name) for name in services.TRANSITIONS]


@admin.register(JuryMember)
class JuryMemberAdmin(BoundedSearchAdmin):
    list_display = ["user", "call", "role_label"]
    list_filter = ["call__programme"]
    search_fields = ["user__email", "user__last_name", "call__edition"]
    list_select_related = ["user", "call"]
    autocomplete_fields = ["user"]


@admin.register(Criterion)
class CriterionAdmin(BoundedSearchAdmin):
    list_display = ["name", "call", "weight", "scale_max", "position"]
    list_filter = ["call__programme"]
    search_fields = ["name", "description", "call__edition"]
    list_select_related = ["call"]


@admin.register(Question)
class QuestionAdmin(BoundedSearchAdmin):
    list_display = ["label", "call", "kind", "required", "position"]
    list_filter = ["kind", "required", "call__programme"]
    search_fields = ["label", "help_text", "call__edition"]
    list_select_related = ["call"]


@admin.register(Defi)
class DefiAdmin(BoundedSearchAdmin):
    list_display = ["title", "call", "host_structure", "position"]
    list_filter = ["call__programme", "call"]
    search_fields = ["title", "description", "profiles", "mentors"]
    list_select_related = ["call", "host_structure"]
    raw_id_fields = ["source_proposal"]
    autocomplete_fields = ["host_structure"]


@admin.register(AuditionCriterion)
class AuditionCriterionAdmin(BoundedSearchAdmin):
    list_display = ["name", "call", "weight", "scale_max", "position"]
    list_filter = ["call__programme"]
    search_fields = ["name", "description", "call__edition"]
    list_select_related = ["call"]
