"""reference_pipeline's TTA choice on validation data (numpy only): TTA that helps by more than the
noise is kept, TTA that hurts, ties or helps within the noise is not; the bootstrap is paired."""

from __future__ import annotations

import numpy as np
import pytest

from reference_pipeline.tta_choice import TTAChoice, choose_tta, paired_bootstrap_p, tta_average

CLASSES = 4


def _probabilities(predicted: np.ndarray, confidence: float) -> np.ndarray:
    """Rows that put ``confidence`` on the predicted class and share the rest."""
    rows = np.full((len(predicted), CLASSES), (1 - confidence) / (CLASSES - 1))
    rows[np.arange(len(predicted)), predicted] = confidence
    return rows


def _case(images: int, plain_wrong: int, fixed_by_tta: int, broken_by_tta: int, seed: int = 0):  # type: ignore[no-untyped-def]
    """Labels, a plain prediction wrong on ``plain_wrong`` images (barely), and augmented passes
    that fix ``fixed_by_tta`` of those and break ``broken_by_tta`` correct ones."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, CLASSES, images)
    wrong = (labels + 1) % CLASSES
    plain_predicted = labels.copy()
    plain_predicted[:plain_wrong] = wrong[:plain_wrong]
    plain = _probabilities(plain_predicted, 0.4)
    augmented_predicted = plain_predicted.copy()
    augmented_predicted[:fixed_by_tta] = labels[:fixed_by_tta]
    broken = slice(plain_wrong, plain_wrong + broken_by_tta)
    augmented_predicted[broken] = wrong[broken]
    passes = [_probabilities(augmented_predicted, 0.9) for _ in range(8)]
    return labels, plain, passes


def test_tta_that_clearly_helps_on_validation_is_kept() -> None:
    labels, plain, passes = _case(images=200, plain_wrong=60, fixed_by_tta=40, broken_by_tta=0)
    choice = choose_tta(plain, {1.0: passes, 0.5: passes}, labels, (2, 4, 8))
    assert choice.use and choice.gain == pytest.approx(0.2)
    assert choice.p_value <= choice.level == pytest.approx(0.05 / 6)
    assert choice.reason.startswith("TTA kept:") and "200 validation images" in choice.reason


def test_tta_that_hurts_on_validation_is_not_kept() -> None:
    labels, plain, passes = _case(images=200, plain_wrong=20, fixed_by_tta=0, broken_by_tta=30)
    choice = choose_tta(plain, {1.0: passes}, labels, (2, 4, 8))
    assert not choice.use and choice.gain < 0
    assert choice.reason.startswith("TTA off:") and "no gain" in choice.reason


def test_a_gain_within_the_noise_is_not_kept() -> None:
    # Fixes 3 images and breaks 1: +2 of 100, which paired resampling does not tell from chance
    # once the several candidates tried are accounted for.
    labels, plain, passes = _case(images=100, plain_wrong=30, fixed_by_tta=3, broken_by_tta=1)
    choice = choose_tta(plain, {1.0: passes, 0.5: passes, 0.25: passes}, labels, (2, 4, 8))
    assert choice.gain == pytest.approx(0.02) and not choice.use
    assert "within the noise" in choice.reason


def test_the_bootstrap_is_paired_and_one_sided() -> None:
    plain = np.array([1.0] * 50 + [0.0] * 50)
    assert paired_bootstrap_p(plain, plain.copy(), 500, 0) == 1.0, "identical predictions: no evidence"
    better = plain.copy()
    better[50:80] = 1.0
    assert paired_bootstrap_p(plain, better, 500, 0) < 0.01
    assert paired_bootstrap_p(better, plain, 500, 0) == 1.0, "worse is never significant"


def test_no_passes_means_no_tta_and_the_choice_round_trips() -> None:
    labels, plain, _ = _case(images=20, plain_wrong=5, fixed_by_tta=0, broken_by_tta=0)
    none = choose_tta(plain, {}, labels, ())
    assert not none.use and none.candidates == ()
    labels, plain, passes = _case(images=200, plain_wrong=60, fixed_by_tta=40, broken_by_tta=0)
    choice = choose_tta(plain, {1.0: passes}, labels, (2, 4))
    assert TTAChoice.from_dict(choice.to_dict()) == choice
    assert np.allclose(tta_average(plain, passes, 2), (plain + passes[0] + passes[1]) / 3)
