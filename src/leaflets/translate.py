"""The translator's tools over catalogues: extract, update and init, as pybabel does them.

Files stay what Poedit, Weblate, ``msgfmt -c`` and pybabel expect: ``messages.pot`` extracted
with ``locales/babel.cfg`` (which ``pybabel extract -F`` reads too), and
``locales/LANG/LC_MESSAGES/messages.po`` per language.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

import babel
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import normalize, write_po

from .catalogs import read_catalog
from .confine import inside
from .errors import ConfigError, LeafletsError
from .output import write_atomic
from .project import SETTINGS_FILE, Project

COMMENT_TAGS = ("Translators:",)
WIDTH = 79


def now() -> dt.datetime:
    """The current time, or ``SOURCE_DATE_EPOCH`` when set, for reproducible headers."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def extract_catalog(project: Project) -> Catalog:
    """Every translatable string of the templates, with references and translator comments."""
    try:
        with project.mapping_path.open(encoding="utf-8") as handle:
            method_map, options_map = parse_mapping_cfg(handle, str(project.mapping_path))
    except FileNotFoundError:
        raise ConfigError(f"{project.mapping_path}: no extraction mapping") from None
    catalog = Catalog(
        project=project.name,
        version=_version(project),
        copyright_holder=_plain_name(project),
        msgid_bugs_address="",
        creation_date=now(),
        charset="utf-8",
        fuzzy=False,
    )
    current = [project.templates_dir]

    def reading(filename: str, _method: str, _options: dict) -> None:
        current[0] = project.root / filename
        inside(project.root, filename, "template")  # a link out of the project is not read

    try:
        for filename, lineno, message, comments, context in extract_from_dir(
            str(project.root),
            method_map,
            options_map,
            comment_tags=COMMENT_TAGS,
            strip_comment_tags=True,
            callback=reading,
        ):
            catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    except LeafletsError:
        raise
    except Exception as exc:  # the Jinja extractor raises TemplateSyntaxError with silent=false
        lineno = getattr(exc, "lineno", None)
        name = getattr(exc, "filename", None) or current[0]
        raise LeafletsError(
            f"{name}:{lineno or ''}: cannot extract: {getattr(exc, 'message', exc)}"
        ) from None
    return catalog


def _version(project: Project) -> str:
    return max((leaflet.version for leaflet in project.leaflets.values()), default="1")


def _plain_name(project: Project) -> str:
    name = project.clinic.name
    return name if isinstance(name, str) else name.get(project.source_locale, next(iter(name.values())))


def po_bytes(catalog: Catalog, **options) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=WIDTH, **options)
    data = out.getvalue()
    if options.get("include_previous"):
        data = _fix_previous(data, catalog)
    return data


def _fix_previous(data: bytes, catalog: Catalog) -> bytes:
    """Rewrite the ``#|`` previous-msgid comments that Babel wraps into invalid lines.

    Babel wraps an already quoted, multi-line previous msgid as comment text, splitting strings
    mid-quote, which ``msgfmt -c`` rejects ("end-of-line within string"). Each block is
    rewritten from the message's ``previous_id``, in the order ``write_po`` wrote them.
    """
    previous = [m.previous_id for m in catalog if m.id and m.previous_id]
    blocks = iter(previous)

    def block(match: re.Match) -> bytes:
        ids = next(blocks)
        lines = []
        for keyword, text in zip(("msgid", "msgid_plural"), ids, strict=False):
            quoted = normalize(text, width=WIDTH).split("\n")
            lines.append(f"#| {keyword} {quoted[0]}")
            lines.extend(f"#| {line}" for line in quoted[1:])
        return ("\n".join(lines) + "\n").encode(catalog.charset or "utf-8")

    return re.sub(rb"(?:^#\| .*\n)+", block, data, flags=re.M)


def _without_dates(data: bytes) -> bytes:
    return re.sub(rb'"(POT-Creation-Date|PO-Revision-Date): [^"]*\\n"\n', b"", data)


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write ``data`` unless only the dates in its header differ from what is there."""
    if path.exists() and _without_dates(path.read_bytes()) == _without_dates(data):
        return False
    write_atomic(path, data)
    return True


def extract(project: Project) -> tuple[Path, int, bool]:
    """Write ``messages.pot``; return its path, the number of strings, and whether it changed."""
    catalog = extract_catalog(project)
    changed = write_if_changed(project.pot_path, po_bytes(catalog, sort_output=False))
    return project.pot_path, len(catalog), changed


@dataclass(frozen=True)
class Updated:
    locale: str
    path: Path
    changed: bool
    fuzzy: int
    new: int
    obsolete: int


def update(project: Project, locales: list[str] | None = None) -> list[Updated]:
    """Merge ``messages.pot`` into each catalogue: changed sources turn fuzzy, keeping the old msgid."""
    template = read_catalog(project.pot_path)
    results = []
    for code in locales or [c for c in project.locales if c != project.source_locale]:
        path = project.po_path(code)
        if not path.exists():
            raise LeafletsError(f"{path}: no catalogue for {code}; create it with `leaflets init {code}`")
        catalog = read_catalog(path)
        before = {(m.context, m.id) for m in catalog if m.id}
        # Babel's update forgets the previous msgid of an entry that was fuzzy already.
        remembered = {(m.context, m.id): m.previous_id for m in catalog if m.id and m.previous_id}
        catalog.update(
            template,
            no_fuzzy_matching=False,
            update_header_comment=False,
            keep_user_comments=True,
            update_creation_date=True,
        )
        for message in catalog:
            key = (message.context, message.id)
            if message.fuzzy and not message.previous_id and key in remembered:
                message.previous_id = remembered[key]
        data = po_bytes(catalog, include_previous=True, ignore_obsolete=False)
        changed = write_if_changed(path, data)
        results.append(
            Updated(
                code,
                path,
                changed,
                fuzzy=sum(1 for m in catalog if m.id and m.fuzzy),
                # New strings with nothing to start from; fuzzy matches are counted as fuzzy.
                new=sum(1 for m in catalog if m.id and (m.context, m.id) not in before and not m.fuzzy),
                obsolete=len(catalog.obsolete),
            )
        )
    return results


def init(project: Project, code: str) -> tuple[Path, bool]:
    """Create a catalogue for a new language from ``messages.pot``; register it in the settings.

    Returns the catalogue's path and whether ``leaflets.toml`` was changed to list the locale.
    """
    try:
        locale = babel.Locale.parse(code.replace("-", "_"))
    except (ValueError, babel.UnknownLocaleError) as exc:
        raise LeafletsError(f"{code!r} is not a language Babel knows ({exc})") from None
    path = project.po_path(code)
    if path.exists():
        raise LeafletsError(f"{path}: a catalogue exists already; use `leaflets update`")
    template = read_catalog(project.pot_path)
    catalog = Catalog(
        locale=locale,
        project=project.name,
        version=_version(project),
        copyright_holder=_plain_name(project),
        charset="utf-8",
        creation_date=template.creation_date,
        revision_date=now(),
        fuzzy=False,
    )
    catalog.language_team = locale.get_display_name("en")
    for message in template:
        if message.id:
            catalog.add(
                message.id,
                None,
                message.locations,
                auto_comments=message.auto_comments,
                context=message.context,
            )
    write_atomic(path, po_bytes(catalog))
    return path, register_locale(project, code)


def register_locale(project: Project, code: str) -> bool:
    """Add ``code`` to ``locales = [...]`` in ``leaflets.toml``; False when it is there already."""
    if code in project.locales:
        return False
    text = project.settings_path.read_text(encoding="utf-8")
    match = re.search(r"^locales\s*=\s*\[([^\]]*)\]", text, re.M)
    if not match:
        raise LeafletsError(
            f"{project.settings_path}: add {code!r} to the locales list to build it "
            f"(no `locales = [...]` line found in {SETTINGS_FILE})"
        )
    items = match[1].rstrip().rstrip(",")
    new = f'{items}, "{code}"' if items.strip() else f'"{code}"'
    write_atomic(project.settings_path, (text[: match.start(1)] + new + text[match.end(1) :]).encode("utf-8"))
    return True
