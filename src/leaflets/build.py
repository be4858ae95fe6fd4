"""The set of documents a build makes, built in worker processes, incrementally and safely.

Each document is rendered on its own: one that fails is reported and the others go on. A PDF
is written to a temporary file beside its target and renamed over it, so a failed or killed
build never leaves a truncated PDF nor destroys the previous good one. Documents whose inputs
have not changed since the last build are skipped (see ``cache.py``).
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__, cache
from .catalogs import Lookup
from .document import Document
from .errors import LeafletsError, OutputError, ReleaseRefusedError, UnknownNameError
from .locales import locale_info
from .output import (
    MANIFEST,
    output_lock,
    read_manifest,
    remove_stale_temporaries,
    write_atomic,
    write_manifest,
)
from .project import EDITIONS, WEB_EDITIONS, Project

if TYPE_CHECKING:
    from .render import Rendered
    from .renderer import Renderer

__all__ = ["Built", "Failure", "Report", "build", "build_document", "plan", "shard", "write_atomic"]


@dataclass(frozen=True)
class Built:
    document: Document
    path: Path
    pages: int
    size: int
    draft_reasons: tuple[str, ...] = ()
    html_path: Path | None = None
    fallbacks: tuple[Lookup, ...] = ()
    warnings: tuple[str, ...] = ()
    #: Facts for the manifest (sha256, title, version, catalogue revisions, status).
    record: dict = field(default_factory=dict, compare=False)
    #: True when the PDF was already up to date and nothing was rendered.
    cached: bool = False

    @property
    def draft(self) -> bool:
        return bool(self.draft_reasons)


@dataclass(frozen=True)
class Failure:
    document: Document
    message: str
    exit_code: int = 1

    @property
    def error(self) -> str:
        return self.message


@dataclass
class Report:
    built: list[Built] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    #: Released documents taken out of the output folder, with why (see ``refresh_statuses``).
    withdrawn: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rendered(self) -> list[Built]:
        return [b for b in self.built if not b.cached]

    @property
    def up_to_date(self) -> list[Built]:
        return [b for b in self.built if b.cached]


def plan(
    project: Project,
    leaflets: Iterable[str] = (),
    locales: Iterable[str] = (),
    editions: Iterable[str] = (),
    partner: str | None = None,
    print_shop: bool | None = None,
    paper: str = "",
) -> list[Document]:
    """The documents of a build, in a stable order; unknown names raise with the known ones.

    A bilingual edition pairs each locale with ``partner`` (the source locale by default) and
    is not made for the partner itself.
    """
    slugs = list(leaflets) or list(project.leaflets)
    for slug in slugs:
        project.leaflet(slug)
    codes = [project.check_locale(code) for code in locales] or list(project.locales)
    chosen = list(editions) or list(project.editions)
    if "all" in chosen:
        chosen = list(EDITIONS)
    for edition in chosen:
        if edition not in EDITIONS:
            raise UnknownNameError("edition", edition, [*EDITIONS, "all"])
    second = project.check_locale(partner) if partner else project.source_locale
    if paper:
        locale_info(project.source_locale).paper(paper)  # an unknown size fails here, once
    shop = project.print_shop if print_shop is None else print_shop
    documents = []
    for slug in slugs:
        offered = project.locales_of(project.leaflet(slug))
        for code in codes:
            if code not in offered and code in project.locales:
                continue  # a leaflet offered in some languages only
            for edition in chosen:
                if edition == "bilingual":
                    if code != second and (second in offered or second not in project.locales):
                        documents.append(Document(slug, code, edition, second, shop, paper))
                elif edition in WEB_EDITIONS:
                    documents.append(Document(slug, code, edition))  # no paper, no print shop
                else:
                    documents.append(Document(slug, code, edition, None, shop, paper))
    return documents


def shard(documents: list[Document], spec: str) -> list[Document]:
    """The K-th of N deterministic slices (``"K/N"``); the N slices cover every document once."""
    try:
        k, n = (int(part) for part in spec.split("/"))
    except ValueError:
        raise LeafletsError(f"--shard takes K/N, such as 1/3, not {spec!r}") from None
    if not 1 <= k <= n:
        raise LeafletsError(f"--shard {spec}: K must be between 1 and N")
    ordered = sorted(documents, key=lambda d: d.stem)
    return [d for i, d in enumerate(ordered) if i % n == k - 1]


def explain(project: Project, rendered: Rendered) -> list[str]:
    """The draft reasons of a document in words for the person running the build."""
    return list(rendered.draft_reasons)


def overdue(project: Project, document: Document, today: dt.date) -> list[str]:
    leaflet = project.leaflet(document.leaflet)
    if leaflet.next_review < today:
        return [f"its review date {leaflet.next_review} has passed"]
    return []


def release_problems(project: Project, rendered: Rendered, today: dt.date) -> list[str]:
    """Everything that keeps a document out of a release build: the draft reasons (status.py)."""
    return explain(project, rendered)


def build_document(
    project: Project,
    document: Document,
    out_dir: Path,
    *,
    html: bool = False,
    release: bool = False,
    renderer: Renderer | None = None,
    today: dt.date | None = None,
) -> Built:
    """Render one document and write its PDF (and HTML); raise on any problem.

    ``renderer`` keeps WeasyPrint warm across documents; without one, a fresh one is made.
    """
    from .render import render_html  # not imported by a build that renders nothing
    from .renderer import Renderer

    rendered = render_html(project, document, today)
    if release:
        problems = release_problems(project, rendered, today or dt.date.today())
        if problems:
            raise ReleaseRefusedError(f"{document}: not releasable: " + "; ".join(problems))
    if document.web:
        from .webpage import web_page

        pdf, pages = web_page(project, rendered).encode("utf-8"), 1
    elif renderer is None:
        with Renderer([document.locale, *([document.partner] if document.partner else [])]) as own:
            pdf, pages = own.pdf(project, rendered)
    else:
        pdf, pages = renderer.pdf(project, rendered)
    path = out_dir / document.file_name
    html_path = None
    if html and not document.web:
        html_path = out_dir / document.html_name
        write_atomic(html_path, rendered.html.encode("utf-8"))
    write_atomic(path, pdf)
    leaflet = project.leaflet(document.leaflet)
    reasons = tuple(explain(project, rendered))
    record = {
        "file": document.file_name,
        "leaflet": document.leaflet,
        "locale": document.locale,
        "edition": document.edition,
        "partner": document.partner,
        "print_shop": document.print_shop,
        "title": rendered.title,
        "keywords": rendered.keywords,
        "pages": pages,
        "bytes": len(pdf),
        "sha256": hashlib.sha256(pdf).hexdigest(),
        "version": leaflet.version,
        "published": leaflet.published.isoformat(),
        "next_review": leaflet.next_review.isoformat(),
        "catalogues": rendered.catalogues,
        "fonts": rendered.fonts,
        "status": "draft" if reasons else "release",
        "draft_reasons": list(reasons),
        "html": document.html_name if html else None,
    }
    return Built(
        document,
        path,
        pages,
        len(pdf),
        reasons,
        html_path,
        tuple(rendered.fallbacks),
        (*rendered.warnings, *budget_warnings(project, document, pages)),
        record,
    )


def budget_warnings(project: Project, document: Document, pages: int) -> list[str]:
    """A warning when a document has more pages than its leaflet's budget for the edition."""
    budget = project.leaflet(document.leaflet).page_budget.get(document.edition)
    if budget is None or pages <= budget:
        return []
    return [
        f"{document}: {pages} pages, over the budget of {budget} for the {document.edition} "
        f"edition in {document.locale}"
    ]


# Worker processes: each makes one Renderer (fonts, dictionaries) in its initializer and
# keeps it for its lifetime; the pool's end is the renderer's end.
_RENDERER: Renderer | None = None
#: Renderers a forked worker inherited from its parent. They are kept alive on purpose:
#: collecting one would run its font configuration's __del__, which deletes the parent's font
#: folder that both share.
_INHERITED: list[Renderer] = []


def _init_worker(parent: int, locales: tuple[str, ...], thresholds: tuple[int, int, int]) -> None:
    global _RENDERER
    from .renderer import Renderer

    exit_with_parent(parent)
    if _RENDERER is not None and _RENDERER.pid != os.getpid():
        _INHERITED.append(_RENDERER)
    gc.set_threshold(*thresholds)  # inherited under fork; set again for spawn
    _RENDERER = Renderer(locales)
    gc.freeze()  # the renderer's fonts and dictionaries live as long as the worker


def exit_with_parent(parent: int) -> None:
    """Have the kernel end this worker when the build that started it dies (Linux)."""
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the pool's own checks remain
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _work(
    project: Project, document: Document, out_dir: Path, html: bool, release: bool, today: dt.date
) -> Built | Failure:
    return _attempt(project, document, out_dir, html, release, today, _RENDERER)


def _attempt(
    project: Project,
    document: Document,
    out_dir: Path,
    html: bool,
    release: bool,
    today: dt.date,
    renderer: Renderer | None,
) -> Built | Failure:
    try:
        return build_document(
            project, document, out_dir, html=html, release=release, renderer=renderer, today=today
        )
    except LeafletsError as error:
        return Failure(document, str(error), error.exit_code)
    except OSError as error:  # the output folder: read-only, full, removed meanwhile
        return Failure(document, output_problem(error, out_dir))


def output_problem(error: OSError, out_dir: Path) -> str:
    """One line naming the path and what went wrong with it."""
    where = error.filename or out_dir
    return f"{where}: {error.strerror or error}"


#: How much work an edition is, relative to the standard one, when no earlier build says.
EDITION_WEIGHT = {"standard": 1.0, "large-print": 1.6, "bilingual": 2.2, "html": 0.1}


def longest_first(documents: list[Document], previous: dict[str, dict]) -> list[Document]:
    """The documents in the order that keeps every worker busy to the end: longest first.

    A document's length is its page count in the previous build's cache when there is one,
    otherwise its edition's weight; ties keep the build's order (sorting is stable).
    """

    def cost(document: Document) -> float:
        entry = previous.get(document.stem) or {}
        pages = (entry.get("record") or {}).get("pages")
        if isinstance(pages, int) and pages > 0:
            return float(pages)
        return EDITION_WEIGHT.get(document.edition, 1.0) * 4

    return sorted(documents, key=cost, reverse=True)


def _build_locales(project: Project, documents: Iterable[Document]) -> tuple[str, ...]:
    codes = [project.source_locale]
    for document in documents:
        codes += [document.locale] + ([document.partner] if document.partner else [])
    return tuple(dict.fromkeys(codes))


def default_start_method() -> str:
    """``fork`` where the platform has it (workers inherit WeasyPrint and the dictionaries)."""
    methods = multiprocessing.get_all_start_methods()
    return "fork" if "fork" in methods else methods[0]


def _render_all(
    project: Project,
    todo: list[Document],
    out_dir: Path,
    html: bool,
    release: bool,
    today: dt.date,
    jobs: int,
    previous: dict[str, dict],
    done: Callable[[Built | Failure], None],
    start_method: str | None = None,
) -> None:
    """Render ``todo`` in this process or in a pool of workers, longest first."""
    from .renderer import Renderer, load_dictionaries, quiet_gc

    locales = _build_locales(project, todo)
    ordered = longest_first(todo, previous)
    if len(todo) <= 1 or jobs == 1:
        # The renderer first, so that its fonts and dictionaries are frozen with the rest.
        with Renderer(locales) as renderer, quiet_gc():
            for document in ordered:
                done(_attempt(project, document, out_dir, html, release, today, renderer))
        return
    # Imported and loaded here, before the workers fork, so that each inherits them instead of
    # loading them again; a no-op build never pays for either.
    import weasyprint  # noqa: F401

    load_dictionaries(locales)
    context = multiprocessing.get_context(start_method or default_start_method())
    with quiet_gc():
        with ProcessPoolExecutor(
            max_workers=min(jobs, len(todo)),
            mp_context=context,
            initializer=_init_worker,
            initargs=(os.getpid(), locales, gc.get_threshold()),
        ) as pool:
            futures = [pool.submit(_work, project, d, out_dir, html, release, today) for d in ordered]
            for future in as_completed(futures):
                done(future.result())


def _from_cache(
    project: Project,
    document: Document,
    out_dir: Path,
    entry: dict | None,
    key: str,
    release: bool,
    today: dt.date,
    hashes: cache.FileHashes,
    published: dict[str, str],
) -> Built | Failure | None:
    """The cached result when the PDF is there and nothing it depends on changed."""
    path = out_dir / document.file_name
    if not entry or entry.get("key") != key or not path.is_file():
        return None
    record = entry["record"]
    # The PDF itself must be the one the manifest lists: one edited by hand is rebuilt.
    if not record.get("sha256") or published.get(document.file_name) != record["sha256"]:
        return None
    if hashes.digest(path) != record["sha256"]:
        return None
    if release and (record["draft_reasons"] or overdue(project, document, today)):
        return None  # let the real build explain why it is refused
    html_path = out_dir / document.html_name if record.get("html") else None
    fallbacks = tuple(Lookup(**item) for item in entry.get("fallbacks", ()))
    return Built(
        document,
        path,
        record["pages"],
        record["bytes"],
        tuple(record["draft_reasons"]),
        html_path,
        fallbacks,
        tuple(entry.get("warnings", ())),
        record,
        cached=True,
    )


def build(
    project: Project,
    documents: list[Document],
    out_dir: Path,
    *,
    html: bool = False,
    release: bool = False,
    jobs: int | None = None,
    force: bool = False,
    on_done: Callable[[Built | Failure], None] | None = None,
    today: dt.date | None = None,
    start_method: str | None = None,
) -> Report:
    """Build every document, in parallel and incrementally; failures are collected, not raised.

    One build at a time writes into an output folder (a lock); a folder that cannot be
    written is an :class:`OutputError` naming the path, and earlier PDFs stay as they were.
    ``start_method`` is the pool's (``fork``, ``spawn``, ``forkserver``); the output is the
    same with each, ``fork`` (the default where there is one) starts fastest.
    """
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with output_lock(out_dir):
            return _build(
                project, documents, out_dir, html, release, jobs, force, on_done, today, start_method
            )
    except OSError as error:
        raise OutputError(output_problem(error, out_dir)) from None


def _build(
    project: Project,
    documents: list[Document],
    out_dir: Path,
    html: bool,
    release: bool,
    jobs: int | None,
    force: bool,
    on_done: Callable[[Built | Failure], None] | None,
    today: dt.date | None,
    start_method: str | None,
) -> Report:
    started = time.perf_counter()
    today = today or dt.date.today()
    remove_stale_temporaries(out_dir)
    previous = {} if force else cache.load(out_dir)
    hashes = cache.FileHashes.load(out_dir)
    published = cache.published_digests(out_dir)
    report = Report()
    templates = cache.template_index(project, out_dir)
    keys = cache.fingerprints(project, documents, html, hashes, templates)
    todo = []
    for document in documents:
        result = _from_cache(
            project,
            document,
            out_dir,
            previous.get(document.stem),
            keys[document],
            release,
            today,
            hashes,
            published,
        )
        if result is None:
            todo.append(document)
        else:
            _record(report, result, on_done)
    jobs = max(1, jobs or os.cpu_count() or 1)
    if todo:
        hints = previous if previous else cache.load(out_dir)  # page counts, even with --force
        _render_all(
            project,
            todo,
            out_dir,
            html,
            release,
            today,
            jobs,
            hints,
            lambda result: _record(report, result, on_done),
            start_method,
        )
    entries = dict(previous)
    for built in report.built:
        entries[built.document.stem] = {
            "key": keys[built.document],
            "record": built.record,
            "warnings": list(built.warnings),
            "fallbacks": [f.as_dict() for f in built.fallbacks],
        }
        hashes.digest(built.path)  # remembered now, so the next no-op build reads no PDF
    for failure in report.failed:
        entries.pop(failure.document.stem, None)
    withdrawn = refresh_statuses(project, out_dir, report, today)
    for stem in withdrawn:
        entries.pop(stem, None)
    cache.save(out_dir, entries, previous)
    cache.save_template_index(out_dir, templates)
    _write_index(project, out_dir, report, today, hashes)
    hashes.save(out_dir)
    position = {document: i for i, document in enumerate(documents)}
    report.built.sort(key=lambda b: position[b.document])
    report.failed.sort(key=lambda f: position[f.document])
    report.seconds = time.perf_counter() - started
    return report


def _document_of(entry: dict) -> Document:
    return Document(
        entry["leaflet"],
        entry["locale"],
        entry.get("edition", "standard"),
        entry.get("partner"),
        bool(entry.get("print_shop", False)),
    )


def _still_in(project: Project, document: Document) -> bool:
    codes = [document.locale] + ([document.partner] if document.partner else [])
    return document.leaflet in project.leaflets and all(
        code in project.locales or locale_info(code).pseudo for code in codes
    )


def refresh_statuses(project: Project, out_dir: Path, report: Report, today: dt.date) -> set[str]:
    """Recompute the status of every document in the output folder, not only of those built now.

    A released PDF carries no DRAFT marker, so one that is no longer release-ready (its approval
    or review no longer matches, or it failed to rebuild) is removed: nothing the manifest or the
    shelf page calls ready may be out of date. A document of a leaflet or language that left the
    project is removed whatever its status, so that the shelf never offers it to staff.
    Returns the stems of the documents removed.
    """
    from .output import MANIFEST, read_manifest
    from .render import render_html

    manifest = read_manifest(out_dir / MANIFEST)
    built = {b.document.file_name for b in report.built}
    failed = {f.document.file_name: f.message for f in report.failed}
    removed = set()
    for name, entry in manifest["documents"].items():
        if name in built:
            continue
        try:
            document = _document_of(entry)
            if not _still_in(project, document):
                reasons = ["its leaflet or language is no longer in the project"]
            elif entry.get("status") != "release":
                continue
            elif name in failed:
                reasons = [f"failed to rebuild: {failed[name]}"]
            else:
                reasons = list(render_html(project, document, today).draft_reasons)
        except (LeafletsError, KeyError) as exc:
            reasons = [f"cannot be checked: {exc}"]
        if reasons:
            (out_dir / name).unlink(missing_ok=True)
            removed.add(Path(name).stem)
            report.withdrawn.append((name, tuple(reasons)))
    return removed


def _record(report: Report, result: Built | Failure, on_done) -> None:
    if isinstance(result, Built):
        report.built.append(result)
    else:
        report.failed.append(result)
    if on_done:
        on_done(result)


def _write_index(
    project: Project, out_dir: Path, report: Report, today: dt.date, hashes: cache.FileHashes
) -> None:
    """Write ``manifest.json`` and the shelf page, unless a build changed nothing of either.

    A no-op build leaves the manifest as the last real build wrote it (``built_at`` stays the
    time the set was built), and rewrites the shelf page only when something it shows can have
    changed: the manifest, the settings, the sign-off records, today's date (overdue reviews),
    the folder's files, or the tool.
    """
    from .shelf import write_shelf

    entries = {b.document.file_name: b.record for b in report.built}
    manifest_path = out_dir / MANIFEST
    listed = read_manifest(manifest_path)["documents"]
    unchanged = (
        manifest_path.is_file()
        and not report.withdrawn
        and all(b.cached for b in report.built)
        and all(listed.get(name) == record for name, record in entries.items())
        and all((out_dir / name).is_file() for name in listed)
    )
    if not unchanged:
        tool = {"leaflets": __version__, **dict(cache.library_versions()[1:3])}
        manifest_path = write_manifest(out_dir, entries, tool)
    # The page itself counts too: one edited or damaged by hand is written again.
    page = out_dir / "index.html"
    key = cache.shelf_key(project, out_dir, today, hashes)
    if page.is_file() and cache.stored_shelf_key(out_dir) == f"{key} {hashes.digest(page)}":
        return
    write_shelf(out_dir, read_manifest(manifest_path), project, today)
    cache.store_shelf_key(out_dir, f"{key} {hashes.digest(page)}")
