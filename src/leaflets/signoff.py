"""Sign-off bound to content: the clinic's approval of a leaflet, a reviewer's check of a translation.

A signature counts only for what was signed (21 CFR Part 11 §11.70: a signature linked to its
record, so that it cannot be carried over to an altered one). An approval records every source
string the leaflet shows, in order, and every setting it prints; a review records a
fingerprint of each message (context, msgid, plural, every msgstr) the leaflet shows in that
language. Anything that differs now makes the document a draft, and the reasons say exactly
what changed. Catalogue header dates decide nothing.

The records live in ``signoff.toml`` beside ``leaflets.toml``: a committed, human-readable file,
so that every sign-off shows in code review and ``git log``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Message

from .errors import ConfigError, LeafletsError
from .project import Leaflet, Project, localized

SIGNOFF_FILE = "signoff.toml"
#: How many detailed reasons a draft notice or an error lists before it says "and N more".
SHOWN = 8


@dataclass(frozen=True)
class Approval:
    """The clinic's approval of one leaflet: who, when, and exactly what they saw."""

    leaflet: str
    by: str
    on: dt.date
    settings: dict[str, str]
    strings: tuple[str, ...]
    note: str = ""

    @property
    def fingerprint(self) -> str:
        return content_fingerprint(self.settings, self.strings)


@dataclass(frozen=True)
class Review:
    """A reviewer's check of a translation: each message's fingerprint as they read it."""

    locale: str
    by: str
    on: dt.date
    leaflets: tuple[str, ...]
    #: Message key (``context\\x04msgid``, or the msgid) → fingerprint of the message.
    messages: dict[str, str] = field(default_factory=dict)
    note: str = ""

    @property
    def fingerprint(self) -> str:
        return _digest(json.dumps(sorted(self.messages.items()), ensure_ascii=False))


@dataclass(frozen=True)
class Records:
    approvals: tuple[Approval, ...] = ()
    reviews: tuple[Review, ...] = ()

    def approval(self, leaflet: str) -> Approval | None:
        """The latest approval of a leaflet."""
        found = [a for a in self.approvals if a.leaflet == leaflet]
        return found[-1] if found else None

    def review_of(self, locale: str, key: str) -> tuple[Review, str] | None:
        """The latest review of ``locale`` that covers a message, with the fingerprint it signed."""
        for review in reversed(self.reviews):
            if review.locale == locale and key in review.messages:
                return review, review.messages[key]
        return None


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def content_fingerprint(settings: dict[str, str], strings: tuple[str, ...] | list[str]) -> str:
    return "sha256:" + _digest(
        json.dumps({"settings": settings, "strings": list(strings)}, ensure_ascii=False, sort_keys=True)
    )


def message_key(context: str | None, msgid: str) -> str:
    return f"{context}\x04{msgid}" if context else msgid


def message_fingerprint(message: Message) -> str:
    """A digest of everything a reviewer reads in one entry: context, msgid, plural, translations."""
    ids = list(message.id) if isinstance(message.id, tuple | list) else [message.id]
    strings = list(message.string) if isinstance(message.string, tuple | list) else [message.string]
    return _digest(json.dumps([message.context, ids, strings], ensure_ascii=False))[:16]


def printed_settings(project: Project, leaflet: Leaflet) -> dict[str, str]:
    """Every setting a leaflet prints, by name: what an approval of its content covers."""
    clinic = project.clinic
    settings: dict[str, str] = {}
    for code in project.locales:
        settings[f"clinic.name[{code}]"] = localized(clinic.name, code, project.source_locale)
        if clinic.address:
            settings[f"clinic.address[{code}]"] = localized(clinic.address, code, project.source_locale)
    for name in ("doctor", "phone", "whatsapp", "emergency_number", "email", "website", "country"):
        settings[f"clinic.{name}"] = str(getattr(clinic, name))
    settings[f"leaflets.{leaflet.slug}.version"] = leaflet.version
    settings[f"leaflets.{leaflet.slug}.published"] = leaflet.published.isoformat()
    settings[f"leaflets.{leaflet.slug}.next_review"] = leaflet.next_review.isoformat()
    for index, source in enumerate(leaflet.sources, 1):
        settings[f"leaflets.{leaflet.slug}.sources[{index}]"] = source
    return settings


# Reading and writing signoff.toml.


def signoff_path(project: Project) -> Path:
    return project.root / SIGNOFF_FILE


def read_records(project: Project) -> Records:
    """The project's sign-off records; none when the file does not exist yet."""
    path = signoff_path(project)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Records()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+)", str(exc))
        raise ConfigError(f"{path}{':' + match[1] if match else ''}: {exc}") from None
    try:
        approvals = tuple(
            Approval(
                leaflet=_text(item, "leaflet"),
                by=_text(item, "by"),
                on=_date(item, "on"),
                settings={str(k): str(v) for k, v in item.get("settings", {}).items()},
                strings=tuple(str(s) for s in item.get("strings", [])),
                note=str(item.get("note", "")),
            )
            for item in data.get("approval", [])
        )
        reviews = tuple(
            Review(
                locale=_text(item, "locale"),
                by=_text(item, "by"),
                on=_date(item, "on"),
                leaflets=tuple(str(s) for s in item.get("leaflets", [])),
                messages={str(k): str(v) for k, v in item.get("messages", {}).items()},
                note=str(item.get("note", "")),
            )
            for item in data.get("review", [])
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{path}: a sign-off record is incomplete or malformed: {exc}") from None
    for index, approval in enumerate(approvals):
        recorded = data["approval"][index].get("fingerprint")
        if recorded and recorded != approval.fingerprint:
            raise ConfigError(
                f"{path}: the approval of {approval.leaflet} by {approval.by} on {approval.on} does not "
                "match its fingerprint: the record was edited by hand"
            )
    return Records(approvals, reviews)


def _text(item: dict, key: str) -> str:
    value = item[key]
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{key!r} must be a non-blank string")
    return value.strip()


def _date(item: dict, key: str) -> dt.date:
    value = item[key]
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ValueError(f"{key!r} must be a date (YYYY-MM-DD)")
    return value


def _quote(text: str) -> str:
    # A JSON string is a valid TOML basic string.
    return json.dumps(text, ensure_ascii=False)


def _format(records: Records) -> str:
    lines = [
        "# Sign-off records of this content project, written by `leaflets approve` and",
        "# `leaflets review`. Commit this file: a release build ships a document only while what",
        "# it shows is exactly what was approved and reviewed here. Do not edit it by hand.",
    ]
    for approval in records.approvals:
        lines += [
            "",
            "[[approval]]",
            f"leaflet = {_quote(approval.leaflet)}",
            f"by = {_quote(approval.by)}",
            f"on = {approval.on.isoformat()}",
            f"note = {_quote(approval.note)}",
            f"fingerprint = {_quote(approval.fingerprint)}",
            "strings = [",
            *(f"    {_quote(s)}," for s in approval.strings),
            "]",
            "[approval.settings]",
            *(f"{_quote(k)} = {_quote(v)}" for k, v in approval.settings.items()),
        ]
    for review in records.reviews:
        lines += [
            "",
            "[[review]]",
            f"locale = {_quote(review.locale)}",
            f"by = {_quote(review.by)}",
            f"on = {review.on.isoformat()}",
            f"leaflets = [{', '.join(_quote(s) for s in review.leaflets)}]",
            f"note = {_quote(review.note)}",
            f"fingerprint = {_quote(review.fingerprint)}",
            "[review.messages]",
            *(f"{_quote(k)} = {_quote(v)}" for k, v in review.messages.items()),
        ]
    return "\n".join(lines) + "\n"


def write_records(project: Project, records: Records) -> Path:
    from .output import write_atomic

    path = signoff_path(project)
    write_atomic(path, _format(records).encode("utf-8"))
    return path


# What a leaflet shows, and how it compares with what was signed.


@dataclass(frozen=True)
class Shown:
    """The strings one document shows in one locale, as the translator looked them up."""

    locale: str
    #: (context, msgid) in the order the document first shows them.
    keys: tuple[tuple[str | None, str], ...]
    #: For a translated locale: the catalogue's entry for each key (None when missing).
    messages: dict[tuple[str | None, str], Message | None]
    catalogue: Path | None = None


def source_strings(shown: Shown) -> tuple[str, ...]:
    return tuple(message_key(context, msgid) for context, msgid in shown.keys)


def approval_reasons(project: Project, leaflet: Leaflet, records: Records, shown: Shown) -> list[str]:
    """Why a leaflet's content is not what the clinic approved (empty when it is)."""
    approval = records.approval(leaflet.slug)
    if approval is None:
        return [
            f"{leaflet.slug}: not approved by the clinic (run `leaflets approve {leaflet.slug} --by NAME`)"
        ]
    settings, strings = printed_settings(project, leaflet), source_strings(shown)
    if content_fingerprint(settings, strings) == approval.fingerprint:
        return []
    since = f"since {approval.by}'s approval on {approval.on.isoformat()}"
    reasons = []
    for name in sorted(settings.keys() | approval.settings.keys()):
        old, new = approval.settings.get(name), settings.get(name)
        if old != new:
            reasons.append(
                f"setting {name} changed {since}: {old!r} → {new!r} ({project.settings_path.name})"
            )
    locations = _source_locations(project)
    matcher = difflib.SequenceMatcher(a=approval.strings, b=strings, autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag in ("delete", "replace"):
            for text in approval.strings[a0:a1]:
                reasons.append(f"source string removed {since}: {_show(text)}")
        if tag in ("insert", "replace"):
            for text in strings[b0:b1]:
                where = locations.get(text)
                reasons.append(
                    f"{where + ': ' if where else ''}source string added or changed {since}: {_show(text)}"
                )
    return reasons or [f"{leaflet.slug}: content differs from what was approved {since}"]


def review_reasons(records: Records, shown: Shown) -> list[str]:
    """Why a translation is not what a reviewer checked (empty when every string is reviewed).

    Strings changed since their review are named one by one; strings no review has covered are
    counted (named too when a review of the language exists, so a new string stands out).
    """
    reasons = []
    never = []
    reviewed_before = any(r.locale == shown.locale for r in records.reviews)
    for key in shown.keys:
        message = shown.messages.get(key)
        if message is None:
            continue  # not translated: reported as a fallback
        where = f"{shown.catalogue}:{message.lineno}" if shown.catalogue else shown.locale
        found = records.review_of(shown.locale, message_key(*key))
        if found is None:
            never.append(f"{where}: not reviewed in {shown.locale}: {_show(key[1])}")
        elif found[1] != message_fingerprint(message):
            review = found[0]
            reasons.append(
                f"{where}: changed since {review.by}'s review on {review.on.isoformat()}: {_show(key[1])}"
            )
    if never and not reviewed_before:
        reasons.append(
            f"{shown.catalogue or shown.locale}: {len(never)} strings not reviewed in {shown.locale} "
            f"(run `leaflets review {shown.locale} --by NAME`)"
        )
    else:
        reasons += never
    return reasons


def _show(text: str) -> str:
    text = text.replace("\x04", " | ")
    return repr(text if len(text) <= 90 else text[:87] + "…")


def _source_locations(project: Project) -> dict[str, str]:
    """Where each source string is written (``templates/x.html:12``), from ``messages.pot``."""
    from .catalogs import read_catalog

    try:
        template = read_catalog(project.pot_path)
    except LeafletsError:
        return {}
    found = {}
    for message in template:
        if message.id and message.locations:
            msgid = message.id[0] if isinstance(message.id, tuple | list) else message.id
            filename, line = message.locations[0]
            found[message_key(message.context, msgid)] = f"{filename}:{line}"
    return found


def summary(reasons: list[str], limit: int = SHOWN) -> list[str]:
    """The first reasons, and how many more there are."""
    if len(reasons) <= limit:
        return reasons
    return [*reasons[:limit], f"… and {len(reasons) - limit} more"]


# Signing: what `leaflets approve` and `leaflets review` do.


def approve(project: Project, slug: str, by: str, on: dt.date, note: str = "") -> Approval:
    """Record the clinic's approval of a leaflet's content as it is now."""
    from .render import approval_shown

    leaflet = project.leaflet(slug)
    if not by.strip():
        raise LeafletsError("an approval needs the approver's name (--by)")
    shown = approval_shown(project, leaflet)
    approval = Approval(slug, by.strip(), on, printed_settings(project, leaflet), source_strings(shown), note)
    records = read_records(project)
    write_records(project, Records((*records.approvals, approval), records.reviews))
    return approval


@dataclass(frozen=True)
class Pending:
    """A string of a translation that needs a reviewer's look, and why."""

    leaflet: str
    key: tuple[str | None, str]
    message: Message
    catalogue: Path | None
    why: str

    @property
    def where(self) -> str:
        return f"{self.catalogue}:{self.message.lineno}" if self.catalogue else ""


def to_review(
    project: Project, locale: str, leaflets: list[str] | None = None, changed: bool = False
) -> list[Pending]:
    """The translated strings of ``leaflets`` in ``locale``: all of them, or with ``changed`` only
    those never reviewed or changed since their review. Untranslated and fuzzy strings are left
    out: they show the source text and keep the document a draft until translated."""
    from .render import translation_shown

    if locale == project.source_locale:
        raise LeafletsError(f"{locale} is the source language: approve the leaflets instead")
    project.check_locale(locale)
    records = read_records(project)
    found: list[Pending] = []
    seen: set[tuple[str | None, str]] = set()
    for slug in leaflets or list(project.leaflets):
        shown = translation_shown(project, project.leaflet(slug), locale)
        for key in shown.keys:
            message = shown.messages.get(key)
            if message is None or message.fuzzy or key in seen or not _translated(message):
                continue
            seen.add(key)
            previous = records.review_of(locale, message_key(*key))
            if previous is None:
                why = "never reviewed"
            elif previous[1] != message_fingerprint(message):
                why = f"changed since {previous[0].by}'s review on {previous[0].on.isoformat()}"
            else:
                why = ""
            if why or not changed:
                found.append(Pending(slug, key, message, shown.catalogue, why or "reviewed"))
    return found


def _translated(message: Message) -> bool:
    from .catalogs import is_translated

    return is_translated(message)


def review(
    project: Project,
    locale: str,
    by: str,
    on: dt.date,
    leaflets: list[str] | None = None,
    note: str = "",
    changed: bool = False,
) -> tuple[Review, list[Pending]]:
    """Record a reviewer's check of the translated strings (all, or with ``changed`` only the
    ones that need a new look) of ``leaflets`` in ``locale``."""
    if not by.strip():
        raise LeafletsError("a review needs the reviewer's name (--by)")
    pending = to_review(project, locale, leaflets, changed)
    record = Review(
        locale,
        by.strip(),
        on,
        tuple(leaflets or project.leaflets),
        {message_key(*p.key): message_fingerprint(p.message) for p in pending},
        note,
    )
    records = read_records(project)
    write_records(project, Records(records.approvals, (*records.reviews, record)))
    return record, pending
