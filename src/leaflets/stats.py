"""How complete each catalogue is, per locale and per leaflet (fuzzy is not translated)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .catalogs import LoadedCatalog, is_translated, message_id, read_catalog
from .errors import CatalogError
from .project import Project
from .templates import parent_locales, template_names

ALL = "(all)"


@dataclass(frozen=True)
class Stats:
    locale: str
    leaflet: str
    total: int
    translated: int
    fuzzy: int
    untranslated: int
    obsolete: int
    #: Why the locale's catalogue could not be read; its counts are then all "untranslated".
    error: str = ""

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 100.0

    def as_dict(self) -> dict:
        return asdict(self) | {"percent": round(self.percent, 1)}


def statistics(project: Project, locales: list[str] | None = None) -> list[Stats]:
    """Counts for every translated locale, for all strings and for each leaflet's own strings."""
    template = read_catalog(project.pot_path)
    wanted = {(m.context, message_id(m)): m for m in template if m.id}
    per_leaflet = {
        slug: {key for key, m in wanted.items() if any(loc[0] in names for loc in m.locations)}
        for slug, leaflet in project.leaflets.items()
        for names in [template_names(project, leaflet)]
    }
    results = []
    for code in locales or [c for c in project.locales if c != project.source_locale]:
        path = project.po_path(code)
        error = ""
        try:
            catalog = read_catalog(path) if path.exists() else None
        except CatalogError as exc:
            # One broken catalogue is its own locale's problem: the others are still counted.
            catalog, error = None, str(exc)
        parents = _parents(project, code)
        state = {}
        for key in wanted:
            message = catalog.get(key[1], context=key[0]) if catalog else None
            if (message is None or not is_translated(message)) and any(
                parent is None or _translated(parent.get(key[1], context=key[0])) for parent in parents
            ):
                # A regional variant needs only the strings that differ from its language.
                state[key] = "translated"
            elif message is None or not is_translated(message):
                state[key] = "untranslated"
            elif message.fuzzy:
                state[key] = "fuzzy"
            else:
                state[key] = "translated"
        obsolete = len(catalog.obsolete) if catalog else 0
        for leaflet, keys in [(ALL, set(wanted)), *per_leaflet.items()]:
            values = [state[k] for k in keys]
            results.append(
                Stats(
                    code,
                    leaflet,
                    len(keys),
                    values.count("translated"),
                    values.count("fuzzy"),
                    values.count("untranslated"),
                    obsolete if leaflet == ALL else 0,
                    error,
                )
            )
    return results


def _parents(project: Project, code: str) -> list[LoadedCatalog | None]:
    """The catalogues a variant falls back to (``de`` for ``de-AT``); None stands for the source."""
    found: list[LoadedCatalog | None] = []
    for parent in parent_locales(code):
        if parent == project.source_locale:
            found.append(None)
        elif project.po_path(parent).is_file():
            try:
                found.append(read_catalog(project.po_path(parent)))
            except CatalogError:
                continue  # counted, and reported, as its own locale
    return found


def _translated(message) -> bool:
    return message is not None and is_translated(message) and not message.fuzzy
