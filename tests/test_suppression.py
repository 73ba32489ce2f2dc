"""# noqa and # reviewlint: skip-file."""

from __future__ import annotations

from tests.conftest import findings_of

SCALE = "import albumentations as A\nA.RandomScale(scale_limit=0.01){comment}\n"


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
