"""RL502 unseeded-training: a training script or notebook that never seeds its random generators.

## What it does
In a file that trains a Keras model (calls `fit`), checks that the random generators a Keras run
draws from are seeded: `keras.utils.set_random_seed(…)` (Python's `random`, NumPy and
TensorFlow at once), or `random.seed`, `np.random.seed` and `tf.random.set_seed` together. A call
to a function of the same file (`seed_everything(42)`, `set_seed(…)`) counts for what its body
seeds, followed through further local calls; a function of the project's own modules the file
imports counts for what its body seeds (`make_reproducible()` in `utils.py` calling
`torch.manual_seed`); one whose body is out of sight and whose name contains "seed" (imported
from a module that is not read, or brought by `from utils import *`) is taken to seed
everything; and a project module the file imports that seeds at its own module level
(`import const`, whose top level calls `torch.manual_seed(0)` or its own `seed_everything(42)`)
counts for what it seeds. One finding per file, at the first `fit`,
saying what is missing.

`tf.random.set_seed` alone does not count: Keras 3 draws the default seeds of weight
initializers, dropout and random layers from Python's `random`
(keras/src/random/seed_generator.py: `make_default_seed` calls `random.randint`), so two runs
seeded only through TensorFlow start from different weights (checked with Keras 3.15 / TF 2.21);
and NumPy's and Python's generators drive `ImageDataGenerator`, albumentations 1.x and most
train/validation splits. Where the seeding happens in the file does not matter (the linter does
not order calls across functions and cells).

In a file that trains with PyTorch (`loss.backward()`, `accelerator.backward(loss)` in a file
that imports torch, Lightning, timm or torchvision, or in a helper module that imports no framework
at all when the same function calls `optimizer.step()`; `trainer.fit(…)` on a Lightning `Trainer`),
checks that torch's generator is seeded: `torch.manual_seed`, `torch.cuda.manual_seed(_all)`,
Lightning's `seed_everything`, `transformers.set_seed` or `accelerate.utils.set_seed` (what each
seeds, with its source, is in `reviewlint/knowledge/training.py`), reported at the first
`backward()` or `fit`. A module of helpers whose training function nothing in the file calls
(`train_one_epoch` in `utils.py`) is left to the script that runs it: a script that calls a
function of the project's own modules that trains (`train_model(**params)`, whose body in
`train.py` calls `loss.backward()`, directly or through its module's other functions) trains, and
is reported at that call; so does one that calls such a method of a project class on an instance
(`Trainer(cfg).train()`, or `trainer.fit(…)` after `trainer = Trainer(…)`).

## Why it matters
Weight initialization, data shuffling, dropout and augmentation are random: two runs of the same
notebook give different accuracies. Without a seed a difference between two experiments (a
hidden layer, batch normalization, an optimizer) cannot be told from run-to-run noise, and a
result cannot be reproduced. Seed, then compare several seeds.

## Example
```python
model.compile(optimizer="adam", loss="categorical_crossentropy")
history = model.fit(train_generator, epochs=10)
```

## Use instead
```python
keras.utils.set_random_seed(42)  # random, NumPy and TensorFlow
# PyTorch: torch.manual_seed(42), or lightning.seed_everything(42) for random, NumPy and torch
...
history = model.fit(train_generator, epochs=10)
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import NamedTuple

import libcst as cst

from reviewlint.api import CallSite, Facts, Invalid, NoOptions, Report, RuleContext, Severity, dotted
from reviewlint.knowledge import training

CODE = "RL502"
NAME = "unseeded-training"
SEVERITY = Severity.WARNING
SUMMARY = "Keras or PyTorch training that never seeds its random generators"
# A call of the project's own training function or method (``train_model(…)``, ``Trainer().train()``)
# trains too: the file may hold neither ``fit`` nor ``backward``.
TRIGGERS = ("fit", "backward", re.compile(r"\btrain\w*\(|Trainer\b"))
# A project module imported by the training script may seed at import (``import const`` whose
# module level calls torch.manual_seed), or hold the training function the script calls
# (``from train import train_model``): a PyTorch script's imports are followed too.
IMPORT_TRIGGERS = (*TRIGGERS, "seed", "torch", "lightning")

_ORDER = (training.PYTHON, training.NUMPY, training.BACKEND)
# Packages whose own seeding functions are all in training.SEEDERS: any other "seed" function of
# theirs (np.random.SeedSequence, tf.random.experimental.stateless_…) is not a global seed.
_KNOWN_PACKAGES = {name.split(".", 1)[0] for name in training.SEEDERS} | {"keras", "numpy", "tensorflow", "torch"}
_SEED_NAMES = {training.PYTHON: "Python's random", training.NUMPY: "NumPy", training.BACKEND: "TensorFlow",
               training.TORCH: "PyTorch"}


def _seeded_by(facts: Facts, call: CallSite, seen: set[str], imported: Mapping[str, frozenset[str]] | None = None
               ) -> tuple[frozenset[str], str | None]:
    """What one call seeds, and how to name it in a message (``imported``: the seeding functions
    of the project modules the file imports, by the file's names for them)."""
    if imported:
        name = dotted(call.node.func)
        if name is not None and name in imported:
            return imported[name], f"{name}()"
    qualname = call.qualname
    if qualname is not None:
        if qualname in training.SEEDERS:
            return training.SEEDERS[qualname], qualname
        last = qualname.rsplit(".", 1)[-1]
        if training.SEEDING_NAME.search(last) and qualname.split(".", 1)[0] not in _KNOWN_PACKAGES:
            return training.EVERYTHING, qualname  # a seeding helper from the project's own modules
        return frozenset(), None
    func = call.node.func
    if (isinstance(func, cst.Name) and func.value not in facts.model.functions and training.SEEDING_NAME.search(func.value)
            and facts.model.imports.from_unknown_star(func.value)):
        return training.EVERYTHING, f"{func.value}()"  # set_seed(…) after from utils import *: the project's helper
    if isinstance(func, cst.Name) and func.value in facts.model.functions and func.value not in seen:
        seen.add(func.value)
        return _seeded_by_body(facts, func.value, seen, imported), f"{func.value}()"
    return frozenset(), None


def check(ctx: RuleContext[NoOptions]) -> Iterator[Report]:
    facts = ctx.facts
    fits = [fit.call for fit in facts.fits if fit.receiver != "self"]  # a model class's own code, not a training run
    if fits:
        yield from _unseeded(facts, fits, _KERAS, ctx.imported.seeded, ctx.imported.seeding_functions)
    trainings = [call for call in facts.torch_trainings if _run_here(facts, call)]
    trainers = ctx.imported.torch_trainers
    if trainers:
        # train_model(**params), where train_model (in the project's train.py) calls loss.backward().
        trainings += [call for call in facts.model.calls if dotted(call.node.func) in trainers
                      and _run_here(facts, call)]
    classes = ctx.imported.torch_trainer_classes
    if classes:
        # Trainer(…).train() or trainer.fit(…) on trainer = Trainer(…), where the project's Trainer
        # class trains in that method.
        trainings += [call for call in facts.model.calls if call.method is not None and _run_here(facts, call)
                      and _instance_method_of(facts, call, classes)]
    if trainings:
        # Reported at the file's first training step, whether or not that one runs from here.
        yield from _unseeded(facts, trainings, _TORCH, ctx.imported.seeded, ctx.imported.seeding_functions,
                             anchor=min((*trainings, *facts.torch_trainings), key=lambda call: call.index))


def _instance_method_of(facts: Facts, call: CallSite, classes: Mapping[str, frozenset[str]]) -> bool:
    """Whether a method call calls, on an instance of one of ``classes`` (``Trainer(…).train()``,
    or a name bound to ``Trainer(…)``), one of the methods listed for that class."""
    func = call.node.func
    if not isinstance(func, cst.Attribute):
        return False
    receiver = func.value
    origins = [receiver] if isinstance(receiver, cst.Call) else [origin for origin, _ in facts.model.origins(receiver, call.scope)]
    return any(isinstance(origin, cst.Call) and call.method in classes.get(dotted(origin.func) or "", frozenset())
               for origin in origins)


def _run_here(facts: Facts, call: CallSite) -> bool:
    """Whether this file runs a training call: at module level, or in a function that module-level
    code calls (directly or through other functions of the file). A module of helpers
    (``train_one_epoch`` in ``utils.py``) is run by the script that imports it, where the seeding
    belongs."""
    return call.scope.name not in facts.model.functions or call.scope.name in facts.model.run_from_module


class _Framework(NamedTuple):
    name: str
    needs: tuple[str, ...]  # the generators a run of it draws from, in the order messages name them
    seeders: str  # how to seed them, for the message
    hint: str


_KERAS = _Framework(
    "Keras", _ORDER, "keras.utils.set_random_seed, random.seed, np.random.seed or tf.random.set_seed",
    "call keras.utils.set_random_seed(SEED) once, before building the model",
)
_TORCH = _Framework(
    "PyTorch", (training.TORCH,),
    "torch.manual_seed, lightning's seed_everything, transformers' or accelerate's set_seed",
    "call torch.manual_seed(SEED) (or lightning.seed_everything(SEED), which also seeds random and NumPy) "
    "once, before building the model",
)


def _unseeded(facts: Facts, trainings: list[CallSite], framework: _Framework, on_import: frozenset[str],
              imported: Mapping[str, frozenset[str]], anchor: CallSite | None = None) -> Iterator[Report]:
    """One finding at the first training call when the generators ``framework`` draws from are not
    all seeded (here, or by the project modules this file imports, ``on_import``); at ``anchor``
    when given."""
    seeded: set[str] = set(on_import)
    how: list[str] = []
    # A notebook (every training call at module level) seeds in module-level code or in the
    # functions it calls; a training call inside a function may be run from anywhere, so any
    # seeding in the file counts.
    notebook = all(call.scope.name not in facts.model.functions for call in trainings)
    for call in facts.model.calls:
        if notebook and call.scope.name in facts.model.functions:
            continue  # inside a function: counted through the call of that function
        what, name = _seeded_by(facts, call, set(), imported)
        if what:
            seeded |= what
            if name is not None and name not in how:
                how.append(name)
    missing = [source for source in framework.needs if source not in seeded]
    if not missing:
        return
    first = anchor or min(trainings, key=lambda call: call.index)
    called = {call.node.func.value for call in facts.model.calls
              if call.qualname is None and isinstance(call.node.func, cst.Name)} if notebook else set()
    unused = [
        name
        for name in facts.model.functions
        if notebook and name not in called and _seeded_by_body(facts, name) & set(framework.needs)
    ]
    if not seeded and unused:
        message = (
            f"{_join([name + '()' for name in unused])} would seed the random generators but "
            f"{'is' if len(unused) == 1 else 'are'} never called before training: results differ from run to run"
        )
    elif not seeded or not how:
        message = (
            f"this file trains a {framework.name} model but never seeds the random generators "
            f"(no {framework.seeders}): results differ from run to run"
        )
    else:
        names = _join([_short(name) for name in how])
        message = (
            f"{names} {'is' if len(how) == 1 else 'are'} called but "
            f"{_join([_SEED_NAMES[source] for source in missing])} "
            f"{'is' if len(missing) == 1 else 'are'} not seeded: runs are not reproducible"
        )
    yield Report(first.node, message, hint=framework.hint)


def _seeded_by_body(facts: Facts, name: str, seen: set[str] | None = None,
                    imported: Mapping[str, frozenset[str]] | None = None) -> frozenset[str]:
    """What the calls in the body of the file's function ``name`` seed (``seen``: the functions
    already being followed)."""
    found: set[str] = set()
    for inner in facts.model.calls:
        if inner.scope.name == name:
            found |= _seeded_by(facts, inner, {name} if seen is None else seen, imported)[0]
    return frozenset(found)


def _short(qualname: str) -> str:
    for full, short in (("tensorflow.", "tf."), ("numpy.", "np.")):
        if qualname.startswith(full):
            return short + qualname[len(full):]
    return qualname


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


VALID = [
    # A notebook that imports TensorFlow again as tf.compat.v2 (TensorFlow 2's API under another name).
    "import random\nimport numpy as np\nimport tensorflow as tf\nfrom tensorflow import keras\n"
    "def seed_everything(seed=0):\n    random.seed(seed)\n    np.random.seed(seed)\n    tf.random.set_seed(seed)\n"
    "seed_everything()\nimport tensorflow.compat.v2 as tf\nmodel = keras.Sequential()\nmodel.fit(x, y, epochs=3)\n",
    # A project's trainer around a timm model: PyTorch, seeded with torch.manual_seed, not a Keras fit.
    "import timm\nimport torch\ntorch.manual_seed(0)\n"
    "net = timm.create_model('efficientnet_b0', pretrained=True)\ntrainer = Trainer(net)\ntrainer.fit(train_loader)",
    # A PyTorch project's own trainer class: epochs= does not make it Keras.
    "import torch\ntorch.manual_seed(0)\ntrainer = ModelTrainer(model, loader)\nhistory = trainer.fit(epochs=10)",
    "import torch\ntorch.manual_seed(42)\nfor x, y in loader:\n    loss = criterion(model(x), y)\n    loss.backward()\n    opt.step()",
    "import pytorch_lightning as pl\npl.seed_everything(7)\ntrainer = pl.Trainer(max_epochs=3)\ntrainer.fit(model, dm)",
    "from accelerate import Accelerator\nfrom accelerate.utils import set_seed\nset_seed(0)\naccelerator = Accelerator()\n"
    "accelerator.backward(loss)",
    "import torch\ndef seed_torch(seed=42):\n    torch.manual_seed(seed)\n    torch.cuda.manual_seed_all(seed)\n"
    "seed_torch()\nloss.backward()",
    # No training: a gradient for a saliency map is backward() too, but without torch imported it is not PyTorch's.
    "loss.backward()",
    # A module of helpers: the script that imports and runs train_one_epoch seeds.
    "import torch\ndef train_one_epoch(model, loader, opt):\n    for x, y in loader:\n        loss = model(x, y)\n"
    "        loss.backward()\n        opt.step()",
    "import keras\nkeras.utils.set_random_seed(42)\nmodel = keras.Sequential()\nmodel.fit(x, y, epochs=10)",
    "import tensorflow as tf\ntf.keras.utils.set_random_seed(1)\nmodel.fit(x, y, epochs=10)",
    "import random\nimport numpy as np\nimport tensorflow as tf\n"
    "random.seed(0)\nnp.random.seed(0)\ntf.random.set_seed(0)\nmodel.fit(x, y, epochs=10)",
    "import os, random\nimport numpy as np\nimport tensorflow as tf\n"
    "def seed_everything(seed):\n    random.seed(seed)\n    os.environ['PYTHONHASHSEED'] = str(seed)\n"
    "    np.random.seed(seed)\n    tf.random.set_seed(seed)\n"
    "seed_everything(42)\nmodel.fit(x, y, epochs=10)",
    "import keras\ndef set_seed(s):\n    keras.utils.set_random_seed(s)\ndef setup():\n    set_seed(3)\n"
    "setup()\nmodel.fit(x, y, epochs=10)",
    "from utils import seed_everything\nseed_everything(42)\nmodel.fit(x, y, epochs=10)",
    # A seeding helper of the project's own modules, brought by a star import.
    "import torch\nfrom utils import *\nset_seed(42)\nfor x, y in loader:\n    model(x, y).backward()\n",
    "from transformers import set_seed\nset_seed(0)\nmodel.fit(x, y, epochs=3)",
    "from tensorflow.keras.utils import set_random_seed as fix_seed\nfix_seed(7)\nmodel.fit(x, y, epochs=3)",
    "import keras\ndef train():\n    model = keras.Sequential()\n    model.fit(x, y, epochs=10)\n"
    "def main():\n    keras.utils.set_random_seed(0)\n    train()",
    # No Keras training here.
    "import numpy as np\nx = np.random.rand(10)",
    "from sklearn.linear_model import LogisticRegression\nclf = LogisticRegression()\nclf.fit(X, y)",
    "from catboost import CatBoostClassifier\nm = CatBoostClassifier()\nm.fit(X, y, eval_set=(Xv, yv))",
]

INVALID = [
    # At the file's first training step, also one in a function nothing here calls.
    Invalid(
        "import torch\ndef fine_tune(model, loader):\n    for x, y in loader:\n        criterion(model(x), y).backward()\n"
        "for x, y in train_loader:\n    criterion(model(x), y).backward()\n",
        message="never seeds", range=(4, 9, 4, 42),
    ),
    Invalid(
        "import tensorflow as tf\nmodel = tf.keras.Sequential()\nmodel.compile('adam', 'mse')\nmodel.fit(x, y, epochs=10)",
        message="never seeds", range=(4, 1, 4, 27)
    ),
    Invalid(
        "import tensorflow as tf\ntf.random.set_seed(42)\nmodel.fit(x, y, epochs=10)",
        message="tf.random.set_seed is called but Python's random and NumPy are not seeded", range=(3, 1, 3, 27)
    ),
    Invalid(
        "import numpy as np\nimport tensorflow\nnp.random.seed(1)\ntensorflow.random.set_seed(1)\n"
        "model.fit(x, y, epochs=10)\nmodel.fit(x, y, epochs=10)",
        message="np.random.seed and tf.random.set_seed are called but Python's random is not seeded", range=(5, 1, 5, 27)
    ),
    Invalid(
        "import numpy as np\nimport tensorflow as tf\ndef seed_everything(seed):\n    np.random.seed(seed)\n"
        "    tf.random.set_seed(seed)\nseed_everything(0)\nmodel.fit(x, y, epochs=10)",
        message="seed_everything() is called but Python's random is not seeded", range=(7, 1, 7, 27)
    ),
    Invalid("import keras\nmodel = keras.models.load_model('m.keras')\nhistory = model.fit(ds, epochs=5)", range=(3, 11, 3, 34)),
    Invalid("import torch\ntorch.manual_seed(0)\nmodel.fit(x, y, epochs=3, validation_split=0.1)",
            message="torch.manual_seed is called but Python's random, NumPy and TensorFlow are not seeded", range=(3, 1, 3, 48)),
    # PyTorch: a hand-written loop, and Lightning.
    Invalid(
        "import torch\nmodel = Net()\nopt = torch.optim.AdamW(model.parameters())\nfor x, y in loader:\n"
        "    loss = criterion(model(x), y)\n    opt.zero_grad()\n    loss.backward()\n    opt.step()\n",
        message="this file trains a PyTorch model but never seeds", range=(7, 5, 7, 20),
    ),
    Invalid(
        "import torch\ndef train(model, loader, opt):\n    for x, y in loader:\n        model(x, y).backward()\n        opt.step()\n"
        "if __name__ == '__main__':\n    train(Net(), loader, opt)\n",
        message="this file trains a PyTorch model", range=(4, 9, 4, 31),
    ),
    Invalid(
        "import lightning as L\nimport random\nrandom.seed(0)\ntrainer = L.Trainer(max_epochs=5)\ntrainer.fit(LitModel(), dm)\n",
        message="random.seed is called but PyTorch is not seeded", range=(5, 1, 5, 28),
    ),
    Invalid(
        "import keras\ndef seed_everything(seed):\n    keras.utils.set_random_seed(seed)\n"
        "model = keras.Sequential()\nmodel.fit(x, y, epochs=10)",
        message="seed_everything() would seed the random generators but is never called", range=(5, 1, 5, 27)
    ),
]
