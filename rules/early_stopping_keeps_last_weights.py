"""RL507 early-stopping-keeps-last-weights: `EarlyStopping` that leaves the model at its last epoch.

## What it does
Flags `keras.callbacks.EarlyStopping(...)` without `restore_best_weights=True`. When training
stops, the model holds the weights of the last epoch, `patience` epochs past the best one.

Not reported for an `EarlyStopping` that never reaches a `callbacks=` argument (of `fit`, of
`tuner.search`, of a training helper): it stops nothing. Nor when the best weights are recovered
another way: a `ModelCheckpoint(save_best_only=True)` is passed to the same `fit` and, after
that fit, the checkpoint is loaded back (`model.load_weights(path)`,
`keras.models.load_model(path)`; when both paths are constants they must be the same file,
`./best.h5` being `best.h5`; a notebook that rebinds the path and the callbacks in every cell is
read cell by cell). A `restore_best_weights` whose value cannot be folded is not reported either.

Lightning's `EarlyStopping` has no such argument: it is reported unless the best weights are kept
and can be brought back — a `ModelCheckpoint(monitor=…)` in the file, `trainer.test(model,
ckpt_path="best")` (or `validate`/`predict`), or a read of a checkpoint's `best_model_path`.

## Why it matters
With `patience=3` the model that training leaves behind is three epochs past its best validation
score: what is evaluated, saved or used for the submission is not the model the log reports as
best. Early stopping also makes compared runs train for different numbers of epochs (one arm 30,
the other 10), which a results table hides and learning curves show. Note that
tf.keras before 2.11 restored the best weights only when it actually stopped early; Keras 3 also
restores them when training runs all its epochs.

## Example
```python
earlystop = EarlyStopping(monitor="val_accuracy", patience=3, mode="max")
```

## Use instead
```python
earlystop = EarlyStopping(monitor="val_accuracy", patience=3, mode="max", restore_best_weights=True)
```
"""

from __future__ import annotations

import posixpath

from collections.abc import Iterator

import libcst as cst

from reviewlint.api import (
    CallSite,
    Facts,
    Fit,
    Fix,
    Invalid,
    NoOptions,
    Report,
    RuleContext,
    Severity,
    replace,
    set_keyword,
)
from reviewlint.knowledge import training

CODE = "RL507"
NAME = "early-stopping-keeps-last-weights"
SEVERITY = Severity.INFO
SUMMARY = "EarlyStopping that leaves the model at the last epoch's weights, not the best (Keras without restore_best_weights, Lightning without the best checkpoint)"
TRIGGERS = ("EarlyStopping",)
# The fix passes restore_best_weights=True: the model left after training changes, so it is unsafe.
FIX = "unsafe"


def _restore_best(stopper: CallSite) -> Fix | None:
    new = set_keyword(stopper.node, "restore_best_weights", cst.Name("True"))
    return Fix("pass restore_best_weights=True", [replace(stopper.node, new)]) if new is not None else None

_LOADERS = frozenset({"keras.load_model", "keras.saving.load_model"})


def _path(facts: Facts, call: CallSite, name: str) -> object:
    """The file a call names, as the code spells it where the call runs (a notebook that rebinds
    ``model_filepath`` in every cell: the value bound last before the call), normalized
    (``./best.h5`` is ``best.h5``)."""
    arg = call.arg(name, 0)
    path = facts.model.value_of_call_arg(call, arg.value) if arg is not None else None
    return posixpath.normpath(path) if isinstance(path, str) and path else path


def _best_checkpoint_loaded(facts: Facts, fit: Fit) -> bool:
    """A ModelCheckpoint(save_best_only=True) in this fit, whose file is loaded after the fit."""
    for checkpoint in fit.callbacks:
        if checkpoint.qualname != training.MODEL_CHECKPOINT:
            continue
        best_only = checkpoint.arg("save_best_only")
        if best_only is None or facts.model.value(best_only.value) is not True:
            continue
        saved = _path(facts, checkpoint, "filepath")
        for load in facts.model.calls:
            if load.index <= fit.call.index:
                continue
            if load.qualname in _LOADERS:
                loaded = _path(facts, load, "filepath")
            elif load.qualname is None and load.method == "load_weights":
                loaded = _path(facts, load, "filepath")
            else:
                continue
            if not isinstance(saved, str) or not isinstance(loaded, str) or saved == loaded:
                return True
    return False


def _given_as_callbacks(facts: Facts) -> set[int]:
    """The nodes that reach the ``callbacks`` of some call: any ``fit`` (Keras's or not),
    ``tuner.search(…, callbacks=…)``, a training helper of the project."""
    model = facts.model
    found: set[int] = set()
    for call in model.calls:
        values = []
        arg = call.arg("callbacks", 5 if call.method == "fit" and call.qualname is None else None)
        if arg is not None:
            values.append(arg.value)
        # fit(**fit_params), RandomizedSearchCV(…, fit_params=fit_params): a dict with a "callbacks" key.
        for given in (a for a in call.node.args if a.star == "**" or isinstance(a.value, (cst.Name, cst.Dict))):
            for origin, _ in model.origins(given.value, call.scope):
                if isinstance(origin, cst.Dict):
                    values.extend(
                        element.value for element in origin.elements
                        if isinstance(element, cst.DictElement) and model.value(element.key) == "callbacks"
                    )
        # In module-level code that runs once, the names as bound just before the call (a callback
        # list rebuilt in every notebook cell: an EarlyStopping of an earlier binding stops nothing here).
        before = call.index if call.scope.is_module and not call.loops else None
        found.update(id(origin) for value in values for origin, _ in model.origins(value, call.scope, before))
    return found


def _lightning(facts: Facts) -> Iterator[Report]:
    """Lightning's EarlyStopping when nothing brings the best checkpoint back after training."""
    model = facts.model
    stoppers = [call for call in model.calls if call.qualname in training.LIGHTNING_EARLY_STOPPING]
    if not stoppers:
        return
    best = any(
        (arg := call.arg("ckpt_path")) is not None and model.value(arg.value) == "best" for call in model.calls
    ) or any(var.name.endswith("." + training.LIGHTNING_BEST_CHECKPOINT) for var in model.attribute_reads)
    # A ModelCheckpoint that monitors a metric keeps the best weights on disk; how the code loads
    # them back (a path of its own, a helper) is often out of sight, so it counts as used.
    kept = any(call.qualname in training.LIGHTNING_CHECKPOINTS and call.arg("monitor") is not None for call in model.calls)
    if best or kept:
        return
    for stopper in stoppers:
        patience_arg = stopper.arg("patience")
        patience = model.value(patience_arg.value) if patience_arg is not None else 3
        past = f" ({patience} epochs past the best one)" if isinstance(patience, int) and patience > 0 else ""
        yield Report(
            stopper.node,
            "Lightning's EarlyStopping has no restore_best_weights: when it stops, the module keeps the weights of the "
            f"last epoch{past}, and no ModelCheckpoint(monitor=…) keeps the best ones",
            hint='test and predict with trainer.test(ckpt_path="best") (a ModelCheckpoint(monitor=…) keeps it), '
                 "or load checkpoint_callback.best_model_path",
        )


def check(ctx: RuleContext[NoOptions]) -> Iterator[Report]:
    facts = ctx.facts
    yield from _lightning(facts)
    given: set[int] | None = None  # worked out for the first EarlyStopping that needs it
    for stopper in facts.model.calls_to(training.EARLY_STOPPING):
        restore = stopper.arg("restore_best_weights")
        if restore is not None and facts.model.value(restore.value) is not False:
            continue  # True, or not foldable
        fits = [fit for fit in facts.fits if any(cb.node is stopper.node for cb in fit.callbacks)]
        if not fits:
            given = _given_as_callbacks(facts) if given is None else given
            if id(stopper.node) not in given:
                continue  # made but never used: it stops nothing
        if fits and all(_best_checkpoint_loaded(facts, fit) for fit in fits):
            continue
        patience_arg = stopper.arg("patience")
        patience = facts.model.value(patience_arg.value) if patience_arg is not None else 0
        past = f" ({patience} epochs past the best one)" if isinstance(patience, int) and patience > 0 else ""
        yield Report(
            restore if restore is not None else stopper.node,
            "EarlyStopping without restore_best_weights=True: when it stops, the model keeps the weights "
            f"of the last epoch{past}, not of the best epoch",
            hint="pass restore_best_weights=True, or load the best ModelCheckpoint(save_best_only=True) after fit",
            related=tuple((fit.node, "used in this fit") for fit in fits[:2]),
            fix=_restore_best(stopper),
        )


VALID = [
    # Replaced before the fit by one that restores the best weights: the first one stops nothing.
    "from keras.callbacks import EarlyStopping\nes = EarlyStopping(monitor='val_loss')\n"
    "es = EarlyStopping(monitor='val_loss', patience=20, restore_best_weights=True)\n"
    "model.fit(x, y, validation_split=0.2, epochs=100, callbacks=[es])\n",
    "from tensorflow.keras.callbacks import EarlyStopping\nes = EarlyStopping(patience=3, restore_best_weights=True)",
    "import tensorflow as tf\ntf.keras.callbacks.EarlyStopping(monitor='val_loss', restore_best_weights=RESTORE)",
    "import keras\nkeras.callbacks.EarlyStopping(patience=5, restore_best_weights=True)",
    # The best checkpoint is loaded back after the fit (the student's notebook).
    "from tensorflow.keras.callbacks import ModelCheckpoint, EarlyStopping\n"
    "checkpoint = ModelCheckpoint('best_model.hdf5', monitor='val_accuracy', save_best_only=True)\n"
    "earlystop = EarlyStopping(monitor='val_accuracy', patience=3)\ncallbacks_list = [checkpoint, earlystop]\n"
    "history = model.fit(train_generator, epochs=10, callbacks=callbacks_list)\nmodel.load_weights('best_model.hdf5')",
    "import tensorflow as tf\nPATH = 'best.keras'\ncbs = [tf.keras.callbacks.EarlyStopping(patience=2),\n"
    "       tf.keras.callbacks.ModelCheckpoint(PATH, save_best_only=True)]\nmodel.fit(x, y, epochs=20, callbacks=cbs)\n"
    "model = tf.keras.models.load_model(PATH)",
    # Lightning: the best checkpoint is used after training.
    "import lightning as L\nfrom lightning.pytorch.callbacks import EarlyStopping, ModelCheckpoint\n"
    "ckpt = ModelCheckpoint(monitor='val_loss')\ntrainer = L.Trainer(callbacks=[EarlyStopping('val_loss'), ckpt])\n"
    "trainer.fit(model, dm)\ntrainer.test(model, dm, ckpt_path='best')",
    "import pytorch_lightning as pl\nckpt = pl.callbacks.ModelCheckpoint(monitor='val_acc', mode='max')\n"
    "trainer = pl.Trainer(callbacks=[pl.callbacks.EarlyStopping('val_acc', mode='max'), ckpt])\ntrainer.fit(model, dm)\n"
    "model = Net.load_from_checkpoint(ckpt.best_model_path)",
    # Not Keras's EarlyStopping.
    "import lightgbm as lgb\nlgb.early_stopping(50)",
    # Made, never passed to a fit (the callbacks argument is commented out): it stops nothing.
    "import keras\nstop = keras.callbacks.EarlyStopping(patience=15)\nhistory = model.fit(ds, epochs=5,\n    # callbacks=[stop],\n)",
    "from tensorflow.keras.callbacks import EarlyStopping\nes = EarlyStopping(patience=3)\nhistory = model.fit(x, y, epochs=5)",
]

INVALID = [
    # A notebook that rebinds the path and the callbacks in every cell: only the second
    # experiment's checkpoint is loaded back.
    Invalid(
        "from tensorflow.keras.callbacks import EarlyStopping, ModelCheckpoint\nfrom tensorflow.keras.models import load_model\n"
        "path = './a.h5'\ncallbacks = [EarlyStopping(patience=3), ModelCheckpoint(path, save_best_only=True)]\n"
        "model.fit(x, y, epochs=10, validation_split=0.2, callbacks=callbacks)\n"
        "path = './b.h5'\ncallbacks = [EarlyStopping(patience=3), ModelCheckpoint(path, save_best_only=True)]\n"
        "model2.fit(x, y, epochs=10, validation_split=0.2, callbacks=callbacks)\nbest = load_model('b.h5')\n",
        fixed="from tensorflow.keras.callbacks import EarlyStopping, ModelCheckpoint\nfrom tensorflow.keras.models import load_model\n"
        "path = './a.h5'\ncallbacks = [EarlyStopping(patience=3, restore_best_weights=True), ModelCheckpoint(path, save_best_only=True)]\n"
        "model.fit(x, y, epochs=10, validation_split=0.2, callbacks=callbacks)\n"
        "path = './b.h5'\ncallbacks = [EarlyStopping(patience=3), ModelCheckpoint(path, save_best_only=True)]\n"
        "model2.fit(x, y, epochs=10, validation_split=0.2, callbacks=callbacks)\nbest = load_model('b.h5')\n",
        message="EarlyStopping without restore_best_weights=True", range=(4, 14, 4, 39),
    ),
    Invalid(
        "import lightning as L\nfrom lightning.pytorch.callbacks import EarlyStopping\n"
        "trainer = L.Trainer(max_epochs=30, callbacks=[EarlyStopping(monitor='val_loss', patience=5)])\n"
        "trainer.fit(model, dm)\npreds = trainer.predict(model, test_dl)",
        message="(5 epochs past the best one)", range=(3, 47, 3, 92),
    ),
    Invalid(
        "from tensorflow.keras.callbacks import EarlyStopping as ES\nes = ES(monitor='val_accuracy', patience=3, mode='max')\n"
        "model.fit(x, y, epochs=30, callbacks=[es])",
        message="(3 epochs past the best one)",
        fixed="from tensorflow.keras.callbacks import EarlyStopping as ES\n"
        "es = ES(monitor='val_accuracy', patience=3, mode='max', restore_best_weights=True)\n"
        "model.fit(x, y, epochs=30, callbacks=[es])", range=(2, 6, 2, 56)
    ),
    Invalid(
        "import tensorflow as tf\nmodel.fit(ds, epochs=9, callbacks=[tf.keras.callbacks.EarlyStopping(restore_best_weights=False)])",
        fixed="import tensorflow as tf\nmodel.fit(ds, epochs=9, callbacks=[tf.keras.callbacks.EarlyStopping(restore_best_weights=True)])",
        range=(2, 69, 2, 95)
    ),
    Invalid(
        "import tensorflow\nstop = tensorflow.keras.callbacks.EarlyStopping(patience=10)\nclf.fit(x, y, callbacks=[stop])",
        fixed="import tensorflow\nstop = tensorflow.keras.callbacks.EarlyStopping(patience=10, restore_best_weights=True)\n"
        "clf.fit(x, y, callbacks=[stop])", range=(2, 8, 2, 61)
    ),
    # Through a dict of fit parameters (scikit-learn's fit_params, or fit(**params)).
    Invalid(
        "from keras.callbacks import EarlyStopping\nearly_stop = EarlyStopping(monitor='val_loss', patience=5)\n"
        "fit_params = {'callbacks': [early_stop], 'epochs': 200}\nsearch = RandomizedSearchCV(clf, options, fit_params=fit_params)",
        fixed="from keras.callbacks import EarlyStopping\nearly_stop = EarlyStopping(monitor='val_loss', patience=5, restore_best_weights=True)\n"
        "fit_params = {'callbacks': [early_stop], 'epochs': 200}\nsearch = RandomizedSearchCV(clf, options, fit_params=fit_params)",
        range=(2, 14, 2, 59),
    ),
    # A checkpoint, but it is never loaded back.
    Invalid(
        "import keras\ncbs = [keras.callbacks.EarlyStopping(patience=3), keras.callbacks.ModelCheckpoint('b.keras', save_best_only=True)]\n"
        "history = model.fit(x, y, epochs=30, callbacks=cbs)\nmodel.save('final.keras')",
        fixed="import keras\ncbs = [keras.callbacks.EarlyStopping(patience=3, restore_best_weights=True), "
        "keras.callbacks.ModelCheckpoint('b.keras', save_best_only=True)]\n"
        "history = model.fit(x, y, epochs=30, callbacks=cbs)\nmodel.save('final.keras')", range=(2, 8, 2, 49)
    ),
    # A checkpoint of every epoch, loaded: not the best one.
    Invalid(
        "import keras\ncbs = [keras.callbacks.EarlyStopping(patience=3), keras.callbacks.ModelCheckpoint('w.h5')]\n"
        "history = model.fit(x, y, epochs=30, callbacks=cbs)\nmodel.load_weights('w.h5')",
        fixed="import keras\ncbs = [keras.callbacks.EarlyStopping(patience=3, restore_best_weights=True), keras.callbacks.ModelCheckpoint('w.h5')]\n"
        "history = model.fit(x, y, epochs=30, callbacks=cbs)\nmodel.load_weights('w.h5')", range=(2, 8, 2, 49)
    ),
    # A different file is loaded.
    Invalid(
        "from keras.callbacks import EarlyStopping, ModelCheckpoint\n"
        "cbs = [EarlyStopping(), ModelCheckpoint('best.h5', save_best_only=True)]\n"
        "history = model.fit(x, y, epochs=30, callbacks=cbs)\nmodel.load_weights('pretrained.h5')",
        fixed="from keras.callbacks import EarlyStopping, ModelCheckpoint\n"
        "cbs = [EarlyStopping(restore_best_weights=True), ModelCheckpoint('best.h5', save_best_only=True)]\n"
        "history = model.fit(x, y, epochs=30, callbacks=cbs)\nmodel.load_weights('pretrained.h5')", range=(2, 8, 2, 23)
    ),
]
