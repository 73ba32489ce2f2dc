"""reference_pipeline's configuration, schedule arithmetic and stage planning (no TensorFlow needed)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from reference_pipeline.config import (
    BUDGET_KEYS,
    ArmConfig,
    PipelineConfig,
    config_from_dict,
    config_to_dict,
    load_config,
    parse_override,
    planned_steps_per_epoch,
    with_overrides,
)
from reference_pipeline.decay import exponential_total_decay
from reference_pipeline.errors import ConfigError
from reference_pipeline.stages import describe_strategy, plan_stages

pytestmark = pytest.mark.pipeline

TOML_CONFIG = """
name = "from-file"

[data]
image_size = 64

[train]
epochs = 6
head_epochs = 2
optimizer = "sgd"
learning_rate = 0.01

[augment]
rotate_degrees = 10

[[experiment.arms]]
name = "head-only"
overrides = { "train.fine_tune" = "head-only" }

[[experiment.arms]]
name = "staged, no flips"
overrides = { "train.fine_tune" = "head-then-whole-model", "augment.horizontal_flip" = false }
"""


def test_toml_file_then_flags_override_in_order(tmp_path: Path) -> None:
    path = tmp_path / "tiny.toml"
    path.write_text(TOML_CONFIG, encoding="utf-8")
    config = load_config(path, {"train.epochs": "8", "augment.horizontal_flip": "false"})
    assert config.name == "from-file"
    assert config.data.image_size == 64
    assert config.train.epochs == 8, "the flag wins over the file"
    assert config.train.head_epochs == 2, "the file wins over the default"
    assert config.train.optimizer == "sgd" and config.train.learning_rate == pytest.approx(0.01)
    assert config.augment.horizontal_flip is False
    assert config.augment.rotate_degrees == pytest.approx(10.0)
    assert [arm.name for arm in config.experiment.arms] == ["head-only", "staged, no flips"]
    assert config.experiment.arms[1].overrides == {
        "train.fine_tune": "head-then-whole-model",
        "augment.horizontal_flip": False,
    }
    assert config.run_dir == Path("runs") / "from-file"


def test_json_file_and_preset_precedence(tmp_path: Path) -> None:
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps({"train": {"batch_size": 8}, "tta": {"steps": 12}}), encoding="utf-8")
    config = load_config(
        path, {"tta.steps": 10}, preset={"train.batch_size": 4, "train.epochs": 3, "train.head_epochs": 1}
    )
    assert config.train.batch_size == 8, "the file wins over the command's preset"
    assert config.train.epochs == 3, "the preset wins over the default"
    assert config.tta.steps == 10


def test_round_trip_through_json() -> None:
    config = load_config(None, {"experiment.seeds": "4,5", "model.weights": "none"})
    again = config_from_dict(json.loads(json.dumps(config_to_dict(config))))
    assert again == config
    assert again.experiment.seeds == [4, 5]


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"train.epochz": "3"}, "unknown setting"),
        ({"train.epochs": "three"}, "expected an integer"),
        ({"augment.horizontal_flip": "maybe"}, "expected true or false"),
        ({"augment.zoom": "0.01"}, "near-zero zoom"),
        ({"tta.strength": "1.5"}, "never stronger"),
        ({"model.backbone": "B9"}, "model.backbone"),
        ({"train.head_epochs": "10"}, "head_epochs"),
        ({"data.source": "kaggle"}, "data.path is needed"),
    ],
)
def test_bad_values_are_refused_with_a_reason(override: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(None, override)


def test_an_arm_may_not_change_the_budget() -> None:
    config = PipelineConfig()
    config.experiment.arms = [ArmConfig("longer", {"train.epochs": 20})]
    with pytest.raises(ConfigError, match="budget"):
        with_overrides(config, {})
    assert "train.epochs" in BUDGET_KEYS and "train.early_stopping" in BUDGET_KEYS


def test_parse_override() -> None:
    assert parse_override("train.seed = 3") == ("train.seed", "3")
    with pytest.raises(ConfigError):
        parse_override("train.seed")


def test_exponential_total_decay_is_computed_over_the_plan() -> None:
    assert exponential_total_decay(0.5, 100, 300) == pytest.approx(0.125)
    assert exponential_total_decay(0.9, 100, 10_000) == pytest.approx(0.9**100)
    assert exponential_total_decay(0.96, 1, 0) == 1.0
    assert math.isclose(exponential_total_decay(0.5, 3, 10), 0.5 ** (10 / 3))
    with pytest.raises(ValueError):
        exponential_total_decay(1.5, 10, 10)


def test_exponential_schedule_that_decays_to_nothing_is_refused() -> None:
    fine = load_config(None, {"train.schedule": "exponential", "train.decay_rate": "0.5", "train.decay_epochs": "3"})
    assert fine.train.schedule == "exponential"
    with pytest.raises(ConfigError, match=r"would end at 9\.\d+e-04"):
        load_config(
            None,
            {
                "train.schedule": "exponential",
                "train.decay_rate": "0.5",
                "train.decay_epochs": "1",
                "train.epochs": "10",
            },
        )


def test_stages_add_up_to_the_budget_and_are_named_for_what_they_train() -> None:
    config = load_config(None, {"train.epochs": "10", "train.head_epochs": "3", "train.top_blocks": "2"})
    for strategy in ("head-only", "whole-model", "head-then-whole-model", "head-then-top-blocks"):
        train = with_overrides(config, {"train.fine_tune": strategy}).train
        assert sum(stage.epochs for stage in plan_stages(train)) == 10
    staged = with_overrides(config, {"train.fine_tune": "head-then-top-blocks"}).train
    assert describe_strategy(staged) == "head only (3 epochs), then top 2 blocks (7 epochs, lr ×0.1)"
    assert [stage.trainable for stage in plan_stages(staged)] == ["head", "top-blocks"]


def test_planned_steps_per_epoch() -> None:
    config = load_config(None, {"train.batch_size": "32"})
    assert planned_steps_per_epoch(config, 180) == 6
    assert planned_steps_per_epoch(with_overrides(config, {"train.steps_per_epoch": "4"}), 180) == 4
