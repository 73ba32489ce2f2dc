"""RL303 shuffled-prediction-order: predictions from a shuffling generator matched to files or labels by position.

## What it does
Flags a data source that shuffles — `flow_from_directory`, `flow_from_dataframe` and `flow` of an
`ImageDataGenerator` (their `shuffle` defaults to `True`), `image_dataset_from_directory` (also
`shuffle=True` by default) or a `tf.data` pipeline with `.shuffle(…)` — whose predictions
(`model.predict(gen)`) are then paired with something by position: the generator's own
`filenames`, `filepaths`, `classes` or `labels` (`file_paths` for a dataset), a column of a
submission frame (`submission['label'] = preds.argmax(1)`), a `pd.DataFrame({…})`, `zip(…)`, or a
metric such as `confusion_matrix(y_true, preds)`. In PyTorch, a `DataLoader(…, shuffle=True)`
(off by default) whose batches a model runs on in an evaluation loop (`for x in test_loader:
preds.append(model(x))`, `torch.cat([model(x) for x in loader])`, TTA passes averaged row by row)
when those outputs are paired the same way. Reported at the call that creates the shuffling
source. Not reported with `shuffle=False` (also given through `**flow_args`, a dict the code
spells out), or when nothing pairs the predictions by position; nor when the shuffle runs only
under `if shuffle:` and every call that builds the predicted data passes a false value or keeps
a false default (`make_input_fn(df, shuffle=False)`), or in a branch of a data-building function
that those calls' arguments rule out (`if augmentation is True: … aug.flow(…)` in
`generator(x_val)`, `augmentation=False` by default); nor for a flow over one sample
(`flow(np.expand_dims(image, 0))`, `flow_from_dataframe(df.sample(n=1))`: the preview of one
augmented image, which no shuffle reorders); nor when the inputs and the labels they are
compared with were taken in one pass over the data (`for x, y in ds: xs.append(x);
ys.append(y)`, `res = list(zip(*ds.unbatch()))`).

## Why it matters
A shuffling generator yields its batches in a random order, but `gen.filenames` and `gen.classes`
keep the directory order, and a `tf.data` dataset reshuffles on every pass. Predictions matched
by position end up next to the wrong file: the submission scores near chance, and a confusion
matrix or accuracy computed this way is meaningless — while the model itself is fine.

## Example
```python
test_gen = test_datagen.flow_from_directory(test_dir, class_mode=None)
preds = model.predict(test_gen)
submission = pd.DataFrame({"id": test_gen.filenames, "label": preds.argmax(1)})
```

In PyTorch:
```python
test_loader = DataLoader(test_ds, batch_size=64, shuffle=True)
preds = torch.cat([model(x).argmax(1) for x in test_loader])
submission["label"] = preds.numpy()
```

## Use instead
```python
test_gen = test_datagen.flow_from_directory(test_dir, class_mode=None, shuffle=False)
preds = model.predict(test_gen)
submission = pd.DataFrame({"id": test_gen.filenames, "label": preds.argmax(1)})
```
(`DataLoader(test_ds, batch_size=64, shuffle=False)` in PyTorch.)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

from reviewlint.api import (
    CallSite,
    DataLoop,
    Facts,
    Fix,
    Invalid,
    NoOptions,
    Report,
    RuleContext,
    Severity,
    UNKNOWN,
    Var,
    dotted,
    names_in,
    replace,
    set_keyword,
)
from reviewlint.knowledge import training
from reviewlint.knowledge.roles import PREDICT_METHODS
from reviewlint.knowledge.transforms import IMAGE_DATA_GENERATOR_QUALNAMES

CODE = "RL303"
NAME = "shuffled-prediction-order"
SEVERITY = Severity.WARNING
SUMMARY = "Predictions of a shuffling generator or dataset matched to files or labels by position"
TRIGGERS = ("flow", "shuffle", "image_dataset_from_directory", "DataLoader")
# The fix passes shuffle=False to the generator or dataset; the order of what it yields (and of
# the predictions) changes, so the fix is unsafe. A tf.data .shuffle() is not fixed.
FIX = "unsafe"

# ImageDataGenerator methods, with the position of ``shuffle`` when it is passed positionally
# (keras/src/legacy/preprocessing/image.py, Keras 3.15); all default to shuffle=True.
FLOW_METHODS = {"flow": 3, "flow_from_directory": 6, "flow_from_dataframe": 10}
# Dataset constructors that shuffle by default (keras.utils.image_dataset_from_directory).
SHUFFLING_DATASETS = frozenset({"keras.utils.image_dataset_from_directory", "keras.preprocessing.image_dataset_from_directory"})
# Attributes that list a source's files or labels in its fixed (unshuffled) order.
ORDER_ATTRIBUTES = ("filenames", "filepaths", "classes", "labels", "file_paths")
# Calls that pair predictions with something else element by element (by the callee's last name).
PAIRING_CALLS = frozenset(
    {
        "DataFrame", "Series", "zip", "column_stack", "confusion_matrix", "classification_report",
        "accuracy_score", "balanced_accuracy_score", "f1_score", "precision_score", "recall_score",
        "roc_auc_score", "cohen_kappa_score", "log_loss", "top_k_accuracy_score", "from_predictions",
        "multilabel_confusion_matrix",
    }
)


@dataclass
class _Source:
    call: CallSite
    keys: set[Var]
    what: str


def _is_generator(facts: Facts, call: CallSite) -> bool:
    """Whether the receiver of ``.flow(…)`` is an ImageDataGenerator."""
    func = call.node.func
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Call):
        return facts.model.imports.resolve(func.value.func) in IMAGE_DATA_GENERATOR_QUALNAMES
    if call.receiver is None:
        return False
    reached = facts.model.reaches({facts.model.qualify(call.receiver, call.scope)})
    return any(p.kind == "image-data-generator" and p.owners & reached for p in facts.pipelines)


# Calls that make an array of one sample out of one image (``np.expand_dims(image, 0)``).
_ADD_AXIS = frozenset({"numpy.expand_dims", "tensorflow.expand_dims", "keras.ops.expand_dims"})


def _one_sample(facts: Facts, call: CallSite) -> bool:
    """Whether a flow is over a single sample, which no shuffle can reorder: ``flow(samples)``
    with ``samples = np.expand_dims(image, 0)`` (or ``image[None]``, ``image[np.newaxis]``), or
    ``flow_from_dataframe(df.sample(n=1))`` (``df.head(1)``, ``df.iloc[20:21]``; not one row per
    group, ``df.groupby("id").head(1)``): the preview of one augmented image."""
    data = call.arg("dataframe" if call.method == "flow_from_dataframe" else "x", 0)
    if data is None or call.method == "flow_from_directory":
        return False
    origins = facts.model.origins(data.value, call.scope)
    return bool(origins) and all(_single(facts, node) for node, _ in origins)


def _single(facts: Facts, node: cst.BaseExpression) -> bool:
    model = facts.model
    if isinstance(node, cst.Call):
        qualname = model.imports.resolve(node.func) or ""
        method = node.func.attr.value if isinstance(node.func, cst.Attribute) else None
        if qualname in _ADD_AXIS:
            axis = next((arg for arg in node.args if arg.keyword is not None and arg.keyword.value == "axis"), None)
            axis = axis or (node.args[1] if len(node.args) > 1 and node.args[1].keyword is None else None)
            return axis is not None and model.value(axis.value) == 0
        if method in ("sample", "head") and not qualname and not _grouped(node):
            count = next((arg for arg in node.args if arg.keyword is None or arg.keyword.value == "n"), None)
            return count is not None and model.value(count.value) == 1
        return False
    if isinstance(node, cst.Subscript) and len(node.slice) == 1:
        index = node.slice[0].slice
        if isinstance(index, cst.Index):
            value = index.value
            return (isinstance(value, cst.Name) and value.value == "None") or (
                model.imports.resolve(value) == "numpy.newaxis")
        if isinstance(index, cst.Slice) and dotted(node.value) is not None and (dotted(node.value) or "").endswith(".iloc"):
            lower, upper = model.value(index.lower) if index.lower else 0, model.value(index.upper) if index.upper else None
            return isinstance(lower, int) and isinstance(upper, int) and upper - lower == 1
    return False


def _grouped(call: cst.Call) -> bool:
    """Whether ``head``/``sample`` is taken per group (``df.groupby("id").head(1)``: a row per group)."""
    receiver: cst.BaseExpression = call.func.value if isinstance(call.func, cst.Attribute) else call.func
    while isinstance(receiver, (cst.Call, cst.Attribute, cst.Subscript)):
        if isinstance(receiver, cst.Call) and isinstance(receiver.func, cst.Attribute) and receiver.func.attr.value == "groupby":
            return True
        receiver = receiver.func if isinstance(receiver, cst.Call) else receiver.value
    return False


def _shuffles(facts: Facts, call: CallSite, position: int | None, default: bool = True) -> bool | None:
    """True when the call shuffles (explicitly or by ``default``), False when not, None if unknown."""
    arg = call.arg("shuffle", position)
    if arg is None:
        for unpacked in (a for a in call.node.args if a.star == "**"):  # flow_from_directory(**flow_args)
            given = facts.model.value(unpacked.value)
            if not isinstance(given, dict):
                return None if default else False  # the keyword may be in there
            if "shuffle" in given:
                return given["shuffle"] if isinstance(given["shuffle"], bool) else None
        return default
    value = facts.model.value(arg.value)
    return value if isinstance(value, bool) else None


# Parameters that make a data-building function shuffle for training only (``if training:
# ds = ds.shuffle(…)``): a source inside such a function may not shuffle when predicting.
SWITCH_PARAMETERS = frozenset({"training", "is_training", "train", "is_train", "shuffle", "mode", "augment", "split", "subset"})


def _switched(facts: Facts, call: CallSite) -> bool:
    function = facts.model.function_of(call.scope)
    if function is None:
        return False
    params = function.params
    every = [*params.posonly_params, *params.params, *params.kwonly_params]
    return any(param.name.value in SWITCH_PARAMETERS for param in every)


def _sources(facts: Facts) -> tuple[list[_Source], set[Var]]:
    sources: list[_Source] = []
    unshuffled: set[Var] = set()
    for call in facts.model.calls:
        keys = set(facts.model.owners(call)) if call.assigned_to else set()
        if call.qualname is None and call.method in FLOW_METHODS:
            if call.method == "flow" and not _is_generator(facts, call) or _one_sample(facts, call):
                continue
            shuffles = _shuffles(facts, call, FLOW_METHODS[call.method])
            what = f"{call.method}() shuffles (shuffle defaults to True)"
        elif call.qualname in SHUFFLING_DATASETS:
            shuffles = _shuffles(facts, call, None)
            what = "image_dataset_from_directory() shuffles (shuffle defaults to True) and reshuffles on every pass"
        elif call.qualname in training.DATA_LOADERS:
            shuffles = _shuffles(facts, call, training.DATA_LOADER_SHUFFLE_POSITION, default=False)
            what = "DataLoader(shuffle=True) reshuffles the data on every pass"
        elif call.qualname is None and call.method == "shuffle" and keys and call.node.args:
            shuffles = True
            what = f"{call.receiver or 'the dataset'}.shuffle() reshuffles the data on every pass"
        else:
            continue
        if shuffles is False:
            unshuffled |= keys
        elif shuffles and not _switched(facts, call):
            sources.append(_Source(call, keys, what))
    return sources, unshuffled


def _not_taken(facts: Facts, source: _Source, reached: set[Var], data: cst.CSTNode | None = None) -> bool:
    """Whether the calls of the function holding a source that build the predicted data (bound to
    what it is computed from, or written in ``data``) all pass arguments that keep it from
    running (``if augmentation is True: … aug.flow(…)`` in ``generator(x, augmentation=False)``)."""
    model = facts.model
    function = model.function_of(source.call.scope)
    if function is None or not model.branches_to(source.call.node, function):
        return False
    written = {id(call.node) for call in model.calls_within(data)} if data is not None else set()
    building = [call for call in model.calls if isinstance(call.node.func, cst.Name) and call.node.func.value == function.name.value
                and (model.owners(call) & reached or id(call.node) in written)]
    return bool(building) and not any(model.runs_for_call(source.call.node, function, call) for call in building)


def _calls_inside(facts: Facts, node: cst.CSTNode, wanted: set[int]) -> set[int]:
    return {id(call.node) for call in facts.model.calls_within(node) if id(call.node) in wanted}


def _no_shuffle(call: CallSite) -> Fix | None:
    if call.qualname is None and call.method in FLOW_METHODS:
        position: int | None = FLOW_METHODS[call.method]
    elif call.qualname in SHUFFLING_DATASETS:
        position = None
    elif call.qualname in training.DATA_LOADERS:
        position = training.DATA_LOADER_SHUFFLE_POSITION
    else:
        return None
    new = set_keyword(call.node, "shuffle", cst.Name("False"), position)
    return Fix("pass shuffle=False", [replace(call.node, new)]) if new is not None else None


def check(ctx: RuleContext[NoOptions]) -> Iterator[Report]:
    facts = ctx.facts
    sources, unshuffled = _sources(facts)
    sources = [source for source in sources if not source.keys & unshuffled]
    if not sources:
        return
    source_nodes = {id(source.call.node): source for source in sources}
    predicts = [c for c in facts.model.calls if c.qualname is None and c.method in PREDICT_METHODS]
    predict_nodes = {id(c.node): c for c in predicts}
    # ``preds.append(model.predict(gen))``: the list holds the predictions.
    collected: dict[int, set[Var]] = {}
    for call in facts.model.method_calls("append", "extend"):
        if call.receiver is None or not call.node.args:
            continue
        for node_id in _calls_inside(facts, call.node.args[0].value, set(predict_nodes)):
            collected.setdefault(node_id, set()).add(facts.model.qualify(call.receiver, call.scope))
    reported: set[int] = set()
    for predict in predicts:
        data = predict.arg("x", 0) or predict.arg("generator", 0)
        if data is None:
            continue
        if _walks_batches(predict, data.value):
            continue  # for x, y in gen: model.predict(x) — each batch stays with its own labels
        direct = facts.model.names_used(data.value, predict.scope)
        reached = facts.model.reaches(direct)
        nested = _calls_inside(facts, data.value, set(source_nodes))
        matching = [s for s in sources if s.keys & reached or id(s.call.node) in nested]
        # Where the data was last bound before this call (a notebook rebinding ``test_gen``): prefer it.
        origins = {id(node) for node, _ in facts.model.origins(data.value, predict.scope, before=predict.index)}
        latest = [s for s in matching if id(s.call.node) in origins]
        matching = [s for s in latest or matching if id(s.call.node) not in reported and not _switched_off(facts, s.call, reached, data.value)
                    and not _not_taken(facts, s, reached, data.value)]
        if not matching:
            continue
        predictions = _grow(facts, set(facts.model.owners(predict)) | collected.get(id(predict.node), set()))
        for source in matching:
            evidence = _evidence(facts, direct | source.keys, predictions, frozenset(source.keys), predict)
            if evidence is None:
                continue
            reported.add(id(source.call.node))
            name = ", ".join(sorted(key.name for key in source.keys)) or "the generator"
            yield _report(source, f"the predictions of {predict.receiver or 'the model'}.{predict.method}({name})",
                          evidence, "the generator or dataset")
    # PyTorch: the outputs of a model run over a shuffling DataLoader, paired by position.
    for loop, predictions in _torch_predictions(facts):
        reached = facts.model.reaches_through_callers(set(loop.data))
        for source in sources:
            if id(source.call.node) in reported or not source.keys & reached or _not_taken(facts, source, reached):
                continue
            evidence = _evidence(facts, set(loop.batch) | source.keys, predictions, frozenset(source.keys), loop.runs[0])
            if evidence is None:
                continue
            reported.add(id(source.call.node))
            run = facts.model.module.code_for_node(loop.runs[0].node.func)
            yield _report(source, f"the outputs of {run}(…) over {', '.join(sorted(v.name for v in loop.data))}",
                          evidence, "the DataLoader")


def _report(source: _Source, predicted: str, evidence: tuple[cst.CSTNode, str], what: str) -> Report:
    """The finding at a shuffling source whose predictions are paired by position (``evidence``)."""
    anchor, text = evidence
    return Report(
        source.call.node,
        f"{source.what}, but {predicted} are matched by position to {text}: each prediction lands next to "
        "the wrong file or label",
        hint=f"pass shuffle=False to {what} you predict on",
        related=((anchor, "paired by position here"),),
        fix=_no_shuffle(source.call),
    )


def _torch_predictions(facts: Facts) -> Iterator[tuple[DataLoop, set[Var]]]:
    """Each PyTorch evaluation loop, with where its model outputs go: the names bound to a model
    run (``out = model(x)``) and the lists they are appended to, directly or through other names
    (``preds.append(out.softmax(1))``, ``all_preds.append(np.concatenate(preds))``)."""
    model = facts.model
    for loop in facts.data_loops:
        if not loop.evaluates:
            continue
        runs = {id(run.node) for run in loop.runs}
        outputs = {owner for run in loop.runs for owner in model.owners(run)}
        # A name assigned an expression holding the loop (a comprehension inside torch.cat) holds its outputs.
        outputs.update(model.qualify(target, assignment.scope) for assignment in model.assignments
                       if model.encloses(assignment.value, loop.node) for target in assignment.targets)
        for call in model.method_calls("append", "extend"):
            if call.receiver is None or not call.node.args:
                continue
            value = call.node.args[0].value
            inside = any(node is loop.node for node in call.loops)
            if _calls_inside(facts, value, runs) or model.encloses(value, loop.node) or (
                    inside and outputs & model.reaches(model.names_used(value, call.scope))):
                outputs.add(model.qualify(call.receiver, call.scope))
        if outputs:
            yield loop, _grow(facts, outputs)


def _switched_off(facts: Facts, shuffle: CallSite, reached: set[Var], data: cst.BaseExpression) -> bool:
    """Whether the shuffle runs only under ``if <parameter>:`` and every call of that parameter's
    function that builds the predicted data (every call at all, where the flow does not show
    which) passes a false value or leaves a false default: ``make_input_fn(df, shuffle=False)``
    builds an unshuffled dataset."""
    model = facts.model
    inside = {id(call.node) for call in model.calls_within(data)}
    for function, parameter in model.parameter_guards(shuffle):
        passed = model.arguments_for(function, parameter)
        # The calls that build the predicted data, where the flow shows them; else every call.
        relevant = [value for call, value in passed if model.owners(call) & reached or id(call.node) in inside]
        values = relevant or [value for _, value in passed]
        if values and all(value is not UNKNOWN and not value for value in values):
            return True
    return False


def _walks_batches(predict: CallSite, data: cst.BaseExpression) -> bool:
    """Whether the predicted data is a loop variable of a ``for`` loop around the call."""
    used = {name.split(".", 1)[0] for name in names_in(data)}
    for loop in predict.loops:
        if isinstance(loop, cst.For) and used & {n.value for n in _names(loop.target)}:
            return True
    return False


def _names(node: cst.BaseExpression) -> list[cst.Name]:
    if isinstance(node, cst.Name):
        return [node]
    if isinstance(node, (cst.Tuple, cst.List)):
        return [name for element in node.elements for name in _names(element.value)]
    return []


def _grow(facts: Facts, predictions: set[Var]) -> set[Var]:
    """Add the lists the predictions are appended to (``all_preds.append(preds)``)."""
    appends = [c for c in facts.model.method_calls("append", "extend") if c.receiver is not None and c.node.args]
    for _ in range(3):
        grown = set(predictions)
        for call in appends:
            if predictions & facts.model.reaches(facts.model.names_used(call.node.args[0].value, call.scope)):
                grown.add(facts.model.qualify(call.receiver or "", call.scope))
        if grown == predictions:
            break
        predictions = grown
    return predictions


def _evidence(facts: Facts, names: set[Var], predictions: set[Var], keys: frozenset[Var],
              predict: CallSite) -> tuple[cst.CSTNode, str] | None:
    """Where predictions are paired by position with something in a fixed order, if anywhere: not
    where, in the same scope, the pairing runs before ``predict`` or after its result was replaced
    (``y_pred = model.predict(train_ds)`` … ``y_pred = model.predict(test_x)`` … ``DataFrame(y_pred)``)."""
    owners = facts.model.owners(predict)
    for key in sorted(names):
        for attribute in ORDER_ATTRIBUTES:
            reads = facts.model.attribute_reads.get(Var(f"{key.name}.{attribute}", key.scope))
            if reads:
                return reads[0], f"{key.name}.{attribute}"
    if not predictions:
        return None
    for assignment in facts.model.subscript_assignments:
        if predictions & facts.model.reaches(facts.model.names_used(assignment.value, assignment.scope)):
            target = assignment.target or "a container"
            return assignment.node, f"the rows of {target} ({facts.model.module.code_for_node(assignment.node).strip()[:60]})"
    for assigned in facts.model.attribute_assignments:  # submission.label = preds
        if assigned.target.startswith("self."):
            continue  # the object keeps it (self.test_metrics = f1.compute()): no table's rows
        if predictions & facts.model.reaches(facts.model.names_used(assigned.value, assigned.scope)):
            return assigned.node, f"the rows of {assigned.target.rsplit('.', 1)[0]} ({assigned.target} = …)"
    for call in facts.model.calls:
        name = (call.qualname or dotted(call.node.func) or call.method or "").rsplit(".", 1)[-1]
        if name not in PAIRING_CALLS:
            continue
        if call.scope == predict.scope and (
                call.index < predict.index or facts.model.rebound_between(owners, predict.index, call.index)):
            continue
        flows = [facts.model.reaches(facts.model.names_used(arg.value, call.scope)) for arg in call.node.args]
        if not any(predictions & flow for flow in flows):
            continue
        if len(flows) > 1 and all(predictions & flow for flow in flows):
            continue  # zip(best_scores, scores): every side comes from the predictions, none is paired with them
        others = set().union(*(flow for flow in flows if not predictions & flow))
        if _passes(facts, others, keys) & _passes(facts, names, keys):
            continue  # the labels were taken in the same pass over the data as the inputs
        return call.node, f"the other arguments of {name}()"
    return None


def _passes(facts: Facts, names: set[Var], keys: frozenset[Var]) -> set[int]:
    """The statements that took a pass over the shuffled data (``keys``) on the way to ``names``
    (ids of the binding statements): ``for x, y in ds:``, ``res = list(zip(*ds.unbatch()))``,
    ``x, y = next(gen)``. Inputs and labels split in one pass stay paired, however it was shuffled."""
    model = facts.model
    return {
        id(binding.node)
        for var in model.reaches(names)
        if var not in keys and keys & model.reaches({var})
        for binding in model.bindings_of(var)
    }


_HEAD = (
    "import pandas as pd\n"
    "from tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
    "test_datagen = ImageDataGenerator(rescale=1./255)\n"
)

_TORCH = "import torch\nfrom torch.utils.data import DataLoader\n"
_TORCH_PREDICT = (
    "model.eval()\npreds = []\nwith torch.no_grad():\n    for images in test_loader:\n"
    "        preds.append(model(images).argmax(1))\nsubmission['label'] = torch.cat(preds).numpy()\n"
)

VALID = [
    # The shuffling flow() runs only in the branch a parameter switches on for training.
    "from tensorflow.keras.preprocessing.image import ImageDataGenerator\nimport numpy as np\n"
    "aug = ImageDataGenerator(horizontal_flip=True)\ndef batches(X, augmentation=False):\n    while True:\n"
    "        if augmentation is True:\n            X, _ = next(aug.flow(X, np.zeros(len(X))))\n        yield X / 255\n"
    "preds = model.predict(batches(x_test), steps=10)\nsubmission['label'] = preds.argmax(1)\n",
    # A flow over one sample (the preview of one augmented image): no shuffle can reorder it.
    "import numpy as np\nimport pandas as pd\nfrom tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
    "datagen = ImageDataGenerator(rotation_range=20)\nit = datagen.flow(np.expand_dims(image, 0), batch_size=1)\n"
    "X = np.array([it.next()[0] for _ in range(5)])\npreds = model.predict(X)\n"
    "pd.DataFrame({'label': y, 'pred': preds.argmax(1)})\n",
    "import pandas as pd\nfrom tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
    "gen = ImageDataGenerator(zoom_range=0.2).flow_from_dataframe(df.sample(n=1), x_col='id', y_col='label')\n"
    "p = model.predict(gen[0][0])\npd.DataFrame({'id': ids, 'p': p})\n",
    # PyTorch: the test DataLoader keeps its order
    _TORCH + "test_loader = DataLoader(test_ds, batch_size=64, shuffle=False)\n" + _TORCH_PREDICT,
    # PyTorch: predictions and labels taken in the same pass over a shuffling loader stay paired
    _TORCH + "from sklearn.metrics import accuracy_score\nval_loader = DataLoader(val_ds, shuffle=True)\npreds, labels = [], []\n"
    "model.eval()\nwith torch.no_grad():\n    for x, y in val_loader:\n        preds.append(model(x).argmax(1))\n        labels.append(y)\n"
    "print(accuracy_score(torch.cat(labels), torch.cat(preds)))",
    # PyTorch: only the training loader shuffles
    _TORCH + "train_loader = DataLoader(train_ds, shuffle=True)\ntest_loader = DataLoader(test_ds)\n"
    "for x, y in train_loader:\n    criterion(model(x), y).backward()\n" + _TORCH_PREDICT,
    # The predictions paired with the ids are those of the unshuffled test data, bound last.
    "import pandas as pd\nfrom tensorflow import keras\ntrain_ds = keras.utils.image_dataset_from_directory('train')\n"
    "y_pred = model.predict(train_ds)\ntest_x = load_test()\ny_pred = model.predict(test_x)\n"
    "submission = pd.DataFrame({'id': ids, 'label': y_pred})\n",
    # Shuffled only where a parameter says so, and every call that builds the predicted data says no.
    "import tensorflow as tf\ndef make_input_fn(df, labels, shuffle=True):\n    def input_function():\n"
    "        ds = tf.data.Dataset.from_tensor_slices((dict(df), labels))\n        if shuffle:\n            ds = ds.shuffle(1000)\n"
    "        return ds.batch(32)\n    return input_function\n"
    "train_fn = make_input_fn(dftrain, y_train)\neval_fn = make_input_fn(dfeval, y_eval, shuffle=False)\n"
    "preds = est.predict(eval_fn)\nprint(confusion_matrix(y_eval, list(preds)))",
    # Inputs and labels taken in the same pass over the shuffled dataset stay paired.
    "import tensorflow as tf\nval_ds = tf.keras.utils.image_dataset_from_directory('val')\nx_test, y_test = [], []\n"
    "for x_batch, y_batch in val_ds:\n    for x_i, y_i in zip(x_batch, y_batch):\n        x_test.append(x_i)\n        y_test.append(y_i)\n"
    "pred = model.predict(np.array(x_test)).argmax(1)\nprint(accuracy_score(y_test, pred))",
    "import tensorflow as tf\nval_ds = tf.keras.utils.image_dataset_from_directory('val')\n"
    "res = list(zip(*val_ds.unbatch().as_numpy_iterator()))\nx_val, y_val = np.array(res[0]), np.array(res[1])\n"
    "pred = model.predict(x_val).argmax(1)\nprint(confusion_matrix(y_val, pred))",
    # shuffle=False passed through a dict of keyword arguments.
    _HEAD + "flow_args = dict(target_size=(224, 224), batch_size=32, shuffle=False)\n"
    "test_gen = test_datagen.flow_from_directory('test', class_mode=None, **flow_args)\n"
    "preds = model.predict(test_gen)\nsub = pd.DataFrame({'id': test_gen.filenames, 'label': preds.argmax(1)})",
    "from keras.preprocessing.image import ImageDataGenerator\ngenerator = ImageDataGenerator().flow_from_directory('d')\n"
    "for inputs_batch, labels_batch in generator:\n    features_batch = conv_base.predict(inputs_batch)\n"
    "    features[i:j] = features_batch\n    labels[i:j] = labels_batch",
    _HEAD + "test_gen = test_datagen.flow_from_directory('test', class_mode=None, shuffle=False)\n"
    "preds = model.predict(test_gen)\n"
    "sub = pd.DataFrame({'id': test_gen.filenames, 'label': preds.argmax(1)})",
    _HEAD + "SHUFFLE = False\ntest_gen = test_datagen.flow_from_dataframe(df, shuffle=SHUFFLE)\n"
    "preds = model.predict(test_gen)\ndf['label'] = preds.argmax(1)",
    # shuffled, but the predictions are never paired with anything
    _HEAD + "gen = test_datagen.flow_from_directory('test')\npreds = model.predict(gen)\nprint(preds.mean())",
    # training generators shuffle, and that is right
    _HEAD + "train_gen = test_datagen.flow_from_directory('train')\nmodel.fit(train_gen)\n"
    "weights = compute_class_weight('balanced', classes=np.unique(train_gen.classes), y=train_gen.classes)",
    # shuffle unknown: a parameter
    _HEAD + "def make(df, shuffle):\n    return test_datagen.flow_from_dataframe(df, shuffle=shuffle)\n"
    "gen = make(df, False)\npreds = model.predict(gen)\ndf['label'] = preds.argmax(1)",
    "import tensorflow as tf\ntest_ds = tf.keras.utils.image_dataset_from_directory('test', shuffle=False)\n"
    "preds = model.predict(test_ds)\nsub = pd.DataFrame({'file': test_ds.file_paths, 'label': preds.argmax(1)})",
    "import tensorflow as tf\nds = tf.data.Dataset.from_tensor_slices((x, y)).batch(32)\n"
    "preds = model.predict(ds)\nprint(confusion_matrix(y, preds.argmax(1)))",
    # shuffles for training only
    "import tensorflow as tf\ndef make_ds(x, y, training):\n    ds = tf.data.Dataset.from_tensor_slices((x, y))\n"
    "    if training:\n        ds = ds.shuffle(1000)\n    return ds.batch(32)\n"
    "test_ds = make_ds(x_test, y_test, training=False)\npreds = model.predict(test_ds)\n"
    "print(confusion_matrix(y_test, preds.argmax(1)))",
    # numpy's in-place shuffle of an index array is not a dataset
    "import numpy as np\nrng = np.random.default_rng(0)\nrng.shuffle(idx)\npreds = model.predict(x[idx])\ndf['p'] = preds",
    # The metric is updated with each batch's own labels and kept on the object: no positional pairing.
    'import torch\nfrom torch.utils.data import DataLoader\n\n\nclass Net(torch.nn.Module):\n    def test(self, loader):\n        with torch.no_grad():\n            for images, labels in loader:\n                predicted = self(images).argmax(1)\n                f1.update(predicted, labels)\n        self.test_metrics = f1.compute()\n\n\nmodel = Net()\ntest_loader = DataLoader(test_set, batch_size=32, shuffle=True)\nmodel.test(test_loader)\n',
]

INVALID = [
    # One row per group is many samples: their order is shuffled.
    Invalid("import pandas as pd\nfrom tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
            "test_df = df.groupby('image_id').head(1)\n"
            "gen = ImageDataGenerator(rescale=1/255.).flow_from_dataframe(test_df, x_col='path', y_col='label')\n"
            "p = model.predict(gen)\nsub = pd.DataFrame({'image_id': test_df.image_id, 'label': p.argmax(1)})\n",
            message="flow_from_dataframe() shuffles", range=(4, 7, 4, 99),
            fixed="import pandas as pd\nfrom tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
                  "test_df = df.groupby('image_id').head(1)\n"
                  "gen = ImageDataGenerator(rescale=1/255.).flow_from_dataframe(test_df, x_col='path', y_col='label', shuffle=False)\n"
                  "p = model.predict(gen)\nsub = pd.DataFrame({'image_id': test_df.image_id, 'label': p.argmax(1)})\n"),
    # PyTorch: a shuffling test DataLoader whose outputs fill the submission in order
    Invalid(
        _TORCH + "test_loader = DataLoader(test_ds, batch_size=64, shuffle=True)\n" + _TORCH_PREDICT,
        message="DataLoader(shuffle=True) reshuffles the data on every pass, but the outputs of model(…) over test_loader are matched by position to the rows of submission",
        range=(3, 15, 3, 63),
        fixed=_TORCH + "test_loader = DataLoader(test_ds, batch_size=64, shuffle=False)\n" + _TORCH_PREDICT,
    ),
    # TTA passes over a reshuffling loader, averaged row by row
    Invalid(
        _TORCH + "import numpy as np\ntest_loader = DataLoader(test_ds, 32, True)\nruns = []\nmodel.eval()\n"
        "for _ in range(4):\n    with torch.no_grad():\n        runs.append(torch.cat([model(x) for x in test_loader]))\n"
        "sub = pd.DataFrame({'id': ids, 'label': torch.stack(runs).mean(0).argmax(1)})",
        range=(4, 15, 4, 44),
        fixed=_TORCH + "import numpy as np\ntest_loader = DataLoader(test_ds, 32, False)\nruns = []\nmodel.eval()\n"
        "for _ in range(4):\n    with torch.no_grad():\n        runs.append(torch.cat([model(x) for x in test_loader]))\n"
        "sub = pd.DataFrame({'id': ids, 'label': torch.stack(runs).mean(0).argmax(1)})",
    ),
    # The labels come from a second pass over a dataset that reshuffles on every pass.
    Invalid(
        "import tensorflow as tf\nval_ds = tf.keras.utils.image_dataset_from_directory('val')\n"
        "y_true = np.concatenate([y for x, y in val_ds])\npred = model.predict(val_ds).argmax(1)\n"
        "print(confusion_matrix(y_true, pred))",
        range=(2, 10, 2, 60), message="reshuffles",
        fixed="import tensorflow as tf\nval_ds = tf.keras.utils.image_dataset_from_directory('val', shuffle=False)\n"
        "y_true = np.concatenate([y for x, y in val_ds])\npred = model.predict(val_ds).argmax(1)\n"
        "print(confusion_matrix(y_true, pred))",
    ),
    Invalid(
        _HEAD + "test_gen = test_datagen.flow_from_directory('test', class_mode=None)\n"
        "preds = model.predict(test_gen)\n"
        "sub = pd.DataFrame({'id': test_gen.filenames, 'label': preds.argmax(1)})",
        message="flow_from_directory() shuffles (shuffle defaults to True), but the predictions of model.predict(test_gen)"
        " are matched by position to test_gen.filenames",
        fixed=_HEAD + "test_gen = test_datagen.flow_from_directory('test', class_mode=None, shuffle=False)\n"
        "preds = model.predict(test_gen)\n"
        "sub = pd.DataFrame({'id': test_gen.filenames, 'label': preds.argmax(1)})", range=(4, 12, 4, 69)
    ),
    Invalid(
        _HEAD + "test_gen = test_datagen.flow_from_dataframe(test_df, x_col='id', y_col=None, class_mode=None)\n"
        "pred = model.predict(test_gen, verbose=1)\n"
        "submission = pd.read_csv('sample_submission.csv')\n"
        "submission['label'] = pred.argmax(axis=1)",
        message="the rows of submission",
        fixed=_HEAD + "test_gen = test_datagen.flow_from_dataframe(test_df, x_col='id', y_col=None, class_mode=None, shuffle=False)\n"
        "pred = model.predict(test_gen, verbose=1)\n"
        "submission = pd.read_csv('sample_submission.csv')\n"
        "submission['label'] = pred.argmax(axis=1)", range=(4, 12, 4, 94)
    ),
    Invalid(
        "import keras\nfrom keras.preprocessing import image\n"
        "test_set = image.ImageDataGenerator(preprocessing_function=keras.applications.vgg16.preprocess_input)\n"
        "test_generator = test_set.flow_from_directory('test', target_size=(224, 224), class_mode=None)\n"
        "ans = tb_model.predict(test_generator)\nsubmission = pd.read_csv('SampleSubmission.csv')\nsubmission.LABEL = ans",
        message="the rows of submission (submission.LABEL = …)",
        fixed="import keras\nfrom keras.preprocessing import image\n"
        "test_set = image.ImageDataGenerator(preprocessing_function=keras.applications.vgg16.preprocess_input)\n"
        "test_generator = test_set.flow_from_directory('test', target_size=(224, 224), class_mode=None, shuffle=False)\n"
        "ans = tb_model.predict(test_generator)\nsubmission = pd.read_csv('SampleSubmission.csv')\nsubmission.LABEL = ans", range=(4, 18, 4, 95)
    ),
    Invalid(
        _HEAD + "val_gen = test_datagen.flow_from_directory('val', shuffle=True)\n"
        "y_pred = np.argmax(model.predict_generator(val_gen), axis=1)\n"
        "print(confusion_matrix(val_gen.classes, y_pred))",
        message="val_gen.classes",
        fixed=_HEAD + "val_gen = test_datagen.flow_from_directory('val', shuffle=False)\n"
        "y_pred = np.argmax(model.predict_generator(val_gen), axis=1)\n"
        "print(confusion_matrix(val_gen.classes, y_pred))", range=(4, 11, 4, 64)
    ),
    Invalid(
        "import tensorflow as tf\n"
        "gen = tf.keras.preprocessing.image.ImageDataGenerator(rescale=1/255).flow(x_test, y_test, batch_size=32)\n"
        "preds = model.predict(gen)\nprint(accuracy_score(y_test, preds.argmax(1)))",
        message="accuracy_score",
        fixed="import tensorflow as tf\n"
        "gen = tf.keras.preprocessing.image.ImageDataGenerator(rescale=1/255).flow(x_test, y_test, batch_size=32, shuffle=False)\n"
        "preds = model.predict(gen)\nprint(accuracy_score(y_test, preds.argmax(1)))", range=(2, 7, 2, 105)
    ),
    Invalid(
        "import tensorflow as tf\n"
        "val_ds = tf.keras.utils.image_dataset_from_directory('data', validation_split=0.2, subset='validation', seed=1)\n"
        "y_pred = model.predict(val_ds).argmax(1)\ny_true = np.concatenate([y for x, y in val_ds])\n"
        "cm = confusion_matrix(y_true, y_pred)",
        message="image_dataset_from_directory() shuffles",
        fixed="import tensorflow as tf\n"
        "val_ds = tf.keras.utils.image_dataset_from_directory('data', validation_split=0.2, subset='validation', seed=1, shuffle=False)\n"
        "y_pred = model.predict(val_ds).argmax(1)\ny_true = np.concatenate([y for x, y in val_ds])\n"
        "cm = confusion_matrix(y_true, y_pred)", range=(2, 10, 2, 112)
    ),
    Invalid(
        "import tensorflow as tf\n"
        "ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(1000).batch(32)\n"
        "preds = model.predict(ds)\nreport = classification_report(y, preds.argmax(1))",
        message="reshuffles the data on every pass", range=(2, 6, 2, 62)
    ),
    Invalid(
        "from keras.preprocessing.image import ImageDataGenerator as IDG\n"
        "gen = IDG().flow_from_directory('test')\npreds = []\n"
        "for i in range(5):\n    preds.append(model.predict(gen))\n"
        "df['label'] = np.mean(preds, axis=0).argmax(1)",
        fixed="from keras.preprocessing.image import ImageDataGenerator as IDG\n"
        "gen = IDG().flow_from_directory('test', shuffle=False)\npreds = []\n"
        "for i in range(5):\n    preds.append(model.predict(gen))\n"
        "df['label'] = np.mean(preds, axis=0).argmax(1)", range=(2, 7, 2, 40)
    ),
    Invalid(
        _HEAD + "gen = test_datagen.flow_from_dataframe(sample_submission, x_col='Id', y_col=None, class_mode=None)\n"
        "predictions = []\nfor i in range(5):\n    gen.reset()\n    preds = model.predict(gen, steps=len(gen))\n"
        "    predictions.append(preds)\npredictions = np.mean(predictions, axis=0)\n"
        "sample_submission['Category'] = predictions.argmax(1)",
        message="the rows of sample_submission",
        fixed=_HEAD + "gen = test_datagen.flow_from_dataframe(sample_submission, x_col='Id', y_col=None, class_mode=None, shuffle=False)\n"
        "predictions = []\nfor i in range(5):\n    gen.reset()\n    preds = model.predict(gen, steps=len(gen))\n"
        "    predictions.append(preds)\npredictions = np.mean(predictions, axis=0)\n"
        "sample_submission['Category'] = predictions.argmax(1)", range=(4, 7, 4, 99)
    ),
    Invalid(
        _HEAD + "def predict_all(model):\n"
        "    gen = test_datagen.flow_from_directory('test')\n"
        "    probs = model.predict(gen)\n"
        "    return pd.DataFrame({'file': gen.filenames, 'p': probs[:, 1]})",
        fixed=_HEAD + "def predict_all(model):\n"
        "    gen = test_datagen.flow_from_directory('test', shuffle=False)\n"
        "    probs = model.predict(gen)\n"
        "    return pd.DataFrame({'file': gen.filenames, 'p': probs[:, 1]})", range=(5, 11, 5, 51)
    ),
    # shuffle passed by position (flow(x, y, batch_size, shuffle)): the value is replaced.
    Invalid(
        _HEAD + "gen = test_datagen.flow(x_test, None, 32, True)\npreds = model.predict(gen)\n"
        "print(accuracy_score(y_test, preds.argmax(1)))",
        fixed=_HEAD + "gen = test_datagen.flow(x_test, None, 32, False)\npreds = model.predict(gen)\n"
        "print(accuracy_score(y_test, preds.argmax(1)))", range=(4, 7, 4, 48)
    ),
]
