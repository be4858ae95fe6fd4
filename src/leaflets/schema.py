"""The one schema of ``leaflets.toml``: every key, its type, default and meaning.

Adding a setting is one :class:`Key` in :data:`SCHEMA`. The loader (``project.py``) reads
only what this schema lets through; the README's settings reference is generated from it
(``python -m leaflets.schema``) and a test keeps the two equal. Every problem of a file is
reported in one run, each at its line, an unknown key with the nearest known one.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: Every edition, in the order the shelf lists them (``editions``, ``page_budget``).
EDITIONS = ("standard", "large-print", "bilingual", "html")
#: Editions that are a web page (``webpage.py``) rather than a PDF.
WEB_EDITIONS = ("html",)


@dataclass(frozen=True)
class Kind:
    """A value type: its name in the reference, and a check returning a problem or None."""

    name: str
    check: Callable[[Any], str | None]


def _is(kind: type | tuple[type, ...], words: str) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if isinstance(value, bool) and kind is not bool:
            return f"must be {words}, not a true/false value"
        return None if isinstance(value, kind) else f"must be {words}, not {_describe(value)}"

    return check


def _describe(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return f"a date-time ({value.isoformat()})"
    if isinstance(value, dt.time):
        return "a time of day"
    if isinstance(value, dt.date):
        return f"a date ({value.isoformat()})"
    if isinstance(value, bool):
        return "a true/false value"
    if isinstance(value, int | float):
        return f"a number ({value}); write it in quotes"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"


def _text(value: Any) -> str | None:
    problem = _is(str, "a string in quotes")(value)
    if problem:
        return problem
    return "is blank; leave the key out or write the text" if not value.strip() else None


def _date(value: Any) -> str | None:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        return f"must be a date such as 2026-12-01 (no time), not {_describe(value)}"
    return None


def _localized(value: Any) -> str | None:
    if isinstance(value, dict):
        for code, text in value.items():
            problem = _text(text)
            if problem:
                return f"{code}: {problem}"
        return None if value else "is an empty table"
    return (
        _text(value)
        if isinstance(value, str)
        else f"must be a string or a table of strings per locale, not {_describe(value)}"
    )


def _strings(value: Any) -> str | None:
    if not isinstance(value, list):
        return f"must be a list of strings, not {_describe(value)}"
    for item in value:
        problem = _text(item)
        if problem:
            return f"item {item!r} {problem}"
    return None


def _editions(value: Any) -> str | None:
    problem = _strings(value)
    if problem:
        return problem
    unknown = [e for e in value if e not in EDITIONS]
    return f"unknown edition {unknown[0]!r}; known: {', '.join(EDITIONS)}" if unknown else None


def _budget(value: Any) -> str | None:
    if not isinstance(value, dict):
        return f"must be a table of pages per edition, such as {{ standard = 4 }}, not {_describe(value)}"
    for edition, pages in value.items():
        if edition not in EDITIONS:
            return f"unknown edition {edition!r}{_suggest(edition, EDITIONS)}; known: {', '.join(EDITIONS)}"
        if isinstance(pages, bool) or not isinstance(pages, int) or pages < 1:
            return f"{edition} must be a whole number of pages of at least 1"
    return None


TEXT = Kind("text", _text)
STRING = Kind("string", _is(str, "a string in quotes"))
PHONE = Kind("phone number (string)", _text)
VERSION = Kind("version (string)", _text)
DATE = Kind("date", _date)
BOOL = Kind("true/false", _is(bool, "true or false"))
LOCALIZED = Kind("text, or a table of text per locale", _localized)
STRINGS = Kind("list of strings", _strings)
EDITION_LIST = Kind("list of editions", _editions)
NUMBER = Kind(
    "number",
    lambda v: (
        None
        if isinstance(v, int | float) and not isinstance(v, bool)
        else f"must be a number, not {_describe(v)}"
    ),
)
BUDGET = Kind("table of pages per edition", _budget)


def _colour(value: Any) -> str | None:
    problem = _is(str, "a colour in quotes")(value)
    if problem or re.fullmatch(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})", value):
        return problem
    return f"must be a colour written #rrggbb, not {value!r}"


COLOUR = Kind("colour #rrggbb", _colour)


@dataclass(frozen=True)
class Key:
    name: str
    kind: Kind
    description: str
    default: Any = None
    required: bool = False
    #: Kept for projects written before a newer mechanism replaced it.
    legacy: bool = False


#: The keys of ``[clinic]`` and of each department's ``[clinics.NAME]``.
CLINIC_KEYS: tuple[Key, ...] = (
    Key("name", LOCALIZED, "The clinic's name, once or per locale.", required=True),
    Key("doctor", TEXT, "The responsible doctor, printed on every leaflet.", required=True),
    Key("phone", PHONE, "Printed in the international format of the clinic's country.", required=True),
    Key("country", TEXT, "Two-letter country code of the phone numbers (TR, DE, US).", required=True),
    Key("whatsapp", PHONE, "WhatsApp number; adds a link and a QR code.", ""),
    Key("emergency_number", PHONE, "The emergency line printed on every leaflet (112).", ""),
    Key("email", TEXT, "Contact e-mail address.", ""),
    Key("website", TEXT, "Clinic web site.", ""),
    Key("address", LOCALIZED, "Postal address, once or per locale.", ""),
)

#: Tables by path; ``*`` is the table's name (a leaflet's slug, a locale code).
SCHEMA: dict[str, tuple[Key, ...]] = {
    "": (
        Key("name", TEXT, "The project's name: catalogue headers, the shelf page.", "the folder's name"),
        Key("source_locale", TEXT, "The language the templates are written in.", "en"),
        Key("locales", STRINGS, "Every locale a default build produces.", "[source_locale]"),
        Key(
            "editions", EDITION_LIST, "What a default build makes: " + ", ".join(EDITIONS) + ".", ["standard"]
        ),
        Key(
            "paper", STRING, 'Paper size for every locale: "A4", "letter" or "A5".', "the locale's territory"
        ),
        Key("print_shop", BOOL, "3 mm bleed and crop marks for a print shop.", False),
    ),
    "clinic": CLINIC_KEYS,
    "clinics.*": CLINIC_KEYS,
    "theme": (
        Key("brand", COLOUR, "Masthead and heading colour, #rrggbb; at least 4.5:1 on white.", "#0d4a6b"),
        Key("brand_text", COLOUR, "Text colour on the masthead; at least 4.5:1 on `brand`.", "#ffffff"),
        Key("accent", COLOUR, "Colour of rules and borders, never of text.", "#9cc3d6"),
        Key("logo", STRING, "Image file in templates/ shown in every edition's masthead.", ""),
        Key("css", STRINGS, "Stylesheets in templates/ added after the theme's.", []),
    ),
    "shelf": (
        Key("base_url", STRING, "Where out/ is published (https://…/); adds a QR code per document.", ""),
        Key("staff_language", TEXT, "Language of the shelf page's own words.", "en"),
    ),
    "readability": (
        Key("reading_age", NUMBER, "Reading age in years (5 to 25) `check` holds translations to.", 11),
        Key("plain_words", STRINGS, "Words `check` does not count as hard (drug names, places).", []),
    ),
    "leaflets.*": (
        Key("template", TEXT, "Template file in templates/.", "NAME.html"),
        Key("version", VERSION, 'Content version, in quotes ("1.0").', required=True),
        Key("published", DATE, "Date this version was published.", required=True),
        Key("next_review", DATE, "Date the content must be reviewed again.", required=True),
        Key("sources", STRINGS, "References the content is based on.", required=True),
        Key("page_budget", BUDGET, "Maximum pages per edition; `check` warns above it.", {}),
        Key("clinic", TEXT, "The `[clinics.NAME]` whose contact details it shows.", "the `[clinic]` table"),
        Key("languages", STRINGS, "The locales it is offered in.", "every locale"),
        # --- Retired keys: known, so that the loader can say how to migrate ----------------
        Key("approved_by", STRING, "Retired: an error; `leaflets approve` records sign-off.", legacy=True),
        Key("approved_on", Kind("any", lambda v: None), "Retired, as approved_by.", legacy=True),
    ),
    "languages.*": (
        Key("paper", STRING, "Paper size for this locale, overriding `paper`.", ""),
        Key("fonts", STRINGS, "Font families to draw this language with first (fonts/ or the tool's).", []),
        # --- Retired keys: known, so that the loader can say how to migrate ----------------
        Key("reviewed_by", STRING, "Retired: an error; `leaflets review` records sign-off.", legacy=True),
        Key("reviewed_on", Kind("any", lambda v: None), "Retired, as reviewed_by.", legacy=True),
    ),
}
#: Tables of fixed name; ``clinic`` is required.
FIXED_TABLES = ("clinic", "theme", "shelf", "readability")
#: Which tables hold named sub-tables, and what their names may be.
NAMED_TABLES = {"leaflets": "leaflets.*", "languages": "languages.*", "clinics": "clinics.*"}
TABLE_DESCRIPTIONS = {
    "": "Top level",
    "clinic": "`[clinic]` (required)",
    "clinics.*": "`[clinics.NAME]`: optional, a department's own contact details (keys of `[clinic]`)",
    "theme": "`[theme]`: optional, the frame's colours, logo and extra stylesheets",
    "readability": "`[readability]`: optional, for `leaflets check`",
    "shelf": "`[shelf]`: optional, the staff's shelf page (out/index.html)",
    "leaflets.*": "`[leaflets.NAME]`: one per leaflet",
    "languages.*": "`[languages.CODE]`: optional, per locale",
}


@dataclass(frozen=True)
class Problem:
    line: int | None
    message: str


def _suggest(name: str, known) -> str:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f" (did you mean `{close[0]}`?)" if close else ""


def key_lines(text: str) -> dict[str, int]:
    """The line of every table and key of a TOML text, by dotted path.

    tomllib keeps no positions. Keys of inline tables get the line of the key holding them.
    """
    lines: dict[str, int] = {}
    table = ""
    part = r'(?:"[^"]*"|\'[^\']*\'|[A-Za-z0-9_-]+)'
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        header = re.match(rf"^\[\s*({part}(?:\s*\.\s*{part})*)\s*\]", stripped)
        if header:
            table = ".".join(p.strip().strip("\"'") for p in re.findall(part, header[1]))
            lines.setdefault(table, number)
            continue
        key = re.match(rf"^({part}(?:\s*\.\s*{part})*)\s*=", stripped)
        if key:
            name = ".".join(p.strip().strip("\"'") for p in re.findall(part, key[1]))
            full = f"{table}.{name}" if table else name
            lines.setdefault(full, number)
            inline = stripped[key.end() :]
            for inner in re.finditer(rf"[{{,]\s*({part})\s*=", inline):
                lines.setdefault(f"{full}.{inner[1].strip(chr(34) + chr(39))}", number)
    return lines


def validate(data: dict[str, Any], text: str) -> tuple[dict[str, Any], list[Problem]]:
    """Check ``data`` (``tomllib`` output of ``text``); return it with defaults, and every problem."""
    lines = key_lines(text)
    problems: list[Problem] = []

    def at(path: str) -> int | None:
        while path:
            if path in lines:
                return lines[path]
            path = path.rpartition(".")[0]
        return None

    def table(values: dict[str, Any], schema_path: str, path: str) -> dict[str, Any]:
        keys = {key.name: key for key in SCHEMA[schema_path]}
        children = [name for name, pattern in NAMED_TABLES.items() if not schema_path and pattern]
        subtables = [*FIXED_TABLES, *children] if not schema_path else []
        result: dict[str, Any] = {}
        for name, value in values.items():
            where = f"{path}.{name}" if path else name
            if name in subtables:
                continue
            key = keys.get(name)
            if key is None:
                label = f"[{path}] " if path else ""
                problems.append(
                    Problem(
                        at(where),
                        f"unknown setting {label}`{name}`{_suggest(name, [*keys, *subtables])}",
                    )
                )
                continue
            problem = key.kind.check(value)
            if problem:
                problems.append(Problem(at(where), f"`{where}` {problem}"))
                continue
            result[name] = value
        for key in keys.values():
            if key.required and key.name not in values:
                problems.append(Problem(at(path), f"[{path}] needs {key.name!r} ({key.description})"))
        return result

    clean = table(data, "", "")
    clinic = data.get("clinic")
    if isinstance(clinic, dict):
        clean["clinic"] = table(clinic, "clinic", "clinic")
    elif clinic is None:
        problems.append(Problem(None, "a [clinic] table is required (name, doctor, phone, country)"))
    else:
        problems.append(Problem(at("clinic"), "`clinic` must be a table, [clinic]"))
    for name in FIXED_TABLES[1:]:  # the optional ones
        values = data.get(name, {})
        if isinstance(values, dict):
            clean[name] = table(values, name, name)
        else:
            problems.append(Problem(at(name), f"`{name}` must be a table, [{name}]"))
    for name, pattern in NAMED_TABLES.items():
        group = data.get(name, {})
        clean[name] = {}
        if not isinstance(group, dict):
            problems.append(Problem(at(name), f"`{name}` must hold tables, [{name}.NAME]"))
            continue
        for child, values in group.items():
            if not isinstance(values, dict):
                problems.append(Problem(at(f"{name}.{child}"), f"`{name}.{child}` must be a table"))
                continue
            clean[name][child] = table(values, pattern, f"{name}.{child}")
    return clean, problems


def default(table: str, name: str) -> Any:
    """The default of a key, for the dataclasses that hold the settings."""
    return next(key.default for key in SCHEMA[table] if key.name == name)


def line_of(text: str, path: str) -> int | None:
    """The line of a table or key (dotted path) in a TOML text."""
    lines = key_lines(text)
    while path:
        if path in lines:
            return lines[path]
        path = path.rpartition(".")[0]
    return None


def reference() -> str:
    """The README's settings reference, in Markdown."""
    out = []
    for path, keys in SCHEMA.items():
        out.append(f"#### {TABLE_DESCRIPTIONS[path]}\n")
        out.append("| Key | Type | Default | Meaning |")
        out.append("| --- | --- | --- | --- |")
        for key in keys:
            default = "required" if key.required else _show(key.default)
            out.append(f"| `{key.name}` | {key.kind.name} | {default} | {key.description} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _show(value: Any) -> str:
    if value is None or value == "" or value == {}:
        return "none"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return "[" + ", ".join(f'"{v}"' for v in value) + "]"
    return f"`{value}`" if not isinstance(value, str) or value.isidentifier() or "." in value else value


if __name__ == "__main__":  # python -m leaflets.schema: print the README's settings reference
    sys.stdout.write(reference())
