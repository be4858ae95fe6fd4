"""The bilingual edition: two renderings of a leaflet set side by side, block by block."""

from __future__ import annotations

import re

from .errors import TemplateError
from .locales import LocaleInfo

_SECTION = re.compile(r"<section\b([^>]*)>(.*?)</section>", re.S)
_BLOCK = re.compile(r"<(h[1-6]|p|ul|ol|dl|figure|div|table|aside)\b.*?</\1>", re.S)


def _rows(section: str) -> list[str]:
    """A section's blocks, each heading kept with the block after it."""
    blocks = [m[0] for m in _BLOCK.finditer(section)]
    rows: list[str] = []
    for block in blocks:
        if rows and re.match(r"<h[1-6]\b", rows[-1].rsplit("\n", 1)[-1]):
            rows[-1] += "\n" + block
        else:
            rows.append(block)
    return rows


def bilingual(first: str, second: str, patient: LocaleInfo, partner: LocaleInfo) -> str:
    """Set two renderings of a leaflet side by side, block by block, each in its language.

    A leaflet's ``<main>`` is a sequence of ``<section>`` elements with the same blocks in every
    language; each block and its counterpart share a table row, and a row never splits
    across pages, so the clinician follows what the patient reads.
    """
    main_a = _between(first, "<main>", "</main>")
    main_b = _between(second, "<main>", "</main>")
    sections = _SECTION.findall(main_a)
    rows_a = [_rows(content) for _attributes, content in sections]
    rows_b = [_rows(content) for _attributes, content in _SECTION.findall(main_b)]
    # A section's class (contact, about) styles its cells, as it styled the section.
    classes = [" ".join(re.findall(r'class="([^"]*)"', attributes)) for attributes, _ in sections]
    if [len(r) for r in rows_a] != [len(r) for r in rows_b] or not rows_a:
        raise TemplateError(
            "<main>",
            None,
            "a bilingual edition needs the same <section>s and blocks in both languages",
        )
    body = [
        '<table class="bilingual">',
        f'<thead><tr><th scope="col" class="part-patient">{patient.native_name}</th>'
        f'<th scope="col" class="part-partner" lang="{partner.lang}" dir="{partner.direction}">'
        f"{partner.native_name}</th></tr></thead>",
    ]
    for section_a, section_b, cls in zip(rows_a, rows_b, classes, strict=True):
        body.append(f'<tbody class="{cls}">' if cls else "<tbody>")
        for a, b in zip(section_a, section_b, strict=True):
            b = re.sub(r'\bid="([^"]+)"', rf'id="\1-{partner.code}"', b)
            body.append(
                f'<tr><td class="part-patient">{a}</td>'
                f'<td class="part-partner" lang="{partner.lang}" dir="{partner.direction}">'
                f"{b}</td></tr>"
            )
        body.append("</tbody>")
    body.append("</table>")
    title_b = _between(second, "<h1>", "</h1>")
    subtitle = (
        f'<p class="title-partner" lang="{partner.lang}" dir="{partner.direction}">{title_b}</p>\n</header>'
    )
    html = first.replace(main_a, "\n" + "\n".join(body) + "\n", 1)
    html = html.replace("</header>", subtitle, 1)
    title_a = _between(first, "<title>", "</title>")
    return html.replace(
        f"<title>{title_a}</title>",
        f"<title>{title_a} – {_between(second, '<title>', '</title>')}</title>",
        1,
    )


def _between(text: str, start: str, end: str) -> str:
    i = text.index(start) + len(start)
    return text[i : text.index(end, i)]
