"""Linting is reading: the linted code and its config are never imported, run or evaluated, no
network, no subprocess; output cannot be hijacked by control characters in the source; report
paths are relative; and a check run never writes to the files it lints.

Every file of the hostile tree below writes a marker file when imported or run; the tests lint
the tree in every output format and check that no marker appears. Runs that need the command as
users run it use the ``reviewlint`` entry point (``python -m`` would put the linted directory on
``sys.path``: see ``test_python_dash_m_does_not_import_from_the_linted_directory``).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import shutil
import stat
import struct
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import reviewlint.lint.registry
from reviewlint.lint.rule import Report, RuleContext, Span
from tests.conftest import check_in_process, run_cli

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
FLIP = "import albumentations as A\ntrain_aug = A.Compose([A.VerticalFlip(p=0.5)])\n"
# Entry point of the installed command (what users, pre-commit and CI run), without ``-m``.
ENTRY = [sys.executable, "-c", "import sys; sys.path.pop(0); from reviewlint.cli import main; main()"]
run_command = functools.partial(run_cli, command=ENTRY)






def _payload(markers: Path, name: str) -> str:
    return f"open({str(markers / name)!r}, 'w').write('ran')\n"


def hostile_tree(root: Path) -> Path:
    """A project whose every Python file, notebook cell and shell line would leave a marker if run."""
    markers = root / "markers"
    markers.mkdir()
    tree = root / "project"
    tree.mkdir()
    triggers = (
        "# model.fit(x, y)\nimport tensorflow as tf\nfrom tensorflow import keras\n"
        "model = keras.Model()\nmodel.fit(x, y, epochs=3, validation_data=(a, b))\nfor i in range(3):\n    pass\n"
    )
    for name in ("evil", "conftest", "setup", "__init__", "sitecustomize", "usercustomize", "__main__"):
        (tree / f"{name}.py").write_text(_payload(markers, name) + FLIP + triggers)
    # Modules reviewlint itself imports: found first if the linted directory were on sys.path.
    for name in ("json", "tomllib", "click", "rich", "libcst", "hashlib", "pickle", "tokenize", "ast", "re"):
        (tree / f"{name}.py").write_text(_payload(markers, f"shadow-{name}") + "raise SystemExit(97)\n")
    cells = [
        _payload(markers, "cell") + FLIP,
        f"!touch {markers / 'shell-line'}\n%run evil.py\n%load_ext evil\nfiles = !ls {markers}\n",
        f"%%bash\ntouch {markers / 'bash-cell'}\n",
        f"%%python\n{_payload(markers, 'python-cell')}",
    ]
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": cell} for cell in cells]}
    (tree / "evil.ipynb").write_text(json.dumps(notebook))
    (tree / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools", "evil @ file:///nonexistent"]\nbuild-backend = "evil"\n'
        'backend-path = ["."]\n\n'
        '[project]\nname = "evil"\ndynamic = ["version"]\n\n'
        '[tool.setuptools.dynamic]\nversion = {attr = "evil.VERSION"}\n\n'
        '[tool.reviewlint]\nselect = ["RL"]\n'
        f'exclude = ["__import__(\'os\').system(\'touch {markers / "exclude"}\')", "$(touch {markers / "shell"})"]\n'
        "max-file-size = 0x7fffffff\n\n"
        "[tool.reviewlint.near-zero-scale]\nthreshold = 1e-300\n\n"
        '[tool.reviewlint.per-file-ignores]\n"`touch x`" = ["RL101"]\n'
    )
    return tree


def assert_no_marker(root: Path) -> None:
    assert sorted(path.name for path in (root / "markers").iterdir()) == []


@pytest.mark.parametrize("output_format", ["text", "concise", "json", "sarif", "github"])
def test_linting_never_imports_or_runs_the_linted_code(tmp_path: Path, output_format: str) -> None:
    tree = hostile_tree(tmp_path)
    run = run_command(["check", "--format", output_format, "."], cwd=tree)
    assert "Traceback" not in run.stdout + run.stderr, run.stderr
    assert run.returncode == 1, run.stdout + run.stderr  # findings, and only findings
    assert "evil.py" in run.stdout
    assert_no_marker(tmp_path)


def test_hostile_config_values_are_rejected_not_evaluated(tmp_path: Path) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    (tmp_path / "train.py").write_text(FLIP)
    for line in (
        f"image-domain = \"__import__('os').system('touch {markers / 'domain'}')\"",
        'max-file-size = "1e9"',
        "select = [{__import__ = 'os'}]",
        "[tool.reviewlint.near-zero-scale]\nthreshold = \"__import__('os')\"",
    ):
        (tmp_path / "pyproject.toml").write_text(f"[tool.reviewlint]\n{line}\n")
        run = run_command(["check", "--no-cache", "."], cwd=tmp_path)
        assert run.returncode == 2, line
        assert "config error" in run.stderr and "Traceback" not in run.stdout + run.stderr
    (tmp_path / "pyproject.toml").write_bytes(b"[tool.reviewlint\n\xff\xfe")
    run = run_command(["check", "--no-cache", "."], cwd=tmp_path)
    assert run.returncode == 2 and "config error" in run.stderr and "Traceback" not in run.stderr
    assert_no_marker(tmp_path)


_EVENTS: list[tuple[str, tuple[object, ...]]] | None = None


def _audit(event: str, args: tuple[object, ...]) -> None:
    if _EVENTS is not None and (event in _WATCHED or event.startswith(("socket.", "subprocess.", "os.exec", "os.spawn"))):
        _EVENTS.append((event, args))


_WATCHED = {"exec", "import", "open", "os.system", "os.posix_spawn", "os.fork", "os.forkpty", "ctypes.dlopen",
            "urllib.Request", "http.client.connect", "pickle.find_class", "webbrowser.open", "shutil.rmtree", "os.remove",
            "os.rename", "os.truncate", "os.chmod", "os.utime"}


@pytest.fixture
def audit() -> Iterator[list[tuple[str, tuple[object, ...]]]]:
    """Every watched audit event raised while the fixture is active (``sys.addaudithook``)."""
    global _EVENTS
    if not getattr(sys, "_reviewlint_audit_installed", False):
        sys.addaudithook(_audit)  # audit hooks cannot be removed: installed once, active only here
        sys._reviewlint_audit_installed = True  # type: ignore[attr-defined]
    _EVENTS = []
    try:
        yield _EVENTS
    finally:
        _EVENTS = None


def _constants(code: object) -> Iterator[object]:
    for const in getattr(code, "co_consts", ()):
        yield const
        yield from _constants(const)


def test_audit_hooks_see_no_exec_import_network_or_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           audit: list[tuple[str, tuple[object, ...]]]) -> None:
    tree = hostile_tree(tmp_path)
    audit.clear()  # the events of the run only
    code, out, err = check_in_process(["--jobs", "1", "--format", "json", "."], tree, monkeypatch)
    events = list(audit)
    assert code == 1, out + err
    assert json.loads(out)["findings"]
    assert_no_marker(tmp_path)
    inside = str(tree)
    for event, args in events:
        if event == "exec":
            code_object = args[0]
            assert not str(getattr(code_object, "co_filename", "")).startswith(inside), code_object
            assert not any(isinstance(c, str) and str(tmp_path) in c for c in _constants(code_object))
        elif event == "import":
            assert args[0] not in {"evil", "conftest", "setup", "sitecustomize", "usercustomize"}, args
            for path in args[2] or ():  # sys.path at the time: the tree is never on it
                assert str(path) != inside
        elif event == "open":
            path, mode = str(args[0]), args[1]
            if isinstance(mode, str) and any(flag in mode for flag in "wax+"):
                assert not path.startswith(inside) or "/.reviewlint_cache/" in path, (path, mode)
        elif event == "pickle.find_class":
            assert args[0] in {"reviewlint.lint.finding", "reviewlint.lint.rule"}, args
        elif event in {"shutil.rmtree", "os.remove", "os.rename", "os.truncate", "os.chmod", "os.utime"}:
            assert not str(args[0]).startswith(inside) or "/.reviewlint_cache/" in str(args[0]), (event, args)
        else:
            raise AssertionError(f"unexpected {event} {args}")


def test_python_dash_m_does_not_import_from_the_linted_directory(tmp_path: Path) -> None:
    """``python -m reviewlint`` puts the working directory first on ``sys.path`` (Python's rule)."""
    tree = hostile_tree(tmp_path)
    run = run_command(["check", "--no-cache", "evil.py"], cwd=tree, command=[sys.executable, "-I", "-m", "reviewlint"])
    assert run.returncode == 1, run.stdout + run.stderr
    assert_no_marker(tmp_path)
    plain = run_command(["check", "--no-cache", "evil.py"], cwd=tree, command=[sys.executable, "-m", "reviewlint"])
    assert plain.returncode == 1, plain.stdout + plain.stderr
    assert_no_marker(tmp_path)


def _dotted_global_pickle(marker: Path) -> bytes:
    """A pickle that reaches ``eval`` through a dotted global of an allowed module."""
    def text(value: str) -> bytes:
        data = value.encode()
        return b"\x8c" + bytes([len(data)]) + data if len(data) < 256 else b"\x8d" + struct.pack("<Q", len(data)) + data

    return (
        b"\x80\x04"
        + text("reviewlint.lint.finding") + text("Finding.__init__.__globals__.__class__.get") + b"\x93"  # dict.get
        + text("reviewlint.lint.finding") + text("Finding.__init__.__builtins__") + b"\x93"  # the builtins dict
        + text("eval") + b"\x86R"  # dict.get(builtins, "eval")
        + text(f"__import__('pathlib').Path({str(marker)!r}).write_text('ran')") + b"\x85R."  # eval("…")
    )


def test_a_tampered_cache_entry_cannot_run_code(tmp_path: Path) -> None:
    from reviewlint.lint.registry import all_rules
    from reviewlint.run.cache import Cache, default_cache_dir
    from reviewlint.run.config import ConfigResolver, Overrides
    from reviewlint.run.loop import _cache_key
    from reviewlint.source.paths import display_path

    markers = tmp_path / "markers"
    markers.mkdir()
    (tmp_path / "pyproject.toml").write_text("[tool.reviewlint]\n")
    (tmp_path / "train.py").write_text(FLIP)
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:  # the entry where this run will look for train.py's result
        rules = all_rules()
        cache = Cache.open(default_cache_dir(), rules)
        path = Path("train.py")
        settings = ConfigResolver(rules, Overrides()).for_path(path)
        entry = cache._path(_cache_key(cache, path.read_bytes(), display_path(path), path, settings, rules))
    finally:
        os.chdir(cwd)
    entry.parent.mkdir(parents=True)
    entry.write_bytes(_dotted_global_pickle(markers / "cache"))
    run = run_command(["check", "--jobs", "1", "--format", "concise", "."], cwd=tmp_path)
    assert run.returncode == 1 and "train.py:2:24" in run.stdout
    assert_no_marker(tmp_path)


def _echo_rule(monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    """Add a rule that reports every line holding an escape character, quoting the line in its
    message (``where="message"``) or in its hint and related note (``where="hint"``)."""
    base = reviewlint.lint.registry.find_rule("RL102")
    assert base is not None

    def check(ctx: RuleContext) -> Iterator[Report]:
        for number, line in enumerate(ctx.source.text.splitlines(), start=1):
            if "\x1b" in line:
                span = Span(number, 0, number, len(line))
                if where == "message":
                    yield Report(span, f"this line says {line}")
                else:
                    yield Report(span, "this line has escapes", hint=f"not {line}", related=((span, f"see {line}"),))

    echo = dataclasses.replace(base, code="RL998", name="echo-escapes", check=check, triggers=("\x1b",))
    original = reviewlint.lint.registry.all_rules
    rules = (*original(), echo)
    for module in list(sys.modules.values()):
        if getattr(module, "all_rules", None) is original:
            monkeypatch.setattr(module, "all_rules", lambda: rules)


ESCAPES = "\x1b[31m\x1b]8;;http://evil.example\x07link\x1b]8;;\x07\x9b2J\x1b[0m"


def _lint_escapes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output_format: str) -> str:
    (tmp_path / "train.py").write_text(
        "import albumentations as A\n"
        f"train_aug = A.Compose([A.VerticalFlip(p=0.5)])  # {ESCAPES}\n"
        f"label = '{ESCAPES}'\n"
    )
    code, out, err = check_in_process(["--no-cache", "--jobs", "1", "--format", output_format, "."], tmp_path, monkeypatch)
    assert code == 1, out + err
    assert "RL998" in out and "RL102" in out
    assert "\x1b" not in err
    if output_format in ("json", "sarif"):
        json.loads(out)  # JSON escapes C0 controls (\u001b); C1 ones (\x9b) are valid JSON text
        return out.replace("\x9b", "")
    return out


@pytest.mark.parametrize("output_format", [
    "text", "concise", "json", "sarif", "github",
])
def test_control_characters_from_source_lines_are_escaped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          output_format: str) -> None:
    """In the code frame (a real rule, RL102) and in a message that quotes the line (RL998)."""
    _echo_rule(monkeypatch, "message")
    out = _lint_escapes(tmp_path, monkeypatch, output_format)
    for raw in ("\x1b", "\x07", "\x9b"):
        assert raw not in out, f"{output_format}: raw {raw!r} in the output"
    if output_format == "text":
        assert "2 | train_aug = A.Compose([A.VerticalFlip(p=0.5)])  # \\x1b[31m" in out, "the frame shows it, visibly"


def test_control_characters_in_hints_and_related_notes_are_escaped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _echo_rule(monkeypatch, "hint")
    out = _lint_escapes(tmp_path, monkeypatch, "text")
    assert "\x1b" not in out and "\x07" not in out


def test_report_paths_are_relative_to_the_working_directory(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.py").write_text(FLIP)
    (tmp_path / "sub" / "broken.py").write_text("def f(:\n")
    shutil.copy(CORPUS / "nb_indented_magics.ipynb", tmp_path / "nb.ipynb")
    absolute = [str(tmp_path / "sub"), str(tmp_path / "nb.ipynb")]
    data = json.loads(run_command(["check", "--no-cache", "--format", "json", *absolute], cwd=tmp_path).stdout)
    assert sorted(f["path"] for f in data["findings"]) == ["nb.ipynb", "sub/a.py", "sub/broken.py"]
    log = json.loads(run_command(["check", "--no-cache", "--format", "sarif", *absolute], cwd=tmp_path).stdout)
    run = log["runs"][0]
    uris = [loc["physicalLocation"]["artifactLocation"] for result in run["results"] for loc in result["locations"]]
    uris += [note["locations"][0]["physicalLocation"]["artifactLocation"]
             for note in run["invocations"][0]["toolExecutionNotifications"]]
    assert sorted(uri["uri"] for uri in uris) == ["nb.ipynb", "sub/a.py", "sub/broken.py"]
    assert all(uri["uriBaseId"] == "%SRCROOT%" for uri in uris)


def _snapshot(root: Path) -> dict[str, tuple[object, ...]]:
    """Every file and directory under ``root``: content hash, size, mode, mtime (symlinks as links)."""
    state: dict[str, tuple[object, ...]] = {}
    for directory, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(directory) / name
            info = path.lstat()
            digest = ""
            if stat.S_ISREG(info.st_mode):
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
            elif stat.S_ISLNK(info.st_mode):
                digest = os.readlink(path)
            state[path.relative_to(root).as_posix()] = (digest, info.st_size, info.st_mode, info.st_mtime_ns)
    return state


def test_check_never_writes_to_the_linted_files(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(CORPUS, tree / "corpus")
    (tree / "pyproject.toml").write_text("[tool.reviewlint]\n")
    (tree / "train.py").write_text(FLIP + "# model.fit(x, y)\nA.ShiftScaleRotate(scale_limit=0.01, value=0)\n")
    (tree / "dangling.py").symlink_to(tree / "nowhere.py")
    (tree / "with space é").mkdir()
    (tree / "with space é" / "nb.ipynb").write_bytes((CORPUS / "nb_bash_cell.ipynb").read_bytes())
    before = _snapshot(tree)
    report_file = tmp_path / "report.txt"
    for args in (
        ["."],
        ["--jobs", "2", "."],
        ["--no-cache", "--jobs", "1", "."],
        ["--format", "json", "."],
        ["--format", "sarif", "--output", str(report_file), "."],
        ["--format", "github", "--exit-zero", "--quiet", "."],
        ["--format", "concise", "--show-internal-errors", "train.py", "corpus/crlf.py", "corpus/nul_bytes.py"],
    ):
        run = run_command(["check", *args], cwd=tree)
        assert run.returncode in (0, 1, 2) and "Traceback" not in run.stdout + run.stderr, (args, run.stderr)
    after = _snapshot(tree)
    created = {name for name in after if name not in before}
    assert all(name.startswith(".reviewlint_cache") for name in created), created
    assert {name: after[name] for name in before} == before, "a linted file was changed"
