"""Editions: large print, bilingual, print-shop output, page budgets, file names."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pikepdf
import pytest

from leaflets.build import build, plan
from leaflets.cli import main
from leaflets.document import Document
from leaflets.project import load_project

from .conftest import REPO, pdffonts, pdftotext, tool

PROJECT = load_project(REPO)
MM = 72 / 25.4


@pytest.fixture(scope="module")
def editions_build(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("editions")
    documents = plan(PROJECT, ["vertebroplasty"], editions=["large-print", "bilingual"])
    report = build(PROJECT, documents, out)
    assert not report.failed, [f.message for f in report.failed]
    return out


def text_sizes(path: Path) -> Counter:
    """Point sizes of the text that is content (not artifacts such as page furniture),
    counted by glyphs: the Tf size times the scale of the current transformation."""
    sizes: Counter = Counter()
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            scale, stack, size, marks = 1.0, [], 0.0, []
            for operands, operator in pikepdf.parse_content_stream(page):
                op = str(operator)
                if op == "q":
                    stack.append(scale)
                elif op == "Q":
                    scale = stack.pop()
                elif op == "cm":
                    scale *= abs(float(operands[3]))
                elif op in ("BDC", "BMC"):
                    marks.append(str(operands[0]))
                elif op == "EMC" and marks:
                    marks.pop()
                elif op == "Tf":
                    size = float(operands[1])
                elif op in ("Tj", "TJ") and "/Artifact" not in marks:
                    sizes[round(size * scale, 1)] += 1
    return sizes


@pytest.mark.parametrize("locale", PROJECT.locales)
def test_large_print_body_is_at_least_16pt_without_italics(editions_build, locale):
    path = editions_build / f"vertebroplasty-{locale}-large-print.pdf"
    sizes = text_sizes(path)
    assert sizes and min(sizes) >= 16, sizes
    for font in pdffonts(path):
        assert "Italic" not in font["name"] and "Oblique" not in font["name"]
    with pikepdf.open(path) as pdf:
        assert str(pdf.Root.Lang) == locale
        assert pdf.Root.MarkInfo.Marked
    text = pdftotext(path)
    assert "+90 850 255 24 23" in text.replace("\u2066", "").replace("\u2069", "")


def test_standard_edition_has_smaller_text_than_large_print(default_build, editions_build):
    standard = text_sizes(default_build / "vertebroplasty-en.pdf").most_common(1)[0][0]
    large = text_sizes(editions_build / "vertebroplasty-en-large-print.pdf").most_common(1)[0][0]
    assert standard == 12 and large >= 16


def test_large_print_lines_are_60_to_70_characters(editions_build):
    lines = [
        line.strip()
        for line in pdftotext(editions_build / "vertebroplasty-en-large-print.pdf", "-layout").splitlines()
    ]
    # Full lines of running text: the longest lines of the body.
    long = sorted((len(text) for text in lines if len(text.split()) > 6), reverse=True)[:40]
    median = long[len(long) // 2]
    assert 55 <= median <= 75, long


def h2_pages(path: Path) -> list[str]:
    # pdftotext wraps right-to-left lines in bidi embedding controls; a reader sees none.
    return re.sub("[\u202a-\u202e\u2066-\u2069]", "", pdftotext(path)).split("\f")[:-1]


@pytest.mark.parametrize("locale", [c for c in PROJECT.locales if c != PROJECT.source_locale])
def test_bilingual_sections_share_a_page_with_their_counterparts(editions_build, locale):
    from leaflets.render import render_html

    path = editions_build / f"vertebroplasty-{locale}+en.pdf"
    patient = render_html(PROJECT, Document("vertebroplasty", locale)).html
    english = render_html(PROJECT, Document("vertebroplasty", "en")).html

    def headings(html):
        return [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<h[23]>(.*?)</h[23]>", html)]

    pairs = list(zip(headings(patient), headings(english), strict=True))
    pages = h2_pages(path)

    def on_page(heading: str, page: str, partner: str = "") -> bool:
        # A heading starts and ends a line (it may wrap); a sentence merely containing it won't.
        # Punctuation is dropped: pdftotext moves a Latin heading's "?" in right-to-left pages.
        words = r"\s+".join(map(re.escape, re.sub(r"[^\w\s]", "", heading).split()))
        plain = re.sub(r"[^\w\s]", "", page)
        if re.search(rf"(?:^|\n)[ \t]*{words}[ \t]*(?:\n|$)", plain):
            return True
        # A heading that wraps beside its one-line counterpart: pdftotext puts the counterpart
        # between the heading's lines. Without the counterpart, the heading stands on its own.
        partner_words = re.sub(r"[^\w\s]", "", partner).split()
        if partner_words:
            # The counterpart's words in order from its first, as far as they run on one line.
            run = re.escape(partner_words[-1])
            for word in reversed(partner_words[:-1]):
                run = rf"{re.escape(word)}(?:[ \t]+{run})?"
            alone = re.sub(run, "", plain)
            if re.search(rf"(?:^|\n)[ \t]*{words}[ \t]*(?:\n|$)", alone):
                return True
        # Side by side in opposite directions, pdftotext interleaves the lines of a wrapped
        # heading with the other column's; there, keep only the heading's own script.
        if not re.search("[\u0600-\u06ff]", page):
            return False
        latin = bool(re.search("[A-Za-z]", heading))
        other = "[\u0600-\u06ff]" if latin else "[A-Za-z]"
        only = re.sub(r"[\W_\d]+", "", re.sub(other, "", page)).lower()
        return re.sub(r"[\W_\d]+", "", heading).lower() in only

    assert len(pairs) >= 12
    for mine, theirs in pairs:
        on = [n for n, page in enumerate(pages) if on_page(mine, page, theirs)]
        assert on, f"{mine!r} not found"
        assert on_page(theirs, pages[on[0]], mine), f"{mine!r} and {theirs!r} are on different pages"
    for page in h2_pages(path):  # both languages on every page
        assert re.search(r"\b(the|and|your)\b", page)
    with pikepdf.open(path) as pdf:
        assert str(pdf.Root.Lang) == locale


def test_bilingual_arabic_part_is_right_to_left(editions_build):
    html = editions_build / "vertebroplasty-ar+en.pdf"
    from leaflets.render import render_html

    rendered = render_html(PROJECT, Document("vertebroplasty", "ar", "bilingual", "en"))
    assert '<html lang="ar" dir="rtl"' in rendered.html
    assert 'class="part-partner" lang="en" dir="ltr"' in rendered.html
    # In the PDF the Arabic column is on the right, the English one on the left.
    import subprocess

    bbox = subprocess.run(
        [tool("pdftotext"), "-bbox", "-f", "2", "-l", "2", str(html), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = re.findall(
        r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="[\d.]+" yMax="[\d.]+">([^<]*)</word>', bbox
    )
    arabic = [float(x) for x, w in found if re.search(r"[\u0600-\u06FF]", w)]
    latin = [float(x) for x, w in found if re.fullmatch(r"[A-Za-z]{4,}", w)]
    assert sum(arabic) / len(arabic) > 300 > sum(latin) / len(latin)


def test_bilingual_with_another_partner(runner, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(
        main,
        [
            "--project",
            str(REPO),
            "build",
            "ablation",
            "-l",
            "ar",
            "-e",
            "bilingual",
            "--with",
            "tr",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert (out / "ablation-ar+tr.pdf").exists()
    assert "Türkçe" in pdftotext(out / "ablation-ar+tr.pdf")


def test_print_shop_has_bleed_and_crop_marks(tmp_path):
    import subprocess

    from PIL import Image

    documents = plan(PROJECT, ["vertebroplasty"], ["en"], ["standard"], print_shop=True)
    assert [d.pdf_name for d in documents] == ["vertebroplasty-en-print-shop.pdf"]
    office = plan(PROJECT, ["vertebroplasty"], ["en"], ["standard"])
    build(PROJECT, documents + office, tmp_path)
    bleed = 3 * MM
    with pikepdf.open(tmp_path / "vertebroplasty-en-print-shop.pdf") as pdf:
        for page in pdf.pages:
            media = [float(v) for v in page.MediaBox]
            trim = [float(v) for v in page.TrimBox]
            assert trim[0] - media[0] > bleed - 0.5 and media[2] - trim[2] > bleed - 0.5
            assert trim[1] - media[1] > bleed - 0.5 and media[3] - trim[3] > bleed - 0.5
            assert abs((trim[2] - trim[0]) - 210 * MM) < 1 and abs((trim[3] - trim[1]) - 297 * MM) < 1
    with pikepdf.open(tmp_path / "vertebroplasty-en.pdf") as pdf:
        page = pdf.pages[0]
        assert [float(v) for v in page.MediaBox][2:] == pytest.approx([210 * MM, 297 * MM], abs=1)
        assert "/TrimBox" not in page or list(page.TrimBox) == list(page.MediaBox)
    # Crop marks: dark strokes in the corner, outside the trim box, where office output is blank.
    subprocess.run(
        [
            tool("pdftoppm"),
            "-png",
            "-r",
            "72",
            "-f",
            "1",
            "-l",
            "1",
            str(tmp_path / "vertebroplasty-en-print-shop.pdf"),
            str(tmp_path / "shop"),
        ],
        check=True,
    )
    image = Image.open(next(tmp_path.glob("shop*.png"))).convert("L")
    corner = image.crop((0, 0, int(media[0] + trim[0]) + 20, int(trim[0]) + 20))
    assert corner.getextrema()[0] < 100


def test_page_budget_warning_names_locale_edition_and_pages(runner, project_dir):
    settings = project_dir / "leaflets.toml"
    settings.write_text(
        settings.read_text().replace("page_budget = { standard = 5 }", "page_budget = { standard = 2 }", 1)
    )
    result = runner.invoke(
        main,
        [
            "--project",
            str(project_dir),
            "build",
            "vertebroplasty",
            "-l",
            "de",
            "-o",
            str(project_dir / "out"),
        ],
    )
    assert result.exit_code == 0
    assert re.search(
        r"warning: vertebroplasty-de: \d pages, over the budget of 2 for the standard "
        r"edition in de",
        result.output,
    )


@pytest.mark.parametrize(
    ("document", "name"),
    [
        (Document("vertebroplasty", "tr"), "vertebroplasty-tr.pdf"),
        (Document("vertebroplasty", "tr", "large-print"), "vertebroplasty-tr-large-print.pdf"),
        (Document("vertebroplasty", "ar", "bilingual", "en"), "vertebroplasty-ar+en.pdf"),
        (Document("ablation", "de", "standard", None, True), "ablation-de-print-shop.pdf"),
    ],
)
def test_file_names_staff_understand(document, name):
    assert document.pdf_name == name


def test_editions_setting_and_all(project_dir):
    settings = project_dir / "leaflets.toml"
    settings.write_text(
        settings.read_text().replace('editions = ["standard"]', 'editions = ["standard", "large-print"]')
    )
    project = load_project(project_dir)
    assert {d.edition for d in plan(project)} == {"standard", "large-print"}
    everything = plan(project, editions=["all"])
    assert {d.edition for d in everything} == {"standard", "large-print", "bilingual", "html"}
    assert not [d for d in everything if d.edition == "bilingual" and d.locale == "en"]


def test_check_warns_when_a_translation_is_over_the_page_budget(runner, project_dir):
    settings = project_dir / "leaflets.toml"
    settings.write_text(
        settings.read_text().replace("page_budget = { standard = 5 }", "page_budget = { standard = 3 }", 1)
    )
    result = runner.invoke(main, ["--project", str(project_dir), "check"])
    assert re.search(
        r"leaflets\.toml:\d+: \[page-budget\] warning: vertebroplasty-de: 4 pages in de, "
        r"standard edition; the budget is 3",
        result.output,
    )
    quick = runner.invoke(main, ["--project", str(project_dir), "check", "--no-pages"])
    assert "[page-budget]" not in quick.output
