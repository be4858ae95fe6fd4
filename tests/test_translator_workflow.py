"""Translators' tools: extract, update, init, stats, check, preview, release gate, en-XA."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po, write_po
from click.testing import CliRunner

from leaflets.catalogs import read_catalog
from leaflets.cli import main
from leaflets.pofile import po_bytes
from leaflets.preview import changes
from leaflets.translate import MAPPING

from .conftest import PYBABEL, REPO, pdftotext, squash, tool

SENTENCE = "The cement sets hard and makes the bone stronger."
CHANGED = "The cement quickly sets hard and makes the bone much stronger."


def letters(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def invoke(runner, project_dir: Path, *args: str):
    return runner.invoke(main, ["--project", str(project_dir), *args])


def approve_and_review(project_dir: Path, *locales: str) -> None:
    """Sign the sample off as a clinic would: approve every leaflet, review each locale."""
    runner = CliRunner()
    for slug in ("vertebroplasty", "ablation"):
        result = invoke(
            runner, project_dir, "approve", slug, "--by", "Prof Saim Yilmaz, MD", "--on", "2026-12-01"
        )
        assert result.exit_code == 0, result.output
    for code in locales:
        result = invoke(runner, project_dir, "review", code, "--by", "Dr Reviewer", "--on", "2026-12-02")
        assert result.exit_code == 0, result.output


def po(project_dir: Path, code: str) -> Path:
    return project_dir / "locales" / code / "LC_MESSAGES" / "messages.po"


def entry(path: Path, msgid: str):
    return read_catalog(path).get(msgid)


def test_changed_source_turns_fuzzy_drafts_and_blocks_release_until_fixed(runner, project_dir):
    approve_and_review(project_dir, "tr")
    out = project_dir / "out"
    # The approved, reviewed, complete Turkish leaflet is releasable.
    result = invoke(runner, project_dir, "build", "vertebroplasty", "-l", "tr", "--release", "-o", str(out))
    assert result.exit_code == 0, result.output

    template = project_dir / "templates" / "vertebroplasty.html"
    template.write_text(template.read_text().replace(SENTENCE, CHANGED))
    assert invoke(runner, project_dir, "extract").exit_code == 0
    update = invoke(runner, project_dir, "update")
    assert update.exit_code == 0 and "1 fuzzy" in update.output

    message = entry(
        po(project_dir, "tr"),
        f"In this treatment, a doctor puts a special bone cement into "
        f"the weak bone through a thin needle. {CHANGED}",
    )
    assert message.fuzzy
    assert SENTENCE in message.previous_id[0]
    assert "#| msgid" in po(project_dir, "tr").read_text()
    # A second update (or any rewrite of the file) keeps what the source used to say.
    assert invoke(runner, project_dir, "update").exit_code == 0
    assert SENTENCE in entry(po(project_dir, "tr"), message.id).previous_id[0]
    assert (
        subprocess.run([tool("msgfmt"), "-c", "-o", "/dev/null", str(po(project_dir, "tr"))]).returncode == 0
    )

    stats = json.loads(invoke(runner, project_dir, "stats", "--json").output)
    tr_all = next(row for row in stats if row["locale"] == "tr" and row["leaflet"] == "(all)")
    assert tr_all["fuzzy"] == 1 and tr_all["percent"] < 100

    result = invoke(runner, project_dir, "build", "vertebroplasty", "-l", "tr", "-o", str(out), "--force")
    assert result.exit_code == 0
    assert "warning: vertebroplasty-tr: 1 string(s) shown in the source language" in result.output
    text = squash(pdftotext(out / "vertebroplasty-tr.pdf"))
    assert "DRAFT · TASLAK" in text and letters(CHANGED) in letters(text)

    result = invoke(runner, project_dir, "build", "vertebroplasty", "-l", "tr", "--release", "-o", str(out))
    assert result.exit_code == 1
    assert "not releasable" in result.output and "fuzzy: 'In this treatment" in result.output

    # The translator fixes it; the reviewer records a new review.
    path = po(project_dir, "tr")
    with path.open("rb") as handle:
        catalog = read_po(handle)
    fixed = catalog[message.id]
    fixed.string = message.string.replace("Çimento", "Çimento hızla")
    fixed.flags.discard("fuzzy")
    fixed.previous_id = []
    with path.open("wb") as handle:
        write_po(handle, catalog, width=79)
    # The source changed, so the clinic approves it again and the reviewer checks the one string.
    result = invoke(runner, project_dir, "build", "vertebroplasty", "-l", "tr", "--release", "-o", str(out))
    assert result.exit_code == 1
    assert "source string removed since Prof Saim Yilmaz, MD's approval on 2026-12-01" in result.output
    approve = invoke(runner, project_dir, "approve", "vertebroplasty", "--by", "Prof Saim Yilmaz, MD")
    assert approve.exit_code == 0
    changed = invoke(runner, project_dir, "review", "tr", "--changed")
    assert changed.output.count("never reviewed") == 1, changed.output
    assert invoke(runner, project_dir, "review", "tr", "--changed", "--by", "Dr Reviewer").exit_code == 0
    result = invoke(runner, project_dir, "build", "vertebroplasty", "-l", "tr", "--release", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "DRAFT" not in pdftotext(out / "vertebroplasty-tr.pdf")


def test_a_translation_changed_after_its_review_is_a_draft_again(runner, project_dir):
    approve_and_review(project_dir, "tr")
    path = po(project_dir, "tr")
    catalog = read_catalog(path)
    # The header (and its PO-Revision-Date) untouched: dates decide nothing.
    catalog["chest pain, or you are short of breath"].string = "nefes darlığı: endişelenmeyin, evde kalın"
    path.write_bytes(po_bytes(catalog))
    result = invoke(
        runner,
        project_dir,
        "build",
        "vertebroplasty",
        "-l",
        "tr",
        "--release",
        "-o",
        str(project_dir / "out"),
    )
    assert result.exit_code == 1
    line = next(m.lineno for m in read_catalog(path) if m.id == "chest pain, or you are short of breath")
    assert (
        f"{path}:{line}: changed since Dr Reviewer's review on 2026-12-02: "
        "'chest pain, or you are short of breath'" in result.output
    )


def test_init_new_language_is_zero_percent_english_fallback_and_draft(runner, project_dir):
    result = invoke(runner, project_dir, "init", "fr")
    assert result.exit_code == 0, result.output
    assert "added 'fr' to locales" in result.output
    catalog = read_catalog(po(project_dir, "fr"))
    # The plural rule is CLDR's as the installed Babel has it (French has 2 forms in older
    # releases, 3 since CLDR 42's "many" for large numbers): read it, never hard-code it.
    rule = get_plural("fr")
    assert str(catalog.locale) == "fr"
    assert (catalog.num_plurals, catalog.plural_expr) == (rule.num_plurals, rule.plural_expr)
    assert (
        subprocess.run([tool("msgfmt"), "-c", "-o", "/dev/null", str(po(project_dir, "fr"))]).returncode == 0
    )

    stats = invoke(runner, project_dir, "stats", "--min", "100")
    assert stats.exit_code == 1
    assert re.search(r"^fr\s+\(all\)\s+0\s+0\s+\d+\s+0\s+0\.0%$", stats.output, re.M)
    assert "error: fr is 0.0% translated, below 100%" in stats.output

    out = project_dir / "out"
    result = invoke(runner, project_dir, "build", "vertebroplasty", "-l", "fr", "-o", str(out))
    assert result.exit_code == 0
    assert "warning: vertebroplasty-fr:" in result.output
    text = squash(pdftotext(out / "vertebroplasty-fr.pdf"))
    assert "DRAFT" in text and "What happens during the treatment" in text
    assert (
        invoke(
            runner, project_dir, "build", "vertebroplasty", "-l", "fr", "--release", "-o", str(out)
        ).exit_code
        == 1
    )


def test_init_refuses_an_existing_catalogue_and_an_unknown_language(runner, project_dir):
    assert "exists already" in invoke(runner, project_dir, "init", "tr").output
    result = invoke(runner, project_dir, "init", "xx-nonsense")
    assert result.exit_code == 1 and "not a language Babel knows" in result.output


@pytest.mark.parametrize("command", ["build", "check"])
def test_truncated_catalogue_names_path_and_line_and_keeps_previous_pdfs(runner, project_dir, command):
    out = project_dir / "out"
    assert (
        invoke(
            runner, project_dir, "build", "vertebroplasty", "-l", "en", "-l", "tr", "-o", str(out)
        ).exit_code
        == 0
    )
    before = {p.name: p.read_bytes() for p in out.glob("*.pdf")}
    assert set(before) == {"vertebroplasty-en.pdf", "vertebroplasty-tr.pdf"}
    path = po(project_dir, "tr")
    lines = path.read_text().splitlines()
    cut = next(i for i in range(len(lines) // 2, len(lines)) if lines[i].startswith("msgid "))
    path.write_text("\n".join(lines[: cut + 1]) + "\n")
    args = ["build", "vertebroplasty", "-o", str(out), "--force"] if command == "build" else ["check"]
    result = invoke(runner, project_dir, *args)
    assert result.exit_code != 0
    assert re.search(rf"{re.escape(str(path.name))}:{cut + 1}\b", result.output), result.output
    assert "Traceback" not in result.output
    assert {name: (out / name).read_bytes() for name in before} == before


def set_translation(project_dir: Path, code: str, msgid: str, text: str) -> None:
    path = po(project_dir, code)
    with path.open("rb") as handle:
        catalog = read_po(handle)
    if msgid not in catalog:
        # A theme string: the project overrides the tool's translation in its own catalogue.
        catalog.add(msgid, "", flags=["python-format"] if "%(" in msgid else [])
    catalog[msgid].string = text
    with path.open("wb") as handle:
        write_po(handle, catalog, width=79)


@pytest.mark.parametrize(
    ("msgid", "text", "code"),
    [
        ("Benefits", 'Faydalar <img src="x.png">', "[markup] error"),
        (
            "In an emergency, call %(number)s or go to the nearest emergency department.",
            "Acil bir durumda en yakın acil servise gidin.",
            "[placeholders] error",
        ),
        (
            "If you have sedation, an adult must take you home and should stay with you for the first "
            "night. You must not drive at any time in the first 24 hours after the treatment. Wait longer "
            "if your doctor tells you to.",
            "Sedasyon verilirse sizi bir yetişkin eve götürmelidir. İlk 12 saat araç kullanmayın.",
            "[numbers] error",
        ),
    ],
    ids=["img", "placeholder", "number"],
)
def test_check_flags_unsafe_or_changed_translations(runner, project_dir, msgid, text, code):
    set_translation(project_dir, "tr", msgid, text)
    result = invoke(runner, project_dir, "check")
    assert result.exit_code == 1
    line = next(text for text in result.output.splitlines() if code in text)
    assert re.match(r".*locales/tr/LC_MESSAGES/messages\.po:\d+: \[\w+\] error: ", line)


def test_check_passes_on_the_shipped_catalogues(runner):
    result = runner.invoke(main, ["--project", str(REPO), "check"])
    assert result.exit_code == 0, result.output
    assert "0 error(s)" in result.output


def test_check_warns_about_identical_fuzzy_and_overlong_translations(runner, project_dir):
    set_translation(project_dir, "de", "Benefits", "Benefits")
    set_translation(project_dir, "de", "infection", "Infektion " * 12)
    result = invoke(runner, project_dir, "check")
    assert "[unchanged] warning" in result.output and "[length] warning" in result.output


def test_check_reports_a_leaflet_past_its_review_date(runner, project_dir):
    settings = project_dir / "leaflets.toml"
    settings.write_text(
        settings.read_text().replace(
            "published = 2026-11-24\nnext_review = 2027-11-24",
            "published = 2020-01-01\nnext_review = 2021-01-01",
            1,
        )
    )
    result = invoke(runner, project_dir, "check")
    assert result.exit_code == 1
    assert re.search(r"leaflets\.toml:\d+: \[review-overdue\] error: vertebroplasty", result.output)


@pytest.mark.parametrize("code", ["tr", "ar", "ru", "de"])
def test_shipped_catalogues_satisfy_msgfmt_and_pybabel(tmp_path, code):
    path = REPO / "locales" / code / "LC_MESSAGES" / "messages.po"
    assert subprocess.run([tool("msgfmt"), "-c", "-o", "/dev/null", str(path)]).returncode == 0
    work = tmp_path / "locales"
    shutil.copytree(REPO / "locales", work)
    update = subprocess.run(
        [*PYBABEL, "update", "-i", str(work / "messages.pot"), "-d", str(work), "-l", code],
        capture_output=True,
        text=True,
    )
    assert update.returncode == 0, update.stderr
    compiled = subprocess.run(
        [*PYBABEL, "compile", "-d", str(work), "-l", code, "--statistics"],
        capture_output=True,
        text=True,
    )
    assert compiled.returncode == 0, compiled.stderr
    assert (work / code / "LC_MESSAGES" / "messages.mo").stat().st_size > 1000


def test_pybabel_extract_with_the_tools_mapping_matches_leaflets_extract(tmp_path):
    out = tmp_path / "pybabel.pot"
    subprocess.run(
        [
            *PYBABEL,
            "extract",
            "-F",
            str(MAPPING),
            "-c",
            "Translators:",
            "-o",
            str(out),
            ".",
        ],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    ours = {m.id for m in read_catalog(REPO / "locales" / "messages.pot") if m.id}
    theirs = {m.id for m in read_catalog(out) if m.id}
    # leaflets extract adds the strings the tool itself puts on documents (the DRAFT notice).
    from leaflets.draft import STRINGS

    tool_strings = set(STRINGS)
    assert ours - theirs == tool_strings and theirs <= ours


def test_pseudo_locale_builds_accented_text_and_nothing_is_cut_off(runner, project_dir):
    out = project_dir / "out"
    result = invoke(runner, project_dir, "build", "--locale", "en-XA", "-o", str(out))
    assert result.exit_code == 0, result.output
    pdfs = sorted(out.glob("*-en-XA.pdf"))
    assert [pdf.name for pdf in pdfs] == ["ablation-en-XA.pdf", "vertebroplasty-en-XA.pdf"]
    for pdf in pdfs:
        text = pdftotext(pdf)
        assert "[Ŧħḗ" in text or "[Ẇħȧŧ" in text
        # Every word lies inside the page: nothing overflows the paper.
        bbox = subprocess.run(
            [tool("pdftotext"), "-bbox", str(pdf), "-"], capture_output=True, text=True
        ).stdout
        width = float(re.search(r'<page width="([\d.]+)"', bbox)[1])
        for x_min, x_max in re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"', bbox):
            assert float(x_min) >= 20 and float(x_max) <= width - 20


def test_preview_builds_one_document_with_its_html(runner, project_dir):
    out = project_dir / "out"
    result = invoke(runner, project_dir, "preview", "ablation", "--locale", "de", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert (out / "ablation-de.pdf").exists() and (out / "ablation-de.html").exists()
    assert re.match(r"\d\d:\d\d:\d\d .*ablation-de\.pdf  \d+ pages", result.output)


def test_preview_watch_notices_a_saved_catalogue_and_ignores_the_output(project_dir):
    import threading

    from leaflets.project import load_project

    project = load_project(project_dir)
    path = po(project_dir, "de")
    stop = threading.Event()
    timer = threading.Timer(60, stop.set)  # a watcher that never fires ends the test, not CI
    timer.start()
    try:
        watcher = changes(project, stop)
        # Written after the watcher started: the output folder and other files do not count.
        (project_dir / "out").mkdir()
        (project_dir / "out" / "ablation-de.html").write_text("<p>output</p>")
        (project_dir / "notes.txt").write_text("not an input")
        path.write_text(path.read_text() + "\n")
        found = next(watcher)
    finally:
        timer.cancel()
        stop.set()
    assert found == [path]


def test_preview_watch_ends_when_asked(project_dir):
    import threading

    from leaflets.project import load_project

    stop = threading.Event()
    watcher = changes(load_project(project_dir), stop)
    stop.set()
    assert list(watcher) == []


def test_preview_watch_as_a_process_rebuilds_and_survives_a_broken_edit(project_dir):
    import queue
    import signal
    import sys
    import threading

    out = project_dir / "out"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "leaflets",
            "--project",
            str(project_dir),
            "preview",
            "vertebroplasty",
            "-l",
            "tr",
            "-o",
            str(out),
            "--watch",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    # A thread hands each line of output over as it arrives; the test waits on that event.
    output: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [output.put(line) for line in process.stdout], daemon=True)
    reader.start()
    try:
        lines = []

        def wait_for(pattern: str, timeout: float = 120) -> None:
            while True:
                try:
                    line = output.get(timeout=timeout)
                except queue.Empty:
                    raise AssertionError(f"no {pattern!r} in {lines}") from None
                lines.append(line)
                if re.search(pattern, line):
                    return

        wait_for(r"vertebroplasty-tr\.pdf")
        wait_for(r"^watching")  # said once the watcher has read the files as they are
        path = po(project_dir, "tr")
        good = path.read_text()
        path.write_text(good + '\nmsgid "broken\n')
        wait_for(r"error: .*messages\.po:\d+")
        path.write_text(good)
        wait_for(r"vertebroplasty-tr\.pdf")
        assert process.poll() is None
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
        process.stdout.close()


def test_extract_names_the_template_and_line_of_a_syntax_error(runner, project_dir):
    template = project_dir / "templates" / "ablation.html"
    text = template.read_text()
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "{% block content %}" in t)
    template.write_text(text.replace("{% block content %}", "{% block content %}{% if %}"))
    result = invoke(runner, project_dir, "extract")
    assert result.exit_code == 1
    assert f"{template}:{line}: cannot extract: Expected an expression" in result.output
