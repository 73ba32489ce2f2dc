"""Notebooks: cells joined into one module, magics masked, findings mapped to (cell, line)."""

from __future__ import annotations

import json
from pathlib import Path

from reviewlint.lint.registry import all_rules
from reviewlint.run.config import Settings
from reviewlint.run.loop import lint_path
from reviewlint.source.files import load_source, mask_cell


def notebook(tmp_path: Path, cells: list[tuple[str, str]], name: str = "nb.ipynb") -> Path:
    data = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {},
        "cells": [
            {"cell_type": kind, "id": str(i), "metadata": {}, "source": source.splitlines(keepends=True),
             **({"outputs": [], "execution_count": None} if kind == "code" else {})}
            for i, (kind, source) in enumerate(cells)
        ],
    }
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def lint(path: Path, code: str):
    rules = [rule for rule in all_rules() if rule.code == code]
    return lint_path(path, Settings(root=path.parent), rules)


def test_names_flow_across_cells_and_lines_map_back(tmp_path: Path) -> None:
    path = notebook(tmp_path, [
        ("markdown", "# Title\nSome text"),
        ("code", "%matplotlib inline\n!pip install -q albumentations\nimport albumentations as A\nSCALE = 0.01"),
        ("raw", "raw cell"),
        ("code", "%%time\naug = A.Compose([\n    A.RandomScale(scale_limit=SCALE),\n])"),
    ])
    result = lint(path, "RL101")
    assert not result.errors
    (finding,) = result.findings
    assert (finding.location.cell, finding.location.line, finding.location.column) == (4, 3, 19)


def test_magics_inside_blocks_and_brackets(tmp_path: Path) -> None:
    source = (
        "import albumentations as A\n"
        "for i in range(3):\n"
        "    %time x = 1\n"
        "    !echo {i}\n"
        "print('a %d'\n"
        "      % 3)\n"
        "files = !ls\n"
        "ls ./data\n"
        "A.RandomScale(scale_limit=0.01)\n"
    )
    result = lint(notebook(tmp_path, [("code", source)]), "RL101")
    assert not result.errors, result.errors
    assert [(f.location.cell, f.location.line) for f in result.findings] == [(1, 9)]


def test_non_python_cell_magics_are_masked_whole(tmp_path: Path) -> None:
    path = notebook(tmp_path, [
        ("code", "%%bash\nfor f in *; do echo $f; done"),
        ("code", "%%writefile train.py\nthis is not python("),
        ("code", "import albumentations as A\nA.VerticalFlip()"),
    ])
    result = lint(path, "RL102")
    assert not result.errors
    assert [(f.location.cell, f.location.line) for f in result.findings] == [(3, 2)]


def test_leading_indentation_is_removed_like_ipython(tmp_path: Path) -> None:
    path = notebook(tmp_path, [("code", "  import albumentations as A\n  A.VerticalFlip()")])
    result = lint(path, "RL102")
    assert not result.errors
    (finding,) = result.findings
    assert (finding.location.cell, finding.location.line, finding.location.column) == (1, 2, 3)


def test_masking_keeps_line_count() -> None:
    source = "%matplotlib inline\n!pip install x \\\n  y\nx = 1\n%%time"
    assert mask_cell(source).count("\n") == source.count("\n")


def test_syntax_error_names_the_cell(tmp_path: Path) -> None:
    path = notebook(tmp_path, [("code", "import albumentations as A"), ("code", "x = (")])
    result = lint(path, "RL101")
    assert result.errors == []
    (finding,) = result.findings
    assert (finding.code, finding.location.cell) == ("RL001", 2)


def test_string_sources_and_nbformat3(tmp_path: Path) -> None:
    v4 = tmp_path / "v4.ipynb"
    v4.write_text(json.dumps({"nbformat": 4, "metadata": {}, "cells": [
        {"cell_type": "code", "source": "import albumentations as A\nA.VerticalFlip()", "metadata": {}, "outputs": []}]}))
    v3 = tmp_path / "v3.ipynb"
    v3.write_text(json.dumps({"nbformat": 3, "worksheets": [{"cells": [
        {"cell_type": "code", "input": ["import albumentations as A\n", "A.VerticalFlip()"], "outputs": []}]}]}))
    for path in (v4, v3):
        assert len(lint(path, "RL102").findings) == 1
        assert load_source(path, path.read_bytes()).kind == "notebook"


def test_stacked_cell_magics(tmp_path: Path) -> None:
    path = notebook(tmp_path, [("code", "%%capture\n%%bash\nmkdir -p datasets\ncd datasets && ls"),
                               ("code", "import albumentations as A\nA.VerticalFlip()")])
    result = lint(path, "RL102")
    assert not result.errors and len(result.findings) == 1


def test_syntax_error_location_comes_from_cpython(tmp_path: Path) -> None:
    path = notebook(tmp_path, [("code", "import albumentations as A"), ("code", "x = 1\ny = (\n\nz = 3")])
    (finding,) = lint(path, "RL101").findings
    assert (finding.code, finding.location.cell, finding.location.line) == ("RL001", 2, 2)
