"""PDF documents the portal hands out: the receipt of a submission, the jury's dossier.

One small builder over ReportLab's Platypus (it installs from the package registries as a
wheel, with no system library): headings, paragraphs, question/answer pairs, tables, an
optional table of contents, page numbers. Text is plain: it is escaped here, never read as
markup, so an answer cannot inject anything into the document. The font is Bitstream Vera,
shipped inside ReportLab, embedded so that accents and « € » print and the text can be
searched and copied.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.tableofcontents import TableOfContents

_FONTS = Path(reportlab.__file__).parent / "fonts"
_REGULAR, _BOLD = "PortailVera", "PortailVera-Bold"


def _register_fonts() -> None:
    if _REGULAR in pdfmetrics.getRegisteredFontNames():
        return
    pdfmetrics.registerFont(TTFont(_REGULAR, str(_FONTS / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont(_BOLD, str(_FONTS / "VeraBd.ttf")))
    pdfmetrics.registerFontFamily(_REGULAR, normal=_REGULAR, bold=_BOLD)


def _text(value) -> str:
    """Plain text made safe for a Paragraph: escaped, line breaks kept, French spaces kept."""
    text = "" if value is None else str(value)
    # Vera has no narrow no-break space (used by the French number format): the ordinary
    # no-break space keeps the digits together just as well.
    text = text.replace("\u202f", "\u00a0")
    return escape(text).replace("\n", "<br/>")


_STYLES = {
    "title": {"fontName": _BOLD, "fontSize": 18, "leading": 22, "spaceAfter": 6 * mm},
    "h1": {
        "fontName": _BOLD,
        "fontSize": 14,
        "leading": 18,
        "spaceBefore": 5 * mm,
        "spaceAfter": 3 * mm,
    },
    "h2": {
        "fontName": _BOLD,
        "fontSize": 11.5,
        "leading": 15,
        "spaceBefore": 4 * mm,
        "spaceAfter": 2 * mm,
    },
    "body": {"fontName": _REGULAR, "fontSize": 10, "leading": 14, "spaceAfter": 2 * mm},
    "question": {"fontName": _BOLD, "fontSize": 10, "leading": 14, "spaceBefore": 2 * mm},
    "small": {
        "fontName": _REGULAR,
        "fontSize": 8.5,
        "leading": 11,
        "textColor": colors.HexColor("#3a3a3a"),
    },
    "cell": {"fontName": _REGULAR, "fontSize": 9, "leading": 12},
    "cell_bold": {"fontName": _BOLD, "fontSize": 9, "leading": 12},
}


@dataclass
class Document:
    """A PDF built piece by piece; `bytes()` lays it out.

    >>> doc = Document("Récépissé de dépôt", footer="Portail des programmes")
    >>> doc.heading("Votre proposition")
    >>> doc.answer("Titre", "Aidants connect")
    >>> data = doc.bytes()
    """

    title: str
    footer: str = ""
    contents: bool = False
    _flowables: list = field(default_factory=list)
    _styles: dict = field(default_factory=dict)

    def __post_init__(self):
        _register_fonts()
        self._styles = {name: ParagraphStyle(name, **spec) for name, spec in _STYLES.items()}
        self._flowables.append(Paragraph(_text(self.title), self._styles["title"]))
        if self.contents:
            toc = TableOfContents()
            toc.levelStyles = [
                ParagraphStyle("toc1", fontName=_REGULAR, fontSize=10, leading=14),
                ParagraphStyle(
                    "toc2", fontName=_REGULAR, fontSize=9, leading=12, leftIndent=8 * mm
                ),
            ]
            self._flowables += [Paragraph("Sommaire", self._styles["h1"]), toc, PageBreak()]

    def heading(self, text: str, level: int = 1) -> None:
        """A section title; with `contents=True`, listed in the table of contents."""
        paragraph = Paragraph(_text(text), self._styles["h1" if level == 1 else "h2"])
        paragraph.toc_level = 0 if level == 1 else 1
        self._flowables.append(paragraph)

    def paragraph(self, text: str, *, small: bool = False) -> None:
        self._flowables.append(Paragraph(_text(text), self._styles["small" if small else "body"]))

    def answer(self, question: str, answer) -> None:
        """A question in bold and its answer below, kept on one page when short."""
        shown = answer if answer not in (None, "") else "Non renseigné"
        self._flowables.append(
            KeepTogether(
                [
                    Paragraph(_text(question), self._styles["question"]),
                    Paragraph(_text(shown), self._styles["body"]),
                ]
            )
        )

    def table(self, header: list[str], rows: list[list], widths: list[float] | None = None) -> None:
        """A table with a bold header row, repeated at the top of each page."""
        cell, bold = self._styles["cell"], self._styles["cell_bold"]
        data = [[Paragraph(_text(value), bold) for value in header]]
        data += [[Paragraph(_text(value), cell) for value in row] for row in rows]
        table = Table(data, colWidths=[w * mm for w in widths] if widths else None, repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#929292")),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        self._flowables += [table, Spacer(1, 3 * mm)]

    def page_break(self) -> None:
        self._flowables.append(PageBreak())

    def bytes(self) -> bytes:
        buffer = io.BytesIO()
        template = _Template(
            buffer,
            pagesize=A4,
            leftMargin=18 * mm,
            rightMargin=18 * mm,
            topMargin=18 * mm,
            bottomMargin=20 * mm,
            title=self.title,
            author=self.footer,
            lang="fr-FR",
        )
        footer = self.footer

        def number_pages(canvas, document):
            canvas.saveState()
            canvas.setFont(_REGULAR, 8)
            canvas.drawString(18 * mm, 10 * mm, footer.replace("\u202f", "\u00a0"))
            canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"Page {document.page}")
            canvas.restoreState()

        build = template.multiBuild if self.contents else template.build
        build(list(self._flowables), onFirstPage=number_pages, onLaterPages=number_pages)
        return buffer.getvalue()


class _Template(SimpleDocTemplate):
    """Feeds the headings to the table of contents as they are laid out."""

    def afterFlowable(self, flowable):
        level = getattr(flowable, "toc_level", None)
        if level is not None:
            self.notify("TOCEntry", (level, flowable.getPlainText(), self.page))
