"""Which font draws which character: the tool's bundled faces, fonts the tool finds at a known
system path (CJK), and a project's own ``fonts/`` folder.

Every document gets ``@font-face`` rules only for the families it needs: its language's families
(``locales.SCRIPT_FONTS``), Leaflets Sans, and for any other character (another language's name,
a symbol) the first family that has it. A character no family has fails only the documents that
use it, naming the character and what to install.

Size rule (large print and every edition): a script whose letters are shorter than Latin's is
drawn larger so that it reads as large as the Latin text beside it. For each bundled script the
median ink height (baseline to top) of a few letters without ascenders or descenders is measured
from the font and compared with Noto Sans's x-height letters; a script measuring less is scaled
by the ratio, at most :data:`MAX_SCALE`. Measured with the bundled Noto fonts, only Arabic script
is smaller (0.38 em against 0.55 em), so Arabic, Persian, Urdu, Pashto and Sorani are drawn 1.25
times larger; every other bundled script measures at least Latin's x-height. The scale is applied
to the font itself (its units per em), so a clinic's style sheet keeps its point sizes.
"""

from __future__ import annotations

import hashlib
import logging
import statistics
import struct
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from .locales import FONTS_DIR

LOG = logging.getLogger(__name__)

#: Where a project keeps fonts of its own (any ``.ttf``, ``.otf`` or ``.ttc``).
PROJECT_FONTS = "fonts"
FONT_SUFFIXES = (".ttf", ".otf", ".ttc")
#: The largest size adjustment: beyond it Arabic's tall letters crowd the line above.
MAX_SCALE = 1.25
#: Letters without ascenders or descenders, per script: their median ink height is the
#: script's "x-height" for the size rule.
X_LETTERS: dict[str, str] = {
    "Latn": "xvwzacemnorsu",
    "Arab": "\u0633\u0635\u0637\u0645\u0647\u0648\u0641\u0642",
}


@dataclass(frozen=True)
class Family:
    """One CSS font family: a regular and (usually) a bold face."""

    name: str
    faces: tuple[tuple[int, Path], ...]
    origin: str  # "tool", "system" or "project"
    scripts: tuple[str, ...] = ()

    @property
    def regular(self) -> Path:
        return min(self.faces, key=lambda face: abs(face[0] - 400))[1]


def _tool(name: str, stem: str, *scripts: str, bold: bool = True) -> Family:
    faces = [(400, FONTS_DIR / f"{stem}-Regular.ttf")]
    if bold:
        faces.append((700, FONTS_DIR / f"{stem}-Bold.ttf"))
    return Family(name, tuple(faces), "tool", scripts)


#: The tool's own families (Noto, SIL Open Font License), in the order that fills gaps.
TOOL_FAMILIES: tuple[Family, ...] = (
    _tool("Leaflets Sans", "NotoSans", "Latn", "Grek", "Cyrl"),
    _tool("Leaflets Naskh", "NotoNaskhArabic", "Arab"),
    _tool("Leaflets Hebrew", "NotoSansHebrew", "Hebr"),
    _tool("Leaflets Armenian", "NotoSansArmenian", "Armn"),
    _tool("Leaflets Georgian", "NotoSansGeorgian", "Geor"),
    _tool("Leaflets Devanagari", "NotoSansDevanagari", "Deva"),
    _tool("Leaflets Bengali", "NotoSansBengali", "Beng"),
    _tool("Leaflets Gurmukhi", "NotoSansGurmukhi", "Guru"),
    _tool("Leaflets Gujarati", "NotoSansGujarati", "Gujr"),
    _tool("Leaflets Tamil", "NotoSansTamil", "Taml"),
    _tool("Leaflets Telugu", "NotoSansTelugu", "Telu"),
    _tool("Leaflets Sinhala", "NotoSansSinhala", "Sinh"),
    _tool("Leaflets Thai", "NotoSansThai", "Thai"),
    _tool("Leaflets Lao", "NotoSansLao", "Laoo"),
    _tool("Leaflets Khmer", "NotoSansKhmer", "Khmr"),
    _tool("Leaflets Myanmar", "NotoSansMyanmar", "Mymr"),
    _tool("Leaflets Ethiopic", "NotoSansEthiopic", "Ethi"),
    # Check marks, arrows and other symbols; regular only (bold is synthesised).
    _tool("Leaflets Symbols", "NotoSansSymbols2", "Zsym", bold=False),
)

#: Debian's fonts-noto-cjk, found by explicit path (56 MB: not bundled). Each .ttc's faces
#: carry the Simplified, Traditional, Japanese and Korean forms; the document's ``lang``
#: selects them (OpenType ``locl``).
CJK_DIR = Path("/usr/share/fonts/opentype/noto")
CJK_SCRIPTS = ("Hani", "Hans", "Hant", "Jpan", "Kore", "Hira", "Kana", "Hang", "Bopo")
SYSTEM_FAMILIES: tuple[Family, ...] = (
    Family(
        "Leaflets CJK",
        ((400, CJK_DIR / "NotoSansCJK-Regular.ttc"), (700, CJK_DIR / "NotoSansCJK-Bold.ttc")),
        "system",
        CJK_SCRIPTS,
    ),
)
CJK_REMEDY = "install Debian's fonts-noto-cjk (apt-get install fonts-noto-cjk)"


def remedy(char: str) -> str:
    """What to install so that ``char`` can be drawn."""
    script = script_of(char)
    where = f"or put a font that has it into the project's {PROJECT_FONTS}/ folder"
    if script in CJK_SCRIPTS:
        return f"{CJK_REMEDY}, {where}"
    return f"put a font that has it (a Noto font for its script) into the project's {PROJECT_FONTS}/ folder"


def script_of(char: str) -> str:
    from fontTools import unicodedata as fu

    return fu.script(char)


@cache
def cmap(path: Path, mtime_ns: int = 0) -> frozenset[int]:
    """The code points a font file maps (the first face of a collection)."""
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True, fontNumber=0) as font:
        return frozenset(font.getBestCmap() or {})


def _cmap_of(path: Path) -> frozenset[int]:
    return cmap(path, path.stat().st_mtime_ns)


@cache
def file_sha256(path: Path, mtime_ns: int = 0) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _ink_height(path: Path, letters: str) -> float:
    from fontTools.pens.boundsPen import BoundsPen
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as font:
        glyphs, best, upem = font.getGlyphSet(), font.getBestCmap(), font["head"].unitsPerEm
        heights = []
        for letter in letters:
            pen = BoundsPen(glyphs)
            glyphs[best[ord(letter)]].draw(pen)
            if pen.bounds:
                heights.append(pen.bounds[3] - max(pen.bounds[1], 0))
    return statistics.median(heights) / upem


@cache
def scale(family_name: str) -> float:
    """How much larger the tool draws a family so that it reads as large as Latin (size rule)."""
    family = next((f for f in TOOL_FAMILIES if f.name == family_name), None)
    if family is None:
        return 1.0
    letters = next((X_LETTERS[s] for s in family.scripts if s in X_LETTERS), None)
    if letters is None or "Latn" in family.scripts:
        return 1.0
    latin = _ink_height(TOOL_FAMILIES[0].regular, X_LETTERS["Latn"])
    ratio = latin / _ink_height(family.regular, letters)
    return round(min(max(ratio, 1.0), MAX_SCALE), 2)


#: Line height the sample style sets for Latin, and the most the tool asks for any script.
BASE_LINE_HEIGHT, MAX_LINE_HEIGHT = 1.4, 2.0


@cache
def line_height(family_name: str) -> float | None:
    """A minimum line height for a script whose letters reach further above and below the
    baseline than Latin's (Myanmar's and Thai's stacked marks, Arabic's): the Latin line height
    times the ratio of the fonts' ascent + descent as designed, at most 2. None where the
    script fits Latin's lines. (Measured after the size rule, Arabic would need 2.2: its
    leaflets would outgrow their four-page budget for room that only rare stacked marks use.)"""
    from fontTools.ttLib import TTFont

    family = next((f for f in TOOL_FAMILIES if f.name == family_name), None)
    if family is None or "Latn" in family.scripts:
        return None

    def extent(path: Path) -> float:
        with TTFont(path, lazy=True) as font:
            return (font["hhea"].ascent - font["hhea"].descent) / font["head"].unitsPerEm

    ratio = extent(family.regular) / extent(TOOL_FAMILIES[0].regular)
    if ratio <= 1.05:
        return None
    return round(min(BASE_LINE_HEIGHT * ratio, MAX_LINE_HEIGHT), 2)


def scaled_font(path: Path, factor: float) -> bytes:
    """The font file with fewer units per em, so every glyph is ``factor`` times larger."""
    data = bytearray(path.read_bytes())
    (tables,) = struct.unpack(">H", data[4:6])
    for index in range(tables):
        record = 12 + 16 * index
        if data[record : record + 4] == b"head":
            (offset,) = struct.unpack(">I", data[record + 8 : record + 12])
            (upem,) = struct.unpack(">H", data[offset + 18 : offset + 20])
            data[offset + 18 : offset + 20] = struct.pack(">H", round(upem / factor))
            return bytes(data)
    return bytes(data)


@cache
def _own_range(path: Path) -> str:
    """CSS ``unicode-range`` of a non-Latin font's own characters (beyond the Latin, Greek and
    Cyrillic blocks and general punctuation), with the joiners and direction marks it shapes and
    the spaces between its words (so that a line of the script stays one run of one font)."""
    own = {p for p in cmap(path) if p >= 0x0590 and not 0x2000 <= p <= 0x206F}
    points = sorted(own | set(range(0x200C, 0x2010)) | {0x20, 0xA0})
    ranges: list[list[int]] = []
    for point in points:
        if ranges and point == ranges[-1][1] + 1:
            ranges[-1][1] = point
        else:
            ranges.append([point, point])
    return ", ".join(f"U+{a:X}" if a == b else f"U+{a:X}-{b:X}" for a, b in ranges)


def _project_family(path: Path) -> tuple[str, int, bool] | None:
    from fontTools.ttLib import TTFont, TTLibError

    try:
        with TTFont(path, lazy=True, fontNumber=0) as font:
            names = font["name"]
            family = names.getDebugName(16) or names.getDebugName(1)
            weight = font["OS/2"].usWeightClass if "OS/2" in font else 400
            italic = bool(font["OS/2"].fsSelection & 1) if "OS/2" in font else False
    except (TTLibError, OSError, KeyError, struct.error) as exc:
        LOG.warning("%s: not a font the tool can read (%s); ignored", path, exc)
        return None
    return (family or path.stem), (700 if weight >= 600 else 400), italic


@dataclass
class FontSet:
    """The families a project can draw with, in the order that fills gaps."""

    families: tuple[Family, ...]
    project_dir: Path | None = None
    generated: dict[str, bytes] = field(default_factory=dict)
    #: Whether each character met so far is drawable: every document asks again for the same.
    _drawable: dict[str, bool] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def for_project(cls, root: Path | None) -> FontSet:
        project: list[Family] = []
        folder = root / PROJECT_FONTS if root else None
        if folder and folder.is_dir():
            by_name: dict[str, dict[int, Path]] = {}
            for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in FONT_SUFFIXES):
                found = _project_family(path)
                if found and not found[2]:  # no italics: emphasis is bold
                    by_name.setdefault(found[0], {}).setdefault(found[1], path)
            project = [
                Family(name, tuple(sorted(faces.items())), "project") for name, faces in by_name.items()
            ]
        system = [f for f in SYSTEM_FAMILIES if all(path.is_file() for _w, path in f.faces)]
        return cls((*TOOL_FAMILIES, *project, *system), folder)

    def language_stack(self, project, info) -> tuple[str, ...]:
        """Family names for a language: the project's choice (``[languages.CODE] fonts``),
        then its script's (``locales.SCRIPT_FONTS``)."""
        chosen = project.language(info.code).fonts
        for name in chosen:
            if self.family(name) is None:
                from .errors import ConfigError

                lines = project.settings_path.read_text(encoding="utf-8").splitlines()
                table = f"[languages.{info.code}]"
                line = next((n for n, text in enumerate(lines, 1) if text.strip() == table), None)
                known = ", ".join(f.name for f in self.families)
                raise ConfigError(
                    f"{project.settings_path}:{line}: {table} fonts names {name!r}, which is no font "
                    f"family of the project's {PROJECT_FONTS}/ folder or the tool; known: {known}"
                )
        return tuple(dict.fromkeys((*chosen, *info.fonts)))

    def family(self, name: str) -> Family | None:
        return next((f for f in self.families if f.name == name), None)

    def has(self, char: str, family: Family) -> bool:
        return ord(char) in _cmap_of(family.regular)

    def drawable(self, char: str) -> bool:
        known = self._drawable.get(char)
        if known is None:
            known = self._drawable[char] = _ignorable(char) or any(self.has(char, f) for f in self.families)
        return known

    def first_missing(self, text: str) -> str | None:
        return next((c for c in sorted(set(text)) if not self.drawable(c)), None)

    def stack(self, names: tuple[str, ...], text: str) -> tuple[Family, ...]:
        """The families a document needs: its languages' families, Sans, then whatever has
        each remaining character of ``text``."""
        chosen = [f for name in (*names, "Leaflets Sans") if (f := self.family(name))]
        chosen = list(dict.fromkeys(chosen))
        for char in sorted(set(text)):
            if _ignorable(char) or any(self.has(char, f) for f in chosen):
                continue
            extra = next((f for f in self.families if self.has(char, f)), None)
            if extra:
                chosen.append(extra)
        return tuple(chosen)

    def css(self, stack: tuple[Family, ...], script: str = "Latn") -> str:
        """``@font-face`` rules, the font stack and the script's line height and style for a
        document's ``<style>`` (``script``: the document language's)."""
        rules = []
        for family in stack:
            factor = scale(family.name) if family.origin == "tool" else 1.0
            for weight, path in family.faces:
                url, extra = path.as_uri(), ""
                if factor != 1.0:
                    url += f"?scale={factor}"
                    self.generated.setdefault(url, scaled_font(path, factor))
                    # Only the script's own characters are drawn larger: Western digits and
                    # Latin punctuation inside the text come from Sans at the Latin size.
                    extra = f" unicode-range: {_own_range(path)};"
                rules.append(
                    f'@font-face {{ font-family: "{family.name}"; font-weight: {weight}; '
                    f"font-style: normal; src: url({url});{extra} }}"
                )
        names = ", ".join(f'"{f.name}"' for f in stack)
        rules.append(f"html {{ font-family: {names}; }}")
        # ``html:root`` outweighs a style sheet's ``html.edition-…`` and ``html[dir]`` rules.
        own = stack[0].name if stack else ""
        if (minimum := line_height(own)) is not None:
            rules.append(f"html:root {{ line-height: {minimum}; }}")
        if script in CJK_SCRIPTS:
            # CJK fonts have no italics: a slanted Han character is a distortion, not emphasis.
            rules.append("html:root * { font-style: normal !important; }")
        return "\n".join(rules)

    def roots(self) -> list[Path]:
        """Folders the fetcher may load fonts from besides the tool's assets."""
        folders = {path.parent for f in self.families if f.origin != "tool" for _w, path in f.faces}
        return sorted(folders)

    def files(self) -> list[Path]:
        return [path for f in self.families if f.origin != "tool" for _w, path in f.faces]

    def hashes(self, stack: tuple[Family, ...]) -> dict[str, str]:
        """sha256 of each font file a document names: ``tool:`` file name, the path in the
        project (``fonts/…``), or a system path."""
        found = {}
        for family in stack:
            for _weight, path in family.faces:
                if family.origin == "tool":
                    key = f"tool:{path.name}"
                elif family.origin == "project" and self.project_dir:
                    key = f"{PROJECT_FONTS}/{path.relative_to(self.project_dir)}"
                else:
                    key = str(path)
                found[key] = file_sha256(path, path.stat().st_mtime_ns)
        return found


def _ignorable(char: str) -> bool:
    # White space, bidi controls and joiners are consumed by the shaper, not drawn.
    import unicodedata

    return char.isspace() or unicodedata.category(char) == "Cf"


def _folder_stamp(folder: Path) -> tuple:
    if not folder.is_dir():
        return ()
    return tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(folder.iterdir()))


@cache
def _fontset(root: Path, _stamp: tuple) -> FontSet:
    return FontSet.for_project(root)


def fontset(root: Path) -> FontSet:
    """The project's font set, read again when its ``fonts/`` folder changes."""
    return _fontset(root, _folder_stamp(root / PROJECT_FONTS))


def language_letters(info) -> str:
    """Letters of a language as CLDR writes them: its own name and its month and day names."""
    loc = info.babel_locale
    names = [info.native_name]
    for table in (loc.months, loc.days):
        names += [str(name) for name in table.get("format", {}).get("wide", {}).values()]
    return "".join(names)


def language_problem(info, fonts: FontSet) -> str | None:
    """Why no font covers ``info``'s language, in words with the remedy; None when one does."""
    char = fonts.first_missing(language_letters(info))
    if char is None:
        return None
    import unicodedata

    return (
        f"no font has the letters of {info.english_name} ({info.code}), for example {char!r} "
        f"(U+{ord(char):04X} {unicodedata.name(char, 'unnamed')}): its documents cannot be built; "
        f"to draw them, {remedy(char)}"
    )
