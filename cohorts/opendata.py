"""The open data of a published cohort: the same public fields in CSV and JSON.

Only what is about the project goes out (name, mission, phase, host structure, funding);
a person's name goes out only when staff ticked `intrapreneur_public`, and never an e-mail,
the team, the coach or the proposal.
"""

import csv
from collections.abc import Iterable, Iterator

# (column, description) — the README documents these.
FIELDS = [
    ("promotion", "identifiant de la promotion"),
    ("promotion_libelle", "libellé de la promotion"),
    ("programme", "nom du programme"),
    ("debut", "date de début du suivi (AAAA-MM-JJ)"),
    ("fin", "date de fin du suivi (AAAA-MM-JJ)"),
    ("nom", "nom public du lauréat"),
    ("mission", "mission en une ligne"),
    ("phase", "phase (vocabulaire beta.gouv)"),
    ("structure_accueil", "structure porteuse ou d'accueil"),
    ("financement_accorde_eur", "financement accordé en euros (FAST), vide sinon"),
    ("intrapreneur", "nom de l'intrapreneur, seulement si l'équipe du programme l'a rendu public"),
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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


def neutralise(value) -> str:
    """A spreadsheet would run a cell starting with = + - @ as a formula: quote it."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    def write(self, value):
        return value


def csv_lines(rows: Iterable[dict]) -> Iterator[str]:
    """The CSV, line by line, for a StreamingHttpResponse; a BOM first so spreadsheets read
    the accents as UTF-8."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield writer.writerow([name for name, _ in FIELDS])
    for row in rows:
        yield writer.writerow([neutralise(row[name]) for name, _ in FIELDS])
