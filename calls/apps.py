from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    name = "calls"
    verbose_name = _("Appels à projets")

    def ready(self):
        from programme import fragments

        from .models import AuditionCriterion, Call, Criterion, Defi, Question

        # What the public call pages show; a call's edition and dates are also on the
        # programme and promotion pages.
        fragments.follow([Call], *fragments.PUBLIC_SCOPES)
        fragments.follow([Criterion, AuditionCriterion, Question, Defi], "calls")
