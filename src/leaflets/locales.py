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

#: Font families by ISO 15924 script, the one place that says which families draw a language
#: (``LocaleInfo.fonts``; the faces themselves are in ``fonts.py``). Every stack ends with Sans
#: for Latin runs, digits and punctuation. CJK uses Debian's fonts-noto-cjk (see ``fonts.py``).
SCRIPT_FONTS: dict[str, tuple[str, ...]] = {
    "Arab": ("Leaflets Naskh", "Leaflets Sans"),
    "Hebr": ("Leaflets Hebrew", "Leaflets Sans"),
    "Armn": ("Leaflets Armenian", "Leaflets Sans"),
    "Geor": ("Leaflets Georgian", "Leaflets Sans"),
    "Deva": ("Leaflets Devanagari", "Leaflets Sans"),
    "Beng": ("Leaflets Bengali", "Leaflets Sans"),
    "Guru": ("Leaflets Gurmukhi", "Leaflets Sans"),
    "Gujr": ("Leaflets Gujarati", "Leaflets Sans"),
    "Taml": ("Leaflets Tamil", "Leaflets Sans"),
    "Telu": ("Leaflets Telugu", "Leaflets Sans"),
    "Sinh": ("Leaflets Sinhala", "Leaflets Sans"),
    "Thai": ("Leaflets Thai", "Leaflets Sans"),
    "Laoo": ("Leaflets Lao", "Leaflets Sans"),
    "Khmr": ("Leaflets Khmer", "Leaflets Sans"),
    "Mymr": ("Leaflets Myanmar", "Leaflets Sans"),
    "Ethi": ("Leaflets Ethiopic", "Leaflets Sans"),
    **{script: ("Leaflets Sans", "Leaflets CJK") for script in ("Hans", "Hant", "Hani", "Jpan", "Kore")},
}
#: Scripts set without spaces between words, broken at any character (CJK): never justified
#: letter-spaced, never italic.
CJK_SCRIPTS = frozenset({"Hans", "Hant", "Hani", "Jpan", "Kore"})
#: CLDR numbering systems a locale may default to: the CSS counter style (predefined in
#: WeasyPrint) and the Unicode name of their digits.
NUMBERING_SYSTEMS = {
    "arabext": ("persian", "EXTENDED ARABIC-INDIC"),
    "arab": ("arabic-indic", "ARABIC-INDIC"),
    "beng": ("bengali", "BENGALI"),
    "deva": ("devanagari", "DEVANAGARI"),
    "mymr": ("myanmar", "MYANMAR"),
    "thai": ("thai", "THAI"),
}
DIGIT_NAMES = "ZERO ONE TWO THREE FOUR FIVE SIX SEVEN EIGHT NINE".split()
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
    #: CLDR's default numbering system (``arabext`` for Persian, ``latn`` for most).
    numbering: str = "latn"

    @property
    def digits(self) -> str:
        """The ten digits the locale writes numbers with."""
        import unicodedata

        if self.numbering not in NUMBERING_SYSTEMS:
            return "0123456789"
        prefix = NUMBERING_SYSTEMS[self.numbering][1]
        return "".join(unicodedata.lookup(f"{prefix} DIGIT {name}") for name in DIGIT_NAMES)

    def localize_digits(self, text: str) -> str:
        """``text`` with Western digits written in the locale's digits (dates, phones)."""
        return text if self.numbering == "latn" else text.translate(str.maketrans("0123456789", self.digits))

    @property
    def counter_style(self) -> str:
        """CSS counter style for page numbers in the locale's digits."""
        return NUMBERING_SYSTEMS[self.numbering][0] if self.numbering in NUMBERING_SYSTEMS else "decimal"

    @property
    def cjk(self) -> bool:
        return self.script in CJK_SCRIPTS

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
        return self.localize_digits(format_date(date, format, locale=self.babel_locale))


def capitalized(name: str) -> str:
    """A language name with a capital first letter, where its script writes one.

    Georgian has no capitals in running text: Python's ``upper()`` turns its letters into
    Mtavruli, which a Georgian reader sees as a shouted heading letter.
    """
    first = name[:1]
    if not first or "\u10d0" <= first <= "\u10ff":
        return name
    return first.upper() + name[1:]


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
    native = capitalized(native)
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
        numbering="latn" if pseudo else loc.default_numbering_system,
    )
