"""Structural checks of uploaded documents, decided on what the file *is* once parsed.

`uploads.inspect_upload` types a file from its first bytes; the functions here then look
inside it the way a moderator's desktop software would read it:

- PDF: every object pypdf resolves (including those packed in compressed object streams,
  with names already decoded from `#xx` escapes) and every name written in the raw file;
  actions that run or fetch without a click are refused, links are allowed to http(s) and
  mailto only.
- OOXML (DOCX, PPTX): every relationship of every `.rels` part; an external target is
  allowed only for a hyperlink to http(s)/mailto; attached templates, OLE objects, ActiveX,
  frames, sub-documents and imported chunks are refused; fields that fetch or execute
  (DDE, INCLUDETEXT, INCLUDEPICTURE, LINK…) are refused.
- ODF (ODT): links and embedded objects of every XML part, event listeners, OLE objects.
- Every archive member: a safe name, a known compression, a correct CRC, XML parts parsed
  without DTD, and bytes that match what the member claims to be (an image is an image).
- Images: decoded header and structure (Pillow), bounded pixel count, no payload behind.
- SVG: an allow-list of static elements; animation, events and outside references refused.

See docs/adr/0012-uploads-refuse-not-disarm.md for why we refuse instead of rewriting.
"""

from __future__ import annotations

import io
import lzma
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from django.utils.translation import gettext as _

from essaim.core.exceptions import ServiceError

EXECUTABLE_MAGIC = (
    b"MZ",  # Windows PE
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",  # Mach-O
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O fat / Java class
    b"#!",
    b"\x00asm",
)
ARCHIVE_MAGIC = (
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"\x1f\x8b",  # gzip
    b"7z\xbc\xaf\x27\x1c",
    b"Rar!\x1a\x07",
    b"BZh",
    b"\xfd7zXZ\x00",
    b"MSCF",  # cabinet
)
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SAFE_SCHEMES = ("http://", "https://", "mailto:")


def refuse(message: str) -> ServiceError:
    return ServiceError(message, code="upload_refused")


def _named(message: str, name: str, **extra: str) -> ServiceError:
    return refuse(message % {"name": name, **extra})


def _safe_link(target: str) -> bool:
    compact = re.sub(r"[\x00-\x20]", "", target).lower()
    return compact.startswith(SAFE_SCHEMES) and not compact.startswith(("http:////", "https:////"))


# --------------------------------------------------------------------------------------
# PDF

# Actions and keys a reader runs, fetches or opens by itself (or that carry a payload).
PDF_ACTIVE_KEYS = {
    "/JavaScript",
    "/JS",
    "/Launch",
    "/SubmitForm",
    "/ImportData",
    "/GoToR",
    "/GoToE",
    "/EmbeddedFile",
    "/EmbeddedFiles",
    "/RichMedia",
    "/XFA",
    "/Sound",
    "/Movie",
    "/Rendition",
    "/Hide",
    "/SetOCGState",
}
# Keys under which an action runs without a click (opening, page and field events).
PDF_AUTOMATIC = {"/OpenAction", "/AA"}
PDF_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]+)")
PDF_MAX_OBJECTS = 200_000


def _decoded_name(raw: bytes) -> str:
    return "/" + re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw).decode("latin-1")


def check_pdf(name: str, data: bytes, reader: Any) -> None:
    """`reader` is a pypdf.PdfReader already opened on `data`."""
    active = _("« %(name)s » contient du contenu actif (JavaScript, lancement, fichier joint) : refusé.")
    # Names written in the file itself (objects outside the cross-reference table too),
    # once `#xx` escapes are decoded.
    for match in PDF_NAME.finditer(data):
        if _decoded_name(match.group(1)) in PDF_ACTIVE_KEYS:
            raise _named(active, name)
    if reader.is_encrypted:
        raise _named(_("« %(name)s » est un PDF chiffré, qui ne peut pas être vérifié : refusé."), name)
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    seen = 0

    def objects() -> Iterator[Any]:
        yield reader.trailer
        numbers = {(n, g) for g, table in reader.xref.items() for n in table}
        numbers |= {(n, 0) for n in reader.xref_objStm}
        for number, generation in sorted(numbers):
            yield reader.get_object(IndirectObject(number, generation, reader))

    def walk(value: Any, *, automatic: bool, depth: int) -> None:
        nonlocal seen
        seen += 1
        if seen > PDF_MAX_OBJECTS or depth > 64:
            raise _named(_("« %(name)s » a une structure démesurée : refusé."), name)
        if isinstance(value, IndirectObject):
            if automatic:  # follow what runs by itself, to see which action it is
                walk(value.get_object(), automatic=True, depth=depth + 1)
            return
        if isinstance(value, DictionaryObject):
            for key, item in value.items():
                if key in PDF_ACTIVE_KEYS or (isinstance(item, NameObject) and item in PDF_ACTIVE_KEYS):
                    raise _named(active, name)
                if key == "/URI":
                    target = str(item.get_object())
                    if automatic or not _safe_link(target):
                        raise _named(active, name)
                walk(item, automatic=automatic or key in PDF_AUTOMATIC, depth=depth + 1)
        elif isinstance(value, ArrayObject):
            for item in value:
                walk(item, automatic=automatic, depth=depth + 1)

    for obj in objects():
        walk(obj, automatic=False, depth=0)


# --------------------------------------------------------------------------------------
# Archives (OOXML, ODF)

ALLOWED_COMPRESSION = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}
BAD_MEMBER_NAME = re.compile(r"(^|/)\.\.(/|$)|^/|\\|^[a-z]:|[\x00-\x1f\x7f]", re.I)
READ_ERRORS = (zipfile.BadZipFile, NotImplementedError, zlib.error, lzma.LZMAError, EOFError, OSError, ValueError)

IMAGE_MAGIC: dict[str, tuple[bytes, ...]] = {
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "bmp": (b"BM",),
    "tif": (b"II*\x00", b"MM\x00*"),
    "tiff": (b"II*\x00", b"MM\x00*"),
    "webp": (b"RIFF",),
    "emf": (b"\x01\x00\x00\x00",),
    "wmf": (b"\xd7\xcd\xc6\x9a", b"\x01\x00\x09\x00", b"\x02\x00\x09\x00"),
}


def read_members(name: str, archive: zipfile.ZipFile) -> dict[str, bytes]:
    """Every member's bytes, read in full (so the CRC is checked), under safe names."""
    damaged = _("« %(name)s » est une archive endommagée : refusé.")
    members: dict[str, bytes] = {}
    for member in archive.infolist():
        if member.compress_type not in ALLOWED_COMPRESSION:
            raise _named(_("« %(name)s » utilise une méthode de compression inconnue : refusé."), name)
        if BAD_MEMBER_NAME.search(member.orig_filename) or member.filename in members:
            raise _named(
                _("« %(name)s » contient un élément au nom dangereux (%(member)s) : refusé."),
                name,
                member=member.orig_filename.encode("unicode_escape").decode()[:80],
            )
        try:
            members[member.filename] = archive.read(member)
        except READ_ERRORS as exc:
            raise _named(damaged, name) from exc
    return members


def check_member_bytes(name: str, members: dict[str, bytes]) -> None:
    """What each member holds, from its bytes, whatever its name says."""
    for member, data in members.items():
        label = member[:80]
        head = data[:16]
        if head.startswith(EXECUTABLE_MAGIC):
            raise _named(
                _("« %(name)s » contient une archive ou un programme (%(member)s) : refusé."), name, member=label
            )
        if head.startswith(OLE2_MAGIC):
            raise _named(_("« %(name)s » contient un objet OLE embarqué (%(member)s) : refusé."), name, member=label)
        if head.startswith(ARCHIVE_MAGIC):
            raise _named(_("« %(name)s » contient une archive imbriquée (%(member)s) : refusé."), name, member=label)
        extension = member.rsplit(".", 1)[-1].lower() if "." in member.rsplit("/", 1)[-1] else ""
        if extension in IMAGE_MAGIC and not head.startswith(IMAGE_MAGIC[extension]):
            raise _named(
                _("« %(name)s » contient un élément qui n’est pas l’image qu’il prétend être (%(member)s) : refusé."),
                name,
                member=label,
            )


def parse_xml(name: str, raw: bytes) -> Any:
    forbidden = _("« %(name)s » contient des déclarations XML interdites : refusé.")
    if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:
        raise _named(forbidden, name)
    try:
        # defusedxml also catches what a byte search misses (e.g. a DOCTYPE in UTF-16).
        return SafeET.fromstring(raw, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise _named(forbidden, name) from exc
    except SafeET.ParseError as exc:
        raise _named(_("« %(name)s » est un document endommagé : refusé."), name) from exc


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def xml_parts(name: str, members: dict[str, bytes]) -> Iterator[tuple[str, Any]]:
    for member, data in members.items():
        if member.lower().endswith((".xml", ".rels", ".vml")) or member == "[Content_Types].xml":
            yield member, parse_xml(name, data)


# OOXML relationship types (last path segment) that run, embed or fetch something.
OOXML_REFUSED_TYPES = {
    "attachedTemplate": _("« %(name)s » est attaché à un modèle externe ou à un modèle à macros : refusé."),
    "oleObject": _("« %(name)s » contient un objet OLE embarqué ou lié : refusé."),
    "package": _("« %(name)s » contient un objet OLE embarqué ou lié : refusé."),
    "control": _("« %(name)s » contient un contrôle ActiveX : refusé."),
    "activeXControlBinary": _("« %(name)s » contient un contrôle ActiveX : refusé."),
    "vbaProject": _("« %(name)s » contient des macros : les documents à macros sont refusés."),
    "frame": _("« %(name)s » charge un cadre ou un document externe : refusé."),
    "subDocument": _("« %(name)s » charge un cadre ou un document externe : refusé."),
    "aFChunk": _("« %(name)s » importe un contenu externe (altChunk) : refusé."),
}
# Word records the author's template as a local path (file:///C:/…/Modèle.dotx): on another
# computer it opens nothing, and a .dotx cannot hold macros.
LOCAL_TEMPLATE = re.compile(r"^file:///[a-z]:/[^\\]*\.dotx$", re.I)
OOXML_REFUSED_CONTENT = re.compile(r"macroEnabled|vbaProject|oleObject|activeX|ms-office\.vbaProject", re.I)
# Word fields that fetch a file or run a command when the document is opened or updated.
OOXML_FIELDS = re.compile(
    r"^\s*(DDE|DDEAUTO|INCLUDETEXT|INCLUDEPICTURE|INCLUDE|IMPORT|LINK|AUTOTEXT|MACROBUTTON)\b", re.I
)


def _escapes_package(base: str, target: str) -> bool:
    parts: list[str] = [] if target.startswith("/") else [p for p in base.split("/") if p]
    for part in target.replace("\\", "/").split("/"):
        if part == "..":
            if not parts:
                return True
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return False


def check_ooxml(name: str, members: dict[str, bytes]) -> None:
    external = _("« %(name)s » contient un lien externe qui s’ouvrirait tout seul (%(target)s) : refusé.")
    for member, root in xml_parts(name, members):
        if member == "[Content_Types].xml":
            for element in root.iter():
                if OOXML_REFUSED_CONTENT.search(element.get("ContentType", "")):
                    raise _named(_("« %(name)s » contient des macros ou des objets actifs : refusé."), name)
            continue
        if member.endswith(".rels"):
            base = posixpath.dirname(posixpath.dirname(member))
            for rel in root.iter():
                if _local(rel.tag) != "Relationship":
                    continue
                kind = rel.get("Type", "").rstrip("/").rsplit("/", 1)[-1]
                target = rel.get("Target", "")
                mode = rel.get("TargetMode", "").lower()
                if kind == "attachedTemplate" and mode == "external" and LOCAL_TEMPLATE.match(target):
                    continue  # the author's own macro-free template: Word fetches nothing outside
                if kind in OOXML_REFUSED_TYPES:
                    raise _named(OOXML_REFUSED_TYPES[kind], name)
                if mode == "external":
                    if kind != "hyperlink" or not _safe_link(target):
                        raise _named(external, name, target=target[:80])
                    continue
                if (
                    target.startswith(("\\\\", "//"))
                    or re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I)
                    or _escapes_package(base, target)
                ):
                    raise _named(external, name, target=target[:80])
            continue
        for element in root.iter():
            local = _local(element.tag)
            instruction = ""
            if local == "instrText":
                instruction = element.text or ""
            elif local == "fldSimple":
                instruction = next((v for k, v in element.attrib.items() if _local(k) == "instr"), "")
            if instruction and OOXML_FIELDS.search(instruction):
                raise _named(
                    _("« %(name)s » contient un champ qui charge un fichier ou lance une commande : refusé."), name
                )
            if local in {"OLEObject", "control", "objectEmbed", "oleObj"}:
                raise _named(OOXML_REFUSED_TYPES["oleObject"], name)


ODF_REFUSED = {"object-ole", "applet", "plugin", "event-listener", "event-listeners", "script", "dde-source"}
ODF_LINKED = {"image", "object", "section-source", "table-source", "frame", "fill-image", "sound", "media"}


def check_odf(name: str, members: dict[str, bytes]) -> None:
    external = _("« %(name)s » contient un lien externe qui s’ouvrirait tout seul (%(target)s) : refusé.")
    for member, root in xml_parts(name, members):
        if member == "META-INF/manifest.xml":
            for entry in root.iter():
                media = next((v for k, v in entry.attrib.items() if _local(k) == "media-type"), "")
                if re.search(r"basic|script|macro|oleobject|\bole\b|x-msdownload|executable", media, re.I):
                    raise _named(_("« %(name)s » contient des macros ou des objets actifs : refusé."), name)
            continue
        for element in root.iter():
            local = _local(element.tag)
            if local in ODF_REFUSED:
                raise _named(_("« %(name)s » contient des macros ou des objets actifs : refusé."), name)
            href = next((v for k, v in element.attrib.items() if _local(k) == "href"), None)
            if href is None:
                continue
            compact = href.strip()
            is_scheme = re.match(r"^[a-z][a-z0-9+.-]*:", compact, re.I)
            if local in ODF_LINKED:
                if is_scheme or compact.startswith(("/", "\\", "..")) or "/../" in compact:
                    raise _named(external, name, target=href[:80])
            elif (is_scheme and not _safe_link(compact)) or compact.startswith(("\\\\", "//")):
                raise _named(external, name, target=href[:80])


# --------------------------------------------------------------------------------------
# Images

IMAGE_MAX_PIXELS = 80_000_000
# Another file hidden inside an image: long markers anywhere after the header, an executable
# header behind the image's end.
HIDDEN_MARKERS = (b"<script", b"<html", b"<?php", b"<svg", b"%PDF-", b"PK\x03\x04", OLE2_MAGIC)
TRAILER_MARKERS = (*HIDDEN_MARKERS, *EXECUTABLE_MAGIC[:2])


def check_image(name: str, kind: str, data: bytes) -> None:
    from PIL import Image, UnidentifiedImageError

    broken = _("« %(name)s » n’est pas une image valide : refusé.")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format is None or image.format.lower() != kind:
                raise _named(broken, name)
            width, height = image.size
            if width * height > IMAGE_MAX_PIXELS:
                raise _named(_("« %(name)s » est une image aux dimensions démesurées : refusé."), name)
            image.verify()  # structure and, for PNG, every chunk's CRC
    except ServiceError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _named(_("« %(name)s » est une image aux dimensions démesurées : refusé."), name) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise _named(broken, name) from exc
    end = _image_end(kind, data)
    lowered = data[16:].lower()
    if any(marker.lower() in lowered for marker in HIDDEN_MARKERS) or (
        end is not None and any(marker in data[end:] for marker in TRAILER_MARKERS)
    ):
        raise _named(_("« %(name)s » cache un autre fichier derrière l’image : refusé."), name)


def _image_end(kind: str, data: bytes) -> int | None:
    if kind == "png":
        position = data.find(b"IEND")
        return position + 8 if position >= 0 else None
    if kind == "jpeg":
        position = data.rfind(b"\xff\xd9")
        return position + 2 if position >= 0 else None
    if kind == "webp":
        return 8 + int.from_bytes(data[4:8], "little")
    return None


# --------------------------------------------------------------------------------------
# SVG

SVG_NAMESPACES = (
    "{http://www.w3.org/2000/svg}",
    "{http://www.w3.org/1999/xlink}",
    "{http://purl.org/dc/",
    "{http://creativecommons.org/ns#}",
    "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}",
    "{http://www.inkscape.org/namespaces/inkscape}",
    "{http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd}",
)
SVG_ELEMENTS = {
    "svg", "g", "defs", "symbol", "use", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
    "text", "tspan", "textpath", "title", "desc", "metadata", "lineargradient", "radialgradient", "stop",
    "pattern", "clippath", "mask", "marker", "image", "style", "switch", "view",
    "filter", "feblend", "fecolormatrix", "fecomponenttransfer", "fecomposite", "feconvolvematrix",
    "fediffuselighting", "fedisplacementmap", "fedistantlight", "fedropshadow", "feflood", "fefunca",
    "fefuncb", "fefuncg", "fefuncr", "fegaussianblur", "feimage", "femerge", "femergenode", "femorphology",
    "feoffset", "fepointlight", "fespecularlighting", "fespotlight", "fetile", "feturbulence",
    # Metadata written by editors (RDF, Creative Commons, Dublin Core, Inkscape).
    "rdf", "work", "format", "type", "license", "permits", "requires", "prohibits", "agent", "date",
    "creator", "publisher", "rights", "language", "description", "subject", "bag", "li", "source",
    "namedview", "grid", "guide", "pagecolor", "perspective", "path-effect", "page",
}  # fmt: skip
SVG_LINK_ATTRIBUTES = {"href", "src", "base"}
SVG_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,", re.I)
SVG_URL = re.compile(r"url\(\s*['\"]?\s*(?!#)", re.I)


def check_svg(name: str, root: Any) -> None:
    active = _("« %(name)s » est une image SVG active (script, gestionnaire d’événement ou lien) : refusé.")
    for element in root.iter():
        tag = element.tag
        if not isinstance(tag, str) or not tag.startswith(SVG_NAMESPACES):
            raise _named(active, name)
        local = _local(tag).lower()
        if local not in SVG_ELEMENTS:
            raise _named(active, name)  # script, animation (set, animate…), foreignObject, iframe…
        if local == "style" and re.search(
            r"@import|url\(\s*['\"]?\s*(?!#)|javascript:|expression\(", element.text or "", re.I
        ):
            raise _named(active, name)
        for attribute, value in element.attrib.items():
            attr = _local(attribute).lower()
            compact = re.sub(r"[\x00-\x20]", "", value).lower()
            if attr.startswith("on") or attr in {"attributename", "begin", "end"}:
                raise _named(active, name)
            if attr in SVG_LINK_ATTRIBUTES and not (
                compact.startswith("#") or (local in {"image", "feimage"} and SVG_DATA_IMAGE.match(compact))
            ):
                raise _named(active, name)
            if "javascript:" in compact or "@import" in compact or SVG_URL.search(value):
                raise _named(active, name)
