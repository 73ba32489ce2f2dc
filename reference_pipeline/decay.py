"""Learning-rate arithmetic that needs no TensorFlow: how far a schedule decays over a plan."""

from __future__ import annotations


def exponential_total_decay(decay_rate: float, decay_steps: float, total_steps: float) -> float:
    """The factor an exponential schedule has shrunk the learning rate by after ``total_steps``.

    ``ExponentialDecay(lr, decay_steps, decay_rate)`` gives ``lr * decay_rate ** (step /
    decay_steps)``, so after the whole plan the rate is ``lr * decay_rate ** (total_steps /
    decay_steps)``. With ``decay_rate=0.9`` and ``decay_steps=100`` a 10,000-step plan ends at
    ``0.9 ** 100`` ≈ 2.7e-5 of the initial rate: training stops learning long before it ends
    (review point P13).
    """
    if not 0 < decay_rate < 1:
        raise ValueError(f"decay_rate must lie in (0, 1), got {decay_rate}")
    if decay_steps <= 0 or total_steps < 0:
        raise ValueError("decay_steps must be positive and total_steps non-negative")
    return float(decay_rate ** (total_steps / decay_steps))
