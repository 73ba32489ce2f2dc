"""RL505 trainable-changed-without-recompile: `trainable` flipped after `compile()`, then `fit()` again.

## What it does
Follows each Keras model through the statements of one scope (a notebook's cells, one function):
after `model.compile(…)`, a change of `trainable` on the model, on a model or backbone it is built
from (`base.trainable = True`), or on its layers (`for layer in base.layers[:k]: layer.trainable =
False`, `model.layers[0].trainable = False`), followed by `model.fit(…)` with no new
`model.compile(…)` in between, is reported at the `fit`, with the change as a related location.

Statement order comes from the linter's single traversal: calls and assignments share one
counter, so "after compile, before fit" is exact within a scope; changes made inside another
function are not ordered against the fit and are not reported. The GAN idiom (freeze the
discriminator after compiling it, then compile the combined model) is not reported: another
`compile()` of a model built from the changed one comes between the change and the fit.

In PyTorch the same trap is an optimizer built over part of the model — `filter(lambda p:
p.requires_grad, model.parameters())`, a comprehension over `requires_grad`, a sub-module's
`model.fc.parameters()` — after which more parameters are unfrozen (`p.requires_grad = True`,
`requires_grad_()`) with no new optimizer (nor `add_param_group`) after the unfreezing in the same
scope. Reported at the unfreezing, with the optimizer as a related location.

## Why it matters
Keras fixes which weights a model trains when it is compiled. The Keras guide: "if you change any
`trainable` value, make sure to call `compile()` again on your model for your changes to be taken
into account" (keras.io/guides/transfer_learning; the same note is in the BatchNormalization
docstring). Checked with Keras 3.15: after `base.trainable = True` without `compile()`, `fit()`
leaves the backbone's weights unchanged; after `base.trainable = False` it keeps training them.
A "fine-tuning" stage that skips the recompile silently trains the same layers as the stage before.

## Example
```python
base_model.trainable = False
model.compile(optimizer=optimizer, loss="categorical_crossentropy")
model.fit(train_data, epochs=10)
base_model.trainable = True          # unfreeze for fine-tuning
model.fit(train_data, epochs=10)     # still trains only the head
```

## Use instead
```python
base_model.trainable = True
model.compile(optimizer=keras.optimizers.Adam(1e-5), loss="categorical_crossentropy")
model.fit(train_data, epochs=10)
```
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from reviewlint.api import (
    AttributeAssignment,
    CallSite,
    Facts,
    Invalid,
    NoOptions,
    Report,
    RuleContext,
    Scope,
    Severity,
    Var,
    dotted,
    names_in,
)

from reviewlint.knowledge import training

CODE = "RL505"
NAME = "trainable-changed-without-recompile"
SEVERITY = Severity.WARNING
SUMMARY = "Layers unfrozen where training does not see it (Keras trainable without compile(), a PyTorch optimizer built before)"
TRIGGERS = ("trainable", "requires_grad")


def _containers(facts: Facts) -> dict[Var, set[Var]]:
    """model -> names added into it with model.add(x) (data flow does not see the mutation)."""
    found: dict[Var, set[Var]] = {}
    for add in facts.model.method_calls("add"):
        first = add.node.args[0].value if add.node.args else None
        if add.receiver and isinstance(first, cst.Name):
            found.setdefault(facts.model.qualify(add.receiver, add.scope), set()).add(facts.model.qualify(first.value, add.scope))
    return found


def _parts(facts: Facts, key: Var, containers: dict[Var, set[Var]]) -> set[Var]:
    """Everything a model is built from: itself, its sub-models and backbones."""
    parts = facts.model.reaches({key})
    for name in list(parts):
        for added in containers.get(name, ()):
            parts |= facts.model.reaches({added})
    return parts


def _partial_parameters(facts: Facts, optimizer: CallSite) -> str | None:
    """How a PyTorch optimizer is limited to part of the model's parameters, if it is:
    ``filter(lambda p: p.requires_grad, …)``, a comprehension over ``requires_grad``, a
    sub-module's ``parameters()`` (``model.fc.parameters()``)."""
    params = optimizer.arg("params", 0)
    if params is None:
        return None
    text = facts.model.module.code_for_node(params.value)
    if "requires_grad" in text:
        return "only the parameters with requires_grad"
    for call in facts.model.calls_within(params.value):
        receiver = call.receiver or ""
        if call.method == "parameters" and "." in receiver:
            return f"only {receiver}.parameters()"
    return None


def _torch(facts: Facts) -> Iterator[Report]:
    """An optimizer built over part of the parameters, then the rest unfrozen, with no new optimizer
    (nor ``add_param_group``) after it in the same scope."""
    model = facts.model
    if not facts.torch_trainings:
        return
    optimizers = [(call, how) for call in model.calls if training.TORCH_OPTIMIZER.match(call.qualname or "")
                  and (how := _partial_parameters(facts, call)) is not None]
    unfreezes: list[tuple[cst.CSTNode, int, Scope]] = [
        (a.node, a.index, a.scope) for a in model.attribute_assignments
        if a.target.endswith(".requires_grad") and model.value(a.value) is True]
    unfreezes += [(c.node, c.index, c.scope) for c in model.method_calls("requires_grad_")
                  if not c.node.args or model.value(c.node.args[0].value) is True]
    rebuilt = [c for c in model.calls if training.TORCH_OPTIMIZER.match(c.qualname or "")] + list(model.method_calls("add_param_group"))
    for optimizer, how in optimizers:
        for node, index, scope in sorted(unfreezes, key=lambda u: u[1]):
            if scope != optimizer.scope or index <= optimizer.index:
                continue
            if any(c.scope == scope and c.index >= index for c in rebuilt):
                continue
            yield Report(
                node,
                f"these parameters are unfrozen after the optimizer was built over {how}: they are not in its "
                "parameter groups, so their weights never change",
                hint="build the optimizer again after unfreezing (or optimizer.add_param_group({'params': …}))",
                related=((optimizer.node, "the optimizer, built here"),),
            )
            return


def check(ctx: RuleContext[NoOptions]) -> Iterator[Report]:
    facts = ctx.facts
    yield from _torch(facts)
    code = facts.model.module.code_for_node
    compiles = [call for call in facts.model.method_calls("compile") if call.receiver]
    containers = _containers(facts)
    changes: list[tuple[AttributeAssignment, set[str]]] = []
    for assignment in facts.model.attribute_assignments:
        if assignment.target.endswith(".trainable") or assignment.target == "":
            found = _changed_names(assignment)
            if found:
                changes.append((assignment, found))
    for fit in facts.fits:
        if fit.receiver is None:
            continue
        scope, key = fit.call.scope, facts.model.qualify(fit.receiver, fit.call.scope)
        own = [c for c in compiles if c.scope == scope and facts.model.qualify(c.receiver or "", scope) == key]
        earlier = [c for c in own if c.index < fit.call.index]
        if not earlier:
            continue
        last = max(earlier, key=lambda c: c.index)
        parts = _parts(facts, key, containers)
        for assignment, names in changes:
            if assignment.scope != scope or not last.index < assignment.index <= fit.call.index:
                continue
            changed = {facts.model.qualify(name, scope) for name in names}
            if not changed & parts:
                continue
            if _gan_idiom(facts, compiles, assignment, fit.call, key, changed, containers):
                continue
            yield Report(
                fit.node,
                f"`{code(assignment.node).strip()}` changes what {fit.receiver} trains after "
                f"{fit.receiver}.compile(), and {fit.receiver}.{fit.call.method}() runs without compiling again: "
                "Keras fixes the trainable weights at compile time, so the change is ignored by this fit",
                hint=f"call {fit.receiver}.compile(...) again after changing trainable",
                related=((assignment.node, "trainable changed here"), (last.node, "last compiled here")),
            )
            break


def _changed_names(assignment: AttributeAssignment) -> set[str] | None:
    target = assignment.node.targets[0].target if isinstance(assignment.node, cst.Assign) else None
    if not isinstance(target, cst.Attribute) or target.attr.value != "trainable":
        return None
    owner = target.value
    if isinstance(owner, cst.Subscript):  # model.layers[0].trainable = …
        base = dotted(owner.value) or ""
        return {base[: -len(".layers")]} if base.endswith(".layers") else None
    name = dotted(owner)
    if name is None:
        return None
    for loop in reversed(assignment.loops):  # for layer in X.layers…: layer.trainable = …
        if isinstance(loop, cst.For) and isinstance(loop.target, cst.Name) and loop.target.value == name:
            owners = {n[: -len(".layers")] for n in names_in(loop.iter) if n.endswith(".layers")}
            return owners or None
    return {name}


def _gan_idiom(
    facts: Facts,
    compiles: list[CallSite],
    assignment: AttributeAssignment,
    fit: CallSite,
    key: Var,
    changed: set[Var],
    containers: dict[Var, set[Var]],
) -> bool:
    """Another model built from the changed one is compiled between the change and the fit."""
    for other in compiles:
        if other.scope != assignment.scope or not assignment.index <= other.index < fit.index:
            continue
        other_key = facts.model.qualify(other.receiver or "", other.scope)
        if other_key != key and changed & _parts(facts, other_key, containers):
            return True
    return False


_STAGES = (
    "import efficientnet.tfkeras as efn\nfrom tensorflow.keras.models import Model\n"
    "base_model = efn.EfficientNetB6(weights='imagenet', include_top=False)\n"
    "x = base_model(inputs)\noutputs = Dense(10, activation='softmax')(x)\nmodel = Model(inputs=inputs, outputs=outputs)\n"
    "base_model.trainable = False\nmodel.compile(loss='categorical_crossentropy', optimizer='adam')\n"
    "history = model.fit(train_generator, epochs=EPOCHS)\n"
)

_TORCH = (
    "import torch\nimport timm\nmodel = timm.create_model('efficientnet_b0', pretrained=True, num_classes=5)\n"
    "for p in model.parameters():\n    p.requires_grad = False\nfor p in model.classifier.parameters():\n    p.requires_grad = True\n"
    "optimizer = torch.optim.Adam(filter(lambda p: p.requires_grad, model.parameters()), lr=1e-3)\n"
    "for x, y in loader:\n    criterion(model(x), y).backward()\n"
)

VALID = [
    # PyTorch: a new optimizer after unfreezing.
    _TORCH + "for p in model.parameters():\n    p.requires_grad = True\noptimizer = torch.optim.Adam(model.parameters(), lr=1e-4)\n",
    _TORCH + "model.requires_grad_(True)\noptimizer.add_param_group({'params': model.conv_stem.parameters()})\n",
    # Recompiled after the change.
    _STAGES + "base_model.trainable = True\nmodel.compile(loss='categorical_crossentropy', optimizer='adam')\n"
    "model.fit(train_generator, epochs=EPOCHS)",
    # Changed before the first compile.
    "import keras\nbase = keras.applications.ResNet50()\nmodel = keras.Sequential([base])\nbase.trainable = False\n"
    "model.compile('adam', 'mse')\nmodel.fit(x, y, epochs=3)",
    # A different model is changed.
    "import keras\nm1 = keras.Sequential()\nm2 = keras.Sequential()\nm1.compile('adam', 'mse')\nm2.trainable = False\n"
    "m1.fit(x, y, epochs=2)",
    # The change happens inside a function: not ordered against the fit.
    _STAGES + "def unfreeze(base):\n    base.trainable = True\nmodel.fit(train_generator, epochs=EPOCHS)",
    # GAN: the discriminator is frozen for the combined model, which is compiled after the change.
    "import keras\ndiscriminator = keras.Sequential()\ndiscriminator.compile('adam', 'binary_crossentropy')\n"
    "discriminator.trainable = False\ngan = keras.Sequential([generator, discriminator])\n"
    "gan.compile('adam', 'binary_crossentropy')\ndiscriminator.fit(x, y, epochs=1)\ngan.fit(z, y, epochs=1)",
    # Not trainable.
    _STAGES + "base_model.name = 'b'\nmodel.fit(train_generator, epochs=EPOCHS)",
]

INVALID = [
    Invalid(
        _TORCH + "for p in model.parameters():\n    p.requires_grad = True\nfor x, y in loader:\n    criterion(model(x), y).backward()\n",
        message="unfrozen after the optimizer was built over only the parameters with requires_grad", range=(12, 5, 12, 27),
    ),
    Invalid(
        "import torch\nopt = torch.optim.SGD(net.fc.parameters(), lr=0.01)\nnet.requires_grad_()\n"
        "for x, y in loader:\n    criterion(net(x), y).backward()\n",
        message="only net.fc.parameters()", range=(3, 1, 3, 21),
    ),
    # The student's Step 2: unfreeze half of the backbone, fit without compile.
    Invalid(
        _STAGES + "base_model.trainable = True\nfine_tune_at = len(base_model.layers)//2\n"
        "for layer in base_model.layers[:fine_tune_at]:\n    layer.trainable = False\n"
        "model.fit(train_generator, epochs=EPOCHS)",
        message="`base_model.trainable = True` changes what model trains after model.compile()", range=(14, 1, 14, 42)
    ),
    Invalid(
        "import tensorflow as tf\nmodel = tf.keras.Sequential([tf.keras.layers.Dense(3)])\nmodel.compile('sgd', 'mse')\n"
        "model.fit(x, y, epochs=2)\nfor layer in model.layers[:1]:\n    layer.trainable = False\nmodel.fit(x, y, epochs=2)",
        message="`layer.trainable = False`", range=(7, 1, 7, 26)
    ),
    Invalid(
        "from tensorflow import keras\nmodel = keras.models.load_model('m.keras')\nmodel.compile('adam', 'mse')\n"
        "model.layers[0].trainable = False\nmodel.fit(x, y, epochs=5)", range=(5, 1, 5, 26)
    ),
    Invalid(
        "import keras\nbase = keras.applications.VGG16(include_top=False)\nmodel = keras.Sequential()\nmodel.add(base)\n"
        "model.compile('adam', 'mse')\nmodel.fit(x, y, epochs=2)\nbase.trainable = True\nmodel.fit(x, y, epochs=2)", range=(8, 1, 8, 26)
    ),
    Invalid(
        "import keras\ndef train(model, base):\n    model.compile('adam', 'mse')\n    base.trainable = True\n"
        "    model.fit(x, y, epochs=5)\n    model.trainable = False\n    model.fit(x, y, epochs=5)",
        message="`model.trainable = False`", range=(7, 5, 7, 30)
    ),
]
