"""Rebuild one document whenever a file it is made from changes (``leaflets preview --watch``)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

from .project import Project

WATCHED_SUFFIXES = {".html", ".css", ".po", ".pot", ".svg", ".png", ".jpg", ".toml", ".ttf"}


def watched_files(project: Project) -> dict[Path, int]:
    """Modification times of the files that can change a document."""
    files = {project.settings_path: 0}
    for folder in (project.templates_dir, project.locales_dir):
        if folder.is_dir():
            files.update((p, 0) for p in folder.rglob("*") if p.suffix in WATCHED_SUFFIXES)
    stamps = {}
    for path in files:
        try:
            stamps[path] = path.stat().st_mtime_ns
        except FileNotFoundError:
            continue
    return stamps


def changes(
    project: Project, interval: float = 0.5, sleep: Callable[[float], None] = time.sleep
) -> Iterator[list[Path]]:
    """Yield the changed files each time something changes; polls, so it needs no extra package.

    What the files are like is read at once, so a change made after this call returns is seen.
    """
    return _changes(project, watched_files(project), interval, sleep)


def _changes(
    project: Project, before: dict[Path, int], interval: float, sleep: Callable[[float], None]
) -> Iterator[list[Path]]:
    while True:
        sleep(interval)
        now = watched_files(project)
        changed = sorted(p for p in now.keys() | before.keys() if now.get(p) != before.get(p))
        before = now
        if changed:
            yield changed
