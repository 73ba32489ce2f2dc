"""RL304 tta-with-inactive-layers: a TTA loop that relies on Keras preprocessing layers, which do nothing at predict time.

## What it does
Flags a loop (or comprehension) that calls `model.predict` again and again on the same input,
expecting the random preprocessing layers inside the model (`RandomFlip`, `RandomRotation`,
`RandomZoom`, `RandomTranslation`, `RandomContrast` … directly in the model, in a `Sequential`
the model is built from, or added with `model.add`) to augment each pass. Not reported when the
loop applies augmentation of its own (albumentations, `tf.image` random ops, an augmenting
`ImageDataGenerator`, or the layers called with `training=True`), when the model was built with
the layers called as `aug(x, training=True)`, when the loop walks over the data (the input
depends on the loop variable), or when the model changes inside the loop (`load_weights`).

## Why it matters
`model.predict` runs the model with `training=False`, and Keras preprocessing layers are active
only in training: at inference they pass the image through unchanged. Every pass of the loop
computes exactly the same prediction, so the "test-time augmentation" costs N times the
inference time and changes nothing — and the experiment table credits TTA with a result it did
not produce.

## Example
```python
model = keras.Sequential([layers.RandomFlip("horizontal"), layers.RandomRotation(0.1), base, head])
preds = np.mean([model.predict(x_test) for _ in range(10)], axis=0)
```

## Use instead
```python
augment = keras.Sequential([layers.RandomFlip("horizontal"), layers.RandomRotation(0.1)])
preds = np.mean([model.predict(augment(x_test, training=True)) for _ in range(10)], axis=0)
```
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from reviewlint.api import CallSite, Facts, Invalid, NoOptions, PredictLoop, Report, RuleContext, Severity, Transform, Var

CODE = "RL304"
NAME = "tta-with-inactive-layers"
SEVERITY = Severity.WARNING
SUMMARY = "TTA loop around predict that relies on Keras preprocessing layers, which are inactive at inference"
TRIGGERS = ("Random",)

def _is_layer(transform: Transform) -> bool:
    return transform.qualname.startswith("keras.layers.") and "deterministic" not in transform.spec.kinds


def _training_true(facts: Facts, call: CallSite) -> bool:
    arg = call.arg("training")
    return arg is not None and facts.model.value(arg.value) is True


def _active(facts: Facts, layers: list[Transform]) -> set[int]:
    """Layers called with ``training=True`` (directly, or through the Sequential that holds them)."""
    by_owner: dict[Var, list[Transform]] = {}
    for layer in layers:
        pipeline = facts.pipeline_of(layer)
        if pipeline is not None:
            for owner in pipeline.owners:
                by_owner.setdefault(owner, []).append(layer)
    nodes = {id(layer.node): layer for layer in layers}
    active: set[int] = set()
    for call in facts.model.calls:
        if not _training_true(facts, call):
            continue
        func = call.node.func
        if isinstance(func, cst.Call) and id(func) in nodes:
            active.add(id(func))
        elif isinstance(func, cst.Name):
            for layer in by_owner.get(facts.model.qualify(func.value, call.scope), []):
                active.add(id(layer.node))
    return active


def _model_layers(facts: Facts, model: set[Var]) -> list[Transform]:
    layers: list[Transform] = []
    adds: set[int] = set()
    for call in facts.model.method_calls("add"):
        if call.receiver is not None and facts.model.qualify(call.receiver, call.scope) in model:
            adds |= {id(inner.node) for inner in facts.model.calls_within(call.node)}
    for transform in facts.transforms:
        if not _is_layer(transform):
            continue
        pipeline = facts.pipeline_of(transform)
        if (
            (pipeline is not None and pipeline.owners & model)
            or facts.model.owners(transform.call) & model
            or id(transform.node) in adds
        ):
            layers.append(transform)
    return layers


def _loop_augments(facts: Facts, found: PredictLoop, model_layers: list[Transform]) -> bool:
    """Whether the loop brings augmentation of its own (not the model's layers)."""
    loop = found.loop.node
    mine = {id(layer.node) for layer in model_layers}
    head = (found.call.receiver or "").split(".", 1)[0]
    used = {facts.model.qualify(name, found.loop.scope) for name in found.loop.names if name.split(".", 1)[0] != head}
    reached = facts.model.reaches(used)
    called = set()
    for call in facts.model.calls:
        if loop in call.loops:
            if _training_true(facts, call):
                return True
            if isinstance(call.node.func, cst.Name):
                called.add(call.node.func.value)
    for transform in facts.transforms:
        if id(transform.node) in mine or "deterministic" in transform.spec.kinds:
            continue
        pipeline = facts.pipeline_of(transform)
        if pipeline is not None and pipeline.kind == "image-data-generator" and not transform.kinds():
            continue
        if loop in transform.call.loops or transform.call.scope.name in called:
            return True
        if facts.model.owners(transform.call) & reached:
            return True
        if pipeline is not None and pipeline.owners & reached:
            return True
    return False


def check(ctx: RuleContext[NoOptions]) -> Iterator[Report]:
    facts = ctx.facts
    for found in facts.predict_loops:
        call = found.call
        if not found.repeats:
            continue
        model = facts.model.reaches({facts.model.qualify(call.receiver or "", call.scope)})
        layers = _model_layers(facts, model)
        if not layers:
            continue
        active = _active(facts, layers)
        inactive = [layer for layer in layers if id(layer.node) not in active]
        if not inactive or len(inactive) < len(layers):
            continue  # some layers are forced on: the loop may vary
        if _loop_augments(facts, found, layers):
            continue
        names = ", ".join(dict.fromkeys(layer.short_name for layer in inactive))
        steps = f"all {found.steps} passes predict" if found.steps else "every pass predicts"
        yield Report(
            call.node,
            f"{call.receiver}.{call.method}() in a loop relies on the model's preprocessing layers ({names}) "
            f"to augment, but they are inactive at inference ({call.method} runs with training=False): "
            f"{steps} exactly the same thing",
            hint="augment the input inside the loop (call the layers with training=True, or use tf.image / "
            "albumentations), or drop the loop",
            related=tuple((layer.node, f"{layer.short_name} does nothing in {call.method}()") for layer in inactive[:3]),
        )


_SEQ = (
    "import numpy as np\nfrom tensorflow import keras\nfrom tensorflow.keras import layers\n"
    "model = keras.Sequential([layers.RandomFlip('horizontal'), layers.RandomRotation(0.1), base, layers.Dense(5)])\n"
)
_FUNCTIONAL = (
    "import tensorflow as tf\n"
    "data_augmentation = tf.keras.Sequential([tf.keras.layers.RandomFlip(), tf.keras.layers.RandomZoom(0.2)])\n"
    "inputs = tf.keras.Input((224, 224, 3))\nx = data_augmentation(inputs)\nx = base(x)\n"
    "outputs = tf.keras.layers.Dense(10)(x)\nmodel = tf.keras.Model(inputs, outputs)\n"
)

VALID = [
    # A loop over files: each pass predicts another image (the input is computed from the loop variable).
    "import numpy as np\nfrom tensorflow import keras\nfrom tensorflow.keras import layers\n"
    "model = keras.Sequential([layers.RandomFlip('horizontal'), base])\nfor path in paths:\n"
    "    image = keras.utils.load_img(path)\n    array = keras.utils.img_to_array(image)\n"
    "    preds = model.predict(np.expand_dims(array, axis=0))\n",
    # the loop augments the input itself
    _SEQ + "aug = keras.Sequential([layers.RandomFlip('horizontal')])\n"
    "preds = np.mean([model.predict(aug(x_test, training=True)) for _ in range(10)], axis=0)",
    _SEQ + "import tensorflow as tf\npreds = []\nfor i in range(5):\n"
    "    preds.append(model.predict(tf.image.random_flip_left_right(x_test)))",
    _SEQ + "import albumentations as A\ntta = A.Compose([A.HorizontalFlip()])\n"
    "preds = [model.predict(np.stack([tta(image=im)['image'] for im in x_test])) for _ in range(8)]",
    # the layers were built active
    "import tensorflow as tf\n"
    "aug = tf.keras.Sequential([tf.keras.layers.RandomFlip()])\ninputs = tf.keras.Input((224, 224, 3))\n"
    "x = aug(inputs, training=True)\nmodel = tf.keras.Model(inputs, base(x))\n"
    "preds = [model.predict(x_test) for _ in range(5)]",
    # a loop over the data, not a repetition
    _SEQ + "preds = [model.predict(batch) for batch in batches]",
    _SEQ + "for i in range(10):\n    preds.append(model.predict(x_test[i * 32:(i + 1) * 32]))",
    # k-fold: a different model every pass
    _SEQ + "for fold in range(5):\n    model.load_weights(f'fold{fold}.h5')\n    preds.append(model.predict(x_test))",
    # no preprocessing layers in the model
    "from tensorflow import keras\nmodel = keras.Sequential([base, keras.layers.Dense(2)])\n"
    "preds = [model.predict(x) for _ in range(5)]",
    # an augmenting generator feeds the loop
    _SEQ + "from tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
    "tta_gen = ImageDataGenerator(horizontal_flip=True).flow(x_test, shuffle=False)\n"
    "preds = [model.predict(tta_gen) for _ in range(5)]",
    # a single prediction
    _SEQ + "preds = model.predict(x_test)",
]

INVALID = [
    Invalid(
        _SEQ + "preds = np.mean([model.predict(x_test) for _ in range(10)], axis=0)",
        message="model.predict() in a loop relies on the model's preprocessing layers (RandomFlip, RandomRotation)", range=(5, 18, 5, 39)
    ),
    Invalid(_FUNCTIONAL + "preds = []\nTTA = 5\nfor i in range(TTA):\n    preds.append(model.predict(test_ds))",
            message="all 5 passes predict exactly the same thing", range=(11, 18, 11, 40)),
    Invalid(
        "from keras.models import Sequential\nfrom keras.layers import RandomFlip as Flip, Dense\n"
        "model = Sequential()\nmodel.add(Flip('horizontal'))\nmodel.add(Dense(2))\n"
        "p = sum(model.predict(x) for _ in range(4)) / 4", range=(6, 9, 6, 25)
    ),
    Invalid(
        "import tensorflow as tf\ninp = tf.keras.Input((64, 64, 3))\n"
        "x = tf.keras.layers.RandomRotation(0.2)(inp)\nout = head(x)\nnet = tf.keras.Model(inp, out)\n"
        "def tta_predict(images, n=8):\n    return [net.predict(images) for _ in range(n)]", range=(7, 13, 7, 32)
    ),
]
