"""Translation QA against seeded defects: `leaflets check` catches at least what pofilter does.

Each fixture catalogue in ``fixtures/qa`` has entries with one known defect (``# defect: CLASS``)
and correct translations (``# clean``) written to trip a naive checker: a URL or an e-mail address
at the end of a sentence, Arabic ``؟``, Greek ``;``, Japanese ``。``, German "die die", "z. B.".
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from leaflets.catalogs import read_catalog
from leaflets.checks import check_catalog, check_pair
from leaflets.qa import final_mark, sentences

from .conftest import FIXTURES, tool

QA = FIXTURES / "qa"
CATALOGUES = sorted(QA.glob("*.po"))


def seeded(path: Path) -> dict[str, str]:
    """Each entry's context and what it is: a defect class or ``clean``."""
    catalog = read_catalog(path)
    kinds = {}
    for message in catalog:
        if message.id:
            kinds[message.context] = message.user_comments[0].removeprefix("defect: ")
    return kinds


def flagged_by_check(path: Path) -> set[str]:
    catalog = read_catalog(path)
    lines = {message.lineno: message.context for message in catalog if message.id}
    return {lines[finding.line] for finding in check_catalog(path, catalog, set()) if finding.line in lines}


def flagged_by_pofilter(path: Path, tmp_path: Path) -> set[str]:
    out = tmp_path / f"pofilter-{path.name}"
    language = path.stem
    subprocess.run(
        [tool("pofilter"), f"--language={language}", "-i", str(path), "-o", str(out)],
        check=True,
        capture_output=True,
    )
    return {message.context for message in read_catalog(out) if message.id}


def score(kinds: dict[str, str], flagged: set[str]) -> tuple[int, int, int, int]:
    defects = {context for context, kind in kinds.items() if kind != "clean"}
    clean = set(kinds) - defects
    return len(defects & flagged), len(defects), len(clean & flagged), len(clean)


def test_the_fixture_has_every_defect_class_and_clean_entries():
    assert [path.name for path in CATALOGUES] == ["ar.po", "de.po", "el.po", "ja.po"]
    kinds = [kind for path in CATALOGUES for kind in seeded(path).values()]
    assert kinds.count("clean") >= 15
    assert {
        "numbers",
        "placeholders",
        "urls",
        "emails",
        "phones",
        "markup",
        "tags",
        "doubled-word",
        "end-punctuation",
        "sentences",
        "start-punctuation",
        "brackets",
        "whitespace",
        "double-space",
        "newlines",
        "untranslated",
        "unchanged",
        "length",
    } <= set(kinds)


def test_check_catches_at_least_what_pofilter_catches_with_fewer_false_alarms(tmp_path, capsys):
    ours, theirs = [0, 0, 0, 0], [0, 0, 0, 0]
    missed = []
    for path in CATALOGUES:
        kinds = seeded(path)
        mine = flagged_by_check(path)
        for total, found in (
            (ours, score(kinds, mine)),
            (theirs, score(kinds, flagged_by_pofilter(path, tmp_path))),
        ):
            for index, value in enumerate(found):
                total[index] += value
        missed += [f"{path.name}: {kinds[c]}" for c in kinds if kinds[c] != "clean" and c not in mine]
        missed += [f"{path.name}: clean entry {c} flagged" for c in mine if kinds[c] == "clean"]
    with capsys.disabled():
        print(
            f"\nseeded defects: leaflets check caught {ours[0]}/{ours[1]} with {ours[2]}/{ours[3]} false "
            f"alarms; pofilter caught {theirs[0]}/{theirs[1]} with {theirs[2]}/{theirs[3]}"
        )
    assert ours[1] == theirs[1] and ours[1] >= 30
    assert ours[0] >= theirs[0], missed
    assert ours[2] <= theirs[2], missed
    assert ours[0] == ours[1], missed  # every seeded defect is caught


@pytest.mark.parametrize(
    ("text", "language", "mark"),
    [
        ("Is it worse?", "en", "?"),
        ("هل الألم أسوأ؟", "ar", "?"),
        ("Είναι χειρότερος;", "el", "?"),
        ("休んでください。", "ja", "."),
        ("Bring these:", "en", ":"),
        ("See (page 2).", "en", "."),
        ("«Ja.»", "de", "."),
        ("No mark", "en", ""),
    ],
)
def test_end_marks_are_read_the_way_each_script_writes_them(text, language, mark):
    assert final_mark(text, language) == mark


def test_sentences_are_counted_past_abbreviations_urls_and_numbers():
    assert sentences("Read https://example.org/a.b. Then rest.") == 2
    assert sentences("Bringen Sie z. B. Tabletten mit.", "de") == 1
    assert sentences("Tsoumakidou G, et al. Radiol. 2017;40(3):331-342.") >= 1
    assert sentences("針は細いです。押される感じがあります。", "ja") == 2


def test_a_url_or_an_email_at_the_end_of_a_sentence_is_not_reported_as_dropped():
    for source, text in (
        ("Read more at https://example.org/spine.", "Mehr unter https://example.org/spine."),
        ("Write to info@example.org.", "Schreiben Sie an info@example.org."),
        ("Write to info@example.org, or call.", "Schreiben Sie an info@example.org oder rufen Sie an."),
    ):
        assert [code for code, _severity, _message in check_pair(source, text, "x", locale="de")] == []


def test_an_entry_marked_unchanged_on_purpose_passes_check(tmp_path):
    path = tmp_path / "de.po"
    path.write_text(
        'msgid ""\nmsgstr ""\n"Language: de\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#, leaflets-unchanged\nmsgid "Name: Prof Saim Yilmaz, MD"\nmsgstr "Name: Prof Saim Yilmaz, MD"\n\n'
        'msgid "Keep the wound clean."\nmsgstr "Keep the wound clean."\n',
        encoding="utf-8",
    )
    findings = check_catalog(path, read_catalog(path), set())
    assert [(f.line, f.code) for f in findings] == [(10, "unchanged")]
    assert "#, leaflets-unchanged" in findings[0].message
