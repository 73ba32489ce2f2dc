"""``reviewlint check --fix / --unsafe-fixes / --diff``: passes, conflicts, imports, notebooks,
encodings and the safe, atomic write (owners, hard links, read-only files, links out of the tree);
a notebook's JSON is kept byte for byte and its broken cells are left alone."""

from __future__ import annotations

import json
import os
import shutil
import stat
import warnings
from pathlib import Path

import libcst as cst
import pytest

from reviewlint.cli import cli
from reviewlint.fixing import fixer
from reviewlint.fixing.edits import Fix, replace
from reviewlint.fixing.fixer import fix_bytes, fix_text
from reviewlint.lint.registry import all_rules
from reviewlint.lint.rule import Invalid, NoOptions, Report, RuleInfo, Severity, Valid
from reviewlint.run.config import Settings
from reviewlint.source.atomic import ChangedOnDisk, Snapshot, replace_if_unchanged
from tests.conftest import REPO, cli_runner, run_cli

SAFE_AND_UNSAFE = (
    "import albumentations as A\n"
    "\n"
    "def build():\n"
    "    aug = A.Compose([A.ShiftScaleRotate(scale_limit=0.01, rotate_limit=10, value=0)])\n"
    "    return (aug, 1)\n"
)
TUPLE = "def f(a, b):\n    return (a, b)\n"
posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX files")




def invoke(args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(cwd)
    return cli_runner().invoke(cli, args, catch_exceptions=False)


def test_fix_applies_safe_fixes_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "train.py").write_text(SAFE_AND_UNSAFE)
    result = invoke(["check", "--fix", "train.py"], tmp_path, monkeypatch)
    text = (tmp_path / "train.py").read_text()
    assert "fill=0" in text and "return aug, 1" in text, "RL103's rename and RL402 are safe"
    assert "scale_limit=0.01" in text, "RL101's fix is unsafe"
    assert result.exit_code == 1  # RL101 (and RL103's ShiftScaleRotate) remain
    assert "Applied 2 fixes to 1 file." in result.output
    assert "1 fixable with --fix --unsafe-fixes" in result.output  # RL101; ShiftScaleRotate -> Affine has no fix


def test_unsafe_fixes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "train.py").write_text(SAFE_AND_UNSAFE)
    invoke(["check", "--fix", "--unsafe-fixes", "train.py"], tmp_path, monkeypatch)
    text = (tmp_path / "train.py").read_text()
    assert "scale_limit=0," in text and "fill=0" in text and "return aug, 1" in text
    again = invoke(["check", "--format", "json", "train.py"], tmp_path, monkeypatch)
    findings = json.loads(again.stdout)["findings"]
    assert [f["code"] for f in findings] == ["RL103"]  # ShiftScaleRotate -> Affine has no fix
    assert findings[0]["fix"] is None


def test_diff_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "train.py"
    path.write_text(SAFE_AND_UNSAFE)
    result = invoke(["check", "--diff", "train.py"], tmp_path, monkeypatch)
    assert result.exit_code == 1
    assert path.read_text() == SAFE_AND_UNSAFE
    assert "--- train.py\n+++ train.py\n" in result.output
    assert "+    return aug, 1\n" in result.output and "-    return (aug, 1)\n" in result.output
    assert "scale_limit=0," not in result.output, "unsafe fixes only with --unsafe-fixes"
    unsafe = invoke(["check", "--diff", "--unsafe-fixes", "train.py"], tmp_path, monkeypatch)
    assert "scale_limit=0," in unsafe.output
    (tmp_path / "clean.py").write_text("x = 1\n")
    assert invoke(["check", "--diff", "clean.py"], tmp_path, monkeypatch).exit_code == 0


def test_noqa_lines_are_not_fixed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = "def f():\n    return (a, b)  # noqa: RL402\n\ndef g():\n    return (a, b)\n"
    (tmp_path / "f.py").write_text(source)
    invoke(["check", "--fix", "f.py"], tmp_path, monkeypatch)
    assert (tmp_path / "f.py").read_text() == source.replace("    return (a, b)\n", "    return a, b\n")


def test_two_fixes_of_one_node_apply_one_per_pass() -> None:
    module = cst.parse_module("f(a, b)\n")
    call = module.body[0].body[0].value
    outer = Fix("outer", [replace(call, call.with_changes(func=cst.Name("g")))])
    inner = Fix("inner", [replace(call.args[0].value, cst.Name("z"))])
    same = Fix("same node", [replace(call, call.with_changes(func=cst.Name("h")))])
    text, applied, problems = fixer.fix_module(module, [("RL001", outer), ("RL002", inner), ("RL003", same)])
    assert text == "g(a, b)\n"
    assert [candidate.code for candidate in applied] == ["RL001"]
    assert not problems


def _rule(code: str, check, fix_kind: str = "safe") -> RuleInfo:
    return RuleInfo(code, f"test-rule-{code[-3:]}", Severity.WARNING, "test", "## What it does", check, NoOptions, "facts", (),
                    (Valid("x"),), (Invalid("x"),), None, fix_kind)  # type: ignore[arg-type]


def _increment(ctx):
    """A fix that never converges: x = n becomes x = n + 1, forever."""
    for statement in ctx.model.module.body:
        value = statement.body[0].value
        yield Report(value, "x", fix=Fix("increment", [replace(value, cst.Integer(str(int(value.value) + 1)))]))


def test_passes_are_bounded() -> None:
    outcome = fixer.fix_bytes(Path("x.py"), b"x = 0\n", Settings(root=Path.cwd()), [_rule("RL991", _increment)], unsafe=False)
    assert outcome.fixed == f"x = {fixer.MAX_PASSES}\n".encode()
    assert sum(outcome.applied.values()) == fixer.MAX_PASSES
    assert outcome.notices == [f"x.py: fixes still pending after {fixer.MAX_PASSES} passes"]


def _breaks(ctx):
    for statement in ctx.model.module.body:
        call = statement.body[0].value
        bad = call.with_changes(args=[*call.args, cst.Arg(cst.Integer("2"), keyword=cst.Name("a"))])
        yield Report(call, "x", fix=Fix("duplicate a keyword", [replace(call, bad)]))


def test_a_fix_that_breaks_the_code_is_refused() -> None:
    outcome = fixer.fix_bytes(Path("x.py"), b"f(a=1)\n", Settings(root=Path.cwd()), [_rule("RL992", _breaks)], unsafe=False)
    assert outcome.fixed == b"f(a=1)\n"
    assert len(outcome.errors) == 1
    assert "RL992 fix 'duplicate a keyword' not applied: the fixed code does not compile" in outcome.errors[0].message


def test_imports_are_added_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = (
        "import numpy as np\n"
        "import efficientnet.tfkeras as efn\n"
        "from tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
        "\n"
        "base = efn.EfficientNetB0(weights='imagenet')\n"
        "train = ImageDataGenerator(rescale=1./255, horizontal_flip=True)\n"
        "test = ImageDataGenerator(rescale=1./255)\n"
    )
    (tmp_path / "t.py").write_text(source)
    invoke(["check", "--fix", "--unsafe-fixes", "--select", "RL201", "t.py"], tmp_path, monkeypatch)
    assert (tmp_path / "t.py").read_text() == (
        "import numpy as np\n"
        "import efficientnet.tfkeras as efn\n"
        "from efficientnet.tfkeras import preprocess_input\n"
        "from tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
        "\n"
        "base = efn.EfficientNetB0(weights='imagenet')\n"
        "train = ImageDataGenerator(preprocessing_function=preprocess_input, horizontal_flip=True)\n"
        "test = ImageDataGenerator(preprocessing_function=preprocess_input)\n"
    )


def test_encoding_bom_and_line_endings_are_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    latin = "# -*- coding: latin-1 -*-\n# café\ndef f():\n    return (a, b)\n".encode("latin-1")
    (tmp_path / "latin.py").write_bytes(latin)
    crlf = b"\xef\xbb\xbfdef f():\r\n    return (a, b)\r\n"
    (tmp_path / "crlf.py").write_bytes(crlf)
    invoke(["check", "--fix", "latin.py", "crlf.py"], tmp_path, monkeypatch)
    assert (tmp_path / "latin.py").read_bytes() == latin.replace(b"return (a, b)", b"return a, b")
    assert (tmp_path / "crlf.py").read_bytes() == b"\xef\xbb\xbfdef f():\r\n    return a, b\r\n"


def test_rules_table_has_a_fix_column(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    rules = json.loads(invoke(["rules", "--format", "json"], tmp_path, monkeypatch).stdout)
    kinds = {rule["code"]: rule["fix"] for rule in rules}
    assert kinds["RL402"] == "safe" and kinds["RL101"] == "unsafe" and kinds["RL103"] == "mixed"
    assert kinds["RL302"] is None
    table = invoke(["rules"], tmp_path, monkeypatch).output
    assert "Fix" in table.splitlines()[0]


# --- notebooks --------------------------------------------------------------------------------

NOTEBOOK = {
    "cells": [
        {"cell_type": "markdown", "id": "md-1", "metadata": {}, "source": ["# Title\n", "(a, b) = f()  # prose, not code\n"]},
        {"cell_type": "code", "execution_count": 1, "id": "imports", "metadata": {"tags": ["setup"]},
         "outputs": [{"name": "stdout", "output_type": "stream", "text": ["Collecting albumentations\n"]}],
         "source": ["%matplotlib inline\n", "!pip install -q albumentations\n", "import albumentations as A\n",
                    "from keras import layers"]},
        {"cell_type": "code", "execution_count": 2, "id": "bash", "metadata": {}, "outputs": [],
         "source": ["%%bash\n", "echo (a, b)\n"]},
        {"cell_type": "code", "execution_count": 3, "id": "aug", "metadata": {"collapsed": False},
         "outputs": [{"data": {"text/plain": ["Compose(...)"]}, "execution_count": 3, "metadata": {}, "output_type": "execute_result"}],
         "source": ["  aug = A.Compose([\n", "      A.Flip(p=0.5),\n", "      A.RandomScale(scale_limit=0.01),\n", "  ])\n",
                    "  %time aug\n", "  flip = layers.RandomFlip()"]},
        {"cell_type": "code", "execution_count": None, "id": "string-source", "metadata": {}, "outputs": [],
         "source": "def split(x):\n    !ls\n    return (x[0], x[1])\n"},
        {"cell_type": "code", "execution_count": None, "id": "unchanged", "metadata": {}, "outputs": [],
         "source": ["y = 1\n"]},
    ],
    "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
    "nbformat": 4,
    "nbformat_minor": 5,
}


def test_notebook_fixed_in_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "nb.ipynb"
    text = json.dumps(NOTEBOOK, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    path.write_text(text, encoding="utf-8")
    result = invoke(["check", "--fix", "--unsafe-fixes", "nb.ipynb"], tmp_path, monkeypatch)
    assert result.exit_code == 0, result.output
    fixed = json.loads(path.read_text(encoding="utf-8"))
    cells = fixed["cells"]
    assert cells[3]["source"] == [
        "  aug = A.Compose([\n",
        "      A.HorizontalFlip(p=0.5),\n",
        "      A.RandomScale(scale_limit=0),\n",
        "  ])\n",
        "  %time aug\n",
        '  flip = layers.RandomFlip("horizontal")',
    ], "indentation and the magic come back; the list-of-lines form is kept"
    assert cells[4]["source"] == "def split(x):\n    !ls\n    return x[0], x[1]\n", "a string source stays a string"
    for before, after in zip(NOTEBOOK["cells"], cells):
        assert {k: v for k, v in before.items() if k != "source"} == {k: v for k, v in after.items() if k != "source"}
    for index in (0, 1, 2, 5):
        assert cells[index] == NOTEBOOK["cells"][index], "untouched cells stay byte-for-byte the same"
    expected = json.loads(text)
    expected["cells"][3]["source"] = cells[3]["source"]
    expected["cells"][4]["source"] = cells[4]["source"]
    assert path.read_text(encoding="utf-8") == json.dumps(expected, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def test_notebook_diff_is_per_cell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(NOTEBOOK, indent=2))
    before = path.read_bytes()
    result = invoke(["check", "--diff", "nb.ipynb"], tmp_path, monkeypatch)
    assert path.read_bytes() == before
    assert result.exit_code == 1
    assert "--- nb.ipynb:cell 5\n+++ nb.ipynb:cell 5\n" in result.output
    assert "-    return (x[0], x[1])\n+    return x[0], x[1]\n" in result.output
    assert "cell 4" not in result.output, "cell 4 has unsafe fixes only"


def test_notebook_layout_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(NOTEBOOK, indent=4, ensure_ascii=True))
    invoke(["check", "--fix", "nb.ipynb"], tmp_path, monkeypatch)
    data = json.loads(path.read_text())
    assert data["cells"][4]["source"].endswith("return x[0], x[1]\n")
    assert path.read_text() == json.dumps(data, indent=4, ensure_ascii=True)


def test_student_fixture_keeps_only_what_has_no_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("student_notebook.ipynb", "student_notebook.py"):
        shutil.copy(REPO / "fixtures" / name, tmp_path / name)
    before = json.loads(invoke(["check", "--format", "json", "."], tmp_path, monkeypatch).stdout)["findings"]
    fixed = invoke(["check", "--fix", "--unsafe-fixes", "--format", "json", "."], tmp_path, monkeypatch)
    assert json.loads(fixed.stdout)["errors"] == []
    after = json.loads(invoke(["check", "--format", "json", "."], tmp_path, monkeypatch).stdout)
    assert after["errors"] == []
    assert [f for f in after["findings"] if f["fix"] is not None] == []
    assert len(after["findings"]) < len(before)
    fixed_codes = {f["code"] for f in before} - {f["code"] for f in after["findings"]}
    assert {"RL101", "RL102", "RL201", "RL303", "RL401", "RL402"} <= fixed_codes
    notebook = json.loads((tmp_path / "student_notebook.ipynb").read_text(encoding="utf-8"))
    original = json.loads((REPO / "fixtures" / "student_notebook.ipynb").read_text(encoding="utf-8"))
    for new, old in zip(notebook["cells"], original["cells"]):
        assert {k: v for k, v in new.items() if k != "source"} == {k: v for k, v in old.items() if k != "source"}
        magics = [line for line in old["source"] if line.lstrip().startswith(("%", "!"))]
        assert all(line in new["source"] for line in magics)
    # Fixing again changes nothing.
    snapshot = {name: (tmp_path / name).read_bytes() for name in ("student_notebook.ipynb", "student_notebook.py")}
    invoke(["check", "--fix", "--unsafe-fixes", "."], tmp_path, monkeypatch)
    assert snapshot == {name: (tmp_path / name).read_bytes() for name in snapshot}


# --- the write ----------------------------------------------------------------------------------


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_atomic_replace_keeps_permissions_and_leaves_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "f.py"
    path.write_bytes(b"old\n")
    path.chmod(0o640)
    snapshot = Snapshot.read(path, 1 << 20)
    replace_if_unchanged(path, b"new\n", snapshot)
    assert path.read_bytes() == b"new\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.py"]


def test_atomic_replace_refuses_a_changed_file(tmp_path: Path) -> None:
    path = tmp_path / "f.py"
    path.write_bytes(b"old\n")
    snapshot = Snapshot.read(path, 1 << 20)
    path.write_bytes(b"edited meanwhile\n")
    with pytest.raises(ChangedOnDisk):
        replace_if_unchanged(path, b"new\n", snapshot)
    assert path.read_bytes() == b"edited meanwhile\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.py"]


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_atomic_replace_follows_symlinks(tmp_path: Path) -> None:
    target = tmp_path / "real.py"
    target.write_bytes(b"old\n")
    link = tmp_path / "link.py"
    link.symlink_to(target)
    replace_if_unchanged(link, b"new\n", Snapshot.read(link, 1 << 20))
    assert link.is_symlink() and target.read_bytes() == b"new\n"


def test_fix_does_not_overwrite_a_file_edited_meanwhile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "f.py"
    path.write_text("def f():\n    return (a, b)\n")
    real = fixer.fix_bytes

    def edit_while_fixing(*args, **kwargs):
        outcome = real(*args, **kwargs)
        path.write_text("def f():\n    return (a, b)  # edited in the editor\n")
        return outcome

    monkeypatch.setattr(fixer, "fix_bytes", edit_while_fixing)
    result = invoke(["check", "--fix", "--format", "concise", "f.py"], tmp_path, monkeypatch)
    assert path.read_text() == "def f():\n    return (a, b)  # edited in the editor\n"
    assert "f.py: error: changed on disk while it was being fixed: not overwritten" in result.output
    assert result.exit_code == 2


def test_fixing_code_that_warns_prints_no_warning() -> None:
    """Checking the fixed code compiles it; CPython's SyntaxWarnings about the user's code stay silent."""
    code = "def f():\n    x = 1(2)\n    y = '\\d'\n    return (x, y)\n"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        new = fix_text(code, all_rules(), Settings(root=Path.cwd()))
    assert "return x, y" in new
    assert [w for w in caught if issubclass(w.category, SyntaxWarning)] == []


def test_lone_cr_files_keep_their_last_line_ending() -> None:
    """libcst drops a file's final lone CR when it parses; the fixer puts it back."""
    rules, settings = all_rules(), Settings(root=Path.cwd())
    assert fix_text("def f(a, b):\r    return (a, b)\r", rules, settings) == "def f(a, b):\r    return a, b\r"
    assert fix_text("x = 1\r\n\rdef f(a, b):\r    return (a, b)\r\r", rules, settings) == (
        "x = 1\r\n\rdef f(a, b):\r    return a, b\r\r")


def test_lost_tail_refuses_what_libcst_does_not_reproduce() -> None:
    assert fixer._lost_tail("x = 1\n", "x = 1\n") == ""
    assert fixer._lost_tail("x = 1\r", "x = 1") == "\r"
    assert fixer._lost_tail("x = 1\r\n", "x = 1") is None
    assert fixer._lost_tail("x = 2\n", "x = 1\n") is None


@posix_only
def test_fix_keeps_owner_group_and_extended_attributes(tmp_path: Path) -> None:
    path = tmp_path / "orig.py"
    path.write_text(TUPLE)
    if os.geteuid() == 0:
        os.chown(path, 1234, 1234)
    try:
        os.setxattr(path, "user.tag", b"x")
        has_xattr = True
    except OSError:
        has_xattr = False
    before = os.stat(path)
    run = run_cli(["check", "--no-cache", "--fix", "orig.py"], cwd=tmp_path)
    assert "Traceback" not in run.stderr
    after = os.stat(path)
    assert path.read_text() == "def f(a, b):\n    return a, b\n"
    assert (after.st_uid, after.st_gid, after.st_mode) == (before.st_uid, before.st_gid, before.st_mode)
    if has_xattr:
        assert os.getxattr(path, "user.tag") == b"x"


@posix_only
def test_hard_links_and_read_only_files_are_not_rewritten(tmp_path: Path) -> None:
    (tmp_path / "orig.py").write_text(TUPLE)
    os.link(tmp_path / "orig.py", tmp_path / "hard.py")
    (tmp_path / "locked.py").write_text(TUPLE)
    (tmp_path / "locked.py").chmod(0o444)
    run = run_cli(["check", "--no-cache", "--fix", "--format", "concise", "orig.py", "locked.py"], cwd=tmp_path)
    assert run.returncode == 2
    assert "orig.py: error: cannot write the fixed file: it has 2 hard links" in run.stdout
    assert "locked.py: error: cannot write the fixed file: it is read-only" in run.stdout
    assert (tmp_path / "orig.py").read_text() == (tmp_path / "hard.py").read_text() == TUPLE
    assert (tmp_path / "locked.py").read_text() == TUPLE
    assert os.stat(tmp_path / "orig.py").st_ino == os.stat(tmp_path / "hard.py").st_ino


@posix_only
def test_fix_never_writes_through_a_link_out_of_the_tree(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / "lib").mkdir(parents=True)
    (outside / "victim.py").write_text(TUPLE)
    (outside / "lib" / "helper.py").write_text(TUPLE)
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "innocent.py").symlink_to("../outside/victim.py")
    (repo / "vendor").symlink_to(outside / "lib")
    (repo / "own.py").write_text(TUPLE)
    (repo / "inner.py").symlink_to("own.py")
    run = run_cli(["check", "--no-cache", "--fix", "--format", "concise", "."], cwd=repo)
    assert (outside / "victim.py").read_text() == TUPLE and (outside / "lib" / "helper.py").read_text() == TUPLE
    assert "innocent.py: error: not fixed: a symbolic link leads out of the folders given" in run.stdout
    assert (repo / "own.py").read_text() == "def f(a, b):\n    return a, b\n", "links inside the tree are fine"


@pytest.mark.parametrize("first", ["%%bash\necho hi\n", "%%writefile config.yaml\nlr: 0.1\n"])
def test_an_added_import_never_lands_in_a_non_python_cell(tmp_path: Path, first: str) -> None:
    cells = [first, "try:\n    import efficientnet.tfkeras as efn\nexcept ImportError:\n    efn = None\n"
             "from tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
             "base = efn.EfficientNetB0(weights='imagenet')\ntrain = ImageDataGenerator(rescale=1./255)\n"]
    notebook = {"cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": c} for c in cells],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "nb.ipynb").write_text(json.dumps(notebook, indent=1) + "\n")
    run_cli(["check", "--no-cache", "--fix", "--unsafe-fixes", "nb.ipynb"], cwd=tmp_path)
    sources = [cell["source"] for cell in json.loads((tmp_path / "nb.ipynb").read_text())["cells"]]
    assert sources[0] == first
    assert sources[1].startswith("from efficientnet.tfkeras import preprocess_input\n")
    assert "preprocessing_function=preprocess_input" in sources[1]


def _notebook(cells: list[list[str]]) -> dict[str, object]:
    return {"cells": [{"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [], "source": source}
                      for source in cells], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


@pytest.mark.parametrize("layout", ["compact", "values", "crlf", "tabs", "python2"])
def test_a_fixed_notebook_keeps_its_json_byte_for_byte_outside_the_fix(tmp_path: Path, layout: str) -> None:
    notebook = _notebook([["def f(a, b):\n", "    return (a, b)\n"], ["x = '\u00e9'\n"]])
    text = {
        "compact": json.dumps(notebook, separators=(",", ":")),
        "values": json.dumps(notebook, indent=1).replace('"metadata": {},\n "nbformat"',
                                                         '"metadata": {"a": 1, "a": 2, "big": 1e400, "exp": 1E5, "f": 0.1000000000000000055511151231257827},\n "nbformat"') + "\n",
        "crlf": (json.dumps(notebook, indent=1) + "\n").replace("\n", "\r\n"),
        "tabs": json.dumps(notebook, indent="\t", ensure_ascii=True) + "\n",
        "python2": json.dumps(notebook, indent=1, separators=(", ", ": ")) + "\n",
    }[layout]
    (tmp_path / "nb.ipynb").write_bytes(text.encode())
    run_cli(["check", "--no-cache", "--fix", "nb.ipynb"], cwd=tmp_path)
    after = (tmp_path / "nb.ipynb").read_bytes().decode()
    assert after == text.replace("return (a, b)", "return a, b")


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
