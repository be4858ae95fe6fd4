"""A generated manifest at the shelf page's design scale, for its test and its benchmark.

100 leaflets × 30 languages × 3 editions = 9,000 documents, with an empty file for each so the
page lists them as present. Titles are made up but differ per language, so a search for one
language's title finds exactly that language's rows.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from leaflets.project import Project

#: 30 languages Babel knows, four of them right-to-left.
LANGUAGES = (
    "en tr ar ru de fr es it pt nl pl uk ro el bg cs hu sv fi da fa ur he hi bn zh ja ko vi id"
).split()
EDITIONS = ("standard", "large-print", "bilingual")


def title(leaflet: int, code: str) -> str:
    return f"Procedure{leaflet:03d} leaflet {code}title"


def generate(out: Path, project: Project, leaflets: int = 100) -> tuple[dict, Project]:
    """Write empty document files and return the manifest and a project declaring the languages."""
    out.mkdir(parents=True, exist_ok=True)
    documents = {}
    for number in range(leaflets):
        slug = f"procedure-{number:03d}"
        for code in LANGUAGES:
            for edition in EDITIONS:
                partner = "en" if edition == "bilingual" and code != "en" else None
                if edition == "bilingual" and code == "en":
                    partner = "tr"
                suffix = {"standard": "", "large-print": "-large-print"}.get(edition, "")
                name = f"{slug}-{code}+{partner}.pdf" if partner else f"{slug}-{code}{suffix}.pdf"
                text = title(number, code)
                if partner:
                    text += " – " + title(number, partner)
                documents[name] = {
                    "file": name,
                    "leaflet": slug,
                    "locale": code,
                    "edition": edition,
                    "partner": partner,
                    "title": text,
                    "keywords": {code: f"keyword{number:03d}"},
                    "pages": 4,
                    "version": "1.0",
                    "published": "2026-11-24",
                    "next_review": "2099-11-24",
                    "status": "release" if number % 2 else "draft",
                    "draft_reasons": [] if number % 2 else ["the clinic has not approved the leaflet"],
                }
                (out / name).touch()
    manifest = {"generator": {}, "documents": documents}
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return manifest, dataclasses.replace(project, locales=tuple(LANGUAGES))
