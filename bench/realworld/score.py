"""Per-rule recall and precision of reviewlint on the hand-labelled real-world set.

    python -m bench.realworld.score DIR [--misses] [--slack N] [--set torch]

``DIR`` holds the files of ``manifest.tsv`` materialized as ``DIR/<owner>__<name>/<path>``;
nothing is fetched. reviewlint runs once over them, with default settings and without the cache,
and each finding is matched to the labels of ``labels.tsv`` (see this folder's README.md).
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The rules every file is labelled for (RL001 syntax errors and RL402's style note are not).
RULES = ("RL101", "RL102", "RL103", "RL201", "RL301", "RL302", "RL303", "RL304", "RL305", "RL401",
         "RL501", "RL502", "RL503", "RL504", "RL505", "RL506", "RL507")
# The PyTorch set (``torch/``) is labelled for the PyTorch-only rules too (not for RL304, a Keras one).
TORCH_RULES = tuple(rule for rule in RULES if rule != "RL304") + ("RL508", "RL509")
SETS = {"keras": (HERE, RULES), "torch": (HERE / "torch", TORCH_RULES), "torch2": (HERE / "torch2", TORCH_RULES),
        "keras2": (HERE / "keras2", RULES), "torch3": (HERE / "torch3", TORCH_RULES), "torch4": (HERE / "torch4", TORCH_RULES),
        "torch5": (HERE / "torch5", TORCH_RULES),
        "torch6": (HERE / "torch6", TORCH_RULES), "torch7": (HERE / "torch7", TORCH_RULES),
        "torch8": (HERE / "torch8", TORCH_RULES), "keras3": (HERE / "keras3", RULES),
        "keras4": (HERE / "keras4", RULES), "torch9": (HERE / "torch9", TORCH_RULES),
        "torch10": (HERE / "torch10", TORCH_RULES), "keras5": (HERE / "keras5", RULES),
        "torch11": (HERE / "torch11", TORCH_RULES), "keras6": (HERE / "keras6", RULES),
        "torch12": (HERE / "torch12", TORCH_RULES), "keras7": (HERE / "keras7", RULES),
        "torch13": (HERE / "torch13", TORCH_RULES), "keras8": (HERE / "keras8", RULES)}


@dataclass(frozen=True)
class Entry:
    id: str
    repo: str
    commit: str
    path: str
    kind: str

    @property
    def local(self) -> str:
        return f"{self.repo.replace('/', '__')}/{self.path}"


@dataclass(frozen=True)
class Mark:
    """A label or a finding: a rule at a place in a file (a finding may span lines)."""

    file: str
    rule: str
    cell: int | None
    line: int
    text: str
    end_line: int | None = None


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream, delimiter="\t"))


def load_set(folder: Path = HERE, rules: tuple[str, ...] = RULES) -> tuple[list[Entry], list[Mark]]:
    entries = [Entry(row["id"], row["repo"], row["commit"], row["path"], row["kind"]) for row in _rows(folder / "manifest.tsv")]
    by_id = {entry.id: entry for entry in entries}
    labels = [
        Mark(by_id[row["id"]].local, row["rule"], int(row["cell"]) if row["cell"] else None, int(row["line"]), row["note"])
        for row in _rows(folder / "labels.tsv")
        if row["rule"] in rules
    ]
    return entries, labels


def findings(directory: Path, entries: list[Entry], rules: tuple[str, ...] = RULES) -> tuple[list[Mark], list[str]]:
    """reviewlint's findings on the materialized files (default settings, no cache), and its skip notes."""
    files = [entry.local for entry in entries]
    missing = [name for name in files if not (directory / name).is_file()]
    if missing:
        raise SystemExit(f"not materialized under {directory}: {', '.join(missing[:5])}{' …' if len(missing) > 5 else ''}")
    command = [sys.executable, "-m", "reviewlint", "check", "--format", "json", "--no-cache", "--exit-zero", *files]
    output = subprocess.run(command, cwd=directory, capture_output=True, text=True, check=True).stdout
    data = json.loads(output)
    marks = [
        Mark(item["path"], item["code"], item["cell"], item["line"], item["message"], item["end_line"])
        for item in data["findings"]
        if item["code"] in rules
    ]
    skipped = [f"{item['path']}: {item['reason']}" for item in data["skipped"]]
    return marks, skipped


def judged(found: list[Mark], entries: list[Entry]) -> tuple[list[Mark], list[Mark]]:
    """The findings in labelled files, and those in other files (not scored).

    A finding may land in a project module a labelled file imports (where its fix belongs):
    nobody labelled that module, so by these labels such a finding is neither right nor false.
    """
    labelled = {entry.local for entry in entries}
    return [f for f in found if f.file in labelled], [f for f in found if f.file not in labelled]


def match(labels: list[Mark], found: list[Mark], slack: int) -> tuple[list[tuple[Mark, Mark]], list[Mark], list[Mark]]:
    """Pairs of (label, finding), the labels left (misses) and the findings left (false findings).

    Each finding first pairs with at most one label, the nearest within ``slack`` lines. Then a
    label left inside the lines a finding spans (a block of commented-out code the reviewer
    marked line by line) pairs with that finding too.
    """
    def same_place(label: Mark, finding: Mark) -> bool:
        return label.file == finding.file and label.rule == finding.rule and label.cell == finding.cell

    candidates = sorted(
        (abs(label.line - finding.line), i, j)
        for i, label in enumerate(labels)
        for j, finding in enumerate(found)
        if same_place(label, finding) and abs(label.line - finding.line) <= slack
    )
    used_labels: set[int] = set()
    used_findings: set[int] = set()
    pairs = []
    for _, i, j in candidates:
        if i in used_labels or j in used_findings:
            continue
        used_labels.add(i)
        used_findings.add(j)
        pairs.append((labels[i], found[j]))
    for i, label in enumerate(labels):
        if i in used_labels:
            continue
        for j, finding in enumerate(found):
            if same_place(label, finding) and finding.line <= label.line <= (finding.end_line or finding.line):
                used_labels.add(i)
                used_findings.add(j)
                pairs.append((label, finding))
                break
    misses = [label for i, label in enumerate(labels) if i not in used_labels]
    false = [finding for j, finding in enumerate(found) if j not in used_findings]
    return pairs, misses, false


def _ratio(good: int, total: int) -> str:
    return f"{good / total:.2f}" if total else "—"


def report(pairs: list[tuple[Mark, Mark]], misses: list[Mark], false: list[Mark], rules: tuple[str, ...] = RULES) -> str:
    """Recall over labels; precision over findings (a finding that spans several labels counts once)."""
    hits = Counter(label.rule for label, _ in pairs)
    right = Counter(finding.rule for finding in {id(finding): finding for _, finding in pairs}.values())
    missed = Counter(label.rule for label in misses)
    wrong = Counter(finding.rule for finding in false)
    lines = ["| rule | labels | found | missed | false findings | recall | precision |", "|---|---:|---:|---:|---:|---:|---:|"]
    for rule in rules:
        tp, fn, fp = hits[rule], missed[rule], wrong[rule]
        if tp or fn or fp:
            lines.append(f"| {rule} | {tp + fn} | {tp} | {fn} | {fp} | {_ratio(tp, tp + fn)} | {_ratio(right[rule], right[rule] + fp)} |")
    tp, fn, fp, good = sum(hits.values()), sum(missed.values()), sum(wrong.values()), sum(right.values())
    lines.append(f"| all | {tp + fn} | {tp} | {fn} | {fp} | {_ratio(tp, tp + fn)} | {_ratio(good, good + fp)} |")
    return "\n".join(lines)


def _place(mark: Mark) -> str:
    return f"{mark.file}:{'cell ' + str(mark.cell) + ':' if mark.cell is not None else ''}{mark.line}"


def _ids(spec: str, known: list[str]) -> set[str]:
    """The ids a spec names: comma-separated ids or ranges ``T38-T59`` (inclusive, in manifest order)."""
    wanted: set[str] = set()
    for part in filter(None, (piece.strip() for piece in spec.split(","))):
        first, _, last = part.partition("-")
        if not last:
            wanted.add(first)
        elif first in known and last in known:
            wanted.update(known[known.index(first) : known.index(last) + 1])
        else:
            raise SystemExit(f"--ids: {part!r} names an id that is not in the manifest")
    return wanted


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.realworld.score", description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path, help="the materialized files, as DIR/<owner>__<name>/<path>")
    parser.add_argument("--misses", action="store_true", help="list every miss and false finding")
    parser.add_argument("--slack", type=int, default=2, help="lines a finding may be off its label (default 2)")
    parser.add_argument("--set", choices=sorted(SETS), default="keras",
                        help="which labelled set: 'keras' (this folder, the default), 'keras2' (keras2/), 'torch' (torch/), 'torch2', 'torch3', 'torch4' … 'torch13', 'keras3' … 'keras8'")
    parser.add_argument("--ids", help="only these files of the set, by id: 'T38-T59' or 'A01,A02' (a held-out part)")
    arguments = parser.parse_args(argv)
    folder, rules = SETS[arguments.set]
    entries, labels = load_set(folder, rules)
    if arguments.ids:
        wanted = _ids(arguments.ids, [entry.id for entry in entries])
        kept = {entry.local for entry in entries if entry.id in wanted}
        entries = [entry for entry in entries if entry.id in wanted]
        labels = [label for label in labels if label.file in kept]
    found, skipped = findings(arguments.directory, entries, rules)
    found, unjudged = judged(found, entries)
    pairs, misses, false = match(labels, found, arguments.slack)
    repositories = len({entry.repo for entry in entries})
    notebooks = sum(1 for entry in entries if entry.kind == "notebook")
    print(f"{len(entries)} files ({notebooks} notebooks) from {repositories} repositories, {len(labels)} labels\n")
    print(report(pairs, misses, false, rules))
    if unjudged:
        print(f"\n{len(unjudged)} findings in unlabelled project modules the files import (not scored)")
    for note in skipped:
        print(f"skipped: {note}")
    if arguments.misses:
        for label in sorted(misses, key=lambda m: (m.rule, m.file, m.cell or 0, m.line)):
            print(f"MISS  {label.rule} {_place(label)}  {label.text}")
        for finding in sorted(false, key=lambda m: (m.rule, m.file, m.cell or 0, m.line)):
            print(f"FALSE {finding.rule} {_place(finding)}  {finding.text[:110]}")
        for finding in sorted(unjudged, key=lambda m: (m.rule, m.file, m.cell or 0, m.line)):
            print(f"OTHER {finding.rule} {_place(finding)}  {finding.text[:110]}")


if __name__ == "__main__":
    main()
