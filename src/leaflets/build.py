"""The set of documents a build makes, and writing them safely.

Each document is rendered on its own: one that fails is reported and the others go on. A PDF
is written to a temporary file beside its target and renamed over it, so a failed or killed
build never leaves a truncated PDF nor destroys the previous good one.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .catalogs import Lookup
from .document import Document
from .errors import LeafletsError, ReleaseRefusedError, UnknownNameError
from .project import EDITIONS, Project
from .render import Rendered, render_html, render_pdf

DRAFT_REASONS = {
    "not_approved": "the clinic has not approved the leaflet (approved_by and approved_on in {settings})",
    "not_reviewed": "no reviewer is recorded for this translation, or it changed since the review "
                    "([languages.{locale}] reviewed_by and reviewed_on in {settings})",
    "pseudo": "a pseudo-locale is for testing layouts only",
    "fallbacks": "{count} string(s) not translated or fuzzy, shown in the source language",
}


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

    @property
    def draft(self) -> bool:
        return bool(self.draft_reasons)


@dataclass
class Failure:
    document: Document
    error: LeafletsError


@dataclass
class Report:
    built: list[Built] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def plan(project: Project, leaflets: Iterable[str] = (), locales: Iterable[str] = (),
         editions: Iterable[str] = (), partner: str | None = None,
         print_shop: bool | None = None) -> list[Document]:
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
    shop = project.print_shop if print_shop is None else print_shop
    documents = []
    for slug in slugs:
        for code in codes:
            for edition in chosen:
                if edition == "bilingual":
                    if code != second:
                        documents.append(Document(slug, code, edition, second, shop))
                else:
                    documents.append(Document(slug, code, edition, None, shop))
    return documents


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def explain(project: Project, rendered: Rendered) -> list[str]:
    """The draft reasons of a document in words for the person running the build."""
    reasons = []
    for name in rendered.draft_reasons:
        reasons.append(DRAFT_REASONS[name].format(
            settings=project.settings_path.name, locale=rendered.document.locale,
            count=len(rendered.fallbacks)))
    return reasons


def release_problems(project: Project, rendered: Rendered, today: dt.date) -> list[str]:
    """Everything that keeps a document out of a release build."""
    problems = explain(project, rendered)
    for item in rendered.fallbacks[:5]:
        where = f" ({item.line and f'line {item.line}' or 'not in the catalogue'})"
        problems.append(f"{item.status}: {item.msgid[:70]!r}{where}")
    leaflet = project.leaflet(rendered.document.leaflet)
    if leaflet.next_review < today:
        problems.append(f"its review date {leaflet.next_review} has passed")
    return problems


def build_document(project: Project, document: Document, out_dir: Path, *, html: bool = False,
                   release: bool = False, fonts=None, today: dt.date | None = None) -> Built:
    """Render one document and write its PDF (and HTML); raise on any problem."""
    rendered = render_html(project, document)
    if release:
        problems = release_problems(project, rendered, today or dt.date.today())
        if problems:
            raise ReleaseRefusedError(f"{document}: not releasable: " + "; ".join(problems))
    pdf, pages = render_pdf(project, rendered, fonts)
    path = out_dir / document.pdf_name
    html_path = None
    if html:
        html_path = out_dir / document.html_name
        write_atomic(html_path, rendered.html.encode("utf-8"))
    write_atomic(path, pdf)
    return Built(document, path, pages, len(pdf), tuple(explain(project, rendered)), html_path,
                 tuple(rendered.fallbacks), tuple(budget_warnings(project, document, pages)))


def budget_warnings(project: Project, document: Document, pages: int) -> list[str]:
    """A warning when a document has more pages than its leaflet's budget for the edition."""
    budget = project.leaflet(document.leaflet).page_budget.get(document.edition)
    if budget is None or pages <= budget:
        return []
    return [f"{document}: {pages} pages, over the budget of {budget} for the {document.edition} "
            f"edition in {document.locale}"]


def build(project: Project, documents: list[Document], out_dir: Path, *, html: bool = False,
          release: bool = False, on_done=None) -> Report:
    """Build every document; failures are collected, not raised."""
    from .render import font_config

    report = Report()
    fonts = font_config()
    for document in documents:
        try:
            built = build_document(project, document, out_dir, html=html, release=release, fonts=fonts)
        except LeafletsError as error:
            failure = Failure(document, error)
            report.failed.append(failure)
            if on_done:
                on_done(failure)
            continue
        report.built.append(built)
        if on_done:
            on_done(built)
    return report
