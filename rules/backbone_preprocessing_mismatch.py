"""RL201 backbone-preprocessing-mismatch: input normalization that does not match the backbone.

## What it does
Finds pretrained backbones (qubvel `efficientnet.{keras,tfkeras}`, `keras.applications`) and the
places that normalize pixel values — `ImageDataGenerator(rescale=…)`, `layers.Rescaling(…)`,
`x / 255` or `x * (1/255)` in a map or generator function, `(x - mean) / std` with constant
statistics (written out or in `np.array([…])`; after `x / 255` in the same function, the pair is
one normalization), a `preprocess_input` (also as
`ImageDataAugmentor(preprocess_input=…)`) — and flags the
ones that produce a different input range than the backbone's weights were trained on:
qubvel EfficientNet expects its own `preprocess_input` (x/255, then ImageNet mean/std);
`keras.applications` EfficientNet/EfficientNetV2/ConvNeXt/MobileNetV3 normalize inside the model
and expect raw 0–255 pixels; ResNet and VGG expect 'caffe' (BGR, mean subtracted); ResNetV2,
Inception, Xception, MobileNet v1/v2 and NASNet expect [-1, 1] ('tf'; `Rescaling(1/127.5,
offset=-1)` is that); DenseNet expects 'torch'. Only pretrained weights count: with
`weights=None` any normalization is the user's choice — unless ImageNet weights are then loaded
from a file (`base.load_weights("…imagenet….h5")`, a keras.applications or efficientnet weight
file name). A backbone chosen at run time (`getattr(efn, f"EfficientNetB{n}")(…)`, `getattr(efn,
name)` with any name, a dict or list of constructors, directly or through a name bound to it)
counts when every candidate expects the same input; backbones built on the two sides of an `if`
(or each in an `if arch == …:` that returns it) are alternatives, and a normalization that suits
one of them is not reported for another. Data is followed through `tf.data` map
functions, functions that return a model or a dataset, and lists a model's outputs are appended
to, and a backbone added to a model with `model.add(…)`; a generator or layer that feeds no model
in sight counts as in a file that runs none, unless its name is bound anew later (a notebook that
replaces its generators before it trains: the model only sees the new ones).
Pixels scaled to [0, 1] and multiplied by 255 again before the backbone (a `Rescaling(255.0)`
layer the backbone is built on, `x * 255` on the way to it) reach it in [0, 255]; `x /= 255.`
then `x -= 0.5` and `x *= 2.` (or `(x - 0.5) * 2`, `2 * x - 1`) is the [-1, 1] convention.
A model loaded back with `load_model(path)` from where a model built from the backbone was saved
(`ModelCheckpoint(filepath=path)` given to its `fit`, or `model.save(path)`; `./BC.h5` and `BC.h5`
alike) is that model; a model built anew under the same name (a later notebook cell's
`model = Sequential([...])`, not computed from the backbone) is another one, and what it trains on
does not feed the backbone.
Across the project's own modules too: a generator imported from `data.py` into the script that
builds the backbone is reported in `data.py`, with the backbone as a related location, and a
model built in `model.py` meets the generator of the script that imports it. When nothing in the
file normalizes the images at all (or only arithmetic that feeds no model: an image divided by
255 to show it) and they come from `flow_from_directory`/`flow_from_dataframe`
or `image_dataset_from_directory` straight into a backbone that does not normalize inside, or
from a reader of raw 8-bit pixels (`cv2.imread`, `PIL.Image.open`, `load_img`, `imageio`'s and
scikit-image's `imread`, `tf.io.decode_jpeg`) through the arrays they fill, the
finding is at the backbone (not when a `map`, a `Lambda` layer, a generator's own preprocessing
or a function named `preprocess…`/`normalize…` may do it out of sight, nor where the model's own
preprocessing is built: torchvision's `weights.transforms()`, timm's `resolve_data_config()`). A
`map` whose lambda only calls Keras and TensorFlow operations that do not normalize (`ds.map(lambda
x, y: (data_augmentation(x), y))` with a `Sequential` of random layers) is in sight: it normalizes
nothing; nor does a `BatchNormalization` of the head (applied to what the backbone computes).
A backbone that gets the output of a trainable layer rather than the images (`x =
layers.Conv2D(3, 3)(inputs)` before `base(x)`, or a `BatchNormalization` before it in a
`Sequential`) is not judged: that layer learns the range the backbone wants.

PyTorch: a `torchvision.transforms.Normalize(mean, std)` (also `transforms.v2`) or an
albumentations `A.Normalize()` (ImageNet mean/std by default) is compared with the pretrained
config of the model: `timm.create_model(name, pretrained=True)` by its name and tag (the table,
generated from timm's own model definitions, is `reviewlint/knowledge/timm_pretrained.py`: most
ViTs and BEiTs expect mean = std = 0.5, DeiT and the CNNs the ImageNet mean/std, CLIP models
CLIP's), a torchvision model built with `weights=…` or `pretrained=True` (ImageNet mean/std,
what `weights.transforms()` applies), and `efficientnet_pytorch`'s
`EfficientNet.from_pretrained(name)` (ImageNet mean/std; [-1, 1] with `advprop=True`). A
`Normalize` with statistics of its own (the dataset's mean/std) far from the model's (more than
half a std for a black or white pixel: a skin-lesion dataset's, not CIFAR-10's) is reported;
statistics that move no black or white pixel more than a quarter of a std from a known
convention (ImageNet's rounded to 0.45 / 0.225) count as that convention. Without data flow to link them, a PyTorch `Normalize` is
compared with PyTorch models only. A bare `/ 255` (in a `Dataset`'s `__getitem__`, say) is
followed through the `DataLoader` and the loops that run the model; and when nothing in the file
normalizes at all, a torchvision or albumentations pipeline whose images reach a pretrained
model is reported at the model. A `transforms.Lambda` that divides by 255 after `ToTensor`
(which already scales to [0, 1]; also through a function of the file the lambda calls) is
reported at the Lambda: the images reach the model in [0, 0.004].

One split left out: where a pipeline normalizes in itself for a backbone
(`ImageDataGenerator(preprocessing_function=preprocess_input)`, a `Compose` with `Normalize`)
and another pipeline of the same kind feeding the same model normalizes nothing (a bare
`ImageDataGenerator()` for the test images, `Compose([Resize(224), ToTensor()])` for
validation), the bare one is reported: its images reach the model in another range than the
ones it was trained on. A pipeline built in a branch of a function that none of the file's calls
takes (`elif data == "cam":` when every call passes `data="train"` or `"valid"`) feeds nothing.
Not when the model may normalize inside (a `Lambda`, `Rescaling` or
`Normalization` layer), when arithmetic normalizes data in the file, or when the bare
pipeline only re-wraps images the normalizing one produced. The same where a `Normalize` is
applied on its own (`normalize(img)` on the image shown) while the training loop gets the
pipeline's images unnormalized.

## Why it matters
Pretrained weights only work on inputs distributed like the ones they were trained on. Dividing
by 255 where the model expects mean/std-normalized inputs shifts every activation; dividing by
255 in front of a model that rescales internally squeezes all pixels into [0, 1/255]. Training
then has to undo the mistake, and fine-tuning starts far from the pretrained optimum: the
`efficientnet` package's models expect ImageNet mean/std normalization, which `rescale=1/255`
alone does not give them.

## Example
```python
import functools
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

import dataclasses
import functools
import posixpath
import re
from collections.abc import Iterator, Sequence

import libcst as cst

from reviewlint.api import (
    Backbone,
    CallSite,
    Edit,
    Facts,
    Fix,
    Invalid,
    NewImport,
    NoOptions,
    Normalization,
    Pipeline,
    Report,
    RuleContext,
    Scope,
    SemanticModel,
    Severity,
    SyntaxHooks,
    Var,
    convention_distance,
    dotted,
    drop_args,
    is_number,
    name_is_free,
    names_in,
    parent_of,
    replace,
    with_args,
)
from reviewlint.knowledge.backbones import EXPECTATIONS, INPUT_LAYERS, LEARNED_INPUT_LAYERS, NAMED_BY_ARGUMENT, RAW_IMAGE_READERS, TORCH_PACKAGES
from reviewlint.knowledge.transforms import IMAGE_DATA_GENERATOR_QUALNAMES
from reviewlint.knowledge.modules import canonical
from reviewlint.knowledge.roles import FIT_METHODS
from reviewlint.knowledge import training

CODE = "RL201"
NAME = "backbone-preprocessing-mismatch"
SEVERITY = Severity.ERROR
SUMMARY = "Input normalization that does not match the pretrained backbone it feeds"
TRIGGERS = ("applications", "efficientnet", "EfficientNet", "timm", "torchvision", "torch.hub")
# A file with a backbone or a normalization has its project imports followed, and an imported
# module with either is analysed: the generator in data.py meets the backbone in train.py.
IMPORT_TRIGGERS = (*TRIGGERS, "rescale", "Rescaling", "preprocess_input", "255", "127.5", "Normalize")
# Fixes: rescale=1/255 -> preprocessing_function=preprocess_input of the qubvel efficientnet
# module (imported if needed; composed with an existing preprocessing_function); a /255 —
# rescale=, Rescaling(1/255), x / 255 — in front of a keras.applications model that rescales
# inside is dropped. The input the model sees changes: unsafe.
FIX = "unsafe"

# A Normalize with statistics of its own that moves no black or white pixel more than half a std
# from the backbone's own convention normalizes close enough (CIFAR-10's mean/std are 0.42 from
# ImageNet's; the [-1, 1] and ImageNet conventions are 1.1 apart, a skin-lesion dataset's 3.3).
_CLOSE_ENOUGH = 0.5

_PRODUCES = {
    "unit": "scales pixels to [0, 1]",
    "tf": "scales pixels to [-1, 1]",
    "torch": "applies x/255 then ImageNet mean/std",
    "caffe": "converts to BGR and subtracts the ImageNet mean",
    "raw": "leaves pixels in [0, 255]",
    "clip": "applies x/255 then CLIP's mean/std",
    "custom": "normalizes with a mean/std of its own (the dataset's, say)",
}


def _explain(norm: Normalization, backbone: Backbone) -> str:
    expects = backbone.expects or ""
    if expects == "raw" and norm.produces == "unit":
        return "the model already rescales its input inside, so this scales twice"
    if expects == "torch" and norm.produces == "unit":
        return "it also needs the per-channel ImageNet mean/std, not a bare division by 255"
    return f"it expects {EXPECTATIONS[expects]}"


def _normalized_after(facts: Facts, norm: Normalization, norms: Sequence[Normalization]) -> bool:
    """Whether the result of an arithmetic ``x / 255`` goes, later in the same function, through a
    pipeline that normalizes with a ``Normalize`` of its own (``x = np.array(x / 255); x =
    self.transform(x)`` with ``ToTensor(), Normalize(mean, std)``: ToTensor leaves float arrays
    as they are, so the two together are the ImageNet convention)."""
    model = facts.model
    normalizing = [pipeline for pipeline in facts.pipelines if pipeline.owners and any(
        other.kind != "arithmetic" and other.call is not None and (other.call.node is pipeline.node
                                                                   or model.encloses(pipeline.node, other.call.node))
        for other in norms)]
    if not normalizing or not norm.owners:
        return False
    for call in model.calls:
        if call.scope != norm.scope or call.index <= norm.index:
            continue
        name = dotted(call.node.func)
        # transform(x), or self.transform(x) in __getitem__ of what __init__ built
        called = model.reaches({model.qualify(name, call.scope)}) if name is not None else set()
        if not any(called & pipeline.owners for pipeline in normalizing):
            continue
        if any(model.names_used(arg.value, call.scope) & norm.owners for arg in call.node.args):
            return True
    return False


def _restored(facts: Facts, backbone: Backbone, norm: Normalization) -> bool:
    """Whether pixels scaled to [0, 1] by ``norm`` are multiplied by 255 again before they reach
    the backbone: by a layer the backbone is built on (``x = Rescaling(255.0)(inputs);
    EfficientNetV2S(input_tensor=x)``), which every input of its model goes through, or by
    arithmetic computed from ``norm``'s result, after it and before a run of the backbone it feeds."""
    if not facts.restorations or not backbone.owners:
        return False
    model = facts.model
    built_from = model.reaches(backbone.owners)
    runs = list(model.consumers(backbone.owners))
    for restoring in facts.restorations:
        if restoring.owners & built_from:
            return True
        # After the division and before the run it feeds (not ``img * 255`` to save the image after
        # predicting on it).
        if norm.owners and norm.owners & model.reaches(restoring.owners) and any(
                restoring.owners & flow and norm.index <= restoring.index
                and (restoring.index <= call.index or model.encloses(call.node, restoring.node)) for call, flow in runs):
            return True
    return False


def _scaled_after_to_tensor(facts: Facts, norms: Sequence[Normalization]) -> list[tuple[cst.Call, Normalization]]:
    """``transforms.Compose([..., transforms.ToTensor(), transforms.Lambda(lambda x: x / 255)])``
    (or a function of the file the lambda calls, ``normalize_img(x)`` returning ``img / 255``): each
    Lambda that divides by 255 after a ToTensor of its pipeline, with the division."""
    model = facts.model
    dividing = [norm for norm in norms if norm.kind == "arithmetic" and norm.produces == "unit"]
    if not dividing:
        return []
    found: list[tuple[cst.Call, Normalization]] = []
    for pipeline in facts.pipelines:
        if pipeline.kind != "torchvision" or not pipeline.node.args or not isinstance(pipeline.node.args[0].value, (cst.List, cst.Tuple)):
            continue
        scaled = False
        for element in pipeline.node.args[0].value.elements:
            value = element.value
            site = model.call_site(value) if isinstance(value, cst.Call) else None
            qualname = site.qualname if site is not None else None
            if qualname in _TO_TENSOR:
                scaled = True
            elif qualname in _LAMBDA and scaled and isinstance(value, cst.Call) and value.args:
                applied = value.args[0].value
                called = {dotted(inner.node.func) for inner in model.calls_within(applied)}
                norm = next((n for n in dividing if model.encloses(applied, n.node)
                             or (n.scope.kind == "function" and not n.scope.owner and n.scope.name in called)), None)
                if norm is not None:
                    found.append((value, norm))
    return found


# torchvision's ToTensor scales uint8 pixels to [0, 1] (torchvision/transforms/transforms.py, ToTensor).
_TO_TENSOR = frozenset({"torchvision.transforms.ToTensor"})
_LAMBDA = frozenset({"torchvision.transforms.Lambda", "torchvision.transforms.v2.Lambda"})


# Methods that look at a model without running it or handing it on.
_INSPECTING = frozenset({"summary", "count_params", "get_config"})


def _replaced_unused(facts: Facts, backbone: Backbone) -> bool:
    """A backbone built once at module level whose name is bound to a new one before module-level
    code does anything with it but look at it (a notebook cell that builds VGG16 to print its
    summary, and a later cell that builds the one the model uses)."""
    model = facts.model
    call = backbone.call
    if not call.scope.is_module or call.loops or not backbone.owners:
        return False
    for var in backbone.owners:
        replaced = model.replaced_after(var, call.index)
        if replaced is None:
            return False
        for read in model.calls:
            if (call.index < read.index < replaced.order and read.scope.is_module and read.index not in range(call.index, call.end)
                    and not (read.receiver == var.name and read.method in _INSPECTING)
                    and any(name.split(".", 1)[0] == var.name for name in names_in(read.node))):
                return False
        # (the new binding itself included: ``model = model.to(device)`` carries the backbone on)
        if any(call.index < assignment.index <= replaced.order and assignment.scope.is_module
               and any(name.split(".", 1)[0] == var.name for name in names_in(assignment.value)) for assignment in model.assignments):
            return False
    return True


def _with_reloaded(facts: Facts, backbone: Backbone) -> tuple[Backbone, frozenset[int]]:
    """The backbone, also owned by the models loaded back from where a model built from it was
    saved: ``load_model(modelpath)`` after a fit with ``ModelCheckpoint(filepath=modelpath)``, or
    after ``model.save(modelpath)`` (the same name or the same folded path, ``./`` and all; or the
    same file name in a Kaggle dataset, where a notebook's saved output is uploaded); with the
    ``id()`` of those ``load_model`` calls."""
    model = facts.model
    if not backbone.owners or not any(call.qualname in _LOAD_MODEL for call in model.calls):
        return backbone, frozenset()

    def key(node: cst.BaseExpression | None, scope: Scope) -> object:
        if node is None:
            return None
        value = model.value_in(node, scope)
        if isinstance(value, str):
            return posixpath.normpath(value)  # "./BC.h5" is "BC.h5"
        return model.qualify(node.value, scope) if isinstance(node, cst.Name) else None

    saved: set[object] = set()
    for call in model.calls:
        if call.qualname is not None or not call.receiver or not model.reaches({model.qualify(call.receiver, call.scope)}) & backbone.owners:
            continue
        if call.method in ("save", *FIT_METHODS) and _runs_another_model(facts, backbone, call, None):
            continue  # saved by the model a later cell built under the same name
        if call.method == "save":
            saved.add(key(arg.value, call.scope) if (arg := call.arg("filepath", 0)) is not None else None)
        elif call.method in FIT_METHODS and (callbacks := call.arg("callbacks")) is not None:
            for origin, _ in model.origins(callbacks.value, call.scope):
                site = model.call_site(origin) if isinstance(origin, cst.Call) else None
                if site is not None and site.qualname == training.MODEL_CHECKPOINT:
                    path = site.arg("filepath", 0)
                    saved.add(key(path.value, site.scope) if path is not None else None)
    saved.discard(None)
    names = {posixpath.basename(path) for path in saved if isinstance(path, str)}
    # A checkpoint path with fields Keras fills in per epoch ("model/epoch-{epoch}_{val_loss:.2f}.hdf5"):
    # any file it wrote ("model/epoch-7_0.31.hdf5").
    templates = [_filled_in(path) for path in saved if isinstance(path, str) and "{" in path]
    loaded: set[Var] = set()
    loads: set[int] = set()
    for call in model.calls:
        if call.qualname not in _LOAD_MODEL or (path := call.arg("filepath", 0)) is None:
            continue
        found = key(path.value, call.scope)
        # A notebook's saved model uploaded as a Kaggle dataset: ../input/birdmodel/bird-96test.
        if found in saved or isinstance(found, str) and (
                found.startswith(training.KAGGLE_INPUT_DIRS) and posixpath.basename(found) in names
                or any(template.fullmatch(found) for template in templates)):
            loaded.update(model.owners(call))
            loads.add(id(call.node))
    return (dataclasses.replace(backbone, owners=backbone.owners | loaded) if loaded else backbone), frozenset(loads)


def _filled_in(template: str) -> re.Pattern[str]:
    """The paths a ``ModelCheckpoint`` file-path template may write: each ``{field}`` is any text."""
    return re.compile("".join(".+?" if part.startswith("{") else re.escape(part)
                              for part in re.split(r"(\{[^{}]*\})", template)))


# keras.models.load_model and keras.saving.load_model, canonical names (knowledge/training.py).
_LOAD_MODEL = frozenset({"keras.load_model", "keras.saving.load_model"})


def _matches(norm: Normalization, expects: str) -> bool:
    """Whether a normalization gives what a backbone expects: the same convention, or a
    dataset's own statistics near it (CIFAR-10's next to ImageNet's)."""
    if norm.produces == expects:
        return True
    return norm.produces == "custom" and norm.statistics is not None and (
        distance := convention_distance(norm.statistics, expects)) is not None and distance <= _CLOSE_ENOUGH


def _alternatives(model: SemanticModel, first: Backbone, second: Backbone) -> bool:
    """Whether two backbones of one module (``model``'s) are built on the two sides of one ``if``
    (or conditional expression), or each in an ``if`` of its own that returns: the program builds
    one or the other, chosen at run time."""
    one, other = model.branches_to(first.node), model.branches_to(second.node)
    if not one or not other:
        return False
    sides = {id(branch): in_body for branch, in_body in one}
    if any(id(branch) in sides and sides[id(branch)] != in_body for branch, in_body in other):
        return True
    # `if arch == "resnet50": … return model` then `if arch == "vit_b_16": … return model`
    first_exit, second_exit = _returning_branch(one), _returning_branch(other)
    return first_exit is not None and second_exit is not None and first_exit is not second_exit


def _returning_branch(branches: list[tuple[cst.If | cst.IfExp, bool]]) -> cst.If | None:
    """The innermost ``if`` whose body holds a node and ends by returning (or raising)."""
    for branch, in_body in reversed(branches):
        if isinstance(branch, cst.If) and in_body and isinstance(branch.body, cst.IndentedBlock) and branch.body.body:
            last = branch.body.body[-1]
            if isinstance(last, cst.SimpleStatementLine) and isinstance(last.body[-1], (cst.Return, cst.Raise)):
                return branch
    return None


def _double_with_preprocess(norms: Sequence[Normalization]) -> set[int]:
    """Generators that both rescale and call a preprocess_input: the two stack."""
    by_call: dict[int, set[str]] = {}
    for norm in norms:
        if norm.call is not None and norm.kind in ("rescale", "preprocess-function") and norm.node is not norm.call.node:
            by_call.setdefault(id(norm.call.node), set()).add(norm.kind)
    return {key for key, kinds in by_call.items() if kinds == {"rescale", "preprocess-function"}}


def _runs_another_model(facts: Facts, backbone: Backbone, call: CallSite, reloads: frozenset[int] | None) -> bool:
    """Whether the module-level model a module-level call runs (``model.fit(…)``, ``model(x)``) was
    bound to a model not built from the backbone after the backbone was built. ``reloads``: the
    ``load_model`` calls that load a model built from the backbone (None while they are being
    worked out: then no loaded model counts as another)."""
    if not (call.scope.is_module and backbone.call.scope.is_module):
        return False
    name = call.receiver if call.method is not None else dotted(call.node.func)
    if not name or "." in name:
        return False
    binding = facts.model.replacement_before(name, backbone.owners, backbone.call.index, call.index)
    if binding is None:
        return False
    # A model loaded from a file is another model only when the file is known, and is not where a
    # model built from the backbone was saved (that one is the backbone's model: _with_reloaded).
    site = facts.model.call_site(binding.value) if isinstance(binding.value, cst.Call) else None
    if site is not None and site.qualname in _LOAD_MODEL:
        path = site.arg("filepath", 0)
        return (reloads is not None and id(site.node) not in reloads and path is not None
                and isinstance(facts.model.value_in(path.value, site.scope), str))
    return True


def _fed_by(facts: Facts, backbone: Backbone, norms: Sequence[Normalization], single_family: bool,
            reloads: frozenset[int]) -> list[Normalization]:
    """The normalization sites whose output reaches the backbone, as far as data flow shows it.

    Where the file never runs a model built from the backbone (a snippet, or a model passed
    around as a parameter), generator ``rescale`` and ``Rescaling`` layers still count if every
    pretrained backbone in the file expects the same input; bare arithmetic does not. A backbone
    applied only inside its module's own methods (``self.net(x)`` in ``forward``, which a
    framework calls) is run on data the file does not show: such a file counts as running none.
    """
    consumers, replaced = [], False
    for call, flow in facts.model.consumers(backbone.owners) if backbone.owners else ():
        # A model run before the backbone was built is another model that had the same name, and
        # so is one run after its name was bound to a new model (a later cell's scratch CNN).
        if call.scope == backbone.call.scope and call.index <= backbone.call.index:
            continue
        if _runs_another_model(facts, backbone, call, reloads):
            replaced = True
            continue
        consumers.append((call, flow))
    linked = [
        norm
        for norm in norms
        if any(
            (
                norm.owners
                and norm.owners & flow
                and (
                    not norm.scope.is_module
                    or (_after(call, norm) and not facts.model.rebound_between(norm.owners, norm.index, call.index))
                )
            )
            # model.fit(x_train / 255.): the arithmetic is an argument of the call itself
            # (also where the call's result is assigned: preds = [model.predict(x / 255.) …]).
            or (norm.kind == "arithmetic" and norm.scope == call.scope and call.index < norm.index <= call.end
                and facts.model.encloses(call.node, norm.node))
            for call, flow in consumers
        )
    ]
    if replaced or any(call.receiver != "self" for call, _ in consumers):
        # A generator or layer that feeds no model in sight (set up, then unused or used
        # elsewhere) is judged as in a file that runs no model; not one replaced later by one
        # that normalizes differently (a notebook whose author changed the generators before training).
        unlinked = [
            norm for norm in norms
            if single_family and _same_world(norm, backbone) and norm.kind != "arithmetic" and norm.owners
            and not facts.model.fed_to_a_model(norm.owners, norm.index if norm.scope.is_module else None)
            and not _replaced(facts, norm, norms)
        ]
        return [norm for norm in norms if norm in linked or norm in unlinked]
    if not single_family:
        return linked
    return [n for n in norms if n in linked or (n.kind != "arithmetic" and _same_world(n, backbone))]


def _replaced(facts: Facts, norm: Normalization, norms: Sequence[Normalization]) -> bool:
    """Whether a module-level normalization's names are bound anew later, and not to the same
    normalization again (``test_datagen = ImageDataGenerator(rescale=1/255)`` written twice is one
    choice; replaced by ``ImageDataGenerator(preprocessing_function=preprocess_input)`` it is undone)."""
    if not norm.scope.is_module or not facts.model.rebound_between(norm.owners, norm.index, len(facts.model.calls)):
        return False
    return not any(other.index > norm.index and other.owners & norm.owners and other.produces == norm.produces
                   and other.kind == norm.kind for other in norms)


def _after(call: CallSite, norm: Normalization) -> bool:
    """Whether a model run comes after a normalization. Arithmetic is numbered by the calls before
    its statement, so the first call after ``data = data / 255`` has the arithmetic's own number."""
    return call.index > norm.index or (norm.kind == "arithmetic" and call.index == norm.index)


def _behind_learned_layer(facts: Facts, backbone: Backbone) -> bool:
    """Whether the backbone, wherever it is applied (``x = base(x)``) or placed in a
    ``Sequential``, gets the output of a trainable layer (``x = layers.Conv2D(3, 3)(inputs)``,
    ``Sequential([Input(…), BatchNormalization(), base, …])``) rather than the images: that layer
    learns whatever range the backbone wants, so how the pixels were scaled is no mismatch."""
    model = facts.model
    applied = [
        call for call in model.calls
        if call.qualname is None and isinstance(call.node.func, cst.Name)
        and model.qualify(call.node.func.value, call.scope) in backbone.owners
    ]
    placed = [layers for layers in _sequential_layers(facts) if any(
        isinstance(layer, cst.Name) and model.qualify(layer.value, scope) in backbone.owners or layer is backbone.node
        for layer, scope in layers)]
    for layers in placed:
        position = next(index for index, (layer, scope) in enumerate(layers)
                        if layer is backbone.node or isinstance(layer, cst.Name) and model.qualify(layer.value, scope) in backbone.owners)
        before = [layer for layer, _ in layers[:position] if _changes_values(facts, layer)]
        site = model.call_site(before[-1]) if before and isinstance(before[-1], cst.Call) else None
        if site is None or site.qualname not in LEARNED_INPUT_LAYERS:
            return False
    for call in applied:
        argument = call.arg("inputs", 0)
        if argument is None or not isinstance(argument.value, cst.Name):
            return False
        # The binding in force before the statement (``x = base(x)`` binds x only after the call).
        earlier = [binding for binding in model.bindings_of(model.qualify(argument.value.value, call.scope))
                   if binding.order <= call.index and not model.encloses(binding.node, call.node)]
        value = earlier[-1].value if earlier else None
        layer = model.call_site(value.func) if isinstance(value, cst.Call) and isinstance(value.func, cst.Call) else None
        if layer is None or layer.qualname not in LEARNED_INPUT_LAYERS:
            return False
    return bool(applied or placed)


def _sequential_layers(facts: Facts) -> list[list[tuple[cst.BaseExpression, Scope]]]:
    """The layers of each ``Sequential([...])`` display, in order, with the scope they are read in."""
    found = []
    for call in facts.model.calls:
        if call.qualname == "keras.Sequential":
            layers = call.arg("layers", 0)
            if layers is not None and isinstance(layers.value, (cst.List, cst.Tuple)):
                found.append([(element.value, call.scope) for element in layers.value.elements])
    return found


def _changes_values(facts: Facts, layer: cst.BaseExpression) -> bool:
    """Whether a layer of a ``Sequential`` may change the range of the values it passes on: not an
    ``Input``/``InputLayer``, nor a random augmentation layer (a crop or flip keeps the pixels' range)."""
    site = facts.model.call_site(layer) if isinstance(layer, cst.Call) else None
    if site is None:
        return True
    return site.qualname not in INPUT_LAYERS and not any(transform.call is site for transform in facts.transforms)


def _same_world(norm: Normalization, backbone: Backbone) -> bool:
    """Without data flow to link them, a PyTorch ``Normalize`` is compared with PyTorch models
    only, and Keras-side normalization with Keras models only (a notebook may hold both)."""
    return (norm.kind == "normalize-transform") == (backbone.family.package in TORCH_PACKAGES)


def _preprocess_input(ctx: RuleContext[NoOptions], backbone: Backbone) -> tuple[cst.BaseExpression, tuple[NewImport, ...]] | None:
    """How to name the backbone module's ``preprocess_input`` here, and the import that needs."""
    facts, text = ctx.facts, ctx.source.text
    module = (backbone.call.qualname or "").rpartition(".")[0]
    wanted = canonical(f"{module}.preprocess_input")
    for local, target in sorted(facts.model.imports.bindings.items()):
        if canonical(target) == wanted:
            return cst.Name(local), ()
    # The module as this file spells it, when it imports it (a path the file's environment has:
    # efficientnet.efficientnet.tfkeras from a copy of the repository), else its canonical name.
    module = next((target for _, target in sorted(facts.model.imports.bindings.items())
                   if canonical(target) == canonical(module)), module)
    if name_is_free(facts.model, text, "preprocess_input"):
        return cst.Name("preprocess_input"), (NewImport(module, "preprocess_input"),)
    for local, target in sorted(facts.model.imports.bindings.items()):
        if canonical(target) == canonical(module):
            return cst.parse_expression(f"{local}.preprocess_input"), ()
    alias = f"{module.replace('.', '_')}_preprocess_input"
    if name_is_free(facts.model, text, alias):
        return cst.Name(alias), (NewImport(module, "preprocess_input", alias),)
    return None


_PARAMETER_NAMES = ("image", "img", "pixels", "image_array", "augmented_image")


def _use_preprocess_input(ctx: RuleContext[NoOptions], norm: Normalization, backbone: Backbone) -> Fix | None:
    """``ImageDataGenerator(rescale=1/255, …)`` -> ``ImageDataGenerator(preprocessing_function=preprocess_input, …)``."""
    if norm.call is None or not isinstance(norm.node, cst.Arg):
        return None
    named = _preprocess_input(ctx, backbone)
    if named is None:
        return None
    function, imports = named
    call = norm.call.node
    existing = norm.call.arg("preprocessing_function")
    if existing is None:
        new = norm.node.with_changes(keyword=cst.Name("preprocessing_function"), value=function)
        return Fix("use preprocessing_function=preprocess_input", [replace(norm.node, new)], imports)
    if not isinstance(existing.value, (cst.Name, cst.Attribute)):
        return None
    # Run the user's function first, then normalize (the order rescale had).
    inner = ctx.model.module.code_for_node(existing.value)
    outer = ctx.model.module.code_for_node(function)
    # A parameter name used nowhere else in the file (data flow would mistake it for that name).
    parameter = next((name for name in _PARAMETER_NAMES if not re.search(rf"\b{name}\b", ctx.source.text)), None)
    if parameter is None:
        return None
    composed = cst.parse_expression(f"lambda {parameter}: {outer}({inner}({parameter}))")
    args = [a.with_changes(value=composed) if a is existing else a for a in call.args if a is not norm.node]
    return Fix("normalize with preprocess_input after preprocessing_function", [replace(call, with_args(call, args))], imports)


def _drop_unit_scaling(ctx: RuleContext[NoOptions], norm: Normalization) -> Fix | None:
    """Drop a /255 in front of a model that rescales inside."""
    module = ctx.model.module
    if norm.kind == "rescale" and norm.call is not None and isinstance(norm.node, cst.Arg):
        return Fix("drop rescale=", [replace(norm.call.node, drop_args(norm.call.node, norm.node))])
    if norm.kind == "rescaling-layer" and isinstance(norm.node, cst.Call):
        return Fix("drop the Rescaling layer", functools.partial(_drop_layer, module, norm.node))
    if norm.kind == "arithmetic" and isinstance(norm.node, cst.BinaryOperation):
        node = norm.node
        facts = ctx.facts
        keep = node.left if is_number(facts.model.value(node.right)) else node.right
        if isinstance(node.operator, cst.Divide) and keep is not node.left:
            return None
        kept = keep.with_changes(lpar=(*node.lpar, *keep.lpar), rpar=(*keep.rpar, *node.rpar))
        return Fix("drop the division by 255", [replace(node, kept)])
    return None


def _drop_layer(module: cst.Module, layer: cst.Call) -> list[Edit] | None:
    parent = parent_of(module, layer)
    if isinstance(parent, cst.Call) and parent.func is layer:  # Rescaling(1/255)(inputs) -> inputs
        positional = [arg for arg in parent.args if arg.keyword is None and not arg.star]
        if len(parent.args) != 1 or len(positional) != 1:
            return None
        value = positional[0].value
        return [replace(parent, value.with_changes(lpar=(*parent.lpar, *value.lpar), rpar=(*value.rpar, *parent.rpar)))]
    if isinstance(parent, cst.Element):  # Sequential([Rescaling(1/255), base, …])
        holder = parent_of(module, parent)
        if not isinstance(holder, (cst.List, cst.Tuple)) or len(holder.elements) < 2:
            return None
        elements = [e for e in holder.elements if e is not parent]
        if holder.elements[-1] is parent:
            elements[-1] = elements[-1].with_changes(comma=parent.comma)
        return [replace(holder, holder.with_changes(elements=elements))]
    return None


def _fix(ctx: RuleContext[NoOptions], norm: Normalization, backbone: Backbone, stacked: bool) -> Fix | None:
    expects = backbone.expects
    if stacked and norm.call is not None and isinstance(norm.node, cst.Arg):
        return Fix("drop rescale=", [replace(norm.call.node, drop_args(norm.call.node, norm.node))])
    if expects == "torch" and backbone.family.package == "efficientnet" and norm.kind == "rescale":
        return _use_preprocess_input(ctx, norm, backbone)
    if expects == "raw" and norm.produces == "unit":
        return _drop_unit_scaling(ctx, norm)
    return None


def _is_literal(node: cst.BaseExpression, *values: float) -> bool:
    """Whether a node is a number literal equal to one of ``values``."""
    if not isinstance(node, (cst.Integer, cst.Float)):
        return False
    try:
        return float(node.value.replace("_", "")) in values
    except ValueError:  # 0x10, 0o7: not the literals looked for
        return False


class Renormalizations(SyntaxHooks):
    """Whether the module maps [0, 1] to [-1, 1] somewhere: ``2 * x - 1``, ``(x - 0.5) * 2``, or
    in place, ``x -= 0.5`` then ``x *= 2`` (``x *= 2`` then ``x -= 1``) on one name in one function."""

    def __init__(self) -> None:
        self.found = False
        self._half_way: dict[str, str] = {}  # name -> the in-place step it took first ("-0.5" or "*2")

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        left, right = node.left, node.right
        if isinstance(node.operator, cst.Subtract) and isinstance(left, cst.BinaryOperation) and isinstance(
                left.operator, cst.Multiply) and _is_literal(right, 1) and (_is_literal(left.left, 2) or _is_literal(left.right, 2)):
            self.found = True  # 2 * x - 1
        elif isinstance(node.operator, cst.Multiply) and any(
                _is_literal(factor, 2) and isinstance(other, cst.BinaryOperation) and isinstance(other.operator, cst.Subtract)
                and _is_literal(other.right, 0.5) for factor, other in ((left, right), (right, left))):
            self.found = True  # (x - 0.5) * 2

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._half_way = {}  # in-place steps count within one function (or the module's own code)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._half_way = {}

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        name = dotted(node.target)
        if name is None:
            return
        if isinstance(node.operator, cst.SubtractAssign) and _is_literal(node.value, 0.5):
            self._half_way[name] = "-0.5"
        elif isinstance(node.operator, cst.MultiplyAssign) and _is_literal(node.value, 2):
            self.found = self.found or self._half_way.get(name) == "-0.5"
            self._half_way[name] = "*2"
        elif isinstance(node.operator, cst.SubtractAssign) and _is_literal(node.value, 1):
            self.found = self.found or self._half_way.get(name) == "*2"


SYNTAX = Renormalizations


def check(ctx: RuleContext[NoOptions]) -> Iterator[Report]:
    facts = ctx.facts
    # The file's own, and those of the project modules it imports (a generator in data.py, a
    # model built in model.py): a finding on one of theirs lands in their file.
    imported = ctx.imported
    norms = (*facts.normalizations, *imported.normalizations)
    backbones = [b for b in (*facts.backbones, *imported.backbones) if b.pretrained and b.expects is not None]
    if not backbones:
        return
    reloaded = [_with_reloaded(facts, backbone) for backbone in backbones if not _replaced_unused(facts, backbone)]
    if not reloaded:
        return
    backbones = [backbone for backbone, _ in reloaded]
    reloads = {id(backbone): loads for backbone, loads in reloaded}
    single_family = len({b.expects for b in backbones}) == 1
    stacked = _double_with_preprocess(norms)
    unread_normalizer = _calls_unread_normalizer(facts)
    reported: set[int] = set()
    # ToTensor, then a Lambda that divides by 255 again: reported at the Lambda, once per pipeline.
    for lambda_call, norm in _scaled_after_to_tensor(facts, facts.normalizations):
        reported.add(id(norm.node))
        yield Report(
            lambda_call,
            f"{ctx.model.module.code_for_node(lambda_call.func)}(…) divides by 255 ({norm.description}) after ToTensor, "
            "which already scales pixels to [0, 1]: the images reach the model in [0, 0.004]",
            hint="drop the division: ToTensor scales to [0, 1]; then normalize with the backbone's mean/std "
                 "(transforms.Normalize or weights.transforms())",
            related=((norm.node, "divided by 255 here"),),
        )
    fed_by = {id(backbone): _fed_by(facts, backbone, norms, single_family, reloads[id(backbone)]) for backbone in backbones}
    for backbone in backbones:
        expects = backbone.expects or ""
        weights = backbone.weights if isinstance(backbone.weights, str) else "pretrained"
        if backbone.family.package in NAMED_BY_ARGUMENT:  # timm.create_model("vit_base_patch16_224", pretrained=True)
            loaded = {"timm": "pretrained=True", "torch.hub": "torch.hub.load",
                      "torchvision.get_model": "torchvision.models.get_model"}.get(backbone.family.package, "from_pretrained")
            name, where = backbone.model_name, f"{backbone.model_name} ({backbone.family.package}, {loaded})"
        else:
            name, where = backbone.short_name, f"{backbone.short_name} ({backbone.family.package}, weights={weights!r})"
        built = (backbone.node, f"{name} is built here; it expects {EXPECTATIONS[expects]}")
        if _behind_learned_layer(facts, backbone):
            continue
        fed = fed_by[id(backbone)]
        for norm in fed:
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
                    fix=_fix(ctx, norm, backbone, stacked=True),
                )
                continue
            if _matches(norm, expects):
                continue
            if any(other is not backbone and norm in fed_by[id(other)] and _matches(norm, other.expects or "")
                   and _alternatives(imported.model_of(backbone.node) or facts.model, backbone, other) for other in backbones):
                continue  # chosen at run time (`if arch == "vit": … elif …`): it suits another choice
            if norm.kind == "arithmetic" and norm.produces == "unit" and expects == "tf" and ctx.syntax(Renormalizations).found:
                continue  # x / 255 followed by 2 * x - 1 elsewhere in the file
            if norm.produces == "unit" and expects == "torch" and unread_normalizer:
                continue  # x / 255 followed by the file's own normalize(x), whose mean/std it cannot read
            if norm.kind == "arithmetic" and norm.produces == "unit" and _normalized_after(facts, norm, norms):
                continue  # x = x / 255; x = self.transform(x), a pipeline with its own Normalize: judged there
            if norm.produces == "unit" and expects == "raw" and _restored(facts, backbone, norm):
                continue  # x / 255, then Rescaling(255.0) in front of the backbone: [0, 255] again
            reported.add(id(norm.node))
            yield Report(
                norm.node,
                f"{norm.description} {_PRODUCES[norm.produces]}, but it feeds {where}: {_explain(norm, backbone)}",
                hint=f"use {backbone.family.preprocess}",
                related=(built,),
                fix=_fix(ctx, norm, backbone, stacked=False),
            )
        if expects != "raw" and not _behind_learned_layer(facts, backbone):
            # (with nothing normalizing anywhere, the images are reported at the model below)
            for pipeline, normalizing in _unnormalized_siblings(facts, backbone, norms, alone=bool(norms) and not fed, fed=fed):
                if id(pipeline.node) in reported:
                    continue
                reported.add(id(pipeline.node))
                if normalizing is None:
                    yield Report(
                        pipeline.node,
                        f"{pipeline.name!r} normalizes nothing, but it feeds {where}, and nothing else normalizes its images: "
                        f"they reach the model in [0, 1] (the model expects {EXPECTATIONS[expects]})",
                        hint=f"add {backbone.family.preprocess}",
                        related=(built,),
                    )
                    continue
                yield Report(
                    pipeline.node,
                    f"{pipeline.name!r} normalizes nothing, but it feeds {where}, as {_name(normalizing)} does with "
                    f"{normalizing.description}: its images reach the model unnormalized (the model expects {EXPECTATIONS[expects]})",
                    hint=f"normalize every split the same way: {backbone.family.preprocess}",
                    related=(built, (normalizing.node, "the other images are normalized here")),
                )
        # Nothing normalizes the images, or only arithmetic that feeds no model (an image
        # divided by 255 to show it with plt.imshow).
        unused = all(norm.kind == "arithmetic" and not any(norm in feeding for feeding in fed_by.values()) for norm in norms)
        if expects != "raw" and unused and not _may_normalize_elsewhere(facts, backbone):
            loader = _raw_images_into(facts, backbone)
            if loader is not None:
                source, what = loader
                yield Report(
                    backbone.node,
                    f"{where} expects {EXPECTATIONS[expects]}, but its images come from {what}: nothing in this file "
                    "normalizes them",
                    hint=f"use {backbone.family.preprocess}",
                    related=((source, "the images come from here"),),
                )


# Raw image loaders: pixels in [0, 255] unless the generator rescales or preprocesses.
_RAW_LOADERS = frozenset({"keras.utils.image_dataset_from_directory", "keras.preprocessing.image_dataset_from_directory"})
_RAW_FLOWS = frozenset({"flow_from_directory", "flow_from_dataframe"})


# ImageDataGenerator arguments that normalize (or may: an unknown preprocessing function).
_GENERATOR_NORMALIZING = ("rescale", "preprocessing_function", "preprocess_input", "featurewise_center",
                          "samplewise_center", "featurewise_std_normalization", "samplewise_std_normalization")
# Layers and transforms through which a model or a pipeline may normalize out of sight.
_MAY_NORMALIZE = re.compile(r"(^|\.)(Lambda|Rescaling|Normalization|Normalize\w*|ToFloat|\w*[Pp]reprocess\w*)$")


def _name(norm: Normalization) -> str:
    return repr(sorted(norm.owners)[0].name) if norm.owners else "another pipeline"


def _unnormalized_siblings(facts: Facts, backbone: Backbone, norms: Sequence[Normalization],
                           alone: bool, fed: Sequence[Normalization] = ()) -> list[tuple[Pipeline, Normalization | None]]:
    """Pipelines of this file (an ``ImageDataGenerator``, a torchvision or albumentations
    ``Compose``) that normalize nothing while another pipeline of the same kind feeding the same
    backbone normalizes in itself (``ImageDataGenerator(preprocessing_function=preprocess_input)``
    for training, a bare ``ImageDataGenerator()`` for validation), each with that other
    pipeline's normalization; when nothing normalizes the backbone's input (``alone``), a
    torchvision or albumentations pipeline that feeds it without ``Normalize`` (its images reach
    the model in [0, 1]), with None; and one whose images reach a run of the model that nothing
    normalizes while another run gets them through a ``Normalize`` applied on its own
    (``normalize(img)``), with that. Not where the model may normalize inside (a ``Lambda``,
    ``Rescaling`` or ``Normalization`` layer) or where arithmetic normalizes data in the file."""
    if not backbone.owners or any(norm.kind == "arithmetic" for norm in norms):
        return []
    model = facts.model
    if any(_MAY_NORMALIZE.search(call.qualname or dotted(call.node.func) or "") for call in model.calls
           if call.qualname is None or not call.qualname.startswith(("torchvision.", "albumentations."))):
        return []
    consumers = list(model.consumers(backbone.owners))

    def feeds(pipeline: Pipeline) -> bool:
        # A pipeline bound at module level feeds a run after its binding and before its names are
        # bound anew; a run inside a function (called later) only while they are never bound anew.
        start = pipeline.call.index
        return any(pipeline.owners & flow and (not pipeline.call.scope.is_module or not model.rebound_between(
            pipeline.owners, start, call.index if call.scope.is_module else len(model.calls))) and (
            call.index > start or not call.scope.is_module) for call, flow in consumers)

    feeding = [pipeline for pipeline in facts.pipelines
               if pipeline.owners and feeds(pipeline) and not model.taken_by_no_call(pipeline.node, pipeline.call.scope)]
    normalizing: dict[int, Normalization] = {}
    for pipeline in feeding:
        for norm in norms:
            if norm.call is not None and (norm.call.node is pipeline.node or model.encloses(pipeline.node, norm.call.node)):
                normalizing[id(pipeline.node)] = norm
    # Normalizations applied on their own (``normalize(img_tensor)`` of ``normalize =
    # T.Normalize(…)``) on the way to one run of the model, where another run gets a pipeline's
    # images that nothing normalizes (the training loop over the dataset built with it).
    standalone = [norm for norm in fed if norm.owners and norm.call is not None and not any(
        norm.call.node is p.node or model.encloses(p.node, norm.call.node) for p in facts.pipelines)]
    found: list[tuple[Pipeline, Normalization | None]] = []
    for pipeline in feeding:
        if id(pipeline.node) in normalizing:
            continue
        others = [p for p in feeding if p.kind == pipeline.kind and id(p.node) in normalizing]
        lone = alone and not others and pipeline.kind in ("torchvision", "albumentations")
        beside = next((norm for norm in standalone if pipeline.kind in ("torchvision", "albumentations") and any(
            pipeline.owners & flow and not any(n.owners & flow for n in norms) for _, flow in consumers)), None)
        if not (others or lone or beside) or any(arg.star for arg in pipeline.node.args) or _data_from(model, pipeline, others):
            continue
        other = normalizing[id(others[0].node)] if others else beside
        if pipeline.kind == "image-data-generator":
            if any(_given(pipeline.call, name) for name in _GENERATOR_NORMALIZING):
                continue
        elif any(_MAY_NORMALIZE.search(transform.qualname) for transform in pipeline.transforms):
            continue
        found.append((pipeline, other))
    return found


def _data_from(model: SemanticModel, pipeline: Pipeline, others: Sequence[Pipeline]) -> bool:
    """Whether the data a pipeline is given (``gen.flow(images)``) was computed from the output of
    the ``others`` (images a normalizing generator already produced)."""
    given = [call for call in model.calls if call.receiver is not None and model.qualify(call.receiver, call.scope) in pipeline.owners]
    used = {var for call in given for arg in call.node.args for var in model.names_used(arg.value, call.scope)}
    return bool(model.reaches_through_callers(used) & frozenset().union(*(other.owners for other in others)))


def _calls_unread_normalizer(facts: Facts) -> bool:
    """Whether the file calls its own function named for normalizing (``normalize(x)``) none of
    whose arithmetic reads as a normalization (``(im - stats[0]) / stats[1]`` with array constants)."""
    for call in facts.model.calls:
        func = call.node.func
        if call.qualname is None and isinstance(func, cst.Name) and func.value in facts.model.functions \
                and "normaliz" in func.value.lower() and not any(n.scope.name == func.value for n in facts.normalizations):
            return True
    return False


def _given(call: CallSite, keyword: str) -> bool:
    """Whether a call passes ``keyword=`` a value other than ``None`` (``preprocessing_function=None``
    is the default, spelled out)."""
    arg = call.arg(keyword)
    return arg is not None and not (isinstance(arg.value, cst.Name) and arg.value.value == "None")


def _may_normalize_elsewhere(facts: Facts, backbone: Backbone) -> bool:
    """Whether something the linter cannot read may normalize the images: a function whose name
    says so, a ``Lambda`` layer, a ``map`` over a dataset, a generator's own preprocessing; not a
    ``BatchNormalization`` of the head, applied to what the backbone computes."""
    for call in facts.model.calls:
        name = (call.method or call.qualname or dotted(call.node.func) or "").rsplit(".", 1)[-1].lower()
        if call.qualname is None and isinstance(call.node.func, cst.Name) and call.node.func.value in facts.model.functions:
            continue  # the file's own function: its body is read, what it normalizes is seen
        if call.qualname in _FEATURE_NORMALIZATIONS and _applied_to_features(facts, call, backbone):
            continue
        if name == "map" and _maps_in_plain_sight(facts, call):
            continue
        if "preprocess" in name or "normaliz" in name or name in ("lambda", "map"):
            return True
        if name in _PRETRAINED_TRANSFORMS and not call.node.args:
            return True  # weights.transforms(), timm's resolve_data_config/create_transform: the model's own preprocessing
        if call.qualname in IMAGE_DATA_GENERATOR_QUALNAMES and (
            _given(call, "preprocessing_function") or _given(call, "preprocess_input") or any(a.star for a in call.node.args)
        ):
            return True
    return False


# Keras layers that normalize a layer's activations by their own statistics (keras/src/layers/normalization).
_FEATURE_NORMALIZATIONS = frozenset({"keras.layers.BatchNormalization", "keras.layers.LayerNormalization",
                                     "keras.layers.GroupNormalization", "keras.layers.UnitNormalization"})


def _applied_to_features(facts: Facts, layer: CallSite, backbone: Backbone) -> bool:
    """Whether a layer is applied to what the backbone computes (``BatchNormalization()(base.output)``,
    ``BatchNormalization()(x)`` with ``x`` computed from it): it sits in the head, after the backbone."""
    model = facts.model
    applying = next(iter(model.enclosing_calls(layer)), None)
    if applying is None or applying.node.func is not layer.node or not applying.node.args:
        return False
    return bool(model.reaches(model.names_used(applying.node.args[0].value, applying.scope)) & backbone.owners)


# Library operations that normalize pixel values although their names do not say so.
_NORMALIZING_OPS = frozenset({"per_image_standardization", "convert_image_dtype"})
# Where the operations a dataset's map may call without normalizing out of sight come from.
_PLAIN_LIBRARIES = ("keras.", "tensorflow.")


def _plain_operation(facts: Facts, call: CallSite) -> bool:
    """A Keras or TensorFlow operation that does not normalize (``tf.image.random_flip_left_right``,
    ``tf.cast``, ``layers.RandomFlip``), or a call of a ``Sequential`` of such layers bound in the file."""
    qualname = call.qualname
    if qualname is not None:
        return qualname.startswith(_PLAIN_LIBRARIES) and not _MAY_NORMALIZE.search(qualname) \
            and qualname.rsplit(".", 1)[-1] not in _NORMALIZING_OPS
    if not isinstance(call.node.func, cst.Name):
        return False
    built = [facts.model.call_site(origin) for origin, _ in facts.model.origins(call.node.func, call.scope)]
    return bool(built) and all(
        site is not None and site.qualname == "keras.Sequential"  # tf.keras/keras.models spellings are canonical
        and all(_plain_operation(facts, inner) for inner in facts.model.calls_within(site.node)[1:])
        for site in built)


def _maps_in_plain_sight(facts: Facts, call: CallSite) -> bool:
    """A dataset's ``map`` over a lambda that only calls Keras or TensorFlow operations that do not
    normalize (``ds.map(lambda x, y: (data_augmentation(x), y))`` with ``data_augmentation`` a
    ``Sequential`` of random layers): what it does to the pixels is in sight, and is no normalization."""
    function = call.node.args[0].value if call.node.args and call.node.args[0].keyword is None else None
    if not isinstance(function, cst.Lambda) or _has_arithmetic(function.body):
        return False
    return all(_plain_operation(facts, inner) for inner in facts.model.calls_within(function))


def _has_arithmetic(node: cst.CSTNode) -> bool:
    """Whether an expression computes (``x / 255.0``, ``-x``): what it does to pixels is judged elsewhere."""
    return isinstance(node, (cst.BinaryOperation, cst.UnaryOperation)) or any(_has_arithmetic(child) for child in node.children)


# The pretrained model's own preprocessing, built by the library (torchvision's
# ``weights.transforms()``; timm's ``resolve_data_config``/``create_transform`` take arguments and
# are matched by name only when called without).
_PRETRAINED_TRANSFORMS = frozenset({"transforms", "resolve_data_config", "create_transform"})


def _raw_images_into(facts: Facts, backbone: Backbone) -> tuple[cst.CSTNode, str] | None:
    """A raw image loader whose images reach a model built from the backbone (fit, predict, a
    call), or for a PyTorch backbone a transform pipeline without ``Normalize`` whose images do;
    with how to name it."""
    if not backbone.owners:
        return None
    flows = [flow for _, flow in facts.model.consumers(backbone.owners)]
    for call in facts.model.calls:
        if call.qualname in _RAW_LOADERS or (call.qualname is None and call.method in _RAW_FLOWS):
            owners = facts.model.owners(call)
            if owners and any(owners & flow for flow in flows):
                return call.node, f"{call.method or call.qualname}() as raw 0-255 pixels"
    if backbone.family.package in TORCH_PACKAGES:
        for pipeline in facts.pipelines:
            if pipeline.kind in ("torchvision", "albumentations") and pipeline.owners and any(pipeline.owners & flow for flow in flows):
                return pipeline.node, f"the transform pipeline {pipeline.name!r}, which has no Normalize"
        if facts.pipelines:
            return None  # a pipeline (ToTensor scales to [0, 1]) whose link to the model is not seen
    for call in facts.model.calls:
        if call.qualname in RAW_IMAGE_READERS:
            owners = facts.model.holders(call)
            if owners and any(owners & flow for flow in flows):
                return call.node, f"{call.qualname}() as raw 0-255 pixels"
    return None


_DIVIDED_AFTER_TO_TENSOR = (
    "import torchvision\nfrom torchvision import transforms\ndef normalize_img(img):\n    return img / 255\n"
    "tf = transforms.Compose([transforms.ToTensor(), transforms.Lambda(lambda x: normalize_img(x))])\n"
    "model = torchvision.models.resnet18(pretrained=True)\n"
)

VALID = [
    # A later cell trains a VGG16 model under the same name and saves its checkpoints; the model
    # loaded back from them is that one, not the Xception model.
    "from tensorflow import keras\nfrom tensorflow.keras.applications import Xception, VGG16, xception, vgg16\n"
    "from tensorflow.keras.callbacks import ModelCheckpoint\nbase = Xception(include_top=False, weights='imagenet')\n"
    "model = keras.Sequential([base, keras.layers.Dense(2)])\n"
    "model.fit(xception.preprocess_input(x_train), y_train, epochs=5)\n"
    "vgg = VGG16(include_top=False, weights='imagenet')\nmodel = keras.Sequential([vgg, keras.layers.Dense(2)])\n"
    "model.fit(vgg16.preprocess_input(x_train), y_train, epochs=5, callbacks=[ModelCheckpoint('vgg_{epoch}.h5')])\n"
    "model = keras.models.load_model('vgg_3.h5')\nx = vgg16.preprocess_input(read_image())\nmodel.predict(x)\n",
    # The backbone's model is built and compiled, then a later cell builds a scratch CNN under the
    # same name and trains that on [0, 1] images.
    "from tensorflow.keras.applications import InceptionV3\nfrom tensorflow.keras.models import Model, Sequential\n"
    "from tensorflow.keras.layers import Dense, Flatten, Conv2D\n"
    "from tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
    "base = InceptionV3(weights='imagenet', include_top=False)\nmodel = Model(base.input, Dense(3)(Flatten()(base.output)))\n"
    "model.compile(loss='categorical_crossentropy')\n"
    "gen = ImageDataGenerator(rescale=1./255).flow_from_directory('train')\n"
    "model = Sequential([Conv2D(32, 3), Flatten(), Dense(3)])\nmodel.compile(loss='categorical_crossentropy')\n"
    "model.fit(gen, epochs=5)\n",
    # The pipeline without Normalize sits in a branch no call of the function takes.
    "import albumentations as A\nimport timm\nfrom albumentations.pytorch import ToTensorV2\nfrom torch.utils.data import DataLoader\n"
    "def get_transforms(*, data):\n    if data == 'train':\n"
    "        return A.Compose([A.Resize(256, 256), A.Normalize(), A.HorizontalFlip(), ToTensorV2()])\n"
    "    elif data == 'valid':\n        return A.Compose([A.Resize(256, 256), A.Normalize(), ToTensorV2()])\n"
    "    elif data == 'cam':\n        return A.Compose([A.Resize(256, 256), ToTensorV2()])\n"
    "model = timm.create_model('efficientnet_b0', pretrained=True)\n"
    "train_loader = DataLoader(Leaves(train_df, transform=get_transforms(data='train')))\n"
    "valid_loader = DataLoader(Leaves(valid_df, transform=get_transforms(data='valid')))\n"
    "for x, y in train_loader:\n    criterion(model(x), y).backward()\n",
    # A BatchNormalization in front of the backbone (after the input and a random crop) learns the
    # range the backbone gets: how the pixels were scaled before it is no mismatch.
    "import tensorflow as tf\nimport efficientnet.keras as efn\nfrom tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
    "gen = ImageDataGenerator(rescale=1. / 255).flow_from_directory('train')\n"
    "base = efn.EfficientNetB4(weights='noisy-student', include_top=False)\n"
    "model = tf.keras.Sequential([tf.keras.layers.RandomCrop(512, 512), tf.keras.layers.Input((512, 512, 3)),\n"
    "                             tf.keras.layers.BatchNormalization(renorm=True), base, tf.keras.layers.Dense(5)])\n"
    "model.fit(gen, epochs=3)\n",
    # An unused generator replaced, before the model runs, by one that normalizes the backbone's way.
    (
        "import efficientnet.tfkeras as efn\nfrom keras.preprocessing.image import ImageDataGenerator\n"
        "test_datagen = ImageDataGenerator(rescale=1. / 255)\nbase = efn.EfficientNetB3(weights='imagenet')\n"
        "model = keras.Sequential([base, keras.layers.Dense(10)])\n"
        "test_datagen = ImageDataGenerator(preprocessing_function=efn.preprocess_input)\n"
        "model.predict(test_datagen.flow_from_directory('test'))\n"
    ),
    # /255, then the ImageNet mean/std in local arrays, in a function a notebook defines twice.
    (
        "import numpy as np\nimport torch\nfrom torchvision import models\nmodel = models.densenet121(pretrained=True)\n"
        + "def predict(img):\n    img = np.array(img) / 255\n    mean = np.array([0.485, 0.456, 0.406])\n"
        "    std = np.array([0.229, 0.224, 0.225])\n    img = (img - mean) / std\n    return model(torch.from_numpy(img))\n" * 2
    ),
    # /255, then the file's own normalize() with the ImageNet statistics in an array.
    (
        "import numpy as np\nimport torch\nfrom torchvision import models\n"
        "def normalize(im):\n    stats = np.array([[0.485, 0.456, 0.406], [0.229, 0.224, 0.225]])\n"
        "    return (im - stats[0]) / stats[1]\n"
        "class Leaves(torch.utils.data.Dataset):\n    def __getitem__(self, i):\n"
        "        x = read(self.files[i]) / 255\n        return normalize(x)\n"
        "model = models.resnet34(pretrained=True)\nfor x in DataLoader(Leaves()):\n    model(x)\n"
    ),
    # The /255 sits under a flag that no call sets (the function is only handed to map()).
    (
        'import tensorflow as tf\n'
        'def preprocess(image, label, size=224, scale=False):\n'
        '    image = tf.image.resize(image, (size, size))\n'
        '    if scale:\n'
        '        image = image / 255.0\n'
        '    return tf.cast(image, tf.float32), label\n'
        'train_data = train_data.map(preprocess).batch(32)\n'
        'base = tf.keras.applications.EfficientNetB0(include_top=False)\n'
        'model = tf.keras.Sequential([base, tf.keras.layers.Dense(101)])\n'
        'model.fit(train_data, epochs=3)\n'
    ),
    # efficientnet 0.0.x builds its models without weights unless asked.
    (
        'from efficientnet import EfficientNetB3\n'
        'base = EfficientNetB3(include_top=False)\n'
        'model = keras.Sequential([base, keras.layers.Dense(5)])\n'
        'model.fit(x_train / 255.0, y_train, epochs=3)\n'
    ),
    # A trainable layer between the images and the backbone learns the input range the backbone wants.
    "from tensorflow.keras import layers, Model\nfrom tensorflow.keras.applications import DenseNet121\n"
    "densenet = DenseNet121(weights='imagenet', include_top=False)\nx_train = images / 255\n"
    "x_in = layers.Input(shape=(215, 215, 3))\nx = layers.Conv2D(3, (3, 3), padding='same')(x_in)\nx = densenet(x)\n"
    "model = Model(inputs=x_in, outputs=layers.Dense(4)(x))\nmodel.fit(x_train, y_train)\n",
    # The ImageNet weight file is loaded only in a branch that cannot run: the backbone is not pretrained.
    "import tensorflow as tf\nCUSTOM = True\nbase = tf.keras.applications.Xception(weights=None)\nif not CUSTOM:\n"
    "    base.load_weights('xception_weights_tf_dim_ordering_tf_kernels.h5')\nmodel = tf.keras.Sequential([base])\n"
    "model.fit(x_train / 255.0, y_train)\n",
    # PyTorch: the pipeline normalizes with the model's own mean and std (read from its config).
    "import timm\nimport torch\nfrom torchvision import transforms as T\n"
    "model = timm.create_model('resnet50', pretrained=True)\ncfg = model.pretrained_cfg\n"
    "tf = T.Compose([T.ToTensor(), T.Normalize(cfg['mean'], cfg['std'])])\nloader = DataLoader(ImageFolder('d', transform=tf))\n"
    "for x, y in loader:\n    criterion(model(x), y).backward()\n",
    # torch.hub.load of a repository other than pytorch/vision, or without weights: not a known backbone.
    "import torch\nimport albumentations as A\ntf = A.Compose([A.Normalize(mean=(0, 0, 0), std=(1, 1, 1))])\n"
    "model = torch.hub.load('facebookresearch/dino:main', 'dino_vits16')\n"
    "net = torch.hub.load('pytorch/vision:v0.10.0', 'resnet50')\n",
    # efficientnet_pytorch: ImageNet mean/std for its ImageNet weights, [-1, 1] for its AdvProp weights.
    "from efficientnet_pytorch import EfficientNet\nfrom torchvision import transforms as T\n"
    "tf = T.Compose([T.ToTensor(), T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])\n"
    "model = EfficientNet.from_pretrained('efficientnet-b0')\n",
    "from efficientnet_pytorch import EfficientNet\nfrom torchvision import transforms as T\n"
    "tf = T.Compose([T.ToTensor(), T.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])\n"
    "model = EfficientNet.from_pretrained('efficientnet-b0', advprop=True)\n",
    # timm models normalized as their pretrained config says; a timm model without pretrained weights.
    "import timm\nimport albumentations as A\ntf = A.Compose([A.Normalize(mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5))])\n"
    "model = timm.create_model('vit_base_patch16_224', pretrained=True)",
    "import timm\nimport albumentations as A\ntf = A.Compose([A.Normalize()])\nmodel = timm.create_model('tf_efficientnet_b4_ns', pretrained=True)",
    "import timm\nimport albumentations as A\ntf = A.Compose([A.Normalize()])\nmodel = timm.create_model('vit_base_patch16_224')",
    "from torchvision import models, transforms as T\ntf = T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])\n"
    "model = models.resnet50(pretrained=True)",
    # A PyTorch Normalize is not compared with a Keras model of the same notebook when nothing links them.
    "import albumentations as A\nfrom tensorflow.keras.applications import ResNet50\n"
    "tf = A.Compose([A.Normalize()])\nbase = ResNet50(weights='imagenet')",
    # The generator with /255 feeds another model (an MNIST CNN), not the backbone.
    (
        "import tensorflow as tf\nfrom tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
        "gen = ImageDataGenerator(rescale=1/255)\ncnn = tf.keras.Sequential([tf.keras.layers.Conv2D(8, 3)])\n"
        "cnn.fit(gen.flow(x, y))\nbase = tf.keras.applications.ResNet50(weights='imagenet')\nbase.predict(images)\n"
    ),
    # One name for two models: the MNIST model's /255 does not feed the VGG16 built later.
    "from tensorflow import keras\nmodel = keras.Sequential([keras.layers.Dense(10)])\nmodel.fit(x_train / 255.0, y_train)\n"
    "model = keras.Sequential([keras.applications.VGG16(weights='imagenet', include_top=False), keras.layers.Dense(2)])\n"
    "model.fit(images, labels)",
    # Raw pixels, but a map over the dataset (or a Lambda layer, or a function named preprocess…) may normalize them.
    "import tensorflow as tf\nds = tf.keras.utils.image_dataset_from_directory('train').map(prep)\n"
    "base = tf.keras.applications.Xception(weights='imagenet')\nmodel = tf.keras.Sequential([base])\nmodel.fit(ds)",
    # A BatchNormalization layer in front of the backbone may learn the input range.
    "import tensorflow as tf\nds = tf.keras.utils.image_dataset_from_directory('train')\n"
    "base = tf.keras.applications.Xception(weights='imagenet', include_top=False)\ninputs = tf.keras.Input((299, 299, 3))\n"
    "x = base(tf.keras.layers.BatchNormalization()(inputs))\nmodel = tf.keras.Model(inputs, tf.keras.layers.Dense(5)(x))\nmodel.fit(ds)",
    # A map whose lambda calls something the linter does not know may normalize there too.
    "import tensorflow as tf\nds = tf.keras.utils.image_dataset_from_directory('train')\n"
    "aug = tf.keras.Sequential([tf.keras.layers.RandomFlip('horizontal')])\nds = ds.map(lambda x, y: (prep(aug(x)), y))\n"
    "base = tf.keras.applications.Xception(weights='imagenet')\nmodel = tf.keras.Sequential([base])\nmodel.fit(ds)",
    # keras.applications EfficientNet normalizes inside: raw pixels are right.
    "import tensorflow as tf\nds = tf.keras.utils.image_dataset_from_directory('train')\n"
    "base = tf.keras.applications.EfficientNetB0(weights='imagenet')\nmodel = tf.keras.Sequential([base])\nmodel.fit(ds)",
    # ImageDataAugmentor takes the normalization as preprocess_input=.
    "import efficientnet.tfkeras as efn\nfrom ImageDataAugmentor.image_data_augmentor import ImageDataAugmentor\n"
    "datagen = ImageDataAugmentor(preprocess_input=efn.preprocess_input)\nbase = efn.EfficientNetB3(weights='imagenet')\n"
    "model.fit(datagen.flow_from_directory('train'), epochs=3)",
    "import matplotlib.pyplot as plt\nfrom tensorflow import keras\n"
    "(x_train, y_train), _ = keras.datasets.mnist.load_data()\nx_train = x_train / 255.0\n"
    "mnist_model = keras.Sequential([keras.layers.Dense(10)])\nmnist_model.fit(x_train, y_train)\n"
    "vgg = keras.applications.VGG19(weights='imagenet')\nfeatures = vgg(images)",
    "from tensorflow.keras.applications import vgg16, mobilenet_v2\n"
    "vgg16_model = vgg16.VGG16(weights='imagenet')\nmobilenet_v2_model = mobilenet_v2.MobileNetV2(weights='imagenet')\n"
    "processed_image = vgg16.preprocess_input(images)\npredictions = vgg16_model.predict(processed_image)\n"
    "processed_image = mobilenet_v2.preprocess_input(images)\npredictions = mobilenet_v2_model.predict(processed_image)",
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

# ImageNet's statistics rounded (0.45 / 0.225) are ImageNet's; a mean on the 0-255 scale is no
# statistics of [0, 1] pixels.
VALID.extend([
    "import torchvision\nfrom torchvision import transforms\n"
    "tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize([0.45, 0.45, 0.45], [0.225, 0.225, 0.225])])\n"
    "model = torchvision.models.resnet50(pretrained=True)\n",
    "import timm\nimport albumentations as A\n"
    "tf = A.Compose([A.Normalize(mean=(123.7, 116.3, 103.5), std=(58.4, 57.1, 57.4), max_pixel_value=1.0)])\n"
    "model = timm.create_model('resnet18', pretrained=True)\n",
    # CIFAR-10's statistics, close to ImageNet's (within half a std).
    "import torchvision\nfrom torchvision import transforms\n"
    "tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.4914, 0.4822, 0.4465), (0.2023, 0.1994, 0.2010))])\n"
    "model = torchvision.models.resnet18(pretrained=True)\n",
    # The training loop normalizes the dataset's images itself.
    "import timm\nimport torch\nimport torchvision\nimport torchvision.transforms as T\ntransform = T.Compose([T.Resize(256), T.CenterCrop(224), T.ToTensor()])\ndataset = torchvision.datasets.OxfordIIITPet(root='data', transform=transform)\nmodel = timm.create_model('resnet50', pretrained=True)\nnormalize = T.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])\nimg, label = dataset[0]\nlogits = model(normalize(img).unsqueeze(0))\nfor x, y in torch.utils.data.DataLoader(dataset, batch_size=32):\n    loss = criterion(model(normalize(x)), y)\n    loss.backward()\n",
    # x / 255 on a float array, then ToTensor (which leaves floats as they are) and Normalize: ImageNet's convention.
    "import numpy as np\nimport torchvision\nfrom torch.utils.data import DataLoader, Dataset\nfrom torchvision import transforms\n\n\nclass Pets(Dataset):\n    def __init__(self):\n        self.transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])\n\n    def __getitem__(self, i):\n        x = np.array(load(i) / 255, dtype='float32')\n        return self.transform(x)\n\n\nmodel = torchvision.models.resnet18(pretrained=True)\nfor x, y in DataLoader(Pets()):\n    criterion(model(x), y).backward()\n",
    # The weights' own transforms() normalize inside the training pipeline.
    'import torch\nimport torchvision\nfrom torchvision import transforms as T\nweights = torchvision.models.EfficientNet_V2_S_Weights.DEFAULT\nmodel = torchvision.models.efficientnet_v2_s(weights=weights)\ntrain_tf = T.Compose([T.TrivialAugmentWide(), weights.transforms()])\nds = torchvision.datasets.Food101("data", transform=train_tf)\nfor x, y in torch.utils.data.DataLoader(ds):\n    criterion(model(x), y).backward()\n',
    # A model loaded from another file is not the one built here.
    'from tensorflow.keras.applications import ResNet50V2\nfrom tensorflow.keras.callbacks import ModelCheckpoint\nfrom tensorflow.keras.models import load_model\nfrom tensorflow.keras.preprocessing.image import ImageDataGenerator\nfrom tensorflow import keras\nbase = ResNet50V2(include_top=False, weights="imagenet")\nclassifier = keras.Sequential([base, keras.layers.Dense(1)])\nmodelpath = "best.h5"\ncheckpoint = ModelCheckpoint(filepath=modelpath, save_best_only=True)\nclassifier.fit(train_ds, epochs=5, callbacks=[checkpoint])\nmodel = load_model("other_model.h5")\nimg = read_image()\nmodel.predict(img / 255)\n',
    # The backbone is chosen at run time: the normalization suits the torchvision choice.
    "import timm\nfrom torchvision import models, transforms\n"
    "def build(arch):\n"
    "    if arch == 'resnet50':\n"
    "        weights = models.ResNet50_Weights.IMAGENET1K_V2\n"
    "        return models.resnet50(weights=weights)\n"
    "    if arch == 'vit':\n"
    "        return timm.create_model('vit_base_patch16_224', pretrained=True)\n"
    "    raise ValueError(arch)\n"
    "tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])\n"
    "model = build(ARCH)\n"
    "for x, y in loader:\n    criterion(model(tf(x)), y).backward()\n",
])

_SPLITS_KERAS = (
    "from tensorflow.keras.applications.mobilenet_v2 import MobileNetV2, preprocess_input\n"
    "from tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
    "base = MobileNetV2(weights='imagenet', include_top=False)\n"
    "model = build_head(base)\n"
    "train_gen = ImageDataGenerator(preprocessing_function=preprocess_input, rotation_range=20)\n"
)
_SPLITS_TORCH = (
    "import torchvision\nfrom torchvision import transforms as T\n"
    "train_tf = T.Compose([T.RandomResizedCrop(224), T.ToTensor(), T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])\n"
)
_TORCH_LOOPS = (
    "model = torchvision.models.resnet18(pretrained=True)\n"
    "train_loader = DataLoader(Data(train_df, train_tf))\nval_loader = DataLoader(Data(val_df, val_tf))\n"
    "for x, y in train_loader:\n    criterion(model(x), y).backward()\n"
    "for x, y in val_loader:\n    out = model(x)\n"
)
# Every split normalized the same way; a model that normalizes inside (a Lambda layer).
VALID.extend([
    _SPLITS_KERAS + "val_gen = ImageDataGenerator(preprocessing_function=preprocess_input)\n"
    "model.fit(train_gen.flow(x, y), validation_data=val_gen.flow(xv, yv))\n",
    _SPLITS_KERAS.replace("model = build_head(base)", "model = Sequential([Lambda(preprocess_input), base])")
    + "val_gen = ImageDataGenerator()\nmodel.fit(train_gen.flow(x, y), validation_data=val_gen.flow(xv, yv))\n",
    _SPLITS_TORCH + "val_tf = T.Compose([T.Resize(224), T.ToTensor(), T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])\n"
    + _TORCH_LOOPS,
    # A bare generator over images a normalizing generator already produced.
    _SPLITS_KERAS + "images, labels = train_gen.flow(x, y, batch_size=len(x)).next()\nagain = ImageDataGenerator()\n"
    "model.fit(again.flow(images, labels))\n",
    # A pipeline without Normalize whose name is bound anew (with one) before the model runs.
    _SPLITS_TORCH + "val_tf = T.Compose([T.ToTensor()])\nval_tf = T.Compose([T.ToTensor(), T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])\n"
    + _TORCH_LOOPS,
    # [0, 1] data, multiplied by 255 again by the layer the backbone is built on: it gets [0, 255].
    "from tensorflow.keras import layers, Input, Model\nfrom tensorflow.keras.applications import EfficientNetV2S\n"
    "ds = ds.map(lambda x, y: (layers.Rescaling(1.0 / 255)(x), y))\ninputs = Input(shape=(224, 224, 3))\n"
    "x = layers.Rescaling(255.0)(inputs)\nbase = EfficientNetV2S(input_tensor=x, include_top=False, weights='imagenet')\n"
    "model = Model(inputs, layers.Dense(1)(base.output))\nmodel.fit(ds, epochs=3)\n",
    # The same in arithmetic: x / 255 for display, then x * 255 back before the backbone.
    "import numpy as np\nfrom tensorflow.keras.applications import EfficientNetB0\n"
    "base = EfficientNetB0(include_top=False, weights='imagenet')\nimages = load() / 255.0\nshow(images)\n"
    "batch = images * 255.0\nbase.predict(batch)\n",
    # x / 255 then, in place, x -= 0.5 and x *= 2: [-1, 1], as InceptionV3 expects.
    "from keras.applications.inception_v3 import InceptionV3\nbase = InceptionV3(weights='imagenet')\n"
    "def prepare(x):\n    x /= 255.\n    x -= 0.5\n    x *= 2.\n    return x\n"
    "base.predict(prepare(load()))\n",
])

INVALID = [
    # A notebook cell that builds VGG16 only to print its summary; the next builds the one the model
    # uses: reported once, there.
    Invalid(
        "from tensorflow import keras\nds = keras.utils.image_dataset_from_directory('train')\n"
        "conv_base = keras.applications.vgg16.VGG16(weights='imagenet', include_top=False)\nconv_base.summary()\n"
        "conv_base = keras.applications.vgg16.VGG16(weights='imagenet', include_top=False)\n"
        "inputs = keras.Input((224, 224, 3))\n"
        "model = keras.Model(inputs, keras.layers.Dense(2)(conv_base(inputs)))\nmodel.fit(ds, epochs=3)\n",
        message="nothing in this file normalizes them", range=(5, 13, 5, 82),
    ),
    # The training images are preprocessed for the backbone, the validation images not at all.
    Invalid(
        _SPLITS_KERAS + "val_gen = ImageDataGenerator()\nmodel.fit(train_gen.flow(x, y), validation_data=val_gen.flow(xv, yv))\n",
        message="'val_gen' normalizes nothing, but it feeds MobileNetV2 (keras, weights='imagenet'), as 'train_gen' does with "
                "preprocessing_function=keras.applications.mobilenet_v2.preprocess_input",
        range=(6, 11, 6, 31),
    ),
    # The file normalizes for another model; the pretrained one gets [0, 1] tensors.
    Invalid(
        "import torchvision\nfrom torchvision import transforms as T\nfrom PIL import Image\n"
        "scratch_tf = T.Compose([T.ToTensor(), T.Normalize([0.5, 0.5, 0.5], [0.5, 0.5, 0.5])])\n"
        "vgg = torchvision.models.vgg16(pretrained=True)\n"
        "def predict(path):\n    tf = T.Compose([T.Resize(224), T.ToTensor()])\n"
        "    image = tf(Image.open(path)).unsqueeze(0)\n    return vgg(image)\n"
        "net = Net()\nfor x, y in DataLoader(Data(df, scratch_tf)):\n    criterion(net(x), y).backward()\n",
        message="'tf' normalizes nothing, but it feeds vgg16 (torchvision, weights='pretrained=True'), and nothing else "
                "normalizes its images",
        range=(7, 10, 7, 50),
    ),
    Invalid(
        _SPLITS_TORCH + "val_tf = T.Compose([T.Resize(224), T.ToTensor()])\n" + _TORCH_LOOPS,
        message="'val_tf' normalizes nothing, but it feeds resnet18 (torchvision, weights='pretrained=True'), as 'train_tf' does",
        range=(4, 10, 4, 50),
    ),
    # The dataset's own mean/std into a timm model pretrained on ImageNet, named through a class's
    # parameter and a dict of settings.
    Invalid(
        "import timm\nimport torch.nn as nn\nimport albumentations as A\n"
        "params = {'model': 'resnet18', 'size': 224}\n"
        "tf = A.Compose([A.Resize(224, 224), A.Normalize(mean=(0.723, 0.618, 0.567), std=(0.165, 0.172, 0.193))])\n"
        "class Classifier(nn.Module):\n"
        "    def __init__(self, arch):\n"
        "        super().__init__()\n"
        "        self.model = timm.create_model(arch, pretrained=True)\n"
        "model = Classifier(params['model'])\n",
        message="normalizes with a mean/std of its own (the dataset's, say), but it feeds "
                "resnet18 (timm, pretrained=True): it expects x/255 then per-channel ImageNet mean/std",
        range=(5, 37, 5, 103),
    ),
    # tf.keras 2.x's evaluate_generator runs the backbone's model on the test images (and the
    # scratch CNN's generator feeds the CNN only).
    Invalid(
        "import tensorflow as tf\nfrom tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
        "from tensorflow.keras.applications import ResNet50\n"
        "cnn = tf.keras.Sequential([tf.keras.layers.Conv2D(8, 3), tf.keras.layers.Dense(1)])\n"
        "cnn.fit(ImageDataGenerator(rescale=1.0 / 255).flow_from_directory('train'), epochs=3)\n"
        "base = ResNet50(weights='imagenet', include_top=False)\n"
        "model = tf.keras.Model(base.input, tf.keras.layers.Dense(1)(base.output))\n"
        "test_gen = ImageDataGenerator(rescale=1.0 / 255).flow_from_directory('test')\nmodel.evaluate_generator(test_gen, 624)\n",
        message="rescale=1.0 / 255 scales pixels to [0, 1], but it feeds ResNet50", range=(8, 31, 8, 48),
    ),
    # PyTorch: the /255 inside forward() reaches the pretrained sub-module the module holds.
    Invalid(
        'import torch\n'
        'import torchvision\n'
        '\n'
        'class Net(torch.nn.Module):\n'
        '    def __init__(self):\n'
        '        super().__init__()\n'
        '        self.encoder = torchvision.models.resnet50(pretrained=True)\n'
        '\n'
        '    def forward(self, x):\n'
        '        x = x.float() / 255.0\n'
        '        return self.encoder(x)\n'
        '\n'
        'net = Net()\n'
        'for x, y in loader:\n'
        '    criterion(net(x), y).backward()\n',
        message="x.float() / 255.0 scales pixels to [0, 1], but it feeds resnet50", range=(10, 13, 10, 30),
    ),
    # The ImageNet weight file reaches load_weights() through the function's parameter, and the
    # generator's rescale is a local constant of the function that builds it.
    Invalid(
        'from keras.applications import InceptionV3\n'
        'from keras.preprocessing.image import ImageDataGenerator\n'
        'def get_base(weights_path):\n'
        '    base = InceptionV3(weights=None, include_top=False)\n'
        '    base.load_weights(weights_path)\n'
        '    return base\n'
        "base = get_base('../input/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5')\n"
        'def get_data(folder):\n'
        '    rescale = 1.0 / 255\n'
        '    gen = ImageDataGenerator(rescale=rescale, horizontal_flip=True)\n'
        '    return gen.flow_from_directory(folder)\n'
        'model = keras.Sequential([base, keras.layers.Dense(2)])\n'
        "model.fit(get_data('train'), epochs=3)\n",
        message="rescale=rescale scales pixels to [0, 1], but it feeds InceptionV3", range=(10, 30, 10, 45),
    ),
    # Images read with cv2.imread and stored by position into an array, never normalized, fed to
    # an efficientnet 0.0.x backbone given ImageNet weights from a file.
    Invalid(
        'import cv2\n'
        'import numpy as np\n'
        'from efficientnet import EfficientNetB3\n'
        'x_train = np.empty((100, 300, 300, 3), dtype=np.uint8)\n'
        'for i, path in enumerate(paths):\n'
        '    x_train[i] = cv2.resize(cv2.imread(path), (300, 300))\n'
        'effnet = EfficientNetB3(weights=None, include_top=False)\n'
        "effnet.load_weights('efficientnet-b3_imagenet_1000_notop.h5')\n"
        'model = keras.Sequential([effnet, keras.layers.Dense(5)])\n'
        'model.fit(x_train, y_train, epochs=3)\n',
        message="its images come from cv2.imread() as raw 0-255 pixels", range=(7, 10, 7, 57),
    ),
    # A generator defined, never used, and defined anew before the model runs: the first one is
    # judged as in a file that runs no model (its /255 does not match either).
    Invalid(
        "import efficientnet.tfkeras as efn\nfrom keras.preprocessing.image import ImageDataGenerator\n"
        "test_datagen = ImageDataGenerator(rescale=1. / 255)\nbase = efn.EfficientNetB3(weights='imagenet')\n"
        "model = keras.Sequential([base, keras.layers.Dense(10)])\n"
        "test_datagen = ImageDataGenerator(rescale=1. / 255, zoom_range=0.1)\n"
        "model.predict(test_datagen.flow_from_directory('test'))\n",
        count=2, message="rescale=1. / 255 scales pixels to [0, 1], but it feeds EfficientNetB3", range=(3, 35, 3, 51),
        fixed="import efficientnet.tfkeras as efn\nfrom efficientnet.tfkeras import preprocess_input\n"
              "from keras.preprocessing.image import ImageDataGenerator\n"
              "test_datagen = ImageDataGenerator(preprocessing_function=preprocess_input)\nbase = efn.EfficientNetB3(weights='imagenet')\n"
              "model = keras.Sequential([base, keras.layers.Dense(10)])\n"
              "test_datagen = ImageDataGenerator(preprocessing_function=preprocess_input, zoom_range=0.1)\n"
              "model.predict(test_datagen.flow_from_directory('test'))\n",
    ),
    # PyTorch: the model and the loader handed to a training function.
    Invalid(
        "import torch\nimport timm\nfrom torchvision import transforms as T\n"
        "tf = T.Compose([T.Resize(224), T.RandomHorizontalFlip(), T.ToTensor()])\n"
        "loader = DataLoader(ImageFolder('train', transform=tf), shuffle=True)\n"
        "model = timm.create_model('resnet18', pretrained=True)\n"
        "def train_one_epoch(net, data):\n    for x, y in data:\n        criterion(net(x), y).backward()\n"
        "for epoch in range(5):\n    train_one_epoch(model, loader)\n",
        message="its images come from the transform pipeline 'tf', which has no Normalize", range=(6, 9, 6, 55),
    ),
    # PyTorch: a trainer class given the model and the loader when it is built.
    Invalid(
        "import torch\nimport timm\nfrom torchvision import transforms as T\ntf = T.Compose([T.Resize(224), T.ToTensor()])\n"
        "class Trainer:\n    def __init__(self, model, loader):\n        self.model = model\n        self.loader = loader\n"
        "    def fit(self):\n        for x, y in self.loader:\n            criterion(self.model(x), y).backward()\n"
        "net = timm.create_model('resnet18', pretrained=True)\nTrainer(net, DataLoader(ImageFolder('d', transform=tf))).fit()\n",
        message="its images come from the transform pipeline 'tf', which has no Normalize", range=(12, 7, 12, 53),
    ),
    # PyTorch: no Normalize at all in front of a pretrained torchvision model.
    Invalid(
        "import torch\nfrom torchvision import models, transforms as T\n"
        "model = models.resnet50(weights='IMAGENET1K_V2')\ntf = T.Compose([T.Resize(224), T.ToTensor()])\n"
        "loader = DataLoader(ImageFolder('train', transform=tf), shuffle=True)\n"
        "for x, y in loader:\n    criterion(model(x), y).backward()\n",
        message="which has no Normalize: nothing in this file normalizes them", range=(3, 9, 3, 49),
    ),
    # A data loader class: the /255 of the method passed to map() (self.process) reaches fit()
    # through loader.make(); the backbone comes from a table of constructors local to a function.
    Invalid(
        "import tensorflow as tf\nimport efficientnet.tfkeras as efn\nclass Loader:\n"
        "    def process(self, image, label):\n        return tf.cast(image, tf.float32) / 255.0, label\n"
        "    def make(self, files):\n        ds = tf.data.TFRecordDataset(files)\n        return ds.map(self.process).batch(32)\n"
        "def create_model(name):\n    nets = {'B0': efn.EfficientNetB0, 'B3': efn.EfficientNetB3}\n"
        "    base = nets[name](include_top=False, weights='imagenet')\n    return tf.keras.Sequential([base, tf.keras.layers.Dense(5)])\n"
        "model = create_model('B3')\nmodel.fit(Loader().make(files), epochs=3)\n",
        message="it also needs the per-channel ImageNet mean/std", range=(5, 16, 5, 50),
    ),
    # PyTorch: a timm ViT, whose pretrained config says mean = std = 0.5, fed ImageNet-normalized images.
    Invalid(
        "import timm\nimport albumentations as A\nfrom albumentations.pytorch import ToTensorV2\n"
        "train_tf = A.Compose([A.HorizontalFlip(), A.Normalize(), ToTensorV2()])\n"
        "model = timm.create_model('vit_base_patch16_224', pretrained=True, num_classes=5)\n",
        message="it feeds vit_base_patch16_224 (timm, pretrained=True): it expects pixels scaled to [-1, 1]",
        range=(4, 43, 4, 56),
    ),
    # Normalize(mean=0, std=1) only divides by 255; torchvision's model from torch.hub expects the ImageNet mean/std.
    Invalid(
        "import torch\nimport albumentations as A\n"
        "tf = A.Compose([A.Resize(299, 299), A.Normalize(mean=(0, 0, 0), std=(1, 1, 1))])\n"
        "model = torch.hub.load('pytorch/vision:v0.10.0', 'inception_v3', pretrained=True)\n",
        message="scales pixels to [0, 1], but it feeds inception_v3 (torch.hub, torch.hub.load)", range=(3, 37, 3, 79),
    ),
    # efficientnet_pytorch's ImageNet weights expect the ImageNet mean/std (its AdvProp weights, [-1, 1]).
    Invalid(
        "from efficientnet_pytorch import EfficientNet\nfrom torchvision import transforms as T\n"
        "tf = T.Compose([T.ToTensor(), T.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])\n"
        "model = EfficientNet.from_pretrained('efficientnet-b4', num_classes=5)\n",
        message="it feeds efficientnet-b4 (efficientnet_pytorch, from_pretrained)", range=(3, 31, 3, 76),
    ),
    # A torchvision ResNet with weights: ImageNet mean/std, not 0.5.
    Invalid(
        "from torchvision import models, transforms as T\n"
        "tf = T.Compose([T.ToTensor(), T.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])\n"
        "model = models.resnet50(weights=models.ResNet50_Weights.DEFAULT)\n",
        message="scales pixels to [-1, 1], but it feeds resnet50 (torchvision", range=(2, 31, 2, 76),
    ),
    # The model loaded back from a file its checkpoint wrote (the path template filled in), and
    # one loaded from a file named at run time: the backbone's model, as far as the file shows.
    Invalid(
        "from tensorflow import keras\nfrom tensorflow.keras.applications import ResNet50\n"
        "from tensorflow.keras.callbacks import ModelCheckpoint\nbase = ResNet50(include_top=False, weights='imagenet')\n"
        "model = keras.Sequential([base, keras.layers.Dense(2)])\n"
        "model.fit(train_ds, epochs=5, callbacks=[ModelCheckpoint('model/epoch-{epoch}_{val_loss:.2f}.hdf5')])\n"
        "model = keras.models.load_model('model/epoch-7_0.31.hdf5')\nmodel.predict(read_image() / 255)\n",
        message="read_image() / 255 scales pixels to [0, 1], but it feeds ResNet50", range=(8, 15, 8, 33),
    ),
    Invalid(
        "from tensorflow import keras\nfrom tensorflow.keras.applications import ResNet50\n"
        "base = ResNet50(include_top=False, weights='imagenet')\nmodel = keras.Sequential([base, keras.layers.Dense(2)])\n"
        "model.fit(train_ds, epochs=5)\nmodel = keras.models.load_model(input('model file: '))\nmodel.predict(read_image() / 255)\n",
        message="read_image() / 255 scales pixels to [0, 1], but it feeds ResNet50", range=(7, 15, 7, 33),
    ),
    # qubvel's efficientnet imported from a copy of its repository (a Kaggle dataset of the repo).
    Invalid(
        "import efficientnet.efficientnet.tfkeras as efn\nfrom tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
        "base = efn.EfficientNetB3(weights='imagenet', include_top=False)\ngen = ImageDataGenerator(rescale=1./255)\n",
        message="but it feeds EfficientNetB3", range=(4, 26, 4, 40),
        fixed="import efficientnet.efficientnet.tfkeras as efn\nfrom efficientnet.efficientnet.tfkeras import preprocess_input\n"
              "from tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
              "base = efn.EfficientNetB3(weights='imagenet', include_top=False)\n"
              "gen = ImageDataGenerator(preprocessing_function=preprocess_input)\n",
    ),
    # One statistic for every channel, as a one-element list: the same [-1, 1].
    Invalid(
        "from torchvision import models, transforms as T\n"
        "tf = T.Compose([T.ToTensor(), T.Normalize([0.5], [0.5])])\n"
        "model = models.densenet169(weights=models.DenseNet169_Weights.IMAGENET1K_V1)\n",
        message="scales pixels to [-1, 1], but it feeds densenet169 (torchvision", range=(2, 31, 2, 56),
    ),
    # A tf.data pipeline: the map function's /255 reaches fit through the dataset, and the
    # backbone, chosen by a name known at run time, reaches it through a list of outputs.
    Invalid(
        "import tensorflow as tf\nimport efficientnet.tfkeras as efn\n"
        "def prepare_image(img):\n    img = tf.cast(img, tf.float32) / 255.0\n    return img\n"
        "def get_dataset(files):\n    ds = tf.data.TFRecordDataset(files)\n"
        "    ds = ds.map(lambda img, label: (prepare_image(img), label))\n    return ds.batch(32)\n"
        "def get_model(name):\n    inputs = tf.keras.Input(shape=(256, 256, 3))\n    outputs = []\n"
        "    constructor = getattr(efn, name)\n    x = constructor(include_top=False, weights='imagenet', pooling='avg')(inputs)\n"
        "    outputs.append(tf.keras.layers.Dense(1)(x))\n    return tf.keras.Model(inputs, outputs)\n"
        "model = get_model('EfficientNetB6')\nmodel.fit(get_dataset(files), epochs=3)\n",
        message="EfficientNet", range=(4, 11, 4, 43),
    ),
    # A test generator set up with /255 and not (yet) used, beside a training run of the backbone.
    Invalid(
        "import efficientnet.tfkeras as efn\nfrom tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
        "train_datagen = ImageDataGenerator(preprocessing_function=efn.preprocess_input)\n"
        "test_datagen = ImageDataGenerator(rescale=1. / 255)\n"
        "base = efn.EfficientNetB6(weights='imagenet', include_top=False)\nmodel = tf.keras.Sequential([base])\n"
        "model.fit(train_datagen.flow_from_directory('train'))\n",
        message="mean/std", range=(4, 35, 4, 51),
        fixed="import efficientnet.tfkeras as efn\nfrom efficientnet.tfkeras import preprocess_input\n"
        "from tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
        "train_datagen = ImageDataGenerator(preprocessing_function=efn.preprocess_input)\n"
        "test_datagen = ImageDataGenerator(preprocessing_function=preprocess_input)\n"
        "base = efn.EfficientNetB6(weights='imagenet', include_top=False)\nmodel = tf.keras.Sequential([base])\n"
        "model.fit(train_datagen.flow_from_directory('train'))\n",
    ),
    # The division is an argument of the fit of a Sequential that holds the backbone inline.
    Invalid(
        "from tensorflow import keras\nmodel = keras.Sequential([keras.applications.VGG16(weights='imagenet', include_top=False), "
        "keras.layers.Dense(2)])\nmodel.fit(x_train / 255., y_train, epochs=3)",
        range=(3, 11, 3, 25),
    ),
    # No normalization at all: raw 0-255 pixels into a backbone that expects [-1, 1].
    Invalid(
        "from tensorflow.keras.applications import ResNet152V2\nfrom tensorflow.keras.preprocessing.image import ImageDataGenerator\ngen = ImageDataGenerator(rotation_range=20)\ntrain = gen.flow_from_directory('train', target_size=(224, 224))\nbase = ResNet152V2(weights='imagenet', include_top=False)\nmodel = keras.Sequential([base, keras.layers.Dense(5)])\nmodel.fit(train, epochs=5)",
        message="nothing in this file normalizes them", range=(5, 8, 5, 58),
    ),
    # Built without weights, then ImageNet weights loaded from a file (a Kaggle kernel without internet).
    Invalid('import efficientnet.tfkeras as efn\nfrom tensorflow.keras.preprocessing.image import ImageDataGenerator\nbase = efn.EfficientNetB3(weights=None, include_top=False)\nbase.load_weights("efficientnet-b3_imagenet_1000_notop.h5")\ngen = ImageDataGenerator(rescale=1./255)\n', range=(5, 26, 5, 40),
            fixed='import efficientnet.tfkeras as efn\nfrom efficientnet.tfkeras import preprocess_input\nfrom tensorflow.keras.preprocessing.image import ImageDataGenerator\nbase = efn.EfficientNetB3(weights=None, include_top=False)\nbase.load_weights("efficientnet-b3_imagenet_1000_notop.h5")\ngen = ImageDataGenerator(preprocessing_function=preprocess_input)\n'),
    # A backbone chosen at run time: every EfficientNetB* expects the same input.
    Invalid('import efficientnet.tfkeras as efn\nfrom tensorflow.keras.preprocessing.image import ImageDataGenerator\nN = 4\nbase = getattr(efn, f"EfficientNetB{N}")(weights="imagenet", include_top=False)\ngen = ImageDataGenerator(rescale=1./255)\n', range=(5, 26, 5, 40),
            fixed='import efficientnet.tfkeras as efn\nfrom efficientnet.tfkeras import preprocess_input\nfrom tensorflow.keras.preprocessing.image import ImageDataGenerator\nN = 4\nbase = getattr(efn, f"EfficientNetB{N}")(weights="imagenet", include_top=False)\ngen = ImageDataGenerator(preprocessing_function=preprocess_input)\n'),
    Invalid(
        "import efficientnet.tfkeras as efn\nfrom tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
        "base = efn.EfficientNetB6(weights='imagenet', include_top=False)\n"
        "train_datagen = ImageDataGenerator(rescale=1/255, rotation_range=20)",
        message="mean/std",
        fixed="import efficientnet.tfkeras as efn\nfrom efficientnet.tfkeras import preprocess_input\n"
        "from tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
        "base = efn.EfficientNetB6(weights='imagenet', include_top=False)\n"
        "train_datagen = ImageDataGenerator(preprocessing_function=preprocess_input, rotation_range=20)", range=(4, 36, 4, 49)
    ),
    Invalid(
        "from efficientnet.keras import EfficientNetB3\nfrom keras.preprocessing.image import ImageDataGenerator\n"
        "base = EfficientNetB3()\ngen = ImageDataGenerator(rescale=0.00392156)",
        fixed="from efficientnet.keras import EfficientNetB3\nfrom efficientnet.keras import preprocess_input\n"
        "from keras.preprocessing.image import ImageDataGenerator\n"
        "base = EfficientNetB3()\ngen = ImageDataGenerator(preprocessing_function=preprocess_input)", range=(4, 26, 4, 44)
    ),
    # The student's generator: the augmentation runs first, then the backbone's normalization.
    Invalid(
        "import efficientnet.tfkeras as efn\nfrom tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
        "base = efn.EfficientNetB6(weights='imagenet')\n"
        "gen = ImageDataGenerator(\n    rescale=1/255, # normalization\n    validation_split=0.2,\n"
        "    preprocessing_function=augment_image)",
        fixed="import efficientnet.tfkeras as efn\nfrom efficientnet.tfkeras import preprocess_input\n"
        "from tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
        "base = efn.EfficientNetB6(weights='imagenet')\n"
        "gen = ImageDataGenerator(\n    validation_split=0.2,\n"
        "    preprocessing_function=lambda img: preprocess_input(augment_image(img)))", range=(5, 5, 5, 18)
    ),
    # preprocess_input is taken (by ResNet's): the module alias names efficientnet's.
    Invalid(
        "import efficientnet.tfkeras as efn\nfrom keras.applications.resnet import preprocess_input\n"
        "from keras.preprocessing.image import ImageDataGenerator\n"
        "base = efn.EfficientNetB0(weights='imagenet')\ngen = ImageDataGenerator(rescale=1./255)",
        fixed="import efficientnet.tfkeras as efn\nfrom keras.applications.resnet import preprocess_input\n"
        "from keras.preprocessing.image import ImageDataGenerator\n"
        "base = efn.EfficientNetB0(weights='imagenet')\ngen = ImageDataGenerator(preprocessing_function=efn.preprocess_input)", range=(5, 26, 5, 40)
    ),
    Invalid(
        "import tensorflow as tf\nbase = tf.keras.applications.EfficientNetB0(include_top=False)\n"
        "def prep(image, label):\n    return tf.cast(image, tf.float32) / 255.0, label\n"
        "train_ds = train_ds.map(prep)\nmodel = tf.keras.Sequential([base, tf.keras.layers.Dense(5)])\n"
        "model.fit(train_ds, epochs=5)",
        message="scales twice",
        fixed="import tensorflow as tf\nbase = tf.keras.applications.EfficientNetB0(include_top=False)\n"
        "def prep(image, label):\n    return tf.cast(image, tf.float32), label\n"
        "train_ds = train_ds.map(prep)\nmodel = tf.keras.Sequential([base, tf.keras.layers.Dense(5)])\n"
        "model.fit(train_ds, epochs=5)", range=(4, 12, 4, 46)
    ),
    Invalid(
        "from tensorflow import keras\nfrom tensorflow.keras import layers\n"
        "base = keras.applications.EfficientNetV2B0(include_top=False)\n"
        "inputs = keras.Input((224, 224, 3))\nx = layers.Rescaling(1. / 255)(inputs)\nx = base(x)",
        fixed="from tensorflow import keras\nfrom tensorflow.keras import layers\n"
        "base = keras.applications.EfficientNetV2B0(include_top=False)\n"
        "inputs = keras.Input((224, 224, 3))\nx = inputs\nx = base(x)", range=(5, 5, 5, 31)
    ),
    Invalid(
        "import keras\nbase = keras.applications.EfficientNetB0(include_top=False, weights='imagenet')\n"
        "model = keras.Sequential([\n    keras.layers.Rescaling(1. / 255),\n    base,\n    keras.layers.Dense(3),\n])\n"
        "model.fit(x, y)",
        fixed="import keras\nbase = keras.applications.EfficientNetB0(include_top=False, weights='imagenet')\n"
        "model = keras.Sequential([\n    base,\n    keras.layers.Dense(3),\n])\n"
        "model.fit(x, y)", range=(4, 5, 4, 37)
    ),
    Invalid(
        "from tensorflow.keras.applications import ResNet50\nfrom tensorflow.keras import layers\n"
        "base = ResNet50(weights='imagenet')\nx = layers.Rescaling(1/127.5, offset=-1)(inputs)",
        message="caffe", range=(4, 5, 4, 41)
    ),
    Invalid(
        "import efficientnet.tfkeras as efn\nfrom tensorflow.keras.applications.resnet50 import preprocess_input\n"
        "base = efn.EfficientNetB0()\nx = preprocess_input(x)", range=(4, 5, 4, 24)
    ),
    Invalid(
        "import efficientnet.tfkeras as efn\nfrom efficientnet.tfkeras import preprocess_input\n"
        "from tensorflow.keras.preprocessing.image import ImageDataGenerator\nbase = efn.EfficientNetB0()\n"
        "gen = ImageDataGenerator(rescale=1./255, preprocessing_function=preprocess_input)",
        message="twice",
        fixed="import efficientnet.tfkeras as efn\nfrom efficientnet.tfkeras import preprocess_input\n"
        "from tensorflow.keras.preprocessing.image import ImageDataGenerator\nbase = efn.EfficientNetB0()\n"
        "gen = ImageDataGenerator(preprocessing_function=preprocess_input)", range=(5, 26, 5, 40)
    ),
    Invalid(
        "import numpy as np\nfrom tensorflow.keras.applications import Xception\nSCALE = 255\n"
        "base = Xception(weights='imagenet')\nX_train = X_train * (1 / SCALE)\n"
        "model = keras.Sequential([base, keras.layers.Dense(10)])\nmodel.fit(X_train, y_train)", range=(5, 11, 5, 32)
    ),
    Invalid(
        "import tensorflow as tf\nbase = tf.keras.applications.ResNet101V2(weights='imagenet')\n"
        "def decode(image):\n    image = tf.cast(image, tf.float32)\n    image /= 255.0\n    return image\n"
        "model = tf.keras.Sequential([base])\nmodel.fit(ds.map(decode))",
        message="image /= 255.0", range=(5, 5, 5, 19)
    ),
    # ToTensor already scales to [0, 1]: the Lambda divides by 255 a second time.
    Invalid(_DIVIDED_AFTER_TO_TENSOR, message="divides by 255 (img / 255) after ToTensor", range=(5, 49, 5, 94)),
    # Batches from a generator function: what it yields is what fit trains on.
    Invalid(
        "from tensorflow import keras\nimport numpy as np\nimport cv2\ndef load(path):\n    image = cv2.imread(path)\n"
        "    image = image / 255\n    return image, 0\ndef batches(paths):\n    while True:\n        images = []\n"
        "        for p in paths:\n            image, label = load(p)\n            images.append(image)\n"
        "        yield np.array(images), np.zeros(len(images))\n"
        "base = keras.applications.Xception(weights='imagenet', include_top=False)\n"
        "model = keras.Sequential([base, keras.layers.Dense(2)])\nmodel.fit(batches(train_paths), epochs=3)\n",
        message="image / 255 scales pixels to [0, 1], but it feeds Xception", range=(6, 13, 6, 24),
    ),
    # The name bound again to the same model moved to the GPU still holds the backbone.
    Invalid(_DIVIDED_AFTER_TO_TENSOR + "model = model.to(device)\n", message="divides by 255 (img / 255) after ToTensor", range=(5, 49, 5, 94)),
    # The training loop gets the dataset's images unnormalized; only the single image shown is normalized.
    Invalid(
        "import timm\nimport torch\nimport torchvision\nimport torchvision.transforms as T\ntransform = T.Compose([T.Resize(256), T.CenterCrop(224), T.ToTensor()])\ndataset = torchvision.datasets.OxfordIIITPet(root='data', transform=transform)\nmodel = timm.create_model('resnet50', pretrained=True)\nnormalize = T.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])\nimg, label = dataset[0]\nlogits = model(normalize(img).unsqueeze(0))\nfor x, y in torch.utils.data.DataLoader(dataset, batch_size=32):\n    loss = criterion(model(x), y)\n    loss.backward()\n",
        message="'transform' normalizes nothing, but it feeds resnet50", range=(5, 13, 5, 72)
    ),
    # Raw pixels from the generator; the only /255 is for showing one image.
    Invalid('from tensorflow.keras.applications import ResNet50\nfrom tensorflow.keras.preprocessing.image import ImageDataGenerator\nfrom tensorflow.keras import layers, models\nimport matplotlib.pyplot as plt\nimg_tensor = load()\nimg_tensor /= 255.\nplt.imshow(img_tensor[0])\ngen = ImageDataGenerator(horizontal_flip=True).flow_from_dataframe(df, x_col="id", y_col="label")\nbase = ResNet50(include_top=False, weights="imagenet")\nout = layers.Dense(5)(layers.GlobalAveragePooling2D()(base.output))\nmodel = models.Model(base.input, out)\nmodel.fit(gen, epochs=3)\n', message="as raw 0-255 pixels: nothing in this file normalizes them", range=(9, 8, 9, 55)),
    # The model loaded back from the checkpoint its fit saved is the backbone's model.
    # model.save("BC.h5") … load_model("./BC.h5"): the same file.
    Invalid(
        "from tensorflow import keras\nfrom tensorflow.keras.applications import VGG16\n"
        "base = VGG16(include_top=False, weights='imagenet')\nmodel = keras.Sequential([base, keras.layers.Dense(2)])\n"
        "model.save('BC.h5')\nmodel1 = keras.models.load_model('./BC.h5')\nmodel1.predict(read_image() / 255)\n",
        message="read_image() / 255 scales pixels to [0, 1], but it feeds VGG16", range=(7, 16, 7, 34),
    ),
    Invalid('from tensorflow.keras.applications import ResNet50V2\nfrom tensorflow.keras.callbacks import ModelCheckpoint\nfrom tensorflow.keras.models import load_model\nfrom tensorflow.keras.preprocessing.image import ImageDataGenerator\nfrom tensorflow import keras\nbase = ResNet50V2(include_top=False, weights="imagenet")\nclassifier = keras.Sequential([base, keras.layers.Dense(1)])\nmodelpath = "best.h5"\ncheckpoint = ModelCheckpoint(filepath=modelpath, save_best_only=True)\nclassifier.fit(train_ds, epochs=5, callbacks=[checkpoint])\nmodel = load_model(modelpath)\nimg = read_image()\nmodel.predict(img / 255)\n', message="img / 255 scales pixels to [0, 1], but it feeds ResNet50V2", range=(13, 15, 13, 24)),
    # The backbone added to a Sequential with model.add(…); efn used without an import (the
    # kernel's import cell is elsewhere) is qubvel's efficientnet, which its README imports as efn.
    Invalid("import tensorflow as tf\ndef decode(x):\n    return tf.cast(x, tf.float32) / 255.\n"
            "ds = tf.data.TFRecordDataset(files).map(decode)\nmodel = tf.keras.models.Sequential()\n"
            "model.add(efn.EfficientNetB4(include_top=False, weights='noisy-student'))\nmodel.fit(ds)\n",
            message="scales pixels to [0, 1], but it feeds EfficientNetB4", range=(3, 12, 3, 41)),
    # Multiplied by 255 again only after the prediction, to save the image: the model got [0, 1].
    Invalid("import cv2\nfrom tensorflow.keras.applications import EfficientNetB0\nbase = EfficientNetB0(weights='imagenet')\n"
            "img = cv2.imread('a.jpg') / 255.0\npred = base.predict(img[None])\nimg = (img * 255).astype('uint8')\n"
            "cv2.imwrite('out.png', img)\n", message="so this scales twice", range=(4, 7, 4, 34),
            fixed="import cv2\nfrom tensorflow.keras.applications import EfficientNetB0\nbase = EfficientNetB0(weights='imagenet')\n"
                  "img = cv2.imread('a.jpg')\npred = base.predict(img[None])\nimg = (img * 255).astype('uint8')\n"
                  "cv2.imwrite('out.png', img)\n"),
    # preprocessing_function=None is the default spelled out: nothing normalizes the raw pixels.
    # A BatchNormalization of the head (applied to the backbone's output) does not touch the pixels.
    Invalid(
        "import tensorflow as tf\nds = tf.keras.utils.image_dataset_from_directory('train')\n"
        "base = tf.keras.applications.ResNet50(weights='imagenet', include_top=False, pooling='avg')\n"
        "x = tf.keras.layers.BatchNormalization()(base.output)\nout = tf.keras.layers.Dense(5)(x)\n"
        "model = tf.keras.Model(base.input, out)\nmodel.fit(ds)\n",
        message="its images come from image_dataset_from_directory() as raw 0-255 pixels", range=(3, 8, 3, 92),
    ),
    # A map over the dataset whose lambda only applies a Sequential of random layers normalizes nothing.
    Invalid(
        "import tensorflow as tf\nds = tf.keras.utils.image_dataset_from_directory('train')\n"
        "aug = tf.keras.Sequential([tf.keras.layers.RandomFlip('horizontal'), tf.keras.layers.GaussianNoise(10)])\n"
        "ds = ds.map(lambda x, y: (aug(x), y))\nbase = tf.keras.applications.Xception(weights='imagenet', include_top=False)\n"
        "model = tf.keras.Sequential([base, tf.keras.layers.Dense(5)])\nmodel.fit(ds)\n",
        message="its images come from image_dataset_from_directory() as raw 0-255 pixels", range=(5, 8, 5, 77),
    ),
    Invalid('from tensorflow.keras.applications import ResNet50\nfrom tensorflow.keras.preprocessing.image import ImageDataGenerator\nfrom tensorflow.keras import layers, models\ngen = ImageDataGenerator(preprocessing_function=None, horizontal_flip=True).flow_from_dataframe(df, x_col="id", y_col="label")\nbase = ResNet50(include_top=False, weights="imagenet")\nmodel = models.Model(base.input, layers.Dense(5)(base.output))\nmodel.fit(gen, epochs=3)\n', message="as raw 0-255 pixels: nothing in this file normalizes them", range=(5, 8, 5, 55)),
    # The weights enum member through a name.
    Invalid(
        "from torchvision import models, transforms\n"
        "weights = models.ResNet50_Weights.IMAGENET1K_V2\nmodel = models.resnet50(weights=weights)\n"
        "tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize([0.5, 0.5, 0.5], [0.5, 0.5, 0.5])])\n"
        "for x, y in loader:\n    criterion(model(tf(x)), y).backward()\n",
        message="resnet50 (torchvision, weights='models.ResNet50_Weights.IMAGENET1K_V2')", range=(4, 49, 4, 103)
    ),
]
