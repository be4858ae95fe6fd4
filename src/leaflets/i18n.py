"""The tool's own words (the shelf page's labels, ...) in the staff's language.

They live in the gettext domain ``leaflets`` inside the package:
``src/leaflets/locale/<lang>/LC_MESSAGES/leaflets.po``, read directly like a project's
catalogues (no ``.mo``). English is the source and needs no catalogue. Updating the domain
after changing a ``_("...")`` string is a developer step (README, "The tool's own catalogues").
"""

from __future__ import annotations

import functools
from pathlib import Path

from .catalogs import read_catalog

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "leaflets"
SOURCE = "en"


def po_path(language: str) -> Path:
    return LOCALE_DIR / language.replace("-", "_") / "LC_MESSAGES" / f"{DOMAIN}.po"


def staff_languages() -> tuple[str, ...]:
    """The languages the tool speaks: English and every catalogue of the ``leaflets`` domain."""
    found = sorted(
        p.parent.parent.name.replace("_", "-") for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")
    )
    return (SOURCE, *(code for code in found if code != SOURCE))


class Words:
    """``gettext`` over one catalogue of the tool's domain; untranslated or fuzzy gives English."""

    def __init__(self, language: str, table: dict[str, str]):
        self.language = language
        self._table = table

    def gettext(self, message: str) -> str:
        return self._table.get(message) or message

    __call__ = gettext


@functools.cache
def words(language: str) -> Words:
    """The tool's words in ``language`` (English when the language has no catalogue)."""
    path = po_path(language)
    if language == SOURCE or not path.is_file():
        return Words(language, {})
    catalog = read_catalog(path)
    table = {
        str(m.id): str(m.string)
        for m in catalog
        if m.id and isinstance(m.string, str) and m.string and not m.fuzzy
    }
    return Words(language, table)
