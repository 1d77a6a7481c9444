from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Candidatures")

    def ready(self):
        # Registers this app's reminder rules with the one scan (programme.reminders).
        from . import reminders  # noqa: F401
