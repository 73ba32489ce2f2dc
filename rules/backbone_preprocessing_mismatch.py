"""RL201 backbone-preprocessing-mismatch: input normalization that does not match the backbone.

## What it does
Finds pretrained backbones (qubvel `efficientnet.{keras,tfkeras}`, `keras.applications`) and the
places that normalize pixel values — `ImageDataGenerator(rescale=…)`, `layers.Rescaling(…)`,
`x / 255` or `x * (1/255)` in a map or generator function, a `preprocess_input` — and flags the
ones that produce a different input range than the backbone's weights were trained on:
qubvel EfficientNet expects its own `preprocess_input` (x/255, then ImageNet mean/std);
`keras.applications` EfficientNet/EfficientNetV2/ConvNeXt/MobileNetV3 normalize inside the model
and expect raw 0–255 pixels; ResNet and VGG expect 'caffe' (BGR, mean subtracted); ResNetV2,
Inception, Xception, MobileNet v1/v2 and NASNet expect [-1, 1] ('tf'; `Rescaling(1/127.5,
offset=-1)` is that); DenseNet expects 'torch'. Only pretrained weights count: with
`weights=None` any normalization is the user's choice.

## Why it matters
Pretrained weights only work on inputs distributed like the ones they were trained on. Dividing
by 255 where the model expects mean/std-normalized inputs shifts every activation; dividing by
255 in front of a model that rescales internally squeezes all pixels into [0, 1/255]. Training
then has to undo the mistake, and fine-tuning starts far from the pretrained optimum (review
point 3: `rescale=1/255` with the `efficientnet` package).

## Example
```python
import efficientnet.tfkeras as efn
base = efn.EfficientNetB6(weights="imagenet", include_top=False)
datagen = ImageDataGenerator(rescale=1 / 255)
```

## Use instead
```python
from efficientnet.tfkeras import preprocess_input
datagen = ImageDataGenerator(preprocessing_function=preprocess_input)
```
"""

from __future__ import annotations

from collections.abc import Iterator

from reviewlint.facts import MODULE_SCOPE, Backbone, Facts, Normalization
from reviewlint.knowledge.backbones import EXPECTATIONS
from reviewlint.rule import Invalid, Report, RuleContext, Severity

CODE = "RL201"
NAME = "backbone-preprocessing-mismatch"
SEVERITY = Severity.ERROR
SUMMARY = "Input normalization that does not match the pretrained backbone it feeds"
TRIGGERS = ("applications", "efficientnet", "EfficientNet")

_PRODUCES = {
    "unit": "scales pixels to [0, 1]",
    "tf": "scales pixels to [-1, 1]",
    "torch": "applies x/255 then ImageNet mean/std",
    "caffe": "converts to BGR and subtracts the ImageNet mean",
    "raw": "leaves pixels in [0, 255]",
}


def _explain(norm: Normalization, backbone: Backbone) -> str:
    expects = backbone.expects or ""
    if expects == "raw" and norm.produces == "unit":
        return "the model already rescales its input inside, so this scales twice"
    if expects == "torch" and norm.produces == "unit":
        return "it also needs the per-channel ImageNet mean/std, not a bare division by 255"
    return f"it expects {EXPECTATIONS[expects]}"


def _double_with_preprocess(norms: list[Normalization]) -> set[int]:
    """Generators that both rescale and call a preprocess_input: the two stack."""
    by_call: dict[int, set[str]] = {}
    for norm in norms:
        if norm.call is not None and norm.kind in ("rescale", "preprocess-function") and norm.node is not norm.call.node:
            by_call.setdefault(id(norm.call.node), set()).add(norm.kind)
    return {key for key, kinds in by_call.items() if kinds == {"rescale", "preprocess-function"}}


def _fed_by(facts: Facts, backbone: Backbone, norms: list[Normalization], single_family: bool) -> list[Normalization]:
    """The normalization sites whose output reaches the backbone, as far as data flow shows it.

    Where the file never runs a model built from the backbone (a snippet, or a model passed
    around as a parameter), generator ``rescale`` and ``Rescaling`` layers still count if every
    pretrained backbone in the file expects the same input; bare arithmetic does not.
    """
    consumers = list(facts.consumers(backbone.owners)) if backbone.owners else []
    if consumers:
        return [
            norm
            for norm in norms
            if norm.owners
            and any(
                norm.owners & flow and (norm.scope != MODULE_SCOPE or call.index > norm.index)
                for call, flow in consumers
            )
        ]
    if not single_family:
        return []
    return [n for n in norms if n.kind != "arithmetic"]


def check(ctx: RuleContext) -> Iterator[Report]:
    facts = ctx.facts
    backbones = [b for b in facts.backbones if b.pretrained and b.expects is not None]
    if not backbones:
        return
    single_family = len({b.expects for b in backbones}) == 1
    stacked = _double_with_preprocess(facts.normalizations)
    reported: set[int] = set()
    for backbone in backbones:
        expects = backbone.expects or ""
        weights = backbone.weights if isinstance(backbone.weights, str) else "pretrained"
        where = f"{backbone.short_name} ({backbone.family.package}, weights={weights!r})"
        built = (backbone.node, f"{backbone.short_name} is built here; it expects {EXPECTATIONS[expects]}")
        for norm in _fed_by(facts, backbone, facts.normalizations, single_family):
            if id(norm.node) in reported:
                continue
            if norm.kind == "rescale" and norm.call is not None and id(norm.call.node) in stacked:
                reported.add(id(norm.node))
                yield Report(
                    norm.node,
                    f"{norm.description} is applied after preprocessing_function in the same ImageDataGenerator: "
                    f"the input of {where} is normalized twice",
                    hint="drop rescale; preprocess_input already normalizes",
                    related=(built,),
                )
                continue
            if norm.produces == expects:
                continue
            if norm.kind == "arithmetic" and norm.produces == "unit" and expects == "tf" and facts.renormalized:
                continue  # x / 255 followed by 2 * x - 1 elsewhere in the file
            reported.add(id(norm.node))
            yield Report(
                norm.node,
                f"{norm.description} {_PRODUCES[norm.produces]}, but it feeds {where}: {_explain(norm, backbone)}",
                hint=f"use {backbone.family.preprocess}",
                related=(built,),
            )


VALID = [
    "import matplotlib.pyplot as plt\nfrom tensorflow import keras\n"
    "(x_train, y_train), _ = keras.datasets.mnist.load_data()\nx_train = x_train / 255.0\n"
    "mnist_model = keras.Sequential([keras.layers.Dense(10)])\nmnist_model.fit(x_train, y_train)\n"
    "vgg = keras.applications.VGG19(weights='imagenet')\nfeatures = vgg(images)",
    "import tensorflow as tf\nbase = tf.keras.applications.MobileNetV2(weights='imagenet')\n"
    "def load(img):\n    img = img / 255.0\n    return img\ndef change_range(image):\n    return 2 * image - 1\n"
    "ds = ds.map(load).map(change_range)\nmodel = tf.keras.Sequential([base])\nmodel.fit(ds)",
    "import efficientnet.tfkeras as efn\nfrom efficientnet.tfkeras import preprocess_input\n"
    "from tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
    "base = efn.EfficientNetB0(weights='imagenet')\ngen = ImageDataGenerator(preprocessing_function=preprocess_input)",
    "import efficientnet.tfkeras as efn\nfrom tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
    "base = efn.EfficientNetB0(weights=None)\ngen = ImageDataGenerator(rescale=1./255)",
    "from tensorflow.keras.applications import EfficientNetB0\nbase = EfficientNetB0(weights='imagenet')\n"
    "def load(x):\n    return tf.cast(x, tf.float32)",
    "from tensorflow.keras.applications import MobileNetV2\nfrom tensorflow.keras import layers\n"
    "base = MobileNetV2(weights='imagenet')\nnorm = layers.Rescaling(1./127.5, offset=-1)",
    "from tensorflow.keras import layers\nnorm = layers.Rescaling(1./255)  # no pretrained backbone",
    "import matplotlib.pyplot as plt\nfrom tensorflow.keras.applications import EfficientNetB0\n"
    "base = EfficientNetB0()\nplt.imshow(img / 255)",
    "from tensorflow.keras.applications.resnet50 import ResNet50, preprocess_input\n"
    "base = ResNet50(weights='imagenet')\nx = preprocess_input(x)",
]

INVALID = [
    Invalid(
        "import efficientnet.tfkeras as efn\nfrom tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
        "base = efn.EfficientNetB6(weights='imagenet', include_top=False)\n"
        "train_datagen = ImageDataGenerator(rescale=1/255, rotation_range=20)",
        message="mean/std",
    ),
    Invalid(
        "from efficientnet.keras import EfficientNetB3\nfrom keras.preprocessing.image import ImageDataGenerator\n"
        "base = EfficientNetB3()\ngen = ImageDataGenerator(rescale=0.00392156)"
    ),
    Invalid(
        "import tensorflow as tf\nbase = tf.keras.applications.EfficientNetB0(include_top=False)\n"
        "def prep(image, label):\n    return tf.cast(image, tf.float32) / 255.0, label\n"
        "train_ds = train_ds.map(prep)\nmodel = tf.keras.Sequential([base, tf.keras.layers.Dense(5)])\n"
        "model.fit(train_ds, epochs=5)",
        message="scales twice",
    ),
    Invalid(
        "from tensorflow import keras\nfrom tensorflow.keras import layers\n"
        "base = keras.applications.EfficientNetV2B0(include_top=False)\n"
        "inputs = keras.Input((224, 224, 3))\nx = layers.Rescaling(1. / 255)(inputs)\nx = base(x)"
    ),
    Invalid(
        "from tensorflow.keras.applications import ResNet50\nfrom tensorflow.keras import layers\n"
        "base = ResNet50(weights='imagenet')\nx = layers.Rescaling(1/127.5, offset=-1)(inputs)",
        message="caffe",
    ),
    Invalid(
        "import efficientnet.tfkeras as efn\nfrom tensorflow.keras.applications.resnet50 import preprocess_input\n"
        "base = efn.EfficientNetB0()\nx = preprocess_input(x)"
    ),
    Invalid(
        "import efficientnet.tfkeras as efn\nfrom efficientnet.tfkeras import preprocess_input\n"
        "from tensorflow.keras.preprocessing.image import ImageDataGenerator\nbase = efn.EfficientNetB0()\n"
        "gen = ImageDataGenerator(rescale=1./255, preprocessing_function=preprocess_input)",
        message="twice",
    ),
    Invalid(
        "import numpy as np\nfrom tensorflow.keras.applications import Xception\nSCALE = 255\n"
        "base = Xception(weights='imagenet')\nX_train = X_train * (1 / SCALE)\n"
        "model = keras.Sequential([base, keras.layers.Dense(10)])\nmodel.fit(X_train, y_train)"
    ),
]
