"""RL501 (fit-history-discarded) beyond its examples."""

from __future__ import annotations

from tests.conftest import findings_of


def test_fit_inside_a_model_class_is_not_a_training_run():
    text = "import keras\nclass Wrapper(keras.Model):\n    def train(self, x):\n        self.fit(x, epochs=3)\n"
    assert findings_of("RL501", text) == []
    assert findings_of("RL502", text) == []
