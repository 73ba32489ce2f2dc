"""``--write-baseline`` / ``--baseline``: record today's findings, fail only on new ones; a hostile
baseline is a usage error, and writing one is atomic."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from reviewlint.cli import cli
from tests.conftest import check_in_process, cli_runner, run_cli

TRAIN = (
    "import albumentations as A\n"
    "EPOCHS = 10\n"
    "aug = A.Compose([A.ShiftScaleRotate(scale_limit=0.01, rotate_limit=10)])\n"
    "model.fit(x, y, epochs=EPOCHS)\n"
)
FLIP = "import albumentations as A\ntrain_aug = A.Compose([A.VerticalFlip(p=0.5)])\n"


def run(args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(cwd)
    return cli_runner().invoke(cli, args, catch_exceptions=False)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "train.py").write_text(TRAIN)
    result = run(["check", "--write-baseline", "baseline.json", "src"], tmp_path, monkeypatch)
    assert result.exit_code == 0, result.output
    assert "wrote 4 findings to baseline.json" in result.stderr
    return tmp_path


def new_codes(project: Path, monkeypatch: pytest.MonkeyPatch, *extra: str) -> tuple[int, list[str]]:
    result = run(["check", "--baseline", "baseline.json", "--format", "json", *extra, "src"], project, monkeypatch)
    return result.exit_code, [finding["code"] for finding in json.loads(result.stdout)["findings"]]


def test_baseline_file_is_sorted_stable_json(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (project / "baseline.json").read_text()
    data = json.loads(text)
    assert data["reviewlint-baseline"] == 1
    entries = data["findings"]
    assert [(e["path"], e["code"]) for e in entries] == sorted((e["path"], e["code"]) for e in entries)
    assert {e["code"] for e in entries} == {"RL101", "RL103", "RL501", "RL502"}
    assert all(e["path"] == "src/train.py" and e["count"] == 1 and len(e["fingerprint"]) == 32 for e in entries)
    assert all(set(e) == {"path", "code", "fingerprint", "count", "source"} for e in entries), "no line, cell or message"
    assert text.endswith("}\n") and '\n  "findings": [\n' in text
    run(["check", "--write-baseline", "baseline.json", "src"], project, monkeypatch)
    assert (project / "baseline.json").read_text() == text, "rewriting gives the same bytes"


def test_known_findings_pass(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert new_codes(project, monkeypatch) == (0, [])
    result = run(["check", "--baseline", "baseline.json", "src"], project, monkeypatch)
    assert result.exit_code == 0
    assert "4 findings in the baseline not shown" in result.stdout


def test_line_shifts_reindent_and_message_changes_keep_findings_known(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shifted = "# a new header comment\nimport os\n\n" + TRAIN.replace("EPOCHS = 10", "EPOCHS = 25")
    shifted = shifted.replace("aug = A.Compose", "if True:\n    aug = A.Compose")
    (project / "src" / "train.py").write_text(shifted)
    # RL501's message now says 25 epochs, every line moved, one line is reindented: nothing is new.
    assert new_codes(project, monkeypatch) == (0, [])


def test_changed_or_added_code_is_new(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = project / "src" / "train.py"
    path.write_text(TRAIN.replace("scale_limit=0.01", "scale_limit=0.02"))
    assert new_codes(project, monkeypatch) == (1, ["RL103", "RL101"])
    path.write_text(TRAIN + "model.fit(x, y, epochs=EPOCHS)\n")
    # The same code twice: the baseline counted one, the second is new.
    status, codes = new_codes(project, monkeypatch)
    assert status == 1 and codes == ["RL501"]


def test_stale_entries_are_reported(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "src" / "train.py").write_text("import keras\nkeras.utils.set_random_seed(0)\n" + TRAIN)  # RL502 is gone
    result = run(["check", "--baseline", "baseline.json", "src"], project, monkeypatch)
    assert result.exit_code == 0
    assert "1 baseline entry no longer found" in result.stdout


def test_paths_are_relative_to_the_baseline_file(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = run(["check", "--baseline", "../baseline.json", "."], project / "src", monkeypatch)
    assert result.exit_code == 0, result.stdout


def test_notebook_cell_inserted_above(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def notebook(cells: list[str]) -> str:
        return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
            {"cell_type": "code", "id": str(i), "metadata": {}, "outputs": [], "execution_count": None, "source": source}
            for i, source in enumerate(cells)]})

    path = tmp_path / "nb.ipynb"
    path.write_text(notebook(["import albumentations as A", "A.RandomScale(scale_limit=0.01)"]))
    run(["check", "--write-baseline", "b.json", "nb.ipynb"], tmp_path, monkeypatch)
    path.write_text(notebook(["import albumentations as A", "print('a new cell')", "A.RandomScale(scale_limit=0.01)"]))
    assert run(["check", "--baseline", "b.json", "nb.ipynb"], tmp_path, monkeypatch).exit_code == 0


def test_bad_baseline_and_conflicting_options(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run(["check", "--baseline", "missing.json", "src"], project, monkeypatch).exit_code == 2
    (project / "bad.json").write_text("{not json")
    assert run(["check", "--baseline", "bad.json", "src"], project, monkeypatch).exit_code == 2
    (project / "other.json").write_text('{"findings": []}')
    assert run(["check", "--baseline", "other.json", "src"], project, monkeypatch).exit_code == 2
    both = run(["check", "--baseline", "baseline.json", "--write-baseline", "b.json", "src"], project, monkeypatch)
    assert both.exit_code == 2


def test_sarif_and_github_formats_respect_the_baseline(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "src" / "train.py").write_text(TRAIN + "A.RandomScale(scale_limit=0.02)\n")
    github = run(["check", "--baseline", "baseline.json", "--format", "github", "src"], project, monkeypatch)
    assert github.exit_code == 1
    assert github.stdout.count("::warning") == 1 and "title=RL101" in github.stdout
    sarif = json.loads(run(["check", "--baseline", "baseline.json", "--format", "sarif", "src"], project, monkeypatch).stdout)
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["RL101"]


@pytest.mark.parametrize("content", [
    '{"reviewlint-baseline": 1, "findings": [{"path": "t.py", "code": "RL102", "fingerprint": "x", "count": Infinity}]}',
    '{"reviewlint-baseline": 1, "findings": [{"path": "t.py", "code": "RL102", "fingerprint": "x", "count": 1e999}]}',
    '{"reviewlint-baseline": 1, "findings": ' + "[" * 100_000 + "]" * 100_000 + "}",
    '{"reviewlint-baseline": 1' + "0" * 5000 + ', "findings": []}',
    '{"reviewlint-baseline": 1, "findings": [7]}',
], ids=["infinity", "1e999", "deep", "digits", "not-an-entry"])
def test_a_hostile_baseline_is_a_usage_error(tmp_path: Path, content: str) -> None:
    (tmp_path / "t.py").write_text(FLIP)
    (tmp_path / "b.json").write_text(content)
    run = run_cli(["check", "--no-cache", "--baseline", "b.json", "."], cwd=tmp_path)
    assert run.returncode == 2 and "Traceback" not in run.stderr and "baseline" in run.stderr


def test_write_baseline_errors_are_one_line_and_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "t.py").write_text(FLIP)
    run = run_cli(["check", "--no-cache", "--write-baseline", "nodir/b.json", "."], cwd=tmp_path)
    assert run.returncode == 2 and run.stderr.startswith("reviewlint: error: cannot write baseline nodir/b.json")
    assert check_in_process(["--no-cache", "--write-baseline", "b.json", "."], tmp_path, monkeypatch)[0] == 0
    good = (tmp_path / "b.json").read_bytes()

    def full_disk(descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    (tmp_path / "many.py").write_text("import albumentations as A\n" + "".join(
        f"aug{i} = A.Compose([A.VerticalFlip(p=0.{i})])\n" for i in range(200)))
    code, _, err = check_in_process(["--no-cache", "--write-baseline", "b.json", "."], tmp_path, monkeypatch)
    assert code == 2 and "No space left" in err
    assert (tmp_path / "b.json").read_bytes() == good, "the old baseline is whole"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.json", "many.py", "t.py"], "no temporary file left"
