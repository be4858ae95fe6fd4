"""The accessible HTML edition, opened in real headless Chromium and checked with axe-core.

Every leaflet in every language is built as a web page by the command line (a real
subprocess), opened from the file system at a phone's width (390 px) and a desktop's
(1280 px), and must show axe-core no violation, load nothing but itself, fit the phone's
width, keep the DRAFT marker in view, and say what the PDF says.

Needs Playwright (the test extra), Debian's Chromium and axe-core from npm in ``.ci/node``
(``.ci/run`` installs what ``.ci/npm-packages`` names; the fixture does the same when ``npm``
is there). It FAILS, not skips, when one is missing.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from leaflets.build import plan
from leaflets.document import Document
from leaflets.project import load_project
from leaflets.render import render_html

from .conftest import REPO, copy_project, pdftotext, squash
from .reader import html_blocks
from .test_shelf_browser import CHROMIUM_ARGS, INSTALL, TIMEOUT_MS, chromium_path, sync_playwright

PROJECT = load_project(REPO)
PAGES = plan(PROJECT, editions=["html"])
IDS = [d.stem for d in PAGES]
NODE = REPO / ".ci" / "node"
AXE = NODE / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = (390, 1280)


@pytest.fixture(scope="session")
def axe_script() -> Path:
    if not AXE.is_file():
        npm = shutil.which("npm")
        if not npm:
            pytest.fail("axe-core is not in .ci/node and npm is missing: apt-get install npm, then .ci/run")
        packages = (REPO / ".ci" / "npm-packages").read_text(encoding="utf-8").split()
        subprocess.run(
            [npm, "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(NODE), *packages],
            check=True,
        )
    assert AXE.is_file()
    return AXE


@pytest.fixture(scope="module")
def web_build(tmp_path_factory) -> Path:
    """``leaflets build`` as a real command, in a project whose editions are standard and html."""
    project = copy_project(tmp_path_factory.mktemp("web") / "project")
    settings = project / "leaflets.toml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace('editions = ["standard"]', 'editions = ["standard", "html"]', 1))
    out = project / "out"
    result = subprocess.run(
        [sys.executable, "-m", "leaflets", "--project", str(project), "build", "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "web page" in result.stdout
    assert len(list(out.glob("*-html.html"))) == len(PAGES) > 0
    return out


@pytest.fixture(scope="module")
def browser():
    if sync_playwright is None:
        pytest.fail(f"Playwright is not installed: {INSTALL}")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=["--headless", *CHROMIUM_ARGS]
        )
        yield chromium
        chromium.close()


def test_every_leaflet_and_language_has_a_web_page():
    assert {(d.leaflet, d.locale) for d in PAGES} == {
        (s, c) for s in PROJECT.leaflets for c in PROJECT.locales
    }
    assert all(d.file_name.endswith("-html.html") and d.web for d in PAGES)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("document", PAGES, ids=IDS)
def test_axe_finds_no_violation_and_nothing_is_fetched(web_build, browser, axe_script, document, width):
    path = web_build / document.file_name
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    assert [url for url in requests if not url.startswith("data:")] == [path.as_uri()]
    page.add_script_tag(path=str(axe_script))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    violations = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
    assert violations == [], json.dumps(violations, ensure_ascii=False, indent=1)
    assert len(result["passes"]) > 10  # axe really ran its rules
    # Responsive: nothing wider than a phone's screen, so nobody scrolls sideways to read.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate("document.documentElement.lang") == document.locale
    if render_html(PROJECT, document).draft:
        # The marker stays in view at the end of the page, as the stamp is on every PDF page.
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        box = page.locator(".draft-stamp").bounding_box()
        assert (
            box is not None and 0 <= box["y"] < 800 and page.locator(".draft-stamp").inner_text() == "DRAFT"
        )
    context.close()


@pytest.mark.parametrize("document", PAGES, ids=IDS)
def test_web_page_says_what_the_pdf_says(web_build, document):
    web = (web_build / document.file_name).read_text(encoding="utf-8")
    project = load_project(web_build.parent)
    pdf = render_html(project, Document(document.leaflet, document.locale)).html
    assert document.file_name in pdf  # the PDF's other-formats line names the web page
    blocks = [b for b in html_blocks(web) if b != "DRAFT"]
    assert blocks == html_blocks(pdf)
    assert "file:" not in web and "<link" not in web


def test_shelf_and_other_formats_line_point_to_the_web_page(web_build):
    from leaflets.i18n import words
    from leaflets.shelf import shelf_rows

    shelf = (web_build / "index.html").read_text(encoding="utf-8")
    manifest = json.loads((web_build / "manifest.json").read_text(encoding="utf-8"))
    # The shelf shows the web page as a second format of its leaflet and language's row.
    project = load_project(web_build.parent)
    rows = shelf_rows(web_build, manifest, project, words("en"), dt.date.today())
    formats = {row.href: [f["href"] for f in row.formats] for row in rows}
    for document in PAGES:
        assert formats[Document(document.leaflet, document.locale).file_name] == [document.file_name]
        assert document.file_name in shelf
        assert manifest["documents"][document.file_name]["edition"] == "html"
    text = squash(pdftotext(web_build / "vertebroplasty-en.pdf"))
    assert "You can also read it as a web page" in text and "vertebroplasty-en-html.html" in text
