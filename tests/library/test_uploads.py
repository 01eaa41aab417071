"""Uploads: the type comes from the bytes, and hostile files are refused with a message a
person can read. Every file here is built by the test."""

from __future__ import annotations

import io
import zipfile

import pytest

from essaim.core.exceptions import ServiceError
from essaim.library.uploads import inspect_upload, normalised_name


def minimal_pdf(text: str = "Bonjour", *, extra: bytes = b"") -> bytes:
    """A valid one-page PDF whose text pypdf extracts."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>" + extra,
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def zip_of(members: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


CONTENT_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    b'wordprocessingml.document.main+xml"/></Types>'
)


def docx(text: str = "Le jury citoyen", **extra: bytes) -> bytes:
    document = (
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>'
        f"<w:t>{text}</w:t></w:r></w:p></w:body></w:document>"
    ).encode()
    return zip_of({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": document, **extra})


def odt(text: str = "Forum ouvert") -> bytes:
    content = (
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>'
        f"<text:p>{text}</text:p></office:text></office:body></office:document-content>"
    ).encode()
    return zip_of({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": content})


def pptx(text: str = "Débat mouvant") -> bytes:
    slide = (
        '<p:sld xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:t>' + text + "</a:t></p:sld>"
    ).encode()
    return zip_of(
        {
            "[Content_Types].xml": CONTENT_TYPES.replace(b"word/document", b"ppt/presentation"),
            "ppt/presentation.xml": b"<p:presentation xmlns:p='urn:x'/>",
            "ppt/slides/slide1.xml": slide,
        }
    )


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), (0, 0, 145)).save(out, "PNG")
    return out.getvalue()


PNG = _png()
SVG_OK = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><circle cx="5" cy="5" r="4"/></svg>'


@pytest.mark.parametrize(
    ("name", "data", "kind", "text"),
    [
        ("méthode.PDF", minimal_pdf("Jury citoyen"), "pdf", "Jury citoyen"),
        ("fiche.docx", docx("Le jury citoyen délibère"), "docx", "Le jury citoyen délibère"),
        ("fiche.odt", odt("Forum ouvert"), "odt", "Forum ouvert"),
        ("slides.pptx", pptx("Débat mouvant"), "pptx", "Débat mouvant"),
        ("photo.png", PNG, "png", ""),
        ("schema.svg", SVG_OK, "svg", ""),
        ("sans-extension", minimal_pdf("x"), "pdf", "x"),
    ],
)
def test_accepted_files_are_typed_from_content_and_their_text_extracted(name, data, kind, text):
    inspected = inspect_upload(name, data)
    assert inspected.kind == kind
    assert text in inspected.text


def test_file_names_are_normalised_with_the_detected_extension():
    assert normalised_name("Fiche Méthode — World Café (v2).PDF", "pdf") == "fiche-methode-world-cafe-v2.pdf"
    assert normalised_name("../../etc/passwd", "pdf") == "passwd.pdf"
    assert normalised_name("rapport.exe", "docx") == "rapport.docx"
    assert normalised_name("???.pdf", "pdf") == "document.pdf"


def _bomb() -> bytes:
    return zip_of(
        {"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": b"<a/>", "word/big.xml": b"0" * 20_000_000}
    )


HOSTILE = {
    "empty file": ("vide.pdf", b"", "est vide"),
    "Windows executable renamed .pdf": ("facture.pdf", b"MZ\x90\x00" + b"\x00" * 200, "exécutable"),
    "ELF executable renamed .pdf": ("fiche.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "exécutable"),
    "shell script renamed .docx": ("fiche.docx", b"#!/bin/sh\nrm -rf /\n", "exécutable"),
    "HTML renamed .pdf": ("fiche.pdf", b"<!doctype html><html><script>alert(1)</script></html>", "pas reconnu"),
    "docm with vbaProject.bin": (
        "fiche.docx",
        docx(**{"word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"}),
        "macros",
    ),
    "macro-enabled content type": (
        "fiche.docx",
        zip_of(
            {
                "[Content_Types].xml": CONTENT_TYPES.replace(b"document.main", b"document.macroEnabled.main"),
                "word/document.xml": b"<a/>",
            }
        ),
        "macros",
    ),
    "ODT with Basic macros": (
        "fiche.odt",
        zip_of(
            {
                "mimetype": b"application/vnd.oasis.opendocument.text",
                "content.xml": b"<a/>",
                "Basic/Standard/Module1.xml": b"<m/>",
            }
        ),
        "macros",
    ),
    "legacy .doc (OLE2)": ("ancien.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "ancien format"),
    "SVG with script": (
        "logo.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "SVG active",
    ),
    "SVG with onload": ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "SVG active"),
    "SVG with javascript: href": (
        "logo.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        b'<a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
        "SVG active",
    ),
    "SVG with foreignObject": (
        "logo.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><body xmlns="http://www.w3.org/1999/xhtml">'
        b"<iframe/></body></foreignObject></svg>",
        "SVG active",
    ),
    "SVG with entity expansion": (
        "logo.svg",
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
        "SVG active",
    ),
    "plain zip archive": ("ressources.zip", zip_of({"a.txt": b"hello"}), "archive"),
    "docx renamed from a zip with a nested zip": (
        "fiche.docx",
        docx(**{"word/media/inner.bin": zip_of({"x.txt": b"x"})}),
        "archive imbriquée",
    ),
    "zip with an executable inside": ("fiche.docx", docx(**{"word/setup.exe": b"MZ"}), "programme"),
    "zip bomb (ratio)": ("fiche.docx", _bomb(), "bombe zip"),
    "gzip archive": ("fiche.pdf", b"\x1f\x8b\x08\x00" + b"\x00" * 50, "archive"),
    "PDF + zip polyglot": (
        "fiche.pdf",
        minimal_pdf("x") + zip_of({"evil.txt": b"x"}),
        "à la fois un PDF et une archive",
    ),
    "PNG + zip polyglot": ("photo.png", PNG + zip_of({"evil.txt": b"x"}), "cache une archive"),
    "PDF with JavaScript": (
        "fiche.pdf",
        minimal_pdf("x", extra=b" /OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
        "contenu actif",
    ),
    "truncated PDF": ("fiche.pdf", b"%PDF-1.4\n1 0 obj garbage", "pas un PDF lisible"),
    # A billion-laughs document encoded in UTF-16: invisible to a byte search for "<!ENTITY".
    "UTF-16 entity expansion in a DOCX": (
        "fiche.docx",
        zip_of(
            {
                "[Content_Types].xml": CONTENT_TYPES,
                "word/document.xml": (
                    '<?xml version="1.0" encoding="UTF-16"?>'
                    '<!DOCTYPE d [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><d>&b;</d>'
                ).encode("utf-16"),
            }
        ),
        "déclarations XML interdites",
    ),
}


@pytest.mark.parametrize("case", list(HOSTILE), ids=list(HOSTILE))
def test_hostile_files_are_refused_with_a_clear_message(case):
    name, data, message = HOSTILE[case]
    with pytest.raises(ServiceError) as refused:
        inspect_upload(name, data)
    assert message in refused.value.message
    assert name in refused.value.message


def test_oversize_files_are_refused(settings):
    settings.LIBRARY_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(ServiceError, match="dépasse la taille maximale de 1000"):
        inspect_upload("gros.pdf", minimal_pdf("x" * 2000))


def test_total_uncompressed_size_is_bounded(settings):
    settings.LIBRARY_MAX_UNCOMPRESSED_BYTES = 10_000
    data = docx(**{"word/media/a.xml": bytes(range(256)) * 50})
    with pytest.raises(ServiceError, match="bombe zip"):
        inspect_upload("fiche.docx", data)


def test_a_hostile_upload_through_the_form_shows_the_message_and_stores_nothing(client, agent, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from essaim.library.models import Resource

    client.force_login(agent)
    response = client.post(
        reverse("library:submit"),
        {
            "title": "Fiche piégée",
            "summary": "Un exécutable déguisé.",
            "type": "method",
            "audience": "all",
            "language": "fr",
            "licence": "etalab-2.0",
            "visibility": "public",
            "documents": SimpleUploadedFile("fiche.pdf", b"MZ" + b"\x00" * 100, content_type="application/pdf"),
        },
    )
    assert response.status_code == 400
    assert "« fiche.pdf » est un programme exécutable ou un script : refusé." in response.content.decode()
    assert not Resource.objects.exists()
    media = settings.MEDIA_ROOT
    assert not any(p.is_file() for p in media.rglob("*")) if media.exists() else True
