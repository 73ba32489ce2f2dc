"""What ruff users reach for: standard input, --statistics, --show-files, --output-file,
--output-format, and the GitLab Code Quality and JUnit formats."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import jsonschema

from tests.conftest import run_cli, write_notebook

FLIP = "import albumentations as A\naug = A.Compose([A.VerticalFlip(p=0.5)])\n"
PARENS = "def pair(a, b):\n    return (a, b)\n"


def test_stdin_is_linted_as_the_named_file_with_its_configuration(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.reviewlint]\nper-file-ignores = { "scripts/*" = ["RL102"] }\n')
    run = run_cli(["check", "--no-cache", "--format", "concise", "--stdin-filename", "src/train.py", "-"], cwd=tmp_path, input=FLIP)
    assert run.returncode == 1 and run.stdout.startswith("src/train.py:2:18: RL102 "), run.stdout + run.stderr
    ignored = run_cli(["check", "--no-cache", "--format", "concise", "--stdin-filename", "scripts/flip.py", "-"], cwd=tmp_path, input=FLIP)
    assert ignored.returncode == 0 and "RL102" not in ignored.stdout, "per-file-ignores apply by the stdin filename"
    assert not (tmp_path / "src").exists() and not (tmp_path / "scripts").exists(), "the named file is never created"


def test_stdin_without_a_name_is_a_python_file_called_dash(tmp_path: Path) -> None:
    run = run_cli(["check", "--no-cache", "--format", "concise", "-"], cwd=tmp_path, input=FLIP)
    assert run.returncode == 1 and run.stdout.startswith("-:2:18: RL102 ")


def test_stdin_notebook_by_its_name(tmp_path: Path) -> None:
    notebook = write_notebook(tmp_path, "import albumentations as A\n", "aug = A.VerticalFlip(p=0.5)\n")
    run = run_cli(["check", "--no-cache", "--format", "concise", "--stdin-filename", "exp/nb.ipynb", "-"], cwd=tmp_path,
                  input=notebook.read_text())
    assert run.stdout.startswith("exp/nb.ipynb:cell 2:1:7: RL102 "), run.stdout + run.stderr


def test_stdin_fix_writes_the_fixed_text_to_stdout_and_the_report_to_stderr(tmp_path: Path) -> None:
    run = run_cli(["check", "--no-cache", "--fix", "--stdin-filename", "pair.py", "-"], cwd=tmp_path, input=PARENS + FLIP)
    assert run.stdout == "def pair(a, b):\n    return a, b\n" + FLIP, run.stdout
    assert "pair.py:4:18: RL102" in run.stderr and run.returncode == 1, "what is left is reported on stderr"
    diff = run_cli(["check", "--no-cache", "--diff", "-"], cwd=tmp_path, input=PARENS)
    assert diff.returncode == 1 and "-    return (a, b)\n+    return a, b\n" in diff.stdout


def test_stdin_refuses_other_paths(tmp_path: Path) -> None:
    run = run_cli(["check", "-", "other.py"], cwd=tmp_path, input="")
    assert run.returncode == 2 and "cannot be combined" in run.stderr and "Traceback" not in run.stderr


def test_statistics_count_per_rule_in_text_and_json(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(FLIP + "#print(aug)\n")
    (tmp_path / "b.py").write_text(FLIP)
    run = run_cli(["check", "--no-cache", "--statistics", "."], cwd=tmp_path)
    assert run.returncode == 1
    assert run.stdout.splitlines() == ["2  RL102  vertical-flip", "1  RL401  commented-out-code  [*]"]
    as_json = run_cli(["check", "--no-cache", "--statistics", "--output-format", "json", "."], cwd=tmp_path)
    assert json.loads(as_json.stdout) == [
        {"code": "RL102", "name": "vertical-flip", "count": 2, "fixable": 0},
        {"code": "RL401", "name": "commented-out-code", "count": 1, "fixable": 1},
    ]


def test_show_files_lists_what_would_be_linted_and_lints_nothing(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.reviewlint]\nexclude = ["skipped/"]\n')
    for name in ("a.py", "skipped/b.py", "nb/c.ipynb", "notes.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(FLIP if name.endswith(".py") else "")
    write_notebook(tmp_path / "nb", "x = 1\n")
    run = run_cli(["check", "--no-cache", "--show-files", "."], cwd=tmp_path)
    assert run.returncode == 0
    listed = sorted(Path(line).as_posix() for line in run.stdout.splitlines())
    assert "a.py" in listed[0] and not any("skipped" in line for line in listed) and not any("notes" in line for line in listed)
    assert "RL102" not in run.stdout


def test_output_file_and_output_format_are_the_ruff_spellings(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(FLIP)
    run = run_cli(["check", "--no-cache", "--output-format", "json", "--output-file", "report.json", "."], cwd=tmp_path)
    assert run.returncode == 1 and run.stdout == ""
    assert [f["code"] for f in json.loads((tmp_path / "report.json").read_text())["findings"]] == ["RL102"]


# The fields GitLab reads from a Code Quality report (https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format).
GITLAB_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string"},
            "check_name": {"type": "string"},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string"},
                    "lines": {"type": "object", "required": ["begin"], "properties": {"begin": {"type": "integer", "minimum": 1}}},
                },
            },
        },
    },
}


def test_gitlab_code_quality_report(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(FLIP + FLIP.splitlines()[1] + "\n")
    write_notebook(tmp_path, "import albumentations as A\n", "aug = A.VerticalFlip(p=0.5)\n")
    (tmp_path / "bad.py").write_bytes(b"\xff\xfe\x00x")
    run = run_cli(["check", "--no-cache", "--format", "gitlab", "."], cwd=tmp_path)
    issues = json.loads(run.stdout)
    jsonschema.validate(issues, GITLAB_SCHEMA)
    fingerprints = [issue["fingerprint"] for issue in issues]
    assert len(set(fingerprints)) == len(fingerprints), "GitLab needs one fingerprint per issue"
    by_path = {(issue["location"]["path"], issue["location"]["lines"]["begin"]): issue for issue in issues}
    assert by_path[("a.py", 2)]["check_name"] == "RL102 vertical-flip" and by_path[("a.py", 2)]["severity"] == "minor"  # a warning
    (notebook_issue,) = [issue for issue in issues if issue["location"]["path"].endswith(".ipynb")]
    assert "cell 2, line 1:" in notebook_issue["description"]
    again = run_cli(["check", "--no-cache", "--format", "gitlab", "."], cwd=tmp_path)
    assert json.loads(again.stdout) == issues, "fingerprints are stable from run to run"


def test_junit_report(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(FLIP)
    (tmp_path / "clean.py").write_text("x = 1\n")
    run = run_cli(["check", "--no-cache", "--format", "junit", "."], cwd=tmp_path)
    root = ElementTree.fromstring(run.stdout)
    assert root.tag == "testsuites" and root.get("failures") == "1" and root.get("errors") == "0"
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    (case,) = suites["a.py"].iter("testcase")
    assert case.get("name") == "RL102 vertical-flip" and case.get("line") == "2"
    failure = case.find("failure")
    assert failure is not None and failure.get("type") == "RL102" and "line 2, column 18" in (failure.text or "")
    assert suites["files without findings"].get("tests") == "1"
    assert int(root.get("tests") or 0) == sum(int(suite.get("tests") or 0) for suite in suites.values())


def test_watch_lints_again_when_a_file_changes_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    import signal
    import subprocess
    import time

    from tests.conftest import CLI, CLI_ENV

    (tmp_path / "train.py").write_text("x = 1\n")
    process = subprocess.Popen([*CLI, "check", "--no-cache", "--format", "concise", "--watch", "."], cwd=tmp_path, env=CLI_ENV,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None and process.stdout is not None
        lines: list[str] = []
        while "watching for changes" not in "".join(lines):
            lines.append(process.stderr.readline())
        time.sleep(0.5)  # the watcher is set up once the first run has been reported
        (tmp_path / "train.py").write_text(FLIP)
        found = ""
        deadline = time.monotonic() + 60
        while "RL102" not in found:
            assert time.monotonic() < deadline, "no second run after the change"
            found += process.stdout.readline()
        assert found.strip().startswith("train.py:2:18: RL102")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) in (0, 130)
    finally:
        if process.poll() is None:
            process.kill()
