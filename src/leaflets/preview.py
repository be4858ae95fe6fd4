"""Rebuild one document whenever a file it is made from changes (``leaflets preview --watch``).

Changes come as file-system events (``watchfiles``: inotify on Linux, FSEvents on macOS), not
by polling, so a save is seen within :data:`STEP_MS` of the editor writing it; the document is
then rendered by a :class:`~leaflets.renderer.Renderer` kept for the whole session, with its
fonts and hyphenation dictionaries already loaded.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

from .project import Project

WATCHED_SUFFIXES = {".html", ".css", ".po", ".pot", ".svg", ".png", ".jpg", ".toml", ".ttf", ".otf"}
#: A burst of events (an editor writing a temporary file and renaming it) ends when nothing more
#: happens for this long.
STEP_MS = 30
#: How long the watcher may wait in one call before it checks for a stop request.
WAKE_MS = 200


def is_watched(project: Project, path: Path) -> bool:
    """Whether a change to ``path`` can change a document: templates, catalogues, settings."""
    if path == project.settings_path:
        return True
    inside = any(path.is_relative_to(folder) for folder in (project.templates_dir, project.locales_dir))
    return inside and path.suffix in WATCHED_SUFFIXES


def changes(project: Project, stop: threading.Event | None = None) -> Iterator[list[Path]]:
    """Yield the changed files each time something changes, until ``stop`` is set.

    The watcher is running when this returns, so a change made after the call is seen.
    """
    import watchfiles

    folders = [project.root] + [
        f for f in (project.templates_dir, project.locales_dir) if not f.is_relative_to(project.root)
    ]
    events = watchfiles.watch(
        *folders,
        watch_filter=lambda _change, name: is_watched(project, Path(name)),
        step=STEP_MS,
        rust_timeout=WAKE_MS,
        yield_on_timeout=True,
        stop_event=stop or threading.Event(),
    )
    # The first step starts the watcher; it returns at the latest after WAKE_MS.
    first = next(events, set())
    return _changed(first, events)


def _changed(first: set, events: Iterator[set]) -> Iterator[list[Path]]:
    if first:
        yield _paths(first)
    for batch in events:
        if batch:  # an empty batch is the watcher waking up to check for a stop request
            yield _paths(batch)


def _paths(batch: set) -> list[Path]:
    return sorted({Path(name) for _change, name in batch})
