"""# noqa and # reviewlint: skip-file."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import findings_of, run_cli

SCALE = "import albumentations as A\nA.RandomScale(scale_limit=0.01){comment}\n"
FLIP = "import albumentations as A\ntrain_aug = A.Compose([A.VerticalFlip(p=0.5)])\n"


def test_noqa_with_the_code_suppresses() -> None:
    assert findings_of("RL101", SCALE.format(comment="  # noqa: RL101")) == []
    assert findings_of("RL101", SCALE.format(comment="  # noqa:RL101,RL102")) == []


def test_bare_noqa_suppresses_everything() -> None:
    assert findings_of("RL101", SCALE.format(comment="  # noqa")) == []


def test_noqa_for_another_code_does_not() -> None:
    assert len(findings_of("RL101", SCALE.format(comment="  # noqa: RL102"))) == 1


def test_noqa_on_another_line_does_not() -> None:
    assert len(findings_of("RL101", "# noqa: RL101\n" + SCALE.format(comment=""))) == 1


def test_skip_file() -> None:
    assert findings_of("RL101", "# reviewlint: skip-file\n" + SCALE.format(comment="")) == []


def test_commented_out_code_never_triggers_other_rules() -> None:
    text = "import albumentations as A\n# A.RandomScale(scale_limit=0.01)\n# A.VerticalFlip(p=1)\n"
    assert findings_of("RL101", text) == []
    assert findings_of("RL102", text) == []
    assert len(findings_of("RL401", text)) == 1


def test_skip_file_counts_only_as_a_comment(tmp_path: Path) -> None:
    (tmp_path / "t.py").write_text('import albumentations as A\nHELP = """\n    # reviewlint: skip-file\n"""\n'
                                   "train_aug = A.Compose([A.VerticalFlip(p=0.5)])\n")
    (tmp_path / "s.py").write_text("# reviewlint: skip-file\n" + FLIP)
    run = run_cli(["check", "--no-cache", "--format", "concise", "."], cwd=tmp_path)
    assert [line.split(":")[0] for line in run.stdout.splitlines()] == ["t.py"]
