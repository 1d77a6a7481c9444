"""The staff pages of the reminders, mounted at /rappels/ (the cohorts' own pages keep
`cohorts/urls.py` and the `cohorts` namespace)."""

from django.urls import path

from cohorts.views import reminders as views

app_name = "reminders"

urlpatterns = [
    path("appels/<slug:slug>/", views.call_reminders, name="call"),
    path("promotions/<slug:slug>/", views.cohort_reminders, name="cohort"),
    path("<int:pk>/renvoyer/", views.resend, name="resend"),
]
