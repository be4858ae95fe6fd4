"""Every locale of leaflets.toml: its script, direction and accessibility, read from the PDFs.

Parametrised over the project's own locale list, so a language added later is tested with
no new test code.
"""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from pathlib import Path

import pikepdf
import pytest

from leaflets.build import plan
from leaflets.document import Document
from leaflets.errors import MissingGlyphError
from leaflets.locales import locale_info
from leaflets.project import load_project
from leaflets.render import render_html

from .conftest import REPO, pdftotext, squash, tool
from .test_safety import translate

PROJECT = load_project(REPO)
DOCUMENTS = plan(PROJECT)
IDS = [d.stem for d in DOCUMENTS]


def structure(path: Path) -> list[tuple[str, pikepdf.Dictionary]]:
    """The structure elements of a tagged PDF in document (depth-first) order."""
    found = []
    with pikepdf.open(path) as pdf:

        def walk(node):
            kids = node.get("/K")
            if kids is None:
                return
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    found.append((str(kid["/S"]), kid))
                    walk(kid)

        walk(pdf.Root.StructTreeRoot)
        return [(name, dict(element)) for name, element in found]


@pytest.mark.parametrize("document", DOCUMENTS, ids=IDS)
def test_pdfua_checker_finds_no_errors(default_build, document):
    result = subprocess.run(
        [tool("pdfua"), "check", str(default_build / document.pdf_name)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("document", DOCUMENTS, ids=IDS)
def test_headings_in_order_lists_as_lists_figures_with_alt(default_build, document):
    elements = structure(default_build / document.pdf_name)
    names = [name for name, _ in elements]
    levels = [int(name[2]) for name in names if re.fullmatch(r"/H[1-6]", name)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), levels  # no level skipped
    assert names.count("/L") >= 5 and names.count("/LI") >= 20
    figures = [element for name, element in elements if name == "/Figure"]
    assert len(figures) >= 2  # the illustration and the QR code
    assert all(str(element.get("/Alt", "")).strip() for element in figures)
    assert "/Link" in names


@pytest.mark.parametrize("locale", PROJECT.locales)
def test_reading_order_is_the_logical_order(default_build, locale):
    """The section headings come out of the PDF in the order the template writes them."""
    html = render_html(PROJECT, Document("vertebroplasty", locale)).html
    expected = [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<h2>(.*?)</h2>", html)]
    text = letters(pdftotext(default_build / f"vertebroplasty-{locale}.pdf"))
    position = 0
    for heading in expected:
        found = text.find(letters(heading), position)
        assert found >= 0, f"{heading!r} missing or out of order"
        position = found + 1


def letters(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


@pytest.mark.parametrize("locale", PROJECT.locales)
def test_language_direction_and_script(default_build, locale):
    info = locale_info(locale)
    text = pdftotext(default_build / f"vertebroplasty-{locale}.pdf")
    scripts = {"Arab": r"[\u0600-\u06FF]", "Cyrl": r"[\u0400-\u04FF]", "Latn": r"[A-Za-z]"}
    body = re.sub(r"[A-Za-z]+", "", text) if info.script != "Latn" else text
    assert len(re.findall(scripts[info.script], body)) > 2000
    with pikepdf.open(default_build / f"vertebroplasty-{locale}.pdf") as pdf:
        assert str(pdf.Root.Lang) == locale


def test_letters_of_each_language(default_build):
    german = pdftotext(default_build / "vertebroplasty-de.pdf")
    assert all(char in german for char in "äöüß")
    russian = pdftotext(default_build / "vertebroplasty-ru.pdf")
    assert "Вертебропластика" in russian
    arabic = squash(pdftotext(default_build / "vertebroplasty-ar.pdf"))
    # Logical order: the words read in the order they are written, not mirrored.
    assert "رأب الفقرات" in arabic
    assert "الفقرات رأب" not in arabic


def words(path: Path, page: int) -> list[tuple[float, float, float, str]]:
    out = subprocess.run(
        [tool("pdftotext"), "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [
        (float(a), float(b), float(c), w)
        for a, b, c, w in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>',
            out,
        )
    ]


def markers_and_text(path: Path) -> list[tuple[tuple, list[tuple]]]:
    """For each numbered list marker ("1." … "5."), the other words on its line."""
    found = []
    for page in range(1, 6):
        try:
            line_words = words(path, page)
        except subprocess.CalledProcessError:
            break
        for word in line_words:
            if re.fullmatch(r"\.[1-5]|[1-5]\.", word[3]):
                # Within 6 pt: the marker (Sans) and the words (Arabic, drawn larger) have boxes
                # of different heights on the same line.
                same_line = [w for w in line_words if abs(w[1] - word[1]) < 6 and w is not word]
                if len(same_line) >= 3:
                    found.append((word, same_line))
    return found


def test_arabic_is_right_aligned_with_list_numbers_on_the_right(default_build):
    arabic = markers_and_text(default_build / "vertebroplasty-ar.pdf")
    english = markers_and_text(default_build / "vertebroplasty-en.pdf")
    assert len(arabic) >= 5 and len(english) >= 5
    for marker, others in arabic:
        assert marker[0] > max(w[2] for w in others), marker
    for marker, others in english:
        assert marker[2] < min(w[0] for w in others), marker
    # Right-aligned: the lines of the first page end at the same right edge, start anywhere.
    page = words(default_build / "vertebroplasty-ar.pdf", 1)
    lines: dict[int, list] = {}
    for word in page:
        lines.setdefault(round(word[1]), []).append(word)
    body = [ws for ws in lines.values() if len(ws) > 4]
    rights = [round(max(w[2] for w in ws) / 4) * 4 for ws in body]
    lefts = [round(min(w[0] for w in ws) / 4) * 4 for ws in body]
    edge, count = Counter(rights).most_common(1)[0]
    assert count >= len(body) / 3, rights  # many lines end at one right edge...
    assert Counter(lefts).most_common(1)[0][1] < count  # ...more than share any left edge
    assert edge > 500  # and that edge is the page's right side


def test_a_character_no_bundled_font_covers_fails_the_build(project_dir):
    # Cherokee: neither the tool nor Debian's packages it finds have it.
    line = translate(project_dir, "de", "Benefits", "Vorteile \u13a0")
    with pytest.raises(MissingGlyphError) as info:
        render_html(load_project(project_dir), Document("vertebroplasty", "de"))
    message = str(info.value)
    assert f"messages.po:{line}" in message
    assert "U+13A0 CHEROKEE LETTER A" in message
    assert "de translation of 'Benefits'" in message
    assert "into the project's fonts/ folder" in message


def test_missing_glyph_through_the_cli(runner, project_dir):
    from leaflets.cli import main

    translate(project_dir, "de", "Benefits", "Vorteile \u13a0")
    result = runner.invoke(
        main, ["--project", str(project_dir), "build", "-l", "de", "-l", "tr", "-o", str(project_dir / "out")]
    )
    assert result.exit_code == 1
    assert "no font has '\u13a0'" in result.output
    assert (project_dir / "out" / "vertebroplasty-tr.pdf").is_file()  # other languages still build


def luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c):
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def hex_rgb(value: str) -> tuple[float, float, float]:
    return tuple(int(value[i : i + 2], 16) / 255 for i in (1, 3, 5))


# The backgrounds of the theme's leaflet.css: light panels for dark text, the masthead for light.
LIGHT_BACKGROUNDS = ["#ffffff", "#eef5f9", "#fdf0ec"]
DARK_BACKGROUND = "#0d4a6b"


@pytest.mark.parametrize("locale", PROJECT.locales)
def test_text_contrast_is_at_least_4_5_to_1(default_build, locale):
    colours = set()
    with pikepdf.open(default_build / f"vertebroplasty-{locale}.pdf") as pdf:
        for page in pdf.pages:
            fill = (0.0, 0.0, 0.0)
            for operands, operator in pikepdf.parse_content_stream(page):
                if str(operator) == "rg":
                    fill = tuple(float(x) for x in operands)
                elif str(operator) in ("Tj", "TJ"):
                    colours.add(fill)
    assert colours
    for colour in colours:
        if luminance(colour) > 0.5:
            assert contrast(colour, hex_rgb(DARK_BACKGROUND)) >= 4.5, colour
        else:
            for background in LIGHT_BACKGROUNDS:
                assert contrast(colour, hex_rgb(background)) >= 4.5, (colour, background)
