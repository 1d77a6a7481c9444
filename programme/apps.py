from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammeConfig(AppConfig):
    name = "programme"
    verbose_name = _("Programmes")

    def ready(self):
        from . import fragments
        from .models import Programme, Structure

        # A programme's name and a structure's name are on every public page.
        fragments.follow([Programme, Structure], *fragments.PUBLIC_SCOPES)
