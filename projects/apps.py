from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Candidatures")

    def ready(self):
        # Registers this app's reminder rules with the one scan (programme.reminders).
        # The jury's conflicts follow a structure changed on a profile (programme.signals).
        # A jury invitation resent from the programme's people page is mailed by the jury.
        from programme import people
        from programme.enums import InvitationRole
        from programme.signals import structure_changed

        from . import reminders  # noqa: F401
        from .services.jury import follow_structure_change, mail_jury_invitation

        structure_changed.connect(follow_structure_change, dispatch_uid="projects.conflicts")
        people.register_sender(InvitationRole.JUROR, mail_jury_invitation)
