"""RL506 softmax-from-logits-mismatch: the output activation and the loss's `from_logits` disagree.

## What it does
Finds the output layer of a Keras model and the cross-entropy loss it is compiled with, and
reports when they disagree:

- a softmax/sigmoid output (`Dense(n, activation="softmax")`, `Activation("sigmoid")`,
  `layers.Softmax()`, `tf.nn.softmax(x)`) with a loss built with `from_logits=True`
  (`CategoricalCrossentropy`, `SparseCategoricalCrossentropy`, `BinaryCrossentropy`, the focal
  variants) or a `tf.nn.*_cross_entropy_with_logits` loss;
- a linear output (`Dense(n)` with no activation, `activation=None`/`"linear"`) with a loss that
  expects probabilities: `from_logits=False` (the default) or the strings
  `"categorical_crossentropy"`, `"sparse_categorical_crossentropy"`, `"binary_crossentropy"`.

The output layer is determined conservatively: the last element of a `Sequential([...])` list (or
the last `model.add(...)`), or the layer that produces the tensor passed as `outputs=` to
`keras.Model(inputs, outputs)`, following names to the assignment that precedes the call (a layer
bound to a name and called later, `head = Dense(5, activation="softmax")` … `outputs = head(x)`,
too). When the model, its last layer, its activation or the loss cannot be determined (a `Lambda`, a
`Dropout` last, a loss passed as a variable of unknown origin, several outputs), nothing is
reported.

PyTorch: a softmax before `nn.CrossEntropyLoss`/`F.cross_entropy`, which apply log_softmax
themselves — on the loss's input (`criterion(torch.softmax(out, 1), y)`, `x.softmax(1)`,
`nn.Softmax(dim=1)(x)`, followed through names), or as the model's own output (every `forward`
returns a softmax, or an `nn.Sequential` ends with `nn.Softmax`, also built from a list of layers)
in a file that trains with cross entropy (also one held by reference: `self.loss_fn = F.cross_entropy`);
and softmax probabilities passed to `NLLLoss`/`nll_loss`,
which expect log-probabilities. A `forward` that returns several values (`loss, F.softmax(logits)`)
is not the loss's input.

## Why it matters
With `from_logits=True` the loss applies softmax (or sigmoid) itself: on top of a softmax output
it squashes probabilities a second time, the loss barely moves and gradients all but vanish, so
the model trains slowly or not at all. The other way round, a loss that expects probabilities
treats raw logits (which can be negative and do not sum to 1) as probabilities: Keras clips and
renormalizes them and the loss and its gradient are wrong. Both train without an error; both
quietly cost accuracy.

## Example
```python
outputs = layers.Dense(10, activation="softmax")(x)
model = keras.Model(inputs, outputs)
model.compile(loss=keras.losses.CategoricalCrossentropy(from_logits=True), optimizer="adam")
```

## Use instead
```python
outputs = layers.Dense(10)(x)  # logits
model = keras.Model(inputs, outputs)
model.compile(loss=keras.losses.CategoricalCrossentropy(from_logits=True), optimizer="adam")
```
"""

from __future__ import annotations

import re

from collections.abc import Iterator

import libcst as cst

from reviewlint.api import CallSite, Facts, Invalid, NoOptions, Report, RuleContext, Scope, SemanticModel, Severity, dotted
from reviewlint.knowledge import training

CODE = "RL506"
NAME = "softmax-from-logits-mismatch"
SEVERITY = Severity.WARNING
SUMMARY = "Output activation and the loss disagree (softmax applied twice, or logits as probabilities), in Keras and PyTorch"
TRIGGERS = ("crossentropy", "Crossentropy", "cross_entropy", "CrossEntropy", "nll_loss", "NLLLoss")


def _single(facts: Facts, node: cst.BaseExpression, scope: Scope, before: int | None) -> tuple[cst.BaseExpression, Scope] | None:
    """The one expression a value comes from, or None when there are several or none."""
    found = facts.model.origins(node, scope, before)
    return found[0] if len(found) == 1 else None


def _loss(facts: Facts, compile_call: CallSite) -> tuple[bool, str, cst.CSTNode] | None:
    """Whether the loss expects logits, how to name it, and where it is set; None when unknown."""
    arg = compile_call.arg("loss", 1)
    if arg is None:
        return None
    origin = _single(facts, arg.value, compile_call.scope, compile_call.index)
    if origin is None:
        return None
    node, _ = origin
    value = facts.model.value(node) if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)) else None
    if isinstance(value, str):
        return (False, f"loss={value!r}", arg) if value in training.LOSS_STRINGS else None
    if isinstance(node, cst.Call):
        site = facts.model.call_site(node)
        qualname = site.qualname if site is not None else None
        if qualname in training.LOSS_CLASSES and site is not None:
            from_logits = site.arg("from_logits")
            logits = False if from_logits is None else facts.model.value(from_logits.value)
            if logits is not True and logits is not False:
                return None
            short = qualname.rsplit(".", 1)[-1]
            return logits, f"{short}(from_logits={logits})", from_logits if from_logits is not None else node
        return None
    if isinstance(node, (cst.Name, cst.Attribute)):
        qualname = facts.model.imports.resolve(node)
        if qualname in training.LOSS_FUNCTIONS:
            return False, f"loss={qualname.rsplit('.', 1)[-1]}", arg
        if qualname in training.LOGITS_LOSSES:
            return True, f"loss={qualname.rsplit('.', 1)[-1]}", arg
    return None


def _activation_of(facts: Facts, node: cst.BaseExpression | None) -> str | None:
    """'softmax', 'sigmoid', 'linear', another activation name, or None when unknown."""
    if node is None:
        return "linear"
    value = facts.model.value(node)
    if value is None:
        return "linear"
    if isinstance(value, str):
        return value
    if isinstance(node, (cst.Name, cst.Attribute)):
        qualname = facts.model.imports.resolve(node)
        if qualname in training.ACTIVATION_FUNCTIONS:
            return training.ACTIVATION_FUNCTIONS[qualname]
        if qualname and qualname.startswith("keras.activations."):
            return qualname.rsplit(".", 1)[-1]
    return None


def _layer(facts: Facts, node: cst.BaseExpression) -> tuple[str, cst.CSTNode] | None:
    """The activation a layer constructor call (``Dense(…)``) applies, and the node to point at."""
    if not isinstance(node, cst.Call):
        return None
    site = facts.model.call_site(node)
    if site is None or site.qualname is None:
        return None
    qualname = site.qualname
    if qualname in training.ACTIVATION_LAYERS:
        arg = site.arg("activation", training.ACTIVATION_POSITION.get(qualname))
        kind = _activation_of(facts, arg.value if arg is not None else None)
    elif qualname == training.ACTIVATION_LAYER:
        arg = site.arg("activation", 0)
        kind = _activation_of(facts, arg.value) if arg is not None else None
    elif qualname == training.SOFTMAX_LAYER:
        kind = "softmax"
    else:
        return None
    return (kind, node) if kind is not None else None


def _passes_through(facts: Facts, node: cst.BaseExpression) -> bool:
    """A layer that leaves the activation of its input as it is: Activation('linear'), Reshape, Flatten."""
    site = facts.model.call_site(node) if isinstance(node, cst.Call) else None
    if site is None or site.qualname is None:
        return False
    if site.qualname in training.PASS_THROUGH_LAYERS:
        return True
    if site.qualname == training.ACTIVATION_LAYER:
        arg = site.arg("activation", 0)
        return arg is not None and _activation_of(facts, arg.value) == "linear"
    return False


def _last_layer(facts: Facts, layers: list[cst.BaseExpression]) -> tuple[str, cst.CSTNode] | None:
    """The activation of the last layer of a Sequential that is not a pass-through layer."""
    for node in reversed(layers):
        if not _passes_through(facts, node):
            return _layer(facts, node)
    return None


def _tensor(facts: Facts, node: cst.BaseExpression, scope: Scope, depth: int = 0) -> tuple[str, cst.CSTNode] | None:
    """The activation applied last to a tensor: ``Dense(…)(x)`` or ``tf.nn.softmax(x)``."""
    if not isinstance(node, cst.Call) or depth > 5:
        return None
    site = facts.model.call_site(node)
    before = site.index if site is not None else None
    layer: cst.BaseExpression = node.func
    if isinstance(layer, cst.Name):
        # prediction_layer = Dense(275, activation="softmax") … outputs = prediction_layer(x)
        bound = _single(facts, layer, scope, before)
        if bound is not None and isinstance(bound[0], cst.Call) and facts.model.call_site(bound[0]) is not None:
            layer = bound[0]
    if isinstance(layer, cst.Call):
        if _passes_through(facts, layer) and node.args and node.args[0].keyword is None:
            produced = _single(facts, node.args[0].value, scope, before)
            return _tensor(facts, produced[0], produced[1], depth + 1) if produced is not None else None
        return _layer(facts, layer)
    if site is not None and site.qualname in training.ACTIVATION_FUNCTIONS:
        return training.ACTIVATION_FUNCTIONS[site.qualname], node
    return None


def _output(facts: Facts, compile_call: CallSite) -> tuple[str, cst.CSTNode] | None:
    """The activation of the compiled model's output layer, when the code shows it unambiguously."""
    receiver = compile_call.receiver
    if receiver is None or "." in receiver:
        return None
    origin = _single(facts, cst.Name(receiver), compile_call.scope, compile_call.index)
    if origin is None or not isinstance(origin[0], cst.Call):
        return None
    node, scope = origin
    model = facts.model.call_site(node)
    if model is None:
        return None
    if model.qualname == "keras.Sequential":
        adds = [
            call
            for call in facts.model.method_calls("add")
            if call.receiver == receiver and call.scope == compile_call.scope
            and model.index < call.index < compile_call.index and call.node.args
        ]
        if adds:
            return _last_layer(facts, [call.node.args[0].value for call in sorted(adds, key=lambda call: call.index)])
        layers = model.arg("layers", 0)
        if layers is None or not isinstance(layers.value, (cst.List, cst.Tuple)) or not layers.value.elements:
            return None
        if not all(isinstance(element, cst.Element) for element in layers.value.elements):
            return None
        return _last_layer(facts, [element.value for element in layers.value.elements])
    if model.qualname == "keras.Model":
        outputs = model.arg("outputs", 1)
        if outputs is None:
            return None
        produced = _single(facts, outputs.value, scope, model.index)
        return _tensor(facts, produced[0], produced[1]) if produced is not None else None
    return None


def check(ctx: RuleContext[NoOptions]) -> Iterator[Report]:
    yield from _torch_check(ctx)
    facts = ctx.facts
    for compile_call in facts.model.method_calls("compile"):
        loss = _loss(facts, compile_call)
        if loss is None:
            continue
        output = _output(facts, compile_call)
        if output is None:
            continue
        expects_logits, loss_text, anchor = loss
        activation, layer = output
        if expects_logits and activation in training.SQUASHING_ACTIVATIONS:
            yield Report(
                anchor,
                f"the model's output layer already applies {activation}, but {loss_text} applies it again "
                "inside the loss: the outputs are squashed twice and the gradients nearly vanish",
                hint="drop the output activation (output logits), or build the loss with from_logits=False",
                related=((layer, f"output layer with {activation}"),),
            )
        elif not expects_logits and activation in training.LINEAR_ACTIVATIONS | {"linear"}:
            yield Report(
                anchor,
                f"the model's output layer has no activation (it outputs logits), but {loss_text} expects "
                "probabilities: the loss treats raw logits as probabilities",
                hint="use the loss with from_logits=True, or give the output layer a softmax/sigmoid activation",
                related=((layer, "output layer without activation"),),
            )


def _makers(model: SemanticModel) -> dict[str, set[str | None]]:
    """What each attribute is assigned a call of (``self.criterion = nn.CrossEntropyLoss()``)."""
    made: dict[str, set[str | None]] = {}
    for assigned in model.attribute_assignments:
        if isinstance(assigned.value, cst.Call):
            made.setdefault(assigned.target, set()).add(model.imports.resolve(assigned.value.func))
    return made


def _made_by(made: dict[str, set[str | None]], target: str, qualnames: frozenset[str] | set[str]) -> bool:
    """Whether an attribute (``self.criterion``) is assigned a call of one of ``qualnames`` (``made``: :func:`_makers`)."""
    return not made.get(target, set()).isdisjoint(qualnames)


def _softmax(ctx: RuleContext[NoOptions], node: cst.BaseExpression) -> bool:
    """Whether an expression is softmax applied: ``F.softmax(x, 1)``, ``torch.softmax``,
    ``x.softmax(1)``, ``nn.Softmax(dim=1)(x)``, ``self.softmax(x)`` with ``self.softmax = nn.Softmax(…)``."""
    if not isinstance(node, cst.Call):
        return False
    model = ctx.model
    site = model.call_site(node)
    if site is not None and (site.qualname in training.TORCH_SOFTMAX_FUNCTIONS or (site.qualname is None and site.method == "softmax")):
        return True
    func = node.func
    if isinstance(func, cst.Call) and model.imports.resolve(func.func) == training.TORCH_SOFTMAX_MODULE:
        return True
    name = dotted(func)
    return name is not None and _made_by(_makers(model), name, {training.TORCH_SOFTMAX_MODULE})


def _torch_losses(ctx: RuleContext[NoOptions]) -> Iterator[tuple[CallSite, str, bool]]:
    """Calls that apply a PyTorch cross entropy (True) or NLL loss (False), with how to name them."""
    model = ctx.model
    built = {
        owner: call.qualname in training.TORCH_CROSS_ENTROPY
        for call in model.calls
        if call.qualname in training.TORCH_CROSS_ENTROPY | training.TORCH_NLL
        for owner in model.owners(call)
    }
    functions = training.TORCH_CROSS_ENTROPY_FUNCTIONS | training.TORCH_NLL_FUNCTIONS
    # A loss function held by reference: self.loss_fn = F.cross_entropy, criterion = F.nll_loss.
    held = {
        target: qualname
        for targets, value in [(tuple(item.targets), item.value) for item in model.assignments]
        + [((item.target,), item.value) for item in model.attribute_assignments]
        if (qualname := model.imports.resolve(value)) in functions
        for target in targets
    }
    made = _makers(model)
    for call in model.calls:
        if call.qualname in functions:
            yield call, f"{call.qualname.rsplit('.', 1)[-1]}()", call.qualname in training.TORCH_CROSS_ENTROPY_FUNCTIONS
            continue
        if call.qualname is not None:
            continue
        name = dotted(call.node.func)
        if name is None:
            continue
        var = model.qualify(name, call.scope)
        if name in held:
            yield call, f"{name}()", held[name] in training.TORCH_CROSS_ENTROPY_FUNCTIONS
        elif var in built:
            yield call, f"{name}()", built[var]
        elif "." in name and _made_by(made, name, training.TORCH_CROSS_ENTROPY):
            yield call, f"{name}()", True
        elif "." in name and _made_by(made, name, training.TORCH_NLL):
            yield call, f"{name}()", False


# A softmax that weighs the outputs of other parts (a mixture-of-experts gate, attention weights)
# is not the model's output.
_WEIGHTING = re.compile(r"gate|gating|att|weight|router|mask", re.IGNORECASE)


def _softmax_outputs(ctx: RuleContext[NoOptions]) -> list[cst.CSTNode]:
    """The softmax the models of this file end with: every ``forward`` returns a softmax, or
    each ``nn.Sequential`` that ends with ``nn.Softmax`` (a head put on one backbone, then on another)."""
    model = ctx.model
    returned = model.returns.get("forward", ())
    found = [_softmax_origin(ctx, value, model.return_scope(value)) for value in returned]
    if returned and all(node is not None for node in found):
        return [node for node in found[:1] if node is not None]
    outputs: list[cst.CSTNode] = []
    for call in model.calls:
        if call.qualname == "torch.nn.Sequential" and call.node.args:
            last_arg = call.node.args[-1]
            # nn.Sequential(*layers) after layers.append(nn.Softmax(dim=1)): the list's last element.
            layers = [last_arg.value] if not last_arg.star else [o for o, _ in model.origins(last_arg.value, call.scope, before=call.index)]
            last = layers[-1] if layers else None
            if isinstance(last, cst.Call) and model.imports.resolve(last.func) == training.TORCH_SOFTMAX_MODULE and last not in outputs \
                    and not any(_WEIGHTING.search(name.rpartition(".")[2]) for name in call.assigned_to):
                outputs.append(last)
    return outputs


def _softmax_origin(ctx: RuleContext[NoOptions], value: cst.BaseExpression, scope: Scope) -> cst.CSTNode | None:
    """The softmax a returned value is, or was last assigned from (``x = nn.Softmax(dim=1)(x); return x``)."""
    if _softmax(ctx, value):
        return value
    if not isinstance(value, cst.Name):
        return None  # return loss, F.softmax(logits): the loss was computed on the logits
    origins = [origin for origin, _ in ctx.model.origins(value, scope)]
    return origins[-1] if origins and _softmax(ctx, origins[-1]) else None


def _torch_check(ctx: RuleContext[NoOptions]) -> Iterator[Report]:
    """Softmax before PyTorch's cross entropy (applied twice), or before NLLLoss (not a log)."""
    losses = list(_torch_losses(ctx))
    for call, name, cross_entropy in losses:
        argument = call.arg("input", 0)
        if argument is None:
            continue
        sources = [argument.value, *(origin for origin, _ in ctx.model.origins(argument.value, call.scope, before=call.index))]
        found = next((node for node in sources if _softmax(ctx, node)), None)
        if found is None:
            continue
        yield _torch_report(found, name, cross_entropy, call.node)
        return
    outputs = _softmax_outputs(ctx)
    if not outputs:
        return
    # The model's own output is softmax, and the file trains with cross entropy: applied here, or
    # built and handed to a trainer (ignite's create_supervised_trainer(model, opt, loss_fn)).
    applied = next(((call.node, name) for call, name, ce in losses if ce), None)
    built = next(((call.node, "CrossEntropyLoss") for call in ctx.model.calls if call.qualname in training.TORCH_CROSS_ENTROPY), None)
    first = applied or built
    if first is not None:
        for output in outputs:
            yield _torch_report(output, first[1], True, first[0])


def _torch_report(softmax: cst.CSTNode, loss: str, cross_entropy: bool, at: cst.CSTNode) -> Report:
    if cross_entropy:
        return Report(
            softmax,
            f"softmax is applied to the model's output, but {loss} applies log_softmax itself: the outputs are "
            "squashed twice and the gradients nearly vanish",
            hint="pass the raw logits to the loss; apply softmax only to read probabilities at inference",
            related=((at, "the loss takes logits here"),),
        )
    return Report(
        softmax,
        f"softmax gives probabilities, but {loss} expects log-probabilities: the loss is wrong",
        hint="use log_softmax before NLLLoss, or pass the logits to CrossEntropyLoss",
        related=((at, "the loss takes log-probabilities here"),),
    )


VALID = [
    # PyTorch: logits into cross entropy; log_softmax into NLL; softmax only to read probabilities.
    "import torch\nfrom torch import nn\ncriterion = nn.CrossEntropyLoss()\nlogits = model(x)\nloss = criterion(logits, y)\n"
    "probs = torch.softmax(logits, dim=1)",
    "import torch.nn.functional as F\nloss = F.nll_loss(F.log_softmax(model(x), dim=1), y)",
    # Consistent pairs.
    "from tensorflow.keras import layers, Model\noutputs = layers.Dense(10, activation='softmax')(x)\n"
    "model = Model(inputs, outputs)\nmodel.compile(loss='categorical_crossentropy', optimizer='adam')",
    "import tensorflow as tf\nmodel = tf.keras.Sequential([tf.keras.layers.Dense(64), tf.keras.layers.Dense(10)])\n"
    "model.compile(loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True), optimizer='adam')",
    "import keras\nmodel = keras.Sequential()\nmodel.add(keras.layers.Dense(1, activation='sigmoid'))\n"
    "model.compile('adam', 'binary_crossentropy')",
    "from tensorflow import keras\nloss_fn = keras.losses.BinaryCrossentropy(from_logits=True)\n"
    "model = keras.Sequential([keras.layers.Dense(1)])\nmodel.compile(optimizer='adam', loss=loss_fn)",
    # Unsure: the last layer is not an activation layer, or the loss is not a cross-entropy.
    "import keras\nmodel = keras.Sequential([keras.layers.Dense(10, activation='softmax'), keras.layers.Dropout(0.1)])\n"
    "model.compile(loss=keras.losses.CategoricalCrossentropy(from_logits=True))",
    "import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\nmodel.compile('adam', loss='mse')",
    "import keras\nmodel = keras.Sequential([keras.layers.Dense(10)])\nmodel.compile('adam', loss=my_loss)",
    "import keras\nmodel = build_model()\nmodel.compile('adam', loss='categorical_crossentropy')",
    "import keras\nmodel = keras.Model(inputs, [out1, out2])\nmodel.compile('adam', loss='categorical_crossentropy')",
    # The output was reassigned: the last assignment before Model() counts.
    "from tensorflow.keras import layers, Model\nx = layers.Dense(10)(x)\nx = layers.Activation('softmax')(x)\n"
    "model = Model(inputs, x)\nmodel.compile(loss='sparse_categorical_crossentropy')",
    "from tensorflow import keras\nx = keras.layers.Dense(10)(x)\nout = keras.layers.Softmax()(x)\nmodel = keras.Model(i, out)\n"
    "model.compile(loss='categorical_crossentropy')",
    # Mixed precision: a linear Activation only casts the softmax output to float32.
    "from tensorflow import keras\nfrom tensorflow.keras import layers\n"
    "x = layers.Dense(10, name='dense_logits')(x)\noutputs = layers.Activation('softmax', dtype='float32')(x)\n"
    "outputs = layers.Activation('linear', dtype='float32')(outputs)\nmodel = keras.Model(inputs=inputs, outputs=outputs)\n"
    "model.compile(loss='sparse_categorical_crossentropy', optimizer='rmsprop')",
    "import keras\nmodel = keras.Sequential([keras.layers.Dense(64 * 3, activation='softmax'), keras.layers.Reshape((64, 3))])\n"
    "model.compile(loss='categorical_crossentropy')",
    # A softmax gate weighs experts; it is not the model's output.
    "import torch\nfrom torch import nn\nclass Experts(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.gate = nn.Sequential(nn.Linear(8, 3), nn.Softmax(dim=-1))\n        self.criterion = nn.CrossEntropyLoss()\n",
]

INVALID = [
    # The output layer bound to a name, then called on the features.
    Invalid(
        "import tensorflow as tf\nhead = tf.keras.layers.Dense(5, activation='softmax')\ninputs = tf.keras.Input((8,))\n"
        "outputs = head(tf.keras.layers.Dense(16)(inputs))\nmodel = tf.keras.Model(inputs, outputs)\n"
        "model.compile('adam', loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))\n",
        message="from_logits=True", range=(6, 74, 6, 90),
    ),
    # PyTorch: a LightningModule whose forward returns softmax, with its loss held in an attribute.
    Invalid(
        "import torch\nimport torch.nn.functional as F\nimport pytorch_lightning as pl\n"
        "class Lit(pl.LightningModule):\n    def __init__(self, net):\n        super().__init__()\n"
        "        self.net = net\n        self.loss_fn = F.cross_entropy\n"
        "    def forward(self, x):\n        return F.softmax(self.net(x), dim=1)\n"
        "    def training_step(self, batch, i):\n        x, y = batch\n        return self.loss_fn(self(x), y)\n",
        message="applies log_softmax itself", range=(10, 16, 10, 45),
    ),
    # Keras names brought by star imports, as course notebooks write them.
    Invalid(
        "from tensorflow.keras import *\nfrom tensorflow.keras.layers import *\nfrom tensorflow.keras.losses import *\n"
        "model = Sequential([base, GlobalAveragePooling2D(), Dense(10, activation='softmax')])\n"
        "model.compile(loss=CategoricalCrossentropy(from_logits=True), optimizer='adam')",
        message="from_logits=True", range=(5, 44, 5, 60),
    ),
    # PyTorch: softmax, then CrossEntropyLoss (which applies log_softmax itself).
    Invalid(
        "import torch\nfrom torch import nn\ncriterion = nn.CrossEntropyLoss()\nprobs = torch.softmax(model(x), dim=1)\n"
        "loss = criterion(probs, y)",
        message="applies log_softmax itself", range=(4, 9, 4, 39),
    ),
    Invalid(
        "import torch.nn.functional as F\nloss = F.cross_entropy(F.softmax(out, dim=1), target)",
        range=(2, 24, 2, 45),
    ),
    Invalid(
        "import torch\nfrom torch import nn\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.fc = nn.Linear(10, 3)\n        self.softmax = nn.Softmax(dim=1)\n"
        "    def forward(self, x):\n        return self.softmax(self.fc(x))\n"
        "criterion = nn.CrossEntropyLoss()\nloss = criterion(Net()(x), y)",
        range=(9, 16, 9, 40),
    ),
    Invalid(
        "import torch\nfrom torch import nn\nlayers = [nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3)]\nlayers.append(nn.Softmax(dim=1))\n"
        "model = nn.Sequential(*layers)\nloss_fn = nn.CrossEntropyLoss()\nloss = loss_fn(model(x), y)",
        range=(4, 15, 4, 32),
    ),
    Invalid(
        "import torch\nfrom torch import nn\nloss_fn = nn.NLLLoss()\nloss = loss_fn(torch.softmax(out, 1), y)",
        message="expects log-probabilities", range=(4, 16, 4, 37),
    ),
    Invalid(
        "from tensorflow import keras\nfrom tensorflow.keras import layers\n"
        "outputs = layers.Dense(10, activation='softmax')(x)\nmodel = keras.Model(inputs, outputs)\n"
        "model.compile(loss=keras.losses.CategoricalCrossentropy(from_logits=True), optimizer='adam')",
        message="already applies softmax, but CategoricalCrossentropy(from_logits=True)", range=(5, 57, 5, 73)
    ),
    Invalid(
        "import tensorflow as tf\nmodel = tf.keras.Sequential([tf.keras.layers.Flatten(), tf.keras.layers.Dense(10)])\n"
        "model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])",
        message="no activation (it outputs logits), but loss='sparse_categorical_crossentropy'", range=(3, 33, 3, 71)
    ),
    Invalid(
        "import tensorflow\nmodel = tensorflow.keras.models.Sequential()\n"
        "model.add(tensorflow.keras.layers.Dense(1, activation='sigmoid'))\n"
        "model.compile('adam', tensorflow.keras.losses.BinaryCrossentropy(from_logits=True))",
        message="applies sigmoid", range=(4, 66, 4, 82)
    ),
    Invalid(
        "from keras.layers import Dense, Activation\nfrom keras.models import Model\nfrom keras.losses import SparseCategoricalCrossentropy as SCE\n"
        "LOGITS = True\nx = Dense(5)(x)\nout = Activation('softmax')(x)\nmodel = Model(inputs=i, outputs=out)\n"
        "loss = SCE(from_logits=LOGITS)\nmodel.compile(optimizer='sgd', loss=loss)", range=(8, 12, 8, 30)
    ),
    Invalid(
        "import keras\nmodel = keras.Sequential([keras.layers.Dense(5), keras.layers.Activation('linear', dtype='float32')])\n"
        "model.compile(loss='sparse_categorical_crossentropy')",
        message="no activation", range=(3, 15, 3, 53)
    ),
    Invalid(
        "import keras\nmodel = keras.Sequential([keras.layers.Dense(1, activation=None)])\n"
        "model.compile(optimizer='adam', loss=keras.losses.BinaryCrossentropy())",
        message="BinaryCrossentropy(from_logits=False)", range=(3, 38, 3, 71)
    ),
    Invalid(
        "import tensorflow as tf\ndef build():\n    inputs = tf.keras.Input((8,))\n"
        "    out = tf.nn.softmax(tf.keras.layers.Dense(3)(inputs))\n    return tf.keras.Model(inputs, out)\n"
        "model = build()\nmodel.compile(loss=tf.keras.losses.CategoricalCrossentropy(from_logits=True))", range=(7, 60, 7, 76)
    ),
    # A softmax head put on one backbone, then on another: each is reported.
    Invalid(
        "import torch.nn as nn\nfrom torchvision import models\n"
        "model = models.resnet34(pretrained=True)\nmodel.fc = nn.Sequential(nn.Linear(512, 6), nn.Softmax())\n"
        "model2 = models.resnet152(pretrained=True)\nmodel2.fc = nn.Sequential(nn.Linear(2048, 6), nn.Softmax())\n"
        "criterion = nn.CrossEntropyLoss()\nloss = criterion(model(x), y)\n",
        count=2, range=(4, 45, 4, 57)
    ),
]
