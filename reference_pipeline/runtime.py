"""Devices: mixed precision and XLA only where a GPU is visible, mirroring over several devices.

``runtime.simulate_cpu_devices = N`` splits the CPU into N logical devices and mirrors over them,
which exercises ``tf.distribute.MirroredStrategy`` on a machine without GPUs. It must take effect
before TensorFlow initializes its devices, so it is applied first thing in a fresh process.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import tensorflow as tf

from .config import RuntimeConfig
from .errors import RuntimeSetupError


@dataclass(frozen=True)
class RuntimeInfo:
    """What the run uses: distribution strategy, replicas, precision and compilation."""

    strategy: tf.distribute.Strategy
    replicas: int
    gpus: int
    mixed_precision: bool
    allow_xla: bool

    def describe(self) -> str:
        """One line for the console and the run summary."""
        strategy = type(self.strategy).__name__.lstrip("_")
        precision = "mixed_float16" if self.mixed_precision else "float32"
        return (
            f"{strategy} with {self.replicas} replica(s), {self.gpus} GPU(s) visible, "
            f"{precision}, XLA {'where the model supports it' if self.allow_xla else 'off'}"
        )


def _split_cpu(count: int) -> list[str]:
    cpu = tf.config.list_physical_devices("CPU")[0]
    wanted = [tf.config.LogicalDeviceConfiguration() for _ in range(count)]
    current = tf.config.get_logical_device_configuration(cpu)
    if current is None or len(current) != count:
        try:
            tf.config.set_logical_device_configuration(cpu, wanted)
        except RuntimeError as error:
            raise RuntimeSetupError(
                f"Cannot split the CPU into {count} logical devices after TensorFlow has started ({error})."
            ) from None
    return [device.name for device in tf.config.list_logical_devices("CPU")]


def configure_runtime(runtime: RuntimeConfig) -> RuntimeInfo:
    """Sets the global precision policy and returns the strategy to build and train under."""
    cpu_devices = _split_cpu(runtime.simulate_cpu_devices) if runtime.simulate_cpu_devices > 1 else []
    gpus = tf.config.list_physical_devices("GPU")
    mixed_precision = runtime.mixed_precision == "auto" and bool(gpus)
    keras.mixed_precision.set_global_policy("mixed_float16" if mixed_precision else "float32")
    allow_xla = runtime.xla == "auto" and bool(gpus)
    if runtime.distribute == "none":
        strategy = tf.distribute.get_strategy()
    elif cpu_devices:
        strategy = tf.distribute.MirroredStrategy(devices=cpu_devices)
    elif runtime.distribute == "mirrored" or len(gpus) > 1:
        strategy = tf.distribute.MirroredStrategy()
    else:
        strategy = tf.distribute.get_strategy()
    return RuntimeInfo(strategy, strategy.num_replicas_in_sync, len(gpus), mixed_precision, allow_xla)
