"""Every uploaded file is checked here, by its content, before anything keeps it.

`check(upload)` returns the file's clean name and the content type of what was checked, or
raises `TransitionError` with a French message the form shows next to its file field. The
name's extension must say what the content is; PDF files must parse (pypdf) and carry no
active content; OpenDocument and OOXML files are bounded zips with their declared type and
no macros; PNG and JPEG images pass Pillow's `verify()` and its decompression-bomb guard.
Nothing is expanded past `MAX_EXPANDED_BYTES`: a compression bomb is refused, not
unpacked. `content_type(name)` gives the type a checked file is served with.
"""

import io
import re
import unicodedata
import warnings
import zipfile
import zlib
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, StreamObject

from programme.exceptions import TransitionError

# What a proposal may carry: extension → (format's label, content type).
FORMATS = {
    "pdf": ("PDF", "application/pdf"),
    "odt": ("ODT", "application/vnd.oasis.opendocument.text"),
    "ods": ("ODS", "application/vnd.oasis.opendocument.spreadsheet"),
    "docx": (
        "DOCX",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xlsx": ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "png": ("PNG", "image/png"),
    "jpg": ("JPEG", "image/jpeg"),
    "jpeg": ("JPEG", "image/jpeg"),
}
ACCEPTED_LABEL = "PDF, ODT, ODS, DOCX, XLSX, PNG, JPEG"
# The `accept` attribute of every file field.
ACCEPT = (
    ",".join(f".{extension}" for extension in FORMATS)
    + ","
    + ",".join(sorted({content_type for _label, content_type in FORMATS.values()}))
)
# A name part a browser or a desktop would run or render, wherever it sits in the name.
DANGEROUS_PARTS = {
    "htm", "html", "xhtml", "shtml", "svg", "svgz", "xml", "xsl", "js", "mjs", "jse", "vbs",
    "vbe", "wsf", "hta", "exe", "com", "bat", "cmd", "scr", "msi", "dll", "ps1", "sh", "jar",
    "php", "phtml", "asp", "aspx", "jsp", "cgi", "pl", "py", "swf", "lnk", "url", "desktop",
    "docm", "xlsm", "pptm", "dotm", "xltm",
}  # fmt: skip

MAX_EXPANDED_BYTES = 32 * 1024 * 1024  # what a PDF's streams may inflate to, all together
MAX_ZIP_BYTES = 256 * 1024 * 1024  # what a zip's members declare, all together (never unpacked)
MAX_ZIP_MEMBERS = 2000
MAX_ZIP_RATIO = 200  # uncompressed / compressed, for a member over 1 Mo
MAX_IMAGE_PIXELS = 50_000_000
ODF_MIMETYPES = {
    "odt": b"application/vnd.oasis.opendocument.text",
    "ods": b"application/vnd.oasis.opendocument.spreadsheet",
}
OOXML_MAIN_TYPES = {
    "docx": b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}
# PDF names that start, launch or embed something.
ACTIVE_KEYS = {
    "/JS": "JavaScript",
    "/JavaScript": "JavaScript",
    "/OpenAction": "action",
    "/AA": "action",
    "/Launch": "action",
    "/EmbeddedFile": "embedded",
    "/EmbeddedFiles": "embedded",
    "/XFA": "XFA",
    "/RichMedia": "RichMedia",
    "/RichMediaContent": "RichMedia",
}
ACTIVE_ACTIONS = {
    "/JavaScript": "JavaScript",
    "/Launch": "action",
    "/ImportData": "action",
    "/SubmitForm": "action",
    "/RichMediaExecute": "RichMedia",
}
MARKUP = re.compile(rb"<\s*(!doctype|html|script|svg|body|iframe|object|embed)\b", re.IGNORECASE)


@dataclass(frozen=True)
class CheckedFile:
    name: str
    extension: str
    content_type: str


def content_type(name: str) -> str:
    """The type a checked file is served with (its extension was checked against it)."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return FORMATS.get(extension, ("", "application/octet-stream"))[1]


def check(upload: UploadedFile) -> CheckedFile:
    """The upload's clean name and type, or `TransitionError` saying why it is refused."""
    name, extension = _clean_name(upload.name or "")
    label = FORMATS[extension][0]
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if _kind_of(data) != label:
        raise TransitionError(
            _(
                "Le fichier « %(name)s » n'est pas un %(label)s : son contenu ne correspond pas à "
                "son extension. Formats acceptés : %(formats)s."
            )
            % {"name": name, "label": label, "formats": ACCEPTED_LABEL}
        )
    if label == "PDF":
        _check_pdf(name, data)
    elif extension in ODF_MIMETYPES:
        _check_opendocument(name, extension, data)
    elif extension in OOXML_MAIN_TYPES:
        _check_ooxml(name, extension, data)
    else:
        _check_image(name, label, data)
    return CheckedFile(name=name, extension=extension, content_type=FORMATS[extension][1])


def _clean_name(raw: str) -> tuple[str, str]:
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in raw):
        raise TransitionError(
            _("Le nom du fichier contient des caractères invisibles : renommez-le puis déposez-le.")
        )
    name = re.split(r"[/\\]", raw)[-1].strip().strip(".")[:255]
    parts = name.lower().split(".")
    extension = parts[-1] if len(parts) > 1 else ""
    if extension not in FORMATS:
        raise TransitionError(
            _(
                "Le fichier « %(name)s » n'est pas dans un format accepté (son nom doit finir par "
                "l'une de ces extensions : %(formats)s)."
            )
            % {"name": name or raw[:255], "formats": ACCEPTED_LABEL}
        )
    if DANGEROUS_PARTS.intersection(parts[1:-1]) or not parts[0]:
        raise TransitionError(
            _(
                "Le nom du fichier « %(name)s » contient une double extension : renommez-le (par "
                "exemple « budget.%(extension)s ») puis déposez-le à nouveau."
            )
            % {"name": name, "extension": extension}
        )
    return name, extension


def _kind_of(data: bytes) -> str | None:
    if data.startswith(b"%PDF-"):
        return "PDF"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    return None


def _zip_kind(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            mimetype = b""
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 100:
                mimetype = archive.read("mimetype").strip()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, zlib.error, NotImplementedError):
        return None
    for extension, declared in ODF_MIMETYPES.items():
        if mimetype == declared:
            return FORMATS[extension][0]
    if "[Content_Types].xml" in names and "word/document.xml" in names:
        return "DOCX"
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        return "XLSX"
    return None


def _refuse(name: str, what: str):
    messages = {
        "JavaScript": _(
            "Ce PDF contient du JavaScript : enregistrez-le sans contenu actif (imprimer en PDF) "
            "puis déposez-le à nouveau."
        ),
        "action": _(
            "Ce PDF déclenche une action à son ouverture : enregistrez-le sans contenu actif "
            "(imprimer en PDF) puis déposez-le à nouveau."
        ),
        "embedded": _(
            "Ce PDF contient des fichiers joints : enregistrez-le sans pièce incorporée (imprimer "
            "en PDF) puis déposez-le à nouveau."
        ),
        "XFA": _(
            "Ce PDF est un formulaire XFA : enregistrez-le en PDF simple (imprimer en PDF) puis "
            "déposez-le à nouveau."
        ),
        "RichMedia": _(
            "Ce PDF contient du contenu multimédia actif : enregistrez-le sans contenu actif "
            "(imprimer en PDF) puis déposez-le à nouveau."
        ),
        "markup": _(
            "Le fichier « %(name)s » contient une page web en plus du PDF : enregistrez-le à "
            "nouveau en PDF (imprimer en PDF) puis déposez-le."
        ),
        "bomb": _(
            "Le fichier « %(name)s » se décompresse en un volume démesuré : il est refusé. "
            "Enregistrez-le à nouveau (imprimer en PDF, ou « Enregistrer sous ») puis déposez-le."
        ),
        "unreadable": _(
            "Le fichier « %(name)s » est endommagé ou illisible : enregistrez-le à nouveau puis "
            "déposez-le."
        ),
        "macros": _(
            "Le fichier « %(name)s » contient des macros ou des scripts : enregistrez-le sans "
            "macros (au format %(formats)s) puis déposez-le à nouveau."
        ),
        "image": _(
            "L'image « %(name)s » est trop grande (plus de 50 millions de pixels) : réduisez-la "
            "puis déposez-la à nouveau."
        ),
    }
    raise TransitionError(messages[what] % {"name": name, "formats": ACCEPTED_LABEL})


def _inflate_bounded(data: bytes, budget: int) -> int | None:
    """How many bytes `data` inflates to, or None past `budget` (never expanded further)."""
    decompressor = zlib.decompressobj()
    produced = 0
    try:
        chunk = decompressor.decompress(data, budget + 1)
        produced += len(chunk)
        while decompressor.unconsumed_tail and produced <= budget:
            chunk = decompressor.decompress(decompressor.unconsumed_tail, budget + 1 - produced)
            if not chunk:
                break
            produced += len(chunk)
    except zlib.error:
        return 0  # a broken stream expands to nothing; pypdf reads it as it can
    return None if produced > budget else produced


def _check_pdf(name: str, data: bytes) -> None:
    if MARKUP.search(data[:4096]):
        _refuse(name, "markup")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            _refuse(name, "unreadable")
        _walk_pdf(name, reader)
        if len(reader.pages) == 0:
            _refuse(name, "unreadable")
    except TransitionError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError, OSError):
        _refuse(name, "unreadable")


def _walk_pdf(name: str, reader: PdfReader) -> None:
    budget = MAX_EXPANDED_BYTES
    seen: set[tuple[int, int]] = set()
    pending = [reader.trailer]
    for generation, objects in reader.xref.items():
        pending.extend(IndirectObject(idnum, generation, reader) for idnum in objects)
    pending.extend(IndirectObject(idnum, 0, reader) for idnum in reader.xref_objStm)
    while pending:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in seen:
                continue
            seen.add((item.idnum, item.generation))
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            for key, value in item.items():
                if key in ACTIVE_KEYS:
                    _refuse(name, ACTIVE_KEYS[key])
                if key == "/S" and value in ACTIVE_ACTIONS:
                    _refuse(name, ACTIVE_ACTIONS[value])
                if key == "/Subtype" and value == NameObject("/RichMedia"):
                    _refuse(name, "RichMedia")
                pending.append(value)
            if isinstance(item, StreamObject):
                filters = item.get("/Filter")
                if not isinstance(filters, ArrayObject):
                    filters = [filters]
                if "/FlateDecode" in filters or "/Fl" in filters:
                    expanded = _inflate_bounded(item._data, budget)
                    if expanded is None:
                        _refuse(name, "bomb")
                    budget -= expanded
        elif isinstance(item, ArrayObject):
            pending.extend(item)


def _open_zip(name: str, data: bytes) -> zipfile.ZipFile:
    archive = zipfile.ZipFile(io.BytesIO(data))
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        _refuse(name, "unreadable")
    if sum(member.file_size for member in members) > MAX_ZIP_BYTES:
        _refuse(name, "bomb")
    for member in members:
        if member.file_size > 1024 * 1024 and member.file_size > MAX_ZIP_RATIO * max(
            member.compress_size, 1
        ):
            _refuse(name, "bomb")
        if member.flag_bits & 0x1:  # encrypted: nothing can be checked inside
            _refuse(name, "unreadable")
    return archive


def _read_member(archive: zipfile.ZipFile, member: str) -> bytes:
    # Bounded: `_open_zip` checked every declared size, and zipfile stops at it (and its CRC).
    with archive.open(member) as stream:
        return stream.read(MAX_ZIP_BYTES + 1)


def _check_opendocument(name: str, extension: str, data: bytes) -> None:
    try:
        with _open_zip(name, data) as archive:
            names = archive.namelist()
            if any(n.startswith(("Basic/", "Scripts/")) or n.endswith(".xba") for n in names):
                _refuse(name, "macros")
            for part in ("content.xml", "styles.xml", "META-INF/manifest.xml"):
                if part in names:
                    text = _read_member(archive, part)
                    if b"script:event-listener" in text or b"office:script" in text:
                        _refuse(name, "macros")
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, zlib.error, NotImplementedError):
        _refuse(name, "unreadable")


def _check_ooxml(name: str, extension: str, data: bytes) -> None:
    try:
        with _open_zip(name, data) as archive:
            names = archive.namelist()
            types = _read_member(archive, "[Content_Types].xml")
            if OOXML_MAIN_TYPES[extension] not in types:
                _refuse(name, "unreadable")
            lowered = [n.lower() for n in names]
            if (
                b"macroEnabled" in types
                or b"vbaProject" in types
                or any(n.endswith(("vbaproject.bin", ".bin")) or "activex" in n for n in lowered)
            ):
                _refuse(name, "macros")
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, zlib.error, NotImplementedError):
        _refuse(name, "unreadable")


def _check_image(name: str, label: str, data: bytes) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format != label:
                    _refuse(name, "unreadable")
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    _refuse(name, "image")
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        _refuse(name, "image")
    except TransitionError:
        raise
    except (OSError, SyntaxError, ValueError):
        _refuse(name, "unreadable")
