"""Module aliases: different import paths that name the same API.

Qualified names are rewritten to one canonical spelling before any rule sees them, so that
``tf.keras.layers.RandomFlip``, ``tensorflow.keras.layers.RandomFlip`` and
``keras.layers.RandomFlip`` are one thing.
"""

from __future__ import annotations

# (prefix, canonical prefix); the longest matching prefix wins, and rewriting repeats.
# Sources: TensorFlow 2.x re-exports Keras as tf.keras (tensorflow/python/keras until 2.6,
# the keras package since; https://www.tensorflow.org/guide/keras); Keras 3 keeps the
# experimental preprocessing path for compatibility (keras/api/_tf_keras/keras/layers/
# experimental/preprocessing); tf_keras is the Keras 2 package for TF >= 2.16.
MODULE_ALIASES: tuple[tuple[str, str], ...] = (
    ("tensorflow.python.keras", "keras"),
    ("tensorflow.keras", "keras"),
    ("tensorflow.compat.v2.keras", "keras"),
    ("tensorflow.compat.v1.keras", "keras"),
    ("tf_keras", "keras"),
    ("keras.api._v2.keras", "keras"),
    ("keras.src", "keras"),
    ("keras.layers.experimental.preprocessing", "keras.layers"),
    ("keras.layers.preprocessing", "keras.layers"),
    ("keras.layers.core", "keras.layers"),
    ("keras.layers.convolutional", "keras.layers"),
    ("keras.layers.normalization", "keras.layers"),
    ("keras.layers.normalization.batch_normalization", "keras.layers"),
    ("keras.engine.sequential", "keras"),
    ("keras.models", "keras"),
    ("keras.engine.training", "keras"),
    ("keras.src.legacy.preprocessing.image", "keras.preprocessing.image"),
    ("keras.legacy.preprocessing.image", "keras.preprocessing.image"),
    ("keras.optimizers.schedules.learning_rate_schedule", "keras.optimizers.schedules"),
)

# Packages whose public names are re-exported at the top level from deep modules:
# albumentations/__init__.py star-imports every submodule (albumentations 1.x and 2.x), and
# torchvision.transforms does the same for its transforms.
FLATTENED_PACKAGES: tuple[str, ...] = ("albumentations", "torchvision.transforms.v2", "torchvision.transforms")


_LONGEST_FIRST = sorted(MODULE_ALIASES, key=lambda pair: -len(pair[0]))


def canonical(qualname: str) -> str:
    """Rewrite a qualified name to its canonical spelling."""
    for _ in range(4):
        for prefix, replacement in _LONGEST_FIRST:
            if qualname == prefix or qualname.startswith(prefix + "."):
                rewritten = replacement + qualname[len(prefix):]
                if rewritten != qualname:
                    qualname = rewritten
                    break
        else:
            break
    for package in FLATTENED_PACKAGES:
        if qualname.startswith(package + "."):
            last = qualname.rsplit(".", 1)[1]
            if last[:1].isupper():
                return f"{package}.{last}"
            break
    return qualname
