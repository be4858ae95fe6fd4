"""The tool's theme, its catalogues and settings, `leaflets new`, regional variants, and the
bilingual edition that pairs every block of a leaflet's body."""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from leaflets.build import build, plan
from leaflets.catalogs import read_catalog
from leaflets.cli import main
from leaflets.document import Document
from leaflets.errors import ConfigError, TemplateError
from leaflets.project import contrast, load_project
from leaflets.render import render_html
from leaflets.stats import ALL, statistics
from leaflets.templates import THEME_DIR, TOOL_LOCALE_DIR, tool_po_path

from .conftest import REPO, copy_project, pdftotext

SAMPLE = load_project(REPO)


def tool_string(locale: str, msgid: str) -> str:
    message = read_catalog(tool_po_path(locale)).get(msgid)
    assert message is not None and message.string, (locale, msgid)
    return message.string


def words(text: str) -> set[str]:
    """The words a reader sees, however a column's width broke the lines.

    Hyphens go (a line-end hyphenation and "MRT-Aufnahmen" broken at its own hyphen read the
    same as the unbroken word), and so do marks (Arabic vowel signs, tanween) with a space
    pdftotext puts after one inside a word in some lines and not in others.
    """
    text = re.sub(r"[-\u2010\u00ad]\s*", "", text)
    letters: list[str] = []
    after_mark = False
    for char in text:
        if unicodedata.category(char) == "Mn":
            after_mark = True
        elif not (after_mark and char == " "):
            after_mark = False
            letters.append(char)
    return set(re.findall(r"\w+", "".join(letters)))


def letters_only(text: str) -> str:
    """The text without spaces, line breaks, marks, hyphens and bidi controls."""
    text = re.sub(r"[-\u2010\u00ad]", "", text)
    return "".join(c for c in text if not c.isspace() and unicodedata.category(c) not in ("Mn", "Cf"))


# --- the tool's catalogues -----------------------------------------------------------------


def test_tool_catalogues_translate_every_theme_string():
    template = read_catalog(TOOL_LOCALE_DIR / "leaflets.pot")
    ids = {m.id for m in template if m.id}
    assert len(ids) > 25
    found = sorted(p.parent.parent.name for p in TOOL_LOCALE_DIR.glob("*/LC_MESSAGES/leaflets.po"))
    assert {"tr", "ar", "ru", "de", "es", "fr", "el", "uk", "fa", "he"} <= set(found)
    # Every script the tool draws (tests/test_world_scripts.py) has its language's frame.
    scripts = "ur hi bn pa ta th km my am ka hy vi zh_Hans zh_Hant ja ko".split()
    assert set(scripts) <= set(found)
    for code in found:
        catalog = read_catalog(tool_po_path(code))
        for msgid in ids:
            message = catalog.get(msgid)
            assert message is not None and not message.fuzzy, (code, msgid)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            assert all(strings), (code, msgid)


def test_the_draft_stamp_says_draft_once_in_every_language():
    """The stamp is the English word DRAFT, then the translated label, never the word twice."""
    from leaflets.catalogs import Translator
    from leaflets.draft import LABEL, WORD, stamp_text

    found = sorted(p.parent.parent.name for p in TOOL_LOCALE_DIR.glob("*/LC_MESSAGES/leaflets.po"))
    for code in found:
        path = tool_po_path(code)
        stamp = stamp_text(Translator(code, layers=[(read_catalog(path), path)]))
        assert stamp.startswith(WORD) and stamp.count(WORD) == 1, (code, stamp)
        assert len(stamp) > len(WORD) + 5, (code, stamp)  # the label is there, translated
    assert stamp_text(Translator("en")) == WORD
    assert LABEL.startswith(WORD)


def test_tool_template_matches_the_theme(tmp_path):
    """leaflets.pot (shared with the shelf page) lists every string of the theme's templates."""
    from babel.messages.extract import extract_from_dir

    options = {"**.html": {"trimmed": "true", "newstyle_gettext": "true", "silent": "false"}}
    extracted = {
        m for _f, _l, m, _c, _x in extract_from_dir(str(THEME_DIR), [("**.html", "jinja2")], options)
    }
    template = {m.id for m in read_catalog(TOOL_LOCALE_DIR / "leaflets.pot") if m.id}
    assert {m if isinstance(m, str) else m[0] for m in extracted} <= {
        m if isinstance(m, str) else m[0] for m in template
    }


def test_project_catalogue_overrides_a_theme_string(tmp_path):
    root = copy_project(tmp_path / "p")
    po = root / "locales" / "de" / "LC_MESSAGES" / "messages.po"
    po.write_text(
        po.read_text(encoding="utf-8")
        + '\nmsgid "How to contact us"\nmsgstr "So erreichen Sie unsere Station"\n',
        encoding="utf-8",
    )
    html = render_html(load_project(root), Document("ablation", "de", "standard")).html
    assert "So erreichen Sie unsere Station" in html
    assert tool_string("de", "About this leaflet") in html


def test_project_overrides_a_theme_block_and_adds_css(tmp_path):
    root = copy_project(tmp_path / "p")
    (root / "templates" / "layout.html").write_text(
        '{% extends "!layout.html" %}\n'
        '{% block about %}<section class="about"><p>{{ _("Ward 7 leaflet") }}</p></section>'
        "{{ super() }}{% endblock %}\n",
        encoding="utf-8",
    )
    (root / "templates" / "clinic.css").write_text("h2 { letter-spacing: 0.1em; }", encoding="utf-8")
    settings = root / "leaflets.toml"
    settings.write_text(
        settings.read_text(encoding="utf-8") + '\n[theme]\ncss = ["clinic.css"]\n', encoding="utf-8"
    )
    html = render_html(load_project(root), Document("ablation", "en", "standard")).html
    assert "Ward 7 leaflet" in html
    assert "About this leaflet" in html  # super(): the theme's block is still there
    assert "clinic.css" in html


# --- theme settings --------------------------------------------------------------------------


def with_settings(tmp_path: Path, extra: str, replace: tuple[str, str] | None = None) -> Path:
    root = copy_project(tmp_path / "p")
    settings = root / "leaflets.toml"
    text = settings.read_text(encoding="utf-8")
    if replace:
        assert replace[0] in text
        text = text.replace(*replace)
    settings.write_text(text + "\n" + extra, encoding="utf-8")
    return root


def test_contrast_is_the_wcag_ratio():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize(
    "theme, setting",
    [('brand = "#0d4a6b"\nbrand_text = "#5a7f94"', "theme.brand_text"), ('brand = "#8fb8cc"', "theme.brand")],
)
def test_low_contrast_brand_colours_are_refused_by_build_and_check(runner, tmp_path, theme, setting):
    root = with_settings(tmp_path, f"[theme]\n{theme}\n")
    for command in (["build", "--out", str(tmp_path / "out")], ["check"]):
        result = runner.invoke(main, ["--project", str(root), *command])
        assert result.exit_code != 0
        assert setting in result.output and "4.5:1" in result.output
        assert re.search(r"leaflets\.toml:\d+:", result.output)
    assert not (tmp_path / "out").exists()


def test_logo_appears_on_every_edition(tmp_path):
    root = with_settings(tmp_path, '[theme]\nlogo = "images/logo.png"\n')
    Image.new("RGB", (40, 20), (200, 30, 30)).save(root / "templates" / "images" / "logo.png")
    project = load_project(root)
    out = tmp_path / "out"
    report = build(
        project, plan(project, ["ablation"], ["tr"], ["standard", "large-print", "bilingual"]), out
    )
    assert not report.failed and len(report.built) == 3
    for built in report.built:
        with pikepdf.open(out / built.document.file_name) as pdf:
            sizes = {(int(i.Width), int(i.Height)) for i in pdf.pages[0].get_images().values()}
        assert (40, 20) in sizes, built.document


def test_two_departments_show_their_own_phones(tmp_path):
    root = with_settings(
        tmp_path,
        '[clinics.radiology]\nname = "Radiology"\ndoctor = "Dr A"\n'
        'phone = "+90 212 555 01 02"\ncountry = "TR"\n',
        ("[leaflets.ablation]\n", '[leaflets.ablation]\nclinic = "radiology"\n'),
    )
    project = load_project(root)
    ablation = render_html(project, Document("ablation", "en", "standard")).html
    vertebro = render_html(project, Document("vertebroplasty", "en", "standard")).html
    assert "+90 212 555 01 02" in ablation and "+90 850 255 24 23" not in ablation
    assert "+90 850 255 24 23" in vertebro and "+90 212 555 01 02" not in vertebro


def test_unknown_clinic_is_an_error_at_its_line(tmp_path):
    root = with_settings(tmp_path, "", ("[leaflets.ablation]\n", '[leaflets.ablation]\nclinic = "nope"\n'))
    with pytest.raises(ConfigError, match=r"leaflets\.toml:\d+: leaflets\.ablation\.clinic .*'nope'"):
        load_project(root)


def test_leaflet_limited_to_some_languages_builds_and_lists_only_those(tmp_path):
    root = with_settings(
        tmp_path, "", ("[leaflets.ablation]\n", '[leaflets.ablation]\nlanguages = ["en", "tr"]\n')
    )
    project = load_project(root)
    documents = plan(project, editions=["standard", "bilingual"])
    assert {d.locale for d in documents if d.leaflet == "ablation"} == {"en", "tr"}
    assert {d.locale for d in documents if d.leaflet == "vertebroplasty"} == set(project.locales)
    out = tmp_path / "out"
    report = build(project, plan(project, ["ablation"], ["tr"]), out)
    assert not report.failed
    text = pdftotext(out / "ablation-tr.pdf")
    sentence = tool_string("tr", "This leaflet is available in these languages: %(languages)s.")
    line = re.search(re.escape(sentence.split("%(languages)s")[0]) + r"(.*)", text)
    assert line and "English" in line[1] and "Türkçe" in line[1]
    assert "Deutsch" not in text and "Русский" not in text
    manifest = (out / "manifest.json").read_text(encoding="utf-8")
    assert "ablation-de" not in manifest


# --- regional variants ------------------------------------------------------------------------


def test_regional_variant_falls_back_to_its_language_string_by_string(tmp_path, runner):
    root = copy_project(tmp_path / "p")
    result = runner.invoke(main, ["--project", str(root), "init", "de-AT"])
    assert result.exit_code == 0, result.output
    po = root / "locales" / "de_AT" / "LC_MESSAGES" / "messages.po"
    text = po.read_text(encoding="utf-8")
    text = text.replace('msgid "Sources"\nmsgstr ""', 'msgid "Sources"\nmsgstr "Quellenangaben"')
    assert 'msgid "What is this treatment?"\nmsgstr ""' in text
    text = text.replace(
        'msgid "What is this treatment?"\nmsgstr ""', 'msgid "What is this treatment?"\nmsgstr "Was ist das?"'
    )
    po.write_text(text, encoding="utf-8")
    project = load_project(root)
    rendered = render_html(project, Document("vertebroplasty", "de-AT", "standard"))
    assert "Was ist das?" in rendered.html
    german = read_catalog(project.po_path("de"))
    assert german.get("Why is it done?").string in rendered.html
    assert tool_string("de", "How to contact us") in rendered.html
    assert rendered.fallbacks == [] and "fallbacks" not in rendered.draft_reasons
    counts = {s.leaflet: s for s in statistics(project, ["de-AT"])}
    assert counts[ALL].untranslated == 0 and counts[ALL].translated == counts[ALL].total


def test_variant_of_the_source_language_uses_the_territory_paper(tmp_path, runner):
    root = copy_project(tmp_path / "p")
    assert runner.invoke(main, ["--project", str(root), "init", "en-US"]).exit_code == 0
    project = load_project(root)
    out = tmp_path / "out"
    report = build(project, plan(project, ["ablation"], ["en-US"]), out)
    assert not report.failed
    with pikepdf.open(out / report.built[0].document.file_name) as pdf:
        box = [float(v) for v in pdf.pages[0].MediaBox]
    assert (round(box[2]), round(box[3])) == (612, 792)  # US Letter, from the territory
    assert [s for s in statistics(project, ["en-US"]) if s.leaflet == ALL][0].untranslated == 0


# --- the bilingual edition keeps everything ---------------------------------------------------


def test_bilingual_edition_has_all_the_text_of_the_standard(all_editions_build):
    pairs = 0
    for slug in SAMPLE.leaflets:
        for code in SAMPLE.locales:
            if code == SAMPLE.source_locale:
                continue
            standard = words(pdftotext(all_editions_build / f"{slug}-{code}.pdf"))
            partner = SAMPLE.source_locale
            both_name = Document(slug, code, "bilingual", partner).file_name
            both_text = pdftotext(all_editions_build / both_name)
            # pdftotext may put a mark of a narrow column's word on a line of its own and split
            # the word around it: such a word must still be there, letter for letter.
            missing = {w for w in standard - words(both_text) if w not in letters_only(both_text)}
            assert missing == set(), (slug, code)
            pairs += 1
    assert pairs == len(SAMPLE.leaflets) * (len(SAMPLE.locales) - 1)


def test_unpairable_body_is_an_error():
    from leaflets.bilingual import bilingual
    from leaflets.locales import locale_info

    page = "<title>t</title><h1>x</h1></header><main>{}</main>"
    with pytest.raises(TemplateError, match="outside an element"):
        bilingual(page.format("loose text"), page.format("Text"), locale_info("de"), locale_info("en"))
    with pytest.raises(TemplateError, match="cannot pair"):
        bilingual(
            page.format("<p>a</p><p>b</p>"), page.format("<p>a</p>"), locale_info("de"), locale_info("en")
        )


# --- leaflets new, as a clinic would start ----------------------------------------------------


@pytest.fixture(scope="module")
def new_clinic(tmp_path_factory) -> Path:
    """`leaflets new clinic`, `leaflets init es`, `leaflets build` as real processes."""
    cwd = tmp_path_factory.mktemp("empty")
    cli = [sys.executable, "-m", "leaflets"]
    subprocess.run([*cli, "new", "clinic"], cwd=cwd, check=True, capture_output=True, text=True)
    clinic = cwd / "clinic"
    subprocess.run([*cli, "init", "es"], cwd=clinic, check=True, capture_output=True, text=True)
    built = subprocess.run(
        [*cli, "build", "--edition", "standard", "--edition", "bilingual"],
        cwd=clinic,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert built.returncode == 0, built.stderr
    return clinic


def test_new_project_has_settings_example_readme_and_gitignore(new_clinic):
    assert (new_clinic / ".gitignore").read_text(encoding="utf-8").strip() == "out/"
    assert "leaflets build" in (new_clinic / "README.md").read_text(encoding="utf-8")
    settings = (new_clinic / "leaflets.toml").read_text(encoding="utf-8")
    for key in (
        "[clinics.",
        "[theme]",
        "brand",
        "logo",
        "languages",
        "clinic =",
        "paper",
        "leaflets approve",
    ):
        assert key in settings
    assert not (new_clinic / "locales" / "babel.cfg").exists()  # the tool supplies the mapping


def test_new_project_builds_a_spanish_pdf_with_a_spanish_frame(new_clinic):
    text = pdftotext(new_clinic / "out" / "example-es.pdf")
    for msgid in (
        "How to contact us",
        "About this leaflet",
        "This leaflet is not ready to give to patients:",
    ):
        assert tool_string("es", msgid) in text
    footer = tool_string("es", "Page %(page)s of %(pages)s") % {"page": 1, "pages": 1}
    assert footer in text
    assert (new_clinic / "out" / "example-en.pdf").is_file()


def test_new_project_bilingual_keeps_the_box_outside_any_section(new_clinic):
    assert "<aside" in (new_clinic / "templates" / "example.html").read_text(encoding="utf-8")
    standard = words(pdftotext(new_clinic / "out" / "example-es.pdf"))
    both = words(pdftotext(new_clinic / "out" / Document("example", "es", "bilingual", "en").file_name))
    assert {"Call", "once", "worse"} <= both
    assert standard - both == set()


@pytest.mark.parametrize(
    "command",
    [
        ["init", "es"],
        ["extract"],
        ["update"],
        ["approve", "ablation", "--by", "X"],
        ["review", "tr", "--by", "X"],
    ],
)
def test_writing_commands_outside_a_project_say_to_run_new(runner, tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, command)
    assert result.exit_code != 0
    assert "leaflets new" in result.output
    assert list(tmp_path.iterdir()) == []


def test_new_refuses_a_folder_that_is_not_empty(runner, tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "notes.txt").write_text("keep", encoding="utf-8")
    result = runner.invoke(main, ["new", str(tmp_path / "x")])
    assert result.exit_code != 0 and "not an empty folder" in result.output
    assert [p.name for p in (tmp_path / "x").iterdir()] == ["notes.txt"]
