"""Notebooks: cells joined into one module, magics and IPython forms masked as Jupyter runs them,
findings mapped to (cell, line), a broken cell one RL001 finding, other kernels reported, not linted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewlint.lint.registry import all_rules
from reviewlint.run.config import Settings
from reviewlint.fixing.fixer import fix_bytes
from reviewlint.run.loop import lint_path
from reviewlint.source.files import load_source, mask_cell
from tests.conftest import run_cli, write_notebook

FORMATS = ("text", "concise", "json", "sarif", "github")


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


def test_a_notebook_in_another_language_is_reported_not_linted(tmp_path: Path) -> None:
    notebook = {"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                           "source": "df <- read.csv('x.csv')\nprint(summary(df))"}],
                "metadata": {"kernelspec": {"name": "ir", "language": "R", "display_name": "R"}},
                "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "analysis.ipynb").write_text(json.dumps(notebook))
    run = run_cli(["check", "--no-cache", "--format", "concise", "."], cwd=tmp_path)
    assert run.returncode == 0, run.stdout
    assert run.stdout == "analysis.ipynb: skipped: a R notebook (the language of its kernel), not Python\n"


def test_a_broken_cell_is_one_finding_and_the_other_cells_are_linted(tmp_path: Path) -> None:
    path = write_notebook(
        tmp_path,
        "import albumentations as A\nSCALE = 0.01\n",
        "aug = A.Compose([\n    A.VerticalFlip(p=0.5),\n",  # half-edited: the bracket is never closed
        "SMALL = 0.02\nif SMALL:\nprint('oops')\n",  # SMALL is defined only here
        "train_aug = A.Compose([A.ShiftScaleRotate(scale_limit=SCALE), A.VerticalFlip(p=0.5)])\n"
        "other = A.Compose([A.ShiftScaleRotate(scale_limit=SMALL)])\n",
    )
    result = lint_path(path, Settings(root=tmp_path), all_rules())
    assert result.errors == [] and result.skipped == []
    places = sorted((f.code, f.location.cell, f.location.line) for f in result.findings)
    assert ("RL001", 2, 1) in places and ("RL001", 3, 3) in places
    assert ("RL101", 4, 1) in places, "the cells after the broken ones are linted"
    assert ("RL102", 4, 1) in places
    assert not any(f.code == "RL101" and f.location.line == 2 for f in result.findings), \
        "SMALL is known only to the broken cell: unknown to later cells, as in Jupyter"
    rl001 = [f for f in result.findings if f.code == "RL001"]
    assert all(f.message.startswith("syntax error: ") and "\n" not in f.message for f in rl001)


def test_a_cell_broken_by_one_stray_line_is_linted_without_that_line(tmp_path: Path) -> None:
    path = write_notebook(
        tmp_path,
        "import albumentations as A\n",
        "SMALL = 0.02\n    , or (image, id) pairs\naug = A.Compose([A.VerticalFlip(p=0.5)])\n",  # a pasted fragment
        "other = A.Compose([A.ShiftScaleRotate(scale_limit=SMALL)])\n",
        "x = (\n",  # no single line to blame: left out whole
    )
    result = lint_path(path, Settings(root=tmp_path), all_rules())
    places = sorted((f.code, f.location.cell, f.location.line) for f in result.findings if f.code != "RL103")
    assert places == [("RL001", 2, 2), ("RL001", 4, 1), ("RL101", 3, 1), ("RL102", 2, 3)]
    first, second = (f for f in result.findings if f.code == "RL001")
    assert first.message.endswith("(the rest of the cell is linted without this line)")
    assert "linted without" not in second.message
    before = path.read_bytes()
    outcome = fix_bytes(path, before, Settings(root=tmp_path), all_rules(), unsafe=True)
    cells = [cell["source"] for cell in json.loads(outcome.fixed)["cells"]]
    assert cells[1] == json.loads(before)["cells"][1]["source"], "a cell that does not parse is never edited"
    assert {"RL001", "RL102"} <= {f.code for f in outcome.result.findings}


@pytest.mark.parametrize("output_format", FORMATS)
def test_a_broken_cell_in_every_format(tmp_path: Path, output_format: str) -> None:
    write_notebook(tmp_path, "import albumentations as A\n", "x = (\n", "aug = A.VerticalFlip(p=0.5)\n")
    run = run_cli(["check", "--no-cache", "--format", output_format, "."], cwd=tmp_path)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    if output_format == "json":
        found = {(f["code"], f["cell"], f["line"]) for f in json.loads(run.stdout)["findings"]}
        assert found == {("RL001", 2, 1), ("RL102", 3, 1)}
    elif output_format == "sarif":
        results = json.loads(run.stdout)["runs"][0]["results"]
        assert sorted((r["ruleId"], r["properties"]["cell"]) for r in results) == [("RL001", 2), ("RL102", 3)]
    else:
        assert "RL001" in run.stdout and "RL102" in run.stdout


IPYTHON_FORMS = {
    "help suffix": "import numpy as np\nnp.mean?\n",
    "help suffix 2": "import numpy as np\nnp.mean??\n",
    "help prefix": "import numpy as np\n?np.mean\n",
    "help prefix 2": "import numpy as np\n??np.mean\n",
    "help on an item": "import numpy as np\nobj = [np]\nobj[0].mean?\n",
    "help after an assignment": "import numpy as np\nx = np.mean?\n",
    "psearch": "import numpy as np\nnp.me*?\n",
    "pinfo magic": "import numpy as np\n%pinfo np\n",
    "shell": "!ls -la\nx = 1\n",
    "shell output": "files = !ls\nprint(files)\n",
    "shell in a block": "for i in range(2):\n    !echo $i\n    out = !ls\n    x = i\n",
    "help in a block": "import numpy as np\nif True:\n    np.mean?\n    y = 1\n",
    "time cell": "%%time\nx = 1\ny = x + 1\n",
    "time cell, indented body": "%%time\n    y = 1\n    z = y\n",
    "capture cell": "%%capture out\nimport numpy\n",
    "stacked cell magics": "%%capture\n%%time\n  y = 1\n",
    "blank lines before a cell magic": "\n\n%%bash\nfor f in *.png; do echo $f; done\n",
    "line magic with continuation": "%time x = \\\n  1\ny = 2\n",
    "line magic": "%matplotlib inline\nimport numpy\n",
    "indented cell": "    a = 1\n    b = a\n",
    "comment ending in a question mark": "x = 1  # why?\n",
}


@pytest.mark.parametrize("name", sorted(IPYTHON_FORMS))
def test_ipython_forms_are_masked_line_for_line(name: str, tmp_path: Path) -> None:
    transformer = pytest.importorskip("IPython.core.inputtransformer2")
    cell = IPYTHON_FORMS[name]
    ipython = transformer.TransformerManager().transform_cell(cell)
    compile(ipython, "<ipython>", "exec")  # the oracle: IPython runs this cell
    path = write_notebook(tmp_path, cell, "import albumentations as A\naug = A.VerticalFlip(p=0.5)\n")
    result = lint_path(path, Settings(root=tmp_path), all_rules())
    assert result.errors == [] and not [f for f in result.findings if f.code == "RL001"], result.findings
    assert [(f.code, f.location.cell, f.location.line) for f in result.findings if f.code == "RL102"] == [("RL102", 2, 2)]


def test_columns_in_an_indented_cell_count_the_indentation(tmp_path: Path) -> None:
    path = write_notebook(tmp_path, "import albumentations as A\n",
                          "    aug = A.Compose([\nA.VerticalFlip(p=0.5)])\n", "    x = A.VerticalFlip(p=0.5)\n")
    found = sorted((f.location.cell, f.location.line, f.location.column, f.location.end_column, f.source_lines[0])
                   for f in lint_path(path, Settings(root=tmp_path), all_rules()).findings if f.code == "RL102")
    assert found == [(2, 2, 1, 22, "A.VerticalFlip(p=0.5)])"), (3, 1, 9, 30, "    x = A.VerticalFlip(p=0.5)")]


def test_a_cell_linted_without_its_line_is_left_out_whole_when_libcst_still_rejects_it(tmp_path: Path) -> None:
    from reviewlint.source.parse_guard import ParseProblem, isolate_broken_cells

    path = write_notebook(tmp_path, "a = 1\n", "b = 2\n    , stray\nc = 3\n", "d = 4\n")
    source = load_source(path, path.read_bytes())
    first = isolate_broken_cells(source, ParseProblem("syntax error: unexpected indent", 3, 5))
    assert first is not None and first.text == "a = 1\nb = 2\n\nc = 3\nd = 4\n"
    assert [(item.cell, item.line, item.linted_without_line) for item in first.broken] == [(2, 2, True)]
    # libcst rejects the repaired cell (a limit CPython does not have): the cell goes, the rest stays.
    second = isolate_broken_cells(first, ParseProblem("libcst cannot parse this code", 4, 1))
    assert second is not None and second.text == "a = 1\n\n\n\nd = 4\n"
    assert [(item.cell, item.line, item.linted_without_line) for item in second.broken] == [(2, 2, False)]


def test_commented_code_at_the_end_of_a_cell_and_the_start_of_the_next_is_two_blocks(tmp_path: Path) -> None:
    path = notebook(tmp_path, [
        ("code", "x = 1\n# val = gen.flow_from_directory('val',\n#     shuffle=True)"),
        ("code", "\n# train = gen.flow_from_directory(\n#     'train',\n#     shuffle=True,\n# )\ny = 2\n"),
    ])
    result = lint(path, "RL401")
    assert [(finding.location.cell, finding.location.line) for finding in result.findings] == [(1, 2), (2, 2)]
