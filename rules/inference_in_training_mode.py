"""RL508 inference-in-training-mode: PyTorch inference under `torch.no_grad()` with the model never put in `eval()` mode.

## What it does
In a file that imports torch, finds inference blocks — `with torch.no_grad():`,
`with torch.inference_mode():`, or a function decorated with either — that call a model the
file itself builds or loads (`model(images)`, `net(x)`: a name the file assigns a torchvision or
timm model, `torch.load(…)`, or a class or `nn.Sequential` of the file when the file uses dropout
or BatchNorm layers — not a parameter of the function, whose mode the caller sets, nor a model
whose layers are out of sight), and reports the first such block (at its `no_grad`) when
nothing in the file ever switches a model to evaluation mode: no `.eval()` call and no
`.train(False)`. One finding per file. Models the file only receives as parameters are left
to their caller; Lightning modules are put in `eval()` by the Trainer and are not concerned.

## Why it matters
`torch.no_grad()` only stops gradients. The model stays in training mode: dropout still drops
units at random, and BatchNorm normalizes each batch with its own statistics (and, in a
`no_grad` block, still updates its running averages). Validation scores and test predictions
are then noisy, depend on the batch size and the batch's content, and differ from run to run;
TTA averages over dropout noise instead of over augmentations.

## Example
```python
model = timm.create_model("efficientnet_b0", pretrained=True, num_classes=5)
...
with torch.no_grad():
    preds = [model(x.to(device)).softmax(1) for x in test_loader]
```

## Use instead
```python
model.eval()
with torch.no_grad():
    preds = [model(x.to(device)).softmax(1) for x in test_loader]
```
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from reviewlint.api import CallSite, Invalid, NoOptions, Report, RuleContext, Severity
from reviewlint.knowledge import training

CODE = "RL508"
NAME = "inference-in-training-mode"
SEVERITY = Severity.WARNING
SUMMARY = "PyTorch inference under torch.no_grad() with the model never switched to eval()"
TRIGGERS = ("no_grad", "inference_mode")


def _switches_to_eval(call: CallSite) -> bool:
    if call.qualname is not None:
        return False
    if call.method == "eval" and not call.node.args:
        return True
    if call.method == "train":
        mode = call.arg("mode", 0)
        return mode is not None and isinstance(mode.value, cst.Name) and mode.value.value == "False"
    return False


def _builds_trainable_module(ctx: RuleContext[NoOptions], value: cst.BaseExpression | None) -> bool:
    """Whether an assigned value is a module left in training mode: a torchvision or timm model,
    ``torch.load``, ``nn.Sequential``, a class of the file or of the project (``Net().to(device)``);
    not a loss, nor a library model that is returned in eval mode (transformers' ``from_pretrained``)."""
    while isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value in training.MODULE_MOVES:
        value = value.func.value  # Net().to(device), .cuda(), .float()
    if not isinstance(value, cst.Call):
        return False
    qualname = ctx.model.imports.resolve(value.func)
    # Layers whose behaviour depends on the mode, named in the file: a model built here from
    # plain Linear/Conv layers computes the same in both modes.
    mode_layers = training.MODE_DEPENDENT_LAYERS.search(ctx.source.text) is not None
    if qualname is None:  # a class of this file, or one of its class-method constructors (Net.from_pretrained(…))
        func = value.func.value if isinstance(value.func, cst.Attribute) and value.func.attr.value.startswith("from_") else value.func
        name = func.value if isinstance(func, cst.Name) else None
        return mode_layers and name is not None and name not in ctx.model.functions and ctx.model.bound_anywhere(name)
    if qualname in ("torch.nn.Sequential", "torch.nn.ModuleList"):
        return mode_layers
    return any(qualname == prefix or qualname.startswith(prefix + ".") for prefix in training.TRAIN_MODE_BUILDERS) and not (
        training.LOSS_NAME.search(qualname.rsplit(".", 1)[-1]))


def _model_calls(ctx: RuleContext[NoOptions], body: cst.CSTNode) -> Iterator[CallSite]:
    """Calls of a model the file builds or loads: ``model(x)`` on a name the file assigns a module
    in training mode to (not a function, a loss or a parameter)."""
    model = ctx.model
    for call in model.calls_within(body):
        func = call.node.func
        if call.qualname is not None or not isinstance(func, cst.Name) or func.value in model.functions:
            continue
        bindings = model.bindings_of(model.qualify(func.value, call.scope))
        if any(binding.kind == "assign" and _builds_trainable_module(ctx, binding.value) for binding in bindings):
            yield call


def check(ctx: RuleContext[NoOptions]) -> Iterator[Report]:
    model = ctx.model
    if "torch" not in model.imports.packages or any(_switches_to_eval(call) for call in model.calls):
        return
    for guard in model.calls:
        if guard.qualname not in training.INFERENCE_GUARDS:
            continue
        body = model.guarded_body(guard)
        if body is None:
            continue
        used = next(_model_calls(ctx, body), None)
        if used is None:
            continue
        name = model.module.code_for_node(used.node.func)
        yield Report(
            guard.node,
            f"{name} runs under {guard.qualname}() but nothing in this file ever calls {name}.eval(): dropout and "
            f"BatchNorm stay in training mode, so the predictions are noisy and depend on the batch",
            hint=f"call {name}.eval() before this block (and {name}.train() before training again)",
            related=((used.node, f"{name} runs here in training mode"),),
        )
        return


VALID = [
    "import torch\nmodel = Net()\nmodel.eval()\nwith torch.no_grad():\n    preds = model(x)",
    "import torch\nmodel = Net()\nmodel.train(False)\nwith torch.inference_mode():\n    preds = model(x)",
    # The model is a parameter: its caller sets the mode.
    "import torch\ndef predict(model, loader):\n    with torch.no_grad():\n        return [model(x) for x in loader]",
    # No model called under no_grad (a metric, a tensor operation).
    "import torch\nwith torch.no_grad():\n    acc = (preds.argmax(1) == y).float().mean()",
    # Not torch.
    "model = Net()\nwith no_grad():\n    preds = model(x)",
    # Plain layers: no dropout, no BatchNorm, the same in both modes.
    "import torch\nfrom torch import nn\nmodel = nn.Sequential(nn.Linear(784, 10))\nwith torch.no_grad():\n    out = model(x)",
    # A class from the project's own modules: its layers are out of sight.
    "import torch\nfrom model import LeNet\nnet = LeNet()\nwith torch.no_grad():\n    out = net(x)",
    # A loss is not a model; transformers returns its models in eval mode.
    "import torch\nfrom torch import nn\nloss = nn.MSELoss()\nwith torch.no_grad():\n    print(loss(net(X), y))",
    "import torch\nfrom transformers import AutoModel\nmodel = AutoModel.from_pretrained('bert-base-uncased')\n"
    "with torch.no_grad():\n    out = model(**batch)",
    "import torch\ndef evaluate(loader):\n    net.eval()\n    with torch.no_grad():\n        return [net(x) for x in loader]\nnet = Net()",
]

INVALID = [
    # A class of the notebook, built by its class-method constructor.
    Invalid(
        "import torch\nclass EfficientNet(torch.nn.Module):\n    def __init__(self):\n        self.bn = torch.nn.BatchNorm2d(8)\n"
        "model = EfficientNet.from_pretrained('efficientnet-b5')\nwith torch.no_grad():\n    out = model(x)\n",
        range=(6, 6, 6, 21),
    ),
    Invalid(
        "import torch\nimport timm\nmodel = timm.create_model('efficientnet_b0', pretrained=True)\n"
        "with torch.no_grad():\n    preds = [model(x).softmax(1) for x in test_loader]\n",
        message="model runs under torch.no_grad() but nothing in this file ever calls model.eval()",
        range=(4, 6, 4, 21),
    ),
    Invalid(
        "import torch\nclass Net(torch.nn.Module):\n    def __init__(self):\n        self.drop = torch.nn.Dropout(0.5)\n"
        "net = Net().to('cuda')\nwith torch.no_grad():\n    out = net(x)\n",
        range=(6, 6, 6, 21),
    ),
    Invalid(
        "import torch\nnet = torch.load('best.pt')\n@torch.no_grad()\ndef predict(loader):\n"
        "    return torch.cat([net(x) for x in loader])\n",
        range=(3, 2, 3, 17),
    ),
]
