"""RL402 (redundant-tuple-parens) beyond its examples."""

from __future__ import annotations

from tests.conftest import findings_of


def test_rl402_nested_unpacking_keeps_inner_parentheses():
    [finding] = findings_of("RL402", "((text_width, text_height), _) = cv2.getTextSize(text, font, 0.35, 1)")
    assert finding.hint == "write (text_width, text_height), _"
    assert findings_of("RL402", "(x_train, y_train), (x_test, y_test) = mnist.load_data()") == []
