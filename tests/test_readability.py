"""Readability of the leaflets' text in `leaflets check`, and dates that never double a full stop."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel import Locale
from babel.dates import format_date
from babel.localedata import locale_identifiers

from leaflets.catalogs import Translator
from leaflets.cli import main
from leaflets.markup import is_full_stop
from leaflets.project import load_project
from leaflets.render import make_environment

from .conftest import REPO, copy_project, pdftotext

FIGURE = re.compile(
    r"^(?P<path>\S+): \[readability\] info: (?P<slug>[\w-]+) \(en\): Flesch reading ease (?P<fre>[\d.]+), "
    r"Flesch-Kincaid grade (?P<fk>[\d.]+), SMOG (?P<smog>[\d.]+); reading age (?P<age>\d+)",
    re.M,
)


@pytest.fixture(scope="module")
def checked() -> str:
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["--project", str(REPO), "check", "--no-pages"])
    assert result.exit_code == 0, result.output
    return result.output


def test_check_prints_the_readability_of_both_leaflets_within_the_target(checked):
    figures = {m["slug"]: m for m in FIGURE.finditer(checked)}
    assert set(figures) == set(load_project(REPO).leaflets), checked
    for slug, match in figures.items():
        assert match["path"].endswith(f"templates/{slug}.html")
        # The acceptance: SMOG at most 7, Flesch-Kincaid at most 6.
        assert float(match["smog"]) <= 7, match.group(0)
        assert float(match["fk"]) <= 6, match.group(0)
        assert float(match["fre"]) >= 70, match.group(0)


def test_longest_sentences_name_the_template_line_they_are_on(checked):
    lines = re.findall(r"^(\S+?):(\d+): \[long-sentence\] info: [\w-]+: (\d+) words: '(.+?)'$", checked, re.M)
    assert len(lines) == 3 * len(load_project(REPO).leaflets), checked
    for path, line, words, sentence in lines:
        text = Path(path if Path(path).is_absolute() else REPO / path).read_text(encoding="utf-8")
        first_words = " ".join(re.findall(r"\w+", sentence)[:3])
        source_line = " ".join(re.findall(r"\w+", re.sub(r"<[^>]+>", "", text.splitlines()[int(line) - 1])))
        assert first_words in source_line, (path, line, sentence)
        assert int(words) >= 15


def test_other_languages_get_only_the_formulas_made_for_them(checked):
    assert re.search(
        r"messages\.po: \[readability\] info: vertebroplasty \(de\): Flesch reading ease \(Amstad\)", checked
    )
    assert "Wiener Sachtextformel" in checked
    assert re.search(r"\(ar\): Osman [\d.]+", checked)
    assert "vertebroplasty (tr): textstat has no readability formula for this language" in checked
    # English grade formulas mean nothing for German or Russian text.
    assert not re.search(r"\((?:de|ru|tr|ar)\):[^\n]*(?:Kincaid|SMOG)", checked)


def test_plain_words_extend_the_list_and_a_low_target_warns(runner, project_dir):
    settings = project_dir / "leaflets.toml"
    text = settings.read_text(encoding="utf-8")
    before = runner.invoke(main, ["--project", str(project_dir), "check", "--no-pages"]).output
    assert re.search(
        r"\[plain-words\] info: vertebroplasty: \d+ words outside [^\n]*\bproblems \(\d+\)", before
    )
    text = text.replace("reading_age = 11", "reading_age = 8").replace(
        "plain_words = [", 'plain_words = ["problems", '
    )
    settings.write_text(text, encoding="utf-8")
    after = runner.invoke(main, ["--project", str(project_dir), "check", "--no-pages"]).output
    assert not re.search(r"\[plain-words\][^\n]*\bproblems \(", after)
    assert re.search(
        r"templates/vertebroplasty\.html: \[reading-age\] warning: .*above the target of 8", after
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("reading_age = 11", "reading_age = 40", "reading_age must be a number"),
        ("plain_words = [", 'plain_words = "cement"\nignored = [', "plain_words must be a list"),
    ],
    ids=["age", "words"],
)
def test_bad_readability_settings_name_their_line(runner, project_dir, old, new, message):
    settings = project_dir / "leaflets.toml"
    text = settings.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new)
    settings.write_text(text, encoding="utf-8")
    key = new.split(" =")[0]
    line = next(n for n, t in enumerate(text.splitlines(), 1) if t.startswith(key + " "))
    result = runner.invoke(main, ["--project", str(project_dir), "check", "--no-pages"])
    assert result.exit_code != 0
    assert f"leaflets.toml:{line}: {message}" in result.output
    assert "Traceback" not in result.output


NO_NETWORK = """
import socket, sys
def refuse(*args, **kwargs):
    raise OSError("network refused by the test")
socket.socket.connect = refuse
socket.create_connection = refuse
import nltk
nltk.download = lambda *a, **k: sys.exit("nltk.download called")
from leaflets.project import load_project
from leaflets.readability import measure
report = measure(load_project(sys.argv[1]), "vertebroplasty")
print(" ".join(f"{s.name}={s.value:.1f}" for s in report.scores))
"""


def test_readability_works_offline_without_nltk_data(tmp_path):
    env = dict(
        os.environ,
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        NLTK_DATA=str(tmp_path / "no-nltk-data"),
        HOME=str(tmp_path / "home"),
    )
    result = subprocess.run(
        [sys.executable, "-c", NO_NETWORK, str(REPO)], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr
    assert re.search(r"SMOG=\d", result.stdout)
    assert list((tmp_path / "cache").rglob("corpora/cmudict/cmudict"))


def test_check_runs_as_a_real_process(tmp_path):
    project = copy_project(tmp_path / "project")
    result = subprocess.run(
        [sys.executable, "-m", "leaflets", "--project", str(project), "check", "--no-pages"],
        capture_output=True,
        text=True,
        env=dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache")),
    )
    assert result.returncode == 0, result.stderr
    assert "SMOG" in result.stdout + result.stderr


# Dates in running text --------------------------------------------------------------------------

SAMPLE = dt.date(2026, 11, 24)


def test_a_date_at_the_end_of_a_sentence_never_doubles_its_full_stop():
    """Every locale Babel knows, every date format: the sentence ends with one full stop."""
    project = load_project(REPO)
    env = make_environment(project, Translator("en"), {})
    template = env.from_string("{% trans d=date %}We will review it by {{ d }}.{% endtrans %}")
    ending_in_stop = 0
    for identifier in locale_identifiers():
        locale = Locale.parse(identifier)
        for width in ("short", "medium", "long", "full"):
            date = format_date(SAMPLE, width, locale=locale)
            text = template.render(date=date)
            if is_full_stop(date[-1]):
                ending_in_stop += 1
            assert text.endswith(date if is_full_stop(date[-1]) else date + "."), (identifier, width, text)
    # Russian, Ukrainian, Hungarian, Serbian... end their dates with a full stop: the case is real.
    assert ending_in_stop > 20
    assert format_date(SAMPLE, "long", locale="ru").endswith(".")


def test_no_pdf_of_any_locale_has_two_full_stops_in_a_row(default_build):
    pdfs = sorted(default_build.glob("*.pdf"))
    project = load_project(REPO)
    assert len(pdfs) >= len(project.locales) * len(project.leaflets)
    for pdf in pdfs:
        text = pdftotext(pdf)
        assert not re.search(r"(?<!\.)\.\.(?!\.)", text), (pdf.name, re.findall(r".{30}\.\..{10}", text))
    russian = pdftotext(default_build / "vertebroplasty-ru.pdf")
    assert re.search(r"2027\s+г\.", russian)
