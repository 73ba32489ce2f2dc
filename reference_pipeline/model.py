"""EfficientNet classifier (``efficientnet.tfkeras``): weights, head, trainable parts, compilation.

The model takes images already passed through the backbone's own ``preprocess_input`` (done in
``tf.data``, see :mod:`reference_pipeline.data`), optionally augments them with Keras layers, and
runs the backbone in inference mode (:class:`InferenceMode`): its BatchNormalization layers use
their moving statistics and its stochastic-depth dropout is off, in every stage. Its
BatchNormalization layers are also kept frozen, so the moving statistics stay untouched while the
backbone is fine-tuned (review P11, rule RL503; see :func:`set_trainable_part`).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import efficientnet.tfkeras as efficientnet
import keras
import numpy as np

from .augment import keras_augmentation_layers
from .config import PipelineConfig
from .errors import WeightsUnavailableError
from .progress import console

WEIGHTS_NONE = "none"
WEIGHTS_IMAGENET = "imagenet"
WEIGHTS_AUTO = "auto"
BLOCK_NAME = re.compile(r"^(block\d+[a-z])_")
TOP_LAYER_PREFIX = "top_"
"""EfficientNet's last 1x1 convolution and its BatchNormalization (``top_conv``, ``top_bn``)."""


class InferenceMode(keras.layers.Layer):
    """Calls the wrapped model with ``training=False``, whatever ``training`` its caller has.

    ``backbone(x, training=False)`` in a functional model is not enough under Keras 3: ``fit``
    calls the outer model with ``training=True`` and a functional model passes that on to every
    nested layer, overriding the ``False`` recorded when the graph was built
    (keras-team/keras#20285). EfficientNet's stochastic depth (``FixedDropout`` in every block)
    would then drop residual branches at random during ``fit`` — in a frozen backbone, and
    differently on each replica of a distributed run. This layer's ``call`` takes no ``training``
    argument, so Keras passes it none, and it calls the backbone with an explicit ``False``.
    """

    def __init__(self, inner: keras.Model, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.inner = inner

    def call(self, inputs: Any) -> Any:
        return self.inner(inputs, training=False)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return self.inner.compute_output_shape(input_shape)


@dataclass
class Classifier:
    """The trainable model and the backbone inside it (whose ``trainable`` flags the stages set)."""

    model: keras.Model
    backbone: keras.Model


def _network_reason(error: Exception) -> str:
    """The last link of Keras's "URL fetch failure on URL: errno -- reason" message, without errno."""
    reason = str(error).rsplit(" -- ", 1)[-1].strip()
    return re.sub(r"^\[Errno -?\d+\]\s*", "", reason) or type(error).__name__


def imagenet_weights_file(backbone: str) -> str:
    """Downloads (or finds in ``$KERAS_HOME/models``) the ImageNet weights without the top.

    Any failure becomes one :class:`WeightsUnavailableError` sentence instead of a chain of URL
    errors.
    """
    from efficientnet.weights import IMAGENET_WEIGHTS_HASHES, IMAGENET_WEIGHTS_PATH

    model_name = f"efficientnet-{backbone.lower()}"
    file_name = f"{model_name}_weights_tf_dim_ordering_tf_kernels_autoaugment_notop.h5"
    try:
        return keras.utils.get_file(
            file_name,
            IMAGENET_WEIGHTS_PATH + file_name,
            cache_subdir="models",
            file_hash=IMAGENET_WEIGHTS_HASHES[model_name][1],
        )
    except Exception as error:  # keras raises a bare Exception for network failures
        raise WeightsUnavailableError(
            f"Cannot download the ImageNet weights of EfficientNet{backbone} ({_network_reason(error)}): "
            "use --weights none to train from scratch, or --weights PATH with a local weights file."
        ) from None


def with_available_weights(config: PipelineConfig) -> PipelineConfig:
    """``weights = "auto"`` (the default): ImageNet weights when they can be had (cached or
    downloadable), otherwise ``none``, said in one line. An explicit ``imagenet`` never falls back."""
    if config.model.weights.lower() != WEIGHTS_AUTO:
        return config
    try:
        imagenet_weights_file(config.model.backbone)
    except WeightsUnavailableError as error:
        console.print(f"[yellow]{error.args[0].split(':', 1)[0]}: training from scratch (weights none).[/yellow]")
        return dataclasses.replace(config, model=dataclasses.replace(config.model, weights=WEIGHTS_NONE))
    return dataclasses.replace(config, model=dataclasses.replace(config.model, weights=WEIGHTS_IMAGENET))


def resolve_weights(backbone: str, weights: str) -> str | None:
    """``none`` → ``None``; ``imagenet`` → the downloaded file; otherwise a path that must exist."""
    if weights.lower() == WEIGHTS_NONE:
        return None
    if weights.lower() == WEIGHTS_IMAGENET:
        return imagenet_weights_file(backbone)
    if not Path(weights).is_file():
        raise WeightsUnavailableError(f"The weights file {weights} does not exist.")
    return weights


def build_backbone(backbone: str, weights: str | None, image_size: int) -> keras.Model:
    """EfficientNet{backbone} without its classification top, loading ``weights`` if given."""
    builder = getattr(efficientnet, f"EfficientNet{backbone}")
    return builder(weights=weights, include_top=False, input_shape=(image_size, image_size, 3))


def build_classifier(config: PipelineConfig, num_classes: int, seed: int) -> Classifier:
    """Backbone, then the head: global pooling, dropout, a dense softmax layer (kept in float32)."""
    size = config.data.image_size
    backbone = build_backbone(config.model.backbone, resolve_weights(config.model.backbone, config.model.weights), size)
    inputs = keras.Input(shape=(size, size, 3), name="preprocessed_image")
    features = inputs
    if config.augment.backend == "keras":
        for layer in keras_augmentation_layers(config.augment, seed):
            features = layer(features)
    features = InferenceMode(backbone, name="backbone_in_inference_mode")(features)
    if config.model.pooling == "avg":
        features = keras.layers.GlobalAveragePooling2D(name="pooling")(features)
    else:
        features = keras.layers.GlobalMaxPooling2D(name="pooling")(features)
    features = keras.layers.Dropout(config.model.dropout, seed=seed, name="head_dropout")(features)
    outputs = keras.layers.Dense(num_classes, activation="softmax", dtype="float32", name="probabilities")(features)
    return Classifier(
        keras.Model(inputs, outputs, name=f"efficientnet_{config.model.backbone.lower()}_classifier"), backbone
    )


def estimate_batchnorm_statistics(backbone: keras.Model, images: np.ndarray) -> None:
    """Sets every BatchNormalization's moving statistics to those of ``images`` (one forward pass).

    Only for a backbone without pretrained weights. The backbone always runs with BatchNormalization
    in inference mode, and a freshly initialized one has moving statistics of 0 and 1 that match
    nothing: activations shrink about tenfold per stage and the head receives zeros. One pass in
    training mode with momentum 0 replaces them with the statistics of real (preprocessed,
    unaugmented) training images — a data-dependent initialization; training then proceeds as usual.
    """
    layers = [layer for layer in backbone.layers if isinstance(layer, keras.layers.BatchNormalization)]
    settings = [(layer.momentum, layer.trainable) for layer in layers]
    for layer in layers:
        layer.momentum = 0.0
        layer.trainable = True
    backbone(images, training=True)
    for layer, (momentum, trainable) in zip(layers, settings):
        layer.momentum = momentum
        layer.trainable = trainable


def block_names(backbone: keras.Model) -> list[str]:
    """The backbone's MBConv blocks (``block1a`` … ``block7a`` for B0), input to output."""
    names: list[str] = []
    for layer in backbone.layers:
        match = BLOCK_NAME.match(layer.name)
        if match and match.group(1) not in names:
            names.append(match.group(1))
    return names


def set_trainable_part(classifier: Classifier, part: str, top_blocks: int) -> None:
    """Makes ``head`` (backbone frozen), ``whole`` (everything) or ``top-blocks`` trainable.

    ``top-blocks`` unfreezes the last ``top_blocks`` MBConv blocks and the top convolution.
    BatchNormalization layers stay frozen in every case: the backbone runs in inference mode
    (:class:`InferenceMode`), and a BatchNormalization layer with ``trainable = False`` also keeps
    its scale and offset out of the optimizer's reach.

    The caller must compile again before the next ``fit``: Keras reads ``trainable`` at compile time.
    """
    if part not in ("head", "whole", "top-blocks"):
        raise ValueError(f"unknown trainable part {part!r}")
    backbone = classifier.backbone
    unfrozen = set(block_names(backbone)[-top_blocks:]) if part == "top-blocks" else set()
    backbone.trainable = part != "head"
    for layer in backbone.layers:
        match = BLOCK_NAME.match(layer.name)
        in_top = layer.name.startswith(TOP_LAYER_PREFIX) or bool(match and match.group(1) in unfrozen)
        is_batchnorm = isinstance(layer, keras.layers.BatchNormalization)
        layer.trainable = not is_batchnorm and (part == "whole" or (part == "top-blocks" and in_top))


def compile_classifier(
    classifier: Classifier, optimizer: keras.optimizers.Optimizer, run_eagerly: bool, allow_xla: bool
) -> None:
    """Compiles with a cross-entropy that matches the softmax output (``from_logits=False``).

    With ``allow_xla`` Keras compiles with XLA when every layer supports it (``jit_compile="auto"``:
    ``RandomZoom`` and ``RandomTranslation`` do not, so the Keras augmentation back end runs without).
    """
    classifier.model.compile(
        optimizer=optimizer,
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=False),
        metrics=["accuracy"],
        run_eagerly=run_eagerly,
        jit_compile="auto" if allow_xla else False,
    )


def trainable_weight_count(classifier: Classifier) -> int:
    """Number of trainable scalars (to report what a stage actually trains)."""
    return int(sum(keras.ops.size(weight) for weight in classifier.model.trainable_weights))
