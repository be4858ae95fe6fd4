"""Style checks of one translation against its source: what a careful proofreader catches.

The classes translate-toolkit's ``pofilter`` and Weblate check (doubled words, end and start
punctuation, sentence count, brackets, double spaces, newlines), made aware of the scripts whose
punctuation differs from English: Arabic ``؟`` and ``؛``, Greek ``;`` as a question mark,
the full-width marks of Chinese and Japanese, the danda of Hindi, the full stops of Armenian,
Amharic, Khmer and Burmese, and Thai and Lao, which end sentences without a mark.
"""

from __future__ import annotations

import re
import unicodedata

WARNING = "warning"

#: Each script's sentence and clause marks, mapped to the English mark they stand for.
_EQUIVALENT = {
    "؟": "?",  # Arabic question mark
    "؛": ";",  # Arabic semicolon
    "،": ",",  # Arabic comma
    "۔": ".",  # Urdu full stop
    "\u037e": "?",  # Greek question mark (looks like a semicolon)
    "\u0387": ";",  # Greek ano teleia
    "。": ".",
    "．": ".",
    "？": "?",
    "！": "!",
    "：": ":",
    "；": ";",
    "，": ",",
    "、": ",",
    "।": ".",  # Devanagari danda
    "॥": ".",
    "։": ".",  # Armenian full stop
    "՞": "?",  # Armenian question mark
    "።": ".",  # Ethiopic full stop
    "፧": "?",
    "፤": ";",
    "፣": ",",
    "។": ".",  # Khmer
    "៕": ".",
    "။": ".",  # Myanmar
    "…": "...",
    "‽": "?",
}
#: Languages whose sentences may end without any mark.
_NO_FINAL_MARK = {"th", "lo"}
#: Languages where a Latin ';' is the question mark.
_SEMICOLON_QUESTION = {"el"}
_CLOSERS = "\"'”’»›)]}）」』】"
_OPENERS = "\"'“‘«‹([{（「『【¿¡"
_MARKS = set(".?!:;,") | set(_EQUIVALENT)
_DOUBLED = re.compile(r"\b([^\W\d_]+)[ \u00a0]+\1\b", re.I)
#: Languages where saying a word twice is grammar ("yavaş yavaş", slowly), not a slip.
_REDUPLICATING = {"tr", "az", "id", "ms", "tl", "fil"}
#: Doubles that are correct: German "die die" (the relative pronoun, then the article).
_GRAMMATICAL_DOUBLES = {"de": {"die", "der", "das", "den", "dem"}, "nl": {"die", "dat"}}
_TAG_OR_PLACEHOLDER = re.compile(
    r"<[^>]*>|%\(\w+\)[sd]|%[sd]|(?:https?://\S+?|[\w.+-]+@[\w-]+\.[\w.-]+?)(?=[.,;:!?]*(?:\s|$))"
)
_ABBREVIATION = re.compile(
    r"\b(?:[A-Z][a-z]?|[a-z]|Dr|Prof|Mr|Mrs|Ms|St|No|Nr|vs|etc|e\.g|i\.e|z\.B|bzw|ca|usw|vb|örn|т\.е|т\.д|т\.п|др|им)\.$"
)
#: A mark that ends a sentence: before a space or the end, or a full-width one anywhere.
_SENTENCE_END = re.compile(r"[.!?؟۔।։።។။…]+(?=[\s" + re.escape(_CLOSERS) + r"]|$)|[。？！]+")
_BRACKETS = {"(": "(", ")": ")", "（": "(", "）": ")", "[": "[", "]": "]", "［": "[", "］": "]"}


def _language(locale: str | None) -> str:
    return (locale or "").replace("_", "-").split("-")[0].lower()


def _plain(text: str) -> str:
    """The text a reader sees: tags, placeholders, URLs and e-mails left out."""
    return _TAG_OR_PLACEHOLDER.sub(" ", text)


def _mark(char: str, language: str) -> str:
    if char == ";" and language in _SEMICOLON_QUESTION:
        return "?"
    return _EQUIVALENT.get(char, char)


def final_mark(text: str, language: str = "") -> str:
    """The sentence mark ``text`` ends with, as its English equivalent (``""`` for none)."""
    body = text.rstrip().rstrip(_CLOSERS).rstrip()
    if body.endswith(("...", "…")):
        return "..."
    if body and body[-1] in _MARKS:
        return _mark(body[-1], language)
    return ""


def first_mark(text: str) -> str:
    body = text.lstrip()
    if body and unicodedata.category(body[0]).startswith("P") and body[0] not in "¿¡":
        return _BRACKETS.get(body[0], "quote" if body[0] in _OPENERS else body[0])
    return ""


def sentences(text: str, language: str = "") -> int:
    """How many sentences ``text`` holds: marks that end one, followed by a space or the end."""
    plain = _plain(text).strip()
    count = 0
    for match in _SENTENCE_END.finditer(plain):
        before = plain[: match.start() + 1]
        if match.group() == "." and _ABBREVIATION.search(before):
            continue
        if match.group() == "." and re.search(r"\d\.$", before) and match.end() < len(plain):
            continue  # "1. " in a list, or a date written 24. 11.
        count += 1
    return max(count, 1 if plain else 0)


def doubled_words(text: str, language: str = "") -> list[str]:
    """Words written twice in a row with only a space between (``the the``)."""
    if language in _REDUPLICATING:
        return []
    allowed = _GRAMMATICAL_DOUBLES.get(language, set())
    found = {m[1].lower() for m in _DOUBLED.finditer(_plain(text))}
    return sorted(word for word in found if len(word) > 1 and word not in allowed)


def _bracket_counts(text: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for char in _plain(text):
        if char in _BRACKETS:
            counts[_BRACKETS[char]] = counts.get(_BRACKETS[char], 0) + 1
    return counts


def style_findings(
    source: str, text: str, short: str, locale: str | None = None
) -> list[tuple[str, str, str]]:
    """Findings of one translation against its source, as (code, severity, message)."""
    language = _language(locale)
    found: list[tuple[str, str, str]] = []

    def add(code: str, message: str) -> None:
        found.append((code, WARNING, f"translation of {short} {message}"))

    doubled = [w for w in doubled_words(text, language) if w not in doubled_words(source)]
    if doubled:
        add("doubled-word", f"repeats a word: {', '.join(doubled)}")
    want, got = final_mark(source, "en"), final_mark(text, language)
    if want != got and not (not got and want == "." and language in _NO_FINAL_MARK):
        add(
            "end-punctuation",
            f"ends with {got or 'no mark'!r} where the source ends with {want or 'no mark'!r}",
        )
    if first_mark(source) != first_mark(text):
        add(
            "start-punctuation",
            f"starts with {first_mark(text) or 'a letter'!r}, the source with "
            f"{first_mark(source) or 'a letter'!r}",
        )
    # Fewer sentences may mean one was left out; more is a translator's choice of style.
    if language not in _NO_FINAL_MARK and sentences(text, language) < sentences(source, "en"):
        add(
            "sentences",
            f"has {sentences(text, language)} sentences where the source has {sentences(source, 'en')}: "
            "is one left out?",
        )
    want_brackets, got_brackets = _bracket_counts(source), _bracket_counts(text)
    if got_brackets.get("(", 0) != got_brackets.get(")", 0) or any(
        got_brackets.get(b, 0) < n for b, n in want_brackets.items()
    ):
        add("brackets", "leaves out or unbalances the brackets of the source")
    if "  " in text.strip() and "  " not in source.strip():
        add("double-space", "has two spaces in a row")
    if source.count("\n") != text.count("\n"):
        add("newlines", f"has {text.count(chr(10))} line breaks where the source has {source.count(chr(10))}")
    return found
