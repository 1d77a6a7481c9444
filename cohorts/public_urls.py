"""The cohorts' pages, mounted at /cohortes/: public lists and open data at stable addresses,
and the staff's cohort desk (the reminders keep /rappels/)."""

from django.urls import path

from cohorts.views import desk as views
from cohorts.views import followup as followup_views

app_name = "cohorts"

urlpatterns = [
    path("", views.cohort_index, name="index"),
    path("former/<slug:programme_slug>/", views.cohort_create, name="create"),
    path("<slug:slug>/", views.cohort_detail, name="detail"),
    path("<slug:slug>/laureats.csv", views.cohort_csv, name="csv"),
    path("<slug:slug>/laureats.json", views.cohort_json, name="json"),
    path("<slug:slug>/pilotage/", views.cohort_manage, name="manage"),
    path("<slug:slug>/publication/", views.cohort_publication, name="publication"),
    path("<slug:slug>/laureats/<int:pk>/modifier/", views.laureate_edit, name="laureate-edit"),
    path("<slug:slug>/suivi/", followup_views.followup_dashboard, name="followup"),
    path("<slug:slug>/suivi/jalons/", followup_views.followup_start, name="followup-start"),
    path("<slug:slug>/laureats/<int:pk>/suivi/", followup_views.timeline, name="timeline"),
    path(
        "<slug:slug>/laureats/<int:pk>/jalons/ajouter/",
        followup_views.milestone_add,
        name="milestone-add",
    ),
    path("<slug:slug>/jalons/<int:pk>/point/", followup_views.report, name="report"),
    path(
        "<slug:slug>/jalons/<int:pk>/commentaire/",
        followup_views.report_comment,
        name="report-comment",
    ),
    path(
        "<slug:slug>/jalons/<int:pk>/ecarter/", followup_views.milestone_skip, name="milestone-skip"
    ),
    path(
        "<slug:slug>/jalons/<int:pk>/revue/",
        followup_views.milestone_review,
        name="milestone-review",
    ),
]
