"""Test-time augmentation chosen on validation data, not assumed (review P7).

TTA may only help if it is never stronger than training (``tta.strength`` ≤ 1), and whether it
helps must be measured: on the validation split, the plain prediction is compared with TTA over a
small grid — pass counts ``TTA_STEPS_GRID`` (up to ``tta.steps``) × strengths ``TTA_STRENGTH_GRID``
(fractions of ``tta.strength``, so at most the training strength). The best candidate (accuracy,
then log loss) is kept for test and submission only when it beats plain prediction by more than the
validation set's noise: a one-sided **paired bootstrap** over the validation images (resampling
images, the statistic being the mean per-image change in correctness), at level ``alpha`` divided
by the number of candidates (Bonferroni: the best of several candidates is tested on the same data
that picked it). Otherwise prediction is plain. The grid's passes are drawn once per strength and
averaged cumulatively, so a grid of pass counts costs no more than its largest count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np

TTA_STEPS_GRID = (2, 4, 8)
TTA_STRENGTH_GRID = (0.25, 0.5, 1.0)
BOOTSTRAP_SAMPLES = 2000
ALPHA = 0.05


@dataclass(frozen=True)
class Candidate:
    """One TTA setting measured on the validation split."""

    steps: int
    strength: float
    accuracy: float
    loss: float


@dataclass(frozen=True)
class TTAChoice:
    """What validation said about TTA, and the decision."""

    use: bool
    steps: int  # of the best candidate (kept or not)
    strength: float
    validation_images: int
    plain_accuracy: float
    plain_loss: float
    tta_accuracy: float  # the best candidate's
    tta_loss: float
    gain: float  # tta_accuracy - plain_accuracy
    p_value: float  # one-sided paired bootstrap, H0: the best candidate is no better than plain
    level: float  # the level p_value is compared with (alpha over the number of candidates)
    candidates: tuple[Candidate, ...]

    @property
    def reason(self) -> str:
        best = f"the best TTA ({self.steps} passes at strength {self.strength:g})"
        figures = (f"{self.tta_accuracy:.3f} vs {self.plain_accuracy:.3f} without, on {self.validation_images} "
                   f"validation images")
        if self.use:
            return f"TTA kept: {best} scored {figures}; paired bootstrap p = {self.p_value:.3f} ≤ {self.level:.4f}"
        if self.gain <= 0:
            return f"TTA off: {best} scored {figures}: no gain"
        return (f"TTA off: {best} scored {figures}, a gain within the noise "
                f"(paired bootstrap p = {self.p_value:.3f} > {self.level:.4f})")

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["reason"] = self.reason
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> TTAChoice:
        fields = {key: value for key, value in data.items() if key in cls.__dataclass_fields__}
        fields["candidates"] = tuple(Candidate(**candidate) for candidate in fields.get("candidates", ()))  # type: ignore[arg-type, attr-defined]
        return cls(**fields)  # type: ignore[arg-type]


def log_loss(probabilities: np.ndarray, labels: Sequence[int]) -> float:
    """Mean negative log probability of the true class."""
    picked = probabilities[np.arange(len(labels)), np.asarray(labels)]
    return float(-np.mean(np.log(np.clip(picked, 1e-12, 1.0))))


def _correct(probabilities: np.ndarray, labels: np.ndarray) -> np.ndarray:
    return (np.argmax(probabilities, axis=1) == labels).astype(np.float64)


def paired_bootstrap_p(plain_correct: np.ndarray, tta_correct: np.ndarray, samples: int, seed: int) -> float:
    """One-sided p-value that TTA is no better than plain: the share of bootstrap resamples of the
    images (with replacement) whose mean change in correctness is ≤ 0 (with the +1 correction)."""
    differences = tta_correct - plain_correct
    if not differences.any():
        return 1.0
    rng = np.random.default_rng(seed)
    indices = rng.integers(0, len(differences), size=(samples, len(differences)))
    means = differences[indices].mean(axis=1)
    return float((np.count_nonzero(means <= 0) + 1) / (samples + 1))


def tta_average(plain: np.ndarray, passes: Sequence[np.ndarray], steps: int) -> np.ndarray:
    """The mean of the plain prediction and the first ``steps`` augmented passes."""
    return (plain + np.sum(passes[:steps], axis=0)) / (steps + 1) if steps else plain


def choose_tta(
    plain: np.ndarray,
    passes: Mapping[float, Sequence[np.ndarray]],
    labels: Sequence[int],
    steps_grid: Sequence[int],
    alpha: float = ALPHA,
    seed: int = 0,
    samples: int = BOOTSTRAP_SAMPLES,
) -> TTAChoice:
    """Decide on TTA from validation predictions: ``plain`` probabilities and, per strength, the
    augmented passes (at least ``max(steps_grid)`` of them)."""
    truth = np.asarray(labels)
    candidates = [
        Candidate(steps, strength, float(np.mean(_correct(average, truth))), log_loss(average, labels))
        for strength, drawn in sorted(passes.items())
        for steps in steps_grid
        if steps <= len(drawn)
        for average in (tta_average(plain, drawn, steps),)
    ]
    plain_accuracy = float(np.mean(_correct(plain, truth)))
    plain_loss = log_loss(plain, labels)
    if not candidates:
        return TTAChoice(False, 0, 0.0, len(truth), plain_accuracy, plain_loss, plain_accuracy, plain_loss, 0.0, 1.0, alpha, ())
    best = max(candidates, key=lambda c: (c.accuracy, -c.loss, -c.steps))
    level = alpha / len(candidates)
    best_probabilities = tta_average(plain, passes[best.strength], best.steps)
    p_value = paired_bootstrap_p(_correct(plain, truth), _correct(best_probabilities, truth), samples, seed)
    gain = best.accuracy - plain_accuracy
    return TTAChoice(
        use=gain > 0 and p_value <= level, steps=best.steps, strength=best.strength, validation_images=len(truth),
        plain_accuracy=plain_accuracy, plain_loss=plain_loss, tta_accuracy=best.accuracy, tta_loss=best.loss,
        gain=gain, p_value=p_value, level=level, candidates=tuple(candidates),
    )
