"""Files a build leaves in its output folder: PDFs (written atomically), manifest, shelf page."""

from __future__ import annotations

import html
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
    data = {"generator": tool, "documents": dict(sorted(documents.items()))}
    if data != manifest:  # a no-op build leaves the file alone (encoding it is the slow part)
        write_atomic(path, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    return path


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


def write_shelf(out_dir: Path, manifest: dict, languages: dict[str, dict], title: str) -> Path:
    """``index.html``: every leaflet with its languages by their own names, editions and status.

    Plain HTML with relative links, so it works opened straight from the file system.
    """
    by_leaflet: dict[str, list[tuple[str, dict]]] = {}
    for name, entry in manifest["documents"].items():
        by_leaflet.setdefault(entry["leaflet"], []).append((name, entry))
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title>",
        f"<style>{SHELF_CSS}</style></head><body>",
        f"<header><h1>{html.escape(title)}</h1>",
        '<p>Choose a leaflet, then the patient\'s language. <span class="draft">DRAFT</span> '
        "marks a leaflet that is not approved or not fully translated and reviewed: do not give "
        "it to patients.</p>",
        '<p><label>Find: <input id="filter" type="search" placeholder="leaflet or language" '
        'oninput="filter(this.value)"></label></p></header><main>',
    ]
    for slug in sorted(by_leaflet):
        entries = sorted(by_leaflet[slug], key=lambda item: _order(item[1], languages))
        heading = entries[0][1].get("title_en") or slug
        parts.append(f'<section class="leaflet" id="{html.escape(slug)}">')
        parts.append(f"<h2>{html.escape(heading)}</h2>")
        first = entries[0][1]
        parts.append(
            f'<p class="meta">Version {html.escape(first["version"])}, '
            f"published {html.escape(first['published'])}</p>"
        )
        parts.append(
            '<table><thead><tr><th scope="col">Language</th><th scope="col">Edition</th>'
            '<th scope="col">Pages</th><th scope="col">Status</th></tr></thead><tbody>'
        )
        for name, entry in entries:
            lang = languages.get(entry["locale"], {})
            native = lang.get("native_name", entry["locale"])
            english = lang.get("english_name", "")
            direction = lang.get("direction", "ltr")
            if entry.get("partner"):
                partner = languages.get(entry["partner"], {})
                label = (
                    f'<span lang="{entry["locale"]}" dir="{direction}">{html.escape(native)}</span>'
                    f' + <span lang="{entry["partner"]}" dir="{partner.get("direction", "ltr")}">'
                    f"{html.escape(partner.get('native_name', entry['partner']))}</span>"
                )
            else:
                label = f'<span lang="{entry["locale"]}" dir="{direction}">{html.escape(native)}</span>'
            search = " ".join(
                filter(None, [slug, heading, native, english, entry["locale"], entry["edition"]])
            ).lower()
            status = (
                '<span class="draft">DRAFT</span>'
                if entry["status"] == "draft"
                else '<span class="ok">ready</span>'
            )
            edition = entry["edition"].replace("-", " ")
            # The HTML edition is one web page, whatever its length.
            pages = "web page" if entry["file"].endswith(".html") else entry["pages"]
            parts.append(
                f'<tr data-search="{html.escape(search)}"><td><a href="{html.escape(name)}">{label}</a>'
                f"{' <small>(' + html.escape(english) + ')</small>' if english and english != native else ''}"
                f"</td><td>{html.escape(edition)}</td><td>{pages}</td><td>{status}</td></tr>"
            )
        parts.append("</tbody></table></section>")
    parts.append(
        "</main><script>function filter(q){q=q.toLowerCase();"
        "document.querySelectorAll('tr[data-search]').forEach(function(r){"
        "r.hidden=q&&r.dataset.search.indexOf(q)<0;});}</script></body></html>"
    )
    path = out_dir / SHELF
    write_atomic(path, ("\n".join(parts) + "\n").encode("utf-8"))
    return path


def _order(entry: dict, languages: dict) -> tuple:
    codes = list(languages)
    rank = codes.index(entry["locale"]) if entry["locale"] in codes else len(codes)
    from .project import EDITIONS as editions

    return (
        rank,
        editions.index(entry["edition"]) if entry["edition"] in editions else 9,
        entry.get("partner") or "",
        entry.get("print_shop", False),
    )


SHELF_CSS = """
body{font-family:system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:#1a1a1a}
h1{color:#0d4a6b}h2{color:#0d4a6b;margin-bottom:.2rem}.meta{color:#555;margin-top:0}
table{border-collapse:collapse;width:100%;margin-bottom:1.5rem}
th,td{text-align:start;padding:.35rem .6rem;border-bottom:1px solid #dde5ea}
td a{font-size:1.15rem;font-weight:600;color:#0d4a6b}
.draft{background:#a4000f;color:#fff;padding:.05rem .4rem;border-radius:.2rem;font-weight:700}
.ok{color:#1b6b2a;font-weight:600}input{font-size:1rem;padding:.3rem}
"""
