"""The review sheet: what a reviewer reads and signs, string by string (``leaflets review --sheet``)."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

from .locales import ASSETS_DIR, locale_info
from .project import Project
from .signoff import Pending, message_fingerprint

_CSS = """
@page { size: A4; margin: 15mm;
  @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; } }
body { font-family: "Leaflets Sans", "Leaflets Naskh", sans-serif; font-size: 10pt; }
h1 { font-size: 16pt; margin: 0 0 2mm; } h2 { font-size: 13pt; margin: 5mm 0 2mm; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 0.3mm solid #999; padding: 1.5mm; vertical-align: top; text-align: start; }
tr { break-inside: avoid; }
.where, .why, .fp { font-size: 8pt; color: #333; }
.sign { margin-top: 8mm; }
.sign span { display: inline-block; min-width: 70mm; border-bottom: 0.3mm solid #000; }
"""


def sheet_html(
    project: Project, locale: str, pending: list[Pending], by: str, on: dt.date, fingerprint: str
) -> str:
    """One HTML page grouped by leaflet: source, translation, translator's comment, ``path:line``."""
    info = locale_info(locale)
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="en"><head><meta charset="utf-8"><title>Review sheet: {esc(info.english_name)}</title>',
        f'<link rel="stylesheet" href="{(ASSETS_DIR / "base.css").as_uri()}">',
        f"<style>{_CSS}</style></head><body>",
        f"<h1>Review sheet: {esc(project.name)}, {esc(info.english_name)} ({esc(locale)})</h1>",
        f"<p>Reviewer: <strong>{esc(by or '…')}</strong>. Date: <strong>{on.isoformat()}</strong>. "
        f"{len(pending)} string(s). Fingerprint of what is signed: <code>{esc(fingerprint)}</code></p>",
    ]
    for slug in dict.fromkeys(p.leaflet for p in pending):
        parts.append(f"<h2>{esc(slug)}</h2>")
        parts.append(
            '<table><thead><tr><th scope="col">Source</th><th scope="col">Translation</th>'
            '<th scope="col">Notes</th></tr></thead><tbody>'
        )
        for item in (p for p in pending if p.leaflet == slug):
            message = item.message
            ids = list(message.id) if isinstance(message.id, tuple | list) else [message.id]
            forms = message.string if isinstance(message.string, tuple | list) else [message.string]
            strings = [str(s or "") for s in forms]
            source_cell = "<br>".join(esc(i) for i in ids)
            target_cell = "<br>".join(esc(s) for s in strings)
            comments = [*message.auto_comments, *message.user_comments]
            parts.append(
                "<tr>"
                f'<td lang="{esc(project.source_locale)}">{source_cell}</td>'
                f'<td lang="{esc(info.lang)}" dir="{info.direction}">{target_cell}</td>'
                f'<td><div class="why">{esc(item.why)}</div>'
                + "".join(f"<div>{esc(c)}</div>" for c in comments)
                + f'<div class="where">{esc(item.where)}</div>'
                f'<div class="fp">{message_fingerprint(message)}</div></td>'
                "</tr>"
            )
        parts.append("</tbody></table>")
    parts.append('<p class="sign">Signature: <span>&nbsp;</span></p></body></html>')
    return "\n".join(parts)


def write_sheet(path: Path, text: str) -> None:
    """Write the sheet as HTML, or as PDF when ``path`` ends in ``.pdf``."""
    from .output import write_atomic

    if path.suffix.lower() == ".pdf":
        from weasyprint import HTML

        from .render import font_config

        data = HTML(string=text, base_url=ASSETS_DIR.as_uri() + "/").write_pdf(font_config=font_config())
    else:
        data = text.encode("utf-8")
    write_atomic(path, data)
