"""The shelf page (``out/index.html``) opened in real headless Chromium, as clinic staff use it.

A real build (the vertebroplasty leaflet in every language of the sample project, standard,
large-print and bilingual) is opened as a ``file://`` URL. The searches a nurse types are
checked against the rows the manifest says should match; links are clicked and must deliver the
very bytes of the PDFs; the page is checked at phone widths and with axe-core.

Needs Python Playwright and a Chromium; it FAILS, not skips, when either is missing, because CI
installs both (``.ci/run``):

    pip install -e '.[test]'          # brings Playwright (the pip package ``playwright``)
    apt-get install chromium          # Debian's Chromium, at /usr/bin/chromium

axe-core comes from npm into ``.ci/node`` (``.ci/run`` installs it, as ``.ci/npm-packages``
names it); its test skips, saying so, only when it is not installed on a developer's machine. Playwright's own
browser download (``playwright install``) is not used. Another Chromium can be named with the
environment variable ``LEAFLETS_CHROMIUM``, another axe.min.js with ``LEAFLETS_AXE``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

import pytest

from leaflets.build import build, plan
from leaflets.i18n import words
from leaflets.project import load_project

from .conftest import REPO

try:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # reported by the fixture below as a failure with the install command
    sync_playwright = expect = None
    PlaywrightError = Exception

INSTALL = (
    "install Playwright with `pip install -e '.[test]'` (or `pip install playwright`) and "
    "Chromium with `apt-get install chromium` (Debian; do not run `playwright install`), "
    "or name a Chromium binary in LEAFLETS_CHROMIUM"
)
# Without the networking flags Chromium tries to reach Google's services and, on a machine with
# no network, logs refused connections; none of them is needed to open local files.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LANGUAGES = {"en": "English", "tr": "Türkçe", "ar": "العربية", "ru": "Русский", "de": "Deutsch"}
DIRECTIONS = {"en": "ltr", "tr": "ltr", "ar": "rtl", "ru": "ltr", "de": "ltr"}
EDITIONS = ["standard", "large-print", "bilingual"]
TIMEOUT_MS = 30_000
#: Every row drawn and agreeing with the search (the page brings far rows up to date in slices).
SETTLED = "html[data-drawn=all][data-synced='1']"
AXE_CANDIDATES = [
    REPO / ".ci" / "node" / "node_modules" / "axe-core" / "axe.min.js",  # where .ci/run puts it
    REPO / ".tools" / "node_modules" / "axe-core" / "axe.min.js",
    REPO / "node_modules" / "axe-core" / "axe.min.js",
    Path("/usr/lib/node_modules/axe-core/axe.min.js"),
    Path("/usr/local/lib/node_modules/axe-core/axe.min.js"),
]


def chromium_path() -> str:
    named = os.environ.get("LEAFLETS_CHROMIUM")
    candidates = [named] if named else [shutil.which("chromium"), "/usr/bin/chromium"]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    pytest.fail(f"no Chromium found (looked for {named or 'chromium, /usr/bin/chromium'}): {INSTALL}")


@pytest.fixture(scope="module")
def shelf(tmp_path_factory) -> Path:
    """A real build's output folder: the PDFs, manifest.json and index.html."""
    out = tmp_path_factory.mktemp("shelf") / "out"
    project = load_project(REPO)
    documents = plan(project, ["vertebroplasty"], list(LANGUAGES), EDITIONS)
    report = build(project, documents, out)
    assert not report.failed, [str(f.error) for f in report.failed]
    assert (out / "index.html").is_file() and (out / "manifest.json").is_file()
    return out


@pytest.fixture(scope="module")
def playwright():
    if sync_playwright is None:
        pytest.fail(f"Python Playwright is not installed: {INSTALL}")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright):
    """Chromium as installed, with its built-in PDF viewer as a member of staff would have it."""
    try:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
    except PlaywrightError as error:
        pytest.fail(f"Chromium did not start ({error}): {INSTALL}")
    yield browser
    browser.close()


def open_page(browser, url: str, width: int = 1280):
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "request",
        lambda request: (
            errors.append(f"request {request.url}") if not request.url.startswith("file:") else None
        ),
    )
    response = page.goto(url)
    assert response is not None and response.ok
    page.wait_for_selector(SETTLED, state="attached")
    page.errors = errors  # type: ignore[attr-defined]
    return context, page


@pytest.fixture
def page(browser, shelf):
    context, page = open_page(browser, (shelf / "index.html").as_uri())
    yield page
    assert page.errors == [], "script errors or requests outside the folder"
    context.close()


def file_path(url: str) -> Path:
    """The file a ``file://`` URL names (Chromium writes ``+`` as it is, Path.as_uri as %2B)."""
    parsed = urlparse(url)
    assert parsed.scheme == "file", url
    return Path(url2pathname(parsed.path))


def manifest_documents(shelf: Path) -> dict[str, dict]:
    return json.loads((shelf / "manifest.json").read_text(encoding="utf-8"))["documents"]


def shown_files(page) -> set[str]:
    """The PDFs whose rows are visible in the view on screen."""
    return set(
        page.locator(".view.active li.doc:visible a.doc-link").evaluate_all(
            "els => els.map(e => e.getAttribute('href'))"
        )
    )


def search(page, text: str) -> set[str]:
    page.locator("#q").fill(text)
    page.wait_for_selector(SETTLED, state="attached")
    return shown_files(page)


def test_two_ways_in_with_contents_and_every_row(page, shelf):
    project = load_project(REPO)
    assert page.title() == project.name
    assert page.locator("h1").inner_text() == project.name
    documents = manifest_documents(shelf)
    english = documents["vertebroplasty-en.pdf"]["title"]

    # By leaflet: one group headed by the source-language title, listed in the contents.
    view = page.locator("#by-leaflet")
    assert view.is_visible()
    assert view.locator(".group h3").all_inner_texts() == [english]
    assert view.locator(".toc a").all_inner_texts() == [english]
    assert shown_files(page) == set(documents)
    # Every row: the title in its language and in the source language, language, edition, dates.
    for name, entry in documents.items():
        row = view.locator("li.doc").filter(has=page.locator(f'a.doc-link[href="{name}"]'))
        text = row.inner_text()
        assert entry["title"].split(" – ")[0] in text
        assert english in text
        assert LANGUAGES[entry["locale"]] in text
        assert f"Pages: {entry['pages']}" in text and f"Version {entry['version']}" in text
        assert "Published" in text and "Review due" in text
        assert row.locator(".st").is_visible()

    # By language: one group per language, by its own name and in the staff's language.
    page.get_by_role("button", name="By language").click()
    view = page.locator("#by-language")
    expect(view).to_be_visible()
    assert not page.locator("#by-leaflet").is_visible()
    headings = view.locator(".group h3").all_inner_texts()
    assert len(headings) == len(LANGUAGES)
    for code, name in LANGUAGES.items():
        group = view.locator(f"#language-{code}")
        assert group.locator("h3").inner_text().startswith(name)
        own = group.locator(f'h3 span[lang="{code}"]')
        assert own.get_attribute("dir") == DIRECTIONS[code]
        assert own.evaluate("e => getComputedStyle(e).direction") == DIRECTIONS[code]
        expected = {n for n, e in documents.items() if e["locale"] == code}
        hrefs = group.locator("a.doc-link").evaluate_all("els => els.map(e => e.getAttribute('href'))")
        assert set(hrefs) == expected
    assert view.locator("#language-ar h3").inner_text() == "العربية (Arabic)"
    # A contents entry leads to its group.
    view.locator(".toc a", has_text="Deutsch").click()
    assert page.evaluate("location.hash") == "#language-de"


def test_searches_a_nurse_types(page, shelf):
    documents = manifest_documents(shelf)

    def where(test) -> set[str]:
        return {name for name, entry in documents.items() if test(entry)}

    assert search(page, "arabic large print") == where(
        lambda e: e["locale"] == "ar" and e["edition"] == "large-print"
    )
    ar = where(lambda e: "ar" in (e["locale"], e["partner"]))
    assert search(page, "vertebroplasty arabic") == ar
    assert search(page, "  ARABIC   vertebroplasty ") == ar  # any order, case and spacing
    assert search(page, "large print") == where(lambda e: e["edition"] == "large-print")
    assert search(page, "turkce") == where(lambda e: "tr" in (e["locale"], e["partner"]))
    english = where(lambda e: "en" in (e["locale"], e["partner"]))
    assert {n for n in english if documents[n]["edition"] == "bilingual"}, "no bilingual row to find"
    assert search(page, "english") == english
    # A title in each language finds that language's rows (English, the source, finds all).
    for code in LANGUAGES:
        title = documents[f"vertebroplasty-{code}.pdf"]["title"]
        expected = set(documents) if code == "en" else where(lambda e, c=code: e["locale"] == c)
        assert search(page, title) == expected, title
    assert search(page, "Vertebroplasti") >= where(lambda e: e["locale"] == "tr")
    assert search(page, "رأب الفقرات") == where(lambda e: e["locale"] == "ar")
    assert search(page, "Вертебропластика") == where(lambda e: e["locale"] == "ru")
    # A keyword of the leaflet, in its language.
    assert search(page, "kemik çimentosu") >= where(
        lambda e: e["locale"] == "tr" and e["edition"] != "bilingual"
    )

    # The count is announced.
    search(page, "arabic large print")
    count = page.locator("#count")
    assert count.get_attribute("aria-live") == "polite"
    assert count.inner_text() == f"1 of {len(documents)} documents shown"


def test_nothing_found_says_so_and_hides_empty_groups(page, shelf):
    assert search(page, "xylophone") == set()
    message = page.locator("#none")
    expect(message).to_be_visible()
    assert "xylophone" in message.inner_text()
    assert page.locator(".view.active .group:visible").count() == 0
    assert page.locator(".view.active .toc li:visible").count() == 0
    assert page.locator("#count").inner_text().startswith("0 of")
    total = len(manifest_documents(shelf))
    search(page, "")
    expect(page.locator("#count")).to_have_text(f"{total} documents")
    assert not message.is_visible()
    assert len(shown_files(page)) == total


def test_the_page_folds_a_search_as_the_python_side_folds_the_rows(browser):
    """shelf.js's foldText and shelf.py's fold agree in every script, or a search finds nothing."""
    from leaflets.shelf import fold

    script = (REPO / "src" / "leaflets" / "assets" / "shelf" / "shelf.js").read_text(encoding="utf-8")
    body = re.search(r"function foldText\(text\) \{.*?\n  \}", script, re.S)
    assert body, "foldText not found in shelf.js"
    samples = [
        "Türkçe BÜYÜK-BASKI",
        "İstanbul ışık",
        "Größe",
        "العربية طباعة كبيرة",
        "Русский",
        "हिन्दी बड़े अक्षर",
        "বাংলা",
        "ਪੰਜਾਬੀ",
        "தமிழ்",
        "ไทย ตัวพิมพ์ใหญ่",
        "អារ៉ាប់ អក្សរធំ",
        "မြန်မာ အာရဗီ",
        "ქართული",
        "Հայերեն",
        "Tiếng Việt",
        "中文 (繁體)",
        "日本語",
        "한국어",
        "עברית",
    ]
    context = browser.new_context()
    try:
        page = context.new_page()
        folded = page.evaluate(f"samples => {{ {body[0]}; return samples.map(foldText); }}", samples)
    finally:
        context.close()
    assert folded == [fold(text) for text in samples]


def test_going_back_keeps_the_filter(page, shelf):
    expected = search(page, "arabic large print")
    page.get_by_role("button", name="By language").click()
    page.goto((shelf / "manifest.json").as_uri())
    page.go_back()
    page.wait_for_selector(SETTLED, state="attached")
    assert page.locator("#q").input_value() == "arabic large print"
    assert page.locator("#by-language").is_visible()
    assert shown_files(page) == expected
    # A reload, or the address copied to a colleague, keeps it too.
    page.reload()
    page.wait_for_selector(SETTLED, state="attached")
    assert page.locator("#q").input_value() == "arabic large print"
    assert shown_files(page) == expected


def test_accessible_names_hold_leaflet_language_edition_status(page, shelf):
    documents = manifest_documents(shelf)
    edition_names = {"standard": "Standard", "large-print": "Large print", "bilingual": "Bilingual"}
    links = page.locator("#by-leaflet a.doc-link")
    assert links.count() == len(documents)
    names = set()
    for i in range(links.count()):
        link = links.nth(i)
        entry = documents[link.get_attribute("href")]
        name = link.get_attribute("aria-label")
        assert entry["title"].split(" – ")[0] in name
        assert LANGUAGES[entry["locale"]] in name
        assert edition_names[entry["edition"]] in name
        assert "DRAFT" in name and entry["status"] == "draft"
        assert link.inner_text() in name  # what is seen is part of what is heard
        names.add(name)
    assert len(names) == len(documents), "two links sound the same"
    # The draft reasons, one click away.
    row = page.locator("#by-leaflet li.doc").first
    reasons = row.locator(".why")
    assert not reasons.is_visible()
    row.locator("summary").click()
    expect(reasons.locator("li").first).to_be_visible()
    entry = documents[row.locator("a.doc-link").get_attribute("href")]
    assert reasons.locator("li").all_inner_texts() == entry["draft_reasons"]


@pytest.mark.parametrize("width", [320, 390])
def test_every_status_visible_on_a_phone(browser, shelf, width):
    context, page = open_page(browser, (shelf / "index.html").as_uri(), width)
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        rows = page.locator("#by-leaflet li.doc")
        assert rows.count() == len(manifest_documents(shelf))
        for i in range(rows.count()):
            status = rows.nth(i).locator(".st summary, span.st").first
            status.scroll_into_view_if_needed()
            box = status.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
            assert status.inner_text().startswith("⚠ DRAFT")
            assert status.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
        page.screenshot(path=str(shelf.parent / f"shelf-{width}.png"))
    finally:
        context.close()


def test_every_link_opens_a_pdf_of_the_build(playwright, page, shelf, tmp_path):
    pdfs = {path.name for path in shelf.glob("*.pdf")}
    documents = manifest_documents(shelf)
    assert pdfs and set(documents) == pdfs
    hrefs = page.locator("#by-leaflet a.doc-link").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert sorted(hrefs) == sorted(pdfs), "exactly one document link per PDF"
    prints = page.locator("#by-leaflet a.print").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert sorted(prints) == sorted(pdfs), "a print button per PDF"

    # Chromium told to save PDFs rather than show them, so a click hands over the file's bytes.
    profile = tmp_path / "profile"
    (profile / "Default").mkdir(parents=True)
    (profile / "Default" / "Preferences").write_text(
        json.dumps({"plugins": {"always_open_pdf_externally": True}}), encoding="utf-8"
    )
    context = playwright.chromium.launch_persistent_context(
        str(profile), executable_path=chromium_path(), args=CHROMIUM_ARGS, accept_downloads=True
    )
    try:
        downloading = context.new_page()
        downloading.goto((shelf / "index.html").as_uri())
        downloading.wait_for_selector(SETTLED, state="attached")
        links = downloading.locator("#by-leaflet a.doc-link")
        for i in range(links.count()):
            href = links.nth(i).get_attribute("href")
            with downloading.expect_download() as info:
                links.nth(i).click()
            download = info.value
            assert download.failure() is None, href
            assert file_path(download.url) == shelf / href
            assert Path(download.path()).read_bytes() == (shelf / href).read_bytes(), href
    finally:
        context.close()


def test_print_button_and_print_stylesheet(page, shelf):
    link = page.locator("#by-leaflet a.print").first
    # From the file system a browser may not print a frame: the button opens the PDF itself.
    assert link.get_attribute("target") == "_blank"
    assert link.get_attribute("aria-label").startswith("Print: ")
    page.emulate_media(media="print")
    assert not page.locator(".tools").is_visible()
    assert not page.locator("#by-leaflet a.print").first.is_visible()
    assert page.locator("#by-leaflet li.doc .st").first.is_visible()
    pdf = page.pdf()
    assert pdf.startswith(b"%PDF-")


def axe_source() -> str:
    named = os.environ.get("LEAFLETS_AXE")
    for path in [Path(named)] if named else AXE_CANDIDATES:
        if path.is_file():
            return path.read_text(encoding="utf-8")
    pytest.skip("axe-core is not installed here: `npm install --prefix .ci/node axe-core` (.ci/run does)")


@pytest.mark.parametrize("width", [320, 390, 1280])
@pytest.mark.parametrize("view", ["by-leaflet", "by-language"])
def test_axe_core_finds_nothing(browser, shelf, width, view):
    source = axe_source()
    context, page = open_page(browser, (shelf / "index.html").as_uri() + f"?view={view}", width)
    try:
        page.locator(".view.active li.doc summary").first.click()
        page.add_script_tag(content=source)
        result = page.evaluate("async () => await axe.run(document)")
        violations = [
            (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
        ]
        assert violations == []
        assert result["passes"], "axe ran no rule"
    finally:
        context.close()


def test_staff_language_turkish_and_arabic(browser, shelf, tmp_path):
    """The page's own words come from the tool's catalogue of the staff's language."""
    import dataclasses

    from leaflets.project import ShelfSettings
    from leaflets.shelf import write_shelf

    project = load_project(REPO)
    manifest = json.loads((shelf / "manifest.json").read_text(encoding="utf-8"))
    for code, direction in (("tr", "ltr"), ("ar", "rtl")):
        out = tmp_path / code
        shutil.copytree(shelf, out)
        staff = dataclasses.replace(project, shelf=ShelfSettings(staff_language=code))
        write_shelf(out, manifest, staff)
        context, page = open_page(browser, (out / "index.html").as_uri())
        try:
            _ = words(code)
            assert _("Search") != "Search", "no catalogue"
            assert page.evaluate("document.documentElement.lang") == code
            assert page.evaluate("document.documentElement.dir") == direction
            assert page.locator("label[for=q]").inner_text() == _("Search")
            assert page.get_by_role("button", name=_("By language")).is_visible()
            assert _("DRAFT: not for patients") in page.locator("li.doc .st").first.inner_text()
            # Language names in the staff's language are searchable: Arapça / العربية.
            expected = {
                n for n, e in manifest["documents"].items() if e["locale"] == "ar" or e["partner"] == "ar"
            }
            assert search(page, "arapça" if code == "tr" else "العربية") >= expected
        finally:
            context.close()


def test_nine_thousand_rows(browser, tmp_path):
    """At the design scale every row is drawn, and a search's count and rows are right.

    Timing is measured by ``benchmarks/bench_shelf.py``, not asserted here.
    """
    from leaflets.shelf import write_shelf

    from .shelf_manifest import LANGUAGES as CODES
    from .shelf_manifest import generate, title

    out = tmp_path / "out"
    manifest, project = generate(out, load_project(REPO))
    assert len(manifest["documents"]) == 9000
    write_shelf(out, manifest, project)
    context, page = open_page(browser, (out / "index.html").as_uri())
    try:
        assert page.locator("#by-leaflet li.doc").count() == 9000
        assert page.locator("#by-leaflet .group").count() == 100
        assert page.locator("#by-language .group").count() == len(CODES) == 30
        assert page.locator("#count").inner_text() == "9,000 documents"
        # One leaflet in Arabic: standard, large print, and the bilingual ar+en.
        assert search(page, f"{title(42, 'ar')} arabic") == {
            "procedure-042-ar.pdf",
            "procedure-042-ar-large-print.pdf",
            "procedure-042-ar+en.pdf",
        }
        assert page.locator("#count").inner_text() == "3 of 9,000 documents shown"
        assert page.locator("#by-leaflet .group:visible").count() == 1
        assert len(search(page, "large print")) == 3000
        search(page, "")
        expect(page.locator("#count")).to_have_text("9,000 documents")
        assert page.locator("#by-leaflet li.doc:visible").count() == 9000
    finally:
        context.close()


def test_qr_code_opens_with_a_base_url(browser, shelf, tmp_path):
    """With ``[shelf] base_url`` each document has a QR code a patient scans; the image loads."""
    import dataclasses

    from leaflets.project import ShelfSettings
    from leaflets.shelf import write_shelf

    project = load_project(REPO)
    manifest = json.loads((shelf / "manifest.json").read_text(encoding="utf-8"))
    out = tmp_path / "published"
    shutil.copytree(shelf, out)
    base = "https://clinic.example/leaflets/"
    write_shelf(out, manifest, dataclasses.replace(project, shelf=ShelfSettings(base_url=base)))
    context, page = open_page(browser, (out / "index.html").as_uri(), 390)
    try:
        codes = page.locator("#by-leaflet details.qr")
        assert codes.count() == len(manifest["documents"])
        row = page.locator("#by-leaflet li.doc").first
        href = row.locator("a.doc-link").get_attribute("href")
        row.locator("details.qr summary").click()
        image = row.locator("details.qr img")
        expect(image).to_be_visible()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
        assert image.get_attribute("alt") == f"QR code: {base}{href.replace('+', '%2B')}"
    finally:
        context.close()
