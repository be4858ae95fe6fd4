"""The translator's tools over catalogues: extract, update and init, as pybabel does them.

Files stay what Poedit, Weblate, ``msgfmt -c`` and pybabel expect: ``messages.pot`` extracted
with the tool's ``babel.cfg`` (which ``pybabel extract -F`` reads too), and
``locales/LANG/LC_MESSAGES/messages.po`` per language.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

import babel
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

from .catalogs import BOM, read_catalog
from .confine import inside
from .errors import LeafletsError
from .output import write_atomic
from .pofile import line_ending, po_bytes
from .project import SETTINGS_FILE, Project

COMMENT_TAGS = ("Translators:",)
#: The extraction mapping: the tool's, never the project's, so it matches the renderer.
MAPPING = Path(__file__).resolve().parent / "babel.cfg"


def now() -> dt.datetime:
    """The current time, or ``SOURCE_DATE_EPOCH`` when set, for reproducible headers."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def extract_catalog(project: Project) -> Catalog:
    """Every translatable string of the templates, with references and translator comments."""
    with MAPPING.open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle, str(MAPPING))
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
        line = getattr(exc, "lineno", None)
        name = getattr(exc, "filename", None) or current[0]
        raise LeafletsError(f"{name}:{line or ''}: cannot extract: {getattr(exc, 'message', exc)}") from None
    _add_tool_strings(catalog)
    return catalog


def _add_tool_strings(catalog: Catalog) -> None:
    """The strings the tool itself adds to documents (the DRAFT stamp and notice), so that a
    project's translators translate them with the rest."""
    from .draft import STRINGS

    for msgid in STRINGS:
        catalog.add(
            msgid,
            None,
            [("leaflets/draft.py", None)],  # type: ignore[list-item]  # a file, no line
            auto_comments=["Added by the leaflets tool to every document that is not ready for patients."],
        )


def _version(project: Project) -> str:
    return max((leaflet.version for leaflet in project.leaflets.values()), default="1")


def _plain_name(project: Project) -> str:
    name = project.clinic.name
    return name if isinstance(name, str) else name.get(project.source_locale, next(iter(name.values())))


def _without_dates(data: bytes) -> bytes:
    return re.sub(rb'"(POT-Creation-Date|PO-Revision-Date): [^"]*\\n"\n', b"", data)


def _current(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def is_current(path: Path, data: bytes) -> bool:
    """The file holds ``data`` already, but perhaps for the dates in its header."""
    existing = _current(path)
    return existing is not None and _without_dates(existing) == _without_dates(data)


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write ``data`` unless only the dates in its header differ from what is there."""
    if is_current(path, data):
        return False
    write_atomic(path, data)
    return True


def _newline(path: Path) -> str:
    existing = _current(path)
    return line_ending(existing) if existing else "\n"


def extract(project: Project, dry_run: bool = False) -> tuple[Path, int, bool]:
    """Write ``messages.pot``; return its path, the number of strings, and whether it changed.

    With ``dry_run``, nothing is written: ``changed`` says whether the file is out of date.
    """
    catalog = extract_catalog(project)
    data = po_bytes(catalog, _newline(project.pot_path), obsolete=False)
    if dry_run:
        return project.pot_path, len(catalog), not is_current(project.pot_path, data)
    return project.pot_path, len(catalog), write_if_changed(project.pot_path, data)


@dataclass(frozen=True)
class Updated:
    locale: str
    path: Path
    changed: bool
    fuzzy: int
    new: int
    obsolete: int


def update(project: Project, locales: list[str] | None = None, dry_run: bool = False) -> list[Updated]:
    """Merge ``messages.pot`` into each catalogue: changed sources turn fuzzy, keeping the old msgid.

    With ``dry_run``, nothing is written: ``changed`` says which catalogues are out of date, against
    the strings the templates hold now (not an older ``messages.pot``).
    """
    template = extract_catalog(project) if dry_run else read_catalog(project.pot_path)
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
        existing = path.read_bytes()
        data = po_bytes(catalog, line_ending(existing))
        changed = existing.startswith(BOM) or not is_current(path, data)
        if changed and not dry_run:
            write_atomic(path, data)
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
    catalog.language_team = locale.get_display_name("en") or code
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
