"""The set of documents a build makes, built in worker processes, incrementally and safely.

Each document is rendered on its own: one that fails is reported and the others go on. A PDF
is written to a temporary file beside its target and renamed over it, so a failed or killed
build never leaves a truncated PDF nor destroys the previous good one. Documents whose inputs
have not changed since the last build are skipped (see ``cache.py``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__, cache
from .catalogs import Lookup
from .document import Document
from .errors import LeafletsError, ReleaseRefusedError, UnknownNameError
from .locales import locale_info
from .output import read_manifest, remove_stale_temporaries, write_atomic, write_manifest
from .project import EDITIONS, WEB_EDITIONS, Project
from .render import Rendered, render_html, render_pdf

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
    fonts=None,
    today: dt.date | None = None,
) -> Built:
    """Render one document and write its PDF (and HTML); raise on any problem."""
    rendered = render_html(project, document, today)
    if release:
        problems = release_problems(project, rendered, today or dt.date.today())
        if problems:
            raise ReleaseRefusedError(f"{document}: not releasable: " + "; ".join(problems))
    if document.web:
        from .webpage import web_page

        pdf, pages = web_page(project, rendered).encode("utf-8"), 1
    else:
        pdf, pages = render_pdf(project, rendered, fonts)
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


# Worker processes: WeasyPrint and the fonts are set up once per worker, not once per document.
_FONTS = None
_FONTS_PID = 0
#: Font configurations a forked worker inherited. They are kept alive on purpose: collecting
#: one would run its __del__, which deletes the parent's font folder that both share.
_INHERITED: list = []


def _fonts():
    global _FONTS, _FONTS_PID
    if _FONTS is None or _FONTS_PID != os.getpid():
        from .render import font_config

        if _FONTS is not None:
            _INHERITED.append(_FONTS)
        _FONTS, _FONTS_PID = font_config(), os.getpid()
    return _FONTS


def _init_worker() -> None:
    _fonts()


def _work(
    project: Project, document: Document, out_dir: Path, html: bool, release: bool, today: dt.date
) -> Built | Failure:
    try:
        return build_document(
            project, document, out_dir, html=html, release=release, fonts=_fonts(), today=today
        )
    except LeafletsError as error:
        return Failure(document, str(error), error.exit_code)


def _from_cache(
    project: Project,
    document: Document,
    out_dir: Path,
    entry: dict | None,
    key: str,
    release: bool,
    today: dt.date,
) -> Built | Failure | None:
    """The cached result when the PDF is there and nothing it depends on changed."""
    path = out_dir / document.file_name
    if not entry or entry.get("key") != key or not path.is_file():
        return None
    record = entry["record"]
    if path.stat().st_size != record["bytes"]:
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
) -> Report:
    """Build every document, in parallel and incrementally; failures are collected, not raised."""
    started = time.perf_counter()
    today = today or dt.date.today()
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(out_dir)
    previous = {} if force else cache.load(out_dir)
    report = Report()
    keys = cache.fingerprints(project, documents, html)
    todo = []
    for document in documents:
        result = _from_cache(
            project, document, out_dir, previous.get(document.stem), keys[document], release, today
        )
        if result is None:
            todo.append(document)
        else:
            _record(report, result, on_done)
    jobs = max(1, jobs or os.cpu_count() or 1)
    if todo:
        # Imported here, not at start-up: a no-op build never pays for it, and forked
        # workers inherit it instead of importing it each.
        import weasyprint  # noqa: F401
    if len(todo) <= 1 or jobs == 1:
        for document in todo:
            _record(report, _work(project, document, out_dir, html, release, today), on_done)
    else:
        with ProcessPoolExecutor(max_workers=min(jobs, len(todo)), initializer=_init_worker) as pool:
            futures = [pool.submit(_work, project, d, out_dir, html, release, today) for d in todo]
            for future in as_completed(futures):
                _record(report, future.result(), on_done)
    entries = dict(previous)
    for built in report.built:
        entries[built.document.stem] = {
            "key": keys[built.document],
            "record": built.record,
            "warnings": list(built.warnings),
            "fallbacks": [f.as_dict() for f in built.fallbacks],
        }
    for failure in report.failed:
        entries.pop(failure.document.stem, None)
    withdrawn = refresh_statuses(project, out_dir, report, today)
    for stem in withdrawn:
        entries.pop(stem, None)
    cache.save(out_dir, entries)
    _write_index(project, out_dir, report)
    report.built.sort(key=lambda b: documents.index(b.document))
    report.failed.sort(key=lambda f: documents.index(f.document))
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


def _write_index(project: Project, out_dir: Path, report: Report) -> None:
    from .shelf import write_shelf

    tool = {"leaflets": __version__, **dict(cache.library_versions()[1:3])}
    manifest_path = write_manifest(out_dir, {b.document.file_name: b.record for b in report.built}, tool)
    write_shelf(out_dir, read_manifest(manifest_path), project)
