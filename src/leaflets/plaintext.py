"""Translations are plain, visible text: what a translation's characters may be.

A catalogue comes from outside the clinic. Characters that print nothing or reorder what is
around them can change what a patient reads without anyone seeing it in an editor: a
right-to-left override prints ``112`` as ``211``, a control character ends the CSS string
the text is placed in, a string of zero-width spaces blanks a risk from a list. Each rule
lives here once; ``render.py`` refuses a document on the errors, ``checks.py`` reports them
all, with the warnings (look-alike letters, another language).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from . import markup

ERROR, WARNING = "error", "warning"

#: Bidi embeddings, overrides and isolates. The tool adds the isolates it needs itself; the
#: marks (LRM, RLM, ALM) are allowed, they reorder nothing beyond themselves.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: Control characters a translation may hold: the tab and line feed of a wrapped ``.po`` line.
ALLOWED_CONTROLS = frozenset("\t\n")
#: Letters that draw nothing (Hangul fillers, the braille blank).
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
#: Scripts whose letters look alike: a word mixing them is likely a spoofed or mistyped word.
CONFUSABLE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")
#: Language detection speaks only when it is this sure, and the text has this many letters.
DETECTION_CONFIDENCE, DETECTION_MIN_LETTERS = 0.98, 40


def describe(char: str) -> str:
    """``U+202E RIGHT-TO-LEFT OVERRIDE``: how a message names a character."""
    name = unicodedata.name(char, "")
    if not name and unicodedata.category(char) == "Cc":
        name = f"control character {ord(char):#04x}"
    return f"U+{ord(char):04X} {name or 'unnamed character'}"


def forbidden_characters(text: str) -> list[str]:
    """Control and bidi control characters of ``text``, each named once, in order."""
    found = []
    for char in text:
        if char in BIDI_CONTROLS or (
            unicodedata.category(char) in ("Cc", "Zl", "Zp") and char not in ALLOWED_CONTROLS
        ):
            if char not in found:
                found.append(char)
    return [describe(char) for char in found]


def visible(text: str) -> bool:
    """Whether ``text`` has a character that prints: a letter, digit, mark, punctuation or symbol."""
    return any(
        unicodedata.category(c)[0] in "LNPSM" and unicodedata.category(c) != "Mn" and c not in BLANK_LETTERS
        for c in text
    )


def tag_problem(text: str) -> str | None:
    """An unclosed, unopened or misnested inline tag of ``text``, in words."""
    open_tags: list[str] = []
    for tag in markup.tags(text):
        match = re.fullmatch(r"<(/?)([a-z][\w:-]*)[^>]*>", tag)
        if not match or match[2] in markup.VOID_TAGS:
            continue
        closing, name = match[1], match[2]
        if not closing:
            open_tags.append(name)
        elif not open_tags:
            return f"closes <{name}> that was never opened"
        elif open_tags[-1] != name:
            return f"closes <{name}> while <{open_tags[-1]}> is still open (misnested tags)"
        else:
            open_tags.pop()
    if open_tags:
        return f"leaves <{open_tags[-1]}> open (add </{open_tags[-1]}>)"
    return None


def text_errors(source: str, text: str) -> list[str]:
    """Why a translation may not be printed, in words; empty when it may."""
    problems = []
    bad = forbidden_characters(text)
    if bad:
        problems.append(
            "holds "
            + ", ".join(bad)
            + "; translations are plain visible text (the tool isolates right-to-left text itself)"
        )
    if tag_problem(source) is None:
        problem = tag_problem(text)
        if problem:
            problems.append(problem)
    return problems


def _script(char: str) -> str | None:
    name = unicodedata.name(char, "")
    for script in CONFUSABLE_SCRIPTS:
        if name.startswith(script + " "):
            return script
    return None


def lookalikes(text: str) -> list[str]:
    """Words of ``text`` that mix letters of look-alike scripts (Latin ``e`` in a Cyrillic word)."""
    found = []
    for word in re.findall(r"[^\W\d_]+", markup.strip_tags(text)):
        scripts = {s for s in map(_script, word) if s}
        if len(scripts) > 1 and word not in found:
            found.append(word)
    return found


@cache
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier  # type: ignore[import-untyped]

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@cache
def detectable_languages() -> frozenset[str]:
    return frozenset(str(code) for code in _identifier().nb_classes)


def detected_language(text: str) -> tuple[str, float] | None:
    """The language ``text`` is written in and how sure the detector is; None for short text."""
    plain = markup.PLACEHOLDER.sub(" ", markup.strip_tags(text))
    plain = re.sub(r"\S*[@/:]\S*", " ", plain)  # addresses and URLs say nothing of the language
    if sum(c.isalpha() for c in plain) < DETECTION_MIN_LETTERS:
        return None
    language, confidence = _identifier().classify(plain)
    return str(language), float(confidence)


def language_mismatch(text: str, locale: str) -> str | None:
    """A sentence when ``text`` clearly reads as another language than ``locale``'s."""
    language = re.split(r"[-_]", locale)[0].lower()
    if language not in detectable_languages():
        return None
    found = detected_language(text)
    if found is None:
        return None
    detected, confidence = found
    if detected == language or confidence < DETECTION_CONFIDENCE:
        return None
    return f"reads as language {detected!r} ({confidence:.0%} sure), not {language!r}"


def pair_findings(source: str, text: str, short: str, locale: str = "") -> list[tuple[str, str, str]]:
    """Findings of one translation, as (code, severity, message) for ``checks.Finding``."""
    found = []
    if not visible(text):
        found.append(
            (
                "invisible",
                WARNING,
                f"translation of {short} has no visible character; it counts as untranslated",
            )
        )
        return found
    for problem in text_errors(source, text):
        code = "characters" if problem.startswith("holds") else "tags"
        found.append((code, ERROR, f"translation of {short} {problem}"))
    words = lookalikes(text)
    if words:
        found.append(
            (
                "lookalikes",
                WARNING,
                f"translation of {short} mixes look-alike letters of different scripts in "
                + ", ".join(repr(w) for w in words[:5]),
            )
        )
    if locale and text != source:
        mismatch = language_mismatch(text, locale)
        if mismatch:
            found.append(("language", WARNING, f"translation of {short} {mismatch}"))
    return found
