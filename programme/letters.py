"""Texts staff write with placeholders: grouped messages and the programme's own letters.

A placeholder is a word between braces, `{prénom}`; `fill` replaces each with its value for
one recipient, and `check` says, in French, which placeholder is unknown or has no value for
the chosen group, so the form shows it next to the field before anything is sent. Plain text
only: a text is never rendered as a Django template, so nothing a staff member types runs.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

PLACEHOLDER = re.compile(r"\{([^{}\s][^{}]{0,40})\}")

# Every placeholder the portal knows, with what it stands for (the form's help lists them).
PLACEHOLDERS: dict[str, str] = {
    "prénom": gettext_lazy("le prénom du destinataire"),
    "nom": gettext_lazy("le nom du destinataire"),
    "programme": gettext_lazy("le nom du programme"),
    "appel": gettext_lazy("l'édition de l'appel"),
    "date_limite": gettext_lazy("la date de clôture de l'appel"),
    "référence": gettext_lazy("la référence de la candidature"),
    "titre": gettext_lazy("le titre du projet"),
    "promotion": gettext_lazy("la promotion"),
    "montant": gettext_lazy("le montant accordé"),
    "motif": gettext_lazy("le motif de la décision"),
    "lieu": gettext_lazy("le lieu ou le lien de l'audition"),
    "durée": gettext_lazy("la durée de l'audition, en minutes"),
}


def names(text: str) -> list[str]:
    """The placeholders a text uses, in order, each once."""
    seen = []
    for name in PLACEHOLDER.findall(text or ""):
        if name not in seen:
            seen.append(name)
    return seen


def check(text: str, available: Iterable[str]) -> list[str]:
    """French errors for the placeholders of `text` that are unknown or not `available`."""
    available = set(available)
    errors = []
    for name in names(text):
        if name not in PLACEHOLDERS:
            errors.append(
                _("« {%(name)s} » n'est pas un espace réservé connu. Utilisez : %(known)s.")
                % {"name": name, "known": ", ".join(f"{{{known}}}" for known in PLACEHOLDERS)}
            )
        elif name not in available:
            errors.append(
                _("« {%(name)s} » n'a pas de valeur pour ce groupe de destinataires.")
                % {"name": name}
            )
    return errors


def fill(text: str, values: dict[str, str]) -> str:
    """`text` with each known placeholder replaced by its value (unknown ones left as typed)."""
    return PLACEHOLDER.sub(
        lambda match: str(values.get(match.group(1), match.group(0))), text or ""
    )


def help_text(available: Iterable[str] | None = None) -> str:
    """The placeholders one may use, for a form's help."""
    shown = [name for name in PLACEHOLDERS if available is None or name in set(available)]
    return _("Espaces réservés : %(list)s.") % {
        "list": " ; ".join(f"{{{name}}} ({PLACEHOLDERS[name]})" for name in shown)
    }


# --- The programme's letters -----------------------------------------------------------------


@dataclass(frozen=True)
class Letter:
    """A letter of the portal a programme may write in its own words."""

    label: str
    subject: str  # the default subject and text, with placeholders
    body: str
    placeholders: tuple[str, ...]


_PROPOSAL = ("prénom", "nom", "appel", "titre", "référence", "date_limite")
_AUDITION = (*_PROPOSAL, "lieu", "durée")

# The key is the reminder kind (`ReminderKind`) of the letters the reminder ledger sends, or
# the decision letter's name; `mail.render(..., programme=)` also looks a mail template's name
# up here, so a new mail becomes editable by adding one line.
LETTERS: dict[str, Letter] = {
    "submission_receipt": Letter(
        gettext_lazy("Accusé de réception d'une candidature"),
        gettext_lazy("Accusé de réception {référence} — {titre}"),
        gettext_lazy("Votre candidature « {titre} » à l'appel {appel} est déposée."),
        _PROPOSAL,
    ),
    "audition_convocation": Letter(
        gettext_lazy("Convocation à l'audition"),
        gettext_lazy("Convocation à l'audition — {appel}"),
        gettext_lazy(
            "Votre candidature « {titre} » à l'appel {appel} est retenue pour une audition "
            "devant le jury : le {date_limite}, durée {durée} minutes, {lieu}. L'invitation pour "
            "votre agenda est jointe (audition.ics)."
        ),
        _AUDITION,
    ),
    "audition_day_before": Letter(
        gettext_lazy("Rappel de l'audition, la veille"),
        gettext_lazy("Rappel : votre audition demain — {appel}"),
        gettext_lazy(
            "Rappel : l'audition de « {titre} » ({appel}) a lieu demain, le {date_limite}, "
            "durée {durée} minutes, {lieu}."
        ),
        _AUDITION,
    ),
    "draft_closing_7d": Letter(
        gettext_lazy("Rappel : brouillon, l'appel clôt dans 7 jours"),
        gettext_lazy("Rappel : l'appel {appel} clôt dans 7 jours"),
        gettext_lazy(
            "Votre candidature « {titre} » à l'appel {appel} est encore un brouillon. "
            "L'appel clôt le {date_limite}."
        ),
        _PROPOSAL,
    ),
    "draft_closing_1d": Letter(
        gettext_lazy("Rappel : brouillon, l'appel clôt demain"),
        gettext_lazy("Dernier jour : l'appel {appel} clôt demain"),
        gettext_lazy(
            "Dernier jour : votre candidature « {titre} » à l'appel {appel} n'est pas déposée. "
            "L'appel clôt le {date_limite} ; un brouillon n'est pas examiné."
        ),
        _PROPOSAL,
    ),
    "decision_selected": Letter(
        gettext_lazy("Décision : candidature lauréate"),
        gettext_lazy("{appel} : décision du jury sur « {titre} »"),
        gettext_lazy(
            "Le jury de l'appel {appel} a retenu votre candidature « {titre} » : elle est "
            "lauréate.\n{montant}\n\nMotif de la décision : {motif}\n\n"
            "L'équipe du programme vous remercie de votre engagement."
        ),
        ("appel", "titre", "référence", "montant", "motif"),
    ),
    "decision_not_selected": Letter(
        gettext_lazy("Décision : candidature non retenue"),
        gettext_lazy("{appel} : décision du jury sur « {titre} »"),
        gettext_lazy(
            "Le jury de l'appel {appel} n'a pas retenu votre candidature « {titre} ».\n\n"
            "Motif de la décision : {motif}\n\n"
            "L'équipe du programme vous remercie de votre engagement."
        ),
        ("appel", "titre", "référence", "motif"),
    ),
}


def overrides(programme_ids) -> dict:
    """The programmes' own letters, by (programme id, letter), in one query."""
    from .models import LetterTemplate

    ids = {pk for pk in programme_ids if pk}
    if not ids:
        return {}
    return {
        (template.programme_id, template.letter): template
        for template in LetterTemplate.objects.filter(programme_id__in=ids)
    }


def custom(programme, letter: str, values: dict) -> tuple[str, str] | None:
    """The programme's own subject and text of `letter`, filled with `values`, or None when
    the programme keeps the default."""
    if programme is None or letter not in LETTERS:
        return None
    template = overrides([getattr(programme, "pk", programme)]).get(
        (getattr(programme, "pk", programme), letter)
    )
    if template is None:
        return None
    return fill(template.subject, values), fill(template.body, values)
