"""RL001 syntax-error: code that cannot be parsed, so nothing in it can be checked.

## What it does
Reports a file, or a notebook cell, that Python cannot parse: a syntax error (where CPython's
parser puts it), bytes that do not decode in the file's encoding, a notebook that is not valid
JSON, or code nested too deeply to analyse safely. In a notebook, each code cell that does not
parse on its own is one finding at that cell, and every other cell is still linted; names that
only the broken cell defines are unknown to the cells after it, as they are in Jupyter when that
cell fails.

## Why it matters
A file that does not parse is a file the linter did not read: its other problems are unknown.
Reporting it as a finding (rather than skipping it) keeps a CI gate from passing on code nobody
checked, while letting a team adopt reviewlint on legacy code: like any finding, it can be
ignored per file, deselected, or recorded in a baseline. Files that cannot be *read* at all
(permissions, a vanished file) are errors instead, and make the run exit with status 2.

## Example
```python
for epoch in range(10)
    model.fit(train_data)
```

## Use instead
```python
for epoch in range(10):
    model.fit(train_data)
```
"""

from __future__ import annotations

from collections.abc import Iterator

from reviewlint.api import Invalid, NoOptions, Report, RuleContext, Severity

CODE = "RL001"
NAME = "syntax-error"
SEVERITY = Severity.ERROR
SUMMARY = "Code that cannot be parsed (a file, or one notebook cell)"
NEEDS = "comments"  # reported by the engine while parsing; this module documents it
TRIGGERS = ("\0",)  # the check itself never runs

VALID = ["for epoch in range(10):\n    model.fit(train_data)\n"]

INVALID = [
    Invalid("for epoch in range(10)\n    model.fit(train_data)\n", message="syntax error: expected ':'", range=(1, 23, 1, 23)),
    Invalid("x = (1,\n", message="syntax error", range=(1, 5, 1, 5)),
    Invalid("def f():\nreturn 1\n", message="expected an indented block", range=(2, 1, 2, 1)),
]


def check(ctx: RuleContext[NoOptions]) -> Iterator[Report]:
    """Nothing to do here: the engine reports what does not parse before any rule runs."""
    return iter(())
