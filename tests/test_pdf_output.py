"""What a reader of the built PDFs sees: text, fonts, tags, metadata, page size, bytes."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from pypdf import PdfReader

from leaflets.build import build, plan
from leaflets.locales import FONTS_DIR
from leaflets.project import load_project

from .conftest import REPO, pdffonts, pdfinfo, pdftotext, squash

PROJECT = load_project(REPO)
DOCUMENTS = plan(PROJECT)
IDS = [d.stem for d in DOCUMENTS]


def letters(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def source_sentences() -> list[str]:
    """English sentences of the templates (four words or more), from messages.pot."""
    with open(REPO / "locales" / "messages.pot", "rb") as handle:
        catalog = read_po(handle)
    sentences = []
    for message in catalog:
        text = message.id if isinstance(message.id, str) else message.id[0]
        plain = re.sub(r"<[^>]+>|%\(\w+\)s", " ", text)
        for sentence in re.split(r"(?<=[.:!?])\s+", plain):
            if len(sentence.split()) >= 4:
                sentences.append(sentence)
    return sentences


def test_english_pdf_has_the_english_text(default_build: Path):
    text = squash(pdftotext(default_build / "vertebroplasty-en.pdf"))
    assert "Vertebroplasty and cementoplasty" in text
    assert "What happens during the treatment" in text
    assert letters("The cement sets hard and makes the bone stronger.") in letters(text)
    assert "+90 850 255 24 23" in text
    assert "Prof Saim Yilmaz, MD" in text


def test_turkish_pdf_is_turkish(default_build: Path):
    text = squash(pdftotext(default_build / "vertebroplasty-tr.pdf"))
    for char in "ğşıİçöü":
        assert char in text, f"Turkish letter {char!r} missing"
    assert "+90 850 255 24 23" in text
    assert "Vertebroplasti" in text


@pytest.mark.parametrize("locale", [c for c in PROJECT.locales if c != PROJECT.source_locale])
@pytest.mark.parametrize("leaflet", list(PROJECT.leaflets))
def test_no_english_sentence_in_a_translated_body(default_build: Path, leaflet: str, locale: str):
    text = letters(pdftotext(default_build / f"{leaflet}-{locale}.pdf"))
    leftovers = [s for s in source_sentences() if letters(s) in text]
    assert leftovers == []


@pytest.mark.parametrize("document", DOCUMENTS, ids=IDS)
def test_every_font_is_embedded_subset_and_bundled(default_build: Path, document):
    bundled = {"Leaflets-Sans", "Leaflets-Sans-Bold", "Leaflets-Naskh", "Leaflets-Naskh-Bold"}
    fonts = pdffonts(default_build / document.pdf_name)
    assert fonts, "no fonts at all"
    for font in fonts:
        assert font["emb"] == "yes" and font["sub"] == "yes" and font["uni"] == "yes", font
        prefix, _, name = font["name"].partition("+")
        assert re.fullmatch(r"[A-Z]{6}", prefix) and name in bundled, font["name"]


def test_the_bundled_fonts_ship_with_their_licence():
    assert {p.name for p in FONTS_DIR.glob("*.ttf")} >= {
        "NotoSans-Regular.ttf",
        "NotoNaskhArabic-Regular.ttf",
    }
    assert "SIL OPEN FONT LICENSE Version 1.1" in (FONTS_DIR / "OFL.txt").read_text()


@pytest.mark.parametrize("document", DOCUMENTS, ids=IDS)
def test_tagged_titled_a4_with_language_and_author(default_build: Path, document):
    path = default_build / document.pdf_name
    info = pdfinfo(path)
    assert info["Tagged"] == "yes"
    assert info["Page size"].endswith("(A4)")
    assert info["Title"].strip()
    assert info["Author"].startswith("Prof Saim Yilmaz, MD")
    assert info["Subject"].strip()
    reader = PdfReader(path)
    root = reader.trailer["/Root"]
    assert root["/Lang"] == document.locale
    assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712 (a pypdf BooleanObject)
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712


def test_footer_shows_version_dates_and_page_x_of_y(default_build: Path):
    pages = pdftotext(default_build / "vertebroplasty-en.pdf").split("\f")[:-1]
    for number, page in enumerate(pages, 1):
        flat = squash(page)
        assert f"Page {number} of {len(pages)}" in flat
        assert "version 1.0" in flat and "published November 24, 2026" in flat
        assert "next review November 24, 2027" in flat
    last = squash(pdftotext(default_build / "vertebroplasty-tr.pdf"))
    assert "Sayfa 1 / " in last


def test_sources_and_languages_line_are_shown(default_build: Path):
    text = squash(pdftotext(default_build / "vertebroplasty-en.pdf"))
    assert "Sources" in text and "CIRSE" in text
    assert "This leaflet is available in these languages:" in text
    assert "Türkçe" in text and "English" in text


def test_illustration_has_translated_alternative_text(default_build: Path):
    def alts(path: Path) -> list[str]:
        found = []

        def walk(node):
            node = node.get_object()
            if node.get("/S") == "/Figure" and "/Alt" in node:
                found.append(str(node["/Alt"]))
            kids = node.get("/K")
            if kids is None:
                return
            for kid in kids if isinstance(kids, list) else [kids]:
                kid = kid.get_object() if hasattr(kid, "get_object") else kid
                if isinstance(kid, dict):
                    walk(kid)

        walk(PdfReader(path).trailer["/Root"]["/StructTreeRoot"])
        return found

    english = alts(default_build / "vertebroplasty-en.pdf")
    turkish = alts(default_build / "vertebroplasty-tr.pdf")
    assert any("three bones of the spine" in alt for alt in english)
    assert turkish and not any("three bones of the spine" in alt for alt in turkish)
    assert len(turkish) == len(english)


def test_draft_marker_until_approved(default_build: Path):
    text = pdftotext(default_build / "vertebroplasty-en.pdf")
    assert "DRAFT" in text
    assert "The clinic has not approved its content yet." in squash(text)


def test_two_builds_are_byte_identical(tmp_path: Path, default_build: Path):
    documents = [d for d in DOCUMENTS if d.locale in ("en", "tr", "ar")][:4]
    report = build(PROJECT, documents, tmp_path)
    assert not report.failed
    for document in documents:
        again = hashlib.sha256((tmp_path / document.pdf_name).read_bytes()).hexdigest()
        first = hashlib.sha256((default_build / document.pdf_name).read_bytes()).hexdigest()
        assert again == first, document


def test_source_date_epoch_is_the_modification_date(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    documents = [d for d in DOCUMENTS if d.stem == "vertebroplasty-en"]
    build(PROJECT, documents, tmp_path / "a")
    info = pdfinfo(tmp_path / "a" / "vertebroplasty-en.pdf")
    assert info["ModDate"].startswith("Tue Nov 14 22:13:20 2023")
    assert info["CreationDate"].startswith("Tue Nov 24 00:00:00 2026")  # the publication date
    build(PROJECT, documents, tmp_path / "b")
    assert sha(tmp_path / "a" / "vertebroplasty-en.pdf") == sha(tmp_path / "b" / "vertebroplasty-en.pdf")
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    build(PROJECT, documents, tmp_path / "c")
    assert "ModDate" not in pdfinfo(tmp_path / "c" / "vertebroplasty-en.pdf")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
