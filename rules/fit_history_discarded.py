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
per-epoch value: no list or dict growing, no `SummaryWriter.add_scalar`, `wandb.log`,
`mlflow.log_metric`, `logging`, CSV writer or file; printing does not keep them. A loop in a
function that the file's module-level code never runs, while it runs others (an unused LR finder
left in a script), is left out. And Lightning's `Trainer(logger=False)`, which drops what
`self.log` records (unless one of its callbacks is one the linter cannot see into, such as a
class of your own: assumed to keep them).

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

from collections.abc import Iterator

import libcst as cst

from reviewlint.api import CallSite, Facts, Fit, Invalid, NoOptions, Report, RuleContext, Severity, is_number
from reviewlint.knowledge import training

CODE = "RL501"
NAME = "fit-history-discarded"
SEVERITY = Severity.WARNING
SUMMARY = "Training whose per-epoch metrics are kept nowhere (a dropped Keras History, an unlogged PyTorch loop)"
TRIGGERS = ("fit", "backward", "logger")


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


def _epoch_loops(facts: Facts) -> list[cst.For]:
    """The loops over epochs of hand-written PyTorch training: the outer ``for`` around a loop over
    batches that calls ``loss.backward()``, in the same function or around a call of the function
    that holds the batch loop (``for epoch in range(E): train_one_epoch(…)``)."""
    model = facts.model
    found: dict[int, cst.For] = {}
    for step in facts.torch_trainings:
        if step.method != "backward":
            continue
        fors = [loop for loop in step.loops if isinstance(loop, cst.For)]
        if len(fors) >= 2:
            found.setdefault(id(fors[0]), fors[0])
        elif len(fors) == 1 and step.scope.name in model.functions:
            for call in model.calls:
                outer = [loop for loop in call.loops if isinstance(loop, cst.For)]
                if outer and call.qualname is None and isinstance(call.node.func, cst.Name) and call.node.func.value == step.scope.name:
                    found.setdefault(id(outer[-1]), outer[-1])
    return list(found.values())


def _records(facts: Facts, loop: cst.For) -> bool:
    """Whether anything in an epoch loop, or in the module's functions it calls, keeps a value:
    a recording call (a list growing, a logger, TensorBoard, W&B, a CSV file) or an item stored
    into a container (``history["loss"][epoch] = …``)."""
    model = facts.model
    inside = [call for call in model.calls if any(node is loop for node in call.loops)]
    functions: set[str] = set()
    stack = [call.node.func.value for call in inside if isinstance(call.node.func, cst.Name) and call.node.func.value in model.functions]
    while stack:
        name = stack.pop()
        if name not in functions:
            functions.add(name)
            stack.extend(c.node.func.value for c in model.calls if c.scope.name == name
                         and isinstance(c.node.func, cst.Name) and c.node.func.value in model.functions)
    calls = inside + [call for call in model.calls if call.scope.name in functions]
    if any((call.method or (call.qualname or "").rsplit(".", 1)[-1]) in training.METRIC_RECORDERS for call in calls):
        return True
    return any(model.encloses(loop, stored.node) or stored.scope.name in functions for stored in model.subscript_assignments)


def _torch(facts: Facts) -> Iterator[Report]:
    """Lightning's ``Trainer(logger=False)``, and hand-written epoch loops that keep no metric."""
    model = facts.model
    for call in model.calls:
        if call.qualname in training.LIGHTNING_TRAINERS:
            logger, callbacks = call.arg("logger"), call.arg("callbacks")
            unknown = callbacks is not None and any(
                (site := model.call_site(origin)) is None or site.qualname not in training.LIGHTNING_SILENT_CALLBACKS
                for origin, _ in model.origins(callbacks.value, call.scope) if isinstance(origin, cst.Call))
            if logger is not None and model.value(logger.value) is False and not unknown:
                yield Report(
                    logger,
                    "Trainer(logger=False) drops every value self.log(…) records: the learning curves of this run are lost",
                    hint="keep the default logger, or pass lightning's CSVLogger/TensorBoardLogger",
                )
    # A script that runs some of its functions (main()) but never this one: an unused helper (an
    # LR finder left in the file) does not train.
    run = facts.model.run_from_module
    for loop in _epoch_loops(facts):
        scope = next((call.scope.name for call in facts.model.calls if any(node is loop for node in call.loops)), "")
        if run and scope in facts.model.functions and scope not in run:
            continue
        if not _records(facts, loop):
            yield Report(
                loop.iter,
                "this training loop keeps no per-epoch metric (no list, logger, TensorBoard, W&B or CSV file; "
                "printing does not keep them): the learning curves of this run are lost",
                hint="append each epoch's losses and metrics to a list (or log them with a SummaryWriter) and plot them",
            )


def check(ctx: RuleContext[NoOptions]) -> Iterator[Report]:
    facts = ctx.facts
    if any(call.qualname in training.AUTOLOG_CALLS for call in facts.model.calls):
        return
    yield from _torch(facts)
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
    # PyTorch: the epoch's loss kept in a list, or logged.
    _TORCH + "history = []\nfor epoch in range(EPOCHS):\n    history.append(train_one_epoch(train_loader))\n",
    _TORCH + "from torch.utils.tensorboard import SummaryWriter\nwriter = SummaryWriter()\nfor epoch in range(EPOCHS):\n"
    "    writer.add_scalar('loss', train_one_epoch(train_loader), epoch)\n",
    "import lightning as L\ntrainer = L.Trainer(logger=False, callbacks=[MetricsHistory(), L.pytorch.callbacks.ModelCheckpoint()])",
    # an LR finder the script never runs (it runs main())
    "import torch\ndef find_lr(loader):\n    for step in range(100):\n        for x, y in loader:\n"
    "            criterion(model(x), y).backward()\ndef main():\n    history = []\n    for epoch in range(3):\n"
    "        for x, y in loader:\n            criterion(model(x), y).backward()\n        history.append(1)\nmain()\n",
    _TORCH + "import wandb\nfor epoch in range(EPOCHS):\n    wandb.log({'loss': train_one_epoch(train_loader)})\n",
    _TORCH + "history = {'loss': []}\nfor epoch in range(EPOCHS):\n    history['loss'] += [train_one_epoch(train_loader)]\n"
    "    scores[epoch] = evaluate(model)\n",
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

INVALID = [
    Invalid(
        _TORCH + "for epoch in range(EPOCHS):\n    loss = train_one_epoch(train_loader)\n    print(epoch, loss)\n",
        message="this training loop keeps no per-epoch metric", range=(7, 14, 7, 27),
    ),
    Invalid(
        "import torch\nfor epoch in range(10):\n    for x, y in loader:\n        loss = criterion(model(x), y)\n"
        "        loss.backward()\n        optimizer.step()\n    print(f'{epoch}: {loss.item():.3f}')\n",
        range=(2, 14, 2, 23),
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
