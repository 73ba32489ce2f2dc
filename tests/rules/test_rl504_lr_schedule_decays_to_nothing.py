"""RL504 (lr-schedule-decays-to-nothing) beyond its examples: notebooks, recompiling, its options."""

from __future__ import annotations

import pytest

from tests.conftest import findings_of, lint_file, write_notebook


def test_notebook_epochs_per_stage_feed_the_schedule(tmp_path):
    path = write_notebook(
        tmp_path,
        "import tensorflow as tf\nEPOCHS = 3\nSTEPS = 200\n",
        "sched = tf.keras.optimizers.schedules.ExponentialDecay(1e-3, decay_steps=50, decay_rate=0.5)\n"
        "model.compile(optimizer=tf.keras.optimizers.Adam(sched), loss='mse')\n",
        "h1 = model.fit(ds, epochs=EPOCHS, steps_per_epoch=STEPS)\n",
        "EPOCHS = 1\nh2 = model.fit(ds, epochs=EPOCHS, steps_per_epoch=STEPS)\n",
    )
    (finding,) = lint_file(path, "RL504")
    assert "after the planned 4 epochs × 200 steps (800 steps, 2 fit() calls)" in finding.message
    assert finding.location.cell == 2


def test_schedule_recompiled_with_a_new_optimizer_stops_counting():
    text = (
        "import keras\nsched = keras.optimizers.schedules.ExponentialDecay(1e-3, 100, 0.5)\n"
        "model.compile(keras.optimizers.Adam(sched), 'mse')\nmodel.fit(x, epochs=2, steps_per_epoch=100)\n"
        "model.compile(keras.optimizers.Adam(1e-5), 'mse')\nmodel.fit(x, epochs=50, steps_per_epoch=100)\n"
    )
    assert findings_of("RL504", text) == []  # 200 steps: 0.25 of the initial rate


@pytest.mark.parametrize(
    ("option", "expected"),
    [({"min_steps_per_epoch": 10}, 0), ({"min_steps_per_epoch": 100}, 1)],
)
def test_min_steps_per_epoch_is_the_assumed_lower_bound(option, expected):
    text = "import keras\nkeras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)"
    assert len(findings_of("RL504", text, options=option)) == expected


def test_the_epochs_of_a_configuration_module_count(tmp_path, monkeypatch):
    import json

    from tests.conftest import check_in_process

    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "const.py").write_text("NUM_EPOCHS = 30\n")
    (tmp_path / "train.py").write_text(
        "import torch\nimport const\nfrom torch import optim\n"
        "scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=5, gamma=0.1)\n"
        "for epoch in range(const.NUM_EPOCHS):\n    for x, y in loader:\n        criterion(model(x), y).backward()\n"
        "    scheduler.step()\n"
    )
    _, out, _ = check_in_process(["--no-cache", "--format", "json", "--select", "RL504", "train.py"], tmp_path, monkeypatch)
    messages = [finding["message"] for finding in json.loads(out)["findings"]]
    assert len(messages) == 1 and "by the last of the 30 epochs" in messages[0]
