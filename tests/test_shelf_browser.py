"""The shelf page (``out/index.html``) opened from the file system in real headless Chromium.

A small real build (the vertebroplasty leaflet in English, Turkish and Arabic, standard and
bilingual editions) is opened as a ``file://`` URL, as clinic staff open it: the page's title,
sections and language names are read from the rendered page, every link is clicked and must
deliver the very bytes of a PDF of the build, and the search box is typed into.

This test needs Python Playwright and a Chromium; it FAILS, not skips, when either is missing,
because CI installs both (``.ci/run``):

    pip install -e '.[test]'          # brings Playwright (the pip package ``playwright``)
    apt-get install chromium          # Debian's Chromium, at /usr/bin/chromium

Playwright's own browser download (``playwright install``) is not used. Another Chromium can be
named with the environment variable ``LEAFLETS_CHROMIUM``.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

import pytest

from leaflets.build import build, plan
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
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LANGUAGES = {"en": "English", "tr": "Türkçe", "ar": "العربية"}
DIRECTIONS = {"en": "ltr", "tr": "ltr", "ar": "rtl"}
TIMEOUT_MS = 30_000


def chromium_path() -> str:
    named = os.environ.get("LEAFLETS_CHROMIUM")
    candidates = [named] if named else [shutil.which("chromium"), "/usr/bin/chromium"]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    pytest.fail(f"no Chromium found (looked for {named or 'chromium, /usr/bin/chromium'}): {INSTALL}")


@pytest.fixture(scope="module")
def shelf(tmp_path_factory) -> Path:
    """A real build's output folder: 5 PDFs, manifest.json and index.html."""
    out = tmp_path_factory.mktemp("shelf") / "out"
    project = load_project(REPO)
    documents = plan(project, ["vertebroplasty"], list(LANGUAGES), ["standard", "bilingual"])
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


@pytest.fixture
def page(browser, shelf):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    response = page.goto((shelf / "index.html").as_uri())
    assert response is not None and response.ok
    yield page
    context.close()


@pytest.fixture
def downloading_page(playwright, shelf, tmp_path):
    """Chromium told to save PDFs rather than show them, so a click hands over the file's bytes.

    The built-in viewer replaces the PDF by its own small HTML page, whose bytes say nothing of
    the file; with ``plugins.always_open_pdf_externally`` every PDF link becomes a download.
    """
    profile = tmp_path / "profile"
    (profile / "Default").mkdir(parents=True)
    (profile / "Default" / "Preferences").write_text(
        json.dumps({"plugins": {"always_open_pdf_externally": True}}), encoding="utf-8"
    )
    try:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=chromium_path(),
            args=CHROMIUM_ARGS,
            headless=True,
            accept_downloads=True,
        )
    except PlaywrightError as error:
        pytest.fail(f"Chromium did not start ({error}): {INSTALL}")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    response = page.goto((shelf / "index.html").as_uri())
    assert response is not None and response.ok
    yield page
    context.close()


def file_path(url: str) -> Path:
    """The file a ``file://`` URL names (Chromium writes ``+`` as it is, Path.as_uri as %2B)."""
    parsed = urlparse(url)
    assert parsed.scheme == "file", url
    return Path(url2pathname(parsed.path))


def manifest_documents(shelf: Path) -> dict[str, dict]:
    return json.loads((shelf / "manifest.json").read_text(encoding="utf-8"))["documents"]


def test_page_shows_every_leaflet_and_language_by_its_own_name(page, shelf):
    project = load_project(REPO)
    # The shelf is titled by the project's name (leaflets.toml `name`), in the tab and on the page.
    assert page.title() == project.name
    assert page.locator("h1").inner_text() == project.name

    documents = manifest_documents(shelf)
    leaflets = {entry["leaflet"] for entry in documents.values()}
    assert leaflets == {"vertebroplasty"}
    sections = page.locator("section.leaflet")
    assert sorted(sections.evaluate_all("els => els.map(e => e.id)")) == sorted(leaflets)
    for slug in leaflets:
        section = page.locator(f"section.leaflet#{slug}")
        assert section.is_visible()
        # Headed by the leaflet's title in the source language (its English standard edition).
        english = documents[f"{slug}-en.pdf"]
        assert section.locator("h2").inner_text() == english["title"]
        # One row per document of the leaflet.
        rows = sum(entry["leaflet"] == slug for entry in documents.values())
        assert section.locator("tbody tr").count() == rows

    for code, name in LANGUAGES.items():
        spans = page.locator(f'span[lang="{code}"]')
        assert spans.count() >= 1, f"no element for {code}"
        for i in range(spans.count()):
            span = spans.nth(i)
            assert span.is_visible()
            assert span.inner_text() == name
            assert span.get_attribute("dir") == DIRECTIONS[code]
    # The computed direction too, not only the attribute: the browser lays Arabic out rtl.
    arabic = page.locator('span[lang="ar"]').first
    assert arabic.evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert page.get_by_text("العربية", exact=True).first.get_attribute("dir") == "rtl"


def test_every_link_opens_a_pdf_of_the_build(page, downloading_page, shelf):
    pdfs = {path.name for path in shelf.glob("*.pdf")}
    documents = manifest_documents(shelf)
    assert len(pdfs) == 5  # en, tr, ar standard; tr+en, ar+en bilingual
    assert set(documents) == pdfs

    hrefs = page.locator("a[href]").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert len(hrefs) == len(set(hrefs)), f"a PDF linked twice: {hrefs}"
    assert set(hrefs) == pdfs, "exactly one link per PDF in out/"
    assert set(hrefs) == set(documents), "exactly one link per document of manifest.json"

    # Clicked, each link must hand over the very file: its bytes as on disk.
    links = downloading_page.locator("a[href]")
    assert links.count() == len(pdfs)
    for i in range(links.count()):
        link = links.nth(i)
        href = link.get_attribute("href")
        with downloading_page.expect_download() as download_info:
            link.click()
        download = download_info.value
        assert download.failure() is None, f"{href}: {download.failure()}"
        assert file_path(download.url) == shelf / href
        data = Path(download.path()).read_bytes()
        on_disk = (shelf / href).read_bytes()
        assert data.startswith(b"%PDF-"), f"{href} did not deliver a PDF"
        assert len(data) == len(on_disk) == documents[href]["bytes"], href
        assert data == on_disk, href

    # Navigated to as they are, each link opens as a PDF (or, in a Chromium without the
    # built-in viewer, starts its download).
    urls = page.locator("a[href]").evaluate_all("els => els.map(e => e.href)")
    assert {file_path(url) for url in urls} == {shelf / name for name in pdfs}
    for url in urls:
        href = file_path(url).name
        try:
            response = page.goto(url)
        except PlaywrightError as error:
            assert "Download is starting" in str(error), f"{href}: {error}"
            continue
        assert response is not None and response.ok, href
        assert response.headers["content-type"] == "application/pdf", href


def test_search_box_keeps_only_matching_rows(page):
    rows = page.locator("tr[data-search]")
    total = rows.count()
    turkish = [i for i in range(total) if "Türkçe" in rows.nth(i).inner_text()]
    assert 0 < len(turkish) < total

    page.locator("input#filter").press_sequentially("türk")
    visible = page.locator("tr[data-search]:visible")
    # The filter runs on each input event: wait until it has hidden the other rows.
    expect(visible).to_have_count(len(turkish))
    for i in range(total):
        row = rows.nth(i)
        assert row.is_visible() == (i in turkish), row.inner_text()
    for text in visible.all_inner_texts():
        assert "Türkçe" in text

    page.locator("input#filter").fill("")
    expect(visible).to_have_count(total)
