#!/usr/bin/env python3
"""Benchmark ``leaflets build`` against scripting WeasyPrint by hand.

Everything happens in a temporary folder, on a copy of this repository's content project
(``leaflets.toml``, ``templates/``, ``locales/``); the repository and its ``out/`` are not touched.

1. Full build: ``leaflets build --edition all --html --force`` (every leaflet × locale × edition),
   wall-clock timed, with the peak memory of the main process and of the largest worker.
2. Baseline: for every PDF of step 1, one ``python -m weasyprint --pdf-variant pdf/ua-1`` process
   on the HTML that ``--html`` wrote beside it, one after the other, as a user scripting the
   WeasyPrint command line would.
3. Floor: the same HTML files rendered in one Python process with
   ``weasyprint.HTML(filename=...).write_pdf(...)`` and one shared ``FontConfiguration``:
   WeasyPrint's own time on one core, with no start-up per document.
4. No-op rebuild: the command of step 1 again without ``--force``; nothing should be rendered.
5. Incremental rebuild: touch ``locales/tr/LC_MESSAGES/messages.po`` (nothing is rebuilt: the
   fingerprints are content hashes), then edit it and build again; exactly the Turkish documents
   should be rebuilt.

Run ``python benchmarks/bench_build.py`` (``--jobs N``, ``--json``, ``--keep``); see README.md
in this folder for what each figure means. Exit status 1 when any step failed or a check did
not hold.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: What a content project is made of; copied into the temporary folder.
PROJECT_PARTS = ("leaflets.toml", "templates", "locales")
PDF_VARIANT = "pdf/ua-1"
#: The catalogue the incremental step touches.
TOUCHED_LOCALE = "tr"

#: ``leaflets build``'s last line, e.g. "28 built, 0 up to date, 0 failed, 28 draft, in 31.2 s".
SUMMARY = re.compile(
    r"^(?P<built>\d+) built, (?P<up_to_date>\d+) up to date, (?P<failed>\d+) failed, "
    r"(?P<draft>\d+) draft, in (?P<seconds>[\d.]+) s$",
    re.M,
)
#: One line per document: "PATH  N pages  SIZE[  DRAFT][  (up to date)]".
DOCUMENT_LINE = re.compile(r"(?P<path>.+\.(?:pdf|html))  (?:\d+ pages|web page)  ")

# Runs `leaflets` inside this small wrapper process instead of `python -m leaflets`, so that the
# build's main process is the wrapper itself. When it ends:
#   RUSAGE_SELF.ru_maxrss      = the peak resident set size of the main process (planning,
#                                cache, manifest; it renders nothing when there are workers);
#   RUSAGE_CHILDREN.ru_maxrss  = the peak RSS of the largest child the main process reaped, i.e.
#                                of the largest worker: the ProcessPoolExecutor's workers are
#                                forked from it and joined before it exits.
# Both are in KiB on Linux. RSS counts the pages a forked worker shares copy-on-write with its
# parent, so the worker figure is what one worker occupies, and adding the figures over-counts.
# Importing WeasyPrint also starts short-lived children (cffi looks its libraries up with
# ctypes.util.find_library, which runs ldconfig, gcc and ld). The wrapper imports leaflets.build,
# which the build command imports anyway, first and records that "helpers" peak: a worker figure
# not above it means no worker ran (--jobs 1 renders in the main process) or cannot be told apart.
# The wall-clock time is taken from the outside, so it includes the interpreter's start-up.
MEASURED_BUILD = """\
import json, resource, runpy, sys
import leaflets.build
helpers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
report, sys.argv = sys.argv[1], ["leaflets", *sys.argv[2:]]
try:
    runpy.run_module("leaflets", run_name="__main__", alter_sys=True)
    code = 0
except SystemExit as stop:
    code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
finally:
    with open(report, "w") as stream:
        json.dump({
            "main_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            "children_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
            "helpers_kib": helpers,
        }, stream)
sys.exit(code)
"""

# WeasyPrint alone, in one process: reads [[html, pdf], ...] on stdin, prints seconds as JSON.
# The timed part starts after the import and includes setting up the one FontConfiguration.
FLOOR = """\
import json, sys, time
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
pairs = json.load(sys.stdin)
started = time.perf_counter()
fonts = FontConfiguration()
for source, target in pairs:
    HTML(filename=source).write_pdf(target, pdf_variant=sys.argv[1], font_config=fonts)
print(json.dumps({"seconds": time.perf_counter() - started}))
"""


@dataclass
class BuildRun:
    """One ``leaflets build`` run: its time, summary line, rebuilt files and peak memory."""

    seconds: float
    returncode: int
    built: int = -1
    up_to_date: int = -1
    failed: int = -1
    rebuilt: list[str] = field(default_factory=list)
    main_mib: float = 0.0
    #: None when no worker ran (--jobs 1, or one document: rendered in the main process).
    worker_mib: float | None = None
    stderr: str = ""


@dataclass
class Figures:
    """Everything the benchmark prints, table or JSON."""

    cores: int
    jobs: int
    documents: int
    full_seconds: float
    baseline_seconds: float
    speedup: float
    floor_seconds: float
    full_over_floor: float
    #: The floor divided by the workers: what perfect parallelism over WeasyPrint would take.
    floor_per_worker: float
    full_over_floor_per_worker: float
    #: Every run's full build, baseline and floor (the figures above are their medians).
    runs: list[dict]
    noop_seconds: float
    noop_percent: float
    noop_built: int
    touched_locale: str
    touched_rebuilt: int
    touched_expected: int
    peak_worker_mib: float | None
    peak_main_mib: float
    baseline_identical: int
    baseline_warnings: list[str]
    #: 1-minute load average before and after; well above 0 means other work shared the cores.
    load_before: float
    load_after: float
    weasyprint: str
    python: str
    errors: list[str]
    #: Whether stylesheets are parsed once per worker (off on a WeasyPrint the adapter does not know).
    stylesheet_reuse: bool = False


class BenchmarkError(Exception):
    """A step failed so that the later ones cannot run; carries the error messages."""


def log(message: str) -> None:
    """Progress on stderr, so that ``--json`` keeps stdout clean."""
    print(message, file=sys.stderr, flush=True)


def copy_project(target: Path) -> Path:
    """Copy the repository's content project into ``target`` (modification times kept)."""
    target.mkdir(parents=True)
    for name in PROJECT_PARTS:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        else:
            shutil.copy2(source, target / name)
    return target


#: Every PDF edition (``--edition all`` also makes the web pages, which WeasyPrint does not render).
PDF_EDITIONS = ("standard", "large-print", "bilingual")


def leaflets_build(project: Path, out: Path, jobs: int | None, force: bool, work: Path) -> BuildRun:
    """Run ``leaflets --project P build --edition E... --html [--force]`` and measure it."""
    editions = [arg for edition in PDF_EDITIONS for arg in ("--edition", edition)]
    command = ["--project", str(project), "build", *editions, "--html", "--out", str(out)]
    if force:
        command.append("--force")
    if jobs:
        command += ["--jobs", str(jobs)]
    report = work / "rusage.json"
    report.unlink(missing_ok=True)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", MEASURED_BUILD, str(report), *command],
        capture_output=True,
        text=True,
        cwd=work,
    )
    run = BuildRun(time.perf_counter() - started, done.returncode, stderr=done.stderr)
    summary = SUMMARY.search(done.stdout)
    if summary:
        run.built, run.up_to_date, run.failed = (
            int(summary[key]) for key in ("built", "up_to_date", "failed")
        )
    run.rebuilt = sorted(
        Path(match["path"]).name
        for line in done.stdout.splitlines()
        if (match := DOCUMENT_LINE.match(line)) and not line.endswith("(up to date)")
    )
    if report.is_file():
        usage = json.loads(report.read_text())
        run.main_mib = usage["main_kib"] / 1024
        if usage["children_kib"] > usage["helpers_kib"]:
            run.worker_mib = usage["children_kib"] / 1024
    return run


def check_build(name: str, run: BuildRun, errors: list[str]) -> None:
    """Record a failed build or an unreadable summary line."""
    if run.returncode != 0:
        errors.append(f"{name}: leaflets build exited {run.returncode}: {run.stderr.strip()[-2000:]}")
    elif run.built < 0:
        errors.append(f"{name}: no summary line in the output of leaflets build")


def baseline(pdfs: list[Path], folder: Path, errors: list[str]) -> tuple[float, list[str]]:
    """One ``python -m weasyprint`` process per document, sequentially; total seconds, warnings."""
    folder.mkdir()
    total = 0.0
    warnings = []
    for pdf in pdfs:
        source = pdf.with_suffix(".html")
        if not source.is_file():
            errors.append(f"baseline: {source.name} missing (was --html passed?)")
            continue
        command = [
            sys.executable,
            "-m",
            "weasyprint",
            "--pdf-variant",
            PDF_VARIANT,
            str(source),
            str(folder / pdf.name),
        ]
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, cwd=folder)
        total += time.perf_counter() - started
        if done.returncode != 0 or not (folder / pdf.name).is_file():
            errors.append(
                f"baseline: weasyprint {source.name} exited {done.returncode}: {done.stderr.strip()[-2000:]}"
            )
        warnings += [f"{source.name}: {line}" for line in done.stderr.splitlines() if line.strip()]
    return total, warnings


def floor(pdfs: list[Path], folder: Path, errors: list[str]) -> float:
    """Render every HTML file in one Python process with one FontConfiguration; seconds."""
    folder.mkdir()
    pairs = [[str(pdf.with_suffix(".html")), str(folder / pdf.name)] for pdf in pdfs]
    done = subprocess.run(
        [sys.executable, "-c", FLOOR, PDF_VARIANT],
        input=json.dumps(pairs),
        capture_output=True,
        text=True,
        cwd=folder,
    )
    if done.returncode != 0:
        errors.append(f"floor: exited {done.returncode}: {done.stderr.strip()[-2000:]}")
        return float("nan")
    return json.loads(done.stdout.strip().splitlines()[-1])["seconds"]


def touch(path: Path) -> None:
    """Make ``path`` newer by at least a second, whatever the file system's clock resolution."""
    stamp = max(time.time_ns(), path.stat().st_mtime_ns + 10**9)
    os.utime(path, ns=(stamp, stamp))


def locale_documents(out: Path, locale: str) -> list[str]:
    """The PDFs of ``locale`` according to the build's manifest."""
    try:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return []
    return sorted(name for name, entry in manifest["documents"].items() if entry["locale"] == locale)


def warm_up(project: Path, work: Path) -> None:
    """Load the interpreter, leaflets and WeasyPrint once, untimed, so no step pays a cold cache.

    The package's bytecode is compiled first, as ``pip install`` does for a wheel: with
    ``PYTHONDONTWRITEBYTECODE`` set (some CI machines) every start would compile it again.
    """
    import leaflets

    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(Path(leaflets.__file__).parent)], capture_output=True
    )
    subprocess.run(
        [sys.executable, "-m", "leaflets", "--project", str(project), "list"], capture_output=True, cwd=work
    )
    subprocess.run(
        [sys.executable, "-c", "import weasyprint.text.fonts as f; f.FontConfiguration()"],
        capture_output=True,
        cwd=work,
    )


def ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


def run(work: Path, jobs: int | None, repeat: int = 3) -> Figures:
    """All the steps, in order, in the folder ``work``; the timed ones ``repeat`` times."""
    import statistics

    import weasyprint

    from leaflets import stylesheets

    errors: list[str] = []
    load_before = os.getloadavg()[0]
    project = copy_project(work / "project")
    out = work / "out"
    warm_up(project, work)
    cores = os.cpu_count() or 1
    workers = jobs or cores

    runs = []
    for round_ in range(1, repeat + 1):
        log(f"[{round_}/{repeat}] full build (leaflets build, every PDF edition, --html --force) ...")
        full = leaflets_build(project, out, jobs, True, work)
        check_build("full build", full, errors)
        pdfs = sorted(out.glob("*.pdf"))
        if not pdfs:
            raise BenchmarkError(errors or ["full build: no PDF written"])
        if full.built >= 0 and full.built != len(pdfs):
            errors.append(f"full build: the summary says {full.built} built, {len(pdfs)} PDFs found")

        log(f"[{round_}/{repeat}] baseline: one weasyprint process for each of {len(pdfs)} documents ...")
        shutil.rmtree(work / "baseline", ignore_errors=True)
        baseline_seconds, warnings = baseline(pdfs, work / "baseline", errors)
        identical = sum(
            1
            for pdf in pdfs
            if (work / "baseline" / pdf.name).is_file()
            and filecmp.cmp(pdf, work / "baseline" / pdf.name, shallow=False)
        )

        log(f"[{round_}/{repeat}] floor: every document in one Python process ...")
        shutil.rmtree(work / "floor", ignore_errors=True)
        floor_seconds = floor(pdfs, work / "floor", errors)
        runs.append(
            {
                "full_seconds": full.seconds,
                "baseline_seconds": baseline_seconds,
                "floor_seconds": floor_seconds,
                "speedup": ratio(baseline_seconds, full.seconds),
                "full_over_floor_per_worker": ratio(full.seconds, floor_seconds / workers),
                "worker_mib": full.worker_mib,
                "main_mib": full.main_mib,
            }
        )

    def median(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    log("no-op rebuild ...")
    noop = leaflets_build(project, out, jobs, False, work)
    check_build("no-op rebuild", noop, errors)
    if noop.built != 0:
        errors.append(f"no-op rebuild: {noop.built} documents rebuilt, expected 0")

    catalogue = project / "locales" / TOUCHED_LOCALE / "LC_MESSAGES" / "messages.po"
    log(f"rebuild after touching the {TOUCHED_LOCALE} catalogue without changing it ...")
    touch(catalogue)
    same = leaflets_build(project, out, jobs, False, work)
    check_build("touched, unchanged rebuild", same, errors)
    if same.built != 0:
        errors.append(f"touched, unchanged rebuild: {same.built} rebuilt; fingerprints are content hashes")
    log(f"  {same.seconds:.2f} s (every changed stamp's file hashed again)")

    log(f"rebuild after editing the {TOUCHED_LOCALE} catalogue ...")
    with catalogue.open("a", encoding="utf-8") as handle:
        handle.write("\n# edited by the benchmark\n")
    touched = leaflets_build(project, out, jobs, False, work)
    check_build("touched rebuild", touched, errors)
    expected = locale_documents(out, TOUCHED_LOCALE)
    if touched.rebuilt != expected or touched.built != len(expected):
        errors.append(
            f"touched rebuild: rebuilt {touched.built} ({', '.join(touched.rebuilt)}), "
            f"expected the {len(expected)} {TOUCHED_LOCALE} documents ({', '.join(expected)})"
        )

    full_seconds = median("full_seconds")
    floor_seconds = median("floor_seconds")
    workers_mib = [r["worker_mib"] for r in runs if r["worker_mib"] is not None]
    return Figures(
        cores=cores,
        jobs=workers,
        documents=len(pdfs),
        full_seconds=full_seconds,
        baseline_seconds=median("baseline_seconds"),
        speedup=median("speedup"),
        floor_seconds=floor_seconds,
        full_over_floor=ratio(full_seconds, floor_seconds),
        floor_per_worker=floor_seconds / workers,
        full_over_floor_per_worker=median("full_over_floor_per_worker"),
        runs=runs,
        noop_seconds=noop.seconds,
        noop_percent=100 * ratio(noop.seconds, full_seconds),
        noop_built=noop.built,
        touched_locale=TOUCHED_LOCALE,
        touched_rebuilt=touched.built,
        touched_expected=len(expected),
        peak_worker_mib=max(workers_mib) if workers_mib else None,
        peak_main_mib=median("main_mib"),
        baseline_identical=identical,
        baseline_warnings=warnings,
        load_before=load_before,
        load_after=os.getloadavg()[0],
        weasyprint=weasyprint.__version__,
        python=sys.version.split()[0],
        errors=errors,
        stylesheet_reuse=stylesheets.supported(),
    )


def table(f: Figures) -> str:
    """The figures as an aligned table."""
    rows = [
        (f"medians of {len(f.runs)} run(s); documents (every PDF edition)", f"{f.documents}"),
        (f"full build, --jobs {f.jobs} ({f.cores} cores)", f"{f.full_seconds:.1f} s"),
        ("baseline, one weasyprint process per doc", f"{f.baseline_seconds:.1f} s"),
        ("speed-up, baseline / full, target >= 5.5", f"{f.speedup:.1f}x faster"),
        ("floor, WeasyPrint in one process", f"{f.floor_seconds:.1f} s"),
        ("full / floor", f"{f.full_over_floor:.2f}"),
        (f"floor / {f.jobs} workers", f"{f.floor_per_worker:.1f} s"),
        (f"full / (floor / {f.jobs} workers), target <= 1.1", f"{f.full_over_floor_per_worker:.2f}"),
        ("no-op rebuild", f"{f.noop_seconds:.2f} s ({f.noop_built} built)"),
        ("no-op / full", f"{f.noop_percent:.1f} %"),
        (
            f"rebuilt after touching {f.touched_locale}",
            f"{f.touched_rebuilt} (expected {f.touched_expected} {f.touched_locale} documents)",
        ),
        (
            "peak RSS of the largest worker",
            f"{f.peak_worker_mib:.0f} MiB"
            if f.peak_worker_mib is not None
            else "no workers (rendered in the main process)",
        ),
        ("peak RSS of the main process", f"{f.peak_main_mib:.0f} MiB"),
        ("baseline PDFs byte-identical to the build's", f"{f.baseline_identical} of {f.documents}"),
        ("weasyprint CLI messages on stderr", f"{len(f.baseline_warnings)}"),
    ]
    width = max(len(name) for name, _ in rows)
    lines = [f"{name:<{width}}  {value}" for name, value in rows]
    lines.append(
        f"(WeasyPrint {f.weasyprint}, stylesheets parsed once per worker: "
        f"{'yes' if f.stylesheet_reuse else 'no'}; Python {f.python}; load average "
        f"{f.load_before:.2f} before, {f.load_after:.2f} after)"
    )
    lines += [f"weasyprint: {w}" for w in f.baseline_warnings[:10]]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--jobs",
        "-j",
        type=int,
        metavar="N",
        help="passed to leaflets build --jobs (default: its own, the number of cores)",
    )
    parser.add_argument("--repeat", type=int, default=3, metavar="N", help="timed rounds (median; default 3)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder and print its path")
    args = parser.parse_args()
    if args.jobs is not None and args.jobs < 1:
        parser.error("--jobs must be at least 1")

    work = Path(tempfile.mkdtemp(prefix="leaflets-bench-"))
    try:
        figures = run(work, args.jobs, max(1, args.repeat))
    except BenchmarkError as failed:
        for error in failed.args[0]:
            print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    if args.json:
        data = {k: None if v != v else v for k, v in asdict(figures).items()}  # NaN: not JSON
        print(json.dumps(data, indent=2))
    else:
        print(table(figures))
    for error in figures.errors:
        print(f"error: {error}", file=sys.stderr)
    return 1 if figures.errors else 0


if __name__ == "__main__":
    sys.exit(main())
