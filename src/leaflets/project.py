"""The content project: ``leaflets.toml`` and the folders it sits beside.

A project is any folder holding ``leaflets.toml``, ``templates/`` and ``locales/``, the way a
Sphinx project is a folder holding ``conf.py``. This repository's own content is the default.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError, LeafletsError, NotAProjectError, SettingsError, UnknownNameError
from .schema import EDITIONS, WEB_EDITIONS, Problem, line_of, validate

SETTINGS_FILE = "leaflets.toml"
__all__ = ["EDITIONS", "WEB_EDITIONS", "Project", "find_project", "load_project"]

#: A value that may be given once, or per locale: ``"Clinic"`` or ``{en = "Clinic", tr = "Klinik"}``.
Localized = str | dict[str, str]


def localized(value: Localized | None, locale: str, source_locale: str) -> str:
    """Pick the text of a localized setting for ``locale``, falling back to the source locale."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    for code in (locale, locale.split("-")[0].split("_")[0], source_locale):
        if code in value:
            return value[code]
    return next(iter(value.values()), "")


@dataclass(frozen=True)
class Clinic:
    name: Localized
    doctor: str
    phone: str
    country: str
    whatsapp: str = ""
    emergency_number: str = ""
    email: str = ""
    website: str = ""
    address: Localized = ""


@dataclass(frozen=True)
class Leaflet:
    slug: str
    template: str
    version: str
    published: dt.date
    next_review: dt.date
    sources: tuple[str, ...]
    #: Maximum pages per edition, e.g. ``{"standard": 4}``; missing means no budget.
    page_budget: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Language:
    """Per-locale settings: an optional paper override."""

    code: str
    paper: str = ""
    #: Font families to draw this language with before its script's own (``fonts = [...]``):
    #: names of the project's fonts/ families or the tool's, e.g. Nastaliq for Urdu.
    fonts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Readability:
    """``[readability]``: the reading age the leaflets aim at, and words a reader may be expected to know."""

    #: UK reading age; ``leaflets check`` warns when a leaflet's English text is harder.
    reading_age: float = 11
    #: Words added to the plain-language list (say, terms every leaflet explains).
    plain_words: tuple[str, ...] = ()


@dataclass(frozen=True)
class ShelfSettings:
    """``[shelf]`` in leaflets.toml: the staff's shelf page (``out/index.html``)."""

    #: Where the output folder is published (``https://clinic.example/leaflets/``); with it each
    #: document gets a QR code a patient scans to open it on a phone. Empty: no QR codes.
    base_url: str = ""
    #: The language of the page's own words (labels, statuses): one the tool has catalogues for.
    staff_language: str = "en"


@dataclass(frozen=True)
class Project:
    root: Path
    settings_path: Path
    name: str
    source_locale: str
    locales: tuple[str, ...]
    leaflets: dict[str, Leaflet]
    clinic: Clinic
    languages: dict[str, Language]
    editions: tuple[str, ...] = ("standard",)
    paper: str = ""
    print_shop: bool = False
    readability: Readability = Readability()
    shelf: ShelfSettings = field(default_factory=ShelfSettings)

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def locales_dir(self) -> Path:
        return self.root / "locales"

    @property
    def pot_path(self) -> Path:
        return self.locales_dir / "messages.pot"

    @property
    def mapping_path(self) -> Path:
        return self.locales_dir / "babel.cfg"

    def po_path(self, locale: str) -> Path:
        return self.locales_dir / locale.replace("-", "_") / "LC_MESSAGES" / "messages.po"

    def language(self, locale: str) -> Language:
        return self.languages.get(locale) or Language(locale)

    def leaflet(self, slug: str) -> Leaflet:
        try:
            return self.leaflets[slug]
        except KeyError:
            raise UnknownNameError("leaflet", slug, sorted(self.leaflets)) from None

    def check_locale(self, locale: str) -> str:
        from .locales import PSEUDO_LOCALES

        if locale in self.locales or locale in PSEUDO_LOCALES:
            return locale
        raise UnknownNameError("locale", locale, [*self.locales, *PSEUDO_LOCALES])


def find_project(start: Path | None = None) -> Path:
    """Return the folder of the nearest ``leaflets.toml`` from ``start`` upward, else the default."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / SETTINGS_FILE).is_file():
            return folder
    return default_project_root()


def nearest_project(start: Path | None = None) -> Path | None:
    """The folder of the nearest ``leaflets.toml`` from ``start`` upward, or None."""
    here = (start or Path.cwd()).resolve()
    return next((f for f in (here, *here.parents) if (f / SETTINGS_FILE).is_file()), None)


def writable_root(chosen: Path | None) -> Path:
    """The project a writing command may change: never the sample content inside the tool.

    ``chosen`` is the ``--project`` folder, if one was given.
    """
    root = Path(chosen).resolve() if chosen else nearest_project()
    package = Path(__file__).resolve().parent
    if root is None or root.is_relative_to(package):
        sample = default_project_root()
        raise NotAProjectError(
            f"no {SETTINGS_FILE} here or above, and the tool will not write into its own sample "
            f"content ({sample}). Start a project: copy the sample (cp -r {sample}/{SETTINGS_FILE} "
            f"{sample}/templates {sample}/locales my-leaflets/), then run this command inside "
            "my-leaflets/ or with --project my-leaflets"
        )
    return root


def default_project_root() -> Path:
    """The embedded sample content: in the wheel, or the repository of an editable install."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "default_project", package.parent.parent):
        if (candidate / SETTINGS_FILE).is_file():
            return candidate
    raise ConfigError(f"no {SETTINGS_FILE} found here or above, and no default project is installed")


def load_project(root: Path | str) -> Project:
    """Read and validate ``leaflets.toml`` in ``root``."""
    root = Path(root).resolve()
    path = root / SETTINGS_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file (a project folder holds {SETTINGS_FILE})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        line = f":{match[1]}" if match else ""
        raise ConfigError(f"{path}{line}: {exc}") from None
    return _parse(root, path, text, data)


def _refuse_legacy_signoff(
    entry: dict[str, Any], keys: tuple[str, str], where: str, approve: str = "", review: str = ""
) -> None:
    """The names and dates that once stood for sign-off: say how to record it now."""
    found = [key for key in keys if key in entry]
    if not found:
        return
    name = entry.get(keys[0], "NAME")
    date = entry.get(keys[1])
    on = f" --on {date.isoformat()}" if isinstance(date, dt.date) else ""
    command = f"leaflets approve {approve}" if approve else f"leaflets review {review}"
    raise ConfigError(
        f"{where}: {' and '.join(found)} no longer record sign-off: a name and a date cannot show what "
        f"was signed. Remove them and run `{command} --by {name!r}{on}`, which records a fingerprint "
        "of the content in signoff.toml (commit that file)"
    )


def _readability(table: Any, where: Any) -> Readability:
    if not isinstance(table, dict):
        raise ConfigError(f"{where('readability')}: [readability] must be a table")
    age = table.get("reading_age", Readability.reading_age)
    if isinstance(age, bool) or not isinstance(age, int | float) or not 5 <= age <= 25:
        raise ConfigError(f"{where('reading_age')}: reading_age must be a number of years from 5 to 25")
    words = table.get("plain_words", [])
    if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
        raise ConfigError(f"{where('plain_words')}: plain_words must be a list of words")
    return Readability(reading_age=age, plain_words=tuple(w.strip() for w in words))


def _parse(root: Path, path: Path, text: str, data: dict[str, Any]) -> Project:
    """Build the project from ``data``; every problem of the file is reported at once."""
    from .locales import locale_info

    data, problems = validate(data, text)

    def problem(key: str, message: str) -> None:
        problems.append(Problem(line_of(text, key), message))

    def legacy(entry: dict[str, Any], keys: tuple[str, str], context: str, **command: str) -> None:
        try:
            _refuse_legacy_signoff(entry, keys, "", **command)
        except ConfigError as exc:
            problems.append(Problem(line_of(text, f"{context}.{keys[0]}"), str(exc).removeprefix(": ")))

    source = data.get("source_locale", "en")
    locales = tuple(data.get("locales", [source]))
    if source not in locales:
        locales = (source, *locales)
    for code in locales:
        try:
            locale_info(code)
        except LeafletsError as exc:
            # Every leaflet lists every language: one unknown code would fail them all.
            problem("locales" if code != source else "source_locale", str(exc))

    clinic_data = data.get("clinic", {})
    leaflets: dict[str, Leaflet] = {}
    for slug, entry in data["leaflets"].items():
        context = f"leaflets.{slug}"
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug):
            problem(context, f"leaflet names use a-z, 0-9 and '-': {slug!r}")
        published, next_review = entry.get("published"), entry.get("next_review")
        if published and next_review and next_review <= published:
            problem(f"{context}.next_review", f"[{context}] next_review must come after published")
        legacy(entry, ("approved_by", "approved_on"), context, approve=slug)
        if not {"version", "published", "next_review", "sources"} <= entry.keys():
            continue  # already reported
        leaflets[slug] = Leaflet(
            slug=slug,
            template=entry.get("template", f"{slug}.html"),
            version=entry["version"],
            published=entry["published"],
            next_review=entry["next_review"],
            sources=tuple(entry["sources"]),
            page_budget=dict(entry.get("page_budget", {})),
        )
    if not data["leaflets"]:
        problems.append(Problem(None, "no leaflets declared (add a [leaflets.NAME] table)"))

    languages = {}
    for code, entry in data["languages"].items():
        if code not in locales:
            problem(f"languages.{code}", f"[languages.{code}] is not in locales")
        legacy(entry, ("reviewed_by", "reviewed_on"), f"languages.{code}", review=code)
        languages[code] = Language(
            code=code, paper=entry.get("paper", ""), fonts=tuple(entry.get("fonts", ()))
        )

    if problems:
        raise SettingsError(path, [(p.line, p.message) for p in problems])

    def where(key: str) -> str:
        # The semantic checks of [shelf] and [readability], after the schema's.
        line = line_of(text, key) or line_of(text, f"shelf.{key}") or line_of(text, f"readability.{key}")
        return f"{path}:{line}" if line else str(path)

    clinic = Clinic(
        name=clinic_data["name"],
        doctor=clinic_data["doctor"],
        phone=clinic_data["phone"],
        country=clinic_data["country"],
        whatsapp=clinic_data.get("whatsapp", ""),
        emergency_number=clinic_data.get("emergency_number", ""),
        email=clinic_data.get("email", ""),
        website=clinic_data.get("website", ""),
        address=clinic_data.get("address", ""),
    )
    return Project(
        readability=_readability(data.get("readability", {}), where),
        shelf=_parse_shelf(data.get("shelf", {}), where),
        root=root,
        settings_path=path,
        name=str(data.get("name", root.name)),
        source_locale=source,
        locales=locales,
        leaflets=leaflets,
        clinic=clinic,
        languages=languages,
        editions=tuple(data.get("editions", ["standard"])),
        paper=data.get("paper", ""),
        print_shop=bool(data.get("print_shop", False)),
    )


def _parse_shelf(table: Any, where: Any) -> ShelfSettings:
    """``[shelf] base_url = "https://..."``, ``staff_language = "tr"``."""
    from urllib.parse import urlsplit

    from .i18n import staff_languages

    if not isinstance(table, dict):
        raise ConfigError(f"{where('shelf')}: shelf must be a table ([shelf])")
    unknown = sorted(set(table) - {"base_url", "staff_language"})
    if unknown:
        raise ConfigError(
            f"{where(unknown[0])}: unknown setting shelf.{unknown[0]}; known: base_url, staff_language"
        )
    base_url = table.get("base_url", "")
    if not isinstance(base_url, str):
        raise ConfigError(f"{where('base_url')}: shelf.base_url must be a string")
    if base_url:
        parts = urlsplit(base_url)
        if parts.scheme not in ("https", "http") or not parts.netloc or parts.query or parts.fragment:
            raise ConfigError(
                f"{where('base_url')}: shelf.base_url must be an http(s) address of a folder, "
                f"like https://clinic.example/leaflets/ (got {base_url!r})"
            )
        if not base_url.endswith("/"):
            base_url += "/"
    staff = table.get("staff_language", "en")
    known = staff_languages()
    if not isinstance(staff, str) or staff not in known:
        raise ConfigError(
            f"{where('staff_language')}: shelf.staff_language {staff!r} is not a language the tool "
            f"speaks; known: {', '.join(known)}"
        )
    return ShelfSettings(base_url=base_url, staff_language=staff)
