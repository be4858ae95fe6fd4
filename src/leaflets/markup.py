"""Translations are plain text: the few inline tags a source string may hold, and nothing else.

Jinja's i18n extension with autoescape marks every translation safe, so whatever HTML a
translator writes would reach WeasyPrint as is (an ``<img>`` that fetches, a ``<link>``, a
``style``). Here a translation is escaped, then only the inline tags its source string also
has are turned back into markup.
"""

from __future__ import annotations

import re
from collections import Counter

from markupsafe import Markup, escape

#: Inline tags a source string may use; they carry no attributes and fetch nothing.
ALLOWED_TAGS = ("strong", "br")
#: Tags that have no closing tag.
VOID_TAGS = ("br",)
_TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][\w:-]*)([^>]*)>|<!--.*?-->|<!\[CDATA\[.*?\]\]>", re.S)
_ALLOWED_ESCAPED = re.compile(rf"&lt;(/?)({'|'.join(ALLOWED_TAGS)})(\s*/)?&gt;")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%%|%[sd]")
_URL = re.compile(r"(?:https?|ftp|file|data|javascript):[^\s\"'<>)]*|www\.[^\s\"'<>)]+", re.I)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_PHONE = re.compile(r"\+?\d[\d ()-]{6,}\d")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def css_string(text: str) -> str:
    """``text`` as a CSS string literal that nothing in it can end: only ASCII letters, digits
    and spaces stay as they are, every other character becomes a CSS escape. The space that
    ends an escape belongs to it, so one follows every escape."""
    return (
        '"'
        + "".join(
            char if char.isascii() and (char.isalnum() or char == " ") else f"\\{ord(char):X} "
            for char in text
        )
        + '"'
    )


def tags(text: str) -> list[str]:
    """The tags of ``text`` as normalised tokens (``<strong>``, ``</strong>``, ``<img src=...>``)."""
    found = []
    for match in _TAG.finditer(text):
        if match[2] is None:
            found.append(match[0])
            continue
        closing, name, rest = match[1], match[2].lower(), match[3].strip().rstrip("/").strip()
        found.append(f"<{closing}{name}{' ' + rest if rest else ''}>")
    return found


def strip_tags(text: str) -> str:
    """``text`` without its tags and comments."""
    return _TAG.sub(" ", text)


def placeholders(text: str) -> Counter[str]:
    return Counter(m[0] for m in PLACEHOLDER.finditer(text) if m[0] != "%%")


def unsafe_tags(source: str, translation: str) -> list[str]:
    """Tags of ``translation`` that are not allowed, or that its source does not have."""
    allowed = Counter(t for t in tags(source) if _bare_allowed(t))
    extra = []
    for tag in tags(translation):
        if _bare_allowed(tag) and allowed[tag] > 0:
            allowed[tag] -= 1
        else:
            extra.append(tag)
    return extra


def missing_tags(source: str, translation: str) -> list[str]:
    have = Counter(tags(translation))
    missing = []
    for tag in tags(source):
        if have[tag] > 0:
            have[tag] -= 1
        else:
            missing.append(tag)
    return missing


def placeholder_problem(source: str, translation: str) -> str | None:
    """Describe how the translation's ``%(name)s`` placeholders differ from the source's."""
    want, have = placeholders(source), placeholders(translation)
    if "%" in PLACEHOLDER.sub("", translation):
        return "has a lone % (write %% for a percent sign, %(name)s for a placeholder)"
    if want == have:
        return None
    missing = sorted((want - have).elements())
    extra = sorted((have - want).elements())
    parts = []
    if missing:
        parts.append("drops " + ", ".join(missing))
    if extra:
        parts.append("adds " + ", ".join(extra))
    return " and ".join(parts)


def _bare_allowed(tag: str) -> bool:
    return re.fullmatch(rf"</?({'|'.join(ALLOWED_TAGS)})>", tag) is not None


def to_html(text: str) -> Markup:
    """Escape ``text`` and restore the allowed bare inline tags."""
    escaped = str(escape(text))
    return Markup(_ALLOWED_ESCAPED.sub(lambda m: f"<{m[1]}{m[2]}>", escaped))


#: What ends a sentence after a URL or an e-mail address, and is not part of it.
_TRAILING = ".,;:!?"


def to_plain(text: str) -> str:
    """The words of ``text`` without its tags and placeholders."""
    return PLACEHOLDER.sub(" ", _TAG.sub(" ", text))


def urls(text: str) -> list[str]:
    return [url.rstrip(_TRAILING) for url in _URL.findall(text)]


def emails(text: str) -> list[str]:
    return [email.rstrip(_TRAILING) for email in _EMAIL.findall(text)]


def phones(text: str) -> list[str]:
    return _PHONE.findall(text)


def numbers(text: str) -> list[str]:
    """Numbers of ``text`` outside placeholders, tags and URLs."""
    stripped = _URL.sub(" ", PLACEHOLDER.sub(" ", _TAG.sub(" ", text)))
    return _NUMBER.findall(stripped)


def is_full_stop(char: str) -> bool:
    """A sentence-ending full stop of any script (``.``, ``。``, ``։``, ``۔``, ...)."""
    import unicodedata

    return len(char) == 1 and unicodedata.name(char, "").endswith("FULL STOP")


def join_stops(text: str, values: dict[str, object]) -> str:
    """``text`` with the full stop after a placeholder dropped where the value ends in the same one.

    A Russian date ends with "г." and a Hungarian one with "."; at the end of a translated
    sentence the value's stop and the sentence's would print as "..". Only the stop right after
    a substituted value goes, so every other full stop of the translation stays.
    """
    result = text
    for value in values.values():
        if not isinstance(value, str) or not value or not is_full_stop(value[-1]):
            continue
        shown = str(escape(value))
        doubled = shown + value[-1]
        if doubled in result:
            result = type(text)(result.replace(doubled, shown))
    return result
