"""Catalogue files as translators' tools leave them: `leaflets update` and GNU gettext agree.

A translator may run `leaflets update`, `msgmerge` (what Poedit runs), a web platform or a CAT
tool's XLIFF round trip on the same files. Each switch must leave a small diff, and what one
tool writes the others must read.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from leaflets.catalogs import read_catalog
from leaflets.cli import main

from .conftest import tool


def invoke(runner, project_dir: Path, *args: str):
    return runner.invoke(main, ["--project", str(project_dir), *args])


def po(project_dir: Path, code: str) -> Path:
    return project_dir / "locales" / code / "LC_MESSAGES" / "messages.po"


def changed_lines(before: bytes, after: bytes) -> int:
    import difflib

    diff = difflib.unified_diff(before.decode().splitlines(), after.decode().splitlines(), n=0, lineterm="")
    return sum(1 for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---")))


def make_fuzzy(project_dir: Path) -> None:
    """Change two source sentences, one short and one long, as an author editing a leaflet would."""
    partial = project_dir / "templates" / "_get_help.html"
    text = partial.read_text()
    assert "pain that gets much worse" in text
    partial.write_text(text.replace("pain that gets much worse", "pain that gets much worse or spreads"))
    prepare = project_dir / "templates" / "_prepare.html"
    text = prepare.read_text()
    assert "If you have sedation, an adult must take you home" in text
    prepare.write_text(
        text.replace(
            "If you have sedation, an adult must take you home",
            "If you have sedation, a grown-up must take you home",
        )
    )


def test_update_twice_gives_the_same_bytes_and_msgfmt_accepts_the_previous_msgids(runner, project_dir):
    make_fuzzy(project_dir)
    assert invoke(runner, project_dir, "extract").exit_code == 0
    first = invoke(runner, project_dir, "update")
    assert first.exit_code == 0, first.output
    assert first.output.count("2 fuzzy") == 4
    after_first = {code: po(project_dir, code).read_bytes() for code in ("tr", "ar", "ru", "de")}
    second = invoke(runner, project_dir, "update")
    assert second.exit_code == 0
    assert second.output.count(": unchanged;") == 4
    for code, data in after_first.items():
        assert po(project_dir, code).read_bytes() == data, code
        text = data.decode()
        assert '#| msgid "pain that gets much worse"\n' in text
        assert "# |" not in text  # never a previous msgid mangled into a translator comment
        check = subprocess.run(
            [tool("msgfmt"), "-c", "-o", "/dev/null", str(po(project_dir, code))],
            capture_output=True,
            text=True,
        )
        assert check.returncode == 0, check.stderr
        fuzzy = [m for m in read_catalog(po(project_dir, code)) if m.id and m.fuzzy]
        assert sorted(m.previous_id[0] for m in fuzzy) == [
            "If you have sedation, an adult must take you home and should stay with you for the first "
            "night. You must not drive at any time in the first 24 hours after the treatment. Wait longer "
            "if your doctor tells you to.",
            "pain that gets much worse",
        ]


@pytest.mark.parametrize("previous", [[], ["--previous"]], ids=["msgmerge", "msgmerge-previous"])
def test_msgmerge_after_leaflets_update_changes_almost_nothing(runner, project_dir, previous):
    make_fuzzy(project_dir)
    assert invoke(runner, project_dir, "extract").exit_code == 0
    assert invoke(runner, project_dir, "update").exit_code == 0
    pot = project_dir / "locales" / "messages.pot"
    for code in ("tr", "ar", "ru", "de"):
        path = po(project_dir, code)
        ours = path.read_bytes()
        # Poedit's way (it keeps previous msgids), and plain msgmerge's.
        subprocess.run(
            [tool("msgmerge"), "-q", "-U", *previous, "--backup=none", str(path), str(pot)], check=True
        )
        theirs = path.read_bytes()
        assert changed_lines(ours, theirs) < 20, code
        # ...and back: `leaflets update` on msgmerge's file changes nothing either.
        assert invoke(runner, project_dir, "update", "-l", code).exit_code == 0
        assert changed_lines(theirs, path.read_bytes()) < 20, code


def test_msgcat_rewrites_no_line_of_a_shipped_catalogue(tmp_path):
    from .conftest import REPO

    paths = sorted((REPO / "locales").glob("*/LC_MESSAGES/messages.po")) + [REPO / "locales" / "messages.pot"]
    assert len(paths) >= 5
    for path in paths:
        out = tmp_path / path.name
        subprocess.run([tool("msgcat"), "-o", str(out), str(path)], check=True)
        assert changed_lines(path.read_bytes(), out.read_bytes()) == 0, path


def test_update_keeps_windows_line_endings(runner, project_dir):
    path = po(project_dir, "de")
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    make_fuzzy(project_dir)
    assert invoke(runner, project_dir, "extract").exit_code == 0
    assert invoke(runner, project_dir, "update", "-l", "de").exit_code == 0
    data = path.read_bytes()
    assert b"#| msgid" in data
    assert data.count(b"\r\n") == data.count(b"\n")


def test_update_check_fails_when_a_catalogue_or_the_template_is_out_of_date(runner, project_dir):
    clean = invoke(runner, project_dir, "update", "--check")
    assert clean.exit_code == 0, clean.output
    assert clean.output.count("up to date") == 4
    before = {p: p.read_bytes() for p in (project_dir / "locales").rglob("*.po*")}
    make_fuzzy(project_dir)
    stale = invoke(runner, project_dir, "update", "--check")
    assert stale.exit_code == 1
    assert "messages.pot: out of date; run `leaflets extract`" in stale.output
    assert stale.output.count("out of date; 0 new, 2 fuzzy") == 4
    assert {p: p.read_bytes() for p in before} == before  # --check writes nothing


def test_a_byte_order_mark_is_accepted_named_and_removed(runner, project_dir):
    path = po(project_dir, "de")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    stats = invoke(runner, project_dir, "stats", "--json")
    assert stats.exit_code == 0, stats.output
    assert {row["locale"] for row in json.loads(stats.output)} == {"tr", "ar", "ru", "de"}
    check = invoke(runner, project_dir, "check", "--no-pages")
    assert f"{path}:1: [byte-order-mark] warning:" in check.output
    assert invoke(runner, project_dir, "update", "-l", "de").exit_code == 0
    assert not path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert subprocess.run([tool("msgfmt"), "-c", "-o", "/dev/null", str(path)]).returncode == 0


def test_an_extra_plural_form_from_a_cat_tool_is_a_warning_and_ignored(runner, project_dir):
    # An XLIFF round trip through translate-toolkit writes msgstr[1] for Turkish (nplurals=1).
    path = po(project_dir, "tr")
    text = path.read_text()
    plural = text.index("msgid_plural")
    end = text.index("\n\n", plural)
    path.write_text(text[:end] + '\nmsgstr[1] ""' + text[end:])
    line = next(m.lineno for m in read_catalog(path) if isinstance(m.id, tuple))
    check = invoke(runner, project_dir, "check", "--no-pages")
    assert (
        f"{path}:{line}: [plural-forms] warning: more plural forms than the header's nplurals=1"
        in check.output
    )
    assert "Traceback" not in check.output
    stats = invoke(runner, project_dir, "stats", "--json", "-l", "tr")
    assert stats.exit_code == 0, stats.output
    out = project_dir / "out"
    build = invoke(runner, project_dir, "build", "vertebroplasty", "-l", "tr", "-o", str(out))
    assert build.exit_code == 0, build.output
    assert (out / "vertebroplasty-tr.pdf").exists()


def test_one_broken_catalogue_fails_only_its_own_locale(runner, project_dir):
    path = po(project_dir, "ru")
    path.write_text(path.read_text() + '\nmsgid "cut off here\n')
    stats = invoke(runner, project_dir, "stats")
    assert stats.exit_code == 1
    rows = {
        line.split()[0] for line in stats.output.splitlines()[1:] if line and not line.startswith("error")
    }
    assert {"tr", "ar", "de", "ru"} <= rows
    assert f"error: {path}:" in stats.output
    assert "Traceback" not in stats.output
    out = project_dir / "out"
    build = invoke(runner, project_dir, "build", "vertebroplasty", "-l", "ru", "-l", "de", "-o", str(out))
    assert build.exit_code == 1
    assert (out / "vertebroplasty-de.pdf").exists() and not (out / "vertebroplasty-ru.pdf").exists()
    assert str(path) in build.output
