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


# Named groups of states, declared once on the enum (templates read them too).
# Visible to visitors:
CallState.public_states = frozenset(CallState) - {CallState.DRAFT}
# Results out (the laureates are public):
CallState.results_states = frozenset({CallState.RESULTS_PUBLISHED, CallState.ARCHIVED})
# Where the rules a candidate reads (dates, questions, eligibility) may still change:
CallState.rules_editable_states = frozenset({CallState.DRAFT, CallState.PUBLISHED})
# Where the criteria may still change: until the jury starts scoring.
CallState.criteria_editable_states = CallState.rules_editable_states | {CallState.CLOSED}
# Where the défis of a stage-1 call may still change: they are retained at its end.
CallState.defis_editable_states = frozenset(CallState) - {CallState.ARCHIVED}


class QuestionKind(models.TextChoices):
    SHORT_TEXT = "short_text", _("Texte court")
    LONG_TEXT = "long_text", _("Texte long")
    SINGLE_CHOICE = "single_choice", _("Choix unique")
    MULTIPLE_CHOICE = "multiple_choice", _("Choix multiple")
    NUMBER = "number", _("Nombre")
    YES_NO = "yes_no", _("Oui / non")
    FILE = "file", _("Fichier")


# Question kinds whose answer is picked from `Question.choices`.
CHOICE_KINDS = frozenset({QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE})
# Question kinds that accept a maximum length.
TEXT_KINDS = frozenset({QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT})


class ReviewPhase(models.TextChoices):
    """What jurors may see while the call is under review (staff switch it)."""

    WRITTEN = "written", _("Évaluation écrite (chacun note seul)")
    DISCUSSION = "discussion", _("Discussion (notes des autres visibles après sa propre note)")


class EligibilityKind(models.TextChoices):
    """What an eligibility condition of a call is about."""

    STRUCTURE_TYPE = "structure_type", _("Type de structure")
    REGION = "region", _("Région de la structure")
    TEAM_SIZE = "team_size", _("Taille de l'équipe")
    REQUESTED_AMOUNT = "requested_amount", _("Montant demandé")


# Conditions that list admitted values (the others give a minimum and a maximum).
EligibilityKind.list_kinds = frozenset({EligibilityKind.STRUCTURE_TYPE, EligibilityKind.REGION})
