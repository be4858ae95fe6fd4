"""The shelf page ``out/index.html``: where clinic staff find a leaflet and can trust its status.

Written from ``manifest.json`` after every build. Two ways in, each with a contents list: by
leaflet (procedure) and by language. Every document is one row: its title in its language and in
the source language, the language by its own name and in the staff's language, edition, pages,
version, dates, and its status beside the link, a draft's reasons one click away. A search box
matches each typed word on its own, ignoring case and accents. The page's own words are in the
staff's language (``[shelf] staff_language``) from the tool's catalogues (``i18n.py``).

One self-contained HTML file (its CSS and script inline, from ``assets/shelf/``) with relative
links, so it works from the file system and from any web server and requests nothing outside
the folder. With ``[shelf] base_url`` each document also gets a QR code (``qr/*.svg``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from markupsafe import Markup

from .errors import LeafletsError
from .i18n import Words, words
from .locales import PSEUDO_LOCALES, capitalized, locale_info
from .output import SHELF, write_atomic
from .project import Project

ASSETS_DIR = Path(__file__).resolve().parent / "assets" / "shelf"
QR_DIR = "qr"
#: Statuses a build or sign-off writes for a document that may be given to patients.
READY_STATUSES = frozenset({"release", "released", "ready"})
WITHDRAWN = "withdrawn"
#: What the page can say of a document, in the order the page's script numbers them.
STATUSES = ("ready", "draft", WITHDRAWN, "missing")
EDITION_ORDER = ("standard", "large-print", "bilingual", "html")


def N_(message: str) -> str:
    """Mark a string for extraction into the tool's catalogue; translated where it is shown."""
    return message


#: A document link's accessible name: leaflet, language, edition, format and status.
LABEL = N_("%(leaflet)s – %(language)s – %(edition)s – %(format)s – %(status)s")
EDITION_NAMES = {
    "standard": N_("Standard"),
    "large-print": N_("Large print"),
    "bilingual": N_("Bilingual"),
    "html": N_("Web page"),
}


def fold(text: str) -> str:
    """Text as the search compares it: lower case, no accents, words split on anything else.

    The page's script does the same to what is typed (``foldText`` in ``shelf.js``).
    """
    text = unicodedata.normalize("NFKD", text.lower())
    # Every mark goes, spacing ones too (Indic, Khmer and Burmese vowel signs), as \p{M} does.
    text = "".join(c for c in text if not unicodedata.category(c).startswith("M"))
    text = text.replace("ß", "ss").replace("ı", "i")
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


@dataclass(frozen=True)
class Name:
    """A text in a language: rendered with its ``lang`` and ``dir``."""

    text: str
    lang: str
    dir: str = "ltr"


@dataclass
class Row:
    href: str
    leaflet: str
    locale: str
    edition: str
    edition_name: str
    title: Name
    source_title: Name
    languages: list[Name]
    staff_language_name: str
    status: str
    status_text: str
    reasons: list[str]
    pages: int | None
    version: str
    published: str
    next_review: str
    label: str
    search: str
    formats: list[dict[str, str]] = field(default_factory=list)
    #: Pages, version and dates as shown, in the staff's language.
    facts: list[str] = field(default_factory=list)
    qr: str = ""
    qr_url: str = ""

    @property
    def linked(self) -> bool:
        return self.status not in (WITHDRAWN, "missing")

    @property
    def pdf(self) -> bool:
        return self.href.lower().endswith(".pdf")


@dataclass
class Group:
    id: str
    heading: Name
    subheading: str
    rows: list[Row]


def write_shelf(out_dir: Path, manifest: dict, project: Project, today: dt.date | None = None) -> Path:
    """Write ``out_dir/index.html`` (and ``qr/*.svg`` with a base URL) from ``manifest``."""
    staff = project.shelf.staff_language
    _ = words(staff)
    rows = shelf_rows(out_dir, manifest, project, _, today or dt.date.today())
    _write_qr_codes(out_dir, rows, project.shelf.base_url)
    by_leaflet: dict[str, list[Row]] = {}
    by_language: dict[str, list[Row]] = {}
    for row in rows:
        by_leaflet.setdefault(row.leaflet, []).append(row)
        by_language.setdefault(row.locale, []).append(row)
    leaflet_groups = [
        Group(f"leaflet-{slug}", items[0].source_title, "", items)
        for slug, items in sorted(by_leaflet.items(), key=lambda kv: fold(kv[1][0].source_title.text))
    ]
    language_groups = []
    for code, items in by_language.items():
        native = _language_name(code)
        heading = Name(native.text, native.lang, native.dir)
        other = _language_in(code, staff)
        language_groups.append(
            Group(f"language-{code}", heading, other if fold(other) != fold(native.text) else "", items)
        )
    language_groups.sort(key=lambda g: fold(g.subheading or g.heading.text))
    for group in language_groups:
        group.rows = sorted(group.rows, key=lambda r: (fold(r.source_title.text), _edition_rank(r.edition)))

    info = locale_info(staff)
    source = locale_info(project.source_locale) if not _pseudo(project.source_locale) else info
    number = {id(row): i for i, row in enumerate(rows)}
    data = {
        **_encode_rows(rows),
        # Each view's groups, in order, as the rows they show.
        "views": {
            view: [[number[id(row)] for row in group.rows] for group in groups]
            for view, groups in (("by-leaflet", leaflet_groups), ("by-language", language_groups))
        },
        "strings": {
            "count": _("%(shown)s of %(total)s documents shown"),
            "all": _("%(total)s documents"),
            "none": _("No document matches “%(query)s”. Check the spelling or search for fewer words."),
            "label": _(LABEL),
            "why": _("Why?"),
            "print": _("Print"),
            "qr": _("QR code"),
            "status": {status: _status_text(status, _) for status in STATUSES},
            "sourceLang": source.lang,
            "sourceDir": source.direction,
        },
    }
    page = (
        _environment()
        .get_template("shelf.html")
        .render(
            _=_,
            title=project.name,
            lang=info.lang,
            dir=info.direction,
            leaflet_groups=leaflet_groups,
            language_groups=language_groups,
            total=len(rows),
            built=_built(manifest, info),
            css=Markup((ASSETS_DIR / "shelf.css").read_text(encoding="utf-8")),
            script=Markup((ASSETS_DIR / "shelf.js").read_text(encoding="utf-8")),
            data=Markup(_script_json(data)),
        )
    )
    path = out_dir / SHELF
    write_atomic(path, page.encode("utf-8"))
    return path


def _encode_rows(rows: list[Row]) -> dict[str, list]:
    """The rows as compact data for the page's script (``rowHtml`` in ``shelf.js`` draws them).

    Repeated texts (titles, languages, editions, facts, reasons) are stored once in a table
    and referred to by number, which keeps a 9,000-row page small enough to open at once.
    """
    table: dict[str, int] = {}
    reasons: dict[tuple[str, ...], int] = {}

    def ref(text: str) -> int:
        return table.setdefault(text, len(table))

    encoded = []
    for row in rows:
        languages = Markup(" + ").join(
            Markup('<span lang="{}" dir="{}">{}</span>').format(n.lang, n.dir, n.text) for n in row.languages
        )
        language_text = " + ".join(n.text for n in row.languages)
        if row.staff_language_name != language_text:
            languages += Markup(" ({})").format(row.staff_language_name)
            language_text += f" ({row.staff_language_name})"
        facts = "".join(f" · {fact}" for fact in row.facts)
        formats = Markup("").join(
            Markup('<a class="format" href="{}" aria-label="{}">{}</a> ').format(
                f["href"], f["label"], f["text"]
            )
            for f in row.formats
        )
        encoded.append(
            [
                row.href,
                STATUSES.index(row.status),
                reasons.setdefault(tuple(row.reasons), len(reasons)),
                ref(row.title.text),
                ref(row.title.lang),
                int(row.title.dir == "rtl"),
                ref(row.source_title.text),
                ref(str(languages)),
                ref(language_text),
                ref(row.edition_name),
                ref(facts),
                int(not row.pdf),
                ref(str(formats)) if formats else -1,
                row.qr,
                ref(row.qr_url) if row.qr_url else -1,
            ]
        )
    return {
        "rows": encoded,
        "t": list(table),
        "reasons": [list(item) for item in reasons],
        "search": [row.search for row in rows],
    }


def shelf_rows(out_dir: Path, manifest: dict, project: Project, _: Words, today: dt.date) -> list[Row]:
    """One row per document staff may look for, in leaflet, language and edition order.

    The pseudo-locale is never listed; a withdrawn document or one whose file is gone is listed
    without a link and never as ready; every other status but a release is a draft.
    """
    staff = project.shelf.staff_language
    documents = {
        name: entry
        for name, entry in manifest.get("documents", {}).items()
        if not _pseudo(entry.get("locale", "")) and not _pseudo(entry.get("partner") or "")
    }
    titles: dict[tuple[str, str], str] = {}
    keywords: dict[tuple[str, str], str] = {}
    for entry in documents.values():
        if entry.get("edition") == "standard" and not entry.get("partner"):
            titles[(entry["leaflet"], entry["locale"])] = entry.get("title", "")
        for code, text in (entry.get("keywords") or {}).items():
            keywords.setdefault((entry["leaflet"], code), text)
    # An HTML edition is a format of its leaflet and language's standard row, when there is one.
    standard_rows = {
        (e["leaflet"], e["locale"]): n for n, e in documents.items() if e.get("edition") == "standard"
    }
    formats: dict[str, list[tuple[str, dict]]] = {}
    listed = {}
    for name, entry in documents.items():
        key = (entry["leaflet"], entry["locale"])
        if entry.get("edition") == "html" and key in standard_rows:
            formats.setdefault(standard_rows[key], []).append((name, entry))
        else:
            listed[name] = entry

    rank = {code: i for i, code in enumerate(project.locales)}
    rows = []
    for name, entry in listed.items():
        slug, code = entry["leaflet"], entry["locale"]
        partner = entry.get("partner") or ""
        source = titles.get((slug, project.source_locale)) or slug.replace("-", " ").capitalize()
        own = titles.get((slug, code)) or entry.get("title", "").split(" – ")[0] or source
        status, reasons = _status(out_dir, name, entry, today, _)
        status_text = _status_text(status, _)
        language = _language_name(code)
        names = [language] + ([_language_name(partner)] if partner else [])
        staff_name = " + ".join(_language_in(c, staff) for c in [code, partner] if c)
        edition = entry.get("edition", "standard")
        edition_name = _(EDITION_NAMES[edition]) if edition in EDITION_NAMES else edition
        fmt = "PDF" if name.lower().endswith(".pdf") else "HTML"
        language_label = " + ".join(n.text for n in names)
        if fold(staff_name) != fold(language_label):
            language_label += f" ({staff_name})"
        label = _(LABEL) % {
            "leaflet": own if fold(own) == fold(source) else f"{own} ({source})",
            "language": language_label,
            "edition": edition_name,
            "format": fmt,
            "status": status_text,
        }
        extra = []
        for other_name, other in formats.get(name, []):
            other_status, _reasons = _status(out_dir, other_name, other, today, _)
            if other_status in (WITHDRAWN, "missing"):
                continue
            extra.append(
                {
                    "href": other_name,
                    "text": _(EDITION_NAMES["html"]),
                    "label": _(LABEL)
                    % {
                        "leaflet": own,
                        "language": language_label,
                        "edition": _(EDITION_NAMES["html"]),
                        "format": "HTML",
                        "status": _status_text(other_status, _),
                    },
                }
            )
        search_parts = [
            slug.replace("-", " "),
            source,
            own,
            entry.get("title", ""),
            titles.get((slug, partner), ""),
            keywords.get((slug, code), ""),
            keywords.get((slug, partner), ""),
            keywords.get((slug, project.source_locale), ""),
            edition_name,
            EDITION_NAMES.get(edition, edition),
            edition,
            fmt,
            status_text,
            *(e["text"] for e in extra),
        ]
        for language_code in [code, partner] if partner else [code]:
            search_parts += [
                language_code,
                _language_name(language_code).text,
                _language_in(language_code, "en"),
                _language_in(language_code, staff),
            ]
        rows.append(
            Row(
                href=name,
                leaflet=slug,
                locale=code,
                edition=edition,
                edition_name=edition_name,
                title=Name(own, language.lang, language.dir),
                source_title=Name(source, _lang(project.source_locale), _dir(project.source_locale)),
                languages=names,
                staff_language_name=staff_name,
                status=status,
                status_text=status_text,
                reasons=reasons,
                pages=entry.get("pages"),
                version=str(entry.get("version", "")),
                published=_date(entry.get("published"), staff),
                next_review=_date(entry.get("next_review"), staff),
                label=label,
                search=" ".join(dict.fromkeys(fold(" ".join(search_parts)).split())),
                formats=extra,
                facts=_facts(entry, staff, _),
            )
        )
    rows.sort(
        key=lambda r: (
            r.leaflet,
            rank.get(r.locale, len(rank)),
            r.locale,
            _edition_rank(r.edition),
            r.href,
        )
    )
    return rows


def _facts(entry: dict, staff: str, _: Words) -> list[str]:
    """Pages, version, publication and review dates, as the row shows them."""
    facts = []
    if entry.get("pages") and not str(entry.get("file", "")).endswith(".html"):  # a web page has none
        facts.append(_("Pages: %(pages)s") % {"pages": entry["pages"]})
    if entry.get("version"):
        facts.append(_("Version %(version)s") % {"version": entry["version"]})
    if entry.get("published"):
        facts.append(_("Published %(date)s") % {"date": _date(entry["published"], staff)})
    if entry.get("next_review"):
        facts.append(_("Review due %(date)s") % {"date": _date(entry["next_review"], staff)})
    return facts


def _status(out_dir: Path, name: str, entry: dict, today: dt.date, _: Words) -> tuple[str, list[str]]:
    """``ready``, ``draft``, ``withdrawn`` or ``missing``, and the reasons for it."""
    status = str(entry.get("status", "draft")).lower()
    reasons = [str(r) for r in entry.get("draft_reasons") or entry.get("reasons") or []]
    if status == WITHDRAWN:
        return WITHDRAWN, reasons
    if not (out_dir / name).is_file():
        return "missing", [_("The file is not in this folder.")]
    try:
        overdue = dt.date.fromisoformat(entry["next_review"]) < today
    except (KeyError, TypeError, ValueError):
        overdue = False
    if overdue:
        reasons.append(_("The review date has passed."))
    if status in READY_STATUSES and not reasons:
        return "ready", []
    return "draft", reasons or [_("The build did not mark it as released.")]


def _status_text(status: str, _: Words) -> str:
    return {
        "ready": _("Ready"),
        "draft": _("DRAFT: not for patients"),
        WITHDRAWN: _("WITHDRAWN: do not use"),
        "missing": _("MISSING: file not found"),
    }[status]


def _pseudo(code: str) -> bool:
    if not code:
        return False
    if code in PSEUDO_LOCALES:
        return True
    try:
        return locale_info(code).pseudo
    except LeafletsError:
        return False


def _language_name(code: str) -> Name:
    """A language by its own name, in its direction."""
    try:
        info = locale_info(code)
    except LeafletsError:
        return Name(code, code)
    return Name(info.native_name, info.lang, info.direction)


def _language_in(code: str, staff: str) -> str:
    """A language's name in the staff's language (``Arabic``, ``Arapça``)."""
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(Locale.parse(staff.replace("-", "_")))
    except (ValueError, UnknownLocaleError):
        return code
    return capitalized(name) if name else code


def _lang(code: str) -> str:
    return code.replace("_", "-")


def _dir(code: str) -> str:
    try:
        return locale_info(code).direction
    except LeafletsError:
        return "ltr"


def _date(value: object, staff: str) -> str:
    try:
        date = dt.date.fromisoformat(str(value))
    except ValueError:
        return str(value or "")
    return format_date(date, "medium", locale=Locale.parse(staff.replace("-", "_")))


def _built(manifest: dict, info) -> str:
    value = manifest.get("built") or manifest.get("built_at") or manifest.get("build_time")
    if not value:
        return ""
    try:
        moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    from babel.dates import format_datetime

    return format_datetime(moment, "medium", locale=info.babel_locale)


def _script_json(data: object) -> str:
    """JSON to put inside ``<script>``: "</" and "<!--" escaped, which could end or hide it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("<!--", "\\u003c!--")


def _edition_rank(edition: str) -> int:
    return EDITION_ORDER.index(edition) if edition in EDITION_ORDER else len(EDITION_ORDER)


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(ASSETS_DIR),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def _write_qr_codes(out_dir: Path, rows: list[Row], base_url: str) -> None:
    """One QR code per listed document when the set is published at ``base_url``; none without.

    Named by a digest of the address, so a code is made once and a changed address makes a new
    one; codes no row uses any more are removed.
    """
    folder = out_dir / QR_DIR
    wanted: set[str] = set()
    if base_url:
        from urllib.parse import quote

        import segno

        for row in rows:
            if not row.linked:
                continue
            target = next((f["href"] for f in row.formats), row.href)
            url = base_url + quote(target)
            name = hashlib.sha256(url.encode("utf-8")).hexdigest()[:16] + ".svg"
            row.qr, row.qr_url = f"{QR_DIR}/{name}", url
            wanted.add(name)
            if not (folder / name).is_file():
                buffer = io.BytesIO()
                segno.make(url, error="m").save(buffer, kind="svg", scale=4, border=4, xmldecl=False)
                write_atomic(folder / name, buffer.getvalue())
    if folder.is_dir():
        for path in folder.glob("*.svg"):
            if path.name not in wanted:
                path.unlink(missing_ok=True)
