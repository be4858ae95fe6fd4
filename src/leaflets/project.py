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
    #: The ``[clinics.NAME]`` whose contact details it shows; empty: the ``[clinic]`` table.
    clinic: str = ""
    #: The languages it is offered in; empty: every locale of the project.
    languages: tuple[str, ...] = ()


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
    theme: Theme = field(default_factory=lambda: Theme())
    #: Departments with their own contact details, ``[clinics.NAME]``.
    clinics: dict[str, Clinic] = field(default_factory=dict)

    def clinic_of(self, leaflet: Leaflet) -> Clinic:
        return self.clinics[leaflet.clinic] if leaflet.clinic else self.clinic

    def locales_of(self, leaflet: Leaflet) -> tuple[str, ...]:
        """The locales ``leaflet`` is offered in, in the project's order."""
        if not leaflet.languages:
            return self.locales
        return tuple(code for code in self.locales if code in leaflet.languages)

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def locales_dir(self) -> Path:
        return self.root / "locales"

    @property
    def pot_path(self) -> Path:
        return self.locales_dir / "messages.pot"

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
    clinic = _clinic(clinic_data, "clinic", need)

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
            clinic=str(entry.get("clinic", "")),
            languages=tuple(entry.get("languages", ())),
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

    theme = parse_theme(data.get("theme", {}), where)
    clinics = {
        name: _clinic(entry, f"clinics.{name}", need) for name, entry in data.get("clinics", {}).items()
    }
    for slug, leaflet in leaflets.items():
        if leaflet.clinic and leaflet.clinic not in clinics:
            known = ", ".join(sorted(clinics)) or "none; add a [clinics.NAME] table"
            raise ConfigError(
                f"{where('leaflets.' + slug)}: leaflets.{slug}.clinic names an unknown clinic "
                f"{leaflet.clinic!r} (known: {known})"
            )
        for code in leaflet.languages:
            if code not in locales:
                raise ConfigError(
                    f"{where('leaflets.' + slug)}: leaflets.{slug}.languages lists {code!r}, "
                    "which is not in locales"
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
        theme=theme,
        clinics=clinics,
    )


def _clinic(table: dict[str, Any], context: str, need: Any) -> Clinic:
    """A ``[clinic]`` or ``[clinics.NAME]`` table."""
    return Clinic(
        name=need(table, "name", (str, dict), context),
        doctor=need(table, "doctor", str, context),
        phone=need(table, "phone", str, context),
        country=need(table, "country", str, context),
        whatsapp=table.get("whatsapp", ""),
        emergency_number=str(table.get("emergency_number", "")),
        email=table.get("email", ""),
        website=table.get("website", ""),
        address=table.get("address", ""),
    )


# --- Theme settings ([theme] in leaflets.toml) -------------------------------------------------
#: The contrast WCAG 2.2 (1.4.3, level AA) asks of normal text against its background.
MIN_CONTRAST = 4.5
PAGE_COLOUR = "#ffffff"


@dataclass(frozen=True)
class Theme:
    """The theme's settings: brand colours, a logo, extra style sheets."""

    #: Masthead background and headings (on the white page).
    brand: str = "#0d4a6b"
    #: Text on the brand colour (the masthead).
    brand_text: str = "#ffffff"
    #: Rules and borders only, never text.
    accent: str = "#9cc3d6"
    #: An image in templates/, shown in the masthead of every edition.
    logo: str = ""
    #: Style sheets in templates/, loaded after the theme's.
    css: tuple[str, ...] = ()


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of ``#rrggbb`` (or ``#rgb``)."""
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    """WCAG 2 contrast ratio of two colours, from 1 to 21."""
    light, dark = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def parse_theme(table: dict[str, Any], where: Any) -> Theme:
    """Read ``[theme]``; refuse a colour that is not ``#rrggbb`` or a text pair under 4.5:1."""
    known = {"brand", "brand_text", "accent", "logo", "css"}
    for key in table:
        if key not in known:
            raise ConfigError(
                f"{where('theme')}: unknown setting theme.{key} (known: {', '.join(sorted(known))})"
            )
    defaults = Theme()
    colours = {}
    for key in ("brand", "brand_text", "accent"):
        value = table.get(key, getattr(defaults, key))
        if not isinstance(value, str) or not re.fullmatch(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})", value):
            raise ConfigError(f"{where(key)}: theme.{key} must be a colour written #rrggbb, not {value!r}")
        colours[key] = value
    for first, second, what in (
        ("brand", "brand_text", "text in the masthead"),
        ("brand", None, "headings on the white page"),
    ):
        other = colours[second] if second else PAGE_COLOUR
        ratio = contrast(colours[first], other)
        if ratio < MIN_CONTRAST:
            names = f"theme.{first} ({colours[first]}) and " + (
                f"theme.{second} ({other})" if second else f"the white page ({other})"
            )
            named = second if second and second in table else first
            raise ConfigError(
                f"{where(named)}: {names} have a contrast of {ratio:.2f}:1 for {what}; "
                f"patients need at least {MIN_CONTRAST}:1 (WCAG 1.4.3)"
            )
    logo = table.get("logo", "")
    css = table.get("css", [])
    if not isinstance(logo, str) or not isinstance(css, list):
        raise ConfigError(f"{where('theme')}: theme.logo is a file name and theme.css a list of them")
    return Theme(logo=logo, css=tuple(css), **colours)


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
