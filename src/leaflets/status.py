"""Whether a document may go to patients: one rule set for `check`, `build` and `build --release`.

A document is release-ready only when its leaflet's content is exactly what the clinic approved,
every string it shows in each of its languages is exactly what a reviewer checked, nothing falls
back to the source language, no translation fails a check that is an error (a changed number,
a dropped placeholder, phone number, URL or e-mail address, added markup), it is not a
pseudo-translation, and its review date has not passed. Every reason names what to fix.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .catalogs import Lookup, message_strings
from .project import Leaflet, Project
from .signoff import Records, Shown, approval_reasons, review_reasons


@dataclass(frozen=True)
class Status:
    """A document's readiness: flags for the notice's sentences, and every reason in detail."""

    flags: dict = field(default_factory=dict)
    reasons: tuple[str, ...] = ()

    @property
    def ready(self) -> bool:
        return not self.reasons


def check_errors(shown: Shown) -> list[str]:
    """The `check` errors of the translations a document shows (the same rules `check` applies)."""
    from .checks import ERROR, check_pair

    found = []
    for key in shown.keys:
        message = shown.messages.get(key)
        if message is None or message.fuzzy:
            continue
        sources = list(message.id) if isinstance(message.id, tuple | list) else [message.id]
        for index, text in enumerate(message_strings(message)):
            source = sources[min(index, len(sources) - 1)] if len(sources) > 1 and index else sources[0]
            for code, severity, words in check_pair(
                source, text, repr(key[1][:60]), len(sources) > 1, shown.locale
            ):
                if severity == ERROR:
                    found.append(f"{shown.catalogue}:{message.lineno}: [{code}] {words}")
    return found


def document_status(
    project: Project,
    leaflet: Leaflet,
    records: Records,
    source: Shown,
    translated: list[Shown],
    fallbacks: list[Lookup],
    pseudo: bool,
    today: dt.date,
) -> Status:
    approval = approval_reasons(project, leaflet, records, source)
    review = [reason for shown in translated for reason in review_reasons(records, shown)]
    errors = [reason for shown in translated for reason in check_errors(shown)]
    untranslated = [
        f"{item.locale}: {item.status}: {item.msgid[:70]!r}"
        + (f" ({item.line and f'line {item.line}'})" if item.line else " (not in the catalogue)")
        for item in fallbacks
    ]
    other = []
    if pseudo:
        other.append("a pseudo-locale is for testing layouts only")
    if leaflet.next_review < today:
        other.append(f"{leaflet.slug}: its review date {leaflet.next_review} has passed")
    flags = {
        "not_approved": bool(approval),
        "not_reviewed": bool(review),
        "pseudo": pseudo,
        "fallbacks": len(fallbacks),
    }
    return Status(flags, tuple(errors + approval + review + untranslated + other))
