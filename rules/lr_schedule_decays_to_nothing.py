"""RL504 lr-schedule-decays-to-nothing: a learning-rate schedule that is ~0 long before training ends.

## What it does
Computes, where the code allows it, what fraction of its initial value the learning rate has
left at the end of the planned training, for `ExponentialDecay` (`lr·rate^(step/decay_steps)`),
`InverseTimeDecay` (`lr/(1 + rate·step/decay_steps)`), the TF 1 `exponential_decay` /
`inverse_time_decay`, and the legacy optimizer argument `decay=` (Keras 2: `lr/(1 + decay·step)`),
and reports it when it is below `min_fraction` (default 1%). For `CosineDecay` and
`PolynomialDecay`, which end at a floor by design, it reports a floor below `min_fraction` that is
reached in the first half of the training or sooner.

The step is the optimizer step (one batch), not the epoch. The planned training is read from the
`fit` calls of the model compiled with that optimizer, up to the next `compile` (the optimizer's
step count carries over from one `fit` to the next): `epochs - initial_epoch` and
`steps_per_epoch` when they fold to numbers (a notebook that sets `EPOCHS = 10` and later
`EPOCHS = 5` is read in statement order). Where the number of batches per epoch is unknown the
rule assumes only `min_steps_per_epoch` (default 10) and says so; where the epochs are unknown, one.
In PyTorch, `StepLR`, `MultiStepLR` and `ExponentialLR` are counted by where
`scheduler.step()` is called: inside the loop over batches it steps per batch (judged over the
first epoch, `min_steps_per_epoch` batches), in a `for epoch in range(EPOCHS)` loop once per
epoch (judged at the last epoch, when `EPOCHS` folds to a number, also from a configuration module the
file imports: `range(const.NUM_EPOCHS)`; in a training function, `range(num_epochs)` counts what
its callers pass, the shortest run, or the parameter's default when the file never calls it;
a count set in branches, `n_epochs = 25` without command-line arguments and `int(sys.argv[2])`
with them, counts the values the code spells, the shortest of them;
a `scheduler.step()` at the top of the epoch, before its training, counts one step more, and one
inside a loop over the phases, `for phase in ['train', 'val']:`, counts once per phase; tqdm's
`trange(n)` and `tqdm(range(n))` count as the range they wrap). A scheduler built in a function
from its parameters (`StepLR(optimizer, step_size, gamma)` in `def train(…, step_size=7, gamma=0.1)`)
counts what the function's callers pass, the slowest decay of them.
Keras's `LearningRateScheduler(schedule)` with a schedule function of the file (`schedule(epoch)`
or `schedule(epoch, lr)`, arithmetic, `if`/`return`, `math.floor`/`math.pow`/`np.exp` and module
constants) is run over the epochs of the `fit` it is given to, from the first epoch's rate (a
schedule that keeps the rate it is given for some epochs and sets rates of its own for others
starts from the rate `compile` gives the optimizer, `Adam(learning_rate=LR)`, and is left alone
without one).
A scheduler that a LightningModule's `configure_optimizers` returns is stepped by Lightning: once
per epoch over the `Trainer`'s `max_epochs`, or per batch with `"interval": "step"` in its config dict.
A scheduler handed to a function of a project module the file imports is counted where that
function steps it (`train_model(model, optimizer, scheduler, num_epochs=100)`, also through
`train_model(**params)` with a dict of the file; the epochs the call passes, or the parameter's default).
It also reports a `decay_steps` no larger than the number of planned epochs when the batches per
epoch are unknown: that is `decay_steps` written as if it counted epochs, and
the message says from how many batches per epoch on the rate ends below `min_fraction`.

## Why it matters
A rate that has decayed to 1e-7 of its start trains nothing: the curves flatten, early stopping
fires, and the run looks converged when it only stopped moving. Comparing experiments under such
a schedule compares how fast the rate vanished, not the models. `ExponentialDecay(decay_steps=10,
decay_rate=0.9)` with 778 batches per epoch leaves 2.8e-7 of the rate after one epoch.

## Example
```python
lr_schedule = keras.optimizers.schedules.ExponentialDecay(
    initial_learning_rate=1e-3, decay_steps=10, decay_rate=0.9)
model.compile(optimizer=keras.optimizers.Adam(lr_schedule), loss="categorical_crossentropy")
model.fit(train_generator, epochs=10)
```

In PyTorch:
```python
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.1)
for epoch in range(30):
    train_one_epoch(model, train_loader, optimizer)
    scheduler.step()        # 0.1 ** 29 of the rate in the last epoch
```

## Use instead
```python
steps = EPOCHS * len(train_generator)          # decay over the whole run, counted in batches
lr_schedule = keras.optimizers.schedules.CosineDecay(1e-3, decay_steps=steps, alpha=0.05)
```
In PyTorch, `CosineAnnealingLR(optimizer, T_max=EPOCHS)` stepped once per epoch, or
`StepLR(optimizer, step_size=10, gamma=0.1)` over 30 epochs.
"""

from __future__ import annotations

import ast
import math
import operator
import functools
import textwrap
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import libcst as cst

from reviewlint.api import (
    MODULE,
    UNKNOWN,
    Anchor,
    CallSite,
    Facts,
    Fit,
    ImportedFacts,
    Invalid,
    Report,
    RuleContext,
    SchedulerStepper,
    Scope,
    SemanticModel,
    Severity,
    Valid,
    Var,
    batch_loops,
    dotted,
    is_number,
    option,
    positional_parameters,
)
from reviewlint.knowledge import training

CODE = "RL504"
NAME = "lr-schedule-decays-to-nothing"
SEVERITY = Severity.WARNING
SUMMARY = "Learning-rate schedule that decays to almost nothing before training ends"
@dataclass(frozen=True)
class Options:
    min_fraction: float = option(0.01, "fraction of the initial learning rate below which the rate counts as gone")
    min_steps_per_epoch: int = option(
        10, "batches per epoch assumed when the code does not say (a lower bound: smaller assumes less)"
    )

TRIGGERS = ("Decay", "decay", "StepLR", "ExponentialLR", "LearningRateScheduler")
# A configuration module the training script imports (``import const`` … ``range(const.NUM_EPOCHS)``).
IMPORT_TRIGGERS = (*TRIGGERS, "EPOCH", "epoch")


@dataclass
class _Schedule:
    call: CallSite
    kind: str  # exponential | inverse-time | cosine | polynomial | legacy
    label: str  # how the message names it
    decay_steps: float
    rate: float  # decay_rate; legacy: decay; cosine/polynomial: the floor as a fraction
    staircase: bool
    anchor: Anchor

    def fraction(self, steps: float) -> float:
        """The rate after ``steps`` optimizer steps, as a fraction of the initial rate."""
        t = steps / self.decay_steps
        if self.staircase:
            t = math.floor(t)
        if self.kind == "exponential":
            return float(self.rate**t)
        if self.kind in ("inverse-time", "legacy"):
            return 1.0 / (1.0 + self.rate * t)
        return self.rate if t >= 1 else 1.0  # floor schedules: judged at the floor only

    def steps_to(self, fraction: float) -> float | None:
        """Optimizer steps after which the rate is below ``fraction`` of its initial value."""
        if self.kind == "exponential":
            if not 0 < self.rate < 1:
                return None
            return self.decay_steps * math.log(fraction) / math.log(self.rate)
        if self.kind in ("inverse-time", "legacy"):
            return self.decay_steps * (1 / fraction - 1) / self.rate if self.rate > 0 else None
        return self.decay_steps if self.rate < fraction else None


def _params(facts: Facts, call: CallSite, names: tuple[str, ...]) -> dict[str, object]:
    values: dict[str, object] = {}
    for position, name in enumerate(names):
        arg = call.arg(name, position)
        if arg is not None:
            values[name] = facts.model.value_of_call_arg(call, arg.value)
    return values


def _schedules(facts: Facts) -> Iterator[_Schedule]:
    for call in facts.model.calls:
        qualname = call.qualname or ""
        names = training.SCHEDULES.get(qualname)
        if names is not None:
            params = {**training.SCHEDULE_DEFAULTS, **_params(facts, call, names)}
            short = qualname.rsplit(".", 1)[-1]
            decay_steps = params.get("decay_steps")
            if not is_number(decay_steps) or decay_steps <= 0:
                continue
            anchor: Anchor = call.arg("decay_steps", names.index("decay_steps")) or call.node
            staircase = params.get("staircase") is True
            if short in ("ExponentialDecay", "exponential_decay", "InverseTimeDecay", "inverse_time_decay"):
                rate = params.get("decay_rate")
                if not is_number(rate):
                    continue
                kind = "exponential" if "xponential" in short else "inverse-time"
                label = f"{short}(decay_steps={_fmt(decay_steps)}, decay_rate={_fmt(rate)})"
                yield _Schedule(call, kind, label, float(decay_steps), float(rate), staircase, anchor)
            else:
                if short == "CosineDecay":
                    if call.arg("warmup_target") is not None:
                        continue
                    floor = params.get("alpha")
                    label = f"CosineDecay(decay_steps={_fmt(decay_steps)}, alpha={_fmt(floor)})"
                else:
                    if params.get("cycle") is not False:
                        continue
                    initial, end = params.get("initial_learning_rate"), params.get("end_learning_rate")
                    if not (is_number(initial) and is_number(end)) or not initial:
                        continue
                    floor = end / initial
                    label = f"PolynomialDecay(decay_steps={_fmt(decay_steps)}, end_learning_rate={_fmt(end)})"
                if not is_number(floor):
                    continue
                kind = "cosine" if short == "CosineDecay" else "polynomial"
                yield _Schedule(call, kind, label, float(decay_steps), float(floor), False, anchor)
            continue
        if training.optimizer_name(qualname) is not None:
            decay_arg = call.arg("decay")
            if decay_arg is None:
                continue
            decay = facts.model.value_of_call_arg(call, decay_arg.value)
            if is_number(decay) and decay > 0:
                label = f"{qualname.rsplit('.', 1)[-1]}(decay={_fmt(decay)})"
                yield _Schedule(call, "legacy", label, 1.0, float(decay), False, decay_arg)


def _uses(facts: Facts, node: cst.CSTNode, arg: cst.Arg | None, scope: Scope) -> bool:
    return arg is not None and any(origin is node for origin, _ in facts.model.origins(arg.value, scope))


def _rate_arg(optimizer: CallSite) -> cst.Arg | None:
    """The learning rate an optimizer is built with (``Adam(learning_rate=…)``, ``Adam(lr=…)``, first by position)."""
    return optimizer.arg("learning_rate", 0) or optimizer.arg("lr")


def _fits_of(facts: Facts, schedule: _Schedule) -> list[Fit]:
    """The fit calls that step this schedule: compile(optimizer=…) on a model, then its fits until the next compile."""
    optimizers = [schedule.call]
    if schedule.kind != "legacy":
        optimizers = [
            call
            for call in facts.model.calls
            if training.optimizer_name(call.qualname or "") is not None
            and _uses(facts, schedule.call.node, _rate_arg(call), call.scope)
        ]
    compiles = list(facts.model.method_calls("compile"))
    fits: list[Fit] = []
    for optimizer in optimizers:
        for compile_call in compiles:
            if not compile_call.receiver or not _uses(
                facts, optimizer.node, compile_call.arg("optimizer", 0), compile_call.scope
            ):
                continue
            key = facts.model.qualify(compile_call.receiver, compile_call.scope)
            # Until the model is compiled again (then that compile's optimizer steps it).
            end = min(
                (
                    c.index
                    for c in compiles
                    if c.index > compile_call.index and c.scope == compile_call.scope and c.receiver
                    and facts.model.qualify(c.receiver, c.scope) == key
                ),
                default=None,
            )
            for fit in facts.fits:
                if (
                    fit.call.scope == compile_call.scope
                    and fit.receiver
                    and facts.model.qualify(fit.receiver, fit.call.scope) == key
                    and compile_call.index < fit.call.index
                    and (end is None or fit.call.index < end)
                    and fit not in fits
                ):
                    fits.append(fit)
    return fits


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.3g}"
    return str(value)


def check(ctx: RuleContext[Options]) -> Iterator[Report]:
    facts = ctx.facts
    min_fraction = float(ctx.options.min_fraction)
    min_steps = max(1, int(ctx.options.min_steps_per_epoch))
    yield from _torch_schedules(facts, ctx.imported, min_fraction, min_steps)
    yield from _scheduler_callbacks(facts, min_fraction)
    for schedule in _schedules(facts):
        fits = _fits_of(facts, schedule)
        epochs = [fit.planned_epochs for fit in fits]
        steps = [fit.steps_per_epoch for fit in fits]
        epochs_known = bool(fits) and all(is_number(e) for e in epochs)
        steps_known = bool(fits) and all(is_number(s) for s in steps)
        total_epochs = sum(e for e in epochs if is_number(e)) + sum(1 for e in epochs if not is_number(e))
        total_epochs = max(total_epochs, 1)
        related: tuple[tuple[Anchor, str], ...] = tuple((fit.node, "training planned here") for fit in fits[:3])
        plan = f"{len(fits)} fit() calls" if len(fits) > 1 else "fit()"
        floor_kind = schedule.kind in ("cosine", "polynomial")
        what = "per batch, not per epoch" if schedule.kind != "legacy" else "at every batch (Keras 2; Keras 3 ignores decay=)"
        if steps_known and epochs_known:
            total = sum(e * s for e, s in zip(epochs, steps))  # type: ignore[operator]  # numbers: checked by the caller
            fraction = schedule.fraction(total)
            if fraction < min_fraction and (not floor_kind or total >= 2 * schedule.decay_steps):
                yield Report(
                    schedule.anchor,
                    f"{schedule.label} is stepped {what}: the rate falls to {fraction:.2g} of its initial "
                    f"value after the planned {_epochs(total_epochs)} × {_steps_text(steps)} steps "
                    f"({_fmt(total)} steps, {plan})",
                    hint="set decay_steps in optimizer steps (epochs × batches per epoch), or use CosineDecay over the whole run",
                    related=related,
                )
            continue
        counted = [float(s) for s in steps if isinstance(s, (int, float)) and is_number(s)]
        per_epoch = min(counted) if counted else min_steps
        lower = total_epochs * per_epoch
        fraction = schedule.fraction(lower)
        if fraction < min_fraction and (not floor_kind or lower >= 2 * schedule.decay_steps):
            assumed = "" if any(is_number(s) for s in steps) else f", assuming at least {min_steps} batches per epoch"
            epochs_text = f"the planned {_epochs(total_epochs)}" if epochs_known else "the first epoch"
            if floor_kind:
                message = (
                    f"{schedule.label} reaches its floor ({fraction:.2g} of the initial rate) after "
                    f"{_fmt(schedule.decay_steps)} optimizer steps (batches) and stays there for the rest of "
                    f"training: at least {_fmt(lower)} steps in {epochs_text}{assumed}"
                )
            else:
                message = (
                    f"{schedule.label} is stepped {what}: the rate falls to {fraction:.2g} of its initial value "
                    f"or less within {epochs_text} ({_fmt(lower)} steps{assumed})"
                )
            yield Report(
                schedule.anchor,
                message,
                hint="set decay_steps in optimizer steps (epochs × batches per epoch), or use CosineDecay over the whole run",
                related=related,
            )
            continue
        needed = schedule.steps_to(min_fraction)
        if (
            epochs_known
            and not steps_known
            and schedule.kind != "legacy"
            and needed is not None
            and schedule.decay_steps <= total_epochs
        ):
            yield Report(
                schedule.anchor,
                f"{schedule.label}: decay_steps={_fmt(schedule.decay_steps)} is no more than the "
                f"{_fmt(total_epochs)} planned epochs, but the schedule counts optimizer steps (batches), not "
                f"epochs: the rate falls below {min_fraction:g} of its initial value after {math.ceil(needed)} "
                f"steps, i.e. before training ends whenever an epoch has more than "
                f"{math.floor(needed / total_epochs)} batches",
                hint="set decay_steps in optimizer steps (epochs × batches per epoch)",
                related=related,
            )


def _scheduler_callbacks(facts: Facts, min_fraction: float) -> Iterator[Report]:
    """Keras's ``LearningRateScheduler(schedule)`` with a schedule function of this file
    (``def schedule(epoch, lr): return lr * 0.1 if epoch % 7 == 0 and epoch else lr``, or
    ``def step_decay(epoch): return 0.1 * 0.5 ** (epoch // 10)``), run over the epochs of the fit
    it is given to: the rate of the last epoch as a fraction of the first's."""
    model = facts.model
    for call in model.calls:
        if not (call.qualname or "").endswith("callbacks.LearningRateScheduler"):
            continue
        given = call.arg("schedule", 0)
        function = model.functions.get(given.value.value) if given is not None and isinstance(given.value, cst.Name) else None
        owners = model.owners(call)
        if function is None:
            continue
        epochs = [model.value_in(planned.value, fit.scope) for fit in model.calls
                  if fit.qualname is None and fit.method in ("fit", "fit_generator") and (planned := fit.arg("epochs")) is not None
                  and (callbacks := fit.arg("callbacks")) is not None
                  and (model.encloses(callbacks.value, call.node) or model.reaches(model.names_used(callbacks.value, fit.scope)) & owners)]
        runs = [e for e in epochs if isinstance(e, int) and not isinstance(e, bool) and e >= 2]
        if not runs or len(runs) != len(epochs):
            continue
        rates = _simulated_rates(model, function, min(runs))
        probe = _simulated_rates(model, function, min(runs), start=_PROBE_RATE)
        if rates is None or probe is None or rates[0] <= 0 or probe[0] <= 0:
            continue
        if not math.isclose(rates[-1] / rates[0], probe[-1] / probe[0], rel_tol=1e-6):
            # schedule(epoch, lr) mixing the rate it is given with rates of its own (``lr`` for
            # the first epochs, then 0.0001): the optimizer's first rate decides the fraction.
            start = _compiled_rate(model)
            rates = _simulated_rates(model, function, min(runs), start=start) if start is not None else None
            if rates is None or rates[0] <= 0:
                continue
        fraction = rates[-1] / rates[0]
        if fraction < min_fraction:
            yield Report(
                call.node,
                f"LearningRateScheduler({function.name.value}) takes the rate to {fraction:.2g} of its first value by "
                f"the last of the {min(runs)} epochs",
                hint="decay less (a larger factor, less often) or use a cosine schedule over the whole run",
                related=((function.name, "the schedule"),),
            )


# A first rate to run a schedule from besides 1.0: a schedule that only scales the rate it is given
# (or never reads it) ends at the same fraction from either.
_PROBE_RATE = 0.37


def _compiled_rate(model: SemanticModel) -> float | None:
    """The learning rate the file's ``compile`` calls give their optimizer (``Adam(learning_rate=LR)``
    folded to a number), when they all give the same one."""
    found: set[float] = set()
    for call in model.method_calls("compile"):
        optimizer = call.arg("optimizer", 0)
        if optimizer is None:
            return None
        for origin, scope in model.origins(optimizer.value, call.scope):
            site = model.call_site(origin) if isinstance(origin, cst.Call) else None
            argument = _rate_arg(site) if site is not None else None
            value = model.value_in(argument.value, scope) if argument is not None else None
            if not is_number(value) or isinstance(value, bool):
                return None
            found.add(float(value))
    return next(iter(found)) if len(found) == 1 else None


def _simulated_rates(model: SemanticModel, function: cst.FunctionDef, epochs: int, start: float = 1.0) -> list[float] | None:
    """The rate a Keras schedule function gives each epoch, called as Keras calls it (``schedule(epoch)``
    or ``schedule(epoch, lr)`` with the previous epoch's rate, from ``start``), read from its source
    with arithmetic, comparisons, ``if``/``return`` and module constants only; None otherwise."""
    source = model.module.code_for_node(function)
    try:
        tree = ast.parse(textwrap.dedent(source))
    except SyntaxError:
        return None
    definition = tree.body[0] if tree.body and isinstance(tree.body[0], ast.FunctionDef) else None
    if definition is None or definition.args.vararg or definition.args.kwarg:
        return None
    parameters = [arg.arg for arg in definition.args.args]
    if len(parameters) not in (1, 2):
        return None
    rates: list[float] = []
    rate = start
    for epoch in range(epochs):
        scope: dict[str, object] = {parameters[0]: epoch}
        if len(parameters) == 2:
            scope[parameters[1]] = rate
        result = _run(model, definition.body, scope)
        if not isinstance(result, (int, float)) or isinstance(result, bool):
            return None
        rate = float(result)
        rates.append(rate)
    return rates


_NOT_RETURNED = object()


def _run(model: SemanticModel, body: list[ast.stmt], scope: dict[str, object]) -> object:
    """Run statements of a schedule function (assignments, ``if``, ``return``): the returned value,
    _NOT_RETURNED when none returns, UNKNOWN when anything cannot be read."""
    for statement in body:
        if isinstance(statement, ast.Return):
            return _evaluate(model, statement.value, scope) if statement.value is not None else UNKNOWN
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name):
            scope[statement.targets[0].id] = _evaluate(model, statement.value, scope)
        elif isinstance(statement, ast.If):
            test = _evaluate(model, statement.test, scope)
            if test is UNKNOWN:
                return UNKNOWN
            result = _run(model, statement.body if test else statement.orelse, scope)
            if result is not _NOT_RETURNED:
                return result
        elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue  # a docstring
        elif not isinstance(statement, ast.Expr):  # print(…) and other calls change no rate
            return UNKNOWN
    return _NOT_RETURNED


_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
           ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow}
_COMPARE = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
            ast.Gt: operator.gt, ast.GtE: operator.ge}
_FUNCTIONS: dict[str, Callable[..., object]] = {
    "math.floor": math.floor, "math.ceil": math.ceil, "math.pow": math.pow, "math.exp": math.exp, "np.exp": math.exp,
    "numpy.exp": math.exp, "np.floor": math.floor, "numpy.floor": math.floor, "int": int, "float": float,
    "min": min, "max": max, "abs": abs, "round": round, "np.power": math.pow, "tf.math.exp": math.exp,
}


def _evaluate(model: SemanticModel, node: ast.expr, scope: dict[str, object]) -> object:
    """The value of an arithmetic expression of a schedule function, or UNKNOWN."""
    try:
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return node.value
        if isinstance(node, ast.Name):
            if node.id in scope:
                return scope[node.id]
            value = model.value(cst.Name(node.id))
            return value if isinstance(value, (int, float)) else UNKNOWN
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            left, right = _evaluate(model, node.left, scope), _evaluate(model, node.right, scope)
            if not all(isinstance(v, (int, float)) for v in (left, right)):
                return UNKNOWN
            return _BINARY[type(node.op)](left, right)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.Not)):
            operand = _evaluate(model, node.operand, scope)
            if operand is UNKNOWN:
                return UNKNOWN
            return -operand if isinstance(node.op, ast.USub) and isinstance(operand, (int, float)) else not operand
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _COMPARE:
            left, right = _evaluate(model, node.left, scope), _evaluate(model, node.comparators[0], scope)
            if not isinstance(left, (int, float)) or not isinstance(right, (int, float)):
                return UNKNOWN
            return _COMPARE[type(node.ops[0])](left, right)
        if isinstance(node, ast.BoolOp):
            values = [_evaluate(model, value, scope) for value in node.values]
            if UNKNOWN in values:
                return UNKNOWN
            return all(values) if isinstance(node.op, ast.And) else any(values)
        if isinstance(node, ast.IfExp):
            test = _evaluate(model, node.test, scope)
            return UNKNOWN if test is UNKNOWN else _evaluate(model, node.body if test else node.orelse, scope)
        if isinstance(node, ast.Call) and not node.keywords:
            function = _FUNCTIONS.get(ast.unparse(node.func))
            arguments = [_evaluate(model, arg, scope) for arg in node.args]
            if function is None or UNKNOWN in arguments:
                return UNKNOWN
            return function(*arguments)
    except (ArithmeticError, ValueError, TypeError):
        return UNKNOWN
    return UNKNOWN


def _torch_fraction(kind: str, gamma: float, step_size: float, milestones: list[float], steps: float) -> float:
    """A PyTorch scheduler's rate after ``steps`` calls of step(), as a fraction of the initial rate."""
    if kind == "StepLR":
        return float(gamma ** math.floor(steps / step_size))
    if kind == "MultiStepLR":
        return float(gamma ** sum(1 for milestone in milestones if milestone <= steps))
    return float(gamma**steps)


def _torch_schedules(facts: Facts, imported: ImportedFacts, min_fraction: float, min_steps: int) -> Iterator[Report]:
    """PyTorch's StepLR, MultiStepLR and ExponentialLR, counted by where ``scheduler.step()`` is
    called: in the loop over batches (per batch), else in a ``for … in range(epochs)`` loop — in
    this file, or in a function of a project module it imports that it hands the scheduler
    (``train_model(model, criterion, optimizer, scheduler, num_epochs=25)``)."""
    model = facts.model
    batches = batch_loops(facts.torch_trainings)
    for call in model.calls:
        spec = training.TORCH_SCHEDULERS.get(call.qualname or "")
        if spec is None:
            continue
        names, gamma_default = spec
        params = _params(facts, call, names)
        for name in ("gamma", "step_size"):
            # A parameter of the function that builds the scheduler: what its callers pass (the
            # slowest decay of them, as the shortest run counts for the epochs).
            arg = call.arg(name, names.index(name)) if name in names else None
            if arg is not None and not is_number(params.get(name)):
                passed = model.possible_values(arg.value, call.scope)
                numbers = [float(value) for value in passed if is_number(value)]
                if numbers and len(numbers) == len(passed):
                    params[name] = max(numbers)
        gamma = params.get("gamma", gamma_default)
        kind = (call.qualname or "").rsplit(".", 1)[-1]
        step_size = params.get("step_size", 1) if kind == "StepLR" else 1
        milestones = params.get("milestones", [])
        if not (is_number(gamma) and 0 < gamma < 1 and is_number(step_size) and step_size > 0):
            continue
        if kind == "MultiStepLR" and not (isinstance(milestones, (list, tuple)) and all(is_number(m) for m in milestones)):
            continue
        marks = [float(m) for m in milestones] if isinstance(milestones, (list, tuple)) else []
        owners = model.owners(call)
        steps = [c for c in model.method_calls("step")
                 if c.receiver and not c.node.args and model.same_object(model.qualify(c.receiver, c.scope), owners)]
        shown = ", ".join(f"{name}={_fmt(params[name])}" for name in names[1:] if name in params)
        label = f"{kind}({shown or 'gamma=' + _fmt(gamma)})"
        gamma_arg = call.arg("gamma", names.index("gamma")) or call.node
        decay = functools.partial(_torch_fraction, kind, float(gamma), float(step_size), marks)
        elsewhere = _stepped_elsewhere(facts, imported, owners) if not steps else None
        if elsewhere is not None:
            if elsewhere.per_batch:
                fraction = decay(min_steps)
                if fraction < min_fraction:
                    yield _per_batch(gamma_arg, label, fraction, min_steps, f" of {elsewhere.by}", elsewhere.node, elsewhere.note)
            elif elsewhere.epochs is not None and elsewhere.epochs >= 2:
                fraction = decay(elsewhere.epochs if elsewhere.first else elsewhere.epochs - 1)
                if fraction < min_fraction:
                    yield _per_epoch(gamma_arg, label, f"once per epoch by {elsewhere.by}", fraction, elsewhere.epochs,
                                     elsewhere.node, elsewhere.note)
            continue
        for step in steps:
            if any(id(loop) in batches for loop in step.loops):
                fraction = decay(min_steps)
                if fraction < min_fraction:
                    yield _per_batch(gamma_arg, label, fraction, min_steps, "", step.node)
                break
            epoch_loop, epochs = next(((loop, n) for loop in step.loops if isinstance(loop, cst.For)
                                       and (n := model.range_length(loop.iter, step.scope)) is not None), (None, None))
            if epoch_loop is None or epochs is None or epochs < 2 or _resets_rate(facts, epoch_loop):
                continue
            # Stepped before the epoch's training (at the top of the loop): the last epoch already
            # runs at the rate after ``epochs`` steps, not ``epochs - 1``.
            first = any(training_step.index > step.index and any(loop is epoch_loop for loop in training_step.loops)
                        for training_step in facts.torch_trainings)
            per_epoch, phases = _phase_repeats(facts, step, epoch_loop)
            steps_taken = epochs * per_epoch if first else (epochs - 1) * per_epoch
            fraction = decay(steps_taken)
            if fraction < min_fraction:
                how_often = "once per epoch" if per_epoch == 1 else f"{per_epoch} times per epoch (inside the loop over {phases})"
                yield _per_epoch(gamma_arg, label, how_often, fraction, epochs, step.node)
            break


def _per_batch(anchor: Anchor, label: str, fraction: float, min_steps: int, where: str, step: cst.CSTNode,
               note: str = "stepped here") -> Report:
    """A scheduler stepped in the loop over batches (``where``: of which function, if another module's)."""
    return Report(
        anchor,
        f"{label} is stepped per batch (scheduler.step() in the loop over batches{where}): the rate falls to "
        f"{fraction:.2g} of its initial value within the first epoch ({min_steps} steps, assuming at "
        f"least {min_steps} batches per epoch)",
        hint="call scheduler.step() once per epoch, after the loop over batches, or size the schedule in batches",
        related=((step, note),),
    )


def _per_epoch(anchor: Anchor, label: str, how_often: str, fraction: float, epochs: int, step: cst.CSTNode,
               note: str = "stepped here") -> Report:
    """A scheduler stepped with the epochs whose rate is gone by the last one."""
    return Report(
        anchor,
        f"{label} is stepped {how_often}: the rate falls to {fraction:.2g} of its initial value "
        f"by the last of the {epochs} epochs",
        hint="decay by a larger gamma or less often (step_size), or use CosineAnnealingLR(T_max=epochs)",
        related=((step, note),),
    )


def _phase_repeats(facts: Facts, step: CallSite, epoch_loop: cst.For) -> tuple[int, str]:
    """How many times per epoch a ``scheduler.step()`` runs because it sits, unconditionally, in a
    loop over a literal list inside the epoch loop (``for phase in ['train', 'val']:``: twice),
    with that list as written."""
    inner = [loop for loop in step.loops if isinstance(loop, cst.For)]
    position = next((i for i, loop in enumerate(inner) if loop is epoch_loop), None)
    repeats, shown = 1, ""
    for loop in inner[position + 1:] if position is not None else []:
        if not isinstance(loop.iter, (cst.List, cst.Tuple)) or facts.model.branches_to(step.node, loop):
            return 1, ""
        repeats *= len(loop.iter.elements)
        shown = facts.model.module.code_for_node(loop.iter)
    return max(repeats, 1), shown


def _resets_rate(facts: Facts, loop: cst.CSTNode) -> bool:
    """Whether the loop writes a learning rate into the optimizer itself
    (``optimizer.param_groups[0]['lr'] = config['lr']``): the schedule restarts, it does not decay away."""
    code = facts.model.module.code_for_node
    return any(isinstance(stored.node, cst.Assign) and facts.model.encloses(loop, stored.node)
               and any("param_groups" in code(target.target) and "lr" in code(target.target) for target in stored.node.targets)
               for stored in facts.model.subscript_assignments)


@dataclass(frozen=True)
class _SteppedElsewhere:
    """A scheduler the file's own code does not step: a function of a project module it is handed
    to, or Lightning."""

    by: str  # who steps it, for the message: "train_model()", "Lightning"
    per_batch: bool
    epochs: int | None  # the epochs it is stepped over, when known
    first: bool  # stepped at the top of each epoch: the last epoch already runs at ``epochs`` steps
    node: cst.CSTNode  # where it is stepped (the step() call, or the Trainer)
    note: str


def _stepped_elsewhere(facts: Facts, imported: ImportedFacts, owners: frozenset[Var]) -> _SteppedElsewhere | None:
    """Who steps a scheduler that the file never steps itself: the first imported function it is
    handed to, else Lightning."""
    handed = _handed_to_steppers(facts, imported, owners)
    if handed:
        stepper, epochs = handed[0]
        return _SteppedElsewhere(f"{stepper.function.name.value}()", stepper.per_batch,
                                 epochs if isinstance(epochs, int) and not isinstance(epochs, bool) else None,
                                 stepper.first, stepper.step, "stepped here")
    return _stepped_by_lightning(facts, owners)


def _stepped_by_lightning(facts: Facts, owners: frozenset[Var]) -> _SteppedElsewhere | None:
    """For a scheduler that a LightningModule's ``configure_optimizers`` returns (directly, in its
    config dict, or through a function it calls) in a file that builds a Lightning ``Trainer``:
    whether Lightning steps it per optimizer step (``"interval": "step"``) and the epochs of the
    Trainer's ``max_epochs`` (the shortest of its possible values; None when unknown)."""
    model = facts.model
    trainer = next(iter(model.calls_to(*training.LIGHTNING_TRAINERS)), None)
    returned = Var(training.LIGHTNING_CONFIGURE_OPTIMIZERS, MODULE)
    if trainer is None or not any(model.flows_into(owner, returned) for owner in owners):
        return None
    per_step = False
    functions = {model.function_of(owner.scope) for owner in owners} | {
        model.function_of(scope) for scope in model.function_scopes(training.LIGHTNING_CONFIGURE_OPTIMIZERS)}
    for dictionary in _dict_displays(function for function in functions if function is not None):
        entries = {model.value(element.key): element.value for element in dictionary.elements if isinstance(element, cst.DictElement)}
        held = entries.get(training.LIGHTNING_SCHEDULER_KEY)
        if isinstance(held, cst.Name) and any(owner.name == held.value for owner in owners):
            per_step = per_step or model.value(entries.get(training.LIGHTNING_INTERVAL_KEY)) == training.LIGHTNING_PER_STEP_INTERVAL
    max_epochs = trainer.arg(training.LIGHTNING_MAX_EPOCHS)
    counts = [value for value in model.possible_values(max_epochs.value, trainer.scope) if is_number(value)] if max_epochs else []
    epochs = int(min(counts)) if counts and not isinstance(min(counts), bool) else None
    return _SteppedElsewhere("Lightning" + (" ('interval': 'step')" if per_step else ""), per_step, epochs, False,
                             trainer.node, "the Trainer that steps it")


class _Dicts(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[cst.Dict] = []

    def visit_Dict(self, node: cst.Dict) -> None:
        self.found.append(node)


def _dict_displays(functions: Iterable[cst.FunctionDef]) -> list[cst.Dict]:
    """The dict displays written in some functions (a Lightning scheduler's config dict)."""
    visitor = _Dicts()
    for function in functions:
        function.visit(visitor)
    return visitor.found


def _handed_to_steppers(facts: Facts, imported: ImportedFacts, owners: frozenset[Var] | set[Var]) -> list[tuple[SchedulerStepper, object]]:
    """The calls of imported functions that step the scheduler they are handed, each with the
    number of epochs the call runs (its argument, or the parameter's default; UNKNOWN-like
    None when neither folds)."""
    model = facts.model
    found: list[tuple[SchedulerStepper, object]] = []
    for call in model.calls:
        for stepper in imported.scheduler_steppers.get(dotted(call.node.func) or "", ()):
            given = _argument(facts, call, stepper.function, stepper.scheduler)
            if not (isinstance(given, cst.Name) and model.same_object(model.qualify(given.value, call.scope), owners)):
                continue
            epochs: object = None
            if stepper.epochs is not None:
                node = _argument(facts, call, stepper.function, stepper.epochs)
                epochs = model.value_in(node, call.scope) if node is not None else stepper.epochs_default
            found.append((stepper, epochs))
    return found


def _argument(facts: Facts, call: CallSite, function: cst.FunctionDef, name: str) -> cst.BaseExpression | None:
    """What a call passes for a parameter of ``function``: by keyword, by position, or as an
    entry of a dict it unpacks (``train_model(**{"scheduler": sched, …})``, ``**train_params``)."""
    positional = positional_parameters(function, bound=False)
    arg = call.arg(name, positional.index(name) if name in positional else None)
    if arg is not None:
        return arg.value
    for starred in (arg for arg in call.node.args if arg.star == "**"):
        for origin, _ in facts.model.origins(starred.value, call.scope):
            if isinstance(origin, cst.Dict):
                for element in origin.elements:
                    if isinstance(element, cst.DictElement) and facts.model.value(element.key) == name:
                        return element.value
            elif isinstance(origin, cst.Call) and dotted(origin.func) == "dict":
                entry = next((a for a in origin.args if a.keyword is not None and a.keyword.value == name), None)
                if entry is not None:
                    return entry.value
    return None


def _epochs(count: object) -> str:
    return f"{_fmt(count)} epoch" + ("" if count == 1 else "s")


def _steps_text(steps: list[object]) -> str:
    distinct = sorted({int(s) for s in steps if is_number(s)})
    return "/".join(str(s) for s in distinct)


_ED = "import tensorflow as tf\nfrom tensorflow import keras\n"

_TORCH = "import torch\noptimizer = torch.optim.Adam(model.parameters(), lr=1e-3)\n"

VALID = [
    # Built from the function's parameters; the caller's step_size outlasts its epochs.
    "import torch\ndef train(model, optimizer, loader, step_size=7, gamma=0.1, num_epochs=25):\n"
    "    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size, gamma)\n    for epoch in range(num_epochs):\n"
    "        for x, y in loader:\n            optimizer.zero_grad()\n            criterion(model(x), y).backward()\n"
    "            optimizer.step()\n        scheduler.step()\n" + "train(model, opt, loader, step_size=30, gamma=0.1, num_epochs=10)\n",
    # StepLR stepped per epoch, every 10 epochs, over 30: 1 % of the rate in the last epochs
    _TORCH + "scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.1)\n"
    "for epoch in range(25):\n    for x, y in train_loader:\n        criterion(model(x), y).backward()\n        optimizer.step()\n"
    "    scheduler.step()\n",
    # ExponentialLR(0.9) per epoch over 20 epochs: 0.9 ** 19 = 0.135
    _TORCH + "scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.9)\n"
    "for epoch in range(20):\n    for x, y in train_loader:\n        criterion(model(x), y).backward()\n    scheduler.step()\n",
    # The loop restarts the rate itself when it gets small: a sawtooth, not a decay to nothing.
    _TORCH + "scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10)\n"
    "for epoch in range(2500):\n    if optimizer.param_groups[0]['lr'] < 1e-4:\n        optimizer.param_groups[0]['lr'] = 0.01\n"
    "    for x, y in train_loader:\n        criterion(model(x), y).backward()\n    scheduler.step()\n",
    # the number of epochs is not known
    _TORCH + "scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 1, 0.5)\n"
    "for epoch in range(args.epochs):\n    for x, y in train_loader:\n        criterion(model(x), y).backward()\n    scheduler.step()\n",
    # Decay spread over the run: 10 epochs × 100 steps, decay_steps 1000 -> 0.9.
    _ED + "sched = keras.optimizers.schedules.ExponentialDecay(1e-3, decay_steps=1000, decay_rate=0.9)\n"
    "model.compile(optimizer=keras.optimizers.Adam(sched), loss='mse')\nmodel.fit(x, y, epochs=10, steps_per_epoch=100)",
    # Unknown batches per epoch and decay_steps larger than the epochs: nothing computable.
    _ED + "sched = tf.keras.optimizers.schedules.ExponentialDecay(1e-3, decay_steps=1000, decay_rate=0.96)\n"
    "opt = tf.keras.optimizers.Adam(learning_rate=sched)\nmodel.compile(optimizer=opt, loss='mse')\nmodel.fit(ds, epochs=10)",
    # Not linked to any fit, decays slowly.
    "from keras.optimizers.schedules import InverseTimeDecay\nInverseTimeDecay(0.1, decay_steps=1.0, decay_rate=0.5)",
    # Legacy decay that stays high: 1/(1 + 1e-6 * 3000).
    "from tensorflow.keras.optimizers import SGD\nopt = SGD(lr=0.01, decay=1e-6)\nmodel.compile(opt, 'mse')\n"
    "model.fit(x, y, epochs=10, steps_per_epoch=300)",
    # Cosine over the whole run ends at its floor by design.
    _ED + "s = keras.optimizers.schedules.CosineDecay(1e-3, decay_steps=3000)\nmodel.compile(keras.optimizers.SGD(s), 'mse')\n"
    "model.fit(x, y, epochs=10, steps_per_epoch=300)",
    _ED + "s = keras.optimizers.schedules.CosineDecay(1e-3, decay_steps=EPOCHS * len(train_ds), alpha=0.05)",
    # Settings: a looser threshold.
    Valid(
        _ED + "sched = keras.optimizers.schedules.ExponentialDecay(1e-3, decay_steps=100, decay_rate=0.5)\n"
        "model.compile(optimizer=keras.optimizers.Adam(sched), loss='mse')\nmodel.fit(x, y, epochs=1, steps_per_epoch=600)",
        settings={"min_fraction": 0.01},
    ),
]

_TUTORIAL = (
    "def train_model(model, criterion, optimizer, scheduler, num_epochs=25):\n"
    "    for epoch in range(num_epochs):\n"
    "        for phase in ['train', 'val']:\n"
    "            for x, y in loaders[phase]:\n"
    "                loss = criterion(model(x), y)\n"
    "                if phase == 'train':\n"
    "                    loss.backward()\n"
    "                    optimizer.step()\n"
    "            if phase == 'train':\n"
    "                scheduler.step()\n"
    "    return model\n"
    "sched = torch.optim.lr_scheduler.StepLR(optimizer, step_size=7, gamma=0.1)\n"
)
# The epochs of a training function: what its callers pass (the shortest run counts).
VALID.append(_TORCH + _TUTORIAL + "model = train_model(model, criterion, optimizer, sched, num_epochs=15)\n")

# Epochs set in branches (a debugging run of one epoch): the shortest run counts.
VALID.append(_TORCH + "scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=7, gamma=0.1)\n"
             "EPOCHS = 30\nif DEBUG:\n    EPOCHS = 1\nfor epoch in range(EPOCHS):\n    for x, y in train_loader:\n"
             "        criterion(model(x), y).backward()\n    scheduler.step()\n")

# A method's epochs: its calls (trainer.train(num_epochs=20)) are not matched by name, so its
# default (200) is not taken for the run.
VALID.append(_TORCH + "class Trainer:\n    def train(self, num_epochs=200):\n"
             "        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.1)\n"
             "        for epoch in range(num_epochs):\n            for x, y in self.loader:\n"
             "                criterion(self.model(x), y).backward()\n            scheduler.step()\n"
             "trainer = Trainer()\ntrainer.train(num_epochs=20)\n")
# Stepped after each epoch's training: StepLR(4, 0.1) over 12 epochs ends at 0.01 of the rate.
VALID.append(_TORCH + "scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=4, gamma=0.1)\n"
             "for epoch in range(12):\n    for x, y in train_loader:\n        criterion(model(x), y).backward()\n"
             "    scheduler.step()\n")
# Lightning steps what configure_optimizers returns: StepLR(5, 0.1) per epoch over 12 epochs ends at 0.01.
_LIGHTNING = (
    "import torch\nimport lightning as L\nclass Net(L.LightningModule):\n    def configure_optimizers(self):\n"
    "        optimizer = torch.optim.Adam(self.parameters(), lr=1e-3)\n"
    "        scheduler = torch.optim.lr_scheduler.{scheduler}\n"
    "        return {{'optimizer': optimizer, 'lr_scheduler': {{'scheduler': scheduler, 'interval': '{interval}'}}}}\n"
)
VALID.append(_LIGHTNING.format(scheduler="StepLR(optimizer, step_size=5, gamma=0.1)", interval="epoch")
             + "trainer = L.Trainer(max_epochs=12)\ntrainer.fit(Net(), train_loader)\n")
# Per optimizer step, but every 1000 steps.
VALID.append(_LIGHTNING.format(scheduler="StepLR(optimizer, step_size=1000, gamma=0.5)", interval="step")
             + "trainer = L.Trainer(max_epochs=12)\ntrainer.fit(Net(), train_loader)\n")
# A schedule that keeps the optimizer's rate for four epochs, then sets rates of its own: from
# Adam's 0.0008 to 0.00001 is 1.25% of the first rate.
VALID.append(
    "import tensorflow as tf\nLR = 0.0008\n\n\ndef scheduler(epoch, lr):\n    if epoch < 4:\n        lr = lr\n"
    "    elif epoch < 10:\n        lr = 0.0004\n    else:\n        lr = 0.00001\n    return lr\n\n\n"
    "model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=LR), loss='mse')\n"
    "model.fit(x, y, epochs=100, callbacks=[tf.keras.callbacks.LearningRateScheduler(scheduler)])\n"
)
# Keras's LearningRateScheduler halving every 10 epochs over 20: a quarter of the rate at the end.
VALID.append('import math\nfrom tensorflow import keras\n\n\ndef step_decay(epoch):\n    return 0.01 * math.pow(0.5, math.floor(epoch / 10))\n\n\nmodel.fit(train_ds, epochs=20, callbacks=[keras.callbacks.LearningRateScheduler(step_decay)])\n')

INVALID = [
    # Built from the function's parameters: what its caller passes.
    Invalid(
        "import torch\ndef train(model, optimizer, loader, step_size=7, gamma=0.1, num_epochs=25):\n"
        "    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size, gamma)\n    for epoch in range(num_epochs):\n"
        "        for x, y in loader:\n            optimizer.zero_grad()\n            criterion(model(x), y).backward()\n"
        "            optimizer.step()\n        scheduler.step()\n" + "train(model, opt, loader, step_size=1, gamma=0.1, num_epochs=10)\n",
        message="StepLR(step_size=1, gamma=0.1) is stepped once per epoch", range=(3, 71, 3, 76),
    ),
    # Keras's LearningRateScheduler with a schedule function of the file, run over the fit's epochs.
    # The same schedule from Adam's 0.01: 0.001 of the first rate.
    Invalid(
        "import tensorflow as tf\n\n\ndef scheduler(epoch, lr):\n    if epoch < 4:\n        return lr\n    return 0.00001\n\n\n"
        "model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=0.01), loss='mse')\n"
        "model.fit(x, y, epochs=10, callbacks=[tf.keras.callbacks.LearningRateScheduler(scheduler)])\n",
        message="LearningRateScheduler(scheduler) takes the rate to 0.001 of its first value", range=(11, 39, 11, 90),
    ),
    Invalid('from tensorflow import keras\n\n\ndef scheduler(epoch, lr):\n    if epoch % 7 == 0 and epoch:\n        return lr * 0.1\n    return lr\n\n\nlr_callback = keras.callbacks.LearningRateScheduler(scheduler)\nmodel.fit(train_ds, epochs=25, callbacks=[lr_callback])\n', message="LearningRateScheduler(scheduler) takes the rate to 0.001", range=(10, 15, 10, 63)),
    Invalid('import math\nfrom tensorflow import keras\n\n\ndef step_decay(epoch):\n    return 0.01 * math.pow(0.5, math.floor(epoch / 10))\n\n\nmodel.fit(train_ds, epochs=100, callbacks=[keras.callbacks.LearningRateScheduler(step_decay)])\n', message="to 0.002 of its first value by the last of the 100 epochs", range=(9, 44, 9, 93)),
    # tqdm's trange counts as range; stepped inside the loop over the phases: twice per epoch.
    Invalid("import torch\nfrom tqdm import trange\nscheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.3)\nfor epoch in trange(10, desc='Epoch'):\n    for phase in ['train', 'val']:\n        for x, y in loaders[phase]:\n            criterion(model(x), y).backward()\n        scheduler.step()\n", message="stepped 2 times per epoch (inside the loop over ['train', 'val'])", range=(3, 69, 3, 78)),
    # Stepped at the top of each epoch: the last of the 12 epochs already runs at 0.1 ** 3.
    Invalid(
        _TORCH + "scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=4, gamma=0.1)\n"
        "for epoch in range(12):\n    scheduler.step()\n    for x, y in train_loader:\n        criterion(model(x), y).backward()\n",
        message="the rate falls to 0.001 of its initial value by the last of the 12 epochs",
        range=(3, 69, 3, 78),
    ),
    Invalid(
        _TORCH + _TUTORIAL + "EPOCHS = 300\nmodel = train_model(model, criterion, optimizer, sched, num_epochs=EPOCHS)\n",
        message="StepLR(step_size=7, gamma=0.1) is stepped once per epoch: the rate falls to 1e-42 of its initial value "
                "by the last of the 300 epochs",
        range=(14, 65, 14, 74),
    ),
    # Lightning steps it once per epoch, over the Trainer's max_epochs (here an argparse default
    # read through the function that builds the Trainer).
    Invalid(
        _LIGHTNING.format(scheduler="StepLR(optimizer, step_size=5, gamma=0.1)", interval="epoch")
        + "import argparse\ndef get_args():\n    parser = argparse.ArgumentParser()\n"
        "    parser.add_argument('--epochs', type=int, default=50)\n    args = parser.parse_args()\n    return args\n"
        "def get_trainer(args):\n    return L.Trainer(max_epochs=args.epochs)\n"
        "args = get_args()\nget_trainer(args).fit(Net(), train_loader)\n",
        message="StepLR(step_size=5, gamma=0.1) is stepped once per epoch by Lightning: the rate falls to 1e-09 of its "
                "initial value by the last of the 50 epochs",
        range=(6, 77, 6, 86),
    ),
    Invalid(
        _LIGHTNING.format(scheduler="ExponentialLR(optimizer, gamma=0.5)", interval="step")
        + "trainer = L.Trainer(max_epochs=12)\ntrainer.fit(Net(), train_loader)\n",
        message="is stepped per batch (scheduler.step() in the loop over batches of Lightning ('interval': 'step'))",
        range=(6, 71, 6, 80),
    ),
    # The epochs of the run without command-line arguments (the other branch reads them).
    Invalid(
        _TORCH + _TUTORIAL + "import sys\nif len(sys.argv) < 2:\n    n_epochs = 25\nelse:\n    n_epochs = int(sys.argv[1])\n"
        "model = train_model(model, criterion, optimizer, sched, num_epochs=n_epochs)\n",
        message="the rate falls to 0.001 of its initial value by the last of the 25 epochs",
        range=(14, 65, 14, 74),
    ),
    # A branch that sets the epochs itself (the others take them from the command line).
    Invalid(
        _TORCH + _TUTORIAL + "num_epochs = int(args.num_epochs)\nif args.model == 'vgg11':\n    num_epochs = 1000\n"
        "model = train_model(model, criterion, optimizer, sched, num_epochs=num_epochs)\n",
        message="by the last of the 1000 epochs",
        range=(14, 65, 14, 74),
    ),
    Invalid(
        _TORCH + "scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.1)\n"
        "for epoch in range(30):\n    for x, y in train_loader:\n        loss = criterion(model(x), y)\n        loss.backward()\n"
        "        optimizer.step()\n    scheduler.step()\n",
        message="StepLR(step_size=1, gamma=0.1) is stepped once per epoch: the rate falls to 1e-29 of its initial value by the last of the 30 epochs",
        range=(3, 69, 3, 78),
    ),
    Invalid(
        _TORCH + "from torch.optim.lr_scheduler import ExponentialLR\nsched = ExponentialLR(optimizer, 0.5)\n"
        "def train_one_epoch(loader, scheduler):\n    for x, y in loader:\n        criterion(model(x), y).backward()\n"
        "        optimizer.step()\n        scheduler.step()\nfor epoch in range(EPOCHS):\n    train_one_epoch(train_loader, sched)\n",
        message="ExponentialLR(gamma=0.5) is stepped per batch",
        range=(4, 34, 4, 37),
    ),
    # decay_steps written in epochs (10, with EPOCHS = 10) while the schedule is stepped per batch.
    Invalid(
        "import tensorflow.keras as keras\nfrom tensorflow.keras import optimizers\nEPOCHS = 10\n"
        "lr_schedule = keras.optimizers.schedules.ExponentialDecay(initial_learning_rate=1e-3, decay_steps=10, decay_rate=0.9)\n"
        "optimizer = optimizers.Adam(learning_rate=lr_schedule)\n"
        "model.compile(loss='categorical_crossentropy', optimizer=optimizer)\n"
        "history = model.fit(train_generator, steps_per_epoch=train_generator.samples // 16, epochs=EPOCHS)\n"
        "EPOCHS = 5",
        message="counts optimizer steps (batches), not epochs: the rate falls below 0.01 of its initial value after 438 steps", range=(4, 87, 4, 101)
    ),
    Invalid(
        _ED + "sched = keras.optimizers.schedules.ExponentialDecay(1e-3, decay_steps=10, decay_rate=0.9)\n"
        "model.compile(optimizer=keras.optimizers.Adam(sched), loss='mse')\nmodel.fit(x, y, epochs=10, steps_per_epoch=300)",
        message="falls to 1.9e-14 of its initial value after the planned 10 epochs × 300 steps", range=(3, 59, 3, 73)
    ),
    # Two fits share the optimizer: its step count carries over.
    Invalid(
        "from tensorflow.keras.optimizers.schedules import ExponentialDecay as ED\nimport tensorflow as tf\n"
        "opt = tf.keras.optimizers.Adam(ED(1e-3, 100, 0.5))\nmodel.compile(optimizer=opt, loss='mse')\n"
        "model.fit(x, y, epochs=5, steps_per_epoch=100)\nmodel.fit(x, y, epochs=5, steps_per_epoch=100)",
        message="(1000 steps, 2 fit() calls)", range=(3, 41, 3, 44)
    ),
    # Unknown batches per epoch, but even 10 per epoch is enough to kill it.
    Invalid(
        "import keras\nkeras.optimizers.schedules.ExponentialDecay(0.01, decay_steps=1, decay_rate=0.5)",
        message="assuming at least 10 batches per epoch", range=(2, 51, 2, 64)
    ),
    Invalid(
        "import tensorflow as tf\nSTEPS = 2\nlr = tf.keras.optimizers.schedules.InverseTimeDecay(1e-2, STEPS, 10.0)\n"
        "model.compile(tf.keras.optimizers.SGD(lr), 'mse')\nmodel.fit(x, y, epochs=20)",
        message="within the planned 20 epochs (200 steps, assuming at least 10 batches per epoch)", range=(3, 59, 3, 64)
    ),
    # Legacy decay= argument: 1/(1 + 0.1 * 3000).
    Invalid(
        "from keras.optimizers import Adam\nmodel.compile(optimizer=Adam(lr=1e-3, decay=1e-1), loss='mse')\n"
        "model.fit(x, y, epochs=10, steps_per_epoch=300)",
        message="Adam(decay=0.1) is stepped at every batch", range=(2, 39, 2, 49)
    ),
    # A cosine schedule whose decay_steps counted epochs: at its floor (0) for most of the run.
    Invalid(
        _ED + "s = keras.optimizers.schedules.CosineDecay(1e-3, decay_steps=10)\nmodel.compile(keras.optimizers.SGD(s), 'mse')\n"
        "model.fit(x, y, epochs=10)",
        message="reaches its floor (0 of the initial rate) after 10 optimizer steps", range=(3, 50, 3, 64)
    ),
    Invalid(
        _ED + "sched = keras.optimizers.schedules.ExponentialDecay(1e-3, decay_steps=100, decay_rate=0.5)\n"
        "model.compile(optimizer=keras.optimizers.Adam(sched), loss='mse')\nmodel.fit(x, y, epochs=1, steps_per_epoch=600)",
        settings={"min_fraction": 0.05}, range=(3, 59, 3, 74)
    ),
]
