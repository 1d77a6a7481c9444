"""The open data of published cohorts: the same public fields in CSV and JSON, described by one
Table Schema (https://specs.frictionlessdata.io/table-schema/) published at /cohortes/schema.json.

Only what is about the project goes out (name, mission, phase, host structure, funding);
a person's name goes out only when staff ticked `intrapreneur_public`, and never an e-mail,
the team, the coach or the proposal. The CSV is written by `programme/spreadsheet.py`, for
machines (`,` between columns, dot decimals), its cells cleaned like every export's.
Every row carries `identifiant`, the laureate's UUID drawn once and never reused.
"""

import hashlib
import json

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cohorts.enums import Phase

SCHEMA_VERSION = "1.0.0"
LICENCE = {
    "name": "etalab-2.0",
    "title": "Licence Ouverte / Etalab 2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}
UUID_PATTERN = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"

# (column, type, description, constraints, example) — the schema, the CSV's header, the JSON's
# keys and the API page all come from here.
FIELDS = [
    ("identifiant", "string", _("identifiant du lauréat (UUID), stable et jamais réattribué"),
     {"required": True, "unique": True, "pattern": UUID_PATTERN},
     "0b6f3c2e-8d1a-4c5e-9f7b-2a4d6e8f0c1b"),
    ("promotion", "string", _("identifiant de la promotion (celui de son adresse)"),
     {"required": True, "pattern": "^[-a-zA-Z0-9_]+$"}, "fast-13"),
    ("promotion_libelle", "string", _("libellé de la promotion"), {"required": True}, "FAST 13"),
    ("programme", "string", _("nom du programme"), {"required": True}, "FAST"),
    ("debut", "date", _("date de début du suivi (AAAA-MM-JJ)"), {"required": True},
     "2023-11-06"),
    ("fin", "date", _("date de fin du suivi (AAAA-MM-JJ)"), {"required": True}, "2024-05-06"),
    ("nom", "string", _("nom public du lauréat"), {"required": True}, "Ma Cantine"),
    ("mission", "string", _("mission en une ligne"), {},
     "Accompagner les acteurs de la restauration collective."),
    ("phase", "string", _("phase (vocabulaire beta.gouv)"),
     {"required": True, "enum": [str(label) for label in Phase.labels]}, "Accélération"),
    ("structure_accueil", "string", _("structure porteuse ou d'accueil"), {},
     "Direction générale de la cohésion sociale"),
    ("siret_structure_accueil", "string",
     _("SIRET de la structure d'accueil (14 chiffres), vide s'il n'est pas connu"),
     {"pattern": "^[0-9]{14}$"}, "11000101300017"),
    ("financement_accorde_eur", "number", _("financement accordé en euros (FAST), vide sinon"),
     {"minimum": 0}, "255000"),
    ("intrapreneur", "string",
     _("nom de l'intrapreneur, seulement si l'équipe du programme l'a rendu public"), {},
     "Camille Martin"),
]  # fmt: skip


def column_names() -> list[str]:
    """The columns of the CSV, in the documented order."""
    return [field[0] for field in FIELDS]


def table_schema(url: str) -> dict:
    """The Table Schema of every laureates file, published at `url`."""
    return {
        "$schema": "https://frictionlessdata.io/schemas/table-schema.json",
        "name": "laureats-programmes-intrapreneuriat",
        "title": str(_("Lauréats des programmes d'intrapreneuriat de l'État")),
        "description": str(
            _("Une ligne par lauréat d'une promotion publiée : startup d'État ou défi.")
        ),
        "path": url,
        "version": SCHEMA_VERSION,
        "licenses": [LICENCE],
        "missingValues": [""],
        "primaryKey": ["identifiant"],
        "fields": [
            {
                "name": name,
                "title": name.replace("_", " "),
                "type": kind,
                "description": str(description),
                "example": example,
                "constraints": constraints,
            }
            for name, kind, description, constraints, example in FIELDS
        ],
    }


def producer(programme=None) -> str:
    """Who produces a file: a promotion's programme operator, else the portal's publisher."""
    if programme is not None:
        return programme.operator
    return getattr(settings, "OPEN_DATA_PUBLISHER", "") or str(
        _("Portail des programmes d'intrapreneuriat de l'État")
    )


def public_row(cohort, laureate) -> dict:
    person = laureate.intrapreneur if laureate.intrapreneur_public else None
    structure = laureate.host_structure
    return {
        "identifiant": str(laureate.public_id),
        "promotion": cohort.slug,
        "promotion_libelle": cohort.label,
        "programme": cohort.programme.name,
        "debut": cohort.starts_on.isoformat(),
        "fin": cohort.ends_on.isoformat(),
        "nom": laureate.name,
        "mission": laureate.mission,
        "phase": laureate.get_phase_display(),
        "structure_accueil": structure.name if structure else "",
        "siret_structure_accueil": structure.siret if structure else "",
        "financement_accorde_eur": _euros(laureate.funding_granted),
        "intrapreneur": person.get_full_name() if person else "",
    }


def json_document(*, title: str, producer: str, updated, schema_url: str, rows, **more) -> str:
    """A laureates JSON file: what it is (licence, producer, last update, schema), then its rows."""
    body = {
        "titre": title,
        **more,
        "licence": LICENCE["title"],
        "licence_url": LICENCE["path"],
        "producteur": producer,
        "derniere_mise_a_jour": updated.isoformat() if updated else None,
        "schema": schema_url,
        "champs": {field[0]: str(field[2]) for field in FIELDS},
        "laureats": list(rows),
    }
    return json.dumps(body, ensure_ascii=False, indent=2)


def etag(*parts) -> str:
    """A strong validator for a file whose content follows from `parts` (and the schema)."""
    text = ":".join(str(part) for part in (SCHEMA_VERSION, *parts))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _euros(amount):
    """Whole euros as an integer (255000), cents as a number with two decimals, None if unset."""
    if amount is None:
        return None
    return int(amount) if amount == amount.to_integral_value() else float(amount)
