"""Nothing goes unread in silence: notebooks as they really are, and a gate that says what it skipped.

- size limits measure a notebook's code, not its outputs;
- a file that is not linted is reported in every format;
- a broken notebook cell is one RL001 finding, and the other cells are linted;
- ``--fail-on`` and ``--exit-zero``;
- the cache stays small, and ``reviewlint clean`` removes it.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import jsonschema
import pytest

from reviewlint.fixing.fixer import fix_bytes
from reviewlint.lint.finding import Finding
from reviewlint.lint.registry import all_rules
from reviewlint.run.cache import Cache, CacheError, remove_cache
from reviewlint.run.config import Settings
from reviewlint.run.loop import lint_path
from reviewlint.run.result import FileResult
from tests.conftest import REPO, run_cli, write_notebook

SCHEMA = json.loads((REPO / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
FLIP = "import albumentations as A\ntrain_aug = A.Compose([A.VerticalFlip(p=0.5)])\n"
FORMATS = ("text", "concise", "json", "sarif", "github")


def _plot_output(size: int) -> dict[str, object]:
    """A display_data output holding a PNG of ``size`` random bytes (base64)."""
    return {"data": {"image/png": base64.b64encode(os.urandom(size)).decode()}, "metadata": {},
            "output_type": "display_data"}


def _big_notebook(path: Path, code: str, output_bytes: int = 3_000_000) -> Path:
    notebook = {
        "cells": [{"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": [_plot_output(output_bytes)],
                   "source": code}],
        "metadata": {"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}},
        "nbformat": 4, "nbformat_minor": 5,
    }
    path.write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    return path


def _skips(output_format: str, stdout: str) -> list[str]:
    """The skipped files an output names (their paths)."""
    if output_format == "json":
        return [item["path"] for item in json.loads(stdout)["skipped"]]
    if output_format == "sarif":
        log = json.loads(stdout)
        jsonschema.validate(log, SCHEMA)
        notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        return [note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for note in notes]
    if output_format == "github":
        return [line.split("file=", 1)[1].split(",", 1)[0] for line in stdout.splitlines()
                if line.startswith(("::warning file=", "::notice file=")) and "title=reviewlint::" in line]
    if output_format == "concise":
        return [line.split(": skipped", 1)[0] for line in stdout.splitlines() if ": skipped: " in line]
    return [line.split(": ", 2)[1] for line in stdout.splitlines() if line.startswith(("skipped: ", "note: "))]


# 1. Size limits measure code --------------------------------------------------------------------
@pytest.mark.parametrize("output_format", FORMATS)
def test_a_3mb_notebook_with_two_lines_of_code_is_linted(tmp_path: Path, output_format: str) -> None:
    _big_notebook(tmp_path / "plots.ipynb", FLIP)
    assert (tmp_path / "plots.ipynb").stat().st_size > 3_000_000
    run = run_cli(["check", "--no-cache", "--format", output_format, "plots.ipynb"], cwd=tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "RL102" in run.stdout and _skips(output_format, run.stdout) == []


def test_a_notebooks_code_over_max_file_size_is_skipped_and_outputs_never_count(tmp_path: Path) -> None:
    rules = all_rules()
    path = _big_notebook(tmp_path / "plots.ipynb", FLIP, output_bytes=200_000)
    assert lint_path(path, Settings(root=tmp_path, max_file_size=len(FLIP)), rules).findings
    result = lint_path(path, Settings(root=tmp_path, max_file_size=len(FLIP) - 1), rules)
    assert result.findings == [] and [item.reason for item in result.skipped] == [
        f"skipped: its code is {len(FLIP)} bytes, over max-file-size ({len(FLIP) - 1})"]
    small_json = lint_path(path, Settings(root=tmp_path, max_notebook_size=100_000), rules)
    assert "over max-notebook-size (100000 bytes)" in small_json.skipped[0].reason


@pytest.mark.parametrize("output_format", FORMATS)
def test_a_skipped_file_is_named_in_every_format_and_fails_the_run(tmp_path: Path, output_format: str) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.reviewlint]\nmax-file-size = 2000\nmax-notebook-size = 500000\n")
    (tmp_path / "big.py").write_text(FLIP + "".join(f"X{i} = {i}\n" for i in range(400)))
    _big_notebook(tmp_path / "plots.ipynb", FLIP, output_bytes=600_000)
    (tmp_path / "clean.py").write_text("x = 1\n")
    run = run_cli(["check", "--no-cache", "--format", output_format, "."], cwd=tmp_path)
    assert run.returncode == 1, "a skipped file is not a pass: " + run.stdout + run.stderr
    assert sorted(_skips(output_format, run.stdout)) == ["big.py", "plots.ipynb"]
    assert run_cli(["check", "--no-cache", "--exit-zero", "--format", output_format, "."], cwd=tmp_path).returncode == 0


@pytest.mark.parametrize("output_format", FORMATS)
def test_a_named_file_that_exclude_matches_is_reported_and_passes(tmp_path: Path, output_format: str) -> None:
    """Excludes apply to files named on the command line (ruff's --force-exclude, always on), and say so."""
    (tmp_path / "pyproject.toml").write_text('[tool.reviewlint]\nexclude = ["legacy/**"]\n')
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "old.py").write_text(FLIP)
    run = run_cli(["check", "--no-cache", "--format", output_format, "legacy/old.py"], cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert _skips(output_format, run.stdout) == ["legacy/old.py"]
    assert "RL102" not in run.stdout if output_format != "sarif" else json.loads(run.stdout)["runs"][0]["results"] == []
    assert "no Python files" not in run.stderr


def test_no_file_found_is_said_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("nothing to lint\n")
    run = run_cli(["check", "--no-cache", "--format", "json", "."], cwd=tmp_path)
    assert run.returncode == 0 and json.loads(run.stdout)["findings"] == []
    assert run.stderr == "reviewlint: warning: no Python files or notebooks found under the given path(s)\n"


def test_a_notebook_in_another_language_is_reported_not_linted(tmp_path: Path) -> None:
    notebook = {"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                           "source": "df <- read.csv('x.csv')\nprint(summary(df))"}],
                "metadata": {"kernelspec": {"name": "ir", "language": "R", "display_name": "R"}},
                "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "analysis.ipynb").write_text(json.dumps(notebook))
    run = run_cli(["check", "--no-cache", "--format", "concise", "."], cwd=tmp_path)
    assert run.returncode == 0, run.stdout
    assert run.stdout == "analysis.ipynb: skipped: a R notebook (the language of its kernel), not Python\n"


# 3. A broken cell is one finding ----------------------------------------------------------------
def test_a_broken_cell_is_one_finding_and_the_other_cells_are_linted(tmp_path: Path) -> None:
    path = write_notebook(
        tmp_path,
        "import albumentations as A\nSCALE = 0.01\n",
        "aug = A.Compose([\n    A.VerticalFlip(p=0.5),\n",  # half-edited: the bracket is never closed
        "SMALL = 0.02\nprint('oops'\n",  # SMALL is defined only here
        "train_aug = A.Compose([A.ShiftScaleRotate(scale_limit=SCALE), A.VerticalFlip(p=0.5)])\n"
        "other = A.Compose([A.ShiftScaleRotate(scale_limit=SMALL)])\n",
    )
    result = lint_path(path, Settings(root=tmp_path), all_rules())
    assert result.errors == [] and result.skipped == []
    places = sorted((f.code, f.location.cell, f.location.line) for f in result.findings)
    assert ("RL001", 2, 1) in places and ("RL001", 3, 2) in places
    assert ("RL101", 4, 1) in places, "the cells after the broken ones are linted"
    assert ("RL102", 4, 1) in places
    assert not any(f.code == "RL101" and f.location.line == 2 for f in result.findings), \
        "SMALL is known only to the broken cell: unknown to later cells, as in Jupyter"
    rl001 = [f for f in result.findings if f.code == "RL001"]
    assert all(f.message.startswith("syntax error: ") and "\n" not in f.message for f in rl001)


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


def test_rl001_can_be_ignored_per_file_and_baselined(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("def f(:\n")
    (tmp_path / "legacy.py").write_text("print 'python 2'\n")
    (tmp_path / "pyproject.toml").write_text('[tool.reviewlint.per-file-ignores]\n"legacy.py" = ["RL001"]\n')
    run = run_cli(["check", "--no-cache", "--format", "concise", "."], cwd=tmp_path)
    assert run.returncode == 1 and run.stdout.startswith("broken.py:1:7: RL001 syntax error") and "legacy" not in run.stdout
    assert run_cli(["check", "--no-cache", "--write-baseline", "b.json", "."], cwd=tmp_path).returncode == 0
    assert run_cli(["check", "--no-cache", "--baseline", "b.json", "."], cwd=tmp_path).returncode == 0
    (tmp_path / "broken.py").write_text("def g(:\n")
    assert run_cli(["check", "--no-cache", "--baseline", "b.json", "."], cwd=tmp_path).returncode == 1
    assert run_cli(["check", "--no-cache", "--exit-zero", "."], cwd=tmp_path).returncode == 0


def test_a_read_error_still_exits_2(tmp_path: Path) -> None:
    (tmp_path / "dangling.py").symlink_to(tmp_path / "nowhere.py")
    run = run_cli(["check", "--no-cache", "--exit-zero", "--format", "concise", "."], cwd=tmp_path)
    assert run.returncode == 2 and "dangling.py: error: broken symbolic link" in run.stdout


def _notebook_bytes(*cells: str) -> bytes:
    notebook = {"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": cell}
                          for cell in cells], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    return (json.dumps(notebook, indent=1) + "\n").encode()


def test_fixes_in_other_cells_keep_a_broken_cell_and_every_other_byte(tmp_path: Path) -> None:
    raw = _notebook_bytes("def pair(a, b):\n    return (a, b)\n", "x = (\n", "y = [1,\n  2]\n")
    outcome = fix_bytes(tmp_path / "nb.ipynb", raw, Settings(root=tmp_path), all_rules(), unsafe=False)
    assert outcome.changed and outcome.errors == []
    assert outcome.fixed == raw.replace(b"return (a, b)", b"return a, b")


def test_an_unsafe_fix_with_an_import_leaves_the_broken_cell_alone(tmp_path: Path) -> None:
    raw = _notebook_bytes(
        "x = (\n",
        "import efficientnet.tfkeras as efn\nfrom tensorflow.keras.preprocessing.image import ImageDataGenerator\n",
        "base = efn.EfficientNetB0(weights='imagenet')\ntrain = ImageDataGenerator(rescale=1./255)\n",
    )
    outcome = fix_bytes(tmp_path / "nb.ipynb", raw, Settings(root=tmp_path), all_rules(), unsafe=True)
    cells = [cell["source"] for cell in json.loads(outcome.fixed)["cells"]]
    assert cells[0] == "x = (\n" and "import preprocess_input" in cells[1] and "preprocessing_function=" in cells[2]
    assert outcome.fixed.startswith(raw[: raw.index(b'"import efficientnet')])


def test_a_change_inside_a_broken_cell_is_refused() -> None:
    from reviewlint.fixing.notebook_writer import CellMappingError, write_back

    raw = _notebook_bytes("a = 1\n", "x = (\n", "b = 2\n")
    old = "a = 1\n\nb = 2\n"  # the broken cell 2 is a blank line in the module
    with pytest.raises(CellMappingError, match="cell 2, which does not parse"):
        write_back(raw, old, "a = 1\ny = 1\nb = 2\n", broken={2})
    assert write_back(raw, old, "a = 1\n\nb = 3\n", broken={2})[0] == raw.replace(b"b = 2", b"b = 3")


# 4. IPython as Jupyter runs it -------------------------------------------------------------------
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


# 6. The gate --------------------------------------------------------------------------------------
def test_fail_on(tmp_path: Path) -> None:
    (tmp_path / "style.py").write_text("def pair(a, b):\n    return (a, b)\n")  # RL402: info
    assert run_cli(["check", "--no-cache", "style.py"], cwd=tmp_path).returncode == 0, "info does not fail by default"
    assert "RL402" in run_cli(["check", "--no-cache", "style.py"], cwd=tmp_path).stdout, "but it is reported"
    assert run_cli(["check", "--no-cache", "--fail-on", "info", "style.py"], cwd=tmp_path).returncode == 1
    (tmp_path / "flip.py").write_text(FLIP)  # RL102: warning
    assert run_cli(["check", "--no-cache", "--fail-on", "error", "flip.py"], cwd=tmp_path).returncode == 0
    assert run_cli(["check", "--no-cache", "flip.py"], cwd=tmp_path).returncode == 1
    (tmp_path / "pyproject.toml").write_text('[tool.reviewlint]\nfail-on = "error"\n')
    assert run_cli(["check", "--no-cache", "flip.py"], cwd=tmp_path).returncode == 0
    assert run_cli(["check", "--no-cache", "--fail-on", "warning", "flip.py"], cwd=tmp_path).returncode == 1
    (tmp_path / "broken.py").write_text("x = (\n")  # RL001: error
    assert run_cli(["check", "--no-cache", "broken.py"], cwd=tmp_path).returncode == 1
    (tmp_path / "pyproject.toml").write_text('[tool.reviewlint]\nfail-on = "never"\n')
    bad = run_cli(["check", "--no-cache", "flip.py"], cwd=tmp_path)
    assert bad.returncode == 2 and "fail-on must be one of info, warning, error" in bad.stderr


def test_the_pre_commit_hooks_never_oversubscribe() -> None:
    hooks = (REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert hooks.count("require_serial: true") == 2 and "require_serial: false" not in hooks


# 7. A cache that stays small -------------------------------------------------------------------
def _result(number: int) -> FileResult:
    return FileResult(f"f{number}.py", [], [], [])


def test_the_cache_keeps_the_most_recently_used_entries(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache", "code")
    cache.prepare()
    keys = [f"{number:040x}" for number in range(30)]
    for number, key in enumerate(keys):
        cache.put(key, _result(number))
        entry = tmp_path / "cache" / "code" / key[:2] / key[2:]
        os.utime(entry, ns=(number * 10**9, number * 10**9))
    assert cache.get(keys[0]) is not None  # used now: the newest
    assert cache.trim(max_entries=10) == 20
    assert cache.get(keys[0]) is not None and all(cache.get(key) is not None for key in keys[-9:])
    assert all(cache.get(key) is None for key in keys[1:-9])
    stale = tmp_path / "cache" / "old-version" / "ab"
    stale.mkdir(parents=True)
    cache.trim(max_entries=10)
    assert not (tmp_path / "cache" / "old-version").exists(), "empty folders of other versions go"


def test_reviewlint_clean(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.reviewlint]\n")
    (tmp_path / "train.py").write_text(FLIP)
    assert run_cli(["check", "train.py"], cwd=tmp_path).returncode == 1
    assert (tmp_path / ".reviewlint_cache" / "CACHEDIR.TAG").is_file()
    cleaned = run_cli(["clean"], cwd=tmp_path)
    assert cleaned.returncode == 0 and not (tmp_path / ".reviewlint_cache").exists()
    assert "removed" in cleaned.stderr
    assert run_cli(["clean"], cwd=tmp_path).stderr.startswith("reviewlint: no cache at ")
    (tmp_path / "not-a-cache").mkdir()
    (tmp_path / "not-a-cache" / "precious.txt").write_text("keep me")
    refused = run_cli(["clean", "--cache-dir", "not-a-cache"], cwd=tmp_path)
    assert refused.returncode == 2 and (tmp_path / "not-a-cache" / "precious.txt").exists()
    with pytest.raises(CacheError):
        remove_cache(tmp_path / "not-a-cache")


def test_findings_survive_the_cache_exactly(tmp_path: Path) -> None:
    path = write_notebook(tmp_path, "import albumentations as A\n", "x = (\n", "aug = A.VerticalFlip(p=0.5)\n")
    cache = Cache.open(tmp_path / "cache", all_rules())
    rules = all_rules()
    cold = lint_path(path, Settings(root=tmp_path), rules, cache)
    warm = lint_path(path, Settings(root=tmp_path), rules, cache)
    assert warm == cold and [f.source_lines for f in warm.findings] == [f.source_lines for f in cold.findings]
    assert all(isinstance(finding, Finding) for finding in warm.findings)
