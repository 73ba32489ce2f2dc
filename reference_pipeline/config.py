"""The pipeline's typed configuration: dataclasses, loading from TOML/JSON, overrides, checks.

Precedence, lowest first: the defaults below, a TOML or JSON file (``--config``), then
``section.key=value`` overrides from the command line (``--set`` and the named flags).
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .decay import exponential_total_decay
from .errors import ConfigError

BACKBONES = ("B0", "B1", "B2", "B3", "B4", "B5", "B6", "B7")
DATA_SOURCES = ("embedded", "folder", "kaggle")
AUGMENT_BACKENDS = ("albumentations", "keras")
FINE_TUNE_STRATEGIES = ("head-only", "whole-model", "head-then-whole-model", "head-then-top-blocks")
OPTIMIZERS = ("adamw", "sgd")
SCHEDULES = ("warmup-cosine", "exponential", "constant")
AUTO_OFF = ("auto", "off")
DISTRIBUTE_MODES = ("auto", "mirrored", "multi-worker", "none")

MIN_ZOOM = 0.05
"""Smallest non-zero zoom: below it every image is resampled for a change nobody can see (P1)."""

MIN_TOTAL_DECAY = 1e-3
"""An exponential schedule may not end below this fraction of its initial learning rate (P13)."""

MIN_IMAGE_SIZE = 32
"""EfficientNet's smallest accepted input side."""


@dataclass
class DataConfig:
    """Where the images come from and how they are read."""

    source: str = "embedded"
    path: str = ""
    cache_dir: str = ""
    embedded_images_per_class: int = 60
    image_size: int = 96
    val_fraction: float = 0.2
    test_fraction: float = 0.2
    split_seed: int = 0
    cache: bool = True


@dataclass
class AugmentConfig:
    """Training augmentation, shared by both back ends (same parameters, same meaning)."""

    backend: str = "albumentations"
    horizontal_flip: bool = True
    rotate_degrees: float = 15.0
    zoom: float = 0.1
    translate: float = 0.1


@dataclass
class ModelConfig:
    """Backbone and head."""

    backbone: str = "B0"
    weights: str = "auto"  # imagenet when obtainable, else none (see model.with_available_weights)
    pooling: str = "avg"
    dropout: float = 0.2


@dataclass
class TrainConfig:
    """Budget, optimizer, learning-rate schedule, fine-tuning strategy and early stopping."""

    seed: int = 42
    epochs: int = 10
    head_epochs: int = 3
    batch_size: int = 32
    steps_per_epoch: int = 0
    fine_tune: str = "head-then-whole-model"
    top_blocks: int = 3
    fine_tune_lr_factor: float = 0.1
    optimizer: str = "adamw"
    learning_rate: float = 1e-3
    weight_decay: float = 1e-4
    momentum: float = 0.9
    schedule: str = "warmup-cosine"
    warmup_epochs: float = 1.0
    decay_rate: float = 0.5
    decay_epochs: float = 3.0
    early_stopping: bool = True
    patience: int = 3
    run_eagerly: bool = False


@dataclass
class TTAConfig:
    """Test-time augmentation: the training augmentation scaled by ``strength`` (at most 1)."""

    steps: int = 8
    strength: float = 1.0


@dataclass
class RuntimeConfig:
    """Devices: mixed precision and XLA (GPU only), multi-device mirroring, several machines.

    ``distribute = "multi-worker"`` trains on the machines of ``TF_CONFIG`` or of ``workers``
    (``host:port,host:port,…``, the same list on every machine, this machine being number
    ``worker_index``); ``auto`` does so whenever ``TF_CONFIG`` is set.
    """

    mixed_precision: str = "auto"
    xla: str = "auto"
    distribute: str = "auto"
    simulate_cpu_devices: int = 0
    workers: str = ""
    worker_index: int = 0


@dataclass
class ArmConfig:
    """One arm of an experiment: a name and the overrides that distinguish it."""

    name: str
    overrides: dict[str, Any] = field(default_factory=dict)


def _default_arms() -> list[ArmConfig]:
    return [
        ArmConfig("head-only", {"train.fine_tune": "head-only"}),
        ArmConfig("head, then whole model", {"train.fine_tune": "head-then-whole-model"}),
        ArmConfig(
            "head, then whole model, no flips",
            {"train.fine_tune": "head-then-whole-model", "augment.horizontal_flip": False},
        ),
    ]


BUDGET_KEYS = (
    "train.epochs",
    "train.batch_size",
    "train.steps_per_epoch",
    "train.optimizer",
    "train.learning_rate",
    "train.weight_decay",
    "train.momentum",
    "train.schedule",
    "train.warmup_epochs",
    "train.decay_rate",
    "train.decay_epochs",
    "train.early_stopping",
    "train.seed",
    "data.image_size",
    "data.split_seed",
    "data.val_fraction",
    "data.test_fraction",
    "data.source",
    "data.path",
    "tta.steps",
)
"""Settings an experiment arm may not override: they make up the budget held equal."""


@dataclass
class ExperimentConfig:
    """Arms compared with equal budgets over several seeds."""

    seeds: list[int] = field(default_factory=lambda: [0, 1, 2])
    arms: list[ArmConfig] = field(default_factory=_default_arms)


@dataclass
class PipelineConfig:
    """Everything one run needs."""

    name: str = "default"
    runs_dir: str = "runs"
    data: DataConfig = field(default_factory=DataConfig)
    augment: AugmentConfig = field(default_factory=AugmentConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    tta: TTAConfig = field(default_factory=TTAConfig)
    runtime: RuntimeConfig = field(default_factory=RuntimeConfig)
    experiment: ExperimentConfig = field(default_factory=ExperimentConfig)

    @property
    def run_dir(self) -> Path:
        """The folder this run writes into."""
        return Path(self.runs_dir) / self.name


def _field_types(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _coerce_scalar(value: Any, target: Any, key: str) -> Any:
    """Converts ``value`` (from a file or a command-line string) to the field type ``target``."""
    if target is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in {"true", "1", "yes", "on"}:
            return True
        if isinstance(value, str) and value.lower() in {"false", "0", "no", "off"}:
            return False
        raise ConfigError(f"{key}: expected true or false, got {value!r}")
    if target is int:
        if isinstance(value, bool):
            raise ConfigError(f"{key}: expected an integer, got {value!r}")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{key}: expected an integer, got {value!r}") from None
    if target is float:
        if isinstance(value, bool):
            raise ConfigError(f"{key}: expected a number, got {value!r}")
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{key}: expected a number, got {value!r}") from None
    if target is str:
        return str(value)
    raise ConfigError(f"{key}: unsupported field type {target!r}")


def _coerce(value: Any, target: Any, key: str) -> Any:
    origin = typing.get_origin(target)
    if origin is list:
        (item_type,) = typing.get_args(target)
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list):
            raise ConfigError(f"{key}: expected a list, got {value!r}")
        if item_type is ArmConfig:
            return [_arm_from_mapping(item, f"{key}[{index}]") for index, item in enumerate(items)]
        return [_coerce_scalar(item, item_type, key) for item in items]
    return _coerce_scalar(value, target, key)


def _arm_from_mapping(item: Any, key: str) -> ArmConfig:
    if not isinstance(item, dict) or "name" not in item:
        raise ConfigError(f"{key}: an arm needs a name and optional overrides, got {item!r}")
    unknown = set(item) - {"name", "overrides"}
    if unknown:
        raise ConfigError(f"{key}: unknown arm keys {sorted(unknown)}")
    overrides = item.get("overrides", {})
    if not isinstance(overrides, dict):
        raise ConfigError(f"{key}.overrides: expected a table of section.key = value")
    return ArmConfig(name=str(item["name"]), overrides=dict(overrides))


def _apply_mapping(target: Any, mapping: dict[str, Any], prefix: str) -> None:
    types_by_name = _field_types(type(target))
    for name, value in mapping.items():
        key = f"{prefix}{name}"
        if name not in types_by_name:
            raise ConfigError(f"unknown setting {key!r}")
        current = getattr(target, name)
        if dataclasses.is_dataclass(current):
            if not isinstance(value, dict):
                raise ConfigError(f"{key}: expected a table")
            _apply_mapping(current, value, f"{key}.")
        else:
            setattr(target, name, _coerce(value, types_by_name[name], key))


def set_value(config: PipelineConfig, dotted_key: str, value: Any) -> None:
    """Sets one ``section.key`` (or top-level ``key``) to ``value``, converted to its type."""
    *sections, name = dotted_key.split(".")
    target: Any = config
    for section in sections:
        if not hasattr(target, section) or not dataclasses.is_dataclass(getattr(target, section)):
            raise ConfigError(f"unknown setting {dotted_key!r}")
        target = getattr(target, section)
    types_by_name = _field_types(type(target))
    if name not in types_by_name or dataclasses.is_dataclass(getattr(target, name)):
        raise ConfigError(f"unknown setting {dotted_key!r}")
    setattr(target, name, _coerce(value, types_by_name[name], dotted_key))


def parse_override(text: str) -> tuple[str, str]:
    """Splits ``section.key=value`` into its key and (string) value."""
    key, separator, value = text.partition("=")
    if not separator or not key.strip():
        raise ConfigError(f"expected section.key=value, got {text!r}")
    return key.strip(), value.strip()


def read_config_file(path: Path) -> dict[str, Any]:
    """Reads a TOML (``.toml``) or JSON (``.json``) configuration file into a mapping."""
    if path.suffix == ".toml":
        with path.open("rb") as handle:
            return tomllib.load(handle)
    if path.suffix == ".json":
        with path.open(encoding="utf-8") as handle:
            loaded = json.load(handle)
        if not isinstance(loaded, dict):
            raise ConfigError(f"{path}: expected a JSON object")
        return loaded
    raise ConfigError(f"{path}: a configuration file must end in .toml or .json")


def load_config(
    path: Path | None = None, overrides: dict[str, Any] | None = None, preset: dict[str, Any] | None = None
) -> PipelineConfig:
    """Builds a checked configuration: defaults ← ``preset`` (a command's own defaults) ← the file
    at ``path`` ← ``overrides``."""
    config = PipelineConfig()
    for key, value in (preset or {}).items():
        set_value(config, key, value)
    if path is not None:
        _apply_mapping(config, read_config_file(path), "")
    for key, value in (overrides or {}).items():
        set_value(config, key, value)
    validate(config)
    return config


def with_overrides(config: PipelineConfig, overrides: dict[str, Any]) -> PipelineConfig:
    """A checked deep copy of ``config`` with ``overrides`` applied."""
    copy = config_from_dict(config_to_dict(config))
    for key, value in overrides.items():
        set_value(copy, key, value)
    validate(copy)
    return copy


def config_to_dict(config: PipelineConfig) -> dict[str, Any]:
    """A JSON-ready mapping of ``config``."""
    return dataclasses.asdict(config)


def config_from_dict(mapping: dict[str, Any]) -> PipelineConfig:
    """The inverse of :func:`config_to_dict` (unchecked)."""
    config = PipelineConfig()
    _apply_mapping(config, mapping, "")
    return config


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ConfigError(message)


def _one_of(value: str, allowed: tuple[str, ...], key: str) -> None:
    _require(value in allowed, f"{key} must be one of {', '.join(allowed)}; got {value!r}")


def planned_steps_per_epoch(config: PipelineConfig, train_images: int) -> int:
    """Optimizer steps per epoch: the configured number, or one pass over the training split."""
    if config.train.steps_per_epoch > 0:
        return config.train.steps_per_epoch
    return max(1, math.ceil(train_images / config.train.batch_size))


def validate(config: PipelineConfig) -> None:
    """Raises :class:`ConfigError` for a value that is unknown or that the review warns against."""
    data, augment, model, train, tta, runtime = (
        config.data,
        config.augment,
        config.model,
        config.train,
        config.tta,
        config.runtime,
    )
    _require(bool(config.name.strip()), "name must not be empty")
    _one_of(data.source, DATA_SOURCES, "data.source")
    _require(data.source == "embedded" or bool(data.path), f"data.path is needed for data.source={data.source!r}")
    _require(data.image_size >= MIN_IMAGE_SIZE, f"data.image_size must be at least {MIN_IMAGE_SIZE}")
    _require(data.embedded_images_per_class >= 10, "data.embedded_images_per_class must be at least 10")
    _require(0 < data.val_fraction < 1 and 0 < data.test_fraction < 1, "split fractions must lie in (0, 1)")
    _require(data.val_fraction + data.test_fraction < 0.9, "val_fraction + test_fraction must leave data to train on")

    _one_of(augment.backend, AUGMENT_BACKENDS, "augment.backend")
    _require(0 <= augment.rotate_degrees <= 45, "augment.rotate_degrees must lie in [0, 45]")
    _require(
        augment.zoom == 0 or MIN_ZOOM <= augment.zoom <= 0.5,
        f"augment.zoom must be 0 (off) or lie in [{MIN_ZOOM}, 0.5]: a near-zero zoom resamples every "
        "image for no visible change",
    )
    _require(0 <= augment.translate <= 0.3, "augment.translate must lie in [0, 0.3]")

    _one_of(model.backbone, BACKBONES, "model.backbone")
    _require(bool(model.weights), "model.weights must be auto, imagenet, none or a path to a weights file")
    _one_of(model.pooling, ("avg", "max"), "model.pooling")
    _require(0 <= model.dropout < 1, "model.dropout must lie in [0, 1)")

    _one_of(train.fine_tune, FINE_TUNE_STRATEGIES, "train.fine_tune")
    _one_of(train.optimizer, OPTIMIZERS, "train.optimizer")
    _one_of(train.schedule, SCHEDULES, "train.schedule")
    _require(train.epochs >= 1 and train.batch_size >= 1, "train.epochs and train.batch_size must be positive")
    _require(train.steps_per_epoch >= 0, "train.steps_per_epoch must be 0 (one pass) or positive")
    if train.fine_tune.startswith("head-then-"):
        _require(
            1 <= train.head_epochs < train.epochs,
            f"train.head_epochs must lie in [1, train.epochs) for {train.fine_tune}",
        )
    _require(train.top_blocks >= 1, "train.top_blocks must be positive")
    _require(0 < train.fine_tune_lr_factor <= 1, "train.fine_tune_lr_factor must lie in (0, 1]")
    _require(train.learning_rate > 0, "train.learning_rate must be positive")
    _require(0 <= train.momentum < 1 and train.weight_decay >= 0, "momentum in [0, 1), weight_decay >= 0")
    _require(train.warmup_epochs >= 0, "train.warmup_epochs must not be negative")
    _require(0 < train.decay_rate < 1 and train.decay_epochs > 0, "decay_rate in (0, 1), decay_epochs > 0")
    _require(train.patience >= 1, "train.patience must be positive")
    if train.schedule == "exponential":
        total_decay = exponential_total_decay(train.decay_rate, train.decay_epochs, train.epochs)
        _require(
            total_decay >= MIN_TOTAL_DECAY,
            f"the exponential schedule would end at {total_decay:.2e} of its initial learning rate "
            f"(decay_rate={train.decay_rate} every {train.decay_epochs} epochs over {train.epochs} "
            "epochs): raise decay_rate or decay_epochs",
        )

    _require(tta.steps >= 0, "tta.steps must not be negative")
    _require(
        0 < tta.strength <= 1,
        "tta.strength must lie in (0, 1]: test-time augmentation may be milder than training, never stronger",
    )
    _one_of(runtime.mixed_precision, AUTO_OFF, "runtime.mixed_precision")
    _one_of(runtime.xla, AUTO_OFF, "runtime.xla")
    _one_of(runtime.distribute, DISTRIBUTE_MODES, "runtime.distribute")
    _require(runtime.simulate_cpu_devices >= 0, "runtime.simulate_cpu_devices must not be negative")
    addresses = [address.strip() for address in runtime.workers.split(",") if address.strip()]
    _require(all(re.fullmatch(r"[\w.\-\[\]:]+:\d+", address) for address in addresses),
             "runtime.workers must be host:port,host:port,… (the same list on every machine)")
    _require(0 <= runtime.worker_index < max(len(addresses), 1),
             "runtime.worker_index must number this machine in runtime.workers, from 0")

    _require(len(config.experiment.seeds) >= 1, "experiment.seeds must not be empty")
    names = [arm.name for arm in config.experiment.arms]
    _require(len(names) == len(set(names)), "experiment arm names must be unique")
    for arm in config.experiment.arms:
        for key in arm.overrides:
            _require(
                key not in BUDGET_KEYS,
                f"experiment arm {arm.name!r} overrides {key}, which is part of the budget every arm shares",
            )
