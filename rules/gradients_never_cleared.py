"""RL509 gradients-never-cleared: a PyTorch training loop that never zeroes its gradients.

## What it does
In a file that trains with PyTorch — `loss.backward()`, and the `step()` of an optimizer the file
builds (`torch.optim.*`, timm's or transformers' optimizers; also one a class keeps on its
instances, `self.optimizer = optim.Adam(…)` in `__init__` stepped in another method) —
reports the first `backward()` when nothing in the file ever clears the gradients: no
`zero_grad()` call (on the optimizer or the model, `set_to_none` or not), no `param.grad = None`,
no `param.grad.zero_()`. A `zero_grad` written without its parentheses (`optimizer.zero_grad`, a
statement that only looks the method up) or left in a comment clears nothing. Lightning's
automatic optimization (no `backward()` in the file) is not
concerned.

## Why it matters
PyTorch adds each `backward()`'s gradients to those already stored. Without clearing them, every
step uses the sum of all gradients since the start: the effective step grows with every batch,
the loss diverges or oscillates, and the run looks like a bad learning rate. Deliberate gradient
accumulation still clears them, every few steps.

## Example
```python
for images, labels in loader:
    loss = criterion(model(images), labels)
    loss.backward()
    optimizer.step()
```

## Use instead
```python
for images, labels in loader:
    optimizer.zero_grad()
    loss = criterion(model(images), labels)
    loss.backward()
    optimizer.step()
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import libcst as cst

from reviewlint.api import Invalid, NoOptions, Report, RuleContext, Severity

CODE = "RL509"
NAME = "gradients-never-cleared"
SEVERITY = Severity.ERROR
SUMMARY = "A PyTorch training loop that never zeroes its gradients"
TRIGGERS = ("backward",)

# Ways to clear gradients (torch/optim/optimizer.py Optimizer.zero_grad, torch/nn/modules/module.py
# Module.zero_grad; setting or zeroing ``.grad`` by hand).
# Optimizers whose step() applies the stored gradients (torch/optim, timm/optim, transformers' AdamW).
_OPTIMIZER_MODULES = ("torch.optim.", "timm.optim.", "transformers.AdamW", "transformers.optimization.")
_CLEARS_BY_HAND = re.compile(r"\.grad\s*=\s*None|\.grad\.zero_\(|\.grad\.data\.zero_\(")


def check(ctx: RuleContext[NoOptions]) -> Iterator[Report]:
    facts = ctx.facts
    backwards = [call for call in facts.torch_trainings if call.method == "backward"]
    if not backwards or _CLEARS_BY_HAND.search(ctx.source.text):
        return
    model = facts.model
    if any(call.method == "zero_grad" or isinstance(call.node.func, cst.Name) and call.node.func.value == "zero_grad"
           for call in model.calls):
        return  # optimizer.zero_grad(), model.zero_grad(set_to_none=True), a helper named zero_grad()
    optimizers = {
        owner
        for call in model.calls
        if call.qualname is not None and call.qualname.startswith(_OPTIMIZER_MODULES)
        for owner in model.owners(call)
    }
    # self.optimizer = optim.Adam(…) in one method, self.optimizer.step() in another: the instance's.
    on_instances = {(owner.scope.owner, owner.name) for owner in optimizers if owner.name.startswith("self.") and owner.scope.owner}
    if not any(
        call.qualname is None and call.method == "step" and call.receiver
        and (model.qualify(call.receiver, call.scope) in optimizers or (call.scope.owner, call.receiver) in on_instances)
        for call in model.calls
    ):
        return  # no torch optimizer stepped here: a gradient for something else, or an optimizer out of sight
    first = min(backwards, key=lambda call: call.index)
    yield Report(
        first.node,
        "gradients are accumulated by every backward() and nothing in this file ever clears them "
        "(no zero_grad()): each optimizer step uses the sum of all gradients since the start",
        hint="call optimizer.zero_grad() once per step, before backward()",
    )


VALID = [
    # Another class's self.optimizer: the stepped one is out of sight.
    "import torch\nclass Builder:\n    def __init__(self, model):\n        self.optimizer = torch.optim.SGD(model.parameters(), lr=0.1)\n"
    "class Runner:\n    def train(self, loader):\n        for x, y in loader:\n            self.loss(x, y).backward()\n"
    "            self.optimizer.step()\n",
    # An optimizer out of sight (a helper's sgd that may zero the gradients itself).
    "import torch\nfrom d2l import sgd\nl.backward()\ntrainer.step(batch_size)",
    "import torch\nfor x, y in loader:\n    optimizer.zero_grad()\n    loss = criterion(model(x), y)\n    loss.backward()\n    optimizer.step()",
    "import torch\nfor x, y in loader:\n    loss = criterion(model(x), y)\n    loss.backward()\n    optimizer.step()\n"
    "    optimizer.zero_grad(set_to_none=True)",
    "import torch\nfor p in model.parameters():\n    p.grad = None\nloss.backward()\nopt.step()",
    # A gradient for a saliency map: no optimizer step.
    "import torch\nimage.requires_grad_()\nscore = model(image)[0, label]\nscore.backward()\nsaliency = image.grad.abs()",
]

INVALID = [
    Invalid(
        "import torch\noptimizer = torch.optim.SGD(model.parameters(), lr=0.01)\nfor x, y in loader:\n"
        "    loss = criterion(model(x), y)\n    loss.backward()\n    optimizer.step()",
        message="nothing in this file ever clears them", range=(5, 5, 5, 20),
    ),
    # The optimizer an instance keeps (built in __init__, stepped in another method).
    Invalid(
        "import torch\nfrom torch import optim\nclass Network:\n    def __init__(self, model):\n"
        "        self.model = model\n        self.optimizer = optim.Adam(model.parameters())\n"
        "    def train(self, loader):\n        for x, y in loader:\n            loss = self.criterion(self.model(x), y)\n"
        "            loss.backward()\n            self.optimizer.step()\n",
        message="nothing in this file ever clears them", range=(10, 13, 10, 28),
    ),
    # zero_grad without its parentheses only looks the method up; a commented call does nothing.
    Invalid(
        "import torch\noptimizer = torch.optim.Adam(model.parameters())\nfor x, y in loader:\n"
        "    optimizer.zero_grad\n    # model.zero_grad()\n    loss = criterion(model(x), y)\n    loss.backward()\n"
        "    optimizer.step()",
        message="nothing in this file ever clears them", range=(7, 5, 7, 20),
    ),
]
