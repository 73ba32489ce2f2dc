"""``python -m bench.adversarial``: the resource rows of the adversarial table (F11, F12, F13).

Each case builds its input in a temporary folder and runs reviewlint on it next to a reference
run on comparable input, in the same invocation, and prints the ratio: no timed assertion (these
machines are shared and noisy), figures to read.

- F11: ``--diff`` of a notebook of N small fixable cells, next to ``check`` of the same notebook
  (was 25.6 s at N=1,000 and over 300 s at N=3,000: difflib on the whole module).
- F12: the text report of 9,000 findings on one 198 KB line, next to the concise report (was
  5.6 GB of memory and a report cut at 2 GiB without its summary).
- F13: 240 KB of commented-out lines that all open a bracket, next to 240 KB of ordinary
  commented-out code (was 23.6 s against 0.58 s: RL401 parsed 40 windows a line).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from bench.measure import Measurement, run

LINT = [sys.executable, "-m", "reviewlint", "check", "--no-cache", "-j", "1"]


def _notebook(folder: Path, cells: int) -> Path:
    path = folder / f"nb{cells}.ipynb"
    notebook = {"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                           "source": [f"%time x{k} = 1\n", f"def f{k}(a, b):\n", "    return (a, b)\n"]} for k in range(cells)],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    return path


def _row(case: str, measured: Measurement, reference: Measurement, note: str = "") -> str:
    ratio = measured.wall / reference.wall if reference.wall else float("inf")
    return (f"| {case} | {measured.wall:.2f} s, {measured.peak_mb:.0f} MB | {reference.label}: {reference.wall:.2f} s, "
            f"{reference.peak_mb:.0f} MB | {ratio:.2f} | {note} |")


def main() -> None:
    rows = ["| case | measured | reference | ratio (wall) | note |", "|---|---|---|---:|---|"]
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for cells in (1000, 3000):
            path = _notebook(folder, cells)
            diff = run(f"F11 --diff, {cells} cells", [*LINT, "--diff", path.name], folder)
            check = run("check", [*LINT, path.name], folder)
            rows.append(_row(f"F11 `--diff`, notebook of {cells} fixable cells", diff, check))
        line = "import albumentations as A; x = [" + ",".join(["A.VerticalFlip(p=0.5)"] * 9000) + "]\n"
        (folder / "f.py").write_text(line, encoding="utf-8")
        text_log, concise_log = folder / "text.out", folder / "concise.out"
        text = run("F12 text", [*LINT, "f.py"], folder, log=text_log)
        concise = run("concise", [*LINT, "--format", "concise", "f.py"], folder, log=concise_log)
        last = text_log.read_text(encoding="utf-8").splitlines()[-1] if text_log.exists() else "?"
        rows.append(_row("F12 text report, 9,000 findings on one 198 KB line", text, concise,
                         f"{text_log.stat().st_size / 1e6:.1f} MB of report, last line `{last}`"))
        brackets = "x = 1\n" + "".join(f"# model.fit(x{i}, y, epochs=3, callbacks=[\n" for i in range(5500))
        ordinary = "x = 1\n" + "".join(f"# model.fit(x{i}, y, epochs=3)\n" for i in range(7000))
        (folder / "brackets.py").write_text(brackets, encoding="utf-8")
        (folder / "ordinary.py").write_text(ordinary, encoding="utf-8")
        opened = run("F13", [*LINT, "brackets.py"], folder)
        plain = run("ordinary commented code", [*LINT, "ordinary.py"], folder)
        rows.append(_row(f"F13 {len(brackets) // 1000} KB of comment lines opening a bracket", opened, plain,
                         f"reference: {len(ordinary) // 1000} KB of ordinary commented-out code"))
    print("\n".join(rows))


if __name__ == "__main__":
    main()
