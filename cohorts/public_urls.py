"""The cohorts' pages, mounted at /cohortes/: public lists and open data at stable addresses,
and the staff's cohort desk (the reminders keep /rappels/)."""

from django.urls import path

from cohorts.views import desk, followup, public

app_name = "cohorts"

urlpatterns = [
    path("", public.cohort_index, name="index"),
    path("laureats.csv", public.all_csv, name="all-csv"),
    path("laureats.json", public.all_json, name="all-json"),
    path("schema.json", public.schema, name="schema"),
    path("catalogue.jsonld", public.catalogue_jsonld, name="catalogue-jsonld"),
    path("donnees-ouvertes/", public.catalogue, name="catalogue"),
    path("donnees-ouvertes/api/", public.api_documentation, name="api"),
    path("former/<slug:slug>/", desk.cohort_create, name="create"),
    path("<slug:slug>/", public.cohort_detail, name="detail"),
    path("<slug:slug>/laureats.csv", public.cohort_csv, name="csv"),
    path("<slug:slug>/laureats.json", public.cohort_json, name="json"),
    path("<slug:slug>/pilotage/", desk.cohort_manage, name="manage"),
    path("<slug:slug>/publication/", desk.cohort_publication, name="publication"),
    path("<slug:slug>/pilotage/selection/", desk.selection_figures, name="selection-figures"),
    path("<slug:slug>/journal/", desk.cohort_journal_page, name="journal"),
    path(
        "<slug:slug>/laureats/<int:pk>/journal/",
        desk.laureate_journal_page,
        name="laureate-journal",
    ),
    path("<slug:slug>/laureats/<int:pk>/modifier/", desk.laureate_edit, name="laureate-edit"),
    path("<slug:slug>/suivi/", followup.followup_dashboard, name="followup"),
    path("<slug:slug>/suivi/jalons/", followup.followup_start, name="followup-start"),
    path("<slug:slug>/laureats/<int:pk>/suivi/", followup.timeline, name="timeline"),
    path(
        "<slug:slug>/laureats/<int:pk>/messages/",
        followup.laureate_message,
        name="laureate-message",
    ),
    path(
        "<slug:slug>/laureats/<int:pk>/jalons/ajouter/",
        followup.milestone_add,
        name="milestone-add",
    ),
    path("<slug:slug>/jalons/<int:pk>/point/", followup.report, name="report"),
    path(
        "<slug:slug>/jalons/<int:pk>/point/auto/", followup.report_autosave, name="report-autosave"
    ),
    path(
        "<slug:slug>/jalons/<int:pk>/commentaire/",
        followup.report_comment,
        name="report-comment",
    ),
    path(
        "<slug:slug>/jalons/<int:pk>/messages/",
        followup.report_answer,
        name="report-answer",
    ),
    path("<slug:slug>/jalons/<int:pk>/ecarter/", followup.milestone_skip, name="milestone-skip"),
    path(
        "<slug:slug>/jalons/<int:pk>/revue/",
        followup.milestone_review,
        name="milestone-review",
    ),
]
