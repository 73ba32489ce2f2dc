"""RL103 (deprecated-augmentation-api): the table of albumentations and Keras API changes it reads."""

from __future__ import annotations

from reviewlint.knowledge.api_changes import argument_changes, class_change


def test_api_change_table():
    assert class_change("albumentations.Flip") is not None
    assert class_change("albumentations.HorizontalFlip") is None
    assert set(argument_changes("albumentations.Affine")) >= {"cval", "cval_mask", "mode", "always_apply"}
    assert "mode" not in argument_changes("albumentations.OpticalDistortion")  # still a parameter there
    assert argument_changes("keras.layers.RandomFlip") == {}
