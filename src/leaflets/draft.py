"""The DRAFT marker, drawn by the tool on every page of a document that is not release-ready.

It does not depend on the content project's templates: after a leaflet's HTML is rendered, the
tool adds a stamp in the top margin box of every page and a notice with the reasons at the
start of the first page, with styles that a project's stylesheet cannot switch off (they come
last and are ``!important``). The stamp always says the English word DRAFT; a translation of the
label may stand beside it, never instead of it.
"""

from __future__ import annotations

import re

from markupsafe import Markup

from .catalogs import FUZZY, MISSING, UNTRANSLATED, Translator
from .markup import css_string, to_html


def N_(message: str) -> str:
    """Mark a string for the tool's own catalogue (domain ``leaflets``), where every language the
    tool speaks has it translated: a project's catalogue may word it differently."""
    return message


def ngettext(singular: str, plural: str) -> tuple[str, str]:
    """Mark a plural pair for the tool's own catalogue, as :func:`N_` does."""
    return singular, plural


#: The stamp's fixed word, in every language.
WORD = "DRAFT"
LABEL = N_("DRAFT – not approved for use with patients")
HEADING = N_("Draft")
INTRO = N_("This leaflet is not ready to give to patients:")
NOT_APPROVED = N_("The clinic has not approved its content yet.")
NOT_REVIEWED = N_("No reviewer has checked this translation yet.")
FALLBACKS = ngettext(
    "%(num)s sentence is not translated yet and is shown in the original language.",
    "%(num)s sentences are not translated yet and are shown in the original language.",
)
PSEUDO = N_("This is a pseudo-translation for testing the layout.")
#: Every string of the marker and the notice, for extraction into the project's catalogues.
STRINGS = (LABEL, HEADING, INTRO, NOT_APPROVED, NOT_REVIEWED, FALLBACKS, PSEUDO)

_STYLE = """
@page {{ @top-center {{
  content: {stamp} !important; display: block !important; visibility: visible !important;
  color: #a4000f !important; font-weight: 700 !important; font-size: {size} !important;
  letter-spacing: 0.06em !important; opacity: 1 !important; text-transform: none !important;
}} }}
.leaflets-draft-notice {{
  display: block !important; visibility: visible !important; opacity: 1 !important;
  position: static !important; color: #1a1a1a !important; background: #fdecea !important;
  border: 0.6mm solid #a4000f !important; padding: 2mm 3mm !important; margin: 0 0 3mm !important;
  font-size: {notice_size} !important; break-inside: avoid !important;
}}
.leaflets-draft-notice p, .leaflets-draft-notice li {{ margin: 0 0 1mm !important; }}
.leaflets-draft-notice .leaflets-draft-details {{ font-size: {detail_size} !important; }}
"""


def stamp_text(translator: Translator) -> str:
    label = _said(translator, LABEL)[0]
    if not label or label == LABEL:
        return WORD
    # A translation that starts with the English word already would print it twice.
    return label if label.startswith(WORD) else f"{WORD} · {label}"


#: Lookups that give the tool's English text instead of the reader's language.
_ENGLISH = (MISSING, UNTRANSLATED, FUZZY)


def _said(translator: Translator, msgid: str, plural: str | None = None, n: int = 1) -> tuple[str, bool]:
    """A notice string in the reader's language, and whether it fell back to the tool's English.

    Only a draft shows these: they are not recorded as the document's strings, so they neither
    count as untranslated nor need a review (a released document never shows them).
    """
    result = translator.peek(msgid, plural=plural, n=n if plural else None)
    text = Markup(to_html(result.text)).unescape()
    return (text % {"num": n} if plural else text), result.status in _ENGLISH


def _part(text: str, english: bool) -> Markup:
    # English inside a right-to-left page keeps its own direction (the colon and dash stay put).
    return (
        Markup('<span lang="en" dir="ltr">{}</span>').format(text) if english else Markup("{}").format(text)
    )


def notice(translator: Translator, flags: dict, details: list[str]) -> Markup:
    """The first page's notice: why the document is not ready, in the reader's language, and the
    exact reasons for the staff (in English, with ``path:line``)."""
    items: list[tuple[str, bool]] = []
    for flag, msgid in (("not_approved", NOT_APPROVED), ("not_reviewed", NOT_REVIEWED)):
        if flags.get(flag):
            items.append(_said(translator, msgid))
    if flags.get("fallbacks"):
        items.append(_said(translator, FALLBACKS[0], plural=FALLBACKS[1], n=int(flags["fallbacks"])))
    if flags.get("pseudo"):
        items.append(_said(translator, PSEUDO))
    every = [_said(translator, HEADING), _said(translator, INTRO), *items]
    # All in English (a language without the tool's translation): the whole notice is English;
    # some: each English piece says so.
    whole = all(english for _text_, english in every)
    opening = '<aside class="draft-notice leaflets-draft-notice"' + (
        ' lang="en" dir="ltr">' if whole else ">"
    )
    heading_html, intro_html, *item_html = [_part(text, english and not whole) for text, english in every]
    parts = [
        Markup(opening),
        Markup("<p><strong>{}</strong> – {}</p>").format(heading_html, intro_html),
    ]
    if items:
        parts.append(
            Markup("<ul>")
            + Markup("").join(Markup("<li>{}</li>").format(i) for i in item_html)
            + Markup("</ul>")
        )
    if details:
        parts.append(
            Markup('<ul class="leaflets-draft-details" lang="en" dir="ltr">')
            + Markup("").join(Markup("<li>{}</li>").format(d) for d in details)
            + Markup("</ul>")
        )
    parts.append(Markup("</aside>"))
    return Markup("\n").join(parts)


def mark(html: str, translator: Translator, flags: dict, details: list[str], large: bool = False) -> str:
    """``html`` with the tool's DRAFT stamp on every page and the notice at the start of page 1."""
    style = _STYLE.format(
        # Nothing unprintable reaches the stamp; the rest is escaped like all text in CSS.
        stamp=css_string("".join(c for c in stamp_text(translator) if c.isprintable())),
        size="16pt" if large else "10pt",
        notice_size="16pt" if large else "10pt",
        detail_size="14pt" if large else "8pt",
    )
    block = str(notice(translator, flags, details))
    # The notice follows the masthead (or opens the body); the style closes the document, so it
    # comes after every other.
    marked, found = re.subn(
        r"(<body\b[^>]*>\s*<header\b.*?</header>)", lambda m: m[1] + "\n" + block, html, count=1, flags=re.S
    )
    if not found:
        marked, found = re.subn(r"(<body\b[^>]*>)", lambda m: m[1] + "\n" + block, html, count=1)
    if not found:
        marked = block + html
    closing = f"<style>{style}</style>\n"
    if "</html>" in marked:
        head, _sep, tail = marked.rpartition("</html>")
        return head + closing + "</html>" + tail
    return marked + closing
