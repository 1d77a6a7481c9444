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


class Region(models.TextChoices):
    """The regions of France, for structures with a regional footprint."""

    AUVERGNE_RHONE_ALPES = "ara", _("Auvergne-Rhône-Alpes")
    BOURGOGNE_FRANCHE_COMTE = "bfc", _("Bourgogne-Franche-Comté")
    BRETAGNE = "bre", _("Bretagne")
    CENTRE_VAL_DE_LOIRE = "cvl", _("Centre-Val de Loire")
    CORSE = "cor", _("Corse")
    GRAND_EST = "ges", _("Grand Est")
    HAUTS_DE_FRANCE = "hdf", _("Hauts-de-France")
    ILE_DE_FRANCE = "idf", _("Île-de-France")
    NORMANDIE = "nor", _("Normandie")
    NOUVELLE_AQUITAINE = "naq", _("Nouvelle-Aquitaine")
    OCCITANIE = "occ", _("Occitanie")
    PAYS_DE_LA_LOIRE = "pdl", _("Pays de la Loire")
    PROVENCE_ALPES_COTE_D_AZUR = "pac", _("Provence-Alpes-Côte d'Azur")
    GUADELOUPE = "gua", _("Guadeloupe")
    GUYANE = "guy", _("Guyane")
    LA_REUNION = "reu", _("La Réunion")
    MARTINIQUE = "mar", _("Martinique")
    MAYOTTE = "may", _("Mayotte")


class DeliveryState(models.TextChoices):
    """Where a row of a mail ledger stands (`programme.delivery`)."""

    PENDING = "pending", _("À envoyer")
    SENDING = "sending", _("En cours d'envoi")
    SENT = "sent", _("Envoyé")
    FAILED = "failed", _("Échec")
