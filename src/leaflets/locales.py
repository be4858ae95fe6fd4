"""What a locale means for layout: direction, script, fonts, native name, paper, dates."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path

import babel
import pyphen
from babel.core import get_global
from babel.dates import format_date

from .errors import LeafletsError

ASSETS_DIR = Path(__file__).resolve().parent / "assets"
FONTS_DIR = ASSETS_DIR / "fonts"

#: Bundled faces by CSS family; each family has a regular and a bold file.
FONT_FAMILIES: dict[str, dict[int, str]] = {
    "Leaflets Sans": {400: "NotoSans-Regular.ttf", 700: "NotoSans-Bold.ttf"},
    "Leaflets Naskh": {400: "NotoNaskhArabic-Regular.ttf", 700: "NotoNaskhArabic-Bold.ttf"},
}
#: Family stacks by ISO 15924 script; every other script falls back to the Sans stack.
SCRIPT_FONTS: dict[str, tuple[str, ...]] = {
    "Arab": ("Leaflets Naskh", "Leaflets Sans"),
}
DEFAULT_FONTS = ("Leaflets Sans",)

#: CLDR's paperSize data: the territories where US Letter is the norm.
LETTER_TERRITORIES = frozenset("BZ CA CL CO CR GT MX NI PA PH PR SV US VE".split())
PAPER_SIZES = {"a4": "A4", "letter": "letter", "a5": "A5"}

#: Pseudo-locales made on the fly from the source text (see ``pseudo.py``).
PSEUDO_LOCALES = ("en-XA",)


@dataclass(frozen=True)
class LocaleInfo:
    """Layout facts about one locale, derived from Babel's CLDR data."""

    code: str
    babel_locale: babel.Locale
    direction: str
    script: str
    territory: str
    native_name: str
    english_name: str
    fonts: tuple[str, ...]
    hyphenate: bool
    pseudo: bool = False

    @property
    def lang(self) -> str:
        """BCP 47 tag for ``<html lang>`` and the PDF's ``/Lang``."""
        return self.code.replace("_", "-")

    @property
    def rtl(self) -> bool:
        return self.direction == "rtl"

    def paper(self, override: str = "") -> str:
        """Paper size for ``@page``: the override, else Letter where that is the norm, else A4."""
        if override:
            try:
                return PAPER_SIZES[override.lower()]
            except KeyError:
                known = ", ".join(PAPER_SIZES.values())
                raise LeafletsError(f"unknown paper size {override!r}; known: {known}") from None
        return "letter" if self.territory in LETTER_TERRITORIES else "A4"

    def format_date(self, date: dt.date, format: str = "long") -> str:
        return format_date(date, format, locale=self.babel_locale)


@functools.cache
def locale_info(code: str) -> LocaleInfo:
    """Return layout facts for ``code`` (``tr``, ``pt_BR``, ``en-XA``...)."""
    pseudo = code in PSEUDO_LOCALES
    tag = "en" if pseudo else code.replace("-", "_")
    try:
        loc = babel.Locale.parse(tag)
    except (ValueError, babel.UnknownLocaleError) as exc:
        raise LeafletsError(f"{code!r} is not a locale Babel knows: {exc}") from None
    likely = get_global("likely_subtags").get(loc.language, "")
    parts = likely.split("_")
    script = loc.script or (parts[1] if len(parts) > 2 else "Latn")
    native = loc.get_display_name(loc) or code
    native = native[:1].upper() + native[1:]
    return LocaleInfo(
        code=code,
        babel_locale=loc,
        direction="rtl" if loc.character_order == "right-to-left" else "ltr",
        script=script,
        territory="" if pseudo else (loc.territory or ""),
        native_name="English (pseudo-translation)" if pseudo else native,
        english_name=(loc.get_display_name("en") or code) if not pseudo else "Pseudo-English",
        fonts=SCRIPT_FONTS.get(script, DEFAULT_FONTS),
        hyphenate=tag in pyphen.LANGUAGES or loc.language in pyphen.LANGUAGES,
        pseudo=pseudo,
    )


@functools.cache
def _cmap(filename: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(FONTS_DIR / filename, lazy=True) as font:
        return frozenset(font.getBestCmap())


def covered(char: str, families: tuple[str, ...]) -> bool:
    """Whether a bundled regular face of ``families`` has a glyph for ``char``."""
    if char.isspace() or _ignorable(char):
        return True
    point = ord(char)
    return any(point in _cmap(FONT_FAMILIES[family][400]) for family in families)


def _ignorable(char: str) -> bool:
    # Bidi controls and joiners are format characters that shapers consume, not glyphs.
    import unicodedata

    return unicodedata.category(char) == "Cf"
