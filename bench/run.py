"""The benchmark: reviewlint against the parser's floor, itself warm, and Fixit, on a real corpus.

    python -m bench                       # libcst's own source (always installed), all checks
    python -m bench --corpus keras        # the installed Keras package (the [pipeline] extra)
    python -m bench --corpus timm         # PyTorch code: timm's source (a wheel fetched once from PyPI)
    python -m bench --corpus DIR          # any folder of .py / .ipynb files
    python -m bench --repeat 3            # median of 3 interleaved runs of each command (fixit: once)
    python -m bench --no-fixit --scale 1,2  # quicker

Every measured command runs in its own process, one after the other, on a copy of the corpus in
a temporary folder: the bare parse (``bench/parse_only.py``: read, decode, ``libcst.parse_module``
each file, nothing else), reviewlint cold on one process and on all cores (``--no-cache``), with
the cache (first run fills it, second run reads it), and ``fixit lint`` (the ``bench`` extra).
Wall time, CPU time and peak memory (summed over the process tree) are recorded for each, the
ratios are printed against the targets of issue 6, and a scaling series lints 1×, 2×, 4×, 8×
copies of (part of) the corpus. Results also go to ``--json FILE``.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import re
import shutil
import statistics
import sys
import subprocess
import tempfile
import zipfile
from dataclasses import asdict
from pathlib import Path

from bench.measure import Measurement, run

REPO = Path(__file__).resolve().parent.parent


# The PyTorch corpus: timm's own source (models, layers, data pipelines, its train script's
# utilities), a pure-Python wheel downloaded once from PyPI into the user's cache (timm is never
# imported and torch is not needed).
TIMM_VERSION = "1.0.15"


def _timm_source() -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "reviewlint-bench" / f"timm-{TIMM_VERSION}"
    if not (cache / "timm").is_dir():
        download = cache.with_name(cache.name + ".download")
        shutil.rmtree(download, ignore_errors=True)
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", f"timm=={TIMM_VERSION}", "-d", str(download)]
        if subprocess.run(command, check=False).returncode != 0:
            raise SystemExit(f"bench: could not download timm {TIMM_VERSION} from the package index")
        wheel = next(download.glob("timm-*.whl"))
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(cache)
        shutil.rmtree(download, ignore_errors=True)
    return cache / "timm"


def _corpus_source(name: str) -> Path:
    if name == "timm":
        return _timm_source()
    if name in ("libcst", "keras"):
        from importlib.util import find_spec

        spec = find_spec(name)  # found, not imported (importing keras loads a backend)
        if spec is None or spec.origin is None:
            raise SystemExit(f"bench: {name} is not installed (keras comes with the [pipeline] extra)")
        return Path(spec.origin).resolve().parent
    path = Path(name).expanduser()
    if not path.is_dir():
        raise SystemExit(f"bench: corpus {name!r} is neither 'libcst', 'keras', 'timm' nor a folder")
    return path.resolve()


def _discover(root: Path) -> list[Path]:
    from reviewlint.source.discover import discover

    return sorted(discover([root], lambda path: False))


def _copy(files: list[Path], source: Path, target: Path) -> list[Path]:
    copied = []
    for path in files:
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)
        copied.append(destination)
    return copied


def _lines(path: Path) -> int:
    from reviewlint.source.files import SourceError, load_source

    try:
        return load_source(path, path.read_bytes()).text.count("\n")
    except (OSError, SourceError):
        return 0


def _machine() -> dict[str, object]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        memory = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, IndexError, ValueError):
        pass
    from reviewlint.run.loop import available_cores

    return {
        "cpu": model or platform.processor() or platform.machine(),
        "cores": available_cores(),
        "memory": memory,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "libcst": _version("libcst"),
        "reviewlint": _version("reviewlint"),
        "fixit": _version("fixit"),
    }


def _version(distribution: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return "not installed"


def _load() -> str:
    try:
        return " ".join(f"{value:.1f}" for value in os.getloadavg())
    except OSError:
        return "?"


def _fixit_command() -> list[str] | None:
    executable = shutil.which("fixit")
    if executable:
        return [executable, "lint"]
    try:
        import fixit  # noqa: F401
    except ImportError:
        return None
    return [sys.executable, "-m", "fixit", "lint"]


def _median(runs: list[Measurement]) -> Measurement:
    ordered = sorted(runs, key=lambda run_: run_.wall)
    middle = ordered[len(ordered) // 2]
    return Measurement(middle.label, statistics.median(r.wall for r in runs), statistics.median(r.cpu for r in runs),
                       max(r.peak_mb for r in runs), max(r.largest_mb for r in runs), middle.returncode)


def _slug(label: str) -> str:
    return re.sub(r"\W+", "-", label).strip("-")


def _fixit_files(log: Path) -> str:
    """What fixit says it checked ("297 files checked")."""
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    for line in reversed(text.splitlines()):
        if "files checked" in line:
            return line.strip(" 🛠️🧼")
    return ""


def _reviewlint(corpus: Path, output: Path, *options: str) -> list[str]:
    return [sys.executable, "-m", "reviewlint", "check", str(corpus), "--exit-zero", "-o", str(output), *options]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default="libcst", help="'libcst' (default), 'keras', 'timm' (PyTorch: timm's source, downloaded once) or a folder")
    parser.add_argument("--jobs", type=int, default=0, help="cores for the parallel runs (default: all)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each command; the median is reported")
    parser.add_argument("--no-fixit", action="store_true", help="skip fixit lint (the slowest part)")
    parser.add_argument("--scale", default="1,2,4,8", help="copies of the scaling base to lint ('' to skip)")
    parser.add_argument("--scale-lines", type=int, default=25000,
                        help="lines of the corpus (first files by path) the scaling series copies; 0: all")
    parser.add_argument("--json", type=Path, help="also write the measurements here")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (outputs, logs, cache)")
    arguments = parser.parse_args(argv)

    from reviewlint.run.loop import available_cores

    jobs = arguments.jobs or available_cores()
    source = _corpus_source(arguments.corpus)
    # Linting, not compiling reviewlint's own modules, is what we measure (installs compile them).
    for package in ("reviewlint", "rules", "bench"):
        compileall.compile_dir(str(REPO / package), quiet=2)
    work = Path(tempfile.mkdtemp(prefix="reviewlint-bench-"))
    try:
        _bench(arguments, jobs, source, work)
    finally:
        if arguments.keep:
            print(f"\nwork folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def _bench(arguments: argparse.Namespace, jobs: int, source: Path, work: Path) -> None:
    corpus = work / "corpus"
    files = _copy(_discover(source), source, corpus)
    lines = sum(_lines(path) for path in files)
    size = sum(path.stat().st_size for path in files)
    file_list = work / "files.txt"
    file_list.write_text("".join(f"{path}\n" for path in files), encoding="utf-8")
    machine = _machine()
    load_before = _load()
    print(f"corpus: {source} — {len(files)} files, {lines:,} lines, {size / 1e6:.1f} MB")
    print("machine: " + ", ".join(f"{key} {value}" for key, value in machine.items()))
    print(f"load average before: {load_before}\n")

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    cache_dir = work / "cache"
    outputs = work / "out"
    outputs.mkdir()
    fixit = None if arguments.no_fixit else _fixit_command()
    commands: list[tuple[str, list[str]]] = [
        ("bare libcst parse", [sys.executable, "-m", "bench.parse_only", str(file_list)]),
        (f"bare libcst parse, {jobs} processes", [sys.executable, "-m", "bench.parse_only", f"--jobs={jobs}", str(file_list)]),
        ("CPython ast parse", [sys.executable, "-m", "bench.parse_only", "--ast", str(file_list)]),
        ("reviewlint cold, 1 process", _reviewlint(corpus, outputs / "cold-1.txt", "--no-cache", "-j", "1")),
        (f"reviewlint cold, -j {jobs}", _reviewlint(corpus, outputs / f"cold-{jobs}.txt", "--no-cache", "-j", str(jobs))),
        (f"reviewlint filling the cache, -j {jobs}", _reviewlint(corpus, outputs / "fill.txt", "--cache-dir", str(cache_dir), "-j", str(jobs))),
        (f"reviewlint warm (cache), -j {jobs}", _reviewlint(corpus, outputs / "warm.txt", "--cache-dir", str(cache_dir), "-j", str(jobs))),
        ("reviewlint warm (cache), 1 process", _reviewlint(corpus, outputs / "warm-1.txt", "--cache-dir", str(cache_dir), "-j", "1")),
        ("reviewlint warm (cache), --format concise", _reviewlint(corpus, outputs / "warm-concise.txt", "--cache-dir", str(cache_dir), "--format", "concise")),
    ]
    fixit_label = f"fixit lint ({jobs} cores)"
    fixit_versus = f"reviewlint cold, -j {jobs}"
    if fixit is not None:
        fixit_target = corpus
        if any(path.suffix == ".ipynb" for path in files):
            # fixit reads .py files only: compare both on those.
            fixit_target = work / "corpus-py"
            _copy([path for path in files if path.suffix == ".py"], corpus, fixit_target)
            fixit_label = f"fixit lint ({jobs} cores), .py files only"
            fixit_versus = f"reviewlint cold, -j {jobs}, .py files only"
            commands.append((fixit_versus, _reviewlint(fixit_target, outputs / "cold-py.txt", "--no-cache", "-j", str(jobs))))
        commands.append((fixit_label, [*fixit, str(fixit_target)]))
    runs: dict[str, list[Measurement]] = {label: [] for label, _ in commands}
    for round_ in range(arguments.repeat):
        for label, command in commands:
            if label.startswith("fixit") and round_ > 0:
                continue  # minutes per run, and an order of magnitude off: once is enough
            if label == fixit_versus and label.endswith("only") and round_ > 0:
                continue
            if label.startswith("reviewlint filling") and round_ > 0:
                shutil.rmtree(cache_dir, ignore_errors=True)
            measured = run(label, command, work, env, log=outputs / f"{_slug(label)}-{round_}.log")
            runs[label].append(measured)
            print(f"  {label:<42} {measured.wall:8.2f} s wall {measured.cpu:8.2f} s CPU {measured.peak_mb:8.0f} MB"
                  + (f"   (exit {measured.returncode})" if measured.returncode not in (0, 1) else ""), flush=True)
    results = {label: _median(measured) for label, measured in runs.items()}
    texts = {name: (outputs / name).read_text(encoding="utf-8") for name in ("cold-1.txt", f"cold-{jobs}.txt", "fill.txt", "warm.txt", "warm-1.txt")}
    identical = len(set(texts.values())) == 1

    parse = results["bare libcst parse"]
    cold = results["reviewlint cold, 1 process"]
    parallel = results[f"reviewlint cold, -j {jobs}"]
    warm = results[f"reviewlint warm (cache), -j {jobs}"]
    parse_parallel = results[f"bare libcst parse, {jobs} processes"]
    ratios = [
        ("reviewlint cold, 1 process / bare parse", cold.wall / parse.wall, "≤ 1.5", cold.wall / parse.wall <= 1.5),
        (f"reviewlint -j {jobs} / bare parse", parallel.wall / parse.wall, "≤ 0.9 (2 cores)", parallel.wall / parse.wall <= 0.9),
        (f"warm re-run (cache, -j {jobs}) / cold, 1 process", warm.wall / cold.wall, "≤ 0.05", warm.wall / cold.wall <= 0.05),
    ]
    concise = results["reviewlint warm (cache), --format concise"]
    if fixit is not None:
        fixit_run, versus = results[fixit_label], results[fixit_versus]
        checked = _fixit_files(outputs / f"{_slug(fixit_label)}-0.log")
        ratios.append((f"{fixit_label} / {fixit_versus}" + (f" (fixit: {checked})" if checked else ""),
                       fixit_run.wall / versus.wall, "≥ 10", fixit_run.wall / versus.wall >= 10))
    print(f"\nload average after: {_load()}\n")
    print("| command | wall s | CPU s | peak MB (tree) | largest process MB |")
    print("|---|---:|---:|---:|---:|")
    for label, measured in results.items():
        print(f"| {label} | {measured.wall:.2f} | {measured.cpu:.2f} | {measured.peak_mb:.0f} | {measured.largest_mb:.0f} |")
    print("\n| ratio (wall time) | measured | target | holds |")
    print("|---|---:|---|---|")
    for label, value, target, holds in ratios:
        print(f"| {label} | {value:.3f} | {target} | {'yes' if holds else 'NO'} |")
    print(f"| CPU time, cold 1 process / bare parse | {cold.cpu / parse.cpu:.3f} | (for reference) | |")
    print(f"| warm re-run, --format concise / cold, 1 process | {concise.wall / cold.wall:.3f} | (without the text report) | |")
    print(f"| control: bare parse on {jobs} processes / bare parse | {parse_parallel.wall / parse.wall:.3f} | (what {jobs} cores give here) | |")
    print(f"| reviewlint -j {jobs} / bare parse on {jobs} processes | {parallel.wall / parse_parallel.wall:.3f} | (for reference) | |")
    print(f"\nreviewlint's reports identical cold/-j {jobs}/cache fill/warm/warm -j 1: {'yes' if identical else 'NO'}")

    scaling = _scaling(arguments, files, corpus, work, env)
    if arguments.json:
        arguments.json.write_text(json.dumps({
            "corpus": str(source), "files": len(files), "lines": lines, "bytes": size, "machine": machine,
            "load_before": load_before, "load_after": _load(), "jobs": jobs, "repeat": arguments.repeat,
            "runs": {label: [asdict(m) for m in measured] for label, measured in runs.items()},
            "ratios": [{"ratio": label, "value": value, "target": target, "holds": holds} for label, value, target, holds in ratios],
            "identical_reports": identical, "scaling": scaling,
        }, indent=2), encoding="utf-8")


def _scaling(arguments: argparse.Namespace, files: list[Path], corpus: Path, work: Path, env: dict[str, str]) -> list[dict[str, object]]:
    factors = [int(part) for part in arguments.scale.split(",") if part.strip()]
    if not factors:
        return []
    base: list[Path] = []
    base_lines = 0
    for path in files:
        if arguments.scale_lines and base_lines >= arguments.scale_lines:
            break
        base.append(path)
        base_lines += _lines(path)
    rows = []
    print(f"\nscaling: reviewlint cold, 1 process, on k copies of {len(base)} files ({base_lines:,} lines)")
    print("| copies | files | lines | wall s | CPU s | µs CPU / line | time / 1× time | peak MB (tree) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    first: Measurement | None = None
    for factor in factors:
        target = work / f"scale-{factor}"
        for copy in range(factor):
            _copy(base, corpus, target / f"copy{copy}")
        measured = run(f"{factor}x", _reviewlint(target, work / f"scale-{factor}.txt", "--no-cache", "-j", "1"), work, env)
        first = first or measured
        row = {"copies": factor, "files": len(base) * factor, "lines": base_lines * factor, **asdict(measured)}
        rows.append(row)
        print(f"| {factor} | {len(base) * factor} | {base_lines * factor:,} | {measured.wall:.2f} | {measured.cpu:.2f} | "
              f"{measured.cpu / (base_lines * factor) * 1e6:.0f} | {measured.wall / first.wall:.2f} | {measured.peak_mb:.0f} |", flush=True)
        shutil.rmtree(target, ignore_errors=True)
    return rows


if __name__ == "__main__":
    main()
