"""The one spreadsheet module: French CSV for staff, clean cells, XLSX that always opens."""

import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from programme import spreadsheet


def _csv(header, rows, **kwargs) -> str:
    return "".join(spreadsheet.csv_lines(header, rows, **kwargs))


def test_staff_csv_reads_the_french_way():
    text = _csv(
        ["Note", "Montant (€)", "Déposée le", "Retenu"],
        [
            [
                0.1 + 0.2,
                Decimal("150000.00"),
                datetime(2026, 6, 1, 12, 5, tzinfo=ZoneInfo("UTC")),
                True,
            ]
        ],
    )

    assert text.startswith("\ufeff")
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0] == "Note;Montant (€);Déposée le;Retenu"
    # No float noise, comma decimals, whole euros without cents, Paris time, oui/non.
    assert lines[1] == "0,3;150000;01/06/2026 14:05;oui"


def test_open_data_csv_is_for_machines():
    text = _csv(["fin", "montant"], [[date(2026, 6, 30), Decimal("1234.50")]], french=False)

    assert text.lstrip("\ufeff").splitlines() == ["fin,montant", "2026-06-30,1234.5"]


def test_a_float_close_to_one_is_one():
    assert spreadsheet.safe_cell(0.9999999999999996) == 1


def test_formulas_and_control_characters_never_reach_a_cell():
    assert spreadsheet.safe_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert spreadsheet.safe_cell("Projet\x0bVert") == "ProjetVert"
    assert spreadsheet.safe_cell(["a", "=b"]) == "a ; =b"
    assert spreadsheet.safe_cell(-3) == -3  # a negative number is no formula


def test_an_xlsx_with_a_vertical_tab_opens_with_its_text():
    content = spreadsheet.xlsx_bytes("Suivi", ["Nom", "Note"], [["Lauréat\x0bun", 0.5]])

    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.title == "Suivi"
    assert [cell.value for cell in sheet[2]] == ["Lauréatun", 0.5]


def test_export_response_names_the_file_and_its_type():
    response = spreadsheet.export_response("xlsx", "suivi-fast-13", "Suivi", ["Nom"], [["A"]])

    assert response["Content-Type"] == spreadsheet.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="suivi-fast-13.xlsx"'
    csv_response = spreadsheet.export_response("csv", "suivi", "Suivi", ["Nom"], [["A"]])
    assert b"".join(csv_response.streaming_content).decode() == "\ufeffNom\r\nA\r\n"
