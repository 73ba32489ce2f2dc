"""RL402 redundant-tuple-parens: parentheses around a tuple that Python does not need.

## What it does
Flags a parenthesized tuple of two or more elements written on one line where the parentheses
add nothing: the value of `return (a, b)`, the target of `(a, b) = f()`, and the target of
`for (i, x) in enumerate(xs)`. A one-element tuple `(a,)`, the empty tuple `()`, generator
expressions, and parentheses that let a tuple run over several lines are left alone.

## Why it matters
`return (train_generator, test_generator)` reads as if the parentheses did something (a call,
a grouping), and `(a, b, c) = building_generators()` suggests that unpacking needs them. The
comma makes the tuple: the parentheses are noise.

## Example
```python
def building_generators():
    ...
    return(train_generator, test_generator, test_sub_generator)

(train_generator, test_generator, test_sub_generator) = building_generators()
```

## Use instead
```python
def building_generators():
    ...
    return train_generator, test_generator, test_sub_generator

train_generator, test_generator, test_sub_generator = building_generators()
```
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

import libcst as cst

from reviewlint.api import (
    Edit,
    Fix,
    Invalid,
    NoOptions,
    Report,
    RuleContext,
    Severity,
    SyntaxHooks,
    parent_of,
    replace,
    without_parens,
)

CODE = "RL402"
NAME = "redundant-tuple-parens"
SEVERITY = Severity.INFO
SUMMARY = "Parentheses around a returned, assigned or looped-over tuple that are not needed"
# The tuple's "(" follows `return`, `for`, a statement's start (a line's indentation, `;`, the `:`
# of a one-line compound statement) or the `=` of a chained assignment, with only blanks and
# backslash continuations between: a file without that never needs the parse for this rule.
TRIGGERS = (re.compile(r"(?:\breturn|\bfor|[=;:])[\s\\]*\(|^[ \t\f]*\(", re.MULTILINE),)
FIX = "safe"  # the same tuple, without the parentheses

_SPACE = cst.SimpleWhitespace(" ")


def _unparenthesize(module: cst.Module, node: cst.Tuple) -> list[Edit]:
    """Drop the parentheses; ``return(a, b)`` and ``for(i, x)in`` also get the space they need."""
    bare = without_parens(node)
    parent = parent_of(module, node)
    if isinstance(parent, cst.Return) and parent.value is node and _empty(parent.whitespace_after_return):
        return [replace(parent, parent.with_changes(value=bare, whitespace_after_return=_SPACE))]
    if isinstance(parent, cst.For) and parent.target is node and (
        _empty(parent.whitespace_after_for) or _empty(parent.whitespace_before_in)
    ):
        loop = parent.with_changes(
            target=bare,
            whitespace_after_for=_SPACE if _empty(parent.whitespace_after_for) else parent.whitespace_after_for,
            whitespace_before_in=_SPACE if _empty(parent.whitespace_before_in) else parent.whitespace_before_in,
        )
        return [replace(parent, loop)]
    return [replace(node, bare)]


def _empty(whitespace: object) -> bool:
    return isinstance(whitespace, cst.SimpleWhitespace) and whitespace.value == ""


_WHERE = {
    "return": "a returned tuple",
    "assign": "the targets of an assignment",
    "for": "the targets of a for loop",
}


class ParenthesizedTuples(SyntaxHooks):
    """Tuples in parentheses where Python needs none: ``return (a, b)``, ``(a, b) = f()``, ``for (a, b) in …``."""

    def __init__(self) -> None:
        self.found: list[tuple[cst.Tuple, str]] = []  # (the tuple, "return" | "assign" | "for")

    def _add(self, node: cst.BaseExpression | None, context: str) -> None:
        if isinstance(node, cst.Tuple) and node.lpar:
            self.found.append((node, context))

    def visit_Return(self, node: cst.Return) -> None:
        self._add(node.value, "return")

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._add(target.target, "assign")

    def visit_For(self, node: cst.For) -> None:
        self._add(node.target, "for")


SYNTAX = ParenthesizedTuples


def check(ctx: RuleContext[NoOptions]) -> Iterator[Report]:
    module = ctx.model.module
    for node, context in ctx.syntax(ParenthesizedTuples).found:
        if len(node.elements) < 2:
            continue  # (a,) and () need their parentheses
        if context == "return" and any(isinstance(e, cst.StarredElement) for e in node.elements):
            continue  # return (a, *rest) needed them before Python 3.8
        text = module.code_for_node(node)
        if "\n" in text:
            continue  # the parentheses let the tuple run over several lines
        inner = text.strip()
        while inner.startswith("(") and inner.endswith(")"):
            inner = inner[1:-1].strip()
        yield Report(
            node,
            f"the parentheses around {_WHERE[context]} are not needed: the comma makes the tuple",
            hint=f"write {inner}",
            fix=Fix("drop the parentheses", functools.partial(_unparenthesize, module, node)),
        )


VALID = [
    "def f():\n    return a, b",
    "def f():\n    return (df_train, *eval_dfs)",
    "a, b = f()",
    "def f():\n    return (a,)",
    "def f():\n    return ()",
    "def f():\n    return (x for x in xs)",
    "def f():\n    return (\n        train_generator,\n        test_generator,\n    )",
    "x = (a, b)",
    "def f():\n    return (a + b) * c",
    "def f():\n    return f(a, b)",
    "for i, x in enumerate(xs):\n    pass",
    "[a, b] = f()",
    "with open(p) as (f):\n    pass",
    "def f():\n    yield (a, b)",
    "print((a, b))",
]

INVALID = [
    Invalid(
        "def building_generators():\n    return(train_generator,test_generator,test_sub_generator)",
        message="returned tuple",
        fixed="def building_generators():\n    return train_generator,test_generator,test_sub_generator", range=(2, 12, 2, 61)
    ),
    Invalid(
        "(train_generator,test_generator,test_sub_generator) = building_generators()",
        message="targets of an assignment",
        fixed="train_generator,test_generator,test_sub_generator = building_generators()", range=(1, 2, 1, 51)
    ),
    Invalid("def f():\n    return (a, b)  # two\n", fixed="def f():\n    return a, b  # two\n", range=(2, 13, 2, 17)),
    Invalid("for (i, x) in enumerate(xs):\n    pass", message="for loop", fixed="for i, x in enumerate(xs):\n    pass", range=(1, 6, 1, 10)),
    Invalid("for(i,x)in xs:\n    pass", message="for loop", fixed="for i,x in xs:\n    pass", range=(1, 5, 1, 8)),
    Invalid("(a, b) = (c, d) = f()", count=2, fixed="a, b = c, d = f()", range=(1, 2, 1, 6)),
    Invalid("def f():\n    return ((a, b))", fixed="def f():\n    return a, b", range=(2, 14, 2, 18)),
    Invalid("(a, *rest) = f()", fixed="a, *rest = f()", range=(1, 2, 1, 10)),
    Invalid("def f():\n    return \\\n        (a, b)", fixed="def f():\n    return \\\n        a, b", range=(3, 10, 3, 14)),
    Invalid("if x: (a, b) = f()", fixed="if x: a, b = f()", range=(1, 8, 1, 12)),
    Invalid("x = 1; (a, b) = f()", fixed="x = 1; a, b = f()", range=(1, 9, 1, 13)),
    Invalid("async def f():\n    async for\t(i, x) in xs:\n        pass", fixed="async def f():\n    async for\ti, x in xs:\n        pass", range=(2, 16, 2, 20)),
]
