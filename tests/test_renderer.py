"""How WeasyPrint is driven: warm renderers, the worker pool's start methods, GC, order, templates.

Timings live in ``benchmarks/``; these tests check that the speed-ups change nothing a reader of
the output would see, and that each piece does what it says.
"""

from __future__ import annotations

import gc
import multiprocessing

import pyphen
import pytest

from leaflets.build import build, longest_first, plan
from leaflets.document import Document
from leaflets.errors import TemplateError
from leaflets.project import load_project
from leaflets.render import render_html
from leaflets.renderer import Renderer, load_dictionaries, quiet_gc
from leaflets.templates import THEME_DIR, TemplateIndex, template_files

from .conftest import REPO, copy_project, pdftotext, squash

#: A language with a hyphenation dictionary and a right-to-left one: two documents, enough for
#: a pool of two workers.
SUBSET = {"leaflets": ["vertebroplasty"], "locales": ["de", "ar"], "editions": ["standard"]}


@pytest.mark.parametrize("method", ["spawn", "fork", "in-process"])
def test_every_start_method_writes_the_same_bytes_as_the_default_build(tmp_path, default_build, method):
    if method != "in-process" and method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {method} start method on this platform")
    project = load_project(REPO)
    documents = plan(project, **SUBSET)
    out = tmp_path / "out"
    jobs = 1 if method == "in-process" else 2
    report = build(project, documents, out, jobs=jobs, start_method=None if jobs == 1 else method)
    assert not report.failed, [f.error for f in report.failed]
    assert [b.document for b in report.built] == documents  # reported in the plan's order
    for document in documents:
        ours = (out / document.pdf_name).read_bytes()
        assert ours == (default_build / document.pdf_name).read_bytes(), document
    assert "Vertebroplastie" in squash(pdftotext(out / "vertebroplasty-de.pdf"))


def test_a_pool_build_leaves_the_parents_renderer_working(tmp_path):
    # Forked workers inherit the parent's objects; collecting the parent's font configuration
    # in a worker would delete the font folder the parent still uses.
    project = load_project(REPO)
    document = Document("vertebroplasty", "tr")
    with Renderer(["tr"]) as renderer:
        before, _ = renderer.pdf(project, render_html(project, document))
        report = build(project, plan(project, **SUBSET), tmp_path / "out", jobs=2, start_method="fork")
        assert not report.failed
        after, pages = renderer.pdf(project, render_html(project, document))
    assert after == before and pages >= 1
    assert renderer.count == 2


def test_a_closed_renderer_refuses_to_render():
    renderer = Renderer()
    renderer.close()
    with pytest.raises(RuntimeError, match="closed"):
        renderer.fonts  # noqa: B018


def test_dictionaries_are_loaded_into_pyphens_cache_once_per_language():
    expected = [pyphen.language_fallback(code) for code in ("de", "ru")]
    assert all(expected), "Pyphen ships German and Russian"
    loaded = load_dictionaries(["de", "ru", "de", "en-XA", "not a locale"])
    assert loaded[:2] == expected
    assert {pyphen.LANGUAGES[name] for name in expected} <= set(pyphen.hdcache)


def test_quiet_gc_freezes_and_restores_the_collector():
    before = gc.get_threshold()
    with quiet_gc((12_345, 11, 13)):
        assert gc.get_threshold() == (12_345, 11, 13)
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_longest_documents_go_first():
    small, large, unknown = (
        Document("a", "en"),
        Document("b", "en"),
        Document("c", "en", "bilingual", "tr"),
    )
    previous = {
        small.stem: {"record": {"pages": 2}},
        large.stem: {"record": {"pages": 12}},
    }
    assert longest_first([small, unknown, large], previous) == [large, unknown, small]
    # With no earlier build, the heavier editions go first; equal ones keep their order.
    plain = [Document("a", "en"), Document("a", "en", "large-print"), Document("b", "en")]
    assert longest_first(plain, {}) == [plain[1], plain[0], plain[2]]


def test_template_index_reads_each_file_once_and_sees_edits(tmp_path, monkeypatch):
    project = load_project(copy_project(tmp_path / "project"))
    index = TemplateIndex(project)
    reads = []
    real = type(project.templates_dir).read_bytes

    def counting(path):
        reads.append(path.name)
        return real(path)

    monkeypatch.setattr(type(project.templates_dir), "read_bytes", counting)
    files = {slug: index.files(leaflet) for slug, leaflet in project.leaflets.items()}
    assert len(files) >= 2 and all(files.values())
    assert sorted(reads) == sorted(set(reads)), "a template was read twice"
    # The frame comes from the tool's theme, the leaflet's own parts from the project.
    assert THEME_DIR / "layout.html" in files["vertebroplasty"]
    assert project.templates_dir / "vertebroplasty.html" in files["vertebroplasty"]
    assert files["vertebroplasty"] == template_files(project, project.leaflet("vertebroplasty"))

    # A new index sees an edit at once, whatever the file's modification time says.
    extra = project.templates_dir / "_extra.html"
    extra.write_text("<p>{{ _('Extra') }}</p>")
    template = project.templates_dir / "ablation.html"
    template.write_text(template.read_text() + '{% include "_extra.html" %}\n')
    assert extra in TemplateIndex(project).files(project.leaflet("ablation"))
    template.write_text(template.read_text() + "{% if %}\n")
    with pytest.raises(TemplateError, match=r"ablation\.html:\d+"):
        TemplateIndex(project).files(project.leaflet("ablation"))


def test_hyphenation_patterns_are_parsed_once_per_machine(tmp_path, monkeypatch):
    """The German dictionary comes back from the cache equal to Pyphen's parse; junk is reparsed."""
    monkeypatch.setenv("LEAFLETS_CACHE_DIR", str(tmp_path))
    path = pyphen.LANGUAGES[pyphen.language_fallback("de")]
    monkeypatch.setattr(pyphen, "hdcache", {})
    assert load_dictionaries(["de"]) == ["de"]
    parsed = pyphen.hdcache[path]
    (kept,) = tmp_path.glob("pyphen-*.json")

    pyphen.hdcache.clear()
    load_dictionaries(["de"])
    cached = pyphen.hdcache[path]
    assert cached is not parsed and cached.patterns == parsed.patterns
    assert cached.maxlen == parsed.maxlen
    word = "Wirbelsäulenbehandlung"
    fresh = pyphen.Pyphen(filename=path, cache=False).inserted(word)
    assert pyphen.Pyphen(lang="de").inserted(word) == fresh and "-" in fresh

    kept.write_text('{"ab": [0, ["x"]]}', encoding="utf-8")  # damaged: parsed again, and kept again
    pyphen.hdcache.clear()
    load_dictionaries(["de"])
    assert pyphen.hdcache[path].patterns == parsed.patterns
    assert len(kept.read_text(encoding="utf-8")) > 1000
