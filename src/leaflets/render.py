"""Template + catalogue → HTML → PDF bytes. Nothing here writes files.

Data flows one way: :func:`render_html` turns a :class:`Document` of a :class:`Project` into
a :class:`Rendered` (the HTML and what the build must know about it: draft reasons,
fallbacks), and :func:`render_pdf` turns that into PDF bytes.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import jinja2
from babel.messages.catalog import Catalog
from markupsafe import Markup, escape

from . import __version__
from .bilingual import bilingual
from .catalogs import Lookup, Translator, read_catalog
from .confine import inside
from .contact import contact
from .document import Document
from .draft import mark
from .errors import (
    FetchRefusedError,
    MissingGlyphError,
    RenderError,
    TemplateError,
    UnsafeTranslationError,
)
from .fonts import FontSet, fontset, remedy
from .locales import LocaleInfo, locale_info
from .markup import css_string, join_stops, placeholder_problem, to_html, unsafe_tags
from .plaintext import text_errors
from .project import WEB_EDITIONS, Leaflet, Project
from .pseudo import pseudo
from .signoff import Shown, summary
from .status import Status
from .status import document_status as status_of
from .templates import ThemeLoader, asset_roots, parent_locales, tool_po_path

LOG = logging.getLogger(__name__)
PDF_VARIANT = "pdf/ua-1"
#: Markers that ``css_content`` turns into CSS counters in a translated margin-box string.
COUNTERS = {"\x00page\x00": "counter(page)", "\x00pages\x00": "counter(pages)"}


@dataclass
class Rendered:
    document: Document
    html: str
    title: str
    locale: LocaleInfo
    draft_reasons: list[str] = field(default_factory=list)
    fallbacks: list[Lookup] = field(default_factory=list)
    base_url: str = ""
    #: For each catalogue used: its PO-Revision-Date and a digest of the file.
    catalogues: dict[str, dict[str, str]] = field(default_factory=dict)
    #: sha256 of each font file the document's style names, by file name (for the manifest).
    fonts: dict[str, str] = field(default_factory=dict)
    #: Problems that do not stop the document (a language name given in English).
    warnings: list[str] = field(default_factory=list)
    #: Each language's ``<meta name="keywords">``, for the shelf page's search.
    keywords: dict[str, str] = field(default_factory=dict)

    @property
    def draft(self) -> bool:
        return bool(self.draft_reasons)


def translator_for(project: Project, locale: str) -> Translator:
    """A fresh translator for ``locale``: the source, the pseudo-locale, or its ``.po``.

    A string the locale's own catalogue does not translate comes, string by string, from the
    project's catalogue of its parent language (``de`` for ``de-AT``), then from the tool's
    own catalogues (the theme's strings), then from the source.
    """
    info = locale_info(locale)
    if info.pseudo:
        return Translator(locale, transform=pseudo)
    chain = [locale, *parent_locales(locale)]
    layers = []
    for code in chain[1:]:
        if code != project.source_locale and project.po_path(code).is_file():
            layers.append(_layer(project.po_path(code)))
    for code in chain:
        if code != project.source_locale and tool_po_path(code).is_file():
            layers.append(_layer(tool_po_path(code)))
    if locale == project.source_locale:
        return Translator(locale, layers=layers)
    path = project.po_path(locale)
    inside(project.locales_dir, path.relative_to(project.locales_dir).as_posix(), "catalogue")
    if not path.is_file() and layers and locale not in project.locales:
        return Translator(locale, layers=layers)
    return Translator(locale, _catalog(path, _digest(path)), path, layers=layers)


def _layer(path: Path) -> tuple[Catalog, Path]:
    return _catalog(path, _digest(path)), path


def _digest(path: Path) -> str:
    import hashlib

    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return ""


@cache
def _catalog(path: Path, _digest: str):
    # Keyed on the content, so `preview --watch` and tests reread a catalogue that changed
    # even within one tick of the file system's clock.
    return read_catalog(path)


def css_content(text: str, counter_style: str = "decimal") -> Markup:
    """A translated, HTML-escaped string as a CSS ``content`` value, with counters restored
    (in ``counter_style``: page numbers in the locale's digits)."""
    plain = Markup(text).unescape()
    pieces = re.split("(" + "|".join(map(re.escape, COUNTERS)) + ")", plain)
    tokens = []
    for piece in pieces:
        if piece in COUNTERS:
            counter = COUNTERS[piece]
            tokens.append(counter if counter_style == "decimal" else f"{counter[:-1]}, {counter_style})")
        elif piece:
            tokens.append(css_string(piece.replace("\n", " ")))
    return Markup(" ".join(tokens) or '""')


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in memory, so each document's environment skips the compiler.

    Jinja checks each entry against the template source's checksum, so an edited template is
    compiled again.
    """

    def __init__(self):
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.store:
            bucket.bytecode_from_string(self.store[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _CompiledTemplates()


def make_environment(project: Project, translator: Translator, where: dict) -> jinja2.Environment:
    """A Jinja environment with autoescape and the translator's safe gettext installed."""
    env = jinja2.Environment(
        bytecode_cache=_COMPILED,
        loader=ThemeLoader(project),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.policies["ext.i18n.trimmed"] = True
    info = locale_info(translator.locale)
    rtl = info.rtl and translator.locale != project.source_locale

    def translate(
        msgid: str, context: str | None = None, plural: str | None = None, n: int | None = None
    ) -> str:
        result = translator.lookup(msgid, context=context, n=n, plural=plural)
        source = plural if plural and n is not None and n != 1 else msgid
        if result.status in ("translated", "pseudo"):
            _refuse_unsafe(translator, result, source)
        html = str(to_html(result.text))
        if rtl and result.fallback and html.strip():
            # Source text shown in a right-to-left document: a left-to-right isolate, so its
            # full stop and brackets stay at its own end (WeasyPrint has no <bdi>). WeasyPrint
            # orders each line on its own, so a wrapped line loses the isolate's start: the
            # left-to-right marks at both ends keep the end punctuation with the text there too.
            html = f"\u2066\u200e{html}\u200e\u2069"
        return html

    env.install_gettext_callables(  # type: ignore[attr-defined]  # added by the i18n extension
        gettext=lambda s: translate(s),
        ngettext=lambda s, p, n: translate(s, plural=p, n=n),
        pgettext=lambda c, s: translate(s, context=c),
        npgettext=lambda c, s, p, n: translate(s, context=c, plural=p, n=n),
        newstyle=True,
    )
    for name in ("gettext", "ngettext", "pgettext", "npgettext"):
        env.globals[name] = _joining_stops(env.globals[name])
    env.filters["css_content"] = lambda text: css_content(text, info.counter_style)
    env.globals.update(where)
    return env


def _joining_stops(function):
    """Wrap a newstyle gettext so a value ending in a full stop does not double the sentence's."""

    @jinja2.pass_context
    def wrapper(context, *args, **variables):
        return join_stops(function(context, *args, **variables), variables)

    return wrapper


def _refuse_unsafe(translator: Translator, result: Lookup, source: str) -> None:
    path = result.path or translator.path or f"<{translator.locale}>"
    extra = unsafe_tags(source, result.text)
    if extra:
        raise UnsafeTranslationError(
            path,
            result.line,
            f"translation of {result.msgid!r} adds markup {', '.join(extra)}; translations are "
            "plain text and may use only the tags of their source string",
        )
    refused = text_errors(source, result.text)
    if refused:
        raise UnsafeTranslationError(path, result.line, f"translation of {result.msgid!r} {refused[0]}")
    problem = placeholder_problem(source, result.text)
    if problem:
        raise UnsafeTranslationError(
            path,
            result.line,
            f"translation of {result.msgid!r} {problem}; it must keep the source's placeholders",
        )


def asset_url(project: Project, name: str) -> str:
    """``file:`` URL of an asset: the project's ``templates/`` first, then the theme's, the tool's."""
    for root in asset_roots(project):
        path = inside(root, name, "asset")
        if path.is_file():
            return path.as_uri()
    raise TemplateError(project.templates_dir, None, f"no asset named {name!r} here or in the tool")


@dataclass
class _Pass:
    """One locale's template, ready to render, after the first pass has seen every string."""

    leaflet: Leaflet
    info: LocaleInfo
    translator: Translator
    template: jinja2.Template
    context: dict

    def render(self, flags: dict) -> str:
        return _guard(self.leaflet, lambda: self.template.render(self.context, draft=flags))


def _guard(leaflet: Leaflet, render):
    try:
        return render()
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(exc.filename or leaflet.template, exc.lineno, exc.message or str(exc)) from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(str(exc.name), None, "template not found") from None
    except (jinja2.UndefinedError, KeyError, TypeError, ValueError) as exc:
        raise TemplateError(leaflet.template, None, f"cannot render: {exc}") from None


def _prepare(project: Project, leaflet: Leaflet, document: Document, code: str) -> _Pass:
    info = locale_info(project.check_locale(code))
    translator = translator_for(project, code)
    context = _context(project, leaflet, document, info)
    env = make_environment(project, translator, {"asset": lambda name: asset_url(project, name)})
    template = _guard(leaflet, lambda: env.get_template(leaflet.template))
    # First pass: every string the document can show, draft notices included, so that the
    # draft status knows about every fallback before the second pass writes the document.
    everything = dict.fromkeys(("not_approved", "not_reviewed", "pseudo"), True) | {"fallbacks": 1}
    _guard(leaflet, lambda: template.render(context, draft=everything))
    return _Pass(leaflet, info, translator, template, context)


def _shown(project: Project, each: _Pass) -> Shown:
    """The strings a pass shows, with the catalogue entries a review covers."""
    keys = tuple(each.translator.seen)
    catalog = each.translator.catalog
    messages = {key: catalog.get(key[1], context=key[0]) for key in keys} if catalog is not None else {}
    return Shown(each.info.code, keys, messages, each.translator.path)


def approval_shown(project: Project, leaflet: Leaflet) -> Shown:
    """The source strings a leaflet shows, in order, as an approval records them."""
    source = _prepare(project, leaflet, Document(leaflet.slug, project.source_locale), project.source_locale)
    return _shown(project, source)


def translation_shown(project: Project, leaflet: Leaflet, locale: str) -> Shown:
    """The strings a leaflet shows in ``locale``, with their catalogue entries, as a review covers them."""
    each = _prepare(project, leaflet, Document(leaflet.slug, locale), locale)
    return _shown(project, each)


def document_status(
    project: Project, leaflet: Leaflet, document: Document, passes: list[_Pass], today: dt.date | None = None
) -> Status:
    """Whether the document may go to patients, from its passes (see ``status.py``)."""
    from .signoff import read_records

    # What the clinic approves is the leaflet as the standard edition shows it in the source
    # language: every edition and language shows those strings.
    translated = [
        _shown(project, p) for p in passes if p.info.code != project.source_locale and not p.info.pseudo
    ]
    return status_of(
        project,
        leaflet,
        read_records(project),
        approval_shown(project, leaflet),
        translated,
        [item for p in passes for item in p.translator.fallbacks],
        any(p.info.pseudo for p in passes),
        today or dt.date.today(),
    )


def render_html(
    project: Project, document: Document, today: dt.date | None = None, *, final: bool = False
) -> Rendered:
    """Render the HTML of one document, with its draft status.

    A document that is not release-ready gets the tool's DRAFT marker whatever its templates do;
    ``final`` renders it as it will read once signed off, without the marker (for measuring the text).
    """
    leaflet = project.leaflet(document.leaflet)
    codes = [document.locale] + ([document.partner] if document.partner else [])
    passes = [_prepare(project, leaflet, document, code) for code in codes]
    status = document_status(project, leaflet, document, passes, today)
    flags = status.flags
    if final:
        flags = {name: 0 if name == "fallbacks" else False for name in flags}
    pages = [p.render(flags) for p in passes]
    fonts = fontset(project.root)
    for each, html in zip(passes, pages, strict=True):
        _check_glyphs(each.translator, each.info, html, fonts)
    html = pages[0] if len(pages) == 1 else bilingual(pages[0], pages[1], passes[0].info, passes[1].info)
    names = [fonts.language_stack(project, p.info) for p in passes]
    stack = fonts.stack(tuple(name for each in names for name in each), _text(html))
    style = fonts.css(stack, passes[0].info.script)
    html = html.replace("</head>", f"<style>\n{style}\n</style>\n</head>", 1)
    if not status.ready and not final:
        root = f"{project.root}/"
        details = [reason.replace(root, "") for reason in summary(list(status.reasons))]
        html = mark(html, passes[0].translator, flags, details, large=document.edition == "large-print")
    reasons = list(status.reasons)
    fallbacks = [item for p in passes for item in p.translator.fallbacks]
    return Rendered(
        document,
        html,
        _title(html),
        passes[0].info,
        reasons,
        fallbacks,
        project.templates_dir.as_uri() + "/",
        {p.info.code: _revision(p.translator) for p in passes if p.translator.catalog},
        fonts.hashes(stack),
        list(dict.fromkeys(w for p in passes for w in p.context["font_warnings"])),
        keywords={p.info.code: _keywords(page) for p, page in zip(passes, pages, strict=True)},
    )


def _revision(translator: Translator) -> dict[str, str]:
    import hashlib

    revised = translator.catalog.revision_date if translator.catalog else None
    data = translator.path.read_bytes() if translator.path and translator.path.exists() else b""
    return {
        "revision_date": revised.isoformat() if isinstance(revised, dt.datetime) else str(revised),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def _context(project: Project, leaflet: Leaflet, document: Document, info: LocaleInfo) -> dict:
    language = project.language(info.code)
    modified = os.environ.get("SOURCE_DATE_EPOCH")
    warnings: list[str] = []
    return {
        "leaflet": leaflet,
        "document": document,
        "locale": info,
        "lang": info.lang,
        "dir": info.direction,
        "start": "right" if info.rtl else "left",
        "end": "left" if info.rtl else "right",
        "font_stack": ", ".join(f'"{name}"' for name in fontset(project.root).language_stack(project, info)),
        "paper": info.paper(document.paper or language.paper or project.paper),
        "edition": document.edition,
        "print_shop": document.print_shop,
        "bilingual": document.partner is not None,
        "clinic": contact(project, info, leaflet),
        "brand": {
            "primary": project.theme.brand,
            "on_primary": project.theme.brand_text,
            "accent": project.theme.accent,
        },
        "logo": project.theme.logo,
        "extra_css": list(project.theme.css),
        "published": info.format_date(leaflet.published),
        "next_review": info.format_date(leaflet.next_review),
        "published_iso": leaflet.published.isoformat(),
        "modified_iso": (
            dt.datetime.fromtimestamp(int(modified), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            if modified
            else ""
        ),
        "languages": [locale_info(code) for code in project.locales_of(leaflet)],
        # The accessible HTML edition, named in the other-formats line when the project makes it.
        "web_page": (
            # An isolate keeps the name in one piece inside right-to-left text.
            Markup('<span class="file-name">\u2068{}\u2069</span>').format(
                Document(leaflet.slug, info.code, WEB_EDITIONS[0]).file_name
            )
            if WEB_EDITIONS[0] in project.editions
            else ""
        ),
        "language_list": language_list(
            [locale_info(code) for code in project.locales_of(leaflet)], info, fontset(project.root), warnings
        ),
        "font_warnings": warnings,
        "generator": f"leaflets {__version__}",
        "PAGE": "\x00page\x00",
        "PAGES": "\x00pages\x00",
    }


def language_list(
    languages: list[LocaleInfo],
    info: LocaleInfo,
    fonts: FontSet | None = None,
    warnings: list[str] | None = None,
) -> Markup:
    """Languages by their own names, joined the way ``info``'s language lists things.

    A name no available font can draw is given in English instead, with a warning, so a
    language whose font is missing does not stop every other language's documents.

    Each name is a bidi isolate (FSI … PDI): WeasyPrint does not implement ``dir`` on inline
    elements, and without isolates "English, Türkçe" reorders inside Arabic text.
    """
    from babel.lists import format_list

    tokens = [f"\x00{i}\x00" for i in range(len(languages))]
    joined = str(escape(format_list(tokens, locale=info.babel_locale)))
    for token, other in zip(tokens, languages, strict=True):
        name, lang = other.native_name, other.lang
        missing = fonts.first_missing(name) if fonts else None
        if missing:
            message = (
                f"{other.code}: no font has {_describe(missing)} of the language name {name!r}; "
                f"the {info.code} documents name it in English ({other.english_name}); "
                f"to draw it, {remedy(missing)}"
            )
            LOG.warning("%s", message)
            if warnings is not None:
                warnings.append(message)
            name, lang = other.english_name, "en"
        span = Markup('<span class="language" lang="{}">\u2068{}\u2069</span>').format(lang, name)
        joined = joined.replace(token, str(span))
    return Markup(joined)


def _title(html: str) -> str:
    match = re.search(r"<title>(.*?)</title>", html, re.S)
    return Markup(match[1]).unescape().strip() if match else ""


def _keywords(html: str) -> str:
    match = re.search(r'<meta name="keywords" content="([^"]*)"', html)
    return Markup(match[1]).unescape().strip() if match else ""


def _text(html: str) -> str:
    return Markup(re.sub(r"<style.*?</style>|<[^>]+>", " ", html, flags=re.S)).unescape()


def _check_glyphs(translator: Translator, info: LocaleInfo, html: str, fonts: FontSet) -> None:
    """Refuse a document with a character no font can draw: it would print as an empty box."""
    for item in translator.seen.values():
        char = fonts.first_missing(item.text)
        if char:
            path = item.path or translator.path
            where = f"{path}:{item.line}" if path and item.line else info.code
            raise MissingGlyphError(
                f"{where}: no font has {_describe(char)} in the {info.code} translation of "
                f"{item.msgid!r} ({item.text[:60]!r}); to draw it, {remedy(char)}"
            )
    char = fonts.first_missing(_text(html))
    if char:
        raise MissingGlyphError(
            f"{info.code}: no font has {_describe(char)}, used in the templates or settings; "
            f"to draw it, {remedy(char)}"
        )


def _describe(char: str) -> str:
    import unicodedata

    return f"{char!r} (U+{ord(char):04X} {unicodedata.name(char, 'unnamed')})"


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []
        #: What WeasyPrint could not load or parse (an image, a stylesheet, a font).
        self.failures: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        self.messages.append(message)
        if record.levelno >= logging.ERROR or "cannot be loaded" in message:
            self.failures.append(_paths_of_urls(message))


def _paths_of_urls(message: str) -> str:
    """WeasyPrint names files by ``file:`` URL; a person reads paths."""
    from urllib.parse import unquote

    return re.sub(r"'?file://(/[^\s']*)'?", lambda m: unquote(m[1]), message)


def _scope_table_headers(document, pdf) -> None:
    """Give header cells a /Scope, so readers tie them to their columns (PDF/UA 7.5).

    WeasyPrint tags ``<th>`` as /TH but does not write the ``scope`` attribute; the only
    tables here are the bilingual edition's, whose headers name the column's language.
    """
    import pydyf

    for obj in pdf.objects:
        if isinstance(obj, pydyf.Dictionary) and obj.get("S") == "/TH":
            attributes = obj.get("A")
            if not isinstance(attributes, pydyf.Dictionary):
                attributes = obj["A"] = pydyf.Dictionary({"O": "/Table"})
            attributes.setdefault("Scope", "/Column")


def font_config():
    """A WeasyPrint font configuration; reuse one per process, it is the slow part to set up."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def render_pdf(project: Project, rendered: Rendered, fonts=None) -> tuple[bytes, int]:
    """Render PDF bytes and the page count; refuse a document that fetched or lost glyphs."""
    from weasyprint import HTML

    from .fetch import AssetFetcher  # imports WeasyPrint: only when a PDF is made
    from .stylesheets import parsed_once
    from .tagging import recording, repair

    available = fontset(project.root)
    fetcher = AssetFetcher([*asset_roots(project), *available.roots()], available.generated)
    collect = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collect)
    try:
        html = HTML(string=rendered.html, base_url=rendered.base_url, url_fetcher=fetcher)
        with parsed_once():
            document = html.render(font_config=fonts or font_config(), pdf_variant=PDF_VARIANT)
        with recording() as facts:
            pdf = document.write_pdf(pdf_variant=PDF_VARIANT, finisher=_scope_table_headers)
        pdf = repair(pdf, facts)
    except Exception as exc:  # WeasyPrint raises many types; none may reach the user raw.
        raise RenderError(f"{rendered.document}: WeasyPrint failed: {type(exc).__name__}: {exc}") from exc
    finally:
        logger.removeHandler(collect)
    if fetcher.refused:
        lines = "; ".join(f"{url[:80]} ({why})" for url, why in fetcher.refused)
        raise FetchRefusedError(f"{rendered.document}: refused to load {lines}")
    if collect.failures:
        # A broken image would silently become its alt text, a stylesheet simply missing.
        raise RenderError(f"{rendered.document}: {collect.failures[0]}")
    missing = [m for m in collect.messages if ".notdef" in m]
    if missing:
        raise MissingGlyphError(
            f"{rendered.document}: a character has no glyph in the fonts the document names: {missing[0]}"
        )
    return pdf, len(document.pages)
