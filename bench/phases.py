"""Where one process's time goes: ``python -m bench.phases [PATH ...]`` (default: libcst's source).

Lints the paths in this process (one job, no cache) with a CPU-time counter around each phase of
:func:`reviewlint.lint.runner.lint_source` and prints each phase as a multiple of the libcst parse:
the parse, the nesting guard, fact extraction, comment scanning, the rules' own work, placing
findings. Phases nest (a rule's time includes facts it was the first to ask for); the runner asks
for the parse and the facts before any rule runs, so those two are counted apart.
"""

from __future__ import annotations

import collections
import functools
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

_SPENT: collections.Counter[str] = collections.Counter()


def _timed(function: Callable[..., Any], label: str) -> Callable[..., Any]:
    @functools.wraps(function)
    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            _SPENT[label] += time.process_time() - start

    return timed


def _timed_property(owner: type, name: str, label: str) -> None:
    prop = vars(owner)[name]
    replacement = functools.cached_property(_timed(prop.func, label))
    replacement.__set_name__(owner, name)
    setattr(owner, name, replacement)


def main(argv: list[str] | None = None) -> None:
    arguments = sys.argv[1:] if argv is None else argv
    if not arguments:
        import libcst

        arguments = [str(Path(libcst.__file__).parent)]
    from reviewlint.lint import rule, runner
    from reviewlint.lint.registry import all_rules
    from reviewlint.run import loop as run
    from reviewlint.run.config import ConfigResolver, Overrides

    _timed_property(rule.Analysis, "module", "libcst parse")
    _timed_property(rule.Analysis, "facts", "extract facts")
    _timed_property(rule.Analysis, "comments", "scan comments")
    for name, label in (("nesting_problem", "nesting guard (ast)"), ("syntax_problem", "syntax check (ast)"),
                        ("_finding", "place findings"), ("load_source", "load source"), ("lint_source", "lint_source, all")):
        if hasattr(runner, name):
            setattr(runner, name, _timed(getattr(runner, name), label))
    rules = all_rules()
    timed_rules = []
    for info in rules:
        check = info.check

        def run_check(context: Any, check: Callable[..., Any] = check) -> list[Any]:
            start = time.process_time()
            try:
                return list(check(context))
            finally:
                _SPENT["rules (incl. what they asked for first)"] += time.process_time() - start

        timed_rules.append(type(info)(**{**{field: getattr(info, field) for field in info.__dataclass_fields__}, "check": run_check}))
    start = time.process_time()
    result = run.run_paths([Path(path) for path in arguments], ConfigResolver(rules, Overrides()), timed_rules)
    total = time.process_time() - start
    parse = _SPENT["libcst parse"] or 1.0
    print(f"{result.files_checked} files, {len(result.findings)} findings, {len(result.errors)} errors; "
          f"{total:.2f} s CPU in run_paths ({total / parse:.2f}× the parse)")
    for label, spent in _SPENT.most_common():
        print(f"  {label:<42} {spent:7.2f} s  {spent / parse:5.2f}× parse")


if __name__ == "__main__":
    main()
