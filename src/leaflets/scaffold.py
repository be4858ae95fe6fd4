"""``leaflets new DIR``: a working project in one command, as ``sphinx-quickstart`` makes one."""

from __future__ import annotations

from pathlib import Path

from .errors import ConfigError
from .output import write_atomic
from .project import SETTINGS_FILE, load_project

SCAFFOLD_DIR = Path(__file__).resolve().parent / "scaffold"
#: Scaffold file → where it goes in the new project (a wheel may drop dot-files, hence the rename).
FILES = {
    "leaflets.toml": SETTINGS_FILE,
    "README.md": "README.md",
    "gitignore": ".gitignore",
    "templates/example.html": "templates/example.html",
}


def new_project(folder: Path) -> list[Path]:
    """Write a new project into ``folder`` (absent or empty); return the files written."""
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ConfigError(f"{folder}: exists and is not an empty folder; `leaflets new` writes a new one")
    written = []
    for source, target in FILES.items():
        path = folder / target
        write_atomic(path, (SCAFFOLD_DIR / source).read_bytes())
        written.append(path)
    (folder / "locales").mkdir(exist_ok=True)
    from .translate import extract

    pot, _count, _changed = extract(load_project(folder))
    written.append(pot)
    return written
