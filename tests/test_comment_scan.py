"""The two comment scanners agree: one regular-expression pass and ``tokenize``, bracket depth included."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewlint.source.comments import scan_comments as scan_with_tokenize
from reviewlint.source.comments_fast import scan_comments

ROOT = Path(__file__).resolve().parent.parent

CASES = [
    "gen = ImageDataGenerator(\n    # rescale=1./255,\n    rotation_range=20,  # degrees\n)\n# after\n",
    "x = [1, (2,\n  # inside two\n  3)]\n# outside\n",
    "s = '(' # a bracket in a string is no bracket\n# outside\n",
    'doc = """ ( [ {\n"""\n# outside after a triple-quoted string\n',
    "d = {\n    'k': f'{x}',  # an f-string\n    # 'hue': 0.4,\n}\n",
    "x = 1 \\\n    + 2  # after a continuation\n",
]


@pytest.mark.parametrize("text", CASES)
def test_the_fast_scanner_gives_tokenizes_comments_and_depths(text: str) -> None:
    assert scan_comments(text) == scan_with_tokenize(text)


def test_a_comment_among_a_calls_arguments_is_in_brackets() -> None:
    comments = scan_comments(CASES[0])
    assert [(c.text, c.in_brackets) for c in comments] == [
        ("# rescale=1./255,", True), ("# degrees", True), ("# after", False)]


def test_the_scanners_agree_on_the_projects_own_files() -> None:
    for path in [*sorted((ROOT / "reviewlint").rglob("*.py")), *sorted((ROOT / "rules").glob("*.py")), ROOT / "fixtures" / "student_notebook.py"]:
        text = path.read_text(encoding="utf-8")
        assert scan_comments(text) == scan_with_tokenize(text), path


_PIECES = st.sampled_from(["(", ")", "[", "]", "{", "}", "x", " ", ",", "\n", "# c\n", "'s'", '"(#"', "1", "=", "f(", "\t"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_the_scanners_agree_on_any_bracket_soup_tokenize_accepts(text: str) -> None:
    try:
        expected = scan_with_tokenize(text)
    except (SyntaxError, IndentationError):
        return
    assert scan_comments(text) == expected
