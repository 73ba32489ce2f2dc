"""RL501 fit-history-discarded: a Keras `fit` whose History is thrown away, with nothing else logging.

## What it does
Flags a Keras `model.fit(...)` (or `fit_generator`) written as a bare statement (or assigned to
`_`), so the `History` object it returns (the per-epoch loss and metrics) is dropped, when
nothing else keeps the per-epoch metrics either: no `CSVLogger`, `TensorBoard`, `History`,
`RemoteMonitor`, Weights & Biases, livelossplot, Neptune, MLflow or DVCLive callback, no
`LambdaCallback(on_epoch_end=…)`, no callback the linter cannot see into (a class of your own, a
third-party callback it does not know, a function from another module that returns the
callbacks: all assumed to record what they receive; Keras's own callbacks and known progress bars
do not), no `mlflow.autolog()`/`comet_ml`/`clearml` auto-logging, and no read of `model.history`
(Keras keeps the last fit's History there).

In PyTorch, flags a hand-written loop over epochs (the `for` around a loop over batches that
calls `loss.backward()`, directly or through a function it calls) in which nothing keeps a
per-epoch value: no list or dict growing, no item stored (`losses[epoch], accs[epoch] = loss, acc`
into arrays made before the loop; values edited in place under a mask, `output[output < 0.5] = 0`,
and a batch's parts replaced, `x[0] = x[0].to(device)`, keep nothing), no `SummaryWriter.add_scalar`, `wandb.log`,
`mlflow.log_metric`, Ray Tune's `tune.report`, `logging`, CSV writer or file; printing does not
keep them, nor does a
progress bar's `write`, nor a list emptied every epoch (`losses = []` inside the loop, or a
local list of a function the loop calls) that nothing outside the epoch receives. A function or
object the linter cannot see into whose name says it records (a project module's `logger(…)`, a
`tracker.add_train(…)` handed in) is assumed to keep what it receives — not one a function the
loop calls builds for itself and drops when it returns (`metric_monitor = MetricMonitor()` in
`train_one_epoch`), and setting the optimizer (`param_group["lr"] = lr`) keeps nothing. In a loop over
folds, the epoch loop is the one directly around the loop over batches; a training function
with its own `for e in range(epochs)` (of this file or of a project module) called with
`epochs=1` inside a loop runs one epoch per call, and that loop is the epoch loop. A loop in a
function that the file's module-level code never runs, while it runs others (an unused LR finder
left in a script), is left out. And Lightning's `Trainer(logger=False)`, which drops what
`self.log` records (unless one of its callbacks is one the linter cannot see into, such as a
class of your own: assumed to keep them; a Trainer only used to `predict`, `test` or `validate`
trains nothing and is left alone). A loop over `range(1)` (`epochs = 1` where it runs) beside
another epoch loop is a trial run with no curve to keep; the file's only training loop is
reported even at one epoch (the count is the first thing its author will raise).

Only Keras fits count as fits: the receiver is built by `keras.Model`/`keras.Sequential`/a pretrained
backbone/`load_model`, or `compile()` is called on it, or the call passes Keras-only arguments
(`epochs`, `validation_data`, `steps_per_epoch` …); a receiver built from scikit-learn, CatBoost,
LightGBM or XGBoost never counts. A single-epoch fit outside a loop is not reported: its History
holds one point, not a curve.

## Why it matters
Learning curves are how you tell whether training was long enough, whether it overfits, and
whether a change (a hidden layer, batch normalization, a learning rate) helped or just ran a
different number of epochs. A table of final accuracies cannot show that, and a
dropped History cannot be recovered without training again.

## Example
```python
model.fit(train_generator, validation_data=val_generator, epochs=10, callbacks=[checkpoint])
```

In PyTorch:
```python
for epoch in range(EPOCHS):
    train_loss = train_one_epoch(model, train_loader, optimizer)
    print(f"epoch {epoch}: {train_loss:.3f}")
```

## Use instead
```python
history = model.fit(train_generator, validation_data=val_generator, epochs=10,
                    callbacks=[checkpoint, keras.callbacks.CSVLogger("stage2.csv")])
plot_history(history)
```
In PyTorch, keep each epoch's values (`history["train_loss"].append(train_loss)`) or log them
(`writer.add_scalar("loss/train", train_loss, epoch)`).
"""

from __future__ import annotations

import re

from collections.abc import Iterator, Mapping

import libcst as cst

from reviewlint.api import (
    CallSite, Facts, Fit, Invalid, NoOptions, Report, RuleContext, Scope, Severity, SubscriptAssignment, dotted,
    epoch_parameter, is_number, names_in, passes_one_epoch,
)
from reviewlint.knowledge import training

CODE = "RL501"
NAME = "fit-history-discarded"
SEVERITY = Severity.WARNING
SUMMARY = "Training whose per-epoch metrics are kept nowhere (a dropped Keras History, an unlogged PyTorch loop)"
TRIGGERS = ("fit", "backward", "logger")
# A file with an epoch loop follows its imports into the project modules that train one epoch.
IMPORT_TRIGGERS = (*TRIGGERS, "epoch")


def _keeps_metrics(facts: Facts, callback: CallSite) -> bool:
    """Whether one callback records the per-epoch metrics (or might: unknown callbacks do)."""
    site_qualname = callback.qualname
    if site_qualname in training.LOGGING_CALLBACKS:
        return True
    if site_qualname == training.LAMBDA_CALLBACK:
        return bool(training.LAMBDA_EPOCH_HOOKS & set(callback.keywords()))
    func = callback.node.func
    if site_qualname is None and isinstance(func, cst.Name) and func.value in facts.model.functions:
        return False  # a function of this module: origins() already followed what it returns
    if site_qualname is not None and (
        site_qualname.startswith("keras.") or site_qualname in training.NON_LOGGING_CALLBACKS
    ):
        return False  # EarlyStopping, ModelCheckpoint, ReduceLROnPlateau, progress bars …
    # A class of this module, a third-party callback, or a function from another module that
    # returns the callbacks: the linter cannot see inside, so it assumes the metrics are recorded.
    return True


def _history_read(facts: Facts, fit: Fit) -> bool:
    receiver = fit.receiver
    if receiver is None:
        return False
    return facts.model.qualify(f"{receiver}.history", fit.call.scope) in facts.model.attribute_reads


def _written_out(loop: cst.For) -> bool:
    return isinstance(loop.iter, (cst.List, cst.Tuple, cst.Set))


def _epoch_loop(fors: list[cst.For]) -> cst.For | None:
    """Of the ``for`` loops around a loop over batches (outermost first), the epoch loop: the
    innermost one that does not go over a written-out collection (``for phase in ["train", "val"]``,
    ``for opt_level in ("O0", "O1")``: a test's grid of options, not epochs)."""
    around = [loop for loop in fors[:-1] if not _written_out(loop)]
    return around[-1] if around and not _written_out(fors[-1]) else None


def _epoch_loops(facts: Facts, epoch_trainers: Mapping[str, tuple[int, str] | None]) -> list[cst.For]:
    """The loops over epochs of hand-written PyTorch training: the ``for`` around a loop over
    batches that calls ``loss.backward()``, in the same function or around a call of the function
    that holds the batch loop (``for epoch in range(E): train_one_epoch(…)``), also one of a
    project module (``engine.train_one_epoch``, one of ``epoch_trainers``). A function with its own
    loop over ``range(epochs)`` called with ``epochs=1`` in a loop runs one epoch per call: the
    caller's loop is the epoch loop (and the function's own is not, when every call passes 1)."""
    model = facts.model
    found: dict[int, cst.For] = {}
    for call in model.calls if epoch_trainers else ():
        if not call.loops:
            continue
        outer = [loop for loop in call.loops if isinstance(loop, cst.For)]
        name = dotted(call.node.func)
        if outer and name is not None and name in epoch_trainers:
            parameter = epoch_trainers[name]
            if parameter is None or passes_one_epoch(model, call, parameter):
                found.setdefault(id(outer[-1]), outer[-1])
    for step in facts.torch_trainings:
        if step.method != "backward":
            continue
        fors = [loop for loop in step.loops if isinstance(loop, cst.For)]
        parameter = epoch_parameter(model, step)
        callers = [call for call in model.calls if _local_callee(facts, call) == step.scope.name] if step.scope.name in model.functions else []
        if parameter is not None and callers:
            around = [[loop for loop in call.loops if isinstance(loop, cst.For)] for call in callers
                      if passes_one_epoch(model, call, parameter)]
            for outer in around:
                if outer:
                    found.setdefault(id(outer[-1]), outer[-1])
            if len(around) == len(callers) and all(around):
                continue  # its own loop runs once per pass of each caller's loop
        if len(fors) >= 2:
            epoch = _epoch_loop(fors)
            if epoch is not None:
                found.setdefault(id(epoch), epoch)
        elif len(fors) == 1:
            for call in callers:
                outer = [loop for loop in call.loops if isinstance(loop, cst.For)]
                if outer:
                    found.setdefault(id(outer[-1]), outer[-1])
    return list(found.values())


def _local_callee(facts: Facts, call: CallSite) -> str | None:
    """The function of this file a call runs: ``train_one_epoch(…)``, or a method of the same
    class, ``self.train_fn(…)``."""
    func = call.node.func
    if call.qualname is not None:
        return None
    if isinstance(func, cst.Name) and func.value in facts.model.functions:
        return func.value
    if call.receiver == "self" and call.method in facts.model.functions:
        return call.method
    return None


def _is_empty_container(facts: Facts, value: cst.BaseExpression | None) -> bool:
    if isinstance(value, (cst.List, cst.Dict, cst.Set)):
        return not (value.elements)
    if not isinstance(value, cst.Call):
        return False
    site = facts.model.call_site(value)
    if site is not None and site.qualname in training.EMPTY_CONTAINERS:
        return True
    func = value.func
    return isinstance(func, cst.Name) and func.value in training.EMPTY_BUILTINS and not facts.model.bound_anywhere(func.value)


def _fresh(facts: Facts, name: str, scope: Scope, loop: cst.For, functions: set[str]) -> bool:
    """Whether the container a recording call or store writes into is built anew for every epoch:
    emptied inside the epoch loop, or a local of a function the loop calls (what such a function
    returns is judged where the loop uses it)."""
    model = facts.model
    var = model.qualify(name.split(".", 1)[0], scope)
    empties = [binding for binding in model.bindings_of(var) if binding.kind == "assign" and _is_empty_container(facts, binding.value)]
    if not empties:
        return False
    if not var.scope.is_module and var.scope.name in functions:
        return True
    return any(model.encloses(loop, binding.node) for binding in empties)


def _prints(facts: Facts, call: CallSite) -> bool:
    """``write`` of a progress bar or of the console: printing, not keeping."""
    if call.method != "write" and not (call.qualname or "").endswith(".write"):
        return False
    if call.qualname is not None:
        return call.qualname.rsplit(".", 1)[0] in training.PROGRESS_BARS
    func = call.node.func
    if not isinstance(func, cst.Attribute):
        return False
    origins = facts.model.origins(func.value, call.scope)
    return bool(origins) and all(
        (site := facts.model.call_site(origin)) is not None and site.qualname in training.PROGRESS_BARS
        for origin, _ in origins
    )


def _opaque_recorder(facts: Facts, call: CallSite) -> bool:
    """A call the linter cannot see into whose name says it records (``logger(epoch, loss, "log.csv")``
    from a project module, ``tracker.add_train(…)`` on a parameter): assumed to keep its values."""
    func = call.node.func
    if isinstance(func, cst.Name) and func.value in facts.model.functions:
        return False  # a function of this file: followed instead
    if call.qualname is not None and call.qualname.split(".", 1)[0] in training.COMPUTING_LIBRARIES:
        return False
    return any(training.RECORDING_NAME.search(part) for part in (dotted(func) or "").split("."))


def _local_object(facts: Facts, call: CallSite, functions: set[str]) -> bool:
    """Whether a recording call belongs to an object a function the epoch loop calls builds for
    itself and does not return (``metric_monitor = MetricMonitor()`` … ``metric_monitor.update(…)``
    in ``train_one_epoch``): it is gone when the function returns."""
    scope = call.scope
    name = call.receiver.split(".", 1)[0] if call.receiver else (call.assigned_to[0] if call.assigned_to else None)
    if scope.kind != "function" or scope.name not in functions or not name:
        return False
    model = facts.model
    var = model.qualify(name, scope)
    bindings = model.bindings_of(var)
    if var.scope != scope or not bindings or not all(binding.kind == "assign" and isinstance(binding.value, cst.Call) for binding in bindings):
        return False
    return not any(name in names_in(value) for value in model.returns.get(scope.name, ()))


def _records(facts: Facts, loop: cst.For) -> bool:
    """Whether anything in an epoch loop, or in the module's functions it calls, keeps a value:
    a recording call (a list growing, a logger, TensorBoard, W&B, a CSV file) or an item stored
    into a container (``history["loss"][epoch] = …``). A container rebuilt every epoch keeps
    nothing past it, and a progress bar's ``write`` only prints."""
    model = facts.model
    inside = [call for call in model.calls if any(node is loop for node in call.loops)]
    functions: set[str] = set()
    stack = [name for call in inside if (name := _local_callee(facts, call)) is not None]
    while stack:
        name = stack.pop()
        if name not in functions:
            functions.add(name)
            stack.extend(callee for c in model.calls if c.scope.name == name and (callee := _local_callee(facts, c)) is not None)
    calls = inside + [call for call in model.calls if call.scope.name in functions]
    for call in calls:
        if _opaque_recorder(facts, call) and not _local_object(facts, call, functions):
            return True
        if (call.method or (call.qualname or "").rsplit(".", 1)[-1]) not in training.METRIC_RECORDERS or _prints(facts, call):
            continue
        if call.qualname is None and call.receiver is not None and _fresh(facts, call.receiver, call.scope, loop, functions):
            continue
        return True
    return any(
        (model.encloses(loop, stored.node) or stored.scope.name in functions)
        and not (stored.target and _fresh(facts, stored.target, stored.scope, loop, functions))
        and not _SETS_OPTIMIZER.search(model.module.code_for_node(stored.node))
        and not _masked_edit(stored.node)
        and not _into_batch(facts, stored)
        for stored in model.subscript_assignments
    )


def _into_batch(facts: Facts, stored: SubscriptAssignment) -> bool:
    """``x[0] = x[0].to(device)`` in ``for x, y in loader``: an edit of the batch a data loop
    iterates, gone with the next batch."""
    if not stored.target:
        return False
    var = facts.model.qualify(stored.target.split(".", 1)[0], stored.scope)
    return any(var in loop.batch for loop in facts.data_loops)


def _masked_edit(node: cst.CSTNode) -> bool:
    """``output[output < 0.5] = 0``, ``y[(y >= a) & (y < b)] = 1``: values edited in place where a
    mask holds, no entry kept."""
    subscripts = [target.target for target in getattr(node, "targets", ()) if isinstance(target.target, cst.Subscript)]
    return bool(subscripts) and all(
        len(subscript.slice) == 1 and isinstance(subscript.slice[0].slice, cst.Index)
        and _is_mask(subscript.slice[0].slice.value)
        for subscript in subscripts
    )


def _is_mask(node: cst.BaseExpression) -> bool:
    """A comparison, or comparisons joined by ``&``, ``|``, ``^`` or negated with ``~``."""
    if isinstance(node, cst.Comparison):
        return True
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.BitAnd, cst.BitOr, cst.BitXor)):
        return _is_mask(node.left) and _is_mask(node.right)
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.BitInvert):
        return _is_mask(node.expression)
    return False


# param_group['lr'] = lr, optimizer.param_groups[0]['lr'] = …: setting the optimizer, not keeping a metric.
_SETS_OPTIMIZER = re.compile(r"param_groups?\b")


def _torch(facts: Facts, epoch_trainers: Mapping[str, tuple[int, str] | None]) -> Iterator[Report]:
    """Lightning's ``Trainer(logger=False)``, and hand-written epoch loops that keep no metric."""
    model = facts.model
    for call in model.calls:
        if call.qualname in training.LIGHTNING_TRAINERS:
            logger, callbacks = call.arg("logger"), call.arg("callbacks")
            unknown = callbacks is not None and any(
                (site := model.call_site(origin)) is None or site.qualname not in training.LIGHTNING_SILENT_CALLBACKS
                for origin, _ in model.origins(callbacks.value, call.scope) if isinstance(origin, cst.Call))
            owners = model.owners(call)
            # What this trainer runs (a name rebound to another Trainer runs that one's calls).
            used = {site.method for site in model.calls if site.receiver and (var := model.qualify(site.receiver, site.scope)) in owners
                    and ((binding := model.reaching(var, site.index)) is None or binding.value is call.node or var.scope != site.scope)}
            inference_only = bool(used) and not used & {"fit", "tune"}  # predict/test/validate keep no curve
            if logger is not None and model.value(logger.value) is False and not unknown and not inference_only:
                yield Report(
                    logger,
                    "Trainer(logger=False) drops every value self.log(…) records: the learning curves of this run are lost",
                    hint="keep the default logger, or pass lightning's CSVLogger/TensorBoardLogger",
                )
    # A script that runs some of its functions (main()) but never this one: an unused helper (an
    # LR finder left in the file) does not train.
    loops = [(loop, next((call for call in facts.model.calls if any(node is loop for node in call.loops)), None))
             for loop in _epoch_loops(facts, epoch_trainers)]
    if not loops:
        return
    run = facts.model.run_from_module
    trials = {id(loop) for loop, site in loops if site is not None and _one_epoch(facts, loop, site)}
    for loop, site in loops:
        scope = site.scope.name if site is not None else ""
        if run and scope in facts.model.functions and scope not in run:
            continue
        if id(loop) in trials and len(trials) < len(loops):
            continue  # a one-epoch trial run beside the real training loop: no curve to keep
        if not _records(facts, loop):
            yield Report(
                loop.iter,
                "this training loop keeps no per-epoch metric (no list, logger, TensorBoard, W&B or CSV file; "
                "printing does not keep them): the learning curves of this run are lost",
                hint="append each epoch's losses and metrics to a list (or log them with a SummaryWriter) and plot them",
            )


def _one_epoch(facts: Facts, loop: cst.For, site: CallSite) -> bool:
    """Whether an epoch loop is ``for epoch in range(EPOCHS)`` with ``EPOCHS`` 1 where it runs
    (``site``: a call inside it; in module-level code, the value bound last before the loop)."""
    iterable = loop.iter
    if not (isinstance(iterable, cst.Call) and isinstance(iterable.func, cst.Name) and iterable.func.value == "range"
            and len(iterable.args) == 1 and not iterable.args[0].keyword and not iterable.args[0].star):
        return False
    count = iterable.args[0].value
    model = facts.model
    value = model.value_at(count, site.index) if site.scope.is_module and site.loops[0] is loop else model.value_in(count, site.scope)
    return value == 1 and not isinstance(value, bool)


def check(ctx: RuleContext[NoOptions]) -> Iterator[Report]:
    facts = ctx.facts
    if any(call.qualname in training.AUTOLOG_CALLS for call in facts.model.calls):
        return
    yield from _torch(facts, ctx.imported.epoch_trainers)
    for fit in facts.fits:
        if fit.receiver == "self":  # self.fit(…): a model class's own code, not a training run
            continue
        if not fit.statement and fit.call.assigned_to != ("_",):
            continue
        if fit.planned_epochs == 1 and not fit.call.in_loop:
            continue
        if any(_keeps_metrics(facts, callback) for callback in fit.callbacks):
            continue
        if _history_read(facts, fit):
            continue
        target = f"{fit.receiver}.{fit.call.method}()" if fit.receiver else f"{fit.call.method}()"
        epochs = f" for {fit.planned_epochs} epochs" if is_number(fit.planned_epochs) else ""
        loop = " inside a loop" if fit.call.in_loop else ""
        yield Report(
            fit.node,
            f"the History returned by {target}{epochs}{loop} is discarded and no callback logs the "
            "per-epoch metrics: the learning curves of this run are lost",
            hint="keep it (history = model.fit(...)) and plot it, or pass keras.callbacks.CSVLogger(...)",
        )


_TORCH = (
    "import torch\ndef train_one_epoch(loader):\n    for x, y in loader:\n        loss = criterion(model(x), y)\n"
    "        loss.backward()\n    return loss.item()\n"
)

VALID = [
    # One epoch (a notebook cell that trains once before the real run, which keeps its losses): no curve to keep.
    "import torch\nepochs = 1\nfor epoch in range(epochs):\n    for x, y in loader:\n        criterion(model(x), y).backward()\n"
    "    print(epoch)\nepochs = 20\nlosses = []\nfor epoch in range(epochs):\n    for x, y in loader:\n"
    "        loss = criterion(model(x), y)\n        loss.backward()\n    losses.append(loss.item())\n",
    # PyTorch: the epoch's loss kept in a list, or logged.
    _TORCH + "history = []\nfor epoch in range(EPOCHS):\n    history.append(train_one_epoch(train_loader))\n",
    _TORCH + "from torch.utils.tensorboard import SummaryWriter\nwriter = SummaryWriter()\nfor epoch in range(EPOCHS):\n"
    "    writer.add_scalar('loss', train_one_epoch(train_loader), epoch)\n",
    "import lightning as L\ntrainer = L.Trainer(logger=False, callbacks=[MetricsHistory(), L.pytorch.callbacks.ModelCheckpoint()])",
    # A Trainer only used to predict has no learning curve to lose.
    "import lightning as L\ninfer = L.Trainer(logger=False)\npreds = infer.predict(model, dataloaders=test_loader)",
    # The name is rebound to a Trainer that only tests: the one that trained logs.
    "import lightning as L\ntrainer = L.Trainer(logger=L.pytorch.loggers.CSVLogger('logs'))\ntrainer.fit(model, dm)\n"
    "trainer = L.Trainer(logger=False)\ntrainer.test(model, test_loader)",
    # an LR finder the script never runs (it runs main())
    "import torch\ndef find_lr(loader):\n    for step in range(100):\n        for x, y in loader:\n"
    "            criterion(model(x), y).backward()\ndef main():\n    history = []\n    for epoch in range(3):\n"
    "        for x, y in loader:\n            criterion(model(x), y).backward()\n        history.append(1)\nmain()\n",
    _TORCH + "import wandb\nfor epoch in range(EPOCHS):\n    wandb.log({'loss': train_one_epoch(train_loader)})\n",
    _TORCH + "history = {'loss': []}\nfor epoch in range(EPOCHS):\n    history['loss'] += [train_one_epoch(train_loader)]\n"
    "    scores[epoch] = evaluate(model)\n",
    # Each epoch's values stored by position into arrays made before the loop, two at a time.
    _TORCH + "import numpy as np\nlosses, accs = np.zeros(EPOCHS), np.zeros(EPOCHS)\nfor epoch in range(EPOCHS):\n"
    "    loss, acc = train_one_epoch(train_loader)\n    losses[epoch], accs[epoch] = loss, acc\n",
    # Ray Tune keeps what each epoch reports.
    _TORCH + "from ray import tune\nfor epoch in range(EPOCHS):\n    tune.report({'loss': train_one_epoch(train_loader)})\n",
    # A list of batch losses emptied every epoch, whose mean is kept per epoch; a function that
    # returns its local list to a loop that keeps it.
    _TORCH + "history = []\nfor epoch in range(EPOCHS):\n    losses = []\n    for x, y in train_loader:\n"
    "        loss = criterion(model(x), y)\n        loss.backward()\n        losses.append(loss.item())\n"
    "    history.append(sum(losses) / len(losses))\n",
    _TORCH + "def run_epoch(loader):\n    losses = []\n    for x, y in loader:\n        loss = criterion(model(x), y)\n"
    "        loss.backward()\n        losses.append(loss.item())\n    return losses\nall_losses = []\n"
    "for epoch in range(EPOCHS):\n    all_losses.extend(run_epoch(train_loader))\n",
    # A project module's logger, and a tracker handed in, whose names say they record.
    _TORCH + "from logger import logger\nfor epoch in range(EPOCHS):\n"
    "    logger(epoch, train_one_epoch(train_loader), 'log.csv')\n",
    _TORCH + "def fit(tracker):\n    for epoch in range(EPOCHS):\n        losses = []\n        for x, y in train_loader:\n"
    "            loss = criterion(model(x), y)\n            loss.backward()\n            losses.append(loss.item())\n"
    "        tracker.add_train(sum(losses))\nfit(Tracker())\n",
    # History kept.
    "import tensorflow as tf\nmodel = tf.keras.Sequential()\nhistory = model.fit(x, y, epochs=10)",
    "from tensorflow import keras\nmodel = keras.Model(i, o)\nhistories.append(model.fit(x, y, epochs=10))",
    "from tensorflow import keras\ndef train(model):\n    return model.fit(x, y, epochs=10)",
    # A logging callback keeps the curves.
    "import tensorflow as tf\nmodel.fit(x, y, epochs=10, callbacks=[tf.keras.callbacks.CSVLogger('log.csv')])",
    "from tensorflow.keras.callbacks import TensorBoard as TB, EarlyStopping as ES\n"
    "cbs = [ES(patience=3), TB('logs')]\nmodel.fit(x, y, epochs=10, callbacks=cbs)",
    "import keras\ncallbacks = [keras.callbacks.EarlyStopping()]\ncallbacks.append(keras.callbacks.CSVLogger('a.csv'))\n"
    "model.fit(x, y, epochs=5, callbacks=callbacks)",
    "import keras\ndef make_callbacks():\n    return [keras.callbacks.CSVLogger('a.csv')]\n"
    "model.fit(x, y, epochs=5, callbacks=make_callbacks())",
    "import tensorflow.keras as keras\nlog = keras.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: rows.append(logs))\n"
    "model.fit(x, y, epochs=10, callbacks=[log])",
    "from wandb.keras import WandbMetricsLogger\nmodel.fit(x, y, epochs=10, callbacks=[WandbMetricsLogger()])",
    "import keras\nclass PlotLearning(keras.callbacks.Callback):\n    pass\nmodel.fit(x, y, epochs=10, callbacks=[PlotLearning()])",
    "import mlflow\nmlflow.tensorflow.autolog()\nmodel.fit(x, y, epochs=10)",
    # model.history read afterwards.
    "import keras\nmodel = keras.Sequential()\nmodel.fit(x, y, epochs=10)\nplt.plot(model.history.history['loss'])",
    # A single epoch has no curve.
    "import keras\nmodel = keras.Sequential()\nmodel.compile('adam', 'mse')\nmodel.fit(x, y)",
    "import keras\nmodel = keras.Sequential()\nmodel.fit(x, y, epochs=1)",
    # Not Keras.
    "from sklearn.ensemble import RandomForestClassifier\nclf = RandomForestClassifier()\nclf.fit(X, y)",
    "from catboost import CatBoostClassifier\nmodel = CatBoostClassifier(iterations=500)\nmodel.fit(X, y, eval_set=(Xv, yv))",
    "import lightgbm as lgb\nmodel = lgb.LGBMClassifier()\nmodel.fit(X, y, callbacks=[lgb.early_stopping(50)])",
    "import xgboost as xgb\nmodel = xgb.XGBRegressor(n_estimators=100)\nmodel.fit(X, y, eval_set=[(Xv, yv)], verbose=False)",
    "from sklearn.preprocessing import StandardScaler\nscaler = StandardScaler()\nscaler.fit(X)",
    "from sklearn.pipeline import make_pipeline\nfrom sklearn.svm import SVC\n"
    "def build():\n    return make_pipeline(SVC())\nclf = build()\nclf.fit(X, y)",
    "model.fit(X, y)  # nothing says this is Keras",
    # Callbacks from the project's own module: the linter cannot see inside, so it assumes they log.
    "from utils import get_callbacks\nmodel.fit(x, y, epochs=10, callbacks=get_callbacks('run1'))",
    "EPOCHS = 10\nmodel.fit(X, y)",
]

_MODEL_TRAIN = (
    "import torch\ndef model_train(model, loader, epochs=10):\n    for e in range(epochs):\n        for x, y in loader:\n"
    "            criterion(model(x), y).backward()\n"
)
# A training function with its own epoch loop, called for one epoch at a time by a loop that keeps
# the validation loss; called once for all its epochs, its own loop is the epoch loop, judged as such.
VALID.extend([
    _TORCH + "from livelossplot import PlotLosses\nliveloss = PlotLosses()\nfor epoch in range(EPOCHS):\n"
    "    liveloss.update({'loss': train_one_epoch(train_loader)})\n    liveloss.send()\n",
    _MODEL_TRAIN + "history = []\nfor epoch in range(EPOCHS):\n    model_train(model, train_loader, epochs=1)\n"
    "    history.append(validate(model, val_loader))\n",
])

INVALID = [
    # A metric monitor built inside the epoch function and dropped when it returns keeps nothing.
    Invalid('import torch\n\n\ndef train_one_epoch(model, loader):\n    monitor = MetricMonitor()\n    for x, y in loader:\n        loss = criterion(model(x), y)\n        loss.backward()\n        monitor.update("loss", loss.item())\n    print(monitor)\n\n\nfor epoch in range(10):\n    train_one_epoch(model, loader)\n', message="keeps no per-epoch metric", range=(13, 14, 13, 23)),
    # Setting the optimizer's rate each epoch keeps no metric.
    # The file's only training loop, at one epoch for now.
    Invalid("import torch\nepochs = 1  # adjust as needed\nfor epoch in range(epochs):\n    for x, y in loader:\n"
            "        criterion(model(x), y).backward()\n    print(epoch)\n", message="keeps no per-epoch metric", range=(3, 14, 3, 27)),
    # Moving the parts of a batch to the device keeps nothing.
    Invalid('import torch\nfor epoch in range(10):\n    for x, y in loader:\n        x[0] = x[0].to(device)\n        criterion(model(x), y).backward()\n    print(epoch)\n', message="keeps no per-epoch metric", range=(2, 14, 2, 23)),
    # Thresholding the predictions in place keeps nothing.
    Invalid('import torch\n\n\ndef train(model, loader):\n    for x, y in loader:\n        output = model(x)\n        criterion(output, y).backward()\n        output[output < 0.5] = 0\n        output[(output >= 0.5) & (output < 1.5)] = 1\n\n\nfor epoch in range(10):\n    train(model, loader)\n    print(epoch)\n', message="keeps no per-epoch metric", range=(12, 14, 12, 23)),
    Invalid('import torch\n\n\ndef adjust_learning_rate(optimizer, epoch):\n    for param_group in optimizer.param_groups:\n        param_group["lr"] = 0.1 * 0.1 ** (epoch // 30)\n\n\nfor epoch in range(90):\n    adjust_learning_rate(optimizer, epoch)\n    for x, y in loader:\n        criterion(model(x), y).backward()\n    print(epoch)\n', message="keeps no per-epoch metric", range=(9, 14, 9, 23)),
    # Plotting one epoch's predictions keeps no learning curve.
    Invalid(
        _TORCH + "from utils import plot_roc\nfor epoch in range(EPOCHS):\n    loss = train_one_epoch(train_loader)\n"
        "    plot_roc(y_true, y_pred)\n",
        message="this training loop keeps no per-epoch metric", range=(8, 14, 8, 27),
    ),
    Invalid(
        _MODEL_TRAIN + "for epoch in range(EPOCHS):\n    model_train(model, train_loader, epochs=1)\n"
        "    val_loss = validate(model, val_loader)\n    print(epoch, val_loss)\n",
        message="this training loop keeps no per-epoch metric", range=(6, 14, 6, 27),
    ),
    Invalid(
        _TORCH + "for epoch in range(EPOCHS):\n    loss = train_one_epoch(train_loader)\n    print(epoch, loss)\n",
        message="this training loop keeps no per-epoch metric", range=(7, 14, 7, 27),
    ),
    Invalid(
        "import torch\nfor epoch in range(10):\n    for x, y in loader:\n        loss = criterion(model(x), y)\n"
        "        loss.backward()\n        optimizer.step()\n    print(f'{epoch}: {loss.item():.3f}')\n",
        range=(2, 14, 2, 23),
    ),
    # Lists emptied every epoch and a progress bar's write keep nothing past the epoch; in a
    # loop over folds, the finding lands on the epoch loop.
    Invalid(
        "import torch\nfrom tqdm import tqdm\nfor fold in range(5):\n    for epoch in range(10):\n        losses = []\n"
        "        for x, y in tqdm(loader):\n            loss = criterion(model(x), y)\n            loss.backward()\n"
        "            losses.append(loss.item())\n        tqdm.write(f'{epoch}: {sum(losses):.3f}')\n",
        range=(4, 18, 4, 27),
    ),
    # Log-probabilities are a value, not a log: only printed, nothing kept.
    Invalid(
        "import torch\nfor epoch in range(10):\n    for x, y in loader:\n        logps = model(x)\n"
        "        criterion(logps, y).backward()\n        top_p, top_class = logps.topk(1, dim=1)\n    print(epoch, top_class)\n",
        range=(2, 14, 2, 23),
    ),
    # Emptied together (``probs, targets = [], []``) at the start of every epoch: the same.
    Invalid(
        "import torch\nfor epoch in range(10):\n    probs, targets = [], []\n    for x, y in loader:\n"
        "        out = model(x)\n        criterion(out, y).backward()\n        probs.append(out)\n        targets.append(y)\n"
        "    print(epoch, accuracy(probs, targets))\n",
        range=(2, 14, 2, 23),
    ),
    Invalid(
        _TORCH + "def train_one(loader):\n    outputs = []\n    for x, y in loader:\n        loss = criterion(model(x), y)\n"
        "        loss.backward()\n        outputs.extend(model(x).tolist())\n    return outputs\n"
        "for epoch in range(EPOCHS):\n    train_one(train_loader)\n",
        range=(14, 14, 14, 27),
    ),
    # A trainer class whose epoch loop calls its own method, run from the module.
    Invalid(
        "import torch\nclass TrainEval:\n    def train_fn(self):\n        for x, y in self.loader:\n"
        "            self.loss(self.model(x), y).backward()\n        return 0.0\n    def train(self):\n"
        "        for i in range(self.epochs):\n            print(self.train_fn())\nTrainEval().train()\n",
        range=(8, 18, 8, 36),
    ),
    Invalid("import lightning as L\ntrainer = L.Trainer(max_epochs=10, logger=False)\ntrainer.fit(model, dm)", range=(2, 36, 2, 48)),
    Invalid(
        "import tensorflow as tf\nmodel = tf.keras.Sequential([tf.keras.layers.Dense(1)])\nmodel.fit(x, y, epochs=10)",
        message="for 10 epochs", range=(3, 1, 3, 27)
    ),
    Invalid("import tensorflow\nmodel = tensorflow.keras.models.load_model('m.h5')\nmodel.fit(x, y, epochs=EPOCHS)", range=(3, 1, 3, 31)),
    Invalid(
        "from tensorflow.keras.callbacks import EarlyStopping as ES, ModelCheckpoint\n"
        "callbacks_list = [ModelCheckpoint('best.h5', save_best_only=True), ES(patience=3)]\n"
        "model.fit(train_generator, validation_data=test_generator, epochs=EPOCHS, callbacks=callbacks_list)",
        message="History returned by model.fit()", range=(3, 1, 3, 100)
    ),
    Invalid("import keras\nEPOCHS = 20\nmodel = keras.Model(inputs, outputs)\nmodel.compile('adam', 'mse')\nmodel.fit(x, y, epochs=EPOCHS)", range=(5, 1, 5, 31)),
    Invalid("model.compile(optimizer='adam', loss='mse')\nmodel.fit(x, y, batch_size=32, epochs=3)", range=(2, 1, 2, 41)),
    Invalid("model.fit_generator(gen, steps_per_epoch=100, epochs=5)", range=(1, 1, 1, 56)),
    Invalid("import keras\nmodel = keras.Sequential()\nfor epoch in range(10):\n    model.fit(x, y, epochs=1)", message="inside a loop", range=(4, 5, 4, 30)),
    Invalid("from tqdm.keras import TqdmCallback\n_ = model.fit(x, y, epochs=10, callbacks=[TqdmCallback(verbose=2)])", range=(2, 5, 2, 68)),
    Invalid("import efficientnet.tfkeras as efn\nbase = efn.EfficientNetB0(weights='imagenet')\nbase.fit(x, y, epochs=3)", range=(3, 1, 3, 25)),
    Invalid("import keras\nmodel = keras.Sequential()\nmodel.fit(x, y, epochs=2)\nmodel.fit(x, y, epochs=2)", count=2, range=(3, 1, 3, 26)),
]
