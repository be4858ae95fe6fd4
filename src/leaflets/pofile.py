"""Writing ``.po`` files the way GNU gettext writes them.

Translators switch between ``leaflets update``, ``msgmerge`` (what Poedit and most editors run)
and web platforms. If each tool wrapped lines its own way, every switch would rewrite hundreds of
lines and bury the real changes in review. So this writer follows GNU gettext's layout: entries
wrapped at 79 columns after spaces and after ``\\n``, an empty first line when a string does not
fit, comments in GNU's order, ``#|`` previous strings quoted like any other string, and the
file's own line endings kept.

Babel's ``write_po`` differs in wrapping and writes invalid ``#|`` lines (it wraps an already
quoted string as comment text), which is why this module exists.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

from babel.messages.catalog import Catalog, Message

#: GNU gettext's default page width.
WIDTH = 79

_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
}


def _escape(text: str) -> str:
    return "".join(_ESCAPES.get(char, char) for char in text)


def _columns(text: str) -> int:
    """Display width, counting East Asian wide characters as two columns, as gettext does."""
    return sum(
        0
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf")
        else 2
        if unicodedata.east_asian_width(char) in ("W", "F")
        else 1
        for char in text
    )


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F") and unicodedata.category(char)[0] == "L"


def _breaks_after(text: str, index: int) -> bool:
    """A line break opportunity between ``text[index]`` and the next character.

    The subset of Unicode line breaking (UAX #14) that gettext's wrapping meets in prose: after
    spaces, after a slash or a hyphen inside a word before a letter, and between ideographs.
    """
    char, following = text[index], text[index + 1]
    if char == " ":
        return following != " "
    if following == " ":
        return False
    if char == "/" or (char == "-" and index > 0 and text[index - 1] != " "):
        return following.isalpha()
    return _wide(char) or _wide(following)


def _pieces(portion: str) -> list[str]:
    """Split text into the runs between break opportunities, each escaped for a quoted string."""
    pieces: list[str] = []
    start = 0
    for index in range(len(portion) - 1):
        if _breaks_after(portion, index):
            pieces.append(portion[start : index + 1])
            start = index + 1
    pieces.append(portion[start:])
    return [_escape(piece) for piece in pieces if piece]


def _wrap(pieces: list[str], width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for piece in pieces:
        if current and _columns(current + piece) > width:
            lines.append(current)
            current = piece
        else:
            current += piece
    if current or not lines:
        lines.append(current)
    return lines


def quoted_lines(keyword: str, text: str, prefix: str = "", width: int = WIDTH) -> list[str]:
    """``keyword "text"`` as GNU gettext lays it out, one list item per line."""
    portions: list[str] = []
    start = 0
    for index, char in enumerate(text):
        if char == "\n":
            portions.append(text[start : index + 1])
            start = index + 1
    if start < len(text) or not portions:
        portions.append(text[start:])
    head = f"{prefix}{keyword} "
    if len(portions) == 1:
        whole = _escape(portions[0])
        if _columns(head) + _columns(whole) + 2 <= width:
            return [f'{head}"{whole}"']
    lines = [f'{head}""']
    room = width - _columns(prefix) - 2
    for portion in portions:
        lines.extend(f'{prefix}"{line}"' for line in _wrap(_pieces(portion), room))
    return lines


def _references(message: Message, width: int) -> list[str]:
    lines: list[str] = []
    current = "#:"
    for filename, lineno in message.locations:
        item = f"{filename}:{lineno}" if lineno else filename
        if current != "#:" and len(current) + 1 + len(item) > width:
            lines.append(current)
            current = "#:"
        current += " " + item
    if current != "#:":
        lines.append(current)
    return lines


def _strings(message: Message, prefix: str, width: int) -> list[str]:
    lines: list[str] = []
    if message.context is not None:
        lines += quoted_lines("msgctxt", message.context, prefix, width)
    if isinstance(message.id, tuple | list):
        lines += quoted_lines("msgid", message.id[0], prefix, width)
        lines += quoted_lines("msgid_plural", message.id[1], prefix, width)
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        for index, string in enumerate(strings):
            lines += quoted_lines(f"msgstr[{index}]", string or "", prefix, width)
    else:
        lines += quoted_lines("msgid", message.id, prefix, width)
        lines += quoted_lines("msgstr", str(message.string or ""), prefix, width)
    return lines


def _previous(message: Message, prefix: str, width: int) -> list[str]:
    lines: list[str] = []
    previous = message.previous_id
    if not previous:
        return lines
    texts = [previous] if isinstance(previous, str) else list(previous)
    for keyword, text in zip(("msgid", "msgid_plural"), texts, strict=False):
        lines += quoted_lines(keyword, text, prefix, width)
    return lines


def _entry(message: Message, width: int, obsolete: bool = False) -> Iterator[str]:
    for comment in message.user_comments:
        yield f"# {comment}".rstrip() if comment else "#"
    for comment in message.auto_comments:
        yield f"#. {comment}".rstrip()
    if not obsolete:
        yield from _references(message, width)
    flags = [flag for flag in message.flags if flag]
    if flags:
        yield "#, " + ", ".join(flags)
    yield from _previous(message, "#~| " if obsolete else "#| ", width)
    yield from _strings(message, "#~ " if obsolete else "", width)


#: The order xgettext, msginit and msgmerge write a header's fields in.
HEADER_ORDER = (
    "Project-Id-Version",
    "Report-Msgid-Bugs-To",
    "POT-Creation-Date",
    "PO-Revision-Date",
    "Last-Translator",
    "Language-Team",
    "Language",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
    "Plural-Forms",
)


def _header_fields(catalog: Catalog) -> list[tuple[str, str]]:
    """The header's fields in the file's own order (new ones in GNU's order after them)."""
    fields = dict(catalog.mime_headers)
    if "Content-Type" in fields:
        # GNU tools write the canonical charset name.
        fields["Content-Type"] = fields["Content-Type"].replace("charset=utf-8", "charset=UTF-8")
    # msgmerge puts the fields it knows in its own order, and the others after them.
    rank = {name: index for index, name in enumerate(HEADER_ORDER)}
    in_file = {name: index for index, name in enumerate(getattr(catalog, "header_order", []))}
    order = sorted(fields, key=lambda n: (rank.get(n, len(rank)), in_file.get(n, len(in_file))))
    return [(name, fields[name]) for name in order]


def _header(catalog: Catalog, width: int) -> list[str]:
    lines = [line.rstrip() for line in catalog.header_comment.splitlines()]
    if catalog.fuzzy:
        lines.append("#, fuzzy")
    lines.append('msgid ""')
    text = "".join(f"{name}: {value.strip()}\n" for name, value in _header_fields(catalog))
    lines += quoted_lines("msgstr", text, "", width)
    return lines


def po_text(catalog: Catalog, width: int = WIDTH, obsolete: bool = True) -> str:
    """The whole catalogue as GNU gettext would write it, with ``\\n`` line endings."""
    entries = [_header(catalog, width)]
    for message in catalog:
        if message.id:
            entries.append(list(_entry(message, width)))
    if obsolete:
        for message in catalog.obsolete.values():
            entries.append(list(_entry(message, width, obsolete=True)))
    return "\n\n".join("\n".join(entry) for entry in entries) + "\n"


def line_ending(data: bytes) -> str:
    """The line ending a file uses: ``\\r\\n`` when its first line ends so, else ``\\n``."""
    first = data.find(b"\n")
    return "\r\n" if first > 0 and data[first - 1 : first] == b"\r" else "\n"


def po_bytes(catalog: Catalog, newline: str = "\n", width: int = WIDTH, obsolete: bool = True) -> bytes:
    text = po_text(catalog, width, obsolete)
    if newline != "\n":
        text = text.replace("\n", newline)
    return text.encode(catalog.charset or "utf-8")
