"""Reading catalogues: errors name the right line; previous msgids survive a rewrite."""

from __future__ import annotations

import pytest

from leaflets.catalogs import read_catalog
from leaflets.errors import CatalogError

HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ('msgid "a"\nmsgstr "b"\n\nmsgid "c"\nbroken line here\nmsgstr "d"\n', 9),
        ('msgid "a"\nmsgstr "b"\n\nmsgid "c"\n', 8),
        ('msgid "a"\nmsgstr "b"\n\nmsgid "c"\nmsgstr "half\n', 9),
    ],
    ids=["garbage", "cut-after-msgid", "cut-inside-string"],
)
def test_a_broken_catalogue_names_the_line(tmp_path, body, line):
    path = tmp_path / "messages.po"
    path.write_text(HEADER + body)
    with pytest.raises(CatalogError) as info:
        read_catalog(path)
    assert info.value.line == line
    assert str(info.value).startswith(f"{path}:{line}: ")


def test_previous_msgid_is_read_back(tmp_path):
    path = tmp_path / "messages.po"
    path.write_text(HEADER + '#, fuzzy\n#| msgid ""\n#| "Old "\n#| "text"\nmsgid "New text"\nmsgstr "Eski"\n')
    message = read_catalog(path).get("New text")
    assert message.fuzzy and message.previous_id == ["Old text"]
