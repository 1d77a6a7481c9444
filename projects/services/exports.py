"""The export of a call's proposals with all their answers, as CSV or XLSX."""

import csv
import io
from collections.abc import Callable
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils.timezone import localtime

from calls.models import Call
from programme.spreadsheet import safe_cell, safe_row
from projects.enums import ExportFormat
from projects.queries.proposals import for_export

CHUNK = 200


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, list):
        return " ; ".join(str(v) for v in value)
    if isinstance(value, int | float | Decimal):
        return value  # a number stays a number (a negative one is no formula)
    return str(value)


def _safe(text):
    # A cell starting with = + - @ (or a tab, a return) would run as a formula.
    return safe_cell(text)


def rows(call: Call, progress: Callable[[int, int], object] | None = None):
    """The header, then one row per submitted proposal; `progress(done, total)` as it goes."""
    questions = list(call.questions.all())
    yield safe_row(
        [
            "Référence",
            "Titre",
            "État",
            "Structure",
            "Type de structure",
            "Défi",
            "Équipe",
            "Courriels",
            "Budget annuel (€)",
            "Montant demandé (€)",
            "Déposée le",
            "Motif d'irrecevabilité",
            "Résumé",
            *[q.label for q in questions],
        ]
    )
    queryset = for_export(call)
    total = queryset.count()
    for done, proposal in enumerate(queryset.iterator(chunk_size=CHUNK), start=1):
        answers = {a.question_id: a.value for a in proposal.answers.all()}
        team = list(proposal.team.all())
        yield [
            _safe(_cell(v))
            for v in [
                proposal.reference,
                proposal.title,
                proposal.get_state_display(),
                proposal.structure.name if proposal.structure_id else "",
                proposal.structure.get_type_display() if proposal.structure_id else "",
                proposal.defi.title if proposal.defi_id else "",
                ", ".join(m.user.get_full_name() or m.user.email for m in team),
                ", ".join(m.user.email for m in team),
                proposal.yearly_budget,
                proposal.requested_amount,
                f"{localtime(proposal.submitted_at):%d/%m/%Y %H:%M}"
                if proposal.submitted_at
                else "",
                proposal.ineligibility_reason,
                proposal.summary,
                *[answers.get(q.pk) for q in questions],
            ]
        ]
        if progress and (done % CHUNK == 0 or done == total):
            progress(done, total)
    if progress and total == 0:
        progress(0, 0)


def build(call: Call, fmt: str, progress=None) -> ContentFile:
    if fmt == ExportFormat.CSV:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        for row in rows(call, progress):
            writer.writerow(row)
        # The BOM lets spreadsheet software read the accents right.
        return ContentFile(("\ufeff" + buffer.getvalue()).encode())
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Candidatures")
    for row in rows(call, progress):
        sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return ContentFile(output.getvalue())
