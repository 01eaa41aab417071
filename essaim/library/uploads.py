"""What an uploaded file really is, decided from its bytes, never from its name.

Accepted: PDF, DOCX, ODT, PPTX, PNG, JPEG, GIF, WebP, and SVG without active content.
Refused with a message a person can read: executables and scripts, macro-enabled or legacy
Office files, active SVG, archives (nested or not), zip bombs, polyglots, empty or oversize
files. The text of documents is extracted for the search index: by the upload request
only as far as its checks need (`with_text=False`: a PDF's pages are not read for text, an
Office file's parts are parsed for forbidden XML either way), then in full by the task that
fills the index (services.py `resource_file_text_extract`).
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, replace

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.text import slugify
from django.utils.translation import gettext as _

from essaim.core.exceptions import ServiceError
from essaim.library import file_checks


@dataclass(frozen=True, slots=True)
class Inspected:
    kind: str  # pdf, docx, odt, pptx, png, jpeg, gif, webp, svg
    content_type: str
    extension: str
    text: str


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "svg": "image/svg+xml",
}
EXTENSIONS = {"jpeg": "jpg"}

EXECUTABLE_MAGIC = file_checks.EXECUTABLE_MAGIC  # one list of executable signatures
ARCHIVE_MAGIC = (
    b"\x1f\x8b",  # gzip
    b"7z\xbc\xaf\x27\x1c",
    b"Rar!\x1a\x07",
    b"BZh",
    b"\xfd7zXZ\x00",
    b"MSCF",  # cabinet
)
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ARCHIVE_NAMES = re.compile(r"\.(zip|jar|7z|rar|gz|tgz|bz2|xz|tar|cab|iso|apk|exe|dll|msi|bat|cmd|sh|js|vbs|ps1)$", re.I)
SVG_ROOT = re.compile(rb"<([\w.-]+:)?svg[\s>/]")
MACRO_PARTS = re.compile(r"(^|/)(vbaproject\.bin|vbadata\.xml)$|^basic/|^scripts/", re.I)


def refuse(message: str) -> ServiceError:
    return ServiceError(message, code="upload_refused")


def normalised_name(original: str, extension: str) -> str:
    """An ASCII, lower-case, dash-separated name ending with the detected type's extension."""
    stem = original.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    if "." in stem:
        stem = stem.rsplit(".", 1)[0]
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    stem = slugify(stem)[:80].strip("-") or "document"
    return f"{stem}.{extension}"


#: The kinds whose text goes to the search index (the others are images).
TEXT_KINDS = frozenset({"pdf", "docx", "odt", "pptx"})


def inspect_upload(name: str, data: bytes, *, with_text: bool = True) -> Inspected:
    """What the file is, or a refusal a person can read. `with_text=False` leaves
    `Inspected.text` empty and skips the reading that only the text needs."""
    inspected = _inspect(name, data, with_text=with_text)
    return inspected if with_text or not inspected.text else replace(inspected, text="")


def _inspect(name: str, data: bytes, *, with_text: bool) -> Inspected:
    limit = settings.LIBRARY_MAX_UPLOAD_BYTES
    if not data:
        raise refuse(_("Le fichier « %(name)s » est vide.") % {"name": name})
    if len(data) > limit:
        raise refuse(
            _("Le fichier « %(name)s » dépasse la taille maximale de %(limit)s.")
            % {"name": name, "limit": filesizeformat(limit)}
        )
    head = data[:16]
    if head.startswith(EXECUTABLE_MAGIC):
        raise refuse(_("« %(name)s » est un programme exécutable ou un script : refusé.") % {"name": name})
    if head.startswith(ARCHIVE_MAGIC):
        raise refuse(_("« %(name)s » est une archive compressée : les archives sont refusées.") % {"name": name})
    if head.startswith(OLE2_MAGIC):
        raise refuse(
            _(
                "« %(name)s » est un document Office ancien format (.doc, .xls, .ppt), qui peut contenir des "
                "macros : enregistrez-le en PDF, DOCX, ODT ou PPTX."
            )
            % {"name": name}
        )
    if head.startswith(b"%PDF-"):
        return _inspect_pdf(name, data, with_text=with_text)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _inspect_zip(name, data)
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return _image("png", data, name)
    if head.startswith(b"\xff\xd8\xff"):
        return _image("jpeg", data, name)
    if head.startswith((b"GIF87a", b"GIF89a")):
        return _image("gif", data, name)
    if head[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _image("webp", data, name)
    sniff = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if (sniff.startswith((b"<?xml", b"<svg")) or SVG_ROOT.match(sniff)) and SVG_ROOT.search(data[:4096].lower()):
        return _inspect_svg(name, data)
    raise refuse(
        _(
            "Le type du fichier « %(name)s » n’est pas reconnu d’après son contenu. Formats acceptés : PDF, "
            "DOCX, ODT, PPTX, PNG, JPEG, GIF, WebP, SVG."
        )
        % {"name": name}
    )


def _is_zip(data: bytes) -> bool:
    return zipfile.is_zipfile(io.BytesIO(data))


def _image(kind: str, data: bytes, name: str) -> Inspected:
    if _is_zip(data):
        raise refuse(_("« %(name)s » cache une archive dans une image : refusé.") % {"name": name})
    file_checks.check_image(name, kind, data)
    return Inspected(kind, CONTENT_TYPES[kind], EXTENSIONS.get(kind, kind), "")


def _inspect_pdf(name: str, data: bytes, *, with_text: bool) -> Inspected:
    if _is_zip(data):
        raise refuse(_("« %(name)s » est à la fois un PDF et une archive : refusé.") % {"name": name})
    import pypdf

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        file_checks.check_pdf(name, data, reader)
        pages = [page.extract_text() or "" for page in reader.pages[:200]] if with_text else []
    except ServiceError:
        raise
    except Exception as exc:  # pypdf raises many kinds of error on a damaged file
        raise refuse(_("« %(name)s » n’est pas un PDF lisible.") % {"name": name}) from exc
    return Inspected("pdf", CONTENT_TYPES["pdf"], "pdf", "\n".join(pages)[:500_000])


def _inspect_zip(name: str, data: bytes) -> Inspected:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, NotImplementedError, OSError, EOFError) as exc:
        raise refuse(_("« %(name)s » est une archive endommagée : refusé.") % {"name": name}) from exc
    if len(members) > 5000:
        raise refuse(_("« %(name)s » contient trop d’éléments : refusé.") % {"name": name})
    total = 0
    bomb = _("« %(name)s » se décompresse en un volume démesuré (bombe zip) : refusé.") % {"name": name}
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if total > settings.LIBRARY_MAX_UNCOMPRESSED_BYTES or (
            member.file_size > 1_000_000 and ratio > settings.LIBRARY_MAX_COMPRESSION_RATIO
        ):
            raise refuse(bomb)
        if member.flag_bits & 0x1:
            raise refuse(_("« %(name)s » contient des éléments chiffrés : refusé.") % {"name": name})
        if MACRO_PARTS.search(member.filename) or member.filename.lower().endswith((".docm", ".xlsm", ".pptm")):
            raise refuse(_("« %(name)s » contient des macros : les documents à macros sont refusés.") % {"name": name})
        if ARCHIVE_NAMES.search(member.filename):
            raise refuse(
                _("« %(name)s » contient une archive ou un programme (%(member)s) : refusé.")
                % {"name": name, "member": member.filename[:80]}
            )
    contents = file_checks.read_members(name, archive)
    kind = ""
    if "mimetype" in contents:
        if contents["mimetype"].strip() == b"application/vnd.oasis.opendocument.text":
            kind = "odt"
    elif "[Content_Types].xml" in contents:
        content_types = contents["[Content_Types].xml"]
        if b"macroEnabled" in content_types or b"vbaProject" in content_types:
            raise refuse(_("« %(name)s » contient des macros : les documents à macros sont refusés.") % {"name": name})
        if "word/document.xml" in contents:
            kind = "docx"
        elif "ppt/presentation.xml" in contents:
            kind = "pptx"
    if not kind:
        raise refuse(
            _("« %(name)s » est une archive : seuls les documents DOCX, ODT et PPTX sont acceptés.") % {"name": name}
        )
    file_checks.check_member_bytes(name, contents)
    if kind == "odt":
        file_checks.check_odf(name, contents)
    else:
        file_checks.check_ooxml(name, contents)
    return Inspected(kind, CONTENT_TYPES[kind], kind, _office_text(archive, kind, name))


def _xml_text(raw: bytes, name: str) -> str:
    forbidden = _("« %(name)s » contient des déclarations XML interdites : refusé.") % {"name": name}
    if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:
        raise refuse(forbidden)
    try:
        # defusedxml also catches what a byte search misses (e.g. a DOCTYPE in UTF-16).
        root = SafeET.fromstring(raw, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise refuse(forbidden) from exc
    except SafeET.ParseError as exc:
        raise refuse(_("« %(name)s » est un document endommagé : refusé.") % {"name": name}) from exc
    return " ".join(t.strip() for t in root.itertext() if t.strip())


def _office_text(archive: zipfile.ZipFile, kind: str, name: str) -> str:
    if kind == "docx":
        parts = ["word/document.xml"]
    elif kind == "odt":
        parts = ["content.xml"]
    else:
        slides = [n for n in archive.namelist() if re.fullmatch(r"ppt/slides/slide\d+\.xml", n)]
        parts = sorted(slides, key=lambda n: int(re.sub(r"\D", "", n) or 0))
    return "\n".join(_xml_text(archive.read(part), name) for part in parts if part in archive.namelist())[:500_000]


def _inspect_svg(name: str, data: bytes) -> Inspected:
    active = _("« %(name)s » est une image SVG active (script, gestionnaire d’événement ou lien) : refusé.") % {
        "name": name
    }
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise refuse(active)
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise refuse(active) from exc
    except SafeET.ParseError as exc:
        raise refuse(_("« %(name)s » n’est pas une image SVG valide.") % {"name": name}) from exc
    file_checks.check_svg(name, root)
    return Inspected("svg", CONTENT_TYPES["svg"], "svg", "")
