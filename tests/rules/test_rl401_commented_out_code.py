"""RL401 (commented-out-code): blocks stop at noqa lines and at cell boundaries; parsing stays bounded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewlint.analysis import commented_code
from tests.conftest import lint_file, run_cli, write_notebook


def test_a_noqa_line_inside_a_commented_block_is_kept(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n# model.fit(x, y)\n# model.load_weights(best)  # noqa: RL401 -- keep\n"
                                   "# model.evaluate(x, y)\ny = 2\n")
    run_cli(["check", "--no-cache", "--fix", "--unsafe-fixes", "a.py"], cwd=tmp_path)
    assert (tmp_path / "a.py").read_text() == "x = 1\n# model.load_weights(best)  # noqa: RL401 -- keep\ny = 2\n"


def test_a_commented_block_never_spans_two_cells(tmp_path: Path) -> None:
    cells = ["x = 1\n# model.fit(x, y)\n# model.evaluate(x, y)", "# model.predict(x)\n# model.save(path)\ny = 2\n"]
    notebook = {"cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": c} for c in cells],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "nb.ipynb").write_text(json.dumps(notebook))
    found = json.loads(run_cli(["check", "--no-cache", "--format", "json", "--select", "RL401", "nb.ipynb"], cwd=tmp_path).stdout)
    assert [(f["cell"], f["line"], f["end_line"]) for f in found["findings"]] == [(1, 2, 3), (2, 1, 2)]


def test_lines_that_never_close_a_bracket_are_not_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = commented_code._parse
    monkeypatch.setattr(commented_code, "_parse", lambda text: calls.append(text) or real(text))
    lines = [f" model.fit(x{i}, y, epochs=3, callbacks=[" for i in range(200)]
    commented_code.block_is_code(lines)
    assert len(calls) < 400, "at most a few parses a line, never 40"
    assert commented_code.block_is_code([" model.fit(", "     x, y)"])[0]


def test_a_commented_shell_line_is_code_in_a_notebook_only(tmp_path: Path) -> None:
    cell = "# !gsutil cp gs://bucket/weights.h5 .\nx = 1\n"
    notebook = write_notebook(tmp_path, cell)
    script = tmp_path / "s.py"
    script.write_text(cell)  # jupytext writes a notebook's magics this way into .py files
    assert [(f.code, f.location.cell, f.location.line) for f in lint_file(notebook, "RL401")] == [("RL401", 1, 1)]
    assert lint_file(script, "RL401") == []


def test_a_shouted_heading_with_exclamation_marks_is_no_shell_line(tmp_path: Path) -> None:
    cell = "# ! THE EPOCH LOOP !\nfor e in range(3):\n    x = 1\n# !nvidia-smi\n# !Rscript -e 'x'\n"
    notebook = write_notebook(tmp_path, cell)
    assert [f.location.line for f in lint_file(notebook, "RL401")] == [4]


def test_a_commented_pip_magic_is_code_in_a_notebook_but_install_advice_is_prose(tmp_path: Path) -> None:
    cell = ("#pip install -U albumentations\nx = 1\n\n# pip install the package first, then restart\ny = 2\n"
            "\n# %conda install -c conda-forge opencv\nz = 3\n")
    notebook = write_notebook(tmp_path, cell)
    assert [f.location.line for f in lint_file(notebook, "RL401")] == [1, 7]
    script = tmp_path / "s.py"
    script.write_text(cell)
    assert lint_file(script, "RL401") == []
