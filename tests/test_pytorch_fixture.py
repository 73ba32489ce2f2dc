"""The reviewed notebook rendered in PyTorch (``fixtures/pytorch/``): each of the review's
pitfalls is found where the fixture's README places it, and the corrected twin has no finding."""

from __future__ import annotations

from reviewlint.lint.registry import all_rules
from tests.conftest import REPO, lint_file

EVERY_RULE = tuple(rule.code for rule in all_rules())

STUDENT = REPO / "fixtures" / "pytorch" / "student_notebook_torch.py"
CORRECTED = REPO / "fixtures" / "pytorch" / "corrected_torch.py"

# (code, line) of every finding, as fixtures/README.md lists them for the PyTorch rendering.
EXPECTED = [
    ("RL101", 54), ("RL101", 173), ("RL102", 53), ("RL102", 172), ("RL103", 53), ("RL103", 54), ("RL103", 172),
    ("RL103", 173), ("RL201", 78), ("RL301", 173), ("RL302", 91), ("RL303", 177), ("RL305", 182), ("RL401", 162),
    ("RL402", 92), ("RL402", 95), ("RL501", 142), ("RL501", 154), ("RL502", 123), ("RL503", 109), ("RL504", 113),
    ("RL505", 153),
]


def test_every_pitfall_of_the_pytorch_rendering_is_found_where_it_is():
    found = sorted((finding.code, finding.location.line) for finding in lint_file(STUDENT, *EVERY_RULE))
    assert found == EXPECTED


def test_the_corrected_pytorch_twin_has_no_finding():
    assert [(f.code, f.location.line, f.message) for f in lint_file(CORRECTED, *EVERY_RULE)] == []
