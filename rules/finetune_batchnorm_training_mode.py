"""RL503 finetune-batchnorm-training-mode: an unfrozen pretrained backbone whose BatchNormalization trains.

## What it does
Finds a pretrained backbone (`efficientnet`'s `EfficientNetB0…B7`, `keras.applications.*` with
weights) bound to a name, which the code first freezes (`base.trainable = False`), trains (a `fit`,
or a call of a function that may fit, runs in between; calling the backbone, a layer or a library
function on a batch trains nothing) and later unfreezes (`base.trainable =
True`, `model.trainable = True` on a model built from it, or `for layer in base.layers[…]:
layer.trainable = True`), and which runs in training mode: called as `base(x)` without
`training=False`, placed in `Sequential([base, …])` or `model.add(base)`, or wired into
`keras.Model(base.input, …)` through `base.output`. Reported at that use, with the unfreezing as
a related location. Freezing the first layers and leaving the rest trainable before any training
is one stage, not a switch, and is not reported.

Not reported when the backbone is called with `training=False`, when the unfreezing leaves
`BatchNormalization` layers frozen (`if not isinstance(layer, BatchNormalization):
layer.trainable = True`, or a later loop that sets them back to `trainable = False`), or when the
backbone is never unfrozen: since TF 2.0 a `BatchNormalization` layer with `trainable = False`
runs in inference mode (keras.io/api/layers/normalization_layers/batch_normalization, "About
setting layer.trainable = False on a BatchNormalization layer"), so a frozen backbone is safe. A
backbone trained from the start without ever being frozen (`base.trainable = True` is then the
default, a no-op) is left alone too: whole-network training with batch statistics is a legitimate
choice; the trap is the switch between a frozen stage and an unfrozen one.

In PyTorch: a pretrained timm, torchvision or `efficientnet_pytorch` backbone with BatchNorm (not a ViT, Swin or
ConvNeXt, which use LayerNorm, nor VGG without `_bn`, AlexNet or SqueezeNet, which have none) whose parameters are frozen (`for p in model.parameters():
p.requires_grad = False`, `model.backbone.requires_grad_(False)`, or a helper of the file called
with its flag left at False: `def freeze(m, unfreeze=False): … p.requires_grad = unfreeze`) in a file that trains, when
nothing puts part of the model back in evaluation mode (`model.backbone.eval()`, `m.eval()` for
modules in a loop, a `train(self, mode=True)` override). `requires_grad = False` stops the
weights, not the BatchNorm running statistics: in `model.train()` they keep updating. Reported
at the first freeze, once per file; when the freezing happens in a function of a project module
the file imports (`model = initialize_model(…)` from `src/models.py`), at that call, with the
freeze as a related location; that function is read with the arguments the file passes
(`build(pretrained=True, requires_grad=False)` builds a pretrained model and runs its `if
requires_grad == False:` freeze; `requires_grad=True` does not). A freeze in a branch that no call
takes is no freeze.

## Why it matters
While the backbone is frozen its BatchNormalization layers use the moving mean and variance learned
on ImageNet, and the head learns on those features. Once it is unfrozen and called in training
mode, BatchNormalization switches to the statistics of each small fine-tuning batch and updates
its moving averages from them: the features the head was trained on shift at once, and the
pretrained statistics are overwritten. Accuracy drops sharply at the start of fine-tuning (in one
notebook from 69% to 53% once the head gained BatchNormalization). The Keras
fine-tuning guide: "keep the BatchNormalization layers in inference mode by passing
`training=False` when calling the base model".

## Example
```python
base = efn.EfficientNetB6(weights="imagenet", include_top=False)
x = base(inputs)
...
base.trainable = True
```

## Use instead
```python
x = base(inputs, training=False)  # BatchNormalization stays in inference mode
...
base.trainable = True
for layer in base.layers:         # Keras 3: also keep BatchNormalization frozen
    if isinstance(layer, keras.layers.BatchNormalization):
        layer.trainable = False
```
Under Keras 3 the outer model's `fit` passes `training=True` down to nested layers, replacing the
`training=False` written when the model was built (keras-team/keras#20285, measured in this
project's reference pipeline); a BatchNormalization layer with `trainable=False` always runs in
inference mode, so freeze those layers as well.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import libcst as cst

from reviewlint.api import (
    Anchor,
    AttributeAssignment,
    CallSite,
    Facts,
    Fix,
    Invalid,
    NoOptions,
    ParameterFreeze,
    Report,
    RuleContext,
    Scope,
    SemanticModel,
    Severity,
    Var,
    dotted,
    frozen_backbones,
    names_in,
    replace,
    set_keyword,
)
from reviewlint.knowledge import backbones as backbone_table
from reviewlint.knowledge import training as training_table
from reviewlint.knowledge.roles import FIT_METHODS

CODE = "RL503"
NAME = "finetune-batchnorm-training-mode"
SEVERITY = Severity.WARNING
SUMMARY = "Pretrained backbone unfrozen while its BatchNormalization runs in training mode"
TRIGGERS = ("trainable", "requires_grad")
# A file that trains (loss.backward(), trainer.fit(…)) follows its imports into the project
# modules that freeze parameters.
IMPORT_TRIGGERS = (*TRIGGERS, "backward", ".fit(")
# The fix passes training=False where the backbone is called directly (base(x) -> base(x,
# training=False)); Sequential/add/Model-graph uses have no fix. Training changes: unsafe.
FIX = "unsafe"


def _inference_mode(facts: Facts, use: CallSite, backbone: Var) -> Fix | None:
    func = use.node.func
    if use.qualname is not None or not isinstance(func, cst.Name) or facts.model.qualify(func.value, use.scope) != backbone:
        return None
    new = set_keyword(use.node, "training", cst.Name("False"))
    return Fix("pass training=False", [replace(use.node, new)]) if new is not None else None

# Conditions and values that single out BatchNormalization layers: isinstance(layer,
# BatchNormalization), "bn" in layer.name (keras.applications and efficientnet name them
# "…_bn"), "batch_norm".
_BN = re.compile(r"BatchNorm|batch_norm|['\"]_?bn_?['\"]|\bbn\b")


def _backbones(facts: Facts) -> list[CallSite]:
    """Pretrained backbone constructors whose model has BatchNormalization layers."""
    found = [b.call for b in facts.backbones if b.pretrained]
    known = {id(call.node) for call in found}
    for call in facts.model.calls:
        qualname = call.qualname or ""
        if id(call.node) in known or not qualname.startswith("keras.applications."):
            continue
        if not qualname.rsplit(".", 1)[-1][:1].isupper():
            continue
        weights = call.arg("weights")
        if weights is None or facts.model.value(weights.value) is not None:
            found.append(call)
    return [
        call
        for call in found
        if not (call.qualname or "").rsplit(".", 1)[-1].startswith(training_table.NO_BATCHNORM_BACKBONES)
    ]


def _negated(test: cst.BaseExpression) -> bool:
    """``not …`` or ``a not in b``."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return True
    return (
        isinstance(test, cst.Comparison)
        and len(test.comparisons) == 1
        and isinstance(test.comparisons[0].operator, cst.NotIn)
    )


def _bn_effect(ctx: RuleContext[NoOptions], assignment: AttributeAssignment) -> str:
    """What an assignment in a loop over layers does to the BatchNormalization layers among them.

    'unfreeze' (they become trainable), 'freeze-bn' (exactly they are frozen), 'freeze' (all
    layers are), 'skip' (they are left out) or 'unknown'.
    """
    code = ctx.model.module.code_for_node
    value = ctx.model.value(assignment.value)
    selects_bn: bool | None = None  # True: only BN layers; False: every layer but BN
    for test, in_else in assignment.conditions:
        if _BN.search(code(test)):
            selects_bn = _negated(test) == in_else
    if value is True or value is False:
        if selects_bn is False:
            return "skip"
        if value is False:
            return "freeze-bn" if selects_bn else "freeze"
        return "unfreeze"
    if _BN.search(code(assignment.value)):
        return "freeze-bn" if _negated(assignment.value) else "unfreeze"
    return "unknown"


def _loop_over_layers(assignment: AttributeAssignment) -> cst.BaseExpression | None:
    """For ``v.trainable = …`` in ``for v in X.layers…``: the loop's iterable."""
    variable = assignment.target.rsplit(".", 1)[0]
    for loop in reversed(assignment.loops):
        if isinstance(loop, cst.For) and isinstance(loop.target, cst.Name) and loop.target.value == variable:
            return loop.iter
    return None


class _Backbone:
    """One binding of a pretrained backbone to a name, live until the name is assigned again."""

    def __init__(self, facts: Facts, call: CallSite, key: Var, name: str) -> None:
        self.call, self.key, self.name = call, key, name
        self.start = call.index
        self.end = facts.model.next_binding(key, call.index)
        # Models the backbone was put into with model.add(base): data flow does not see mutation.
        self.containers = {key}
        for add in facts.model.method_calls("add"):
            first = add.node.args[0].value if add.node.args else None
            if add.receiver and isinstance(first, cst.Name) and facts.model.qualify(first.value, add.scope) == key:
                self.containers.add(facts.model.qualify(add.receiver, add.scope))

    def holds(self, scope: Scope, index: int) -> bool:
        """Whether code at ``index`` in ``scope`` sees this binding (indexes compare within one scope only)."""
        return scope != self.call.scope or self.start <= index and (self.end is None or index < self.end.order)


def _contains(facts: Facts, backbone: _Backbone, name: str, scope: Scope) -> bool:
    """Whether ``name`` (in ``scope``) is the backbone or a model built from it."""
    return bool(facts.model.reaches({facts.model.qualify(name, scope)}) & backbone.containers)


def _unfreezes(
    ctx: RuleContext[NoOptions], backbone: _Backbone
) -> tuple[list[AttributeAssignment], list[AttributeAssignment], list[AttributeAssignment]]:
    """Assignments that unfreeze the backbone's BatchNormalization layers, those that freeze them
    again, and those that freeze the whole backbone (or a model built from it)."""
    facts = ctx.facts
    unfreeze: list[AttributeAssignment] = []
    freeze_bn: list[AttributeAssignment] = []
    freeze: list[AttributeAssignment] = []
    for assignment in facts.model.attribute_assignments:
        if not assignment.target.endswith(".trainable") or not backbone.holds(assignment.scope, assignment.index):
            continue
        owner = assignment.target[: -len(".trainable")]
        iterable = _loop_over_layers(assignment)
        if iterable is not None:
            layers_of = {name[: -len(".layers")] for name in names_in(iterable) if name.endswith(".layers")}
            if not any(_contains(facts, backbone, name, assignment.scope) for name in layers_of):
                continue
            effect = _bn_effect(ctx, assignment)
            if effect == "unfreeze":
                unfreeze.append(assignment)
            elif effect == "freeze-bn":
                freeze_bn.append(assignment)
            elif effect == "freeze":
                freeze.append(assignment)
        elif _contains(facts, backbone, owner, assignment.scope):
            value = facts.model.value(assignment.value)
            if value is True:
                unfreeze.append(assignment)
            elif value is False:
                freeze.append(assignment)
    return unfreeze, freeze_bn, freeze


def _model_inputs(facts: Facts) -> set[Var]:
    """Everything the keras.Model(…) calls of the module are built from."""
    used: set[Var] = set()
    for call in facts.model.calls_to("keras.Model"):
        used |= facts.model.reaches(facts.model.names_used(call.node, call.scope))
    return used


def _inside_model_call(facts: Facts, call: CallSite) -> bool:
    """Whether the call is written inside the arguments of a keras.Model(…) call."""
    for model in facts.model.calls_to("keras.Model"):
        if model.scope == call.scope and model.index < call.index and any(
            inner is call for inner in facts.model.calls_within(model.node)
        ):
            return True
    return False


def _training_mode_uses(facts: Facts, backbone: _Backbone) -> Iterator[tuple[CallSite, str]]:
    """Places where the backbone runs in whatever mode fit() runs the model (training).

    A direct call ``base(x)`` counts only when it builds a model (its result flows into
    ``keras.Model(…)``): ``features = base(image_batch)`` on data runs in inference mode.
    """
    model_inputs = _model_inputs(facts)
    for call in facts.model.calls:
        if not backbone.holds(call.scope, call.index):
            continue
        func = call.node.func
        if call.qualname is None and isinstance(func, cst.Name) and facts.model.qualify(func.value, call.scope) == backbone.key:
            if not (facts.model.owners(call) & model_inputs or _inside_model_call(facts, call)):
                continue
            training = call.arg("training")
            if training is None:
                yield call, f"{backbone.name}(…) is called without training=False"
            elif facts.model.value(training.value) is True:
                yield call, f"{backbone.name}(…) is called with training=True"
            continue
        positional = [arg.value for arg in call.node.args if arg.keyword is None]
        if call.qualname == "keras.Sequential":
            layers = call.arg("layers", 0)
            if layers is not None and isinstance(layers.value, (cst.List, cst.Tuple)) and any(
                isinstance(e.value, cst.Name) and facts.model.qualify(e.value.value, call.scope) == backbone.key
                for e in layers.value.elements
            ):
                yield call, f"{backbone.name} is a layer of this Sequential, which fit() runs in training mode"
        elif call.qualname is None and call.method == "add" and positional[:1]:
            first = positional[0]
            if isinstance(first, cst.Name) and facts.model.qualify(first.value, call.scope) == backbone.key:
                yield call, f"{backbone.name} is added to a Sequential model, which fit() runs in training mode"
        elif call.qualname == "keras.Model":
            used = facts.model.reaches(facts.model.names_used(call.node, call.scope))
            graph = {facts.model.qualify(f"{backbone.name}.{part}", call.scope) for part in ("input", "inputs", "output", "outputs")}
            if used & graph:
                yield call, (
                    f"this Model is built on {backbone.name}'s own graph ({backbone.name}.output), "
                    "so its layers run in training mode during fit()"
                )


def _with_batchnorm(freeze: ParameterFreeze) -> str | None:
    """The name of the first backbone a freeze may apply to that has BatchNorm layers."""
    return next((backbone.model_name for backbone in freeze.backbones if backbone_table.has_batchnorm(backbone.model_name)), None)


def _torch_frozen(ctx: RuleContext[NoOptions]) -> Iterator[tuple[Anchor, str, tuple[tuple[Anchor, str], ...]]]:
    """Where a pretrained PyTorch backbone with BatchNorm is frozen by its parameters: here
    (``for p in model.parameters(): p.requires_grad = False``, ``model.backbone.requires_grad_(False)``),
    or by calling a function of a project module that does (``initialize_model(…)``); with the
    backbone's name and, for the second, the freeze in that module as a related location."""
    for freeze in ctx.facts.parameter_freezes:
        name = _with_batchnorm(freeze)
        if name is not None:
            yield freeze.node, name, ()
    imported = ctx.imported.freezing_functions
    if not imported:
        return
    facts = ctx.facts
    last_run = _last_training_run(ctx)
    for call in facts.model.calls:
        function = dotted(call.node.func)
        helper = imported.get(function) if function is not None else None
        if helper is None or (last_run is not None and _runs_after(ctx, call, last_run)):
            continue  # a model built after the last training run (a checkpoint loaded to predict) is not trained
        if helper.parameter is not None:  # freezes what it is given: the backbone passed here
            given = call.arg(helper.parameter[1], helper.parameter[0])
            frozen = frozen_backbones(facts.model, facts.backbones, given.value, call.scope, call.index) if given else ()
            helper = ParameterFreeze(helper.node, helper.scope, frozen)
        name = _with_batchnorm(helper)
        if name is not None:
            yield call.node, name, ((helper.node, f"{function}() freezes the parameters of {name} here"),)


# Attribute names that hold the whole model (``self.model.eval()`` evaluates, it keeps no part frozen).
_WHOLE_MODEL = frozenset({"model", "net", "network"})


def _keeps_frozen_in_eval(facts: Facts) -> bool:
    """Whether the code puts part of a model in evaluation mode (``model.backbone.eval()``,
    ``m.eval()`` for the modules of a loop, a ``def train(self, mode=True)`` override): the frozen
    BatchNorm layers may be kept out of training mode."""
    model = facts.model
    for call in model.method_calls("eval", "train"):
        receiver = call.receiver or ""
        if receiver.removeprefix("self.") in _WHOLE_MODEL:
            continue  # self.model.eval(): the whole model, for evaluation
        if call.method == "train" and not (call.node.args and model.value(call.node.args[0].value) is False):
            continue
        if "." in receiver or any(isinstance(loop, cst.For) and receiver in names_in(loop.target) for loop in call.loops):
            return True
    override = model.functions.get("train")
    names = [param.name.value for param in override.params.params] if override is not None else []
    return names[:1] == ["self"] and "mode" in names


def _last_training_run(ctx: RuleContext[NoOptions]) -> int | None:
    """The position of the last module-level statement of the file that trains: ``loss.backward()``
    at the top level, or a call of a function (of the file, or a trainer of a project module)
    that trains; None when none is seen."""
    model = ctx.facts.model
    trainers = set(ctx.imported.torch_trainers) | model.functions_reaching(
        call.scope.name for call in ctx.facts.torch_trainings if not call.scope.is_module)
    runs = [call.index for call in model.calls if call.scope.is_module and (
        call in ctx.facts.torch_trainings or dotted(call.node.func) in trainers)]
    return max(runs, default=None)


def _runs_after(ctx: RuleContext[NoOptions], call: CallSite, position: int) -> bool:
    """Whether a call runs only after module-level position ``position``: it is at the top level
    after it, or in a function of the file that the top level calls only after it (or never)."""
    model = ctx.facts.model
    if call.scope.is_module:
        return call.index > position
    callers = model.functions_reaching((call.scope.name,))
    runs = [c.index for c in model.calls if c.scope.is_module and isinstance(c.node.func, cst.Name) and c.node.func.value in callers]
    return all(index > position for index in runs)


def _trains(ctx: RuleContext[NoOptions]) -> bool:
    """Whether the file trains a PyTorch model: itself, or by calling a function of a project
    module that does (``drv.train(model, loaders)``)."""
    trainers = ctx.imported.torch_trainers
    return bool(ctx.facts.torch_trainings) or bool(trainers) and any(
        dotted(call.node.func) in trainers for call in ctx.facts.model.calls)


def _torch(ctx: RuleContext[NoOptions]) -> Iterator[Report]:
    facts = ctx.facts
    if not _trains(ctx) or _keeps_frozen_in_eval(facts):
        return
    for anchor, name, related in _torch_frozen(ctx):
        yield Report(
            anchor,
            f"the pretrained {name} is frozen (requires_grad = False), but training mode keeps its BatchNorm layers "
            "updating their running mean and variance from your batches: the frozen features drift, and evaluation "
            "uses statistics the head never trained on",
            hint="after model.train(), put the frozen part back in eval mode (model.backbone.eval(), or m.eval() for "
                 "its BatchNorm modules)",
            related=related,
        )
        return  # once per file: one explanation, one fix


def _trained_between(facts: Facts, freeze: AttributeAssignment, unfreeze: AttributeAssignment) -> bool:
    """Whether the frozen backbone may train before it is unfrozen (in the same scope): a call that
    may fit runs between the two. Freezing the first layers and leaving the rest trainable before
    any training is one stage, not a switch."""
    return any(freeze.index <= call.index < unfreeze.index and call.scope == freeze.scope and _may_train(facts, call)
               for call in facts.model.calls)


def _may_train(facts: Facts, call: CallSite) -> bool:
    """A ``fit``, or a call of a function that is not a computing library's (one of the file's, of
    a project module, or unknown), which may fit."""
    if call.method in FIT_METHODS:
        return True
    func = call.node.func
    return (isinstance(func, cst.Name) and not facts.model.is_builtin(func.value)
            and (call.qualname is None or call.qualname.split(".", 1)[0] not in training_table.COMPUTING_LIBRARIES)
            and not _library_object(facts, func.value, call))


def _library_object(facts: Facts, name: str, call: CallSite) -> bool:
    """Whether a name called is only ever bound to what a computing library made or names
    (``base = MobileNet(…)``, ``pool = layers.GlobalAveragePooling2D()``, ``preprocess =
    mobilenet.preprocess_input``): a layer, a model or a library function computes, it does not fit."""
    model = facts.model
    bindings = model.bindings.get(model.qualify(name, call.scope), ())
    return bool(bindings) and all(binding.kind == "assign" and _made_by_library(model, binding.value) for binding in bindings)


def _made_by_library(model: SemanticModel, value: cst.BaseExpression | None) -> bool:
    """Whether a value is a call of a computing library (``MobileNet(…)``) or one of its names."""
    if isinstance(value, cst.Call):
        site = model.call_site(value)
        qualname = site.qualname if site is not None else None
    else:
        qualname = model.imports.resolve(value) if value is not None else None
    return qualname is not None and qualname.split(".", 1)[0] in training_table.COMPUTING_LIBRARIES


def check(ctx: RuleContext[NoOptions]) -> Iterator[Report]:
    facts = ctx.facts
    yield from _torch(ctx)
    reported: set[int] = set()
    # Attribute assignments are listed in statement order (their index only counts calls).
    order = {id(assignment): position for position, assignment in enumerate(facts.model.attribute_assignments)}
    for call in _backbones(facts):
        short = (call.qualname or "").rsplit(".", 1)[-1]
        for name in call.assigned_to:
            backbone = _Backbone(facts, call, facts.model.qualify(name, call.scope), name)
            unfreeze, freeze_bn, freeze = _unfreezes(ctx, backbone)
            unfreeze = [
                u
                for u in unfreeze
                if not any(order[id(f)] > order[id(u)] for f in freeze_bn)
                and any(f.scope != u.scope or order[id(f)] < order[id(u)] and _trained_between(facts, f, u) for f in freeze)
            ]
            if not unfreeze:
                continue
            related: tuple[tuple[Anchor, str], ...] = tuple((u.node, "unfrozen here") for u in unfreeze[:3])
            for use, how in _training_mode_uses(facts, backbone):
                if id(use.node) in reported:
                    continue
                reported.add(id(use.node))
                yield Report(
                    use.node,
                    f"pretrained {short} '{name}' is unfrozen for fine-tuning but {how}: its "
                    "BatchNormalization layers will normalize with each batch's statistics and overwrite "
                    "the pretrained moving mean/variance",
                    hint=f"call {name}(x, training=False) and keep its BatchNormalization layers frozen when unfreezing (Keras 3 needs both)",
                    related=related,
                    fix=_inference_mode(facts, use, backbone.key),
                )


_EFN = "import efficientnet.tfkeras as efn\nfrom tensorflow.keras import layers, Model, Input\n"
_BASE = "base = efn.EfficientNetB0(weights='imagenet', include_top=False)\n"

_TORCH = "import torch\nimport timm\nmodel = timm.create_model('efficientnet_b0', pretrained=True, num_classes=5)\n"
_TORCH_TRAIN = "for x, y in loader:\n    criterion(model(x), y).backward()\n"

VALID = [
    # The freezing branch tests a parameter that every call sets so that it does not run.
    "import torch\nfrom torchvision import models\ndef build(requires_grad):\n    net = models.resnet50(pretrained=True)\n"
    "    if requires_grad == False:\n        for p in net.parameters():\n            p.requires_grad = False\n    return net\n"
    "model = build(requires_grad=True)\nopt = torch.optim.SGD(model.parameters(), lr=0.1)\nfor epoch in range(3):\n"
    "    model.train()\n    for x, y in loader:\n        opt.zero_grad()\n        criterion(model(x), y).backward()\n        opt.step()\n",
    # Frozen, then unfrozen before any fit: calling the backbone and the head's layers on a batch
    # computes features, it trains nothing (one stage, not a switch).
    "import tensorflow as tf\nbase = tf.keras.applications.MobileNet(include_top=False, weights='imagenet')\n"
    "base.trainable = False\nfeatures = base(images)\npool = tf.keras.layers.GlobalAveragePooling2D()\n"
    "preprocess = tf.keras.applications.mobilenet.preprocess_input\nx = pool(base(preprocess(inputs)))\n"
    "model = tf.keras.Model(inputs, x)\nbase.trainable = True\nmodel.compile('sgd', 'mse')\nmodel.fit(ds, epochs=20)\n",
    # The first layers frozen and the rest left trainable before any training: one stage, no switch.
    "from tensorflow import keras\nbase = keras.applications.Xception(weights='imagenet', include_top=False)\n"
    "for layer in base.layers[:115]:\n    layer.trainable = False\nfor layer in base.layers[115:]:\n    layer.trainable = True\n"
    "model = keras.Model(base.input, keras.layers.Dense(6)(keras.layers.GlobalAveragePooling2D()(base.output)))\n"
    "model.fit(ds, epochs=10)\n",
    # PyTorch: the frozen backbone is put back in eval mode after model.train().
    _TORCH + "for p in model.parameters():\n    p.requires_grad = False\nmodel.train()\nmodel.conv_stem.eval()\n" + _TORCH_TRAIN,
    # PyTorch: a ViT has no BatchNorm.
    "import torch\nimport timm\nmodel = timm.create_model('vit_base_patch16_224', pretrained=True)\n"
    "for p in model.parameters():\n    p.requires_grad = False\n" + _TORCH_TRAIN,
    # PyTorch: VGG without "_bn" has no normalization layers at all.
    "import torch\nfrom torchvision import models\nmodel = models.vgg19(pretrained=True)\n"
    "for p in model.features.parameters():\n    p.requires_grad = False\n" + _TORCH_TRAIN,
    # PyTorch: not trained in this file.
    _TORCH + "for p in model.parameters():\n    p.requires_grad = False\n",
    # PyTorch: a model class puts its frozen backbone back in eval mode after train().
    "import torch\nfrom torchvision import models\nclass Net(torch.nn.Module):\n    def __init__(self):\n        super().__init__()\n"
    "        self.backbone = models.resnet50(pretrained=True)\n        for p in self.backbone.parameters():\n"
    "            p.requires_grad = False\n    def fit(self, loader):\n        self.train()\n        self.backbone.eval()\n"
    "        for x, y in loader:\n            criterion(self(x), y).backward()\n",
    # PyTorch: only the BatchNorm layers' affine weights are frozen; the network itself trains.
    _TORCH + "for m in model.modules():\n    if isinstance(m, torch.nn.BatchNorm2d):\n        m.weight.requires_grad = False\n"
    "        m.bias.requires_grad = False\n" + _TORCH_TRAIN,
    # PyTorch: of a name bound to one backbone per branch, the branch that freezes holds VGG (no BatchNorm).
    "import torch\nfrom torchvision import models\nif arch == 'resnet':\n    net = models.resnet50(pretrained=True)\n"
    "elif arch == 'vgg':\n    net = models.vgg16(pretrained=True)\n    for p in net.features.parameters():\n"
    "        p.requires_grad = False\n" + _TORCH_TRAIN.replace("model(x)", "net(x)"),
    # PyTorch: a helper whose flag every call sets to True only unfreezes.
    _TORCH + "def set_frozen(module, unfreeze=False):\n    for p in module.parameters():\n        p.requires_grad = unfreeze\n" + "set_frozen(model, unfreeze=True)\n" + _TORCH_TRAIN,
    # training=False keeps BN in inference mode.
    _EFN + _BASE + "inputs = Input((224, 224, 3))\nx = base(inputs, training=False)\nbase.trainable = True",
    # Never unfrozen: a frozen BN runs in inference mode.
    _EFN + _BASE + "base.trainable = False\ninputs = Input((224, 224, 3))\nx = base(inputs)",
    # Unfrozen, but BatchNormalization layers stay frozen.
    "from tensorflow import keras\nfrom tensorflow.keras import layers\n"
    "base = keras.applications.EfficientNetB0(weights='imagenet', include_top=False)\n"
    "model = keras.Sequential([base, layers.GlobalAveragePooling2D(), layers.Dense(10)])\n"
    "for layer in base.layers[-20:]:\n    if not isinstance(layer, layers.BatchNormalization):\n"
    "        layer.trainable = True",
    "import tensorflow as tf\nbase = tf.keras.applications.ResNet50(weights='imagenet', include_top=False)\n"
    "x = base(inputs)\nbase.trainable = True\nfor layer in base.layers:\n"
    "    if isinstance(layer, tf.keras.layers.BatchNormalization):\n        layer.trainable = False",
    "import keras\nbase = keras.applications.MobileNetV2(weights='imagenet')\nx = base(inputs)\n"
    "for layer in base.layers:\n    layer.trainable = not isinstance(layer, keras.layers.BatchNormalization)",
    "import keras\nbase = keras.applications.MobileNetV2(weights='imagenet')\nx = base(inputs)\n"
    "for layer in base.layers:\n    if 'bn' in layer.name:\n        continue\n    else:\n        layer.trainable = True",
    # Not pretrained.
    _EFN + "base = efn.EfficientNetB0(weights=None, include_top=False)\nx = base(inputs)\nbase.trainable = True",
    # A different object under the same name.
    _EFN + _BASE + "x = base(inputs, training=False)\nbase = efn.EfficientNetB0(weights=None)\n"
    "base.trainable = True\ny = base(inputs)",
    # Trained from the start, never frozen and unfrozen.
    "from tensorflow.keras.applications import ResNet50\nfrom tensorflow.keras.models import Sequential\n"
    "base = ResNet50(weights='imagenet', include_top=False)\nmodel = Sequential([base])",
    "import tensorflow as tf\nencoder = tf.keras.applications.VGG16(input_tensor=inputs, weights='imagenet', include_top=False)\n"
    "encoder.trainable = True  # the default: nothing was frozen\nx = encoder.output\n"
    "model = tf.keras.Model(inputs=inputs, outputs=tf.keras.layers.Conv2D(3, 1)(x))",
    # Calling the backbone on a batch of data (not building a model) runs it in inference mode.
    "import tensorflow as tf\nbase_model = tf.keras.applications.MobileNetV2(include_top=False, weights='imagenet')\n"
    "feature_batch = base_model(image_batch)\nbase_model.trainable = False\nx = base_model(x, training=False)\n"
    "model = tf.keras.Model(inputs, tf.keras.layers.Dense(1)(x))\nbase_model.trainable = True",
    # VGG16 has no BatchNormalization layers.
    "from keras.applications import VGG16\nfrom keras import layers\nimport keras\n"
    "conv_base = VGG16(weights='imagenet', include_top=False)\nconv_base.trainable = False\n"
    "x = conv_base(inputs)\nmodel = keras.Model(inputs, layers.Dense(1)(x))\nconv_base.trainable = True",
]

INVALID = [
    # Everything but the BatchNorm layers frozen: the BatchNorm statistics keep drifting.
    Invalid(
        "import torch\nfrom torchvision import models\nmodel = models.resnet50(weights='IMAGENET1K_V2')\n"
        "for m in model.modules():\n    if not isinstance(m, torch.nn.BatchNorm2d):\n        for p in m.parameters(recurse=False):\n"
        "            p.requires_grad = False\n" + _TORCH_TRAIN,
        message="the pretrained resnet50 is frozen", range=(7, 13, 7, 36),
    ),
    # efficientnet_pytorch's from_pretrained, named by its model name.
    Invalid(
        "import torch\nfrom efficientnet_pytorch import EfficientNet\n"
        "model = EfficientNet.from_pretrained('efficientnet-b4', num_classes=5)\n"
        "for name, p in model.named_parameters():\n    if '_fc' not in name:\n        p.requires_grad = False\n" + _TORCH_TRAIN,
        message="the pretrained efficientnet-b4 is frozen", range=(6, 9, 6, 32),
    ),
    # A helper that freezes what it is given unless told otherwise: reported at the call that freezes.
    Invalid(
        _TORCH + "def set_frozen(module, unfreeze=False):\n    for p in module.parameters():\n        p.requires_grad = unfreeze\n" + "set_frozen(model)\nset_frozen(model.classifier, unfreeze=True)\n" + _TORCH_TRAIN,
        message="the pretrained efficientnet_b0 is frozen", range=(7, 1, 7, 18),
    ),
    Invalid(
        _TORCH + "for param in model.parameters():\n    param.requires_grad = False\nmodel.train()\n" + _TORCH_TRAIN,
        message="the pretrained efficientnet_b0 is frozen (requires_grad = False)", range=(5, 5, 5, 32),
    ),
    Invalid(
        "import torchvision\nnet = torchvision.models.resnet50(weights='IMAGENET1K_V2')\nnet.requires_grad_(False)\n"
        "net.fc = torch.nn.Linear(2048, 10)\nfor x, y in loader:\n    criterion(net(x), y).backward()\n",
        range=(3, 1, 3, 26),
    ),
    Invalid(
        _EFN + _BASE + "inputs = Input((224, 224, 3))\nx = base(inputs)\nx = layers.Dense(10)(x)\n"
        "model = Model(inputs, x)\nbase.trainable = False\nmodel.compile('adam', 'mse')\nmodel.fit(ds, epochs=3)\nbase.trainable = True",
        message="base(…) is called without training=False",
        fixed=_EFN + _BASE + "inputs = Input((224, 224, 3))\nx = base(inputs, training=False)\nx = layers.Dense(10)(x)\n"
        "model = Model(inputs, x)\nbase.trainable = False\nmodel.compile('adam', 'mse')\nmodel.fit(ds, epochs=3)\nbase.trainable = True", range=(5, 5, 5, 17)
    ),
    Invalid(
        "import tensorflow as tf\nbase = tf.keras.applications.EfficientNetB3(include_top=False)\n"
        "model = tf.keras.Sequential([base, tf.keras.layers.GlobalAveragePooling2D(), tf.keras.layers.Dense(5)])\n"
        "base.trainable = False\nmodel.fit(ds, epochs=3)\nbase.trainable = True",
        message="layer of this Sequential", range=(3, 9, 3, 104)
    ),
    # The student's half unfreeze: the top half, BatchNormalization included, trains.
    Invalid(
        "import tensorflow.keras as keras\nfrom tensorflow.keras.models import Model\n"
        "base_model = keras.applications.ResNet50V2(weights='imagenet', include_top=False)\n"
        "base_model.trainable = False\n"
        "x = base_model(inputs)\nmodel = Model(inputs=inputs, outputs=keras.layers.Dense(10)(x))\nmodel.fit(ds, epochs=3)\n"
        "fine_tune_at = len(base_model.layers) // 2\nfor layer in base_model.layers[fine_tune_at:]:\n"
        "    layer.trainable = True",
        fixed="import tensorflow.keras as keras\nfrom tensorflow.keras.models import Model\n"
        "base_model = keras.applications.ResNet50V2(weights='imagenet', include_top=False)\n"
        "base_model.trainable = False\n"
        "x = base_model(inputs, training=False)\nmodel = Model(inputs=inputs, outputs=keras.layers.Dense(10)(x))\nmodel.fit(ds, epochs=3)\n"
        "fine_tune_at = len(base_model.layers) // 2\nfor layer in base_model.layers[fine_tune_at:]:\n"
        "    layer.trainable = True", range=(5, 5, 5, 23)
    ),
    Invalid(
        "from tensorflow.keras.applications import MobileNetV2 as Net\nfrom tensorflow.keras.models import Model\n"
        "base = Net(weights='imagenet', include_top=False)\nx = base.output\nout = Dense(2)(x)\n"
        "model = Model(inputs=base.input, outputs=out)\nfor layer in base.layers:\n    layer.trainable = False\n"
        "model.fit(ds, epochs=3)\nfor layer in model.layers:\n    layer.trainable = True",
        message="own graph", range=(6, 9, 6, 46)
    ),
    Invalid(
        "import keras\nWEIGHTS = 'imagenet'\nbase = keras.applications.Xception(weights=WEIGHTS, include_top=False)\n"
        "model = keras.Sequential()\nmodel.add(base)\nmodel.add(keras.layers.Dense(3))\nbase.trainable = False\n"
        "model.fit(ds, epochs=3)\nmodel.trainable = True",
        message="added to a Sequential", range=(5, 1, 5, 16)
    ),
    Invalid(
        _EFN + "def build():\n    base = efn.EfficientNetB4(weights='noisy-student', include_top=False)\n"
        "    base.trainable = False\n    warm_up(base)\n    base.trainable = True\n    inputs = Input((380, 380, 3))\n    return Model(inputs, base(inputs, training=True))",
        fixed=_EFN + "def build():\n    base = efn.EfficientNetB4(weights='noisy-student', include_top=False)\n"
        "    base.trainable = False\n    warm_up(base)\n    base.trainable = True\n    inputs = Input((380, 380, 3))\n    return Model(inputs, base(inputs, training=False))", range=(9, 26, 9, 53)
    ),
]
