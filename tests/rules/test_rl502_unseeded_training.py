"""RL502 (unseeded-training) beyond its examples."""

from __future__ import annotations

from tests.conftest import findings_of


def test_seeding_through_a_helper_called_from_main_counts():
    text = (
        "import random\nimport numpy as np\nimport tensorflow as tf\n"
        "def seed_all(s):\n    random.seed(s)\n    np.random.seed(s)\n    tf.random.set_seed(s)\n"
        "def main():\n    seed_all(0)\n    model = tf.keras.Sequential()\n    model.fit(x, y, epochs=5)\n"
        "if __name__ == '__main__':\n    main()\n"
    )
    assert findings_of("RL502", text) == []
