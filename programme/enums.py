from django.db import models
from django.utils.translation import gettext_lazy as _


class StructureType(models.TextChoices):
    CENTRAL = "central", _("Administration centrale")
    DREAL = "dreal", _("DREAL")
    DIRM = "dirm", _("DIRM")
    DIR = "dir", _("DIR")
    LOCAL_AUTHORITY = "collectivite", _("Collectivité")
    OPERATOR = "operateur", _("Opérateur")
    OTHER = "autre", _("Autre")


class ProgrammeRole(models.TextChoices):
    STAFF = "staff", _("Équipe du programme")
    COACH = "coach", _("Coach ou tuteur")
