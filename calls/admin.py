from django.contrib import admin

from .models import AuditionCriterion, Call, Criterion, Defi, JuryMember, Question


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


class JuryMemberInline(admin.TabularInline):
    model = JuryMember
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ["edition", "title", "programme", "kind", "state", "opens_at", "closes_at"]
    list_filter = ["programme", "kind", "state"]
    search_fields = ["edition", "title", "slug"]
    date_hierarchy = "closes_at"
    list_select_related = ["programme"]
    inlines = [CriterionInline, JuryMemberInline]


@admin.register(JuryMember)
class JuryMemberAdmin(admin.ModelAdmin):
    list_display = ["user", "call", "role_label"]
    list_filter = ["call__programme"]
    search_fields = ["user__email", "user__last_name", "call__edition"]
    list_select_related = ["user", "call"]
    autocomplete_fields = ["user"]


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ["name", "call", "weight", "scale_max", "position"]
    list_filter = ["call__programme"]
    search_fields = ["name", "description", "call__edition"]
    list_select_related = ["call"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["label", "call", "kind", "required", "position"]
    list_filter = ["kind", "required", "call__programme"]
    search_fields = ["label", "help_text", "call__edition"]
    list_select_related = ["call"]


@admin.register(Defi)
class DefiAdmin(admin.ModelAdmin):
    list_display = ["title", "call", "host_structure", "position"]
    list_filter = ["call__programme", "call"]
    search_fields = ["title", "description", "profiles", "mentors"]
    list_select_related = ["call", "host_structure"]
    raw_id_fields = ["source_proposal"]
    autocomplete_fields = ["host_structure"]


@admin.register(AuditionCriterion)
class AuditionCriterionAdmin(admin.ModelAdmin):
    list_display = ["name", "call", "weight", "scale_max", "position"]
    list_filter = ["call__programme"]
    search_fields = ["name", "description", "call__edition"]
    list_select_related = ["call"]
