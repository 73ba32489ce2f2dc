"""RL304 (tta-with-inactive-layers) beyond its examples, in scripts and across notebook cells."""

from __future__ import annotations

from tests.conftest import findings_of, lint_file, write_notebook


def test_rl304_loop_calling_an_augmenting_helper_is_clean():
    code = (
        "import tensorflow as tf\nfrom tensorflow.keras import layers\n"
        "model = tf.keras.Sequential([layers.RandomFlip(), base])\n"
        "def tta(x):\n    return tf.image.random_flip_left_right(x)\n"
        "preds = [model.predict(tta(x_test)) for _ in range(4)]\n"
    )
    assert findings_of("RL304", code) == []


def test_notebook_tta_over_cells(tmp_path):
    path = write_notebook(
        tmp_path,
        "import numpy as np\nfrom tensorflow import keras\nfrom tensorflow.keras import layers\n",
        "model = keras.Sequential([layers.RandomFlip('horizontal'), layers.RandomRotation(0.2), base])\n",
        "model.fit(train_ds, epochs=3)\n",
        "TTA_STEPS = 4\npreds = np.mean([model.predict(test_ds) for _ in range(TTA_STEPS)], axis=0)\n",
    )
    findings = lint_file(path, "RL304", "RL305")
    assert [(f.code, f.location.cell) for f in findings] == [("RL304", 4)]
