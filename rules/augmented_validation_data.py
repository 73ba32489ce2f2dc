"""RL302 augmented-validation-data: validation data that goes through random (training) augmentation.

## What it does
Flags validation data built with random augmentation:
- one `ImageDataGenerator` with augmentation arguments (`rotation_range`, `zoom_range`,
  `horizontal_flip` …) and `validation_split` that serves both `subset="training"` and
  `subset="validation"` (`flow_from_directory`, `flow_from_dataframe`, `flow`); the same for an
  `ImageDataAugmentor` whose `augment=` pipeline (albumentations or imgaug) augments;
- a validation generator built from the augmenting `train_datagen`
  (`val_gen = train_datagen.flow_from_directory(val_dir)` passed as `validation_data`, or given
  to `evaluate`);
- a training albumentations `Compose` (or a Keras preprocessing-layer `Sequential` applied in a
  `map`, or a function of random `tf.image` ops, `def load(path): … tf.image.random_crop(…)`,
  mapped over the data) that the data given as `validation_data` or to `evaluate` also goes
  through — followed by data flow, also through an `ImageDataGenerator(preprocessing_function=…)`
  that calls it (`evaluate` on the training data itself, which `fit` gets directly or through a
  function's parameter, is not validation).
- PyTorch: a `Dataset` or `DataLoader` built with the pipeline the training loop's data goes
  through (`valid_ds = ImageFolder(d, transform=train_tf)`), when that data is validation data:
  iterated by an evaluation loop named for validation (`for x, y in valid_loader`, a loop in
  `def validate(…)`, followed through the function's arguments), the data an epoch loop evaluates
  after training whatever it is named (`test_step(model, test_loader)` beside `train_step(…)` in
  `for epoch in range(E)`), a `DataLoader` named for validation (`valid_loader`,
  `dataloader_eval`), or what a Lightning `Trainer` validates on
  (`trainer.fit(model, train_dl, val_dl)`, `trainer.validate(dataloaders=…)`) — also the
  validation part of a `random_split` of a dataset built with the training transform, and a
  validation set built from a dataset class (of this file or of a project module it imports)
  whose methods always apply a random pipeline (not when the validation data is evaluated over
  repeated passes whose predictions are averaged: test-time augmentation). Reported
  where the pipeline is given to the dataset, or where the dataset is built (for a function of
  the file that builds it, `valid_ = train_transformer(valid_dir)`, at that call). A keyword such
  as `augment=False` or `train=False` where the data is built switches the augmentation off,
  unless it goes to a function of the file that only uses it to choose `DataLoader` arguments
  (`load_data(valid_set, trained=False)` deciding `shuffle=`); and a function of the file that
  chooses the pipeline by a parameter (`train_tf if mode == "train" else valid_tf`,
  `if data == "train": return Compose([...])`) gives the validation call only the side its
  argument selects (`get_loader(valid_df, mode="valid")`) — and when the side it selects for the
  validation data is random itself (`elif data == "valid": return Compose([RandomResizedCrop(…),
  …])`), that is reported too, at the call (also for such a function of a project module the
  file imports). A dataset class that applies the training pipeline only in one mode (`if
  self.mode == "train": x = self.train_transform(x)`, with `self.mode = mode` in `__init__`) gives
  a validation set built in another mode (`SimpsonsDataset(files, mode="val")`) the other side.
  A `DataLoader` keyed for validation in a dict of loaders (`{"train": …, "val": DataLoader(…)}`)
  is validation data too; where its rows are a `Subset` of the dataset built with the training
  transform, the finding is at that `Subset`.
  A random pipeline named for validation, or built in a function named for it (`def
  get_val_dataset(…): composed = Compose([RandomResizedCrop(…), …])`), that validation data goes
  through is reported too — not when the validation predictions are averaged over repeated passes
  (`for _ in range(tta): inference(model, valid_loader)`: test-time augmentation).
A generator that only rescales or preprocesses (`rescale`, `preprocessing_function=
preprocess_input`) is not augmentation. Reported at the validation `flow…` call when there is
one, else at the `validation_data` (or `evaluate`) argument.

## Why it matters
Validation loss and accuracy are what early stopping, checkpoints, learning-rate schedules and
the experiment table rely on. Measured on randomly rotated, zoomed and flipped images they are
noisier and systematically worse than on the real validation images, differ from run to run,
and no longer estimate test performance. With `validation_split`, Keras applies the generator's
augmentation to both subsets: there is no switch to turn it off for one of them.

## Example
```python
datagen = ImageDataGenerator(rescale=1/255, rotation_range=20, horizontal_flip=True,
                             validation_split=0.2)
train_gen = datagen.flow_from_directory(data_dir, subset="training")
val_gen = datagen.flow_from_directory(data_dir, subset="validation")
```

In PyTorch:
```python
train_ds = ImageFolder("train", transform=train_tf)
valid_ds = ImageFolder("valid", transform=train_tf)  # random crops and flips at validation
```

## Use instead
```python
train_datagen = ImageDataGenerator(rescale=1/255, rotation_range=20, horizontal_flip=True,
                                   validation_split=0.2)
val_datagen = ImageDataGenerator(rescale=1/255, validation_split=0.2)
train_gen = train_datagen.flow_from_directory(data_dir, subset="training", seed=42)
val_gen = val_datagen.flow_from_directory(data_dir, subset="validation", seed=42)
```
In PyTorch, give validation its own deterministic transform:
```python
valid_tf = T.Compose([T.Resize(256), T.CenterCrop(224), T.ToTensor(), T.Normalize(mean, std)])
valid_ds = ImageFolder("valid", transform=valid_tf)
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import libcst as cst

from reviewlint.api import (
    TRAIN,
    TTA,
    VALIDATION,
    Anchor,
    CallSite,
    DataLoop,
    Facts,
    ImportedFacts,
    Invalid,
    NoOptions,
    Pipeline,
    Report,
    RuleContext,
    Scope,
    SemanticModel,
    Severity,
    Transform,
    Var,
    branches_in,
    dotted,
    name_nodes_in,
    string_key,
    subscripts_in,
)
from reviewlint.knowledge import training
from reviewlint.knowledge.roles import FIT_METHODS, role_from_name

CODE = "RL302"
NAME = "augmented-validation-data"
SEVERITY = Severity.WARNING
SUMMARY = "Validation data that goes through random training augmentation"
TRIGGERS = ("val", "dev_", "_dev")  # validation, evaluate, valid_loader, val_dataloaders, dev_loader
# Imports followed from a module that may hold validation data, into the project modules that
# build augmentation.
IMPORT_TRIGGERS = (*TRIGGERS, "Random", "Flip", "Rotat", "Compose", "ImageDataGenerator", "iaa.", "augment")

FLOW_METHODS = frozenset({"flow", "flow_from_directory", "flow_from_dataframe"})
EVALUATE_METHODS = frozenset({"evaluate", "evaluate_generator"})
# Keyword arguments that switch augmentation off for the data a call builds when passed False
# (``augment=False``, ``is_train=False``, ``apply_transforms=False``, ``use_augmentation=False``).
SWITCHES = re.compile(r"aug|(?<!pre)train|transform", re.IGNORECASE)  # not pretrained=False


def _random(pipeline: Pipeline) -> list[Transform]:
    """The random transforms of a pipeline (for an ImageDataGenerator: itself, if it augments)."""
    if pipeline.kind == "image-data-generator":
        generator, *applied = pipeline.transforms  # applied: ImageDataAugmentor(augment=…)'s pipeline
        own = [generator] if generator.kinds() else []
        return own + [t for t in applied if t in pipeline.augmenting()]
    return pipeline.augmenting()


def _describe(ctx: RuleContext[NoOptions], pipeline: Pipeline, transforms: list[Transform]) -> str:
    shown: list[str] = []
    applied = transforms
    if pipeline.kind == "image-data-generator":
        generator = pipeline.transforms[0]
        augmenting = {m.param for m in generator.spec.magnitudes} | set(generator.spec.switches)
        if generator in transforms:
            shown = [
                f"{name}={ctx.model.module.code_for_node(arg.value).strip()}"
                for name, arg in generator.call.keywords().items()
                if name in augmenting and generator.params.get(name)
            ]
        applied = [t for t in transforms if t is not generator]
        if not applied:
            return ", ".join(shown[:4]) or "augmentation arguments"
    names = shown + list(dict.fromkeys(t.short_name for t in applied))
    return ", ".join(names[:4]) + (", …" if len(names) > 4 else "")


def check(ctx: RuleContext[NoOptions]) -> Iterator[Report]:
    facts = ctx.facts
    # The pipelines of the project modules this one imports count too (a dataset class in
    # src/dataset.py that always augments, given the validation rows here).
    pipelines = (*facts.pipelines, *ctx.imported.pipelines)
    shared: dict[Var, int] = {}
    for pipeline in pipelines:
        for owner in pipeline.owners:
            shared[owner] = shared.get(owner, 0) + 1
    randomizing = [(pipeline, transforms) for pipeline in pipelines if (transforms := _random(pipeline)) and pipeline.owners]
    augmenting = [(pipeline, transforms) for pipeline, transforms in randomizing if all(shared[o] == 1 for o in pipeline.owners)]
    if not randomizing:
        return
    flows = {id(c.node): c for c in facts.model.calls if c.qualname is None and c.method in FLOW_METHODS}
    reported: set[int] = set()

    def through(call: CallSite) -> set[Var]:
        """What a flow call's receiver was computed from."""
        if call.receiver is None:
            return set()
        return facts.model.reaches({facts.model.qualify(call.receiver, call.scope)})

    def report(anchor: Anchor, what: str, pipeline: Pipeline, transforms: list[Transform], chosen: bool = False) -> Report:
        kind = "the training augmentation" if TRAIN in pipeline.roles and not chosen else "random augmentation"
        hint = (
            "validate with a generator that only rescales: a second ImageDataGenerator(rescale=…, "
            "validation_split=…) with the same seed, or a separate validation directory"
            if pipeline.kind == "image-data-generator"
            else "give the validation data a pipeline without random transforms (resize and normalize only)"
        )
        return Report(
            anchor,
            f"{what} goes through {kind} {pipeline.name!r} ({_describe(ctx, pipeline, transforms)}): "
            f"validation scores are measured on randomly distorted images",
            hint=hint,
            related=((pipeline.node, f"augmentation {pipeline.name!r}"),),
        )

    # One generator with validation_split serving subset="validation" (of a name bound to several
    # generators, the one bound when the flow is made: a notebook that rebinds train_datagen).
    for call in flows.values():
        subset = call.arg("subset")
        if subset is None or facts.model.value(subset.value) != "validation" or call.receiver is None:
            continue
        reached = through(call)
        binding = facts.model.reaching(facts.model.qualify(call.receiver, call.scope), call.index)
        for pipeline, transforms in randomizing:
            in_force = all(shared[o] == 1 for o in pipeline.owners) or (binding is not None and binding.value is pipeline.node)
            if pipeline.owners & reached and in_force:
                reported.add(id(call.node))
                yield report(call.node, f"the validation subset of {call.receiver or 'the generator'}", pipeline, transforms)
                break

    # What fit trains on: evaluating the training generator itself is not validation (also where
    # fit gets it through a function's parameter: ``train_models(train_gen=tr_gen)``).
    trained: set[Var] = set()
    for call in facts.model.calls:
        if call.qualname is None and call.method in FIT_METHODS:
            data = call.arg("x", 0) or call.arg("generator", 0)
            if data is not None:
                used = facts.model.names_used(data.value, call.scope)
                trained |= used | {var for name in used for var in facts.model.passed_to(name)}

    # Data given as validation_data to fit, or to evaluate.
    for call in facts.model.calls:
        if call.qualname is not None:
            continue
        if call.method in FIT_METHODS:
            arg = call.arg("validation_data")
        elif call.method in EVALUATE_METHODS:
            arg = call.arg("x", 0) or call.arg("generator", 0)
        else:
            continue
        if arg is None:
            continue
        direct = facts.model.names_used(arg.value, call.scope)
        if call.method in EVALUATE_METHODS and direct <= trained:
            continue
        reached = facts.model.reaches(direct)
        if _switched_off(facts, reached):
            continue
        inside = [f for f in facts.model.calls_within(arg.value) if id(f.node) in flows]
        candidates = inside + [f for f in flows.values() if facts.model.owners(f) & reached]
        building: list[CallSite] | None = None  # worked out for the first pipeline that needs it
        for pipeline, transforms in augmenting:
            if not pipeline.owners & reached:
                continue
            building = _on_the_way(facts, reached, arg.value) if building is None else building
            if _not_chosen(facts, ctx.imported, pipeline, building):
                continue  # configure_dataset(valid_ds) with `if augment:` around the augmentation, augment=False by default
            flow = next((f for f in candidates if pipeline.owners & through(f)), None)
            anchor: Anchor = flow.node if flow is not None else arg
            if id(anchor) in reported:
                break
            reported.add(id(anchor))
            text = ctx.model.module.code_for_node(arg.value).strip()
            what = f"{'validation_data' if call.method in FIT_METHODS else call.method + '() data'} {text[:40]}"
            yield report(anchor, what, pipeline, transforms)
            break

    # PyTorch: validation data built with the pipeline the training loop's data goes through
    # (each pipeline once: a loop over a validation loader and the loader itself are one data).
    seen: set[int] = set()
    for names, given, what in _torch_validation(facts):
        reached = facts.model.reaches_through_callers(names)
        building = _on_the_way(facts, reached, given)
        if _switched_off(facts, reached, building):
            continue
        for pipeline, transforms in augmenting:
            # A dataset class whose methods build a random pipeline and always apply it augments
            # every instance: training augmentation, even where the training loop is out of sight.
            if not (TRAIN in pipeline.roles or pipeline.always_applied) or not pipeline.owners & reached or any(
                    role_from_name(str(owner)) == VALIDATION for owner in pipeline.owners):
                continue
            if TRAIN not in pipeline.roles and _evaluated_repeatedly(facts, names):
                continue  # a dataset class that always augments, evaluated over repeated passes: test-time augmentation
            if _not_chosen(facts, ctx.imported, pipeline, building):
                continue  # get_dataloader(df, mode="valid") takes the other side of `train_tf if mode == "train" else …`
            builder = _builder(facts, building, pipeline)
            if builder is not None and _builds_training_data(facts, builder, names, given):
                continue  # the pipeline is given to the training set; the validation set has its own
            anchor = _call_of_builder(facts, building, builder) or (builder.node if builder is not None else given)
            if id(anchor) not in reported and id(pipeline) not in seen:
                reported.add(id(anchor))
                seen.add(id(pipeline))
                yield report(anchor, what, pipeline, transforms)
            break
        # Random pipelines meant for this validation data: one that a function on the data's way
        # selects for it by its argument (``get_transforms(data="valid")`` returning
        # ``Compose([RandomResizedCrop(…), …])`` in its ``elif data == "valid":`` branch), and one
        # named for validation or built in a function named for it (``def get_val_dataset(…):
        # composed = Compose([RandomResizedCrop(…), …])``). Not when the validation predictions are
        # averaged over repeated passes (``for _ in range(CFG.tta): inference(model, valid_loader)``):
        # random test-time augmentation.
        meant = [(pipeline, transforms) for pipeline, transforms in randomizing
                 if id(pipeline) not in seen and TTA not in pipeline.roles and pipeline.owners & reached]
        if meant and not _evaluated_repeatedly(facts, names):
            for pipeline, transforms in meant:
                chooser = _chooser(facts, ctx.imported, pipeline, building)
                if chooser is None and all(VALIDATION in (role_from_name(owner.name), role_from_name(owner.scope.name))
                                           for owner in pipeline.owners):
                    chooser = _builder(facts, building, pipeline)
                if chooser is not None and id(chooser.node) not in reported:
                    reported.add(id(chooser.node))
                    seen.add(id(pipeline))
                    yield report(chooser.node, what, pipeline, transforms, chosen=True)
        # The training entry of a dict of pipelines (``transform["train"]`` of ``transform =
        # {"train": …, "val": …}``), given to the data validated on.
        for builder, pipeline, transforms in _keyed_training_pipelines(facts, building, randomizing):
            if id(builder.node) not in reported and id(pipeline) not in seen \
                    and not _builds_training_data(facts, builder, names, given):
                # Subset(train_dataset, val_idx): the validation rows are carved out of the training set there.
                carved = next((call for call in building if call.qualname in _SUBSETS and isinstance(given, cst.CSTNode)
                               and (call.node is given or facts.model.encloses(given, call.node))), None)
                spot = carved.node if carved is not None else builder.node
                reported.add(id(builder.node))
                reported.add(id(spot))
                seen.add(id(pipeline))
                yield report(spot, what, pipeline, transforms)


# torch.utils.data.Subset(dataset, indices): a view of some rows of a dataset, with its transform.
_SUBSETS = frozenset({"torch.utils.data.Subset", "torch.utils.data.dataset.Subset"})


def _torch_validation(facts: Facts) -> Iterator[tuple[set[Var], Anchor, str]]:
    """PyTorch validation data: what a Lightning ``Trainer`` validates on (``val_dataloaders``,
    ``validate(dataloaders=…)``), what an evaluation loop named for validation iterates
    (``for x, y in valid_loader``, a loop in ``def validate(…)``), and a ``DataLoader`` named for
    validation. Each with the names it uses, where it is given, and how to say it."""
    model = facts.model
    trainers = {owner for call in model.calls if call.qualname in training.LIGHTNING_TRAINERS for owner in model.owners(call)}
    for call in model.calls:
        given = training.LIGHTNING_VALIDATION_DATA.get(call.method or "")
        if call.qualname is not None or given is None or not call.receiver or model.qualify(call.receiver, call.scope) not in trainers:
            continue
        arg = call.arg(*given)
        if arg is not None:
            yield model.names_used(arg.value, call.scope), arg, f"the validation data of {call.receiver}.{call.method}()"
    every_epoch = _evaluated_every_epoch(facts)
    for loop in facts.data_loops:
        if loop.evaluates and any(role_from_name(name) == VALIDATION for name in (loop.scope.name, *(str(var) for var in loop.data))):
            yield set(loop.data), loop.node, f"the data of the validation loop ({', '.join(sorted(var.name for var in loop.data))})"
        elif loop.evaluates and isinstance(loop.node, cst.For):
            # for x, y in loaders["val"]: the entry of that key in the dict display loaders is bound to
            keyed = [sub for sub in subscripts_in(loop.node.iter)
                     if role_from_name(string_key(sub) or "") == VALIDATION and model.keyed_entry(sub, loop.scope) is not None]
            if keyed:
                yield (model.names_through_keys(loop.node.iter, loop.scope), _innermost_entry(facts, keyed[0], loop.scope),
                       f"the data of the validation loop ({model.module.code_for_node(keyed[0])})")
            elif id(loop.node) in every_epoch and not subscripts_in(loop.node.iter):  # loaders[split]: keyed, not followed
                yield (model.names_through_keys(loop.node.iter, loop.scope), loop.node,
                       f"the data evaluated after every training epoch ({', '.join(sorted(var.name for var in loop.data))})")
    for call in model.calls:
        if call.qualname in training.DATA_LOADERS and any(role_from_name(str(owner)) == VALIDATION for owner in model.owners(call)):
            yield model.names_used(call.node, call.scope), call.node, f"the validation DataLoader {', '.join(sorted(o.name for o in model.owners(call)))}"
    # loaders = {"train": DataLoader(…), "val": DataLoader(…)}: the entry keyed for validation.
    for assignment in model.assignments:
        if not isinstance(assignment.value, cst.Dict):
            continue
        for element in assignment.value.elements:
            if not isinstance(element, cst.DictElement) or not isinstance(element.value, cst.Call):
                continue
            key = model.value(element.key)
            site = model.call_site(element.value)
            if isinstance(key, str) and role_from_name(key) == VALIDATION and site is not None and site.qualname in training.DATA_LOADERS:
                yield (model.names_through_keys(element.value, assignment.scope), element.value,
                       f"the validation DataLoader {assignment.targets[0] if assignment.targets else ''}[{key!r}]")


def _evaluated_every_epoch(facts: Facts) -> set[int]:
    """The evaluation loops (by node id) that an epoch loop runs after training, whatever their data is
    named (``test_step(model, test_dataloader)`` beside ``train_step(model, train_dataloader)`` in
    ``for epoch in range(epochs)``): what early stopping and checkpoints read is validation data.
    Directly in the epoch loop, or in a module function called there."""
    model = facts.model

    def where(loop: DataLoop) -> list[cst.CSTNode]:
        """The loops around a data loop, and around the calls of the function that holds it."""
        around = list(loop.enclosing)
        if loop.scope.kind == "function" and not loop.scope.owner:
            around += [outer for call in model.calls if isinstance(call.node.func, cst.Name)
                       and call.node.func.value == loop.scope.name for outer in call.loops]
        return around

    epochs = {id(outer) for loop in facts.data_loops if loop.training is not None for outer in where(loop)
              if isinstance(outer, cst.For)}
    # Not an evaluation of the training data itself (``for loader in [train_loader, val_loader]``).
    trained_on = {var for loop in facts.data_loops if loop.training is not None for var in loop.data}
    return {id(loop.node) for loop in facts.data_loops
            if loop.evaluates and isinstance(loop.node, cst.For) and any(id(outer) in epochs for outer in where(loop))
            and not model.assigned_from(loop.data, len(model.calls)) & trained_on}


def _innermost_entry(facts: Facts, keyed: cst.Subscript, scope: Scope) -> cst.BaseExpression:
    """The dict entry ``loaders["val"]`` stands for, followed through the keyed subscripts inside
    it (``DataLoader(datasets["val"])`` to the ``"val"`` entry of ``datasets``): where the data is built."""
    entry: cst.BaseExpression = facts.model.keyed_entry(keyed, scope) or keyed
    for _ in range(4):
        inner = next((found for sub in subscripts_in(entry) if (found := facts.model.keyed_entry(sub, scope)) is not None), None)
        if inner is None:
            break
        entry = inner
    return entry


def _on_the_way(facts: Facts, reached: set[Var], given: Anchor) -> list[CallSite]:
    """The calls that build validation data: those bound to what it is computed from and those
    written where it is given, with the calls nested in them (``DataLoader(LeafDataset(df, tf))``)."""
    model = facts.model
    # Of a validation loop, what it iterates is built on the way; the model calls in its body are not.
    where = given.iter if isinstance(given, cst.For) else given
    outer = (model.calls_within(where) if isinstance(where, cst.CSTNode) else []) + [
        call for call in model.calls if model.owners(call) & reached]
    return list({id(inner.node): inner for call in outer for inner in model.calls_within(call.node)}.values())


def _builder(facts: Facts, calls: list[CallSite], pipeline: Pipeline) -> CallSite | None:
    """The innermost call on the way to the validation data that is given the pipeline: itself
    (``ImageFolder(d, transform=train_tf)``), else through names (``train_tf = get_aug()``), else
    a class or function whose body builds it (``LeafDataset(df)``, ``dataset.LeafDataset(df)`` of
    a project module, ``get_train_aug()``), else the ``DataLoader`` that wraps the data. Not a
    call in the methods of the class that builds the pipeline: those apply it."""
    model = facts.model
    # The methods of the class that builds the pipeline apply it; so do those of a class the
    # validation data is built from (``self.transform = get_train_transform()`` in its ``__init__``).
    applying = {pipeline.call.scope.owner} | {(dotted(call.node.func) or "").rsplit(".", 1)[-1] for call in calls}
    inner_first = sorted((call for call in calls if call.node is not pipeline.node and not (call.scope.owner and call.scope.owner in applying)),
                         key=lambda call: call.end - call.index)

    def direct(call: CallSite) -> bool:
        return any(arg.value is pipeline.node or (
            isinstance(arg.value, cst.Name) and model.qualify(arg.value.value, call.scope) in pipeline.owners) for arg in call.node.args)

    def building(call: CallSite) -> bool:
        name = dotted(call.node.func)  # a class or function by its name, not a method of data
        return name is not None and bool(model.reaches({model.qualify(name, call.scope)}) & pipeline.owners)

    def through_names(call: CallSite) -> bool:
        return any(model.reaches(model.names_used(arg.value, call.scope)) & pipeline.owners for arg in call.node.args)

    def dataset(call: CallSite) -> bool:
        """A dataset: a class or function by its name (a DataLoader only wraps the dataset that
        holds the pipeline; ``iter(train_loader)`` reads, it builds nothing)."""
        func = call.node.func
        return call.qualname not in training.DATA_LOADERS and (isinstance(func, cst.Name) or call.qualname is not None) and not (
            isinstance(func, cst.Name) and model.is_builtin(func.value))

    def dataset_given_it(call: CallSite) -> bool:
        """A dataset given the pipeline's own name or a call of it (``BuildDataset(paths, transform=data_aug())``)."""
        return dataset(call) and any(model.names_used(arg.value, call.scope) & pipeline.owners for arg in call.node.args)

    def dataset_through_names(call: CallSite) -> bool:
        """A dataset given a name that was assigned from the pipeline where the call is made."""
        return dataset(call) and any(model.assigned_from(model.names_used(arg.value, call.scope), call.index) & pipeline.owners
                                     for arg in call.node.args)

    for test in (direct, dataset_given_it, dataset_through_names, building, through_names):
        found = next((call for call in inner_first if test(call)), None)
        if found is not None:
            return found
    return None


def _keyed_training_pipelines(facts: Facts, calls: list[CallSite], randomizing: list[tuple[Pipeline, list[Transform]]]
                              ) -> Iterator[tuple[CallSite, Pipeline, list[Transform]]]:
    """The calls on the way to validation data given the entry of a training key of a dict of
    random pipelines (``ImageFolder(d, transform=data_transforms["train"])``), with that pipeline."""
    model = facts.model
    by_node = {id(pipeline.node): (pipeline, transforms) for pipeline, transforms in randomizing}
    for call in calls:
        for arg in call.node.args:
            for sub in subscripts_in(arg.value):
                entry = model.keyed_entry(sub, call.scope)
                found = by_node.get(id(entry)) if entry is not None else None
                if found is not None and role_from_name(string_key(sub) or "") == TRAIN:
                    yield call, *found


def _not_chosen(facts: Facts, imported: ImportedFacts, pipeline: Pipeline, building: Sequence[CallSite]) -> bool:
    """Whether a call of a function (of this file or of a project module it imports) on the
    validation data's way cannot take the pipeline: every place the function builds or names it
    sits in a branch on a parameter that the call's argument decides against
    (``get_transforms("valid")`` with ``if mode == "train": return Compose([...random...])``)."""
    names = {owner.name for owner in pipeline.owners if owner.scope.is_module}
    model = facts.model
    # A dataset class that applies the pipeline only in one mode (``if self.mode == "train":
    # x = self.train_transform(x)``), built here in another (``SimpsonsDataset(files, mode="val")``).
    cls = pipeline.call.scope.owner
    attributes = {owner.name for owner in pipeline.owners if owner.name.startswith("self.")}
    applied = [site.node for site in model.calls if cls and site.scope.owner == cls and dotted(site.node.func) in attributes]
    if applied and any(dotted(call.node.func) == cls and not any(model.runs_for_construction(node, cls, call) for node in applied)
                       for call in building):
        return True
    for call in building:
        callee = _callee(facts, imported, call)
        if callee is None:
            continue
        model, function = callee
        places: list[cst.CSTNode] = [pipeline.node] if model.branches_to(pipeline.node, function) is not None else []
        if not places and names and model is facts.model:
            # (not a call of the function that builds it: that fetches it, ``seq = get_seq()``)
            places = [node for node in name_nodes_in(function.body) if node.value in names and node.value not in model.functions]
        if not places and model is facts.model:
            # Applied through a local name (``seq = get_seq()`` … ``if augment: X = seq.augment_images(X)``).
            places = [site.node for site in model.calls_within(function) if _applies(model, site, pipeline)]
        if places and not any(model.runs_for_call(place, function, call, facts.model) for place in places):
            return True
    return False


def _applies(model: SemanticModel, site: CallSite, pipeline: Pipeline) -> bool:
    """Whether a call applies the pipeline: calls it, or a method of it, through a name that holds
    it (not a call of the function that builds it, ``get_seq()``)."""
    func = site.node.func
    name = site.receiver.split(".", 1)[0] if site.receiver else func.value if isinstance(func, cst.Name) and func.value not in model.functions else None
    return name is not None and bool(model.reaches({model.qualify(name, site.scope)}) & pipeline.owners)


def _chooser(facts: Facts, imported: ImportedFacts, pipeline: Pipeline, building: Sequence[CallSite]) -> CallSite | None:
    """The call on the validation data's way whose arguments select the branch of its function
    (of this file or of a project module it imports) that builds the pipeline and returns it
    (not one that returns a dict of pipelines the caller picks from)."""
    for call in building:
        callee = _callee(facts, imported, call)
        if callee is None:
            continue
        model, function = callee
        returned = model.returns.get(function.name.value, ())
        if any(value is pipeline.node or (isinstance(value, cst.Name) and any(owner.name == value.value for owner in pipeline.owners))
               for value in returned) and model.chosen_by_call(pipeline.node, function, call, facts.model):
            return call
    return None


def _evaluated_repeatedly(facts: Facts, names: set[Var]) -> bool:
    """Whether the data is handed to a call repeated by a ``for … in range(…)`` loop, or iterated by
    an evaluation loop that such a loop repeats (test-time augmentation of the validation
    predictions, averaged over the passes)."""
    model = facts.model
    for call in model.calls:
        if not any(isinstance(loop, cst.For) and isinstance(loop.iter, cst.Call) and dotted(loop.iter.func) == "range"
                   for loop in call.loops):
            continue
        if any(model.names_used(arg.value, call.scope) & names for arg in call.node.args):
            return True
    # A loop over the data, in a function it is handed to, run again on each pass of a loop around it.
    return any(loop.repeated and loop.evaluates and model.reaches_through_callers(set(loop.data)) & names
               for loop in facts.data_loops)


def _callee(facts: Facts, imported: ImportedFacts, call: CallSite) -> tuple[SemanticModel, cst.FunctionDef] | None:
    """The function a call calls by its name, of this file or of a project module it imports,
    with the model of its module."""
    function = _local_function(facts, call)
    if function is not None:
        return facts.model, function
    name = dotted(call.node.func)
    return imported.function(name) if name is not None else None


def _call_of_builder(facts: Facts, building: Sequence[CallSite], builder: CallSite | None) -> cst.Call | None:
    """Where the validation data gets the builder's work when the builder is inside a function of
    this file that builds one dataset and returns it (``valid_ = train_transformer(valid_dir)``):
    that call, the first on the data's way."""
    if builder is None or builder.scope.kind != "function" or builder.scope.owner or not any(
            _returned_alone(facts, holder) for holder in facts.model.holders(builder)):
        return None
    return next((call.node for call in building if call.qualname is None and isinstance(call.node.func, cst.Name)
                 and call.node.func.value == builder.scope.name), None)


def _builds_training_data(facts: Facts, builder: CallSite, names: set[Var], given: Anchor) -> bool:
    """Whether the call that is given the pipeline builds data named for training that the
    validation data (``names``) is not computed from: ``train_ds = WheatDataset(df, get_train_aug())``
    when ``valid_ds = WheatDataset(df, get_valid_aug())`` feeds the validation loader (the class
    stores either in ``self.transforms``)."""
    holders = facts.model.holders(builder)
    inside = facts.model.calls_within(given) if isinstance(given, cst.CSTNode) else []
    at = inside[0].index if inside else len(facts.model.calls)
    if any(_returned_alone(facts, holder) for holder in holders) and holders & facts.model.reaches_through_callers(names):
        return False  # def train_transformer(d): train_data = ImageFolder(d, …): what the caller makes of it decides
    return bool(holders) and not holders & facts.model.assigned_from(names, at) and all(
        role_from_name(str(holder)) == TRAIN for holder in holders)


def _returned_alone(facts: Facts, holder: Var) -> bool:
    """Whether a function's local is all it returns (``return train_data``): its name inside says
    nothing about the split its callers build with it (unlike ``return train_ds, valid_ds``)."""
    if holder.scope.kind != "function":
        return False
    returned = facts.model.returns.get(holder.scope.name, ())
    return bool(returned) and all(isinstance(value, cst.Name) and value.value == holder.name for value in returned)


def _switched_off(facts: Facts, reached: set[Var], calls: list[CallSite] | None = None) -> bool:
    """Whether a call that builds the data (one of ``calls``, by default those bound to what it is
    computed from) passes ``augment=False`` (or the like)."""
    for call in calls if calls is not None else [c for c in facts.model.calls if facts.model.owners(c) & reached]:
        for name, arg in call.keywords().items():
            if SWITCHES.search(name) and facts.model.value(arg.value) is False and _may_switch(facts, call, name):
                return True
    return False


def _may_switch(facts: Facts, call: CallSite, parameter: str) -> bool:
    """Whether a keyword passed False may switch augmentation off: always for a callee the linter
    cannot read or a parameter it does not declare; for a function of this file, unless every read
    of the parameter only chooses ``DataLoader`` arguments (``DataLoader(data, shuffle=trained)``,
    or an ``if trained:`` whose branches build nothing but ``DataLoader``s)."""
    model = facts.model
    function = _local_function(facts, call)
    if function is None or not any(param.name.value == parameter for param in (
            *function.params.posonly_params, *function.params.params, *function.params.kwonly_params)):
        return True
    reads = [node for node in name_nodes_in(function.body) if node.value == parameter]
    loaders = [site for site in model.calls_within(function.body) if site.qualname in training.DATA_LOADERS]
    branches = branches_in(function.body)
    for read in reads:
        if any(model.encloses(site.node, read) for site in loaders):
            continue  # an argument of a DataLoader
        tests = [node for node in branches if model.encloses(node.test, read)]
        if tests and all(_only_loaders(model, node) for node in tests):
            continue  # if trained: DataLoader(…, shuffle=True) else: DataLoader(…)
        return True
    return False


def _only_loaders(model: SemanticModel, branch: cst.If | cst.IfExp) -> bool:
    """Whether an ``if``'s branches call something, and nothing but ``DataLoader``s."""
    inside = [site for part in (branch.body, branch.orelse) if part is not None for site in model.calls_within(part)]
    return bool(inside) and all(site.qualname in training.DATA_LOADERS for site in inside)


def _local_function(facts: Facts, call: CallSite) -> cst.FunctionDef | None:
    """The function of this file a call calls by its name."""
    model = facts.model
    func = call.node.func
    if call.qualname is not None or not isinstance(func, cst.Name) or func.value not in model.functions:
        return None
    scopes = model.function_scopes(func.value, "")
    return model.function_of(scopes[0]) if scopes else None


_IDG = "from tensorflow.keras.preprocessing.image import ImageDataGenerator\n"

_TORCH = (
    "import torch\nfrom torch.utils.data import DataLoader\nfrom torchvision import transforms as T\n"
    "from torchvision.datasets import ImageFolder\n"
    "train_tf = T.Compose([T.RandomResizedCrop(224), T.RandomHorizontalFlip(), T.ToTensor()])\n"
    "valid_tf = T.Compose([T.Resize(256), T.CenterCrop(224), T.ToTensor()])\n"
)
_TORCH_LOOPS = (
    "for epoch in range(10):\n    model.train()\n    for x, y in train_loader:\n        criterion(model(x), y).backward()\n"
    "    model.eval()\n    with torch.no_grad():\n        for x, y in valid_loader:\n            out = model(x)\n"
)

VALID = [
    # A later cell binds `labels` to a batch of the training generator: the validation table
    # built from the earlier `labels` does not go through the training augmentation.
    _IDG + "labels = []\nfor path in paths:\n    labels.append(label_of(path))\n"
    "df = pd.DataFrame({'path': paths, 'label': labels})\ntrain_df, valid_df = train_test_split(df)\n"
    "train_gen = ImageDataGenerator(rotation_range=30).flow_from_dataframe(train_df)\n"
    "valid_gen = ImageDataGenerator().flow_from_dataframe(valid_df)\nimages, labels = next(train_gen)\n"
    "model.fit(train_gen, validation_data=valid_gen)\n",
    # evaluate() on the training generator, which fit receives through a function's parameter.
    _IDG + "gen = ImageDataGenerator(horizontal_flip=True)\ntr_gen = gen.flow_from_dataframe(train_df)\n"
    "val_gen = ImageDataGenerator().flow_from_dataframe(valid_df)\n"
    "def train(model, train_gen, valid_gen):\n    return model.fit(train_gen, validation_data=valid_gen, epochs=5)\n"
    "history = train(model, tr_gen, val_gen)\ntrain_score = model.evaluate(tr_gen)\n",
    # A random crop only for the images tf.cond picks (too wide ones): not an augmentation.
    "import tensorflow as tf\ndef load(path, label):\n    img = tf.image.decode_png(tf.io.read_file(path))\n"
    "    img = tf.cond(tf.shape(img)[1] > 900, lambda: tf.image.random_crop(img, [300, 300, 3]), lambda: img)\n"
    "    return img, label\ntrain_ds = train_ds.map(load)\nval_ds = val_ds.map(load)\n"
    "model.fit(train_ds, validation_data=val_ds)\n",
    # The random tf.image ops run only for the training call (``train=False`` for validation).
    "import tensorflow as tf\ndef preprocess(image, label, train=True):\n    if train:\n"
    "        image = tf.image.random_crop(image, (224, 224, 3))\n        image = tf.image.random_flip_left_right(image)\n"
    "    else:\n        image = tf.image.central_crop(image, 0.875)\n    return image, label\n"
    "def prepare(ds, train=True):\n    if train:\n        ds = ds.map(preprocess)\n    else:\n"
    "        ds = ds.map(lambda x, y: preprocess(x, y, train))\n    return ds.batch(32)\n"
    "train_ds = prepare(train_ds)\nval_ds = prepare(val_ds, False)\nmodel.fit(train_ds, validation_data=val_ds)\n",
    # After every epoch, the training data is evaluated too (next to the validation data).
    _TORCH + "train_loader = DataLoader(ImageFolder('train', transform=train_tf), shuffle=True)\n"
    "val_loader = DataLoader(ImageFolder('valid', transform=valid_tf))\n"
    "for epoch in range(10):\n    for x, y in train_loader:\n        criterion(model(x), y).backward()\n"
    "    with torch.no_grad():\n        for mode, loader in zip(['train', 'val'], [train_loader, val_loader]):\n"
    "            for x, y in loader:\n                out = model(x)\n",
    # A dataset class that always augments, evaluated over ten passes averaged: test-time augmentation.
    _TORCH + "class Views(torch.utils.data.Dataset):\n    def __init__(self, df):\n        self.df = df\n"
    "        self.transform = T.Compose([T.RandomHorizontalFlip(), T.ToTensor()])\n"
    "    def __getitem__(self, i):\n        return self.transform(load(self.df[i]))\n"
    "def evaluate(model, dl):\n    total = 0\n    for _ in range(10):\n        for x in dl:\n            total = total + model(x)\n"
    "    return total / 10\neval_dl = DataLoader(Views(valid_df))\nprint(evaluate(model, eval_dl))\n",
    # augment=False given to a function of the file that picks the other pipeline.
    _TORCH + "def build_dataset(df, augment=True):\n    tf = train_tf\n    if not augment:\n        tf = valid_tf\n"
    "    return LeafDataset(df, transform=tf)\n"
    "train_loader = DataLoader(build_dataset(train_df), shuffle=True)\n"
    "valid_loader = DataLoader(build_dataset(valid_df, augment=False))\n" + _TORCH_LOOPS,
    # One function builds both sets; each call passes its own pipeline to the parameter that
    # shares the training pipeline's name.
    _TORCH + "transform = train_tf\ndef create_dataset(files, transform):\n"
    "    return torch.stack([transform(load(f)) for f in files])\n"
    "train_loader = DataLoader(create_dataset(train_files, transform), shuffle=True)\n"
    "val_set = create_dataset(val_files, transform=valid_tf)\nvalid_loader = DataLoader(val_set)\n" + _TORCH_LOOPS,
    # tf.data: the augmentation maps only where the function is asked to augment (off by default).
    "import tensorflow as tf\naugment_layers = tf.keras.Sequential([tf.keras.layers.RandomFlip('horizontal')])\n"
    "def configure(ds, augment=False):\n    if augment:\n        ds = ds.map(lambda x, y: (augment_layers(x, training=True), y))\n"
    "    return ds.prefetch(8)\ntrain_ds = configure(train_ds, augment=True)\nvalid_ds = configure(valid_ds)\n"
    "model.fit(train_ds, epochs=10, validation_data=valid_ds)\n",
    # A generator function that augments only when asked (the validation batches are not).
    "from imgaug import augmenters as iaa\nimport numpy as np\ndef get_seq():\n    return iaa.Sequential([iaa.Fliplr(0.5), iaa.Affine(rotate=(-20, 20))])\n"
    "def data_gen(files, batch_size, augment=False):\n    seq = get_seq()\n    while True:\n        X = [load(f) for f in files[:batch_size]]\n"
    "        if augment:\n            X = seq.augment_images(X)\n        yield np.array(X), np.zeros(len(X))\n"
    "model.fit(data_gen(train, 32, augment=True), validation_data=data_gen(val, 32), epochs=3)\n",
    # `if augmentation is True:` with augmentation=False by default.
    _IDG + "import numpy as np\naug = ImageDataGenerator(rotation_range=90)\ndef generator(X, Y, augmentation=False):\n    while True:\n"
    "        if augmentation is True:\n            X, Y = next(aug.flow(X, Y))\n        yield X / 255, Y\n"
    "model.fit(generator(x_tr, y_tr, augmentation=True), validation_data=generator(x_val, y_val), epochs=3)\n",
    # The pipeline is chosen by the split a function of the file is called for.
    _TORCH + "def get_loader(df, mode):\n"
    "    ds = LeafDataset(df, transform=train_tf if mode == 'train' else valid_tf)\n"
    "    return DataLoader(ds, shuffle=mode == 'train')\n"
    "train_loader = get_loader(train_df, mode='train')\nvalid_loader = get_loader(valid_df, mode='valid')\n" + _TORCH_LOOPS,
    _TORCH + "def get_transforms(data):\n    if data == 'train':\n        return T.Compose([T.RandomHorizontalFlip(), T.ToTensor()])\n"
    "    return T.Compose([T.ToTensor()])\n"
    "train_loader = DataLoader(LeafDataset(train_df, get_transforms('train')), shuffle=True)\n"
    "valid_loader = DataLoader(LeafDataset(valid_df, get_transforms(data='valid')))\n" + _TORCH_LOOPS,
    # A dict of pipelines: each split gets the entry of its own key.
    "import torch\nfrom torch.utils.data import DataLoader\nfrom torchvision import transforms as T\n"
    "from torchvision.datasets import ImageFolder\n"
    "tfs = {'train': T.Compose([T.RandomHorizontalFlip(), T.ToTensor()]), 'val': T.Compose([T.ToTensor()])}\n"
    "train_loader = DataLoader(ImageFolder('train', transform=tfs['train']), shuffle=True)\n"
    "valid_loader = DataLoader(ImageFolder('val', transform=tfs['val']))\n" + _TORCH_LOOPS,
    # A dataset class stores whichever pipeline it is given: the training set gets the random one,
    # the validation set its own.
    _TORCH + "class Leaves(torch.utils.data.Dataset):\n    def __init__(self, df, transforms):\n        self.df = df\n"
    "        self.transforms = transforms\n    def __getitem__(self, i):\n        return self.transforms(self.df[i]), 0\n"
    "train_ds = Leaves(train_df, train_tf)\nvalid_ds = Leaves(valid_df, valid_tf)\n"
    "train_loader = DataLoader(train_ds, shuffle=True)\nvalid_loader = DataLoader(valid_ds)\n" + _TORCH_LOOPS,
    # A dataset class that augments unless told not to: the validation set is built with it off.
    _TORCH + "class Leaves(torch.utils.data.Dataset):\n    def __init__(self, df, augment_flag=True):\n        self.df = df\n"
    "        self.augment_flag = augment_flag\n        self.tf = T.Compose([T.RandomHorizontalFlip(), T.ToTensor()])\n"
    "    def __getitem__(self, i):\n        return (self.tf(self.df[i]) if self.augment_flag else self.df[i]), 0\n"
    "train_loader = DataLoader(Leaves(train_df), shuffle=True)\nvalid_loader = DataLoader(Leaves(valid_df, augment_flag=False))\n"
    + _TORCH_LOOPS,
    # A name rebound: the generator in force when the validation subset is made does not augment.
    _IDG + "datagen = ImageDataGenerator(rescale=1/255, horizontal_flip=True, validation_split=0.2)\n"
    "train_gen = datagen.flow_from_directory('data', subset='training')\n"
    "datagen = ImageDataGenerator(rescale=1/255, validation_split=0.2)\n"
    "val_gen = datagen.flow_from_directory('data', subset='validation')\n",
    # Datasets and loaders in dicts by split, each split with its own transform (a dict display, or
    # the PyTorch tutorial's comprehension over the splits).
    _TORCH + "datasets = {'train': ImageFolder('train', transform=train_tf),\n"
    "            'val': ImageFolder('valid', transform=valid_tf)}\n"
    "loaders = {'train': DataLoader(datasets['train'], shuffle=True), 'val': DataLoader(datasets['val'])}\n"
    "for epoch in range(10):\n    model.train()\n    for x, y in loaders['train']:\n        criterion(model(x), y).backward()\n"
    "    model.eval()\n    with torch.no_grad():\n        for x, y in loaders['val']:\n            out = model(x)\n",
    _TORCH + "tfs = {'train': train_tf, 'val': valid_tf}\n"
    "datasets = {x: ImageFolder(x, transform=tfs[x]) for x in ['train', 'val']}\n"
    "loaders = {x: DataLoader(datasets[x]) for x in ['train', 'val']}\n"
    "for epoch in range(10):\n    model.train()\n    for x, y in loaders['train']:\n        criterion(model(x), y).backward()\n"
    "    model.eval()\n    with torch.no_grad():\n        for x, y in loaders['val']:\n            out = model(x)\n",
    # separate generators, the validation one only rescales
    _IDG + "train_datagen = ImageDataGenerator(rescale=1/255, rotation_range=20, validation_split=0.2)\n"
    "val_datagen = ImageDataGenerator(rescale=1/255, validation_split=0.2)\n"
    "train_gen = train_datagen.flow_from_directory('data', subset='training', seed=1)\n"
    "val_gen = val_datagen.flow_from_directory('data', subset='validation', seed=1)\n"
    "model.fit(train_gen, validation_data=val_gen)",
    # one generator, but it does not augment
    _IDG + "datagen = ImageDataGenerator(rescale=1./255, validation_split=0.2)\n"
    "train_gen = datagen.flow_from_directory('data', subset='training')\n"
    "val_gen = datagen.flow_from_directory('data', subset='validation')\nmodel.fit(train_gen, validation_data=val_gen)",
    "import tensorflow as tf\nfrom tensorflow.keras.applications.resnet50 import preprocess_input\n"
    "datagen = tf.keras.preprocessing.image.ImageDataGenerator(preprocessing_function=preprocess_input, validation_split=0.1)\n"
    "val_gen = datagen.flow_from_dataframe(df, subset='validation')",
    # albumentations: a training and a validation pipeline
    "import albumentations as A\n"
    "train_aug = A.Compose([A.HorizontalFlip(), A.ShiftScaleRotate(rotate_limit=20), A.Normalize()])\n"
    "val_aug = A.Compose([A.Resize(224, 224), A.Normalize()])\n"
    "train_gen = DataGenerator(train_df, transform=train_aug)\nval_gen = DataGenerator(val_df, transform=val_aug)\n"
    "model.fit(train_gen, validation_data=val_gen)",
    # the same class, with augmentation switched off for validation
    "import albumentations as A\naug = A.Compose([A.HorizontalFlip(), A.Rotate(limit=20)])\n"
    "train_gen = Gen(train_df, aug=aug)\nval_gen = Gen(val_df, aug=aug, augment=False)\n"
    "model.fit(train_gen, validation_data=val_gen)",
    # Keras layers inside the model are inactive at validation
    "from tensorflow import keras\nfrom tensorflow.keras import layers\n"
    "aug = keras.Sequential([layers.RandomFlip('horizontal'), layers.RandomRotation(0.1)])\n"
    "model = keras.Sequential([aug, layers.Rescaling(1/255), base])\nmodel.fit(train_ds, validation_data=val_ds)",
    # a constant that switches the augmentation off
    _IDG + "ROT = 0\ndatagen = ImageDataGenerator(rescale=1/255, rotation_range=ROT, validation_split=0.2)\n"
    "val_gen = datagen.flow_from_directory('data', subset='validation')",
    # evaluating the training generator is not validation
    _IDG + "datagen = ImageDataGenerator(rotation_range=20)\ntrain_gen = datagen.flow_from_directory('train')\n"
    "model.fit(train_gen, epochs=3)\nmodel.evaluate(train_gen)",
    # validation given as arrays
    _IDG + "datagen = ImageDataGenerator(rotation_range=20)\n"
    "model.fit(datagen.flow(x_train, y_train), validation_data=(x_val, y_val))",
    # PyTorch: the validation Dataset has its own deterministic transform
    _TORCH + "train_ds = ImageFolder('train', transform=train_tf)\nvalid_ds = ImageFolder('valid', transform=valid_tf)\n"
    "train_loader = DataLoader(train_ds, shuffle=True)\nvalid_loader = DataLoader(valid_ds)\n" + _TORCH_LOOPS,
    # PyTorch: the training data evaluated again is not validation
    _TORCH + "train_ds = ImageFolder('train', transform=train_tf)\ntrain_loader = DataLoader(train_ds, shuffle=True)\n"
    "for x, y in train_loader:\n    criterion(model(x), y).backward()\nwith torch.no_grad():\n"
    "    preds = [model(x) for x, _ in train_loader]",
    # PyTorch: one Dataset class, its augmentation switched off for validation
    _TORCH + "train_loader = DataLoader(LeafDataset(train_df, train_tf), shuffle=True)\n"
    "valid_loader = DataLoader(LeafDataset(valid_df, train_tf, train=False))\n" + _TORCH_LOOPS,
    # a dict of pipelines shared under one name: which one validates is not known
    "import albumentations as A\ntransforms = {'train': A.Compose([A.HorizontalFlip()]), 'val': A.Compose([A.Normalize()])}\n"
    "model.fit(Gen(df, transforms['train']), validation_data=Gen(vdf, transforms['val']))",
    # The dataset class augments only in mode 'train'; the validation set is built in mode 'val'.
    "from torch.utils.data import DataLoader, Dataset\nfrom torchvision import transforms\n\n\nclass Leaves(Dataset):\n    def __init__(self, files, mode):\n        self.files = files\n        self.mode = mode\n        self.transform = transforms.Compose([transforms.ToTensor()])\n        self.train_transform = transforms.Compose([transforms.RandomHorizontalFlip(), transforms.ToTensor()])\n\n    def __getitem__(self, index):\n        x = load(self.files[index])\n        if self.mode == 'train':\n            return self.train_transform(x)\n        return self.transform(x)\n\n\ntrain_loader = DataLoader(Leaves(train_files, mode='train'), shuffle=True)\nval_loader = DataLoader(Leaves(val_files, mode='val'))\nfor x, y in train_loader:\n    criterion(model(x), y).backward()\nfor x, y in val_loader:\n    model(x)\n",
]

INVALID = [
    Invalid(
        "from imgaug import augmenters as iaa\nimport numpy as np\ndef get_seq():\n    return iaa.Sequential([iaa.Fliplr(0.5), iaa.Affine(rotate=(-20, 20))])\n"
    "def data_gen(files, batch_size, augment=False):\n    seq = get_seq()\n    while True:\n        X = [load(f) for f in files[:batch_size]]\n"
    "        if augment:\n            X = seq.augment_images(X)\n        yield np.array(X), np.zeros(len(X))\n"
        "model.fit(data_gen(train, 32, augment=True), validation_data=data_gen(val, 32, augment=True), epochs=3)\n",
        message="validation_data data_gen(val, 32, augment=True) goes through the training augmentation 'get_seq'", range=(12, 46, 12, 93),
    ),
    Invalid(
        "import tensorflow as tf\naugment_layers = tf.keras.Sequential([tf.keras.layers.RandomFlip('horizontal')])\n"
        "def configure(ds, augment=False):\n    if augment:\n        ds = ds.map(lambda x, y: (augment_layers(x, training=True), y))\n"
        "    return ds.prefetch(8)\ntrain_ds = configure(train_ds, augment=True)\nvalid_ds = configure(valid_ds, augment=True)\n"
        "model.fit(train_ds, epochs=10, validation_data=valid_ds)\n",
        message="validation_data valid_ds goes through the training augmentation 'augment_layers'", range=(9, 32, 9, 56),
    ),
    # An iterable dataset's items are what its __iter__ yields: here the training augmentation.
    Invalid(
        _TORCH + "class Stream(torch.utils.data.IterableDataset):\n    def __init__(self, files):\n        self.files = files\n"
        "    def __iter__(self):\n        for name in self.files:\n            yield train_tf(read(name))\n"
        "train_loader = DataLoader(Stream(train_files))\nvalid_loader = DataLoader(Stream(valid_files))\n" + _TORCH_LOOPS,
        message="the data of the validation loop (valid_loader) goes through the training augmentation 'train_tf'",
        range=(14, 27, 14, 46),
    ),
    # A function of the file builds a set with the training transform, whatever split it is given;
    # load_data's trained=False only decides shuffle=.
    Invalid(
        _TORCH + "def make_set(d):\n    train_data = ImageFolder(d, transform=train_tf)\n    return train_data\n"
        "def load_data(data, trained=True):\n    if trained:\n        return DataLoader(data, shuffle=True)\n"
        "    return DataLoader(data)\n"
        "train_loader = load_data(ImageFolder('train', transform=train_tf))\n"
        "valid_loader = load_data(make_set('valid'), trained=False)\n" + _TORCH_LOOPS,
        message="the data of the validation loop (valid_loader) goes through the training augmentation 'train_tf'",
        range=(15, 26, 15, 43),
    ),
    # A dataset class whose methods build a random pipeline applies it to every instance: reported
    # where the validation set is built with it.
    Invalid(
        _TORCH + "class Leaves(torch.utils.data.Dataset):\n    def __init__(self, df):\n        self.df = df\n"
        "        self.tf = T.Compose([T.RandomHorizontalFlip(), T.ToTensor()])\n"
        "    def __getitem__(self, i):\n        return self.tf(self.df[i]), 0\n"
        "valid_ds = Leaves(valid_df)\nvalid_loader = DataLoader(valid_ds)\n",
        message="the validation DataLoader valid_loader goes through random augmentation 'self.tf'", range=(13, 12, 13, 28),
    ),
    # A notebook that rebinds its generator: the augmenting one is in force for the second split.
    Invalid(
        _IDG + "datagen = ImageDataGenerator(rescale=1/255, validation_split=0.2)\n"
        "val_gen = datagen.flow_from_directory('data', subset='validation')\n"
        "datagen = ImageDataGenerator(rescale=1/255, zoom_range=0.2, validation_split=0.2)\n"
        "val_gen = datagen.flow_from_directory('data', subset='validation')\n",
        message="the validation subset of datagen", range=(5, 11, 5, 67),
    ),
    # PyTorch: the validation Dataset built with the training transform (reported where it is given).
    Invalid(
        _TORCH + "train_ds = ImageFolder('train', transform=train_tf)\nvalid_ds = ImageFolder('valid', transform=train_tf)\n"
        "train_loader = DataLoader(train_ds, shuffle=True)\nvalid_loader = DataLoader(valid_ds)\n" + _TORCH_LOOPS,
        message="the data of the validation loop (valid_loader) goes through the training augmentation 'train_tf' "
        "(RandomResizedCrop, RandomHorizontalFlip)",
        range=(8, 12, 8, 52),
    ),
    # Datasets and loaders kept in dicts by split: the "val" entry is built with the training transform.
    Invalid(
        _TORCH + "datasets = {'train': ImageFolder('train', transform=train_tf),\n"
        "            'val': ImageFolder('valid', transform=train_tf)}\n"
        "loaders = {'train': DataLoader(datasets['train'], shuffle=True), 'val': DataLoader(datasets['val'])}\n"
        "for epoch in range(10):\n    model.train()\n    for x, y in loaders['train']:\n        criterion(model(x), y).backward()\n"
        "    model.eval()\n    with torch.no_grad():\n        for x, y in loaders['val']:\n            out = model(x)\n",
        message="the data of the validation loop (loaders['val'])",
        range=(8, 20, 8, 60),
    ),
    # random_split of one dataset built with the training transform: the validation part is augmented too.
    Invalid(
        _TORCH + "from torch.utils.data import random_split\nfull = ImageFolder('train', transform=train_tf)\n"
        "train_data, valid_data = random_split(full, [8000, 2000])\n"
        "train_loader = DataLoader(train_data, shuffle=True)\nvalid_loader = DataLoader(valid_data)\n" + _TORCH_LOOPS,
        message="the data of the validation loop (valid_loader) goes through the training augmentation 'train_tf'",
        range=(8, 8, 8, 48),
    ),
    # A dataset class whose __init__ takes the training pipeline from a function: reported where
    # the validation set is built from the class, not inside the class.
    Invalid(
        _TORCH + "def get_train_tf():\n    return train_tf\nclass Leaves(torch.utils.data.Dataset):\n"
        "    def __init__(self, df):\n        self.df = df\n        self.transform = get_train_tf()\n"
        "    def __getitem__(self, i):\n        return self.transform(load(self.df[i]))\n"
        "train_loader = DataLoader(Leaves(train_df), shuffle=True)\nvalid_loader = DataLoader(Leaves(valid_df))\n" + _TORCH_LOOPS,
        message="the data of the validation loop (valid_loader) goes through the training augmentation",
        range=(16, 27, 16, 43),
    ),
    # Whatever it is named, the data an epoch loop evaluates after training is validation data.
    Invalid(
        _TORCH + "from torch.utils.data import random_split\nfull = ImageFolder('train', transform=train_tf)\n"
        "train_data, test_data = random_split(full, [0.8, 0.2])\n"
        "def train_step(model, loader):\n    for x, y in loader:\n        criterion(model(x), y).backward()\n"
        "def test_step(model, loader):\n    with torch.no_grad():\n        for x, y in loader:\n            out = model(x)\n"
        "for epoch in range(10):\n    train_step(model, DataLoader(train_data, shuffle=True))\n"
        "    test_step(model, DataLoader(test_data))\n",
        message="the data evaluated after every training epoch (loader) goes through the training augmentation 'train_tf'",
        range=(8, 8, 8, 48),
    ),
    # A loader named for evaluation (dataloader_eval) is validation data; the dataset is given a call
    # of the function that returns the training pipeline, and then split.
    Invalid(
        _TORCH + "from torch.utils.data import random_split\ndef data_aug():\n    return train_tf\n"
        "full = LeafDataset(paths, transform=data_aug())\ntrain_data, eval_data = random_split(full, [8000, 2000])\n"
        "train_loader = DataLoader(train_data, shuffle=True)\ndataloader_eval = DataLoader(eval_data)\n"
        + _TORCH_LOOPS.replace("valid_loader", "dataloader_eval"),
        message="the data of the validation loop (dataloader_eval) goes through the training augmentation 'train_tf'",
        range=(10, 37, 10, 47),
    ),
    # The "train" entry of a dict of pipelines, given to the dataset the validation part is split from.
    Invalid(
        "import torch\nfrom torch.utils.data import DataLoader, random_split\nfrom torchvision import transforms as T\n"
        "from torchvision.datasets import ImageFolder\n"
        "tfs = {'train': T.Compose([T.RandomHorizontalFlip(), T.ToTensor()]), 'val': T.Compose([T.ToTensor()])}\n"
        "full = ImageFolder('train', transform=tfs['train'])\ntrain_data, valid_data = random_split(full, [8000, 2000])\n"
        "train_loader = DataLoader(train_data, shuffle=True)\nvalid_loader = DataLoader(valid_data)\n" + _TORCH_LOOPS,
        message="the data of the validation loop (valid_loader) goes through random augmentation 'tfs'",
        range=(6, 8, 6, 52),
    ),
    # A validation loop in a function, given the loader as an argument.
    Invalid(
        _TORCH + "train_loader = DataLoader(LeafDataset(train_df, train_tf), shuffle=True)\n"
        "val_loader = DataLoader(LeafDataset(valid_df, train_tf))\n"
        "def train_one_epoch(loader):\n    for x, y in loader:\n        criterion(model(x), y).backward()\n"
        "def validate(loader):\n    model.eval()\n    with torch.no_grad():\n        return [model(x) for x, _ in loader]\n"
        "for epoch in range(10):\n    train_one_epoch(train_loader)\n    validate(val_loader)",
        range=(8, 25, 8, 56),
    ),
    # Lightning: what the Trainer validates on.
    Invalid(
        _TORCH + "import lightning as L\ntrainer = L.Trainer(max_epochs=5)\n"
        "trainer.fit(model, DataLoader(LeafDataset(train_df, train_tf), shuffle=True), DataLoader(LeafDataset(valid_df, train_tf)))",
        message="the validation data of trainer.fit()",
        range=(9, 90, 9, 121),
    ),
    # ImageDataAugmentor: the augmentation is the albumentations pipeline passed as augment=.
    Invalid(
        "import albumentations as A\nfrom ImageDataAugmentor.image_data_augmentor import ImageDataAugmentor\nAUGMENTATIONS = A.Compose([A.HorizontalFlip(p=0.5), A.Rotate(limit=30)])\ndatagen = ImageDataAugmentor(rescale=1./255, augment=AUGMENTATIONS, validation_split=0.2)\ntrain_gen = datagen.flow_from_directory('train', subset='training')\nval_gen = datagen.flow_from_directory('train', subset='validation')\nmodel.fit(train_gen, validation_data=val_gen, epochs=3)",
        message="(HorizontalFlip, Rotate)", range=(6, 11, 6, 68),
    ),
    Invalid(
        _IDG + "datagen = ImageDataGenerator(rescale=1/255, rotation_range=20, horizontal_flip=True, validation_split=0.2)\n"
        "train_gen = datagen.flow_from_directory('data', subset='training')\n"
        "val_gen = datagen.flow_from_directory('data', subset='validation')\n"
        "model.fit(train_gen, validation_data=val_gen)",
        message="the validation subset of datagen goes through the training augmentation 'datagen' "
        "(rotation_range=20, horizontal_flip=True)", range=(4, 11, 4, 67)
    ),
    Invalid(
        "import tensorflow as tf\n"
        "gen = tf.keras.preprocessing.image.ImageDataGenerator(zoom_range=0.2, validation_split=0.2)\n"
        "v = gen.flow_from_dataframe(df, x_col='f', y_col='y', subset='validation')",
        message="random augmentation 'gen' (zoom_range=0.2)", range=(3, 5, 3, 75)
    ),
    Invalid(
        _IDG + "train_datagen = ImageDataGenerator(rescale=1./255, shear_range=0.2, zoom_range=0.2)\n"
        "train_generator = train_datagen.flow_from_directory('train')\n"
        "validation_generator = train_datagen.flow_from_directory('valid')\n"
        "model.fit_generator(train_generator, validation_data=validation_generator)",
        message="validation_data validation_generator goes through the training augmentation 'train_datagen'", range=(4, 24, 4, 66)
    ),
    Invalid(
        "import keras\nIDG = keras.preprocessing.image.ImageDataGenerator\n"
        "train_datagen = keras.preprocessing.image.ImageDataGenerator(width_shift_range=0.1)\n"
        "model.fit(train_datagen.flow(x, y), validation_data=train_datagen.flow(xv, yv))", range=(4, 53, 4, 79)
    ),
    Invalid(
        "import albumentations as A\n"
        "train_aug = A.Compose([A.HorizontalFlip(), A.ShiftScaleRotate(rotate_limit=20), A.Normalize()])\n"
        "train_gen = DataGenerator(train_df, transform=train_aug)\nval_gen = DataGenerator(val_df, transform=train_aug)\n"
        "model.fit(train_gen, validation_data=val_gen)",
        message="the training augmentation 'train_aug' (HorizontalFlip, ShiftScaleRotate)", range=(5, 22, 5, 45)
    ),
    Invalid(
        "from albumentations import Compose, Rotate as R\naug = Compose([R(limit=30)])\n"
        "model.fit(Seq(x, aug), validation_data=Seq(xv, aug))", range=(3, 24, 3, 52)
    ),
    Invalid(
        _IDG + "ROT = 20\nZOOM = ROT / 100\ndatagen = ImageDataGenerator(rotation_range=ROT, zoom_range=ZOOM, validation_split=0.2)\n"
        "val_gen = datagen.flow_from_directory('data', subset='validation')",
        message="(rotation_range=ROT, zoom_range=ZOOM)", range=(5, 11, 5, 67)
    ),
    Invalid(
        "import albumentations\nfrom tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
        "AUG = albumentations.Compose([albumentations.HorizontalFlip(p=0.5)])\n"
        "train_datagen = ImageDataGenerator(preprocessing_function=lambda x: AUG(image=x)['image'])\n"
        "train_gen = train_datagen.flow_from_dataframe(train_df)\nval_gen = train_datagen.flow_from_dataframe(val_df)\n"
        "model.fit(train_gen, validation_data=val_gen)\nmodel.evaluate(val_gen)",
        message="'AUG' (HorizontalFlip)", range=(6, 11, 6, 52)
    ),
    Invalid(
        "import tensorflow as tf\nfrom tensorflow.keras import layers\n"
        "aug = tf.keras.Sequential([layers.RandomFlip('horizontal'), layers.RandomZoom(0.2)])\n"
        "train_ds = train_ds.map(lambda x, y: (aug(x, training=True), y))\n"
        "val_ds = val_ds.map(lambda x, y: (aug(x, training=True), y))\nmodel.fit(train_ds, validation_data=val_ds)",
        message="(RandomFlip, RandomZoom)", range=(6, 21, 6, 43)
    ),
    # A function of random tf.image ops mapped over both datasets.
    Invalid(
        "import tensorflow as tf\ndef load(path, label):\n    img = tf.image.decode_jpeg(tf.io.read_file(path))\n"
        "    img = tf.image.random_crop(img, size=[224, 224, 3])\n    return img, label\n"
        "train_ds = train_ds.map(load).batch(32)\nval_ds = val_ds.map(load).batch(32)\n"
        "model.fit(train_ds, validation_data=val_ds, epochs=5)\n",
        message="goes through the training augmentation 'load' (random_crop)", range=(8, 21, 8, 43)
    ),
    Invalid(
        _IDG + "def building_generators():\n"
        "    datagen = ImageDataGenerator(rotation_range=40, validation_split=0.15)\n"
        "    train = datagen.flow_from_directory(DIR, subset='training')\n"
        "    test = datagen.flow_from_directory(DIR, subset='validation')\n"
        "    return train, test\n"
        "train_generator, test_generator = building_generators()\n"
        "model.fit(train_generator, validation_data=test_generator)", range=(5, 12, 5, 65)
    ),
    # A dataset class that augments only in the mode __init__ keeps, built with mode='train' for validation.
    Invalid("from torch.utils.data import DataLoader, Dataset\nfrom torchvision import transforms\n\n\nclass Leaves(Dataset):\n    def __init__(self, files, mode):\n        self.files = files\n        self.mode = mode\n        self.transform = transforms.Compose([transforms.ToTensor()])\n        self.train_transform = transforms.Compose([transforms.RandomHorizontalFlip(), transforms.ToTensor()])\n\n    def __getitem__(self, index):\n        x = load(self.files[index])\n        if self.mode == 'train':\n            return self.train_transform(x)\n        return self.transform(x)\n\n\ntrain_loader = DataLoader(Leaves(train_files, mode='train'), shuffle=True)\nval_loader = DataLoader(Leaves(val_files, mode='train'))\nfor x, y in train_loader:\n    criterion(model(x), y).backward()\nfor x, y in val_loader:\n    model(x)\n", message="'self.train_transform' (RandomHorizontalFlip)", range=(20, 25, 20, 56)),
    # A function named for validation builds its dataset with a random pipeline.
    Invalid('from torch.utils.data import DataLoader\nfrom torchvision import transforms\n\n\ndef get_val_dataset(files):\n    composed = transforms.Compose([transforms.RandomResizedCrop(224, scale=(0.75, 1)), transforms.ToTensor()])\n    dog_valset = DogDataset(files, transform=composed)\n    dog_val = DataLoader(dog_valset, 32, False)\n    return dog_val\n', message="random augmentation 'composed' (RandomResizedCrop)", range=(7, 18, 7, 55)),
    # The validation loader of a dict of loaders takes a Subset of the dataset built with the training transform.
    Invalid("import torch\nfrom torchvision import datasets, transforms\n\ndata_transforms = {'train': transforms.Compose([transforms.RandomResizedCrop(224), transforms.ToTensor()]),\n                   'val': transforms.Compose([transforms.Resize(224), transforms.ToTensor()])}\ntrain_dataset = datasets.ImageFolder('train', data_transforms['train'])\nloaders = {\n    'train': torch.utils.data.DataLoader(torch.utils.data.Subset(train_dataset, train_idx), shuffle=True),\n    'val': torch.utils.data.DataLoader(torch.utils.data.Subset(train_dataset, val_idx)),\n}\nfor x, y in loaders['train']:\n    criterion(model(x), y).backward()\n", message="the validation DataLoader loaders['val']", range=(9, 40, 9, 87)),
    # The validation side a function chooses by its argument is random itself.
    Invalid(
        "import albumentations as A\nfrom torch.utils.data import DataLoader\n"
        "def get_transforms(data):\n"
        "    if data == 'train':\n"
        "        return A.Compose([A.RandomResizedCrop(size=(640, 640)), A.HorizontalFlip(p=0.5), A.Normalize()])\n"
        "    elif data == 'valid':\n"
        "        return A.Compose([A.RandomResizedCrop(size=(640, 640), scale=(0.85, 1.0)), A.Normalize()])\n"
        "train_set = LeafDataset(train_df, transform=get_transforms(data='train'))\n"
        "val_set = LeafDataset(valid_df, transform=get_transforms(data='valid'))\n"
        "for x, y in DataLoader(train_set, shuffle=True):\n    criterion(model(x), y).backward()\n"
        "for x, y in DataLoader(val_set):\n    model(x)\n",
        message="goes through random augmentation 'get_transforms' (RandomResizedCrop)", range=(9, 43, 9, 71)
    ),
]
