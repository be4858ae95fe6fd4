"""Files a build leaves in its output folder: PDFs (written atomically) and the manifest.

The shelf page that lists them is ``shelf.py``.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

MANIFEST = "manifest.json"
SHELF = "index.html"
TEMP_SUFFIX = ".tmp"


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    A reader, or a build killed at any moment, sees the old file or the new one, never half.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def remove_stale_temporaries(out_dir: Path) -> None:
    """Remove what a killed build left half-written (hidden ``.*.tmp`` files)."""
    if out_dir.is_dir():
        for path in out_dir.glob(f".*{TEMP_SUFFIX}"):
            path.unlink(missing_ok=True)


def read_manifest(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {"documents": {}}
    data.setdefault("documents", {})
    return data


def write_manifest(out_dir: Path, entries: dict[str, dict], tool: dict) -> Path:
    """Merge ``entries`` into ``manifest.json``, keeping entries whose PDF is still there."""
    path = out_dir / MANIFEST
    manifest = read_manifest(path)
    documents = {name: entry for name, entry in manifest["documents"].items() if (out_dir / name).is_file()}
    documents.update(entries)
    data = {"generator": tool, "built_at": built_at(), "documents": dict(sorted(documents.items()))}
    write_atomic(path, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    return path


def built_at() -> str:
    """When the set was built: ``SOURCE_DATE_EPOCH`` when set (reproducible), else now, in UTC."""
    import datetime as dt

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch else dt.datetime.now(dt.UTC)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def merge_manifests(paths: list[Path]) -> dict:
    """One manifest from the manifests of several shards; a document listed twice must agree."""
    merged: dict[str, dict] = {}
    generator: dict = {}
    for path in paths:
        data = read_manifest(path)
        generator = data.get("generator", generator)
        for name, entry in data["documents"].items():
            if name in merged and merged[name]["sha256"] != entry["sha256"]:
                raise ValueError(f"{path}: {name} differs from another shard's")
            merged[name] = entry
    return {"generator": generator, "documents": dict(sorted(merged.items()))}
