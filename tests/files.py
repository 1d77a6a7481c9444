"""Real files of every accepted format, built in memory (no binary fixture in the repository)."""

import io
import zipfile

import openpyxl
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject


def pdf(extra_root: dict | None = None) -> bytes:
    """A one-page PDF; `extra_root` adds entries to its catalogue (an action, a script...)."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if extra_root:
        writer._root_object.update({NameObject(key): value for key, value in extra_root.items()})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_with_javascript() -> bytes:
    """A PDF whose document-level JavaScript runs when it is opened."""
    script = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('hello');"),
        }
    )
    tree = DictionaryObject(
        {NameObject("/Names"): ArrayObject([TextStringObject("hello"), script])}
    )
    return pdf({"/Names": DictionaryObject({NameObject("/JavaScript"): tree})})


def pdf_with_open_action() -> bytes:
    action = DictionaryObject(
        {
            NameObject("/S"): NameObject("/URI"),
            NameObject("/URI"): TextStringObject("https://example.org/"),
        }
    )
    return pdf({"/OpenAction": action})


PDF = pdf()


def png(size=(4, 3)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "blue").save(buffer, "PNG")
    return buffer.getvalue()


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "red").save(buffer, "JPEG")
    return buffer.getvalue()


def xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Budget"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _zip(members: dict[str, bytes], *, stored_first: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if stored_first:
            archive.writestr(stored_first, members[stored_first], zipfile.ZIP_STORED)
        for name, content in members.items():
            if name != stored_first:
                archive.writestr(name, content)
    return buffer.getvalue()


DOCX_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    b"</Types>"
)
DOCX_MACROS = {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0 macros"}
ODF_MACROS = {"Basic/Standard/Module1.xml": b"<script:module/>"}


def docx(*, macros: bool = False, bomb: bool = False) -> bytes:
    """A DOCX; with `bomb`, one part would unpack to 50 Mo of zeros."""
    zeros = {"word/media/zeros.xml": b"\0" * (50 * 1024 * 1024)} if bomb else {}
    return _zip(
        {
            "[Content_Types].xml": DOCX_TYPES,
            "_rels/.rels": b'<?xml version="1.0"?><Relationships/>',
            "word/document.xml": b'<?xml version="1.0"?><w:document/>',
        }
        | (DOCX_MACROS if macros else {})
        | zeros
    )


def opendocument(kind: str = "text", *, macros: bool = False) -> bytes:
    return _zip(
        {
            "mimetype": f"application/vnd.oasis.opendocument.{kind}".encode(),
            "content.xml": b'<?xml version="1.0"?><office:document-content/>',
            "META-INF/manifest.xml": b'<?xml version="1.0"?><manifest:manifest/>',
        }
        | (ODF_MACROS if macros else {}),
        stored_first="mimetype",
    )


def flate_bomb_pdf() -> bytes:
    """A small PDF whose one stream would inflate to 200 Mo of zeros."""
    import zlib

    compressor = zlib.compressobj(9)
    chunk = b"\0" * (1024 * 1024)
    body = b"".join(compressor.compress(chunk) for _ in range(200)) + compressor.flush()
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    base = buffer.getvalue()
    # Append the stream as a new object with an incremental update.
    reader_offset = len(base)
    obj = (
        b"99 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(body)
        + body
        + b"\nendstream\nendobj\n"
    )
    start = base.rfind(b"startxref")
    previous = int(base[start + 9 :].split()[0])
    xref_at = reader_offset + len(obj)
    trailer = (
        b"xref\n99 1\n%010d 00000 n \ntrailer\n<< /Size 100 /Root 3 0 R /Prev %d >>\n"
        b"startxref\n%d\n%%%%EOF\n" % (reader_offset, previous, xref_at)
    )
    return base + obj + trailer
