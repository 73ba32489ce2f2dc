"""Bad inputs: every file of ``tests/bad_inputs/`` is linted or reported, never a traceback.

``corpus()`` below is the recipe of every committed file, byte for byte (run this module as a
script to rewrite the corpus); ``ERRORS``, ``FINDINGS`` and ``CLEAN`` say what must happen to
each. The CLI runs on a copy of the corpus (plus a 5 MB generated module, made here) and must
exit 2, name every bad file in its errors with a one-line reason, and still report the findings
of every good file.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import reviewlint.lint.registry
from reviewlint.lint.registry import all_rules
from reviewlint.lint.rule import Report, RuleContext
from reviewlint.lint.runner import lint_text
from reviewlint.run.config import Settings
from reviewlint.run.loop import lint_path
from tests.conftest import check_in_process, run_cli

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
NOT_INPUTS = {"README.md", ".gitattributes"}
FLIP = "import albumentations as A\ntrain_aug = A.Compose([A.VerticalFlip(p=0.5)])\n"


def _notebook(cells: list[tuple[str, object]]) -> str:
    data = {
        "nbformat": 4, "nbformat_minor": 5, "metadata": {},
        "cells": [
            {"cell_type": kind, "metadata": {}, "source": source,
             **({"outputs": [], "execution_count": None} if kind == "code" else {})}
            for kind, source in cells
        ],
    }
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def corpus() -> dict[str, bytes]:
    """The committed corpus: file name -> exact bytes."""
    files: dict[str, str | bytes] = {}
    # Reported under errors.
    files["syntax_error.py"] = "import albumentations as A\ndef broken(:\n    return A.VerticalFlip(p=0.5)\n"
    files["python2.py"] = 'import albumentations as A\nprint "training"\nexec "x = 1"\nraise ValueError, "old style"\n'
    files["nul_bytes.py"] = b"import albumentations as A\nx = 1\x00\ntrain_aug = A.VerticalFlip(p=0.5)\n"
    files["invalid_utf8.py"] = (
        b"import albumentations as A\n# no coding cookie, yet latin-1 bytes: caf\xe9 \xff\xfe\ntrain_aug = A.VerticalFlip(p=0.5)\n"
    )
    files["unknown_coding.py"] = b"# -*- coding: klingon -*-\nimport albumentations as A\n"
    files["nested_brackets.py"] = "import albumentations as A\nx = " + "[" * 1000 + "1" + "]" * 1000 + "\n"
    files["nested_parens.py"] = "import albumentations as A\nx = " + "(" * 1000 + "1" + ")" * 1000 + "\n"
    files["nested_chain.py"] = "import albumentations as A\nx = A.VerticalFlip" + "[0]" * 3000 + "\n"
    files["nested_lambda.py"] = "import albumentations as A\nx = " + "lambda: " * 10000 + "A.VerticalFlip(p=0.5)\n"
    files["nb_empty_object.ipynb"] = "{}"
    whole = _notebook([("code", _lines(FLIP))])
    files["nb_truncated.ipynb"] = whole[: len(whole) // 2]
    files["nb_not_json.ipynb"] = FLIP
    files["nb_cells_not_objects.ipynb"] = '{"cells": [1, "two"], "nbformat": 4, "nbformat_minor": 5, "metadata": {}}\n'
    files["nb_invalid_utf8.ipynb"] = (
        b'{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "source": ["x = \'caf\xe9\'"]}]}\n'
    )
    files["nb_worksheet_cells_null.ipynb"] = '{"nbformat": 3, "worksheets": [{"cells": null}]}\n'
    files["nb_deep_json.ipynb"] = '{"cells": ' + "[" * 5000 + "]" * 5000 + "}\n"
    files["nb_huge_number.ipynb"] = '{"cells": [], "nbformat": ' + "9" * 5000 + "}\n"
    code_cell = '{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "source": ["%s"]}]}\n'
    files["nb_lone_surrogate.ipynb"] = code_cell % "import albumentations as A\\nx = '\\ud800'\\n"
    files["nb_nul_in_cell.ipynb"] = code_cell % "import albumentations as A\\nx = '\\u0000'\\n"
    files["nb_syntax_error.ipynb"] = _notebook([
        ("code", _lines("import albumentations as A\n")), ("markdown", ["# text"]),
        ("code", _lines("x = 1\ndef broken(:\n    pass\n")),
    ])
    # Linted.
    files["good.py"] = FLIP
    files["empty.py"] = b""
    files["latin1_cookie.py"] = (
        b"# -*- coding: latin-1 -*-\n# caf\xe9, na\xefve, \xa9\nimport albumentations as A\nlabel = 'r\xe9sum\xe9'\n"
        b"train_aug = A.Compose([A.VerticalFlip(p=0.5)])\n"
    )
    files["utf8_bom.py"] = b"\xef\xbb\xbf" + FLIP.encode()
    files["crlf.py"] = ("# windows\n" + FLIP).replace("\n", "\r\n")
    files["lone_cr.py"] = ("# classic mac\n" + FLIP).replace("\n", "\r")
    files["mixed_line_endings.py"] = (
        "# one\r\n# two\rimport albumentations as A\ntrain_aug = A.Compose([A.VerticalFlip(p=0.5)])\r\n"
    )
    files["tabs.py"] = "import albumentations as A\n\n\ndef make():\n\tif True:\n\t\treturn A.Compose([A.VerticalFlip(p=0.5)])\n"
    files["formfeed.py"] = "import albumentations as A\n\f\ndef make():\n    return A.Compose([A.VerticalFlip(p=0.5)])\n"
    files["non_ascii_idents.py"] = (
        "import albumentations as A\ndonnées = 1\nπ = 3.14\ntrain_aug = A.Compose([A.VerticalFlip(p=0.5)])  # ünïcödé\n"
    )
    files["nb_nbformat3.ipynb"] = json.dumps({
        "nbformat": 3, "nbformat_minor": 0, "metadata": {"name": ""},
        "worksheets": [{"cells": [
            {"cell_type": "heading", "level": 1, "metadata": {}, "source": ["Old notebook"]},
            {"cell_type": "code", "collapsed": False, "input": ["import albumentations as A\n"], "language": "python",
             "metadata": {}, "outputs": []},
            {"cell_type": "code", "collapsed": False,
             "input": ["%matplotlib inline\n", "train_aug = A.Compose([A.VerticalFlip(p=0.5)])\n"],
             "language": "python", "metadata": {}, "outputs": []},
        ]}],
    }, indent=1) + "\n"
    files["nb_source_string.ipynb"] = _notebook([
        ("code", "import albumentations as A"), ("code", "x = 1\ntrain_aug = A.Compose([A.VerticalFlip(p=0.5)])\n"),
    ])
    files["nb_raw_markdown.ipynb"] = _notebook([
        ("markdown", ["# Title\n", "def not_python(:\n"]), ("raw", ["%%% raw, not python {{{\n"]),
        ("code", _lines(FLIP)), ("markdown", "plain string markdown"),
    ])
    files["nb_bash_cell.ipynb"] = _notebook([
        ("code", _lines('%%bash\nfor f in *.png; do\n  echo "$f" | tr a-z A-Z\ndone\nif [ -d data ]; then ls; fi\n')),
        ("code", _lines("%%writefile helper.txt\nthis is not ( python\n")),
        ("code", _lines(FLIP)),
    ])
    files["nb_indented_magics.ipynb"] = _notebook([("code", _lines(
        "import albumentations as A\n"
        "for epoch in range(3):\n"
        "    %time step = epoch * 2\n"
        "    !echo epoch $epoch\n"
        "    if epoch:\n"
        "        %matplotlib inline\n"
        "        files = !ls data\n"
        "def f():\n"
        "    %load_ext autoreload\n"
        "train_aug = A.Compose([A.VerticalFlip(p=0.5)])\n"
    ))])
    files["nb_backslash_comment.ipynb"] = _notebook([("code", _lines(
        "import albumentations as A\n"
        "# the data lives in C:\\data\\\n"
        "!ls data\n"
        "train_aug = A.Compose([A.VerticalFlip(p=0.5)])\n"
    ))])
    files["line_separators.py"] = (
        "import albumentations as A\n"
        "# odd separators: \f form feed, \x1c file separator, \x85 next line, \u2028 line, \u2029 paragraph\n"
        "flip_ok = A.VerticalFlip(p=0.5)  # noqa: RL102\n"
        "train_aug = A.Compose([A.VerticalFlip(p=0.5)])\n"
    )
    files["py312_syntax.py"] = (
        "import albumentations as A\ntype Transforms = list[A.BasicTransform]\n\n\n"
        "def first[T](items: list[T]) -> T:\n    return items[0]\n\n\n"
        "train_aug = A.Compose([A.VerticalFlip(p=0.5)])\n"
    )
    return {name: data if isinstance(data, bytes) else data.encode("utf-8") for name, data in files.items()}


# File -> (text its one-line RL001 message must contain, cell, line): the files that cannot be parsed.
ERRORS = {
    "syntax_error.py": ("syntax error: invalid syntax", None, 2),
    "python2.py": ("syntax error: Missing parentheses", None, 2),
    "nul_bytes.py": ("NUL", None, 2),
    "invalid_utf8.py": ("cannot decode as utf-8 (line 2)", None, 2),
    "unknown_coding.py": ("klingon", None, 1),
    "nested_brackets.py": ("too many nested parentheses", None, 2),
    "nested_parens.py": ("too many nested parentheses", None, 2),
    "nested_chain.py": ("too deeply nested", None, 1),
    "nested_lambda.py": ("too deeply nested", None, 1),
    "nb_empty_object.ipynb": ("not a notebook", None, 1),
    "nb_truncated.ipynb": ("invalid notebook JSON", None, 10),
    "nb_not_json.ipynb": ("invalid notebook JSON", None, 1),
    "nb_cells_not_objects.ipynb": ("not a notebook", None, 1),
    "nb_invalid_utf8.ipynb": ("not valid UTF-8", None, 1),
    "nb_syntax_error.ipynb": ("syntax error: invalid syntax", 3, 2),
    "nb_worksheet_cells_null.ipynb": ("not a notebook", None, 1),
    "nb_deep_json.ipynb": ("nested too deeply", None, 1),
    "nb_huge_number.ipynb": ("invalid notebook JSON", None, 1),
    "nb_lone_surrogate.ipynb": ("the code holds '\\ud800'", 1, 2),
    "nb_nul_in_cell.ipynb": ("the code holds a NUL character", 1, 2),
}
# File -> (cell, line, column) of its RL102 finding.
FINDINGS = {
    "good.py": (None, 2, 24),
    "latin1_cookie.py": (None, 5, 24),
    "utf8_bom.py": (None, 2, 24),
    "crlf.py": (None, 3, 24),
    "lone_cr.py": (None, 3, 24),
    "mixed_line_endings.py": (None, 4, 24),
    "tabs.py": (None, 6, 21),
    "formfeed.py": (None, 4, 23),
    "non_ascii_idents.py": (None, 4, 24),
    "nb_nbformat3.ipynb": (3, 2, 24),
    "nb_source_string.ipynb": (2, 2, 24),
    "nb_raw_markdown.ipynb": (3, 2, 24),
    "nb_bash_cell.ipynb": (3, 2, 24),
    "nb_indented_magics.ipynb": (1, 10, 24),
    "nb_backslash_comment.ipynb": (1, 4, 24),
    "line_separators.py": (None, 4, 24),
    "py312_syntax.py": (None, 9, 24),
}
CLEAN = {"empty.py"}


def generated_module(size: int = 5 * 1024 * 1024) -> str:
    """A generated module of ``size`` bytes or a little more: an embedded resource in hex.

    No rule's trigger text occurs in it, so only CPython's parser reads it (fast); see
    ``generated_table`` for one that every rule gets to parse.
    """
    lines: list[str] = []
    total = 0
    while total < size:
        line = '    "' + "".join(f"{(len(lines) * 7919 + i * 104729) % 4096:03x}" for i in range(24)) + '"\n'
        lines.append(line)
        total += len(line)
    return '"""Generated resource: do not edit."""\n\nBLOB = bytes.fromhex(\n' + "".join(lines) + ")\n"


def generated_table(size: int = 5 * 1024 * 1024) -> str:
    """A generated data table of ``size`` bytes or a little more (commas: rules parse it)."""
    rows: list[str] = []
    total = 0
    while total < size:
        row = "    (" + ", ".join(str((len(rows) * 7919 + column * 104729) % 100003) for column in range(16)) + "),\n"
        rows.append(row)
        total += len(row)
    return '"""Generated by a data export: do not edit."""\n\nDATA = [\n' + "".join(rows) + "]\n"




def test_every_corpus_file_has_an_expected_outcome() -> None:
    names = set(corpus())
    assert names == set(ERRORS) | set(FINDINGS) | CLEAN
    assert not (set(ERRORS) & set(FINDINGS)) and not (CLEAN & (set(ERRORS) | set(FINDINGS)))
    on_disk = {path.name for path in CORPUS.iterdir()} - NOT_INPUTS
    assert on_disk == names, "run `python tests/test_bad_inputs.py` to rewrite the corpus"


def test_committed_bytes_are_exact() -> None:
    """Git kept every byte: no CRLF conversion, no re-encoding (see bad_inputs/.gitattributes)."""
    for name, data in corpus().items():
        assert (CORPUS / name).read_bytes() == data, name
    assert b"\r\n" in (CORPUS / "crlf.py").read_bytes()
    assert b"\n" not in (CORPUS / "lone_cr.py").read_bytes()
    assert (CORPUS / "utf8_bom.py").read_bytes().startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize("name", sorted(corpus()))
def test_each_file_is_linted_or_reported(name: str) -> None:
    result = lint_path(CORPUS / name, Settings(root=CORPUS), all_rules())
    assert result.errors == [], "an input problem is a finding (RL001), not an error"
    unparsable = [f for f in result.findings if f.code == "RL001"]
    if name in ERRORS:
        fragment, cell, line = ERRORS[name]
        assert len(unparsable) == 1, result.findings
        message = unparsable[0].message
        assert fragment in message
        assert "\n" not in message and message.strip() == message and len(message) < 200
        assert (unparsable[0].location.cell, unparsable[0].location.line) == (cell, line)
    else:
        assert unparsable == []
    if name in FINDINGS:
        places = {(f.location.cell, f.location.line, f.location.column) for f in result.findings if f.code == "RL102"}
        assert FINDINGS[name] in places, result.findings
    if name in CLEAN:
        assert result.findings == []


@pytest.mark.parametrize("name", sorted(corpus()))
def test_whether_a_file_is_an_error_does_not_depend_on_which_rules_run(name: str) -> None:
    """With no rule that needs a parse (only CPython's quick check runs), the same verdict."""
    with_rules = [f for f in lint_path(CORPUS / name, Settings(root=CORPUS), all_rules()).findings if f.code == "RL001"]
    without = [f for f in lint_path(CORPUS / name, Settings(root=CORPUS), []).findings if f.code == "RL001"]
    if with_rules and "too deeply nested" in with_rules[0].message:
        # What is too deep is the analysis rules need; CPython alone may read the file, or not:
        # that depends on the recursion limit (importing tensorflow raises it to 3000).
        return
    assert bool(without) == bool(with_rules), (without, with_rules)


@pytest.fixture(scope="module")
def corpus_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus, copied, with a 5 MB generated module (and a limit that lets it in): what the CLI runs on."""
    root = tmp_path_factory.mktemp("corpus")
    shutil.copytree(CORPUS, root / "inputs")
    (root / "inputs" / "pyproject.toml").write_text("[tool.reviewlint]\nmax-file-size = 8_000_000\n")
    (root / "inputs" / "generated_5mb.py").write_text(generated_module(), encoding="utf-8")
    return root / "inputs"


def _check_json_report(data: dict[str, object], stdout: str) -> None:
    errors = data["errors"]
    findings = data["findings"]
    assert isinstance(errors, list) and isinstance(findings, list)
    assert errors == [] and data["skipped"] == []
    by_path: dict[str, list[str]] = {}
    for finding in findings:
        if finding["code"] == "RL001":
            by_path.setdefault(finding["path"], []).append(finding["message"])
    assert set(by_path) == set(ERRORS), "exactly the bad files are RL001 (the 5 MB module is linted)"
    for name, (reason, cell, line) in ERRORS.items():
        (message,) = by_path[name]
        assert reason in message and "\n" not in message
    places = {(f["path"], f["cell"], f["line"], f["column"]) for f in findings if f["code"] == "RL102"}
    for name, (cell, line, column) in FINDINGS.items():
        assert (name, cell, line, column) in places, f"{name}: finding lost\n{stdout[:2000]}"
    assert not any(f["path"] in CLEAN or f["path"] == "generated_5mb.py" for f in findings)
    for item in [*findings, *errors]:
        assert not Path(item["path"]).is_absolute() and ".." not in item["path"]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_cli_json_on_the_corpus(corpus_copy: Path, jobs: str) -> None:
    started = time.monotonic()
    run = run_cli(["check", "--no-cache", "--format", "json", "--jobs", jobs, "."], cwd=corpus_copy)
    elapsed = time.monotonic() - started
    assert run.returncode == 1, run.stdout[-2000:] + run.stderr[-2000:]
    assert "Traceback" not in run.stdout + run.stderr
    assert run.stderr == ""
    _check_json_report(json.loads(run.stdout), run.stdout)
    assert elapsed < 120, f"the corpus took {elapsed:.0f}s"


@pytest.mark.parametrize("output_format", ["text", "concise", "github", "sarif"])
def test_cli_other_formats_on_the_corpus(corpus_copy: Path, output_format: str) -> None:
    run = run_cli(["check", "--format", output_format, "."], cwd=corpus_copy)
    assert run.returncode == 1
    output = run.stdout + run.stderr
    assert "Traceback" not in output
    if output_format == "sarif":
        log = json.loads(run.stdout)
        assert log["runs"][0]["invocations"][0]["toolExecutionNotifications"] == []
        unparsable = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                      for r in log["runs"][0]["results"] if r["ruleId"] == "RL001"}
        assert unparsable == set(ERRORS)
        results = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
        assert set(FINDINGS) <= results
        return
    lines = run.stdout.splitlines()
    for name, (reason, _, _) in ERRORS.items():
        assert any(name in line and "RL001" in line and reason in line for line in lines), f"{name} not reported on one line"
    for name in FINDINGS:
        assert any(line.startswith(name) or f"file={name}," in line for line in lines), f"{name}: finding lost"


def test_file_over_max_file_size_is_skipped_with_a_notice(tmp_path: Path) -> None:
    """Even one that rules would fire on: it is neither parsed nor an error."""
    (tmp_path / "pyproject.toml").write_text("[tool.reviewlint]\nmax-file-size = 1_000_000\n")
    big = "import albumentations as A\n" + generated_table() + "aug = A.Compose([A.VerticalFlip(p=0.5)])\n"
    (tmp_path / "huge.py").write_text(big)
    (tmp_path / "good.py").write_text(FLIP)
    started = time.monotonic()
    run = run_cli(["check", "--no-cache", "--format", "text", "."], cwd=tmp_path)
    assert time.monotonic() - started < 60
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    assert "huge.py: skipped" in run.stdout and "max-file-size" in run.stdout
    assert "good.py:2:24" in run.stdout
    as_json = json.loads(run_cli(["check", "--no-cache", "--format", "json", "."], cwd=tmp_path).stdout)
    assert as_json["errors"] == [] and {f["path"] for f in as_json["findings"]} == {"good.py"}


def test_noqa_and_code_frame_follow_python_lines() -> None:
    result = lint_path(CORPUS / "line_separators.py", Settings(root=CORPUS), all_rules())
    flips = [f for f in result.findings if f.code == "RL102"]
    assert [f.location.line for f in flips] == [4], "the noqa on line 3 holds"
    assert flips[0].source_lines[0].startswith("train_aug = ")


def _failing_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """Add RL999, a rule that raises on files holding ``boom`` (and only on those)."""
    original = reviewlint.lint.registry.all_rules
    base = reviewlint.lint.registry.find_rule("RL102")
    assert base is not None

    def check(ctx: RuleContext) -> Iterator[Report]:
        if "boom" in ctx.source.text:
            raise ValueError("kaboom: the rule tripped\nsecond line of the message")
        return iter(())

    failing = dataclasses.replace(base, code="RL999", name="always-fails", check=check, triggers=())
    rules = (*original(), failing)
    for module in list(sys.modules.values()):
        if getattr(module, "all_rules", None) is original:
            monkeypatch.setattr(module, "all_rules", lambda: rules)




INTERNAL = "boom.py: error: internal error in RL999 (always-fails): ValueError: kaboom: the rule tripped"


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_rule_that_raises_is_reported_and_the_run_goes_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             jobs: str) -> None:
    _failing_rule(monkeypatch)
    (tmp_path / "boom.py").write_text("# boom\n" + FLIP)
    (tmp_path / "good.py").write_text(FLIP)
    code, out, err = check_in_process(["--no-cache", "--jobs", jobs, "--format", "concise", "."], tmp_path, monkeypatch)
    assert code == 2
    assert "Traceback" not in out + err and "second line" not in out + err
    lines = out.splitlines()
    assert INTERNAL in lines, out
    assert any(line.startswith("good.py:2:24: RL102") for line in lines), "the other files are still linted"
    assert any(line.startswith("boom.py:3:24: RL102") for line in lines), "the other rules still run on that file"

    code, out, err = check_in_process(["--no-cache", "--jobs", jobs, "--format", "json", "."], tmp_path, monkeypatch)
    data = json.loads(out)
    assert code == 2
    assert data["errors"] == [{"path": "boom.py", "message": INTERNAL.split(": error: ")[1], "code": "RL999"}]
    assert sorted(f["path"] for f in data["findings"] if f["code"] == "RL102") == ["boom.py", "good.py"]


@pytest.mark.parametrize("output_format", ["text", "concise", "json"])
def test_show_internal_errors_prints_the_trace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output_format: str) -> None:
    _failing_rule(monkeypatch)
    (tmp_path / "boom.py").write_text("# boom\n" + FLIP)
    code, out, err = check_in_process(["--no-cache", "--jobs", "1", "--format", output_format, "--show-internal-errors", "."],
                             tmp_path, monkeypatch)
    assert code == 2
    trace = out if output_format == "text" else err  # machine formats keep stdout parseable
    assert "Traceback (most recent call last)" in trace and "in check" in trace and "second line" in trace
    if output_format == "json":
        assert json.loads(out)["errors"][0]["code"] == "RL999"


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("REVIEWLINT_SLOW"), reason="set REVIEWLINT_SLOW=1: minutes and GBs of memory")
def test_5mb_module_that_rules_fire_on_is_linted_under_the_default_limit(tmp_path: Path) -> None:
    big = "import albumentations as A\n" + generated_table() + "aug = A.Compose([A.VerticalFlip(p=0.5)])\n"
    (tmp_path / "huge.py").write_text(big)
    run = run_cli(["check", "--no-cache", "--format", "json", "huge.py"], cwd=tmp_path, timeout=1800)
    assert run.returncode == 1, run.stderr
    assert [f["code"] for f in json.loads(run.stdout)["findings"]] == ["RL102"]


if __name__ == "__main__":  # python tests/test_bad_inputs.py: rewrite the committed corpus
    for stale in CORPUS.iterdir():
        if stale.name not in NOT_INPUTS:
            stale.unlink()
    for file_name, content in corpus().items():
        (CORPUS / file_name).write_bytes(content)
    print(f"wrote {len(corpus())} files to {CORPUS}")


def test_code_python_accepts_but_libcst_cannot_parse_is_not_called_a_syntax_error() -> None:
    """libcst stops at ~10,000 implicitly joined strings; CPython does not: the error says which."""
    text = "import albumentations as A\nBLOB = (\n" + "".join(f'    "{i:06x}"\n' for i in range(12000)) + ")\n"
    result = lint_text(text, all_rules(), Settings(root=Path.cwd()), path="blob.py")
    assert result.errors == []
    (finding,) = result.findings
    assert finding.code == "RL001" and (finding.location.line, finding.location.column) == (12003, 1)
    assert finding.message.startswith("libcst cannot parse this code, which Python accepts (")
    assert "\n" not in finding.message


def test_files_over_one_mebibyte_are_skipped_by_default(tmp_path: Path) -> None:
    (tmp_path / "big.py").write_text(generated_module(1024 * 1024 + 1))
    (tmp_path / "good.py").write_text(FLIP)
    run = run_cli(["check", "--no-cache", "--format", "text", "."], cwd=tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "big.py: skipped: over max-file-size (1048576 bytes)" in run.stdout


def _with_a_fixable_tuple(data: bytes) -> bytes:
    """``data`` plus an RL402 finding (safe fix), in the file's own line endings and encoding."""
    newline = b"\r\n" if b"\r\n" in data else b"\r" if b"\r" in data else b"\n"
    if data and not data.endswith((b"\n", b"\r")):
        data += newline
    return data + newline.join([b"def _pair(a, b):", b"    return (a, b)", b""])


def test_fix_and_diff_over_the_corpus_touch_only_what_they_fix(tmp_path: Path) -> None:
    """Every corpus file gets a fixable line: --diff writes nothing; --fix fixes the valid .py files
    keeping their BOM, coding and line endings, leaves bad files byte for byte, and a second --fix
    changes nothing."""
    root = tmp_path / "inputs"
    shutil.copytree(CORPUS, root)
    for path in root.glob("*.py"):
        path.write_bytes(_with_a_fixable_tuple(path.read_bytes()))
    before = {path.name: path.read_bytes() for path in root.iterdir() if path.is_file()}
    valid_py = {name for name in {*FINDINGS, *CLEAN} if name.endswith(".py")}

    diff = run_cli(["check", "--diff", "--no-cache", "."], cwd=root)
    assert "Traceback" not in diff.stdout + diff.stderr, diff.stderr
    assert {path.name: path.read_bytes() for path in root.iterdir() if path.is_file()} == before
    assert {line[4:] for line in diff.stdout.splitlines() if line.startswith("--- ")} == valid_py

    fix = run_cli(["check", "--fix", "--no-cache", "--format", "json", "."], cwd=root)
    assert "Traceback" not in fix.stdout + fix.stderr and fix.returncode == 1, fix.stderr
    assert {f["path"] for f in json.loads(fix.stdout)["findings"] if f["code"] == "RL001"} == set(ERRORS)
    after = {path.name: path.read_bytes() for path in root.iterdir() if path.is_file()}
    assert {name for name in before if after[name] != before[name]} == valid_py
    for name in valid_py:
        old, new = before[name], after[name]
        assert new == old.replace(b"return (a, b)", b"return a, b"), name  # that line only, bytes kept

    again = run_cli(["check", "--fix", "--no-cache", "."], cwd=root)
    assert "Traceback" not in again.stdout + again.stderr
    assert {path.name: path.read_bytes() for path in root.iterdir() if path.is_file()} == after


CHAINS = {
    "unary": lambda n: "x = " + "-" * n + "1\n",
    "power": lambda n: "x = " + "**".join(["1"] * n) + "\n",
    "attribute": lambda n: "x = a" + ".b" * n + "\n",
    "call": lambda n: "x = f" + "()" * n + "\n",
    "subscript": lambda n: "x = a" + "[0]" * n + "\n",
    "lambda": lambda n: "x = " + "lambda: " * n + "1\n",
    "conditional": lambda n: "x = " + "1 if a else " * n + "2\n",
}


@pytest.mark.parametrize("fast", [True, False], ids=["compile", "ast-walk"])
@pytest.mark.parametrize("kind", sorted(CHAINS))
def test_nesting_guard_boundary(kind: str, fast: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both guards (bytecode compile under a lowered recursion limit, and ast.parse + a walk,
    used where the first cannot tell) pass 250 levels and refuse 350, in code at module level
    and in code the compiler refuses (`return` outside a function)."""
    from reviewlint.source import parse_guard
    if not fast:
        monkeypatch.setattr(parse_guard, "compiler_depth_is_bounded", lambda: False)
    for prefix in ("", "return 1\n"):
        for depth, too_deep in ((250, False), (350, True)):
            problem = parse_guard.nesting_problem(prefix + CHAINS[kind](depth))
            assert (problem is not None and problem.too_deep) == too_deep, (kind, depth, prefix, problem)


@pytest.mark.parametrize("terms", [320, 900])
def test_a_flat_chain_of_operators_is_not_too_deep(terms: int) -> None:
    """``w0 + w1 + … + w319`` nests in Python's tree, but it is one flat expression to read."""
    from reviewlint.source import parse_guard
    for joiner in (" + ", " - ", " + 'x' * "):
        text = "TOTAL = " + joiner.join(f"w{i}" for i in range(terms)) + "\n"
        assert parse_guard.nesting_problem(text) is None, joiner
    text = FLIP + "TOTAL = " + " + ".join(f"w{i}" for i in range(320)) + "\n"
    assert [f.code for f in lint_text(text, all_rules(), Settings(root=Path.cwd())).findings] == ["RL102"]


def test_compiler_guard_is_active_on_this_python() -> None:
    from reviewlint.source import parse_guard
    if sys.version_info[:2] == (3, 11):
        assert parse_guard.compiler_depth_is_bounded()
    limit = sys.getrecursionlimit()
    assert parse_guard.nesting_problem(CHAINS["unary"](400)) is not None
    assert sys.getrecursionlimit() == limit, "the recursion limit is restored"


def test_huge_ranges_do_not_overflow_extraction() -> None:
    """len(range(2**64)) raises OverflowError; a TTA loop over such a range is still linted (found by fuzzing)."""
    text = ("import albumentations as A\nimport numpy as np\ntta = A.Compose([A.VerticalFlip()])\n"
            "preds = np.mean([model.predict(tta(image=x)['image']) for _ in range(2**64)], axis=0)\n"
            "for i in range(10**30, 0, -3):\n    preds += model.predict(tta(image=x)['image'])\n")
    result = lint_text(text, all_rules(), Settings(root=Path.cwd()))
    assert result.errors == []
    assert any(f.code == "RL102" for f in result.findings)


def test_text_tokenize_rejects_is_a_syntax_finding_not_a_rule_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A backslash continuation at the end of CRLF text: CPython compiles it, tokenize (which the
    comment rules read with) does not. Found by the fuzz run."""
    (tmp_path / "x.py").write_bytes(b"#\n\\\r\n")
    code, out, _ = check_in_process(["--no-cache", "--format", "concise", "x.py"], tmp_path, monkeypatch)
    assert "RL001" in out and "cannot tokenize" in out and "internal error" not in out
    assert code == 1


def test_code_libcst_cannot_build_is_reported_and_the_run_goes_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import check_in_process

    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "odd.py").write_text("import albumentations as A\nx = 1 if y else.5\n")  # CPython accepts it, libcst cannot build it
    (tmp_path / "flip.py").write_text("import albumentations as A\naug = A.VerticalFlip(p=0.5)\n")
    code, out, _ = check_in_process(["--no-cache", "--format", "concise", "--select", "RL001,RL102,RL103", "."], tmp_path, monkeypatch)
    assert "odd.py:1:1: RL001 libcst cannot represent this code" in out
    assert "flip.py:2:7: RL102" in out and code == 1
