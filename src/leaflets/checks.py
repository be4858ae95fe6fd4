"""Quality checks of catalogues and leaflets, in the spirit of pofilter and Weblate's checks.

Each finding reads ``path:line: [code] severity: message``, the form editors and CI annotate.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from . import markup
from .catalogs import is_translated, message_id, read_catalog
from .errors import CatalogError, LeafletsError
from .project import Project
from .qa import style_findings

ERROR, WARNING, INFO = "error", "warning", "info"
#: A translation longer than this many times its source (plus slack) is suspicious.
LENGTH_RATIO, LENGTH_SLACK = 2.0, 20


@dataclass(frozen=True)
class Finding:
    path: Path
    line: int | None
    code: str
    severity: str
    message: str

    def format(self, base: Path | None = None) -> str:
        path = self.path
        if base is not None and path.is_relative_to(base):
            path = path.relative_to(base)
        where = f"{path}:{self.line}" if self.line else f"{path}"
        return f"{where}: [{self.code}] {self.severity}: {self.message}"


def check_project(
    project: Project, today: dt.date | None = None, pages: bool = True, release: bool = False
) -> list[Finding]:
    """Every finding for the project's leaflets and catalogues; ``pages`` renders for budgets.

    With ``release``, whatever keeps a document out of a release build (no approval, a string
    not reviewed or changed since) is an error; otherwise such sign-off gaps are warnings, so
    that `check` passes on a project in development.
    """
    findings = check_leaflets(project, today or dt.date.today())
    try:
        template = read_catalog(project.pot_path)
    except CatalogError as exc:
        return [*findings, Finding(exc.path, exc.line, "syntax", ERROR, exc.message)]
    wanted = {(m.context, message_id(m)) for m in template if m.id}
    for code in project.locales:
        if code == project.source_locale:
            continue
        path = project.po_path(code)
        try:
            catalog = read_catalog(path)
        except CatalogError as exc:
            findings.append(Finding(exc.path, exc.line, "syntax", ERROR, exc.message))
            continue
        findings.extend(check_catalog(path, catalog, wanted))
        findings.extend(check_fonts(project, code, path, catalog))
    findings.extend(check_documents(project, today or dt.date.today(), release))
    if pages and not errors(findings):
        findings.extend(check_budgets(project))
    findings.extend(check_readability(project))
    return findings


def check_readability(project: Project) -> list[Finding]:
    """Readability figures of every leaflet (see readability.py), a warning above the target age."""
    from .readability import measure

    findings = []
    target = project.readability.reading_age
    for slug, leaflet in project.leaflets.items():
        template = project.templates_dir / leaflet.template
        for code in project.locales:
            try:
                report = measure(project, slug, code)
            except LeafletsError:
                continue  # a document that cannot render: the other checks say why
            where = template if code == project.source_locale else project.po_path(code)
            if not report.scores:
                findings.append(
                    Finding(
                        where,
                        None,
                        "readability",
                        INFO,
                        f"{slug} ({code}): textstat has no readability formula for this language",
                    )
                )
                continue
            figures = ", ".join(f"{s.name} {s.value:.1f}" for s in report.scores)
            age = report.reading_age
            if age is not None:
                figures += f"; reading age {age:.0f} (target {target:g})"
            findings.append(Finding(where, None, "readability", INFO, f"{slug} ({code}): {figures}"))
            if age is not None and age > target:
                findings.append(
                    Finding(
                        where,
                        None,
                        "reading-age",
                        WARNING,
                        f"{slug} ({code}): reading age {age:.1f} is above the target of {target:g} "
                        "([readability] reading_age); shorten the longest sentences, use shorter words",
                    )
                )
            if code != project.source_locale:
                continue
            for sentence in report.longest(3):
                findings.append(
                    Finding(
                        sentence.path or template,
                        sentence.line,
                        "long-sentence",
                        INFO,
                        f"{slug}: {sentence.words} words: {sentence.text[:90]!r}",
                    )
                )
            if report.unusual:
                listed = ", ".join(f"{word} ({count})" for word, count in report.unusual[:25])
                more = len(report.unusual) - 25
                findings.append(
                    Finding(
                        template,
                        None,
                        "plain-words",
                        INFO,
                        f"{slug}: {len(report.unusual)} words outside the plain-language list: {listed}"
                        + (f" and {more} more" if more > 0 else "")
                        + "; add the ones the leaflet explains to [readability] plain_words",
                    )
                )
    return findings


def check_budgets(project: Project) -> list[Finding]:
    """Render each leaflet that has a page budget, in every locale, and warn where it is over.

    Documents that cannot render are left to the other checks, which say why.
    """
    from .document import Document
    from .render import font_config, render_html, render_pdf

    fonts = font_config()
    findings = []
    for slug, leaflet in project.leaflets.items():
        line = _line_of(project, f"leaflets.{slug}")
        for edition, budget in sorted(leaflet.page_budget.items()):
            for code in project.locales:
                partner = project.source_locale if edition == "bilingual" else None
                if partner == code:
                    continue
                document = Document(slug, code, edition, partner)
                try:
                    _pdf, pages = render_pdf(project, render_html(project, document), fonts)
                except LeafletsError:
                    continue
                if pages > budget:
                    findings.append(
                        Finding(
                            project.settings_path,
                            line,
                            "page-budget",
                            WARNING,
                            f"{document}: {pages} pages in {code}, {edition} edition; the budget is {budget}",
                        )
                    )
    return findings


def check_leaflets(project: Project, today: dt.date) -> list[Finding]:
    findings = []
    for slug, leaflet in project.leaflets.items():
        line = _line_of(project, f"leaflets.{slug}")
        if leaflet.next_review < today:
            findings.append(
                Finding(
                    project.settings_path,
                    line,
                    "review-overdue",
                    ERROR,
                    f"{slug}: its review date {leaflet.next_review} has passed",
                )
            )
    return findings


_WHERE = re.compile(r"^(?P<path>[^:]+?\.(?:po|pot|html|toml)):(?P<line>\d+)?:? ?(?P<rest>.*)$", re.S)


def check_documents(project: Project, today: dt.date, release: bool = False) -> list[Finding]:
    """What the build would say of each leaflet in each language: render errors (templates,
    fonts, phone numbers, unsafe translations) and the reasons a document is not release-ready.

    The same rules as ``build --release`` (``status.py``): a release refuses what this reports.
    """
    from .document import Document
    from .render import render_html

    findings: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for slug in project.leaflets:
        for code in project.locales:
            try:
                rendered = render_html(project, Document(slug, code), today)
            except LeafletsError as exc:
                findings.append(_finding(project, str(exc), "render", ERROR))
                continue
            for reason in rendered.draft_reasons:
                kind = _reason_code(reason)
                if kind in ("check", "review-overdue"):
                    continue  # reported above, at the catalogue's or the settings' line
                severity = ERROR if release else WARNING
                if (kind, reason) not in seen:
                    seen.add((kind, reason))
                    findings.append(_finding(project, reason, kind, severity))
    return findings


def _reason_code(reason: str) -> str:
    if "] translation of" in reason:
        return "check"
    for words, code in (
        ("not approved", "not-approved"),
        ("not reviewed", "not-reviewed"),
        ("review date", "review-overdue"),
        ("since", "sign-off-changed"),
        ("untranslated", "fallback"),
        ("fuzzy", "fallback"),
        ("missing", "fallback"),
        ("pseudo", "pseudo"),
    ):
        if words in reason:
            return code
    return "not-ready"


def _finding(project: Project, text: str, code: str, severity: str) -> Finding:
    match = _WHERE.match(text)
    if match:
        path = Path(match["path"])
        if not path.is_absolute():
            path = project.root / path
        return Finding(path, int(match["line"]) if match["line"] else None, code, severity, match["rest"])
    return Finding(project.settings_path, None, code, severity, text)


def _line_of(project: Project, table: str) -> int | None:
    for number, text in enumerate(project.settings_path.read_text(encoding="utf-8").splitlines(), 1):
        if text.strip() == f"[{table}]":
            return number
    return None


def check_fonts(project: Project, code: str, path: Path, catalog) -> list[Finding]:
    """A language no font draws, and each translation with a character no font has."""
    from .fonts import fontset, language_problem, remedy
    from .locales import locale_info

    fonts = fontset(project.root)
    problem = language_problem(locale_info(code), fonts)
    found = []
    if problem:
        found.append(Finding(project.settings_path, _line_of_locales(project), "font", ERROR, problem))
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple | list) else [message.string]
        char = next((c for text in strings if text and (c := fonts.first_missing(text))), None)
        if message.id and char:
            found.append(
                Finding(
                    path,
                    getattr(message, "lineno", None),
                    "font",
                    ERROR,
                    f"no font has {char!r} (U+{ord(char):04X} {unicodedata.name(char, 'unnamed')}) in the "
                    f"translation of {message_id(message)[:60]!r}; to draw it, {remedy(char)}",
                )
            )
    return found


def _line_of_locales(project: Project) -> int | None:
    for number, line in enumerate(project.settings_path.read_text(encoding="utf-8").splitlines(), 1):
        if line.lstrip().startswith("locales"):
            return number
    return None


#: The flag a translator sets on an entry whose translation is rightly the same as its source.
UNCHANGED_FLAG = "leaflets-unchanged"


def check_catalog(path: Path, catalog, wanted: set) -> list[Finding]:
    findings = [
        Finding(path, warning.line, warning.code, WARNING, warning.message)
        for warning in getattr(catalog, "warnings", [])
    ]
    locale = str(catalog.locale) if catalog.locale else None
    have = set()
    for message in catalog:
        if not message.id:
            continue
        key = (message.context, message_id(message))
        have.add(key)
        line = getattr(message, "lineno", None)

        def add(code, severity, text, line=line):
            findings.append(Finding(path, line, code, severity, text))

        short = repr(message_id(message)[:60])
        if message.fuzzy:
            add("fuzzy", WARNING, f"{short} is fuzzy: the source changed; check and clear the flag")
        if not is_translated(message):
            add("untranslated", WARNING, f"{short} is not translated")
            continue
        sources = list(message.id) if isinstance(message.id, tuple | list) else [message.id]
        strings = list(message.string) if isinstance(message.string, tuple | list) else [message.string]
        for index, text in enumerate(strings):
            source = sources[min(index, len(sources) - 1)] if len(sources) > 1 and index else sources[0]
            for code, severity, text_ in check_pair(source, text, short, len(sources) > 1, locale):
                if code == "unchanged" and UNCHANGED_FLAG in message.flags:
                    continue
                add(code, severity, text_)
    for key in sorted(wanted - have, key=lambda k: (k[0] or "", k[1])):
        findings.append(
            Finding(
                path,
                None,
                "missing",
                WARNING,
                f"{key[1][:60]!r} is not in the catalogue: run `leaflets update`",
            )
        )
    for message in catalog.obsolete.values():
        findings.append(
            Finding(
                path,
                getattr(message, "lineno", None),
                "obsolete",
                WARNING,
                f"obsolete entry {message_id(message)[:60]!r}: remove it or reuse it",
            )
        )
    return findings


def check_pair(
    source: str, text: str, short: str, plural: bool = False, locale: str | None = None
) -> list[tuple[str, str, str]]:
    """Findings of one translation against its source, as (code, severity, message)."""
    found = []
    extra = markup.unsafe_tags(source, text)
    if extra:
        found.append(
            (
                "markup",
                ERROR,
                f"translation of {short} adds markup {', '.join(extra)}; translations are plain text",
            )
        )
    missing_tags = markup.missing_tags(source, text)
    if missing_tags:
        found.append(("tags", WARNING, f"translation of {short} drops {', '.join(missing_tags)}"))
    problem = markup.placeholder_problem(source, text)
    if problem and not (plural and "%(num)s" not in problem):
        found.append(("placeholders", ERROR, f"translation of {short} {problem}"))
    for code, name, extract in (
        ("urls", "URL", markup.urls),
        ("emails", "e-mail address", markup.emails),
        ("phones", "phone number", markup.phones),
    ):
        lost = [item for item in extract(source) if item not in text]
        if lost:
            found.append((code, ERROR, f"translation of {short} drops the {name} {', '.join(lost)}"))
    want, got = (
        Counter(map(_digits, markup.numbers(source))),
        Counter(map(_digits, markup.numbers(text))),
    )
    if want != got:
        lost, added = sorted((want - got).elements()), sorted((got - want).elements())
        detail = "; ".join(
            p
            for p in (
                lost and f"missing {', '.join(lost)}",
                added and f"not in the source {', '.join(added)}",
            )
            if p
        )
        found.append(("numbers", ERROR, f"translation of {short} changes a number ({detail})"))
    if text == source and not _names_only(source):
        found.append(
            (
                "unchanged",
                WARNING,
                f"translation of {short} is identical to the source "
                f"(if that is right, mark the entry `#, {UNCHANGED_FLAG}`)",
            )
        )
    if _ends(source) != _ends(text):
        found.append(("whitespace", WARNING, f"translation of {short} starts or ends with other whitespace"))
    found.extend(style_findings(source, text, short, locale))
    if len(text) > LENGTH_RATIO * len(source) + LENGTH_SLACK:
        found.append(
            (
                "length",
                WARNING,
                f"translation of {short} is {len(text) / len(source):.1f} times as long as its source",
            )
        )
    return found


def _names_only(text: str) -> bool:
    """Names, journal titles and abbreviations (a citation) that rightly stay as they are."""
    words = re.findall(r"[^\W\d_]+", markup.to_plain(text))
    return len(words) >= 2 and not any(word.islower() and len(word) >= 3 for word in words)


def _digits(number: str) -> str:
    # Arabic-Indic and other native digits count as the same number.
    return "".join(str(unicodedata.digit(c)) if c.isdigit() else c for c in number)


def _ends(text: str) -> tuple[str, str]:
    return text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == ERROR]


def warnings(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == WARNING]


__all__ = ["Finding", "check_project", "check_pair", "errors", "LeafletsError"]
