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

from .errors import ConfigError, LeafletsError, UnknownNameError

SETTINGS_FILE = "leaflets.toml"
#: Every edition, in the order the shelf lists them.
EDITIONS = ("standard", "large-print", "bilingual", "html")
#: Editions that are a web page (``webpage.py``) rather than a PDF.
WEB_EDITIONS = ("html",)

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
    def where(key: str) -> str:
        # tomllib forgets positions; find the key's line for the message.
        for number, line in enumerate(text.splitlines(), 1):
            if re.match(rf"\s*\[?\s*{re.escape(key)}\b", line):
                return f"{path}:{number}"
        return str(path)

    def need(table: dict[str, Any], key: str, kind: type | tuple[type, ...], context: str) -> Any:
        if key not in table:
            raise ConfigError(f"{where(context)}: [{context}] needs {key!r}")
        value = table[key]
        if not isinstance(value, kind):
            raise ConfigError(f"{where(key)}: {context}.{key} has the wrong type ({type(value).__name__})")
        return value

    source = data.get("source_locale", "en")
    locales = tuple(data.get("locales", [source]))
    if source not in locales:
        locales = (source, *locales)
    from .locales import locale_info

    for code in locales:
        try:
            locale_info(code)
        except LeafletsError as exc:
            # Every leaflet lists every language: one unknown code would fail them all.
            raise ConfigError(f"{where('locales')}: {exc}") from None

    clinic_data = need(data, "clinic", dict, "clinic") if "clinic" in data else None
    if clinic_data is None:
        raise ConfigError(f"{path}: a [clinic] table is required (name, doctor, phone, country)")
    clinic = Clinic(
        name=need(clinic_data, "name", (str, dict), "clinic"),
        doctor=need(clinic_data, "doctor", str, "clinic"),
        phone=need(clinic_data, "phone", str, "clinic"),
        country=need(clinic_data, "country", str, "clinic"),
        whatsapp=clinic_data.get("whatsapp", ""),
        emergency_number=str(clinic_data.get("emergency_number", "")),
        email=clinic_data.get("email", ""),
        website=clinic_data.get("website", ""),
        address=clinic_data.get("address", ""),
    )

    leaflets: dict[str, Leaflet] = {}
    for slug, entry in data.get("leaflets", {}).items():
        context = f"leaflets.{slug}"
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug):
            raise ConfigError(f"{where(context)}: leaflet names use a-z, 0-9 and '-': {slug!r}")
        published = need(entry, "published", dt.date, context)
        next_review = need(entry, "next_review", dt.date, context)
        if next_review <= published:
            raise ConfigError(f"{where(context)}: next_review must come after published")
        _refuse_legacy_signoff(entry, ("approved_by", "approved_on"), where(context), approve=slug)
        leaflets[slug] = Leaflet(
            slug=slug,
            template=entry.get("template", f"{slug}.html"),
            version=str(need(entry, "version", (str, int, float), context)),
            published=published,
            next_review=next_review,
            sources=tuple(need(entry, "sources", list, context)),
            page_budget=dict(entry.get("page_budget", {})),
        )
    if not leaflets:
        raise ConfigError(f"{path}: no leaflets declared (add a [leaflets.NAME] table)")

    languages = {}
    for code, entry in data.get("languages", {}).items():
        if code not in locales:
            raise ConfigError(f"{where('languages.' + code)}: [languages.{code}] is not in locales")
        _refuse_legacy_signoff(entry, ("reviewed_by", "reviewed_on"), where("languages." + code), review=code)
        fonts = entry.get("fonts", [])
        if not isinstance(fonts, list) or not all(isinstance(name, str) for name in fonts):
            raise ConfigError(f"{where('languages.' + code)}: fonts must be a list of font family names")
        languages[code] = Language(code=code, paper=entry.get("paper", ""), fonts=tuple(fonts))

    editions = tuple(data.get("editions", ["standard"]))
    for edition in editions:
        if edition not in EDITIONS:
            raise ConfigError(
                f"{where('editions')}: unknown edition {edition!r}; known: {', '.join(EDITIONS)}"
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
        editions=editions,
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
