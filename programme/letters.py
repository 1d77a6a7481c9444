"""Texts staff write with placeholders: grouped messages and the programme's own letters.

A placeholder is a word between braces, `{prénom}`; `fill` replaces each with its value for
one recipient, and `check` says, in French, which placeholder is unknown or has no value for
the chosen group, so the form shows it next to the field before anything is sent. Plain text
only: a text is never rendered as a Django template, so nothing a staff member types runs.
"""

import re
from collections.abc import Iterable

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
