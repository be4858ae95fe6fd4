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
from .schema import EDITIONS, WEB_EDITIONS, Problem, key_lines, line_of, validate
from .schema import default as schema_default

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
            f"content ({sample}). Start a project with `leaflets new my-leaflets`, then run this "
            "command inside my-leaflets/ or with --project my-leaflets"
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
            clinic=entry.get("clinic", ""),
            languages=tuple(entry.get("languages", ())),
        )
        if entry.get("clinic") and entry["clinic"] not in data["clinics"]:
            known = ", ".join(sorted(data["clinics"])) or "none; add a [clinics.NAME] table"
            problem(
                f"{context}.clinic",
                f"leaflets.{slug}.clinic names an unknown clinic {entry['clinic']!r} (known: {known})",
            )
        for code in entry.get("languages", ()):
            if code not in locales:
                problem(
                    f"{context}.languages",
                    f"leaflets.{slug}.languages lists {code!r}, which is not in locales",
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
        # The semantic checks of [theme], [shelf] and [readability], after the schema's.
        exact = key_lines(text)
        line = next(
            (exact[f"{t}.{key}"] for t in ("theme", "shelf", "readability") if f"{t}.{key}" in exact),
            line_of(text, key),
        )
        return f"{path}:{line}" if line else str(path)

    clinic = _clinic(clinic_data)
    clinics = {name: _clinic(entry) for name, entry in data["clinics"].items()}
    theme = parse_theme(data.get("theme", {}), where)

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
        theme=theme,
        clinics=clinics,
    )


def _clinic(table: dict[str, Any]) -> Clinic:
    """A ``[clinic]`` or ``[clinics.NAME]`` table, as the schema let it through."""
    return Clinic(
        name=table["name"],
        doctor=table["doctor"],
        phone=table["phone"],
        country=table["country"],
        whatsapp=table.get("whatsapp", ""),
        emergency_number=table.get("emergency_number", ""),
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
    brand: str = schema_default("theme", "brand")
    #: Text on the brand colour (the masthead).
    brand_text: str = schema_default("theme", "brand_text")
    #: Rules and borders only, never text.
    accent: str = schema_default("theme", "accent")
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
    defaults = Theme()
    colours = {key: table.get(key, getattr(defaults, key)) for key in ("brand", "brand_text", "accent")}
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
    return Theme(logo=table.get("logo", ""), css=tuple(table.get("css", ())), **colours)


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
