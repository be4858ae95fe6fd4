"""Hostile and broken input: a clear error naming the cause, no traceback, nothing outside the
project read, no request made, earlier PDFs unchanged (issue 12)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from leaflets.cli import main
from leaflets.output import output_lock
from leaflets.render import css_content
from leaflets.schema import reference

from .conftest import REPO, pdftotext, squash
from .test_safety import translate

EMERGENCY = "In an emergency, call %(number)s or go to the nearest emergency department."
FOOTER = "Page %(page)s of %(pages)s"
RISK = "infection"
LEAFLETS = shutil.which("leaflets") or str(Path(sys.executable).with_name("leaflets"))


def build(runner, project_dir: Path, out: Path, *args: str):
    return runner.invoke(
        main, ["--project", str(project_dir), "build", "vertebroplasty", "-l", "tr", "-o", str(out), *args]
    )


def check(runner, project_dir: Path):
    return runner.invoke(main, ["--project", str(project_dir), "check", "--no-pages"])


def digests(out: Path) -> dict[str, str]:
    pdfs = sorted(out.glob("*.pdf"))
    assert pdfs, f"no PDF in {out}"
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in pdfs}


def no_traceback(result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception


@pytest.fixture
def earlier(runner, project_dir, tmp_path) -> Path:
    """An out/ folder with a good PDF from before the breakage."""
    out = tmp_path / "out"
    result = build(runner, project_dir, out)
    assert result.exit_code == 0, result.output
    return out


# 1. Translations are plain, visible text --------------------------------------------------


def test_control_character_in_footer_is_refused_by_build_and_check(runner, project_dir, earlier):
    before = digests(earlier)
    line = translate(project_dir, "tr", FOOTER, 'Sayfa %(page)s\x0c"} .risks{display:none} / %(pages)s')
    result = build(runner, project_dir, earlier, "--force")
    no_traceback(result)
    assert result.exit_code == 1
    assert f"tr/LC_MESSAGES/messages.po:{line}: translation of {FOOTER!r} holds U+000C" in result.output
    assert digests(earlier) == before
    found = check(runner, project_dir)
    assert found.exit_code == 1
    assert f"messages.po:{line}: [characters] error" in found.output


def test_text_in_margin_boxes_cannot_leave_its_css_string(runner, project_dir, tmp_path):
    """Quotes, braces and backslashes are plain text: the risks and the footer stay."""
    translate(project_dir, "tr", FOOTER, 'Sayfa %(page)s "} .risks{display:none} \\" / %(pages)s')
    out = tmp_path / "css"
    result = build(runner, project_dir, out)
    assert result.exit_code == 0, result.output
    text = squash(pdftotext(out / "vertebroplasty-tr.pdf"))
    assert '"}.risks{display:none}\\"' in text.replace(" ", "")  # printed, as text
    assert "Riskler" in text and "enfeksiyon" in text
    body = str(css_content('a"}\\;{/*<x>\n')).removeprefix('"').removesuffix('"')
    assert re.sub(r"\\[0-9A-F]{1,6} ", "", body) == "ax "  # everything else is an escape


def test_right_to_left_override_around_the_emergency_number_is_refused(runner, project_dir, earlier):
    before = digests(earlier)
    line = translate(project_dir, "tr", EMERGENCY, "Acil durumda \u202e%(number)s\u202c numarasını arayın.")
    result = build(runner, project_dir, earlier, "--force")
    no_traceback(result)
    assert result.exit_code == 1
    assert f"messages.po:{line}:" in result.output
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in result.output
    assert digests(earlier) == before
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in check(runner, project_dir).output


def test_a_translation_of_zero_width_characters_counts_as_untranslated(runner, project_dir, tmp_path):
    line = translate(project_dir, "tr", RISK, "\u200b\u200c\u200b")
    out = tmp_path / "zw"
    result = build(runner, project_dir, out)
    assert result.exit_code == 0, result.output
    assert "DRAFT" in result.output
    assert f"{RISK!r} (untranslated" in result.output
    assert "infection" in squash(pdftotext(out / "vertebroplasty-tr.pdf"))  # the source text, not a blank
    assert f"messages.po:{line}: [invisible] warning" in check(runner, project_dir).output


def test_an_unclosed_tag_is_an_error(runner, project_dir, tmp_path):
    path = project_dir / "locales/de/LC_MESSAGES/messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    message = next(m for m in catalog if m.id and str(m.id).startswith("<strong>Thermal ablation</strong>"))
    line = translate(project_dir, "de", message.id, message.string.replace("</strong>", "", 1))
    result = runner.invoke(
        main, ["--project", str(project_dir), "build", "-l", "de", "-o", str(tmp_path / "o")]
    )
    no_traceback(result)
    assert result.exit_code == 1
    assert f"de/LC_MESSAGES/messages.po:{line}:" in result.output
    assert "leaves <strong> open" in result.output
    assert f"messages.po:{line}: [tags] error" in check(runner, project_dir).output


def test_look_alike_letters_and_another_language_are_warnings(runner, project_dir):
    look = translate(project_dir, "ru", "Risks", "Рискн\u0065")  # a Latin e at the end
    english = translate(
        project_dir,
        "tr",
        "bruising, bleeding or pain where the needle went in",
        "bruising, bleeding or pain where the needle went into the skin",
    )
    output = check(runner, project_dir).output
    assert f"ru/LC_MESSAGES/messages.po:{look}: [lookalikes] warning" in output
    assert f"tr/LC_MESSAGES/messages.po:{english}: [language] warning" in output
    assert "reads as language 'en'" in output


# 2. Settings are validated ------------------------------------------------------------


def test_three_settings_mistakes_are_reported_in_one_run_each_at_its_line(runner, project_dir):
    settings = project_dir / "leaflets.toml"
    text = settings.read_text()
    text = text.replace('emergency_number = "112"', 'emergncy_number = "112"')
    text = text.replace("published = 2026-11-24\n", "published = 2026-11-24T09:00:00\n", 1)
    text = text.replace('phone = "+90 850 255 24 23"', "phone = 908502552423")
    settings.write_text(text)
    lines = text.splitlines()

    def line(fragment: str) -> int:
        return next(i for i, t in enumerate(lines, 1) if t.startswith(fragment))

    for command in (["build"], ["check"], ["list"], ["stats"], ["extract"], ["update"], ["init", "fr"]):
        result = runner.invoke(main, ["--project", str(project_dir), *command])
        no_traceback(result)
        assert result.exit_code == 2, (command, result.output)
        out = result.output
        assert f"leaflets.toml:{line('emergncy_number')}: unknown setting [clinic] `emergncy_number` " in out
        assert "(did you mean `emergency_number`?)" in out
        assert f"leaflets.toml:{line('published')}: `leaflets.vertebroplasty.published` must be a date" in out
        assert f"leaflets.toml:{line('phone')}: `clinic.phone` must be a string" in out


def test_blank_names_and_wrong_types_are_refused(runner, project_dir):
    settings = project_dir / "leaflets.toml"
    text = settings.read_text().replace('doctor = "Prof Saim Yilmaz, MD"', 'doctor = "   "')
    text = text.replace('version = "1.0"', "version = 1.0", 1).replace(
        "[leaflets.ablation]", "[leaflet.ablation]"
    )
    settings.write_text(text)
    result = runner.invoke(main, ["--project", str(project_dir), "list"])
    assert result.exit_code == 2
    assert "`clinic.doctor` is blank" in result.output
    assert "`leaflets.vertebroplasty.version` must be a string in quotes, not a number (1.0)" in result.output
    assert "unknown setting `leaflet` (did you mean `leaflets`?)" in result.output


def test_readme_settings_reference_is_the_schema():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start, end = "<!-- settings-reference:start -->\n", "<!-- settings-reference:end -->"
    assert start in readme and end in readme
    documented = readme.split(start, 1)[1].split(end, 1)[0]
    assert documented == reference(), "README is stale: paste the output of `python -m leaflets.schema`"
    assert "`emergency_number`" in documented


# 3. Files stay inside the project ---------------------------------------------------------


def audited(args: list[str], cwd: Path, log: Path) -> subprocess.CompletedProcess:
    """Run the CLI in a subprocess that records every file it opens and every connection.

    Its temporary files go to a folder of their own (``TMPDIR``), beside ``log``.
    """
    script = (
        "import atexit, json, os, sys\n"
        "opened, connects = [], []\n"
        "def hook(event, args):\n"
        "    if event == 'open' and isinstance(args[0], (str, bytes, os.PathLike)):\n"
        "        opened.append(os.path.abspath(os.fsdecode(args[0])))\n"
        "    elif event == 'socket.connect':\n"
        "        connects.append(repr(args[1]))\n"
        "def dump():\n"
        "    data = json.dumps({'opened': opened, 'connects': connects})\n"
        f"    open({str(log)!r}, 'w').write(data)\n"
        "atexit.register(dump)\n"
        "sys.addaudithook(hook)\n"
        "from leaflets.cli import main\n"
        "main(sys.argv[1:], prog_name='leaflets')\n"
    )
    temporary = log.parent / "tmpdir"
    temporary.mkdir(exist_ok=True)
    env = {**os.environ, "TMPDIR": str(temporary)}
    return subprocess.run(
        [sys.executable, "-c", script, *args], cwd=cwd, capture_output=True, text=True, timeout=300, env=env
    )


def outside(opened: list[str], *inside: Path) -> list[str]:
    """Opened files that are neither in ``inside`` nor part of Python, the tool or the system's data."""
    import leaflets
    from leaflets.renderer import cache_dir

    allowed = [
        *map(str, inside),
        sys.prefix,
        sys.base_prefix,
        str(Path(leaflets.__file__).parent),
        # The tool's own cache: parsed hyphenation patterns, named by their dictionary's sha256.
        str(cache_dir()),
        "/dev/null",
        "/etc/mime.types",
        "/usr/share/zoneinfo/",
    ]
    return sorted(
        {p for p in opened if not any(p == a or p.startswith(a.rstrip("/") + "/") for a in allowed)}
    )


def _control_character(project: Path) -> str:
    translate(project, "tr", FOOTER, "Sayfa %(page)s\x1b / %(pages)s")
    return "U+001B"


def _override(project: Path) -> str:
    translate(project, "tr", EMERGENCY, "Acil durumda \u202e%(number)s\u202c numarasını arayın.")
    return "U+202E RIGHT-TO-LEFT OVERRIDE"


def _zero_width(project: Path) -> str:
    translate(project, "tr", RISK, "\u200b\u200b")
    return "(untranslated"


def _settings_typo(project: Path) -> str:
    settings = project / "leaflets.toml"
    settings.write_text(settings.read_text().replace("emergency_number =", "emergncy_number ="))
    return "did you mean `emergency_number`?"


def _symlink(project: Path) -> str:
    secret = project.parent / "outside" / "secret.html"
    secret.parent.mkdir(exist_ok=True)
    secret.write_text("<p>PRIVATE</p>")
    (project / "templates/_risks.html").unlink()
    (project / "templates/_risks.html").symlink_to(secret)
    return "leads outside templates/"


def _unclosed_tag(project: Path) -> str:
    path = project / "locales/tr/LC_MESSAGES/messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    message = next(
        m
        for m in catalog
        if m.id
        and "<strong>" in str(m.id)
        and any(where.endswith("vertebroplasty.html") for where, _ in m.locations)
    )
    translate(project, "tr", message.id, message.string.replace("</strong>", "", 1))
    return "leaves <strong> open"


def _broken_svg(project: Path) -> str:
    (project / "templates/images/vertebroplasty.svg").write_text(
        "<svg xmlns='http://www.w3.org/2000/svg'><g>"
    )
    return "vertebroplasty.svg"


def _date_time(project: Path) -> str:
    settings = project / "leaflets.toml"
    settings.write_text(
        settings.read_text().replace("published = 2026-11-24\n", "published = 2026-11-24T09:00:00\n")
    )
    return "must be a date"


@pytest.mark.parametrize(
    "breakage",
    [
        _control_character,
        _override,
        _zero_width,
        _settings_typo,
        _symlink,
        _unclosed_tag,
        _broken_svg,
        _date_time,
    ],
)
def test_hostile_input_reads_nothing_outside_and_requests_nothing(project_dir, earlier, tmp_path, breakage):
    """As a real subprocess with an audit hook: the cause named, nothing else read, no request."""
    before = digests(earlier)
    cause = breakage(project_dir)
    log = tmp_path / "audit.json"
    result = audited(
        ["--project", str(project_dir), "build", "vertebroplasty", "-l", "tr", "-o", str(earlier), "--force"],
        project_dir,
        log,
    )
    assert "Traceback" not in result.stderr
    assert cause in result.stdout + result.stderr, result.stdout + result.stderr
    if breakage is _zero_width:  # a draft that names the cause
        assert result.returncode == 0 and "DRAFT" in result.stdout
    else:
        assert result.returncode != 0
        assert digests(earlier) == before
    events = json.loads(log.read_text())
    assert any(p.startswith(str(project_dir)) for p in events["opened"]), "the audit hook saw nothing"
    assert outside(events["opened"], project_dir, earlier, tmp_path / "tmpdir") == []
    assert events["connects"] == []


def test_symlink_out_of_templates_is_refused_before_it_is_opened(project_dir, tmp_path):
    secret = tmp_path / "outside" / "secret.html"
    secret.parent.mkdir()
    secret.write_text("<p>PRIVATE MEDICAL RECORD</p>")
    (project_dir / "templates/_risks.html").unlink()
    (project_dir / "templates/_risks.html").symlink_to(secret)
    out = tmp_path / "out"
    for command in (["build", "-o", str(out)], ["extract"], ["check"]):
        log = tmp_path / "audit.json"
        log.unlink(missing_ok=True)
        result = audited(["--project", str(project_dir), *command], project_dir, log)
        assert result.returncode != 0, (command, result.stdout)
        assert "Traceback" not in result.stderr
        assert "_risks.html" in result.stderr and "leads outside" in result.stderr, result.stderr
        events = json.loads(log.read_text())
        assert events["opened"], "the audit hook saw nothing"
        assert not [p for p in events["opened"] if p.startswith(str(secret.parent))]
        assert not events["connects"]
        assert not list(out.glob("*.pdf")) if out.exists() else True


def test_absolute_and_parent_template_paths_are_refused(runner, project_dir, tmp_path):
    for name in ("/etc/hostname", "../leaflets.toml"):
        page = project_dir / "templates/vertebroplasty.html"
        page.write_text(page.read_text().replace('{% include "_risks.html" %}', f'{{% include "{name}" %}}'))
        result = build(runner, project_dir, tmp_path / "o")
        no_traceback(result)
        assert result.exit_code == 1
        assert f"template {name!r} is refused" in result.output
        page.write_text((REPO / "templates/vertebroplasty.html").read_text())


def test_writing_commands_outside_a_project_refuse_the_installed_sample(tmp_path):
    sample = REPO / "locales" / "messages.pot"
    before = sample.stat().st_mtime_ns
    for command in (["extract"], ["update"], ["init", "fr"]):
        result = subprocess.run([LEAFLETS, *command], cwd=tmp_path, capture_output=True, text=True)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert "will not write into its own sample content" in result.stderr
        assert "Start a project" in result.stderr
    assert sample.stat().st_mtime_ns == before
    assert not (REPO / "locales" / "fr").exists()


# 4. Incremental builds that cannot lie -------------------------------------------------------


def test_an_edit_that_keeps_size_and_mtime_is_rebuilt(runner, project_dir, earlier):
    path = project_dir / "locales/tr/LC_MESSAGES/messages.po"
    stat = path.stat()
    data = path.read_bytes()
    assert b'msgstr "enfeksiyon"' in data
    path.write_bytes(data.replace(b'msgstr "enfeksiyon"', b'msgstr "enfeksiyom"'))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size and path.stat().st_mtime_ns == stat.st_mtime_ns
    result = build(runner, project_dir, earlier)
    assert "1 built, 0 up to date" in result.output
    assert "enfeksiyom" in pdftotext(earlier / "vertebroplasty-tr.pdf")


def test_a_pdf_edited_by_hand_is_rebuilt(runner, project_dir, earlier):
    pdf = earlier / "vertebroplasty-tr.pdf"
    good = pdf.read_bytes()
    pdf.write_bytes(
        good.replace(b"Riskler", b"Rxskler") if b"Riskler" in good else good[:-10] + b"0000000000"
    )
    assert build(runner, project_dir, earlier).output.count("1 built, 0 up to date") == 1
    record = json.loads((earlier / "manifest.json").read_text())["documents"]["vertebroplasty-tr.pdf"]
    assert hashlib.sha256(pdf.read_bytes()).hexdigest() == record["sha256"]
    assert "0 built, 1 up to date" in build(runner, project_dir, earlier).output


def test_a_computed_include_makes_every_template_count(runner, project_dir, earlier):
    page = project_dir / "templates/vertebroplasty.html"
    page.write_text(
        page.read_text().replace('{% include "_risks.html" %}', '{% include "_" ~ "risks.html" %}')
    )
    assert "1 built" in build(runner, project_dir, earlier).output
    assert "0 built, 1 up to date" in build(runner, project_dir, earlier).output
    risks = project_dir / "templates/_risks.html"
    risks.write_text(risks.read_text().replace("<ul", "<ul data-x='1'", 1))
    assert "1 built, 0 up to date" in build(runner, project_dir, earlier).output


# 5. Faults -----------------------------------------------------------------------------------


def in_namespace(shell: str) -> subprocess.CompletedProcess:
    """Run ``shell`` with its own mounts (a read-only or a tiny folder), as a real subprocess."""
    if not shutil.which("unshare"):
        pytest.skip("unshare is not installed")
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True)
    if probe.returncode:
        pytest.skip("mount namespaces are not allowed here")
    return subprocess.run(["unshare", "-rm", "sh", "-c", shell], capture_output=True, text=True, timeout=300)


def test_read_only_output_folder_is_one_line_and_keeps_the_pdfs(project_dir, earlier):
    before = digests(earlier)
    result = in_namespace(
        f"mount --bind {earlier} {earlier} && mount -o remount,ro,bind {earlier} && "
        f"{LEAFLETS} --project {project_dir} build vertebroplasty -l tr -o {earlier} --force"
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error")]
    assert errors == [f"Error: {earlier}/.leaflets.lock: Read-only file system"]
    assert digests(earlier) == before


def test_full_disk_fails_the_document_and_keeps_the_earlier_pdf(project_dir, earlier, tmp_path):
    small = tmp_path / "small"
    small.mkdir()
    result = in_namespace(
        f"mount -t tmpfs -o size=256k tmpfs {small} && cp -a {earlier}/. {small}/ && "
        f"sha256sum {small}/*.pdf && (head -c 10M /dev/zero > {small}/filler || true) && "
        f"{LEAFLETS} --project {project_dir} build vertebroplasty -l tr -o {small} --force; "
        f"echo rc=$?; sha256sum {small}/*.pdf"
    )
    assert "Traceback" not in result.stderr
    assert "rc=1" in result.stdout, result.stdout + result.stderr
    sums = [line for line in result.stdout.splitlines() if line.endswith(".pdf")]
    assert len(sums) == 2 and sums[0] == sums[1]  # the earlier PDF, unchanged
    assert "No space left on device" in result.stderr
    assert f"{small}/" in result.stderr


def test_a_second_build_into_the_same_folder_is_refused(runner, project_dir, earlier):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from leaflets.output import output_lock\n"
            f"with output_lock(Path({str(earlier)!r})):\n"
            "    print('locked', flush=True); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        result = build(runner, project_dir, earlier, "--force")
        no_traceback(result)
        assert result.exit_code == 1
        assert f"{earlier}: another build is writing into this folder (process {holder.pid})" in result.output
    finally:
        holder.communicate("")
    with output_lock(earlier):  # released with its process
        pass


def _children(pid: int) -> set[int]:
    found = set()
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except (OSError, ValueError):
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.add(int(status.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        return "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_exit_when_the_build_is_killed(project_dir, tmp_path):
    parent = subprocess.Popen(
        [LEAFLETS, "--project", str(project_dir), "build", "-j", "2", "-o", str(tmp_path / "o")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    workers: set[int] = set()
    while len(workers) < 2 and time.monotonic() < deadline and parent.poll() is None:
        workers = _children(parent.pid)
    assert len(workers) >= 2, "the build started no workers"
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    while any(map(_alive, workers)) and time.monotonic() < deadline:
        pass
    assert not any(map(_alive, workers)), "workers outlived their parent"


def test_a_broken_svg_fails_the_document_naming_the_file(runner, project_dir, earlier):
    before = digests(earlier)
    svg = project_dir / "templates/images/vertebroplasty.svg"
    svg.write_text("<svg xmlns='http://www.w3.org/2000/svg'><g>not closed")
    result = build(runner, project_dir, earlier)
    no_traceback(result)
    assert result.exit_code == 1
    assert f"{svg}" in result.output
    assert digests(earlier) == before


def test_a_missing_project_folder_is_one_line(runner, tmp_path):
    result = runner.invoke(main, ["--project", str(tmp_path / "nowhere"), "build"])
    no_traceback(result)
    assert result.exit_code == 2
    assert f"{tmp_path / 'nowhere'}/leaflets.toml: no such file" in result.output


def test_schema_dates_are_dates_not_date_times():
    from leaflets.schema import DATE

    assert DATE.check(dt.date(2026, 1, 1)) is None
    assert DATE.check(dt.datetime(2026, 1, 1, 9)) is not None
