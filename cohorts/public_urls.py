"""The cohorts' pages, mounted at /cohortes/: public lists and open data at stable addresses,
and the staff's cohort desk (the reminders keep /rappels/)."""

from django.urls import path

from . import cohort_views as views

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
]
