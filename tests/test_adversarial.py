"""The adversarial rows F1–F29 (``shared/reliability/adversarial-2026-12.md``), one test each.

Rows covered elsewhere: F3 (a ``.gitignore`` above the work tree) in ``test_discover_git.py``;
F14 (size limits) and F25 (IPython forms, other kernels) in ``test_nothing_silent.py``; F15 (flat
chains) in ``test_bad_inputs.py``; F26 (SIGHUP) in ``test_interrupt.py``; F11, F12 and F13 also have
benchmark cases in ``bench/adversarial.py``.
"""

from __future__ import annotations

import hmac
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from reviewlint.analysis import commented_code
from reviewlint.lint.finding import Finding, Location
from reviewlint.lint.registry import all_rules
from reviewlint.lint.rule import Severity
from reviewlint.report import REPORTERS
from reviewlint.run import cache as cache_module
from reviewlint.run.cache import Cache
from reviewlint.run.config import Settings
from reviewlint.run.loop import lint_path
from reviewlint.run.result import FileResult, RunResult
from tests.conftest import CLI_ENV, check_in_process, run_cli

FLIP = "import albumentations as A\ntrain_aug = A.Compose([A.VerticalFlip(p=0.5)])\n"
TUPLE = "def f(a, b):\n    return (a, b)\n"
posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX files")


def _memory_bounded() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (3 * 1024**3, 3 * 1024**3))


def _bounded_run(args: list[str], cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """reviewlint in a subprocess with 3 GB of address space and a time limit."""
    return subprocess.run([sys.executable, "-m", "reviewlint", *args], cwd=cwd, env=CLI_ENV, capture_output=True,
                          text=True, timeout=timeout, check=False, preexec_fn=_memory_bounded)


# F1, F2 ------------------------------------------------------------------------------------------
@posix_only
@pytest.mark.parametrize("fix", [False, True], ids=["check", "fix"])
def test_f1_f2_fifos_and_devices_are_refused_not_read(tmp_path: Path, fix: bool) -> None:
    (tmp_path / "good.py").write_text(FLIP)
    os.mkfifo(tmp_path / "pipe.py")
    (tmp_path / "zero.py").symlink_to("/dev/zero")
    (tmp_path / "sub").mkdir()
    os.mkfifo(tmp_path / "sub" / ".gitignore")
    (tmp_path / "dev").mkdir()
    (tmp_path / "dev" / ".gitignore").symlink_to("/dev/zero")
    (tmp_path / "sub" / "kept.py").write_text(FLIP)
    run = _bounded_run(["check", "--no-cache", "--format", "concise", *(["--fix"] if fix else []), "."], tmp_path)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    lines = run.stdout.splitlines()
    assert "pipe.py: error: cannot read: a FIFO, not a regular file: not read" in lines
    assert "zero.py: error: cannot read: a character device, not a regular file: not read" in lines
    assert any(line.startswith("good.py:2:") for line in lines) and any(line.startswith("sub/kept.py:2:") for line in lines)
    named = _bounded_run(["check", "--no-cache", "--format", "concise", "pipe.py"], tmp_path)
    assert named.returncode == 2 and "a FIFO" in named.stdout


# F4, F5, F6 --------------------------------------------------------------------------------------
def _entry_path(cache: Cache, key: str) -> Path:
    return cache.directory / cache.code / key[:2] / key[2:]


def test_f4_a_forged_cache_entry_is_not_trusted(tmp_path: Path) -> None:
    target = tmp_path / "train.py"
    target.write_text(FLIP)
    rules = all_rules()
    cache = Cache.open(tmp_path / "cache", rules)
    settings = Settings(root=tmp_path)
    real = lint_path(target, settings, rules, cache)
    assert [f.code for f in real.findings] == ["RL102"]
    (entry,) = [p for p in (tmp_path / "cache").rglob("*") if p.is_file() and p.parent.parent.name == cache.code]
    key = entry.parent.name + entry.name
    payload = json.dumps({"format": 2, "key": key, "result": cache_module.encode_result(FileResult(real.path))}).encode()
    forged = hmac.new(b"a key the attacker guessed" * 2, key.encode() + b"\0" + payload, "sha256").hexdigest().encode()
    entry.write_bytes(forged + b"\n" + payload)
    assert [f.code for f in lint_path(target, settings, rules, cache).findings] == ["RL102"], "the forgery is a miss"
    entry.write_bytes(b"\n" + payload)
    assert [f.code for f in lint_path(target, settings, rules, cache).findings] == ["RL102"]


def test_f4_every_field_is_escaped_in_the_github_format() -> None:
    forged = Finding("RL102\n::error file=x::pwned", "vertical-flip\n::add-mask::secret", Severity.WARNING, "m\n::error::x",
                     Location("train.py", 1, 1, 1, 2))
    for name in ("github", "concise", "text", "sarif", "json"):
        out = _render(RunResult(findings=[forged]), name)
        assert not any(line.startswith("::error") or line.startswith("::add-mask") for line in out.splitlines()[1:]), name


def _render(result: RunResult, name: str) -> str:
    import io

    stream = io.StringIO()
    REPORTERS[name](result, stream)
    return stream.getvalue()


def test_f5_a_pickle_in_the_cache_is_neither_loaded_nor_a_crash(tmp_path: Path) -> None:
    import pickle

    target = tmp_path / "train.py"
    target.write_text(FLIP)
    rules = all_rules()
    cache = Cache.open(tmp_path / "cache", rules)
    lint_path(target, Settings(root=tmp_path), rules, cache)
    (entry,) = [p for p in (tmp_path / "cache").rglob("*") if p.is_file() and p.parent.parent.name == cache.code]
    entry.write_bytes(pickle.dumps((None, {"sort_key": 0})))
    assert [f.code for f in lint_path(target, Settings(root=tmp_path), rules, cache).findings] == ["RL102"]
    assert callable(Finding.sort_key)


@posix_only
@pytest.mark.parametrize("link", [".", ".."])
def test_f6_a_committed_cache_symlink_is_not_followed(tmp_path: Path, link: str) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    (project / "pyproject.toml").write_text("[tool.reviewlint]\n")
    (project / "train.py").write_text(FLIP)
    (project / ".reviewlint_cache").symlink_to(link)
    before = sorted(os.listdir(tmp_path)), sorted(os.listdir(project))
    for _ in range(2):
        run = run_cli(["check", "--format", "concise", "."], cwd=project)
        assert run.returncode == 1 and "train.py:2:24: RL102" in run.stdout
        assert "running without the cache" in run.stderr
    assert (sorted(os.listdir(tmp_path)), sorted(os.listdir(project))) == before


# F7, F8 ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("first", ["%%bash\necho hi\n", "%%writefile config.yaml\nlr: 0.1\n"])
def test_f7_an_added_import_never_lands_in_a_non_python_cell(tmp_path: Path, first: str) -> None:
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


def test_f8_a_noqa_line_inside_a_commented_block_is_kept(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n# model.fit(x, y)\n# model.load_weights(best)  # noqa: RL401 -- keep\n"
                                   "# model.evaluate(x, y)\ny = 2\n")
    run_cli(["check", "--no-cache", "--fix", "--unsafe-fixes", "a.py"], cwd=tmp_path)
    assert (tmp_path / "a.py").read_text() == "x = 1\n# model.load_weights(best)  # noqa: RL401 -- keep\ny = 2\n"


# F9 ----------------------------------------------------------------------------------------------
@posix_only
def test_f9_fix_keeps_owner_group_and_extended_attributes(tmp_path: Path) -> None:
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
def test_f9_hard_links_and_read_only_files_are_not_rewritten(tmp_path: Path) -> None:
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


# F10 ---------------------------------------------------------------------------------------------
def _notebook(cells: list[list[str]]) -> dict[str, object]:
    return {"cells": [{"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [], "source": source}
                      for source in cells], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


@pytest.mark.parametrize("layout", ["compact", "values", "crlf", "tabs", "python2"])
def test_f10_a_fixed_notebook_keeps_its_json_byte_for_byte_outside_the_fix(tmp_path: Path, layout: str) -> None:
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


# F12, F13 ----------------------------------------------------------------------------------------
def test_f12_a_long_line_is_shown_as_a_window_and_the_report_is_complete(tmp_path: Path) -> None:
    (tmp_path / "f.py").write_text("import albumentations as A; x = [" + ",".join(["A.VerticalFlip(p=0.5)"] * 300) + "]\n")
    run = run_cli(["check", "--no-cache", "-j", "1", "f.py"], cwd=tmp_path)
    lines = run.stdout.splitlines()
    assert lines[-1] == "300 findings in 1 file."
    assert max(len(line) for line in lines) < 300
    assert sum(1 for line in lines if line.strip().startswith("|") and "^" in line) > 0


def test_f13_lines_that_never_close_a_bracket_are_not_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = commented_code._parse
    monkeypatch.setattr(commented_code, "_parse", lambda text: calls.append(text) or real(text))
    lines = [f" model.fit(x{i}, y, epochs=3, callbacks=[" for i in range(200)]
    commented_code.block_is_code(lines)
    assert len(calls) < 400, "at most a few parses a line, never 40"
    assert commented_code.block_is_code([" model.fit(", "     x, y)"])[0]


# F16 ---------------------------------------------------------------------------------------------
def test_f16_skip_file_counts_only_as_a_comment(tmp_path: Path) -> None:
    (tmp_path / "t.py").write_text('import albumentations as A\nHELP = """\n    # reviewlint: skip-file\n"""\n'
                                   "train_aug = A.Compose([A.VerticalFlip(p=0.5)])\n")
    (tmp_path / "s.py").write_text("# reviewlint: skip-file\n" + FLIP)
    run = run_cli(["check", "--no-cache", "--format", "concise", "."], cwd=tmp_path)
    assert [line.split(":")[0] for line in run.stdout.splitlines()] == ["t.py"]


# F17, F18, F19 -------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["[" * 5000 + "]" * 5000, "9" * 5000])
def test_f17_a_hostile_pyproject_is_one_line(tmp_path: Path, value: str) -> None:
    (tmp_path / "t.py").write_text(FLIP)
    key = "select" if value.startswith("[") else "max-file-size"
    (tmp_path / "pyproject.toml").write_text(f"[tool.reviewlint]\n{key} = {value}\n")
    run = run_cli(["check", "--no-cache", "."], cwd=tmp_path)
    assert run.returncode == 2 and run.stderr.count("\n") == 1 and "config error" in run.stderr
    assert "Traceback" not in run.stderr


def test_f18_an_excluded_folder_and_its_configuration_are_never_read(tmp_path: Path) -> None:
    (tmp_path / "vendor").mkdir()
    (tmp_path / "train.py").write_text(FLIP)
    (tmp_path / "vendor" / "v.py").write_text(FLIP)
    (tmp_path / "pyproject.toml").write_text('[tool.reviewlint]\nexclude = ["vendor"]\n')
    (tmp_path / "vendor" / "pyproject.toml").write_text("[project\nname=")
    run = run_cli(["check", "--no-cache", "--format", "concise", "."], cwd=tmp_path)
    assert run.returncode == 1 and run.stdout.startswith("train.py:2:24: RL102") and "vendor" not in run.stdout
    (tmp_path / "vendor" / "pyproject.toml").write_text('[tool.reviewlint]\nignore = ["RL402"]\n')
    run = run_cli(["check", "--no-cache", "--format", "concise", "."], cwd=tmp_path)
    assert "vendor" not in run.stdout, "a folder's own table cannot un-exclude it"


def test_f19_one_config_governs_relative_and_absolute_spellings(tmp_path: Path) -> None:
    (tmp_path / "shared").mkdir()
    (tmp_path / "proj" / "sub").mkdir(parents=True)
    (tmp_path / "proj" / "sub" / "a.py").write_text(FLIP)
    (tmp_path / "proj" / "sub" / "skipme.py").write_text(FLIP)
    (tmp_path / "shared" / "cfg.toml").write_text('exclude = ["sub/skipme.py"]\n[per-file-ignores]\n"sub/*.py" = ["RL102"]\n')
    project = tmp_path / "proj"
    for spelling in ("sub", str(project / "sub"), "sub/a.py", str(project / "sub" / "a.py")):
        run = run_cli(["check", "--no-cache", "--format", "json", "--config", "../shared/cfg.toml", spelling], cwd=project)
        assert run.returncode == 0 and json.loads(run.stdout)["findings"] == [], spelling


# F20, F21 ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("content", [
    '{"reviewlint-baseline": 1, "findings": [{"path": "t.py", "code": "RL102", "fingerprint": "x", "count": Infinity}]}',
    '{"reviewlint-baseline": 1, "findings": [{"path": "t.py", "code": "RL102", "fingerprint": "x", "count": 1e999}]}',
    '{"reviewlint-baseline": 1, "findings": ' + "[" * 100_000 + "]" * 100_000 + "}",
    '{"reviewlint-baseline": 1' + "0" * 5000 + ', "findings": []}',
    '{"reviewlint-baseline": 1, "findings": [7]}',
], ids=["infinity", "1e999", "deep", "digits", "not-an-entry"])
def test_f20_a_hostile_baseline_is_a_usage_error(tmp_path: Path, content: str) -> None:
    (tmp_path / "t.py").write_text(FLIP)
    (tmp_path / "b.json").write_text(content)
    run = run_cli(["check", "--no-cache", "--baseline", "b.json", "."], cwd=tmp_path)
    assert run.returncode == 2 and "Traceback" not in run.stderr and "baseline" in run.stderr


def test_f21_write_baseline_errors_are_one_line_and_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
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


# F22, F23 ----------------------------------------------------------------------------------------
def test_f22_odd_paths_are_one_line_errors(tmp_path: Path) -> None:
    run = run_cli(["check", "--no-cache", "a" * 300 + ".py"], cwd=tmp_path)
    assert run.returncode == 2 and "Traceback" not in run.stdout + run.stderr and "File name too long" in run.stdout
    gone = tmp_path / "gone"
    gone.mkdir()
    script = f"import os, sys; os.chdir({str(gone)!r}); os.rmdir({str(gone)!r}); sys.argv = ['reviewlint', 'check', '.']; " \
             "import runpy; runpy.run_module('reviewlint', run_name='__main__')"
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=CLI_ENV, timeout=60, check=False)
    assert run.returncode == 2 and run.stderr.strip() == "reviewlint: error: the working directory cannot be used (No such file or directory)"


@posix_only
@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None, reason="needs root to become another user")
def test_f22_an_unsearchable_directory_as_another_user(tmp_path: Path) -> None:
    os.chmod(tmp_path, 0o755)
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "h.py").write_text(FLIP)
    (tmp_path / "good.py").write_text(FLIP)
    os.chmod(tmp_path / "d", 0o644)
    command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-m", "reviewlint",
               "check", "--no-cache", "--format", "concise"]
    for target in (".", "d/h.py"):
        run = subprocess.run([*command, target], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
                             env={**CLI_ENV, "HOME": str(tmp_path)})
        assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
        assert "d/h.py: error: cannot read: Permission denied" in run.stdout


def test_f23_no_newline_from_the_source_reaches_a_one_line_format(tmp_path: Path) -> None:
    (tmp_path / "sub.py").write_text(
        "import pandas as pd\nfrom tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
        "test_datagen = ImageDataGenerator()\n"
        "test_gen = test_datagen.flow_from_dataframe(test_df, x_col='id', y_col=None, class_mode=None)\n"
        "pred = model.predict(test_gen, verbose=1)\nsubmission = pd.read_csv('sample_submission.csv')\n"
        "submission['''\nevil.py:1:1: RL201 spoofed\n'''] = pred.argmax(axis=1)\n")
    for output_format in ("concise", "text"):
        out = run_cli(["check", "--no-cache", "--format", output_format, "sub.py"], cwd=tmp_path).stdout
        assert not any(line.startswith("evil.py") for line in out.splitlines()), out
    assert "RL303" in out


# F24, F27, F28, F29 ------------------------------------------------------------------------------
def test_f24_a_commented_block_never_spans_two_cells(tmp_path: Path) -> None:
    cells = ["x = 1\n# model.fit(x, y)\n# model.evaluate(x, y)", "# model.predict(x)\n# model.save(path)\ny = 2\n"]
    notebook = {"cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": c} for c in cells],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "nb.ipynb").write_text(json.dumps(notebook))
    found = json.loads(run_cli(["check", "--no-cache", "--format", "json", "--select", "RL401", "nb.ipynb"], cwd=tmp_path).stdout)
    assert [(f["cell"], f["line"], f["end_line"]) for f in found["findings"]] == [(1, 2, 3), (2, 1, 2)]


@posix_only
def test_f27_fix_never_writes_through_a_link_out_of_the_tree(tmp_path: Path) -> None:
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


def test_f28_sarif_uris_name_the_real_file_and_columns_are_code_points(tmp_path: Path) -> None:
    name = "caf\xe9.py" if sys.platform != "darwin" else "cafe.py"
    try:
        (tmp_path / os.fsdecode(b"caf\xe9.py")).write_text(FLIP)
    except (OSError, UnicodeError):
        pytest.skip("the file system refuses a name that is not UTF-8")
    (tmp_path / "emoji.py").write_text('import albumentations as A\nlabel = "\U0001F431\U0001F436"; aug = A.VerticalFlip(p=0.5)\n')
    log = json.loads(run_cli(["check", "--no-cache", "--format", "sarif", "."], cwd=tmp_path).stdout)
    run = log["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    places = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r["locations"][0]["physicalLocation"]["region"]
              for r in run["results"]}
    assert set(places) == {"caf%E9.py", "emoji.py"}, name
    assert places["emoji.py"]["startColumn"] == 21


def test_f29_a_file_with_the_longest_name_can_be_fixed(tmp_path: Path) -> None:
    name = "a" * 251 + ".py"
    try:
        (tmp_path / name).write_text(TUPLE)
    except OSError:
        pytest.skip("the file system allows shorter names")
    run = run_cli(["check", "--no-cache", "--fix", "."], cwd=tmp_path)
    assert "Traceback" not in run.stderr and (tmp_path / name).read_text() == "def f(a, b):\n    return a, b\n"


def test_a_lost_interrupt_is_raised_again_at_the_next_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """C code that calls back into Python can swallow the handler's exception; the run still stops."""
    from reviewlint.run import interrupt
    monkeypatch.setattr(interrupt, "_received", [])
    interrupt.checkpoint()  # nothing arrived: nothing happens
    try:
        interrupt._handle(signal.SIGTERM, None)
    except BaseException:  # noqa: BLE001 - what a library that swallows the exception does
        pass
    with pytest.raises(interrupt.Interrupted) as stop:
        interrupt.checkpoint()
    assert stop.value.status == 128 + signal.SIGTERM
