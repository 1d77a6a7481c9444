from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CohortsConfig(AppConfig):
    name = "cohorts"
    verbose_name = _("Promotions et suivi")

    def ready(self):
        from programme import fragments

        # Registers this app's reminder rules with the one scan (programme.reminders).
        from . import reminders  # noqa: F401
        from .models import Cohort, Laureate

        # The promotion and programme pages (their fragments also key on the rows'
        # `updated_at`, which the services' guarded updates set).
        fragments.follow([Cohort, Laureate], "cohorts", "programmes")
