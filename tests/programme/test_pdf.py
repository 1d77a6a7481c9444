"""The PDF builder: French text and amounts survive, answers are text, never markup."""

import io

from pypdf import PdfReader

from programme.pdf import Document


def text_of(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_french_text_and_amounts_can_be_read_back():
    doc = Document("Récépissé de dépôt", footer="Portail des programmes")
    doc.heading("Votre proposition")
    doc.answer("Montant demandé", "300\u202f000\u00a0€")
    doc.answer("Élément œuvré", "Déjà vu, à côté")
    text = text_of(doc.bytes())
    assert "Récépissé de dépôt" in text
    assert "300\u00a0000\u00a0€" in text or "300 000 €" in text
    assert "Déjà vu, à côté" in text
    assert "Page 1" in text


def test_an_answer_is_printed_as_typed_not_read_as_markup():
    doc = Document("Dossier")
    doc.answer("Résumé", "<b>gras</b> & <font size=40>énorme</font>")
    assert "<b>gras</b> & <font size=40>énorme</font>" in text_of(doc.bytes())


def test_a_table_of_contents_lists_the_sections_with_their_pages():
    doc = Document("Dossier du jury", contents=True)
    for number in range(1, 4):
        doc.heading(f"Proposition {number}")
        doc.table(["Critère", "Poids"], [["Impact", "3"], ["Faisabilité", "2"]])
        doc.page_break()
    text = text_of(doc.bytes())
    assert "Sommaire" in text
    assert text.count("Proposition 2") == 2  # in the contents and as a heading
