"""[tool.reviewlint]: hierarchy, validation, selection, per-file ignores, rule options; hostile values,
excluded folders, and one configuration for every spelling of a path."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cli

BAD_SCALE = "import albumentations as A\nA.RandomScale(scale_limit=0.04)\n"
BAD_FLIP = "import albumentations as A\nA.VerticalFlip(p=0.5)\n"
FLIP = "import albumentations as A\ntrain_aug = A.Compose([A.VerticalFlip(p=0.5)])\n"


def check(path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reviewlint", "check", "--format", "concise", *extra, str(path)],
        capture_output=True, text=True, cwd=path if path.is_dir() else path.parent, check=False,
    )


def codes(result: subprocess.CompletedProcess[str]) -> list[str]:
    return sorted(line.split(" ")[1] for line in result.stdout.splitlines() if ": RL" in line)


def test_nearest_pyproject_applies_to_its_subfolder(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.reviewlint]\nselect = ["RL101", "RL102"]\n')
    (tmp_path / "a.py").write_text(BAD_FLIP)
    sub = tmp_path / "satellite"
    sub.mkdir()
    (sub / "pyproject.toml").write_text('[tool.reviewlint]\nselect = ["RL101", "RL102"]\nimage-domain = "overhead"\n')
    (sub / "b.py").write_text(BAD_FLIP)
    result = check(tmp_path)
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == ["a.py"]


def test_pyproject_without_section_is_skipped_upwards(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.reviewlint]\nignore = ["RL102"]\n')
    sub = tmp_path / "pkg"
    sub.mkdir()
    (sub / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (sub / "b.py").write_text(BAD_FLIP)
    assert check(tmp_path).returncode == 0


def test_rule_options_by_name_and_code(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(BAD_SCALE)
    assert codes(check(tmp_path, "--select", "RL101")) == ["RL101"]
    (tmp_path / "pyproject.toml").write_text("[tool.reviewlint.near-zero-scale]\nthreshold = 0.03\n")
    assert codes(check(tmp_path, "--select", "RL101")) == []
    (tmp_path / "pyproject.toml").write_text("[tool.reviewlint.RL101]\nthreshold = 0.05\n")
    assert codes(check(tmp_path, "--select", "RL101")) == ["RL101"]


def test_per_file_ignores_and_exclude(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.reviewlint]\nselect = ["RL102"]\nexclude = ["legacy/**"]\n'
        '[tool.reviewlint.per-file-ignores]\n"notebooks/*" = ["RL102"]\n'
    )
    for folder in ("legacy", "notebooks", "src"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "x.py").write_text(BAD_FLIP)
    result = check(tmp_path)
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == ["src/x.py"]


def test_command_line_overrides_config(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.reviewlint]\nselect = ["RL101"]\n')
    (tmp_path / "a.py").write_text(BAD_FLIP)
    assert check(tmp_path).returncode == 0
    assert codes(check(tmp_path, "--select", "RL102")) == ["RL102"]
    assert check(tmp_path, "--select", "RL102", "--image-domain", "microscopy").returncode == 0


def test_explicit_config_file(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(BAD_FLIP)
    config = tmp_path / "lint.toml"
    config.write_text('[tool.reviewlint]\nignore = ["RL102"]\n')
    assert check(tmp_path, "--config", str(config)).returncode == 0


def test_unknown_keys_and_bad_values_are_clear_errors(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(BAD_FLIP)
    cases = {
        '[tool.reviewlint]\nselct = ["RL101"]\n': "unknown key 'selct'",
        '[tool.reviewlint]\nimage-domain = "space"\n': "image-domain must be one of",
        '[tool.reviewlint]\nselect = ["XX1"]\n': "'XX1' matches no rule code",
        "[tool.reviewlint.RL101]\nthreshhold = 1\n": "has no option 'threshhold'",
        '[tool.reviewlint.RL101]\nthreshold = "high"\n': "must be a number",
        "[tool.reviewlint\n": "invalid TOML",
    }
    for text, message in cases.items():
        (tmp_path / "pyproject.toml").write_text(text)
        result = check(tmp_path)
        assert result.returncode == 2, text
        assert message in result.stderr and "pyproject.toml" in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


@pytest.mark.parametrize("value", ["[" * 5000 + "]" * 5000, "9" * 5000])
def test_a_hostile_pyproject_is_one_line(tmp_path: Path, value: str) -> None:
    (tmp_path / "t.py").write_text(FLIP)
    key = "select" if value.startswith("[") else "max-file-size"
    (tmp_path / "pyproject.toml").write_text(f"[tool.reviewlint]\n{key} = {value}\n")
    run = run_cli(["check", "--no-cache", "."], cwd=tmp_path)
    assert run.returncode == 2 and run.stderr.count("\n") == 1 and "config error" in run.stderr
    assert "Traceback" not in run.stderr


def test_an_excluded_folder_and_its_configuration_are_never_read(tmp_path: Path) -> None:
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


def test_one_config_governs_relative_and_absolute_spellings(tmp_path: Path) -> None:
    (tmp_path / "shared").mkdir()
    (tmp_path / "proj" / "sub").mkdir(parents=True)
    (tmp_path / "proj" / "sub" / "a.py").write_text(FLIP)
    (tmp_path / "proj" / "sub" / "skipme.py").write_text(FLIP)
    (tmp_path / "shared" / "cfg.toml").write_text('exclude = ["sub/skipme.py"]\n[per-file-ignores]\n"sub/*.py" = ["RL102"]\n')
    project = tmp_path / "proj"
    for spelling in ("sub", str(project / "sub"), "sub/a.py", str(project / "sub" / "a.py")):
        run = run_cli(["check", "--no-cache", "--format", "json", "--config", "../shared/cfg.toml", spelling], cwd=project)
        assert run.returncode == 0 and json.loads(run.stdout)["findings"] == [], spelling
