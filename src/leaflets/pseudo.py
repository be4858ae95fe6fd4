"""The pseudo-locale ``en-XA``: accented, bracketed, about 40% longer than the source.

Like translate-toolkit's ``podebug`` and Android's ``en-XA``, it shows untranslatable text
(anything left plain) and layouts that break when a translation grows, without a translator.
Placeholders and tags are kept as they are so the document still renders.
"""

from __future__ import annotations

import re

_ACCENTS = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "ȧƀƈḓḗƒɠħīĵķŀḿƞǿƥɋřşŧŭṽẇẋẏẑȦƁƇḒḖƑƓĦĪĴĶĿḾȠǾƤɊŘŞŦŬṼẆẊẎẐ",
)
_PROTECTED = re.compile(r"(%\(\w+\)[sd]|%%|<[^>]+>|&\w+;)")
_PADDING = "ŀǿřḗḿ īƥşŭḿ ḓǿŀǿř şīŧ ȧḿḗŧ ƈǿƞşḗƈŧḗŧŭř ȧḓīƥīşƈīƞɠ ḗŀīŧ"
EXPANSION = 0.4


def pseudo(text: str) -> str:
    """Accent ``text``, pad it by about 40% and bracket it."""
    if not text:
        return text
    parts = _PROTECTED.split(text)
    accented = "".join(p if _PROTECTED.fullmatch(p) else p.translate(_ACCENTS) for p in parts)
    visible = sum(len(p) for p in parts if not _PROTECTED.fullmatch(p))
    extra = max(1, round(visible * EXPANSION))
    padding = (_PADDING * (extra // len(_PADDING) + 1))[:extra].strip()
    return f"[{accented} {padding}]"
