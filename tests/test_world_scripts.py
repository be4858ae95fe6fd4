"""Every script a clinic's patients read: a short note in 19 languages, read back from the PDFs.

The fixture project (tests/fixtures/scripts) has three sentences per language, written for this
test and faithful to the English. Built once for the module, in one process pool.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from leaflets import fonts as fonts_module
from leaflets.build import build_document, plan
from leaflets.catalogs import read_catalog
from leaflets.cli import main
from leaflets.errors import MissingGlyphError
from leaflets.fonts import FontSet
from leaflets.locales import locale_info
from leaflets.project import load_project
from leaflets.render import language_list

from .conftest import FIXTURES, copy_project

SCRIPTS = FIXTURES / "scripts"
CODES = ["he", "fa", "ur", "hi", "bn", "pa", "ta", "th", "km", "my", "am", "ka", "hy", "el", "vi"]
CODES += ["zh_Hans", "zh_Hant", "ja", "ko"]
#: Scripts whose glyphs a per-glyph ToUnicode cannot map back (reordered vowels, stacked
#: marks): they read back from the /ActualText the tool puts on each line's marked content.
REORDERED = {"hi", "bn", "pa", "ta", "th", "km", "my"}
PDFTOTEXT = shutil.which("pdftotext")
PDFFONTS = shutil.which("pdffonts")
CJK_INSTALLED = all(p.is_file() for f in fonts_module.SYSTEM_FAMILIES for _w, p in f.faces)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    from click.testing import CliRunner

    project = copy_project(tmp_path_factory.mktemp("scripts") / "p", SCRIPTS)
    out = project / "out"
    # Signed off, so that the pages hold the sentences alone, without the tool's DRAFT notice.
    runner = CliRunner()
    assert runner.invoke(main, ["--project", str(project), "approve", "note", "--by", "Test"]).exit_code == 0
    for code in CODES:
        review = runner.invoke(main, ["--project", str(project), "review", code, "--by", "Test"])
        assert review.exit_code == 0, review.output
    args = ["--project", str(project), "build", "note", "--jobs", "2", "--out", str(out)]
    args += [option for code in CODES for option in ("--locale", code)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return out


def _plain(text: str) -> str:
    # Modulo line breaks (and the spaces pdftotext guesses between CJK or Thai lines), and the
    # bidi marks pdftotext adds around right-to-left runs.
    text = unicodedata.normalize("NFC", text)
    return "".join(c for c in text if not c.isspace() and unicodedata.category(c) != "Cf")


def _sentences(code: str) -> str:
    catalog = read_catalog(SCRIPTS / "locales" / code / "LC_MESSAGES" / "messages.po")
    return _plain(" ".join(message.string for message in catalog if message.id))


def _meta(code: str) -> str:
    from leaflets.contact import contact

    info, project = locale_info(code), load_project(SCRIPTS)
    return f"{info.format_date(project.leaflet('note').published)} · {contact(project, info).phone}"


@pytest.mark.skipif(not PDFTOTEXT or not CJK_INSTALLED, reason="needs poppler and fonts-noto-cjk")
@pytest.mark.parametrize("code", CODES)
def test_text_reads_back_as_written(built: Path, code: str) -> None:
    text = subprocess.run([PDFTOTEXT, built / f"note-{code}.pdf", "-"], capture_output=True, text=True).stdout
    # The sentences exactly; the date and phone line as a multiset of characters, since
    # pdftotext guesses the order of numbers inside right-to-left text from their positions.
    sentences = _sentences(code)
    assert _plain(text).startswith(sentences)
    assert sorted(_plain(text)[len(sentences) :]) == sorted(_plain(_meta(code)))


@pytest.mark.parametrize("code", sorted(REORDERED))
def test_reordered_scripts_carry_their_text_on_the_marked_content(built: Path, code: str) -> None:
    """The readback above comes from /ActualText on the lines' marked content, not from luck."""
    import pikepdf

    with pikepdf.open(built / f"note-{code}.pdf") as pdf:
        spans = [
            str(op.operands[1]["/ActualText"])
            for page in pdf.pages
            for op in pikepdf.parse_content_stream(page)
            if str(op.operator) == "BDC"
            and isinstance(op.operands[1], pikepdf.Dictionary)
            and "/ActualText" in op.operands[1]
        ]
    assert spans and _plain("".join(spans)).startswith(_sentences(code)[:20])


@pytest.mark.parametrize("code", CODES)
def test_every_script_is_valid_pdf_ua_1(built: Path, code: str) -> None:
    """Replacement text on marked content, and a Unicode value for every glyph (PDF/UA 7.21.7)."""
    import page

    report = page.validate_pdf(built / f"note-{code}.pdf", profile="ua1")
    assert report.is_compliant, [(f.rule_id, f.message) for f in report.failures]
    assert report.rules.failed == 0 and report.rules.total > 50


@pytest.mark.skipif(not PDFFONTS or not CJK_INSTALLED, reason="needs poppler and fonts-noto-cjk")
@pytest.mark.parametrize("code", CODES)
def test_every_font_is_embedded_and_shipped(built: Path, code: str) -> None:
    shipped = {f.name.replace(" ", "-") for f in FontSet.for_project(SCRIPTS).families}
    out = subprocess.run([PDFFONTS, built / f"note-{code}.pdf"], capture_output=True, text=True).stdout
    rows = [line.split() for line in out.splitlines()[2:]]
    assert rows, out
    for row in rows:
        name = re.sub(r"^[A-Z]{6}\+", "", row[0]).removesuffix("-Bold")
        assert name in shipped, out
        assert row[-5:-2] == ["yes", "yes", "yes"], out  # embedded, subset, with ToUnicode
    own = {f.replace(" ", "-") for f in locale_info(code).fonts}
    assert own & {re.sub(r"^[A-Z]{6}\+", "", r[0]).removesuffix("-Bold") for r in rows}


def test_persian_uses_persian_digits_throughout() -> None:
    info = locale_info("fa")
    assert info.digits == "".join(chr(0x06F0 + i) for i in range(10))
    assert not re.search("[0-9]", info.format_date(load_project(SCRIPTS).leaflet("note").published))
    assert locale_info("ar").digits == "0123456789"  # CLDR: Western digits for Arabic
    assert info.counter_style == "persian"


def _without_cjk(monkeypatch) -> None:
    monkeypatch.setattr(fonts_module, "SYSTEM_FAMILIES", ())


def test_a_missing_font_fails_only_its_own_language(tmp_path, monkeypatch) -> None:
    _without_cjk(monkeypatch)
    project = load_project(copy_project(tmp_path / "p", SCRIPTS))
    documents = {d.locale: d for d in plan(project, ["note"], ["ja", "he", "ko"], ["standard"])}
    with pytest.raises(MissingGlyphError) as error:
        build_document(project, documents["ja"], tmp_path / "out")
    message = str(error.value)
    assert re.search(r"messages.po:\d+: no font has .\S. \(U\+[0-9A-F]{4} CJK|HIRAGANA", message)
    assert "治療の後" in message
    assert "fonts-noto-cjk" in message and "fonts/ folder" in message
    built = build_document(project, documents["he"], tmp_path / "out")
    assert built.path.is_file()


@pytest.mark.skipif(not PDFTOTEXT, reason="needs poppler")
@pytest.mark.parametrize("code", ["km", "my", "hi"])
def test_the_draft_stamp_in_the_page_header_reads_back(tmp_path, code: str) -> None:
    """The header is an artifact (a reader skips it) but copying it gives the words, in order."""
    import page

    from leaflets.catalogs import Translator
    from leaflets.draft import stamp_text
    from leaflets.templates import tool_po_path

    project = load_project(copy_project(tmp_path / "p", SCRIPTS))
    (document,) = plan(project, ["note"], [code], ["standard"])
    built = build_document(project, document, tmp_path / "out")
    text = subprocess.run([PDFTOTEXT, built.path, "-"], capture_output=True, text=True).stdout
    path = tool_po_path(code)
    stamp = stamp_text(Translator(code, layers=[(read_catalog(path), path)]))
    assert stamp != "DRAFT" and _plain(stamp) in _plain(text.split("\n")[0] + text.split("\n")[1])
    report = page.validate_pdf(built.path, profile="ua1")
    assert report.is_compliant, [(f.rule_id, f.message) for f in report.failures]


@pytest.mark.skipif(not PDFTOTEXT, reason="needs poppler")
def test_an_english_draft_notice_on_a_right_to_left_page_reads_in_order(tmp_path) -> None:
    """Pashto has no translation of the tool's notice: its English keeps its own direction."""
    from leaflets.i18n import staff_languages

    assert "ps" not in staff_languages()  # else pick another right-to-left language without one
    root = copy_project(tmp_path / "p", SCRIPTS)
    settings = root / "leaflets.toml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace('"ur",', '"ur", "ps",'), encoding="utf-8")
    po = root / "locales" / "ps" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n"Language: ps\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n')
    project = load_project(root)
    (document,) = plan(project, ["note"], ["ps"], ["standard"])
    built = build_document(project, document, tmp_path / "out")
    text = subprocess.run([PDFTOTEXT, built.path, "-"], capture_output=True, text=True).stdout
    assert "Draft – This leaflet is not ready to give to" in text
    assert "• The clinic has not approved its" in text


def test_a_language_name_no_font_draws_falls_back_to_english(caplog) -> None:
    languages = [locale_info(code) for code in ("en", "ja", "he")]
    fonts = FontSet(tuple(f for f in fonts_module.TOOL_FAMILIES))
    with caplog.at_level(logging.WARNING):
        names = str(language_list(languages, locale_info("en"), fonts))
    assert "Japanese" in names and "日本語" not in names and "עברית" in names
    assert any("日本語" in r.getMessage() and "fonts-noto-cjk" in r.getMessage() for r in caplog.records)


def test_a_project_font_is_found_fetched_fingerprinted_and_recorded(tmp_path, runner) -> None:
    """Cherokee: no bundled font has it; the project adds Noto Sans Cherokee to fonts/."""
    root = copy_project(tmp_path / "p", SCRIPTS)
    out = root / "out"
    args = ["--project", str(root), "build", "languages", "--locale", "en", "--out", str(out)]
    first = runner.invoke(main, args)
    assert first.exit_code == 0, first.output
    assert "Cherokee" in first.output and "ᏣᎳᎩ" in first.output  # the warning names both
    pdf = out / "languages-en.pdf"
    text = subprocess.run([PDFTOTEXT, pdf, "-"], capture_output=True, text=True).stdout
    assert "Cherokee" in text and "ᏣᎳᎩ" not in text and "עברית" in text

    (root / "fonts").mkdir()
    font = root / "fonts" / "NotoSansCherokee-Regular.ttf"
    shutil.copy2(FIXTURES / "fonts-cherokee" / font.name, font)
    second = runner.invoke(main, args)
    assert second.exit_code == 0, second.output
    assert "1 built" in second.output  # the fingerprint knows the fonts/ folder
    text = subprocess.run([PDFTOTEXT, pdf, "-"], capture_output=True, text=True).stdout
    assert "ᏣᎳᎩ" in text and "Cherokee" not in text
    fonts = subprocess.run([PDFFONTS, pdf], capture_output=True, text=True).stdout
    assert re.search(r"\+Noto-?Sans-?Cherokee\s.*yes\s+yes\s+yes", fonts), fonts
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    recorded = manifest["documents"]["languages-en.pdf"]["fonts"]
    assert recorded["fonts/NotoSansCherokee-Regular.ttf"] == hashlib.sha256(font.read_bytes()).hexdigest()
    assert "tool:NotoSans-Regular.ttf" in recorded


def test_init_warns_and_check_reports_a_language_no_font_draws(tmp_path, runner) -> None:
    root = copy_project(tmp_path / "p", SCRIPTS)
    shutil.rmtree(root / "locales" / "chr")
    settings = root / "leaflets.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace('"chr", ', ""), encoding="utf-8")
    assert runner.invoke(main, ["--project", str(root), "extract"]).exit_code == 0

    def leaflets(*args: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "leaflets", "--project", str(root), *args]
        return subprocess.run(command, capture_output=True, text=True)

    result = leaflets("init", "chr")
    assert result.returncode == 0, result.stderr
    assert "warning: no font has the letters of Cherokee (chr)" in result.stderr
    assert "fonts/ folder" in result.stderr
    assert "warning" not in leaflets("init", "hy").stderr  # Armenian: a bundled font has it
    check = runner.invoke(main, ["--project", str(root), "check", "--no-pages"])
    assert re.search(r"leaflets.toml:\d+: \[font\] error: no font has the letters of Cherokee", check.output)
    assert check.exit_code == 1


def test_a_project_chooses_nastaliq_for_urdu(tmp_path, runner) -> None:
    """Urdu is drawn in Naskh (its text reads back); a project may choose Nastaliq instead."""
    nastaliq = Path("/usr/share/fonts/truetype/noto/NotoNastaliqUrdu-Regular.ttf")
    if not nastaliq.is_file():
        pytest.skip("needs Debian's fonts-noto-core")
    root = copy_project(tmp_path / "p", SCRIPTS)
    settings = root / "leaflets.toml"
    settings.write_text(
        settings.read_text(encoding="utf-8") + '\n[languages.ur]\nfonts = ["Noto Nastaliq Urdu"]\n',
        encoding="utf-8",
    )
    args = ["--project", str(root), "build", "note", "--locale", "ur", "--out", str(root / "out")]
    refused = runner.invoke(main, args)
    assert refused.exit_code != 0
    assert re.search(r"leaflets.toml:\d+: \[languages.ur\] fonts names 'Noto Nastaliq Urdu'", refused.output)
    (root / "fonts").mkdir()
    shutil.copy2(nastaliq, root / "fonts" / nastaliq.name)
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    fonts = subprocess.run([PDFFONTS, root / "out" / "note-ur.pdf"], capture_output=True, text=True).stdout
    assert re.search(r"\+Noto-?Nastaliq-?Urdu\s.*yes\s+yes\s+yes", fonts), fonts


def test_symbols_in_tables_have_a_font() -> None:
    assert FontSet.for_project(SCRIPTS).first_missing("✓ ✗ → ①") is None


def test_a_persian_leaflet_numbers_dates_pages_and_phones_in_persian_digits(tmp_path, runner) -> None:
    """The sample leaflet in Persian with nothing translated yet: the tool's own numbers and frame."""
    root = copy_project(tmp_path / "p")
    settings = root / "leaflets.toml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace('"de"]', '"de", "fa"]', 1), encoding="utf-8")
    catalogue = root / "locales" / "fa" / "LC_MESSAGES" / "messages.po"
    catalogue.parent.mkdir(parents=True)
    header = '"Language: fa\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
    catalogue.write_text('msgid ""\nmsgstr ""\n' + header)
    args = ["--project", str(root), "build", "vertebroplasty", "--locale", "fa", "--out", str(root / "out")]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    text = subprocess.run(
        [PDFTOTEXT, root / "out" / "vertebroplasty-fa.pdf", "-"], capture_output=True, text=True
    ).stdout
    # The footer's page counter, in the tool's own Persian (its theme catalogue), read back
    # right to left by pdftotext: "[pages] از 1 صفحه".
    assert re.search(r"[۱-۹]\W*از\W*۱\W*صفحه", text)
    assert "۲۰۲۶" in text and "۸۵۰" in text  # publication year, phone number
    assert not re.search(r"Page\s*[0-9]", text)
    assert "2026" not in text and "850 255" not in text


def test_the_web_edition_names_the_fonts_without_loading_them(tmp_path, runner) -> None:
    root = copy_project(tmp_path / "p", SCRIPTS)
    out = root / "out"
    args = ["--project", str(root), "build", "note", "--locale", "fa", "--edition", "html", "--out", str(out)]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    pages = list(out.glob("note-fa*.html"))
    assert pages, result.output
    page = pages[0].read_text(encoding="utf-8")
    assert not re.search(r"@font-face\s*\{", page) and "file:" not in page
    assert re.search(r'html \{ font-family: "Leaflets Naskh", "Leaflets Sans".*system-ui', page)


def test_georgian_is_named_without_capital_letters() -> None:
    """Georgian has no capitals in running text; upper() would print its first letter in Mtavruli."""
    from leaflets.locales import capitalized

    name = locale_info("ka").native_name
    assert name and not any("\u1c90" <= char <= "\u1cbf" for char in name)
    assert capitalized("english") == "English" and capitalized("türkçe") == "Türkçe"
