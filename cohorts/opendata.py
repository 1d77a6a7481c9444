"""The open data of a published cohort: the same public fields in CSV and JSON.

Only what is about the project goes out (name, mission, phase, host structure, funding);
a person's name goes out only when staff ticked `intrapreneur_public`, and never an e-mail,
the team, the coach or the proposal. The CSV is written by `programme/spreadsheet.py`, for
machines (`,` between columns, dot decimals), its cells cleaned like every export's.
"""

from django.utils.translation import gettext_lazy as _

# (column, description) — the README documents these.
FIELDS = [
    ("promotion", _("identifiant de la promotion")),
    ("promotion_libelle", _("libellé de la promotion")),
    ("programme", _("nom du programme")),
    ("debut", _("date de début du suivi (AAAA-MM-JJ)")),
    ("fin", _("date de fin du suivi (AAAA-MM-JJ)")),
    ("nom", _("nom public du lauréat")),
    ("mission", _("mission en une ligne")),
    ("phase", _("phase (vocabulaire beta.gouv)")),
    ("structure_accueil", _("structure porteuse ou d'accueil")),
    ("financement_accorde_eur", _("financement accordé en euros (FAST), vide sinon")),
    (
        "intrapreneur",
        _("nom de l'intrapreneur, seulement si l'équipe du programme l'a rendu public"),
    ),
]


def column_names() -> list[str]:
    """The columns of the CSV, in the documented order."""
    return [name for name, _description in FIELDS]


def public_row(cohort, laureate) -> dict:
    person = laureate.intrapreneur if laureate.intrapreneur_public else None
    return {
        "promotion": cohort.slug,
        "promotion_libelle": cohort.label,
        "programme": cohort.programme.name,
        "debut": cohort.starts_on.isoformat(),
        "fin": cohort.ends_on.isoformat(),
        "nom": laureate.name,
        "mission": laureate.mission,
        "phase": laureate.get_phase_display(),
        "structure_accueil": laureate.host_structure.name if laureate.host_structure else "",
        "financement_accorde_eur": _euros(laureate.funding_granted),
        "intrapreneur": person.get_full_name() if person else "",
    }


def _euros(amount):
    """Whole euros as an integer (255000), cents kept as a string ("1234.50"), None if unset."""
    if amount is None:
        return None
    return int(amount) if amount == amount.to_integral_value() else str(amount)
