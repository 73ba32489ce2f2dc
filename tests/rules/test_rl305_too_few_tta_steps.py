"""RL305 (too-few-tta-steps) beyond its examples, and its options."""

from __future__ import annotations

from reviewlint.lint.registry import find_rule
from tests.conftest import findings_of


def test_rl305_kfold_ensemble_is_not_tta():
    code = (
        "from tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
        "tta_gen = ImageDataGenerator(rotation_range=40).flow(x_test, shuffle=False)\n"
        "for fold in range(5):\n    model = build_model()\n    model.load_weights(f'fold{fold}.h5')\n"
        "    preds.append(model.predict(tta_gen))\n"
    )
    assert findings_of("RL305", code) == []


def test_rl305_option_names_use_underscores():
    rule = find_rule("RL305")
    assert {info.name for info in rule.option_infos} == {"min_steps", "strong_rotation", "strong_shift_scale", "strong_count"}
