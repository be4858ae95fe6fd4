"""Reading gettext catalogues straight from ``.po`` files, and looking strings up in them.

No compiled ``.mo`` is kept anywhere: a build reads the ``.po`` a translator just saved, so
there is no compile step to forget.
"""

from __future__ import annotations

import gettext as _gettext
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError, PoFileParser, unescape

from .errors import CatalogError
from .plaintext import visible

SOURCE = "source"
TRANSLATED = "translated"
FUZZY = "fuzzy"
UNTRANSLATED = "untranslated"
MISSING = "missing"  # the string is not in the catalogue at all: run `leaflets update`
PSEUDO = "pseudo"
#: Statuses that show the source text instead of a translation.
FALLBACK = frozenset({FUZZY, UNTRANSLATED, MISSING})


BOM = b"\xef\xbb\xbf"
#: What Babel's reader keeps as a translator comment of a ``#| msgid "…"`` line.
_PREVIOUS_COMMENT = ("| msgid", "| msgid_plural", "| msgctxt", '| "')
_EXTRA_PLURAL = "msg has more translations than num_plurals of catalog"


@dataclass(frozen=True)
class ReadWarning:
    """Something a catalogue's reader tolerated but a translator should fix."""

    line: int | None
    code: str
    message: str


class LoadedCatalog(Catalog):
    """A catalogue read from a file, with what the reader tolerated in it."""

    warnings: list[ReadWarning]
    #: The header's field names in the file's order, so that a rewrite keeps it.
    header_order: list[str]


class _Parser(PoFileParser):
    """Babel's parser, strict but for what a translation tool's round trip adds harmlessly."""

    def __init__(self, catalog: LoadedCatalog) -> None:
        super().__init__(catalog, ignore_obsolete=False, abort_invalid=True)
        self.loaded = catalog

    def _invalid_pofile(self, line, lineno, msg) -> None:
        if msg == _EXTRA_PLURAL:
            # A CAT tool's XLIFF round trip writes an empty msgstr[1] for a language with one form.
            self.loaded.warnings.append(
                ReadWarning(
                    lineno + 1,
                    "plural-forms",
                    f"more plural forms than the header's nplurals={self.catalog.num_plurals}; "
                    "the extra forms are ignored",
                )
            )
            return
        super()._invalid_pofile(line, lineno, msg)

    def _add_message(self) -> None:
        if len(self.messages) == 1 and not self.obsolete and not self.messages[0].denormalize():
            header = self.translations[0][1].denormalize()
            self.loaded.header_order = [
                line.split(":", 1)[0].strip() for line in header.splitlines() if ":" in line
            ]
        super()._add_message()


def lines(text: str) -> list[str]:
    """The lines of a ``.po`` file. Not ``str.splitlines``: it also breaks at form feeds and other
    control characters inside a string, which must reach the plain-text check whole."""
    return re.split(r"\r\n|\r|\n", text)


def read_catalog(path: Path) -> LoadedCatalog:
    """Parse a ``.po`` or ``.pot`` file, reporting any malformed line as ``path:line``."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CatalogError(path, None, "no such catalogue") from None
    except OSError as exc:
        raise CatalogError(path, None, f"cannot be read: {exc.strerror or exc}") from None
    catalog = LoadedCatalog()
    catalog.warnings = []
    catalog.header_order = []
    if data.startswith(BOM):
        # Editors on Windows add it; Babel and msgfmt both reject it.
        data = data[len(BOM) :]
        catalog.warnings.append(
            ReadWarning(
                1,
                "byte-order-mark",
                "starts with a byte-order mark, which msgfmt rejects; `leaflets update` removes it",
            )
        )
    try:
        text = data.decode("utf-8")
        _Parser(catalog).parse(lines(text))
    except PoFileError as exc:
        # Babel counts the lines of a PoFileError from 0 (and those of messages from 1).
        raise CatalogError(path, exc.lineno + 1, _plain(exc)) from None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CatalogError(path, line, f"not UTF-8 ({exc.reason} at byte {exc.start})") from None
    except ValueError as exc:
        raise CatalogError(path, None, f"cannot be read: {exc}") from None
    _check_complete(path, text)
    _read_previous(text, catalog)
    return catalog


def _read_previous(text: str, catalog: Catalog) -> None:
    """Attach the ``#| msgid`` comments to their messages: Babel's reader keeps them as
    translator comments, and a catalogue written again would mangle what a fuzzy entry's source
    used to say."""
    previous: dict[int, list[str]] = {}
    pending: list[str] = []
    keyword = None
    for number, line in enumerate(lines(text), 1):
        if line.startswith("#| "):
            body = line[3:].strip()
            for name in ("msgid_plural", "msgid", "msgctxt"):
                if body.startswith(name + " "):
                    keyword = name
                    if name != "msgctxt":
                        pending.append("")
                    body = body[len(name) :].strip()
                    break
            if keyword != "msgctxt" and pending and body.startswith('"'):
                pending[-1] += unescape(body)
        elif line.startswith("msgid ") and pending:
            previous[number] = pending
            pending, keyword = [], None
        elif not line.startswith(("#", "msgctxt")) and line.strip():
            pending, keyword = [], None
    for message in [*catalog, *catalog.obsolete.values()]:
        message.user_comments = [c for c in message.user_comments if not c.startswith(_PREVIOUS_COMMENT)]
        found = previous.get(getattr(message, "lineno", None) or 0)
        if found:
            message.previous_id = found


def _plain(exc: PoFileError) -> str:
    text = str(exc)
    # Babel's message repeats the line: "msg on 12" / "…: 12". Keep its words only.
    return text.split(" on ")[0] if " on " in text else text


def _check_complete(path: Path, text: str) -> None:
    """Catch what Babel reads without complaint: a file cut off after a ``msgid``."""
    text = text.replace("\r\n", "\n").rstrip("\n")
    last = text.rsplit("\n", 1)[-1].strip()
    lines = text.count("\n") + 1
    if last.startswith(("msgid ", "msgctxt ", "msgid_plural ")):
        raise CatalogError(path, lines, "file ends inside an entry: a msgstr is missing")
    if last.startswith(("msgstr", '"')) and not last.endswith('"'):
        raise CatalogError(path, lines, "file ends inside a string: the closing quote is missing")


@dataclass(frozen=True)
class Lookup:
    """One string as a document shows it, and why."""

    msgid: str
    text: str
    status: str
    line: int | None = None
    context: str | None = None
    locale: str = ""
    #: The catalogue the text came from, when it is not the translator's own.
    path: Path | None = None

    @property
    def fallback(self) -> bool:
        return self.status in FALLBACK

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Translator:
    """Looks strings up for one locale and records every lookup, so a build knows its fallbacks."""

    locale: str
    catalog: Catalog | None = None
    path: Path | None = None
    transform: Callable[[str], str] | None = None  # turns source text into pseudo-text
    #: Catalogues asked, in order, for a string the own catalogue does not translate: the
    #: parent language's (``de`` for ``de-AT``), then the tool's own for the theme's strings.
    layers: list[tuple[Catalog, Path]] = field(default_factory=list)
    seen: dict[tuple[str | None, str], Lookup] = field(default_factory=dict)

    def lookup(
        self,
        msgid: str,
        context: str | None = None,
        n: int | None = None,
        plural: str | None = None,
    ) -> Lookup:
        result = replace(self._lookup(msgid, context, n, plural), locale=self.locale)
        self.seen.setdefault((context, msgid), result)
        return result

    def peek(
        self, msgid: str, context: str | None = None, n: int | None = None, plural: str | None = None
    ) -> Lookup:
        """Look a string up without recording it: for what only a draft shows (its own marker),
        which neither counts as a fallback nor needs a review."""
        return replace(self._lookup(msgid, context, n, plural), locale=self.locale)

    def _lookup(self, msgid, context, n, plural) -> Lookup:
        source_text = msgid if n is None or n == 1 or plural is None else plural
        if self.transform is not None:
            return Lookup(msgid, self.transform(source_text), PSEUDO, context=context)
        if self.catalog is None and not self.layers:
            return Lookup(msgid, source_text, SOURCE, context=context)
        own = (
            _find(self.catalog, None, msgid, context, n, source_text)
            if self.catalog is not None
            else Lookup(msgid, source_text, MISSING, context=context)
        )
        if own.status == TRANSLATED:
            return own
        for catalog, path in self.layers:
            found = _find(catalog, path, msgid, context, n, source_text)
            if found.status == TRANSLATED:
                return found
        if self.catalog is None and own.status == MISSING:
            # A locale without a catalogue of its own (the source, or a variant of it).
            return Lookup(msgid, source_text, SOURCE, context=context)
        return own

    @property
    def fallbacks(self) -> list[Lookup]:
        return [item for item in self.seen.values() if item.fallback]


def _find(
    catalog: Catalog, path: Path | None, msgid: str, context: str | None, n: int | None, source_text: str
) -> Lookup:
    message: Message | None = catalog.get(msgid, context=context)
    if message is None:
        return Lookup(msgid, source_text, MISSING, context=context, path=path)
    line = getattr(message, "lineno", None)
    if message.fuzzy:
        return Lookup(msgid, source_text, FUZZY, line, context, path=path)
    string = message.string
    if isinstance(string, tuple | list):
        index = int(_gettext.c2py(catalog.plural_expr or "(n != 1)")(n if n is not None else 1))
        string = string[index] if index < len(string) else ""
    if not string or not visible(string):
        # Zero-width characters only would print nothing where the source has words.
        return Lookup(msgid, source_text, UNTRANSLATED, line, context, path=path)
    return Lookup(msgid, string, TRANSLATED, line, context, path=path)


def message_id(message: Message) -> str:
    return message.id[0] if isinstance(message.id, tuple | list) else message.id


def message_strings(message: Message) -> list[str]:
    if isinstance(message.string, tuple | list):
        return [s for s in message.string if s]
    return [message.string] if message.string else []


def is_translated(message: Message) -> bool:
    """Every form of the message has a translation (fuzzy is checked separately)."""
    if isinstance(message.string, tuple | list):
        return bool(message.string) and all(message.string)
    return bool(message.string)
