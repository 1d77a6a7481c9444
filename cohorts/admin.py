from django.contrib import admin

from .models import Cohort, Laureate


class LaureateInline(admin.TabularInline):
    model = Laureate
    extra = 0
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
    raw_id_fields = ["proposal"]
    autocomplete_fields = ["host_structure"]
