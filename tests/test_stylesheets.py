"""Stylesheets parsed once per process (``stylesheets.py``): the same PDFs, fewer parses.

The adapter turns itself off on a WeasyPrint whose functions it does not know; these tests are
then skipped, and every sheet is parsed by WeasyPrint as before.
"""

from __future__ import annotations

import contextlib
import logging

import pytest
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

from leaflets import stylesheets
from leaflets.document import Document
from leaflets.fetch import AssetFetcher
from leaflets.project import load_project
from leaflets.render import render_html
from leaflets.renderer import Renderer
from leaflets.templates import THEME_DIR

from .conftest import REPO

pytestmark = pytest.mark.skipif(
    not stylesheets.supported(), reason="this WeasyPrint is not one the adapter knows; it stays off"
)

#: Three documents with different sheets: an inline font sheet per script, two editions.
DOCUMENTS = [
    Document("vertebroplasty", "de"),
    Document("vertebroplasty", "ar", "bilingual", partner="en"),
    Document("ablation", "en", "large-print"),
]


@pytest.fixture(autouse=True)
def empty_cache():
    stylesheets.clear()
    yield
    stylesheets.clear()


def _without_reuse(monkeypatch) -> None:
    monkeypatch.setattr(stylesheets, "parsed_once", contextlib.nullcontext)


def test_documents_are_byte_identical_with_and_without_reuse(monkeypatch):
    project = load_project(REPO)
    with Renderer(["en", "de", "ar"]) as renderer:
        reused = [renderer.pdf(project, render_html(project, d))[0] for d in DOCUMENTS * 2]
    _without_reuse(monkeypatch)
    with Renderer(["en", "de", "ar"]) as renderer:
        parsed = [renderer.pdf(project, render_html(project, d))[0] for d in DOCUMENTS]
    assert reused == parsed * 2


def test_the_theme_sheet_is_parsed_once_and_fetched_for_every_document(monkeypatch):
    parses: list[tuple] = []
    fetched: list[str] = []
    parse, fetch = stylesheets._parse, AssetFetcher.fetch
    monkeypatch.setattr(stylesheets, "_parse", lambda key, f: parses.append(key) or parse(key, f))
    monkeypatch.setattr(
        AssetFetcher, "fetch", lambda self, url, *a: [fetched.append(url), fetch(self, url, *a)][1]
    )
    project = load_project(REPO)
    with Renderer(["en", "de"]) as renderer:
        for document in (Document("vertebroplasty", "de"), Document("ablation", "de")):
            renderer.pdf(project, render_html(project, document))
    theme = (THEME_DIR / "leaflet.css").as_uri()
    assert [key[2] for key in parses].count(theme) == 1
    assert [stylesheets._parsed[key] is not None for key in parses if key[2] == theme] == [True]  # reused
    # Every document's fetcher still decides whether the sheet may be loaded.
    assert fetched.count(theme) == 2


def _pdf(html: str, base_url: str, fetcher=None) -> bytes:
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    return document.write_pdf(font_config=FontConfiguration())


def test_an_edited_sheet_is_parsed_again(tmp_path):
    sheet = tmp_path / "style.css"
    page = '<link rel="stylesheet" href="style.css"><p>Call us.</p>'
    base = tmp_path.as_uri() + "/"
    outputs = []
    for colour in ("#000000", "#a4000f", "#000000"):
        sheet.write_text(f"p {{ color: {colour}; font-size: 20pt }}", encoding="utf-8")
        with stylesheets.parsed_once():
            outputs.append(_pdf(page, base))
        assert outputs[-1] == _pdf(page, base)  # the same as WeasyPrint parsing it itself
    assert outputs[0] != outputs[1] and outputs[0] == outputs[2]


@pytest.mark.parametrize(
    "sheet",
    [
        '@counter-style ticks { system: cyclic; symbols: "*"; suffix: " " } ol { list-style: ticks }',
        '@import url("other.css"); p { color: red }',
        "@layer base { p { color: red } }",
        "p { colour: red; color: blue }",  # a warning: "colour" is not a property
    ],
    ids=["counter-style", "import", "layer", "warning"],
)
def test_a_sheet_that_does_more_than_rules_is_parsed_each_time(tmp_path, caplog, sheet):
    (tmp_path / "other.css").write_text("li { color: green }", encoding="utf-8")
    page = f"<style>{sheet}</style><ol><li>One</li><li>Two</li></ol><p>Text</p>"
    base = tmp_path.as_uri() + "/"
    caplog.set_level(logging.WARNING, logger="weasyprint")
    plain = _pdf(page, base)
    warnings = len(caplog.records)
    with stylesheets.parsed_once():
        first, second = _pdf(page, base), _pdf(page, base)
    assert first == second == plain
    assert len(caplog.records) == 3 * warnings  # each document is told, as without the adapter
    assert [value for (kind, *_), value in stylesheets._parsed.items() if kind == "string"] == [None]


def test_a_refused_sheet_is_refused_for_every_document(tmp_path, caplog):
    outside = tmp_path / "outside.css"
    outside.write_text("p { color: red }", encoding="utf-8")
    page = f'<link rel="stylesheet" href="{outside.as_uri()}"><p>Text</p>'
    allowed = tmp_path / "assets"
    allowed.mkdir()
    fetchers = [AssetFetcher([allowed]), AssetFetcher([allowed])]
    caplog.set_level(logging.ERROR, logger="weasyprint")
    with stylesheets.parsed_once():
        for fetcher in fetchers:
            _pdf(page, allowed.as_uri() + "/", fetcher)
    assert [len(f.refused) for f in fetchers] == [1, 1]
    assert sum("Failed to load stylesheet" in r.getMessage() for r in caplog.records) == 2


def test_weasyprint_is_left_as_it_was():
    import weasyprint
    import weasyprint.css

    with stylesheets.parsed_once(), stylesheets.parsed_once():
        assert weasyprint.css.CSS is not weasyprint.CSS
    assert weasyprint.css.CSS is weasyprint.CSS


def test_a_sheet_holding_more_than_the_adapter_knows_is_parsed_each_time(tmp_path, monkeypatch):
    # A newer WeasyPrint whose CSS objects carry another attribute: reusing one would drop it.
    monkeypatch.setattr(
        stylesheets, "_CSS_ATTRIBUTES", {"base_url", "matcher", "page_rules", "layers", "new"}
    )
    page = "<style>@page { size: A6; margin: 1cm } p { color: #a4000f }</style><p>Text</p>"
    base = tmp_path.as_uri() + "/"
    with stylesheets.parsed_once():
        reused = _pdf(page, base), _pdf(page, base)
    assert reused == (_pdf(page, base),) * 2
    assert list(stylesheets._parsed.values()) == [None]
