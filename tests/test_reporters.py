"""Every output format, on the student fixture and on a small notebook; no field of a finding can
forge a line of the output, a long line is shown as a window, SARIF names the real file."""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import jsonschema
import pytest

from reviewlint.lint.finding import Finding, Location
from reviewlint.lint.registry import all_rules
from reviewlint.lint.rule import Severity
from reviewlint.report import REPORTERS
from reviewlint.run.config import ConfigResolver, Overrides
from reviewlint.run.loop import run_paths
from reviewlint.run.result import RunResult
from tests.conftest import REPO, run_cli

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
FLIP = "import albumentations as A\ntrain_aug = A.Compose([A.VerticalFlip(p=0.5)])\n"


@pytest.fixture(scope="module")
def fixture_result() -> RunResult:
    rules = all_rules()
    return run_paths([REPO / "fixtures" / "student_notebook.ipynb", REPO / "fixtures" / "student_notebook.py"],
                     ConfigResolver(rules, Overrides()), rules)


def render(result: RunResult, name: str) -> str:
    stream = io.StringIO()
    REPORTERS[name](result, stream)
    return stream.getvalue()


def test_json_shape(fixture_result: RunResult) -> None:
    data = json.loads(render(fixture_result, "json"))
    assert set(data) == {"version", "findings", "errors", "skipped"}
    keys = {"path", "line", "column", "end_line", "end_column", "cell", "code", "name", "severity", "message"}
    for finding in data["findings"]:
        assert keys <= set(finding)
        assert finding["line"] >= 1 and finding["column"] >= 1
        if finding["path"].endswith(".ipynb"):
            assert isinstance(finding["cell"], int) and finding["cell"] >= 1
        else:
            assert finding["cell"] is None
        assert not Path(finding["path"]).is_absolute()


def test_sarif_is_valid_against_the_oasis_schema(fixture_result: RunResult) -> None:
    log = json.loads(render(fixture_result, "sarif"))
    jsonschema.validate(log, SCHEMA)
    run = log["runs"][0]
    rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert {"RL101", "RL102", "RL201", "RL301", "RL401"} <= set(rule_ids)
    assert all(rule["help"]["text"] for rule in run["tool"]["driver"]["rules"])
    rl201 = [r for r in run["results"] if r["ruleId"] == "RL201"]
    assert rl201 and all(r["relatedLocations"] for r in rl201), "the backbone is a related location"
    fingerprints = [r["partialFingerprints"]["reviewlint/v1"] for r in run["results"]]
    assert len(set(fingerprints)) == len(fingerprints)


def test_sarif_fingerprints_survive_line_shifts(tmp_path: Path) -> None:
    code = "import albumentations as A\nA.ShiftScaleRotate(scale_limit=0.01)\n"
    rules = [rule for rule in all_rules() if rule.code == "RL101"]
    target = tmp_path / "train.py"

    def fingerprints() -> list[str]:
        result = run_paths([target], ConfigResolver(rules, Overrides()), rules)
        return [r["partialFingerprints"]["reviewlint/v1"] for r in json.loads(render(result, "sarif"))["runs"][0]["results"]]

    target.write_text(code)
    before = fingerprints()
    target.write_text("# a new comment line\n\n" + code)
    assert fingerprints() == before


def test_concise_names_cells_in_notebooks(fixture_result: RunResult) -> None:
    lines = render(fixture_result, "concise").splitlines()
    assert any(line.startswith("fixtures/student_notebook.ipynb:cell 12:") for line in lines)
    assert any(line.startswith("fixtures/student_notebook.py:126:") and " RL101 " in line for line in lines)


def test_github_annotations(fixture_result: RunResult) -> None:
    lines = render(fixture_result, "github").splitlines()
    py = [line for line in lines if "file=fixtures/student_notebook.py," in line]
    assert any(line.startswith("::warning file=fixtures/student_notebook.py,line=126,col=") and "title=RL101" in line for line in py)
    notebook = [line for line in lines if "student_notebook.ipynb" in line]
    assert notebook and all("::cell " in line for line in notebook)


def test_text_has_code_frame_and_hint(fixture_result: RunResult, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    text = render(fixture_result, "text")
    assert "\x1b[" not in text
    assert "scale_limit=0.01" in text and "help:" in text and "^^^" in text
    assert "note: " in text, "RL201 points at the backbone"
    assert text.rstrip().endswith("files.")


def test_sarif_uris_are_percent_encoded_and_relative(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "my data" / "répertoire#1"
    folder.mkdir(parents=True)
    (folder / "train 100%.py").write_text("import albumentations as A\nA.VerticalFlip(p=0.5)\n(a, b) = 1, 2\n")
    (folder / "broken.py").write_text("def f(:\n")
    monkeypatch.chdir(tmp_path)
    rules = all_rules()
    result = run_paths([Path("my data")], ConfigResolver(rules, Overrides()), rules)
    log = json.loads(render(result, "sarif"))
    jsonschema.validate(log, SCHEMA)
    run = log["runs"][0]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert uris == {"my%20data/r%C3%A9pertoire%231/train%20100%25.py", "my%20data/r%C3%A9pertoire%231/broken.py"}
    (Path("my data") / "répertoire#1" / "big.py").write_text("x = 1\n" * 100)
    (Path("my data") / "pyproject.toml").write_text("[tool.reviewlint]\nmax-file-size = 300\n")
    result = run_paths([Path("my data")], ConfigResolver(rules, Overrides()), rules)
    run = json.loads(render(result, "sarif"))["runs"][0]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert [note["locations"][0]["physicalLocation"]["artifactLocation"] for note in notes if note["level"] == "warning"] == [
        {"uri": "my%20data/r%C3%A9pertoire%231/big.py", "uriBaseId": "%SRCROOT%"}]


def test_json_and_sarif_escape_what_a_terminal_would_act_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """C1 controls (\\x9b is a CSI), DEL and U+2028 stay valid JSON but are never written raw."""
    (tmp_path / "train\x9b31m\u2028.py").write_text("import albumentations as A\nA.VerticalFlip(p=0.5)  # \x7f\x85\n")
    monkeypatch.chdir(tmp_path)
    rules = all_rules()
    result = run_paths([Path(".")], ConfigResolver(rules, Overrides()), rules)
    for name in ("json", "sarif"):
        text = render(result, name)
        assert not any(0x7F <= ord(c) <= 0x9F or c in "\u2028\u2029" for c in text), name
        assert ("\\u2028" if name == "json" else "%E2%80%A8") in text
        json.loads(text)
    paths = {f["path"] for f in json.loads(render(result, "json"))["findings"]}
    assert paths == {"train\\x9b31m\u2028.py"}  # file names show controls as escapes in every format


def _render(result: RunResult, name: str) -> str:
    import io

    stream = io.StringIO()
    REPORTERS[name](result, stream)
    return stream.getvalue()


def test_every_field_is_escaped_in_the_github_format() -> None:
    forged = Finding("RL102\n::error file=x::pwned", "vertical-flip\n::add-mask::secret", Severity.WARNING, "m\n::error::x",
                     Location("train.py", 1, 1, 1, 2))
    for name in ("github", "concise", "text", "sarif", "json"):
        out = _render(RunResult(findings=[forged]), name)
        assert not any(line.startswith("::error") or line.startswith("::add-mask") for line in out.splitlines()[1:]), name


def test_no_newline_from_the_source_reaches_a_one_line_format(tmp_path: Path) -> None:
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


def test_a_long_line_is_shown_as_a_window_and_the_report_is_complete(tmp_path: Path) -> None:
    (tmp_path / "f.py").write_text("import albumentations as A; x = [" + ",".join(["A.VerticalFlip(p=0.5)"] * 300) + "]\n")
    run = run_cli(["check", "--no-cache", "-j", "1", "f.py"], cwd=tmp_path)
    lines = run.stdout.splitlines()
    assert lines[-1] == "300 findings in 1 file."
    assert max(len(line) for line in lines) < 300
    assert sum(1 for line in lines if line.strip().startswith("|") and "^" in line) > 0


def test_sarif_uris_name_the_real_file_and_columns_are_code_points(tmp_path: Path) -> None:
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
