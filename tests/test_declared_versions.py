"""The albumentations version a project declares: pins in its dependency files, or the configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewlint.lint.registry import all_rules
from reviewlint.run.config import ConfigError, ConfigResolver, Overrides
from reviewlint.run.declared_versions import declared_version
from reviewlint.source.pins import pip_installed_version
from tests.conftest import write_notebook

ROTATE = "import albumentations as A\naug = A.Rotate(limit=30, value=0, always_apply=True)\n"


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("requirements.txt", "numpy\nalbumentations==1.3.1\n", (1, 3, 1)),
    ("requirements-train.txt", "albumentations[imgaug] ~= 1.4.7  # pinned\n", (1, 4, 7)),
    ("requirements.txt", "albumentations>=1.3\n", None),  # a range says nothing about the version in use
    ("pyproject.toml", '[project]\ndependencies = ["albumentations==2.0.8", "timm"]\n', (2, 0, 8)),
    ("setup.cfg", "[options]\ninstall_requires =\n    albumentations==1.1.0\n", (1, 1, 0)),
    ("environment.yml", "dependencies:\n  - python=3.9\n  - albumentations=1.3.0\n", (1, 3, 0)),
    ("env.yml", "dependencies:\n  - pip:\n    - albumentations==1.1.0\n", (1, 1, 0)),  # conda takes any file name
    ("requirements.txt", "albumentations-extra==9.9\n", None),  # another package
    ("pyproject.toml", '[tool.poetry.dependencies]\npython = "^3.8"\nalbumentations = "^0.4.6"\n', (0, 4, 6)),
    ("pyproject.toml", '[tool.poetry.dependencies]\nalbumentations = {version = "~1.3.1", extras = ["imgaug"]}\n', (1, 3, 1)),
    ("pyproject.toml", '[tool.poetry.dependencies]\nalbumentations = ">=0.4,<2"\n', None),  # a range
    ("pyproject.toml", '[tool.poetry.dependencies]\nalbumentations = "*"\n', None),
    ("Pipfile", '[packages]\nalbumentations = "==1.1.0"\ntorch = "*"\n', (1, 1, 0)),
])
def test_pins_in_dependency_files(tmp_path: Path, name: str, content: str, expected: tuple[int, ...] | None) -> None:
    (tmp_path / name).write_text(content)
    assert declared_version(tmp_path, "albumentations") == expected


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_pins_in_a_requirements_file_with_a_byte_order_mark(tmp_path: Path, encoding: str) -> None:
    # pip freeze > requirements.txt in Windows PowerShell writes UTF-16 with a byte-order mark.
    text = "numpy==1.26.4\nalbumentations==1.4.20\n"
    data = text.encode(encoding) if encoding == "utf-16" else b"\xfe\xff" + text.encode("utf-16-be")
    (tmp_path / "requirements.txt").write_bytes(data)
    assert declared_version(tmp_path, "albumentations") == (1, 4, 20)


def _rl103(tmp_path: Path) -> list[str]:
    from reviewlint.run.loop import run_paths

    (tmp_path / "train.py").write_text(ROTATE)
    rules = all_rules()
    result = run_paths([tmp_path / "train.py"], ConfigResolver(rules, Overrides(select=("RL103",))), rules, jobs=1)
    return [finding.message.split(":")[0] for finding in result.findings]


def test_a_project_on_an_old_albumentations_is_not_told_about_later_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert _rl103(tmp_path) == ["Rotate(value=…, always_apply=…)"]  # no pin: both gone in 2.x, one finding
    (tmp_path / "requirements.txt").write_text("albumentations==1.3.1\n")
    assert _rl103(tmp_path) == []
    (tmp_path / "pyproject.toml").write_text('[tool.reviewlint]\nalbumentations-version = "2.0"\n')
    assert _rl103(tmp_path) == ["Rotate(value=…, always_apply=…)"]  # the configuration wins over the pin


def test_each_project_is_read_for_its_own_pin_when_linted_from_above(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``reviewlint check .`` over several clones: each file gets the pin of its own project (the
    first folder up with a project marker), not of the folder the run started in."""
    from reviewlint.run.loop import run_paths

    monkeypatch.chdir(tmp_path)
    for name, pin in (("old", "albumentations==1.3.1\n"), ("new", "")):
        project = tmp_path / name
        (project / ".git").mkdir(parents=True)
        (project / "src").mkdir()
        (project / "src" / "train.py").write_text(ROTATE)
        if pin:
            (project / "requirements.txt").write_text(pin)
    rules = all_rules()
    result = run_paths([tmp_path], ConfigResolver(rules, Overrides(select=("RL103",))), rules, jobs=1)
    assert {finding.location.path.split("/")[0] for finding in result.findings} == {"new"}


def test_a_bad_configured_version_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.reviewlint]\nalbumentations-version = "latest"\n')
    with pytest.raises(ConfigError, match="albumentations-version"):
        ConfigResolver(all_rules(), Overrides()).for_folder(tmp_path)


@pytest.mark.parametrize(("lines", "expected"), [
    (["!pip install -q albumentations==1.3.1"], (1, 3, 1)),
    (["%pip install timm albumentations==1.4.0 --no-deps"], (1, 4, 0)),
    (["!python -m pip install 'albumentations~=1.3.0'"], (1, 3, 0)),
    (["!pip install albumentations==1.1.0", "!pip install -U albumentations==1.3.1"], (1, 3, 1)),  # the last one runs last
    (["!pip install albumentations>=1.3"], None),
    (["!ls albumentations==1.3.1"], None),  # not an install
])
def test_pins_in_notebook_pip_lines(lines: list[str], expected: tuple[int, ...] | None) -> None:
    assert pip_installed_version(lines, "albumentations") == expected


def test_a_notebooks_own_pip_pin_decides_unless_the_configuration_says(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reviewlint.run.loop import run_paths

    monkeypatch.chdir(tmp_path)
    notebook = write_notebook(tmp_path, "!pip install -q albumentations==1.3.1", ROTATE)
    rules = all_rules()

    def messages() -> list[str]:
        result = run_paths([notebook], ConfigResolver(rules, Overrides(select=("RL103",))), rules, jobs=1)
        return [finding.message for finding in result.findings]

    assert messages() == []  # 1.3.1 has value= and always_apply=
    (tmp_path / "requirements.txt").write_text("albumentations==2.0.0\n")
    assert messages() == []  # what the notebook installs is what it runs with
    (tmp_path / "pyproject.toml").write_text('[tool.reviewlint]\nalbumentations-version = "2.0"\n')
    assert [message.split(":")[0] for message in messages()] == ["Rotate(value=…, always_apply=…)"]
