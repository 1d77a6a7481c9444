from django.db import models
from django.utils.translation import gettext_lazy as _


class CallState(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    PUBLISHED = "published", _("Publié")
    CLOSED = "closed", _("Clos")
    REVIEW = "review", _("Évaluation")
    AUDITIONS = "auditions", _("Auditions")
    DELIBERATION = "deliberation", _("Délibération")
    RESULTS_PUBLISHED = "results_published", _("Résultats publiés")
    ARCHIVED = "archived", _("Archivé")


class CallKind(models.TextChoices):
    PROJECTS = "projects", _("Appel à projets")
    CHALLENGES = "challenges", _("Appel à défis (administrations)")
    CHALLENGE_APPLICATIONS = "challenge_applications", _("Candidatures aux défis")


# States in which the call is visible to visitors.
PUBLIC_STATES = frozenset(CallState) - {CallState.DRAFT}
