"""Files stay inside the project: every name is checked, after resolving links, before opening.

A template name from a template (``{% include "../../etc/x" %}``), an asset name, a symbolic
link in ``templates/`` that points elsewhere: each is refused here, with the path, before
anything is read. The fetcher (``fetch.py``) applies the same rule to what WeasyPrint loads.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from .errors import OutsideProjectError


def inside(root: Path, name: str, what: str = "file") -> Path:
    """The resolved path of ``name`` below ``root``; refuse absolute, ``..`` and links leading out."""
    folder = Path(root)
    plain = str(name).replace("\\", "/")
    if PurePosixPath(plain).is_absolute() or ".." in PurePosixPath(plain).parts:
        raise OutsideProjectError(
            folder, None, f"{what} {name!r} is refused: name files relative to {folder.name}/, without '..'"
        )
    path = folder / plain
    resolved = path.resolve()
    if not resolved.is_relative_to(folder.resolve()):
        raise OutsideProjectError(
            path, None, f"{what} {name!r} leads outside {folder.name}/ (to {resolved}); it is not read"
        )
    return resolved
