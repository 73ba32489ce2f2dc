"""The floor: read every file of a list and parse it with ``libcst.parse_module``, nothing else.

``python -m bench.parse_only LIST`` where LIST holds one path per line. Files are read and turned
into module text exactly as reviewlint does (``load_source``: decoding, notebook cells joined),
and each tree is dropped before the next file. ``--ast`` parses with CPython's ``ast`` instead
(``compile(..., PyCF_ONLY_AST)``), for comparison; ``--jobs=N`` parses on N forked processes, in
the chunks reviewlint's ``-j`` uses (the control that says what N cores give on this machine).
Prints the number of files parsed and failed.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path


def main() -> None:
    use_ast = "--ast" in sys.argv[1:]
    jobs = 1
    arguments = []
    for argument in sys.argv[1:]:
        if argument.startswith("--jobs="):
            jobs = int(argument.split("=", 1)[1])
        elif argument != "--ast":
            arguments.append(argument)
    paths = [Path(line) for line in Path(arguments[0]).read_text(encoding="utf-8").splitlines() if line]
    if jobs > 1:
        _parallel(paths, jobs, use_ast)
        return
    parsed, failed = _parse(paths, use_ast)
    print(f"parsed {parsed}, failed {failed}")


def _parallel(paths: list[Path], jobs: int, use_ast: bool) -> None:
    """The control for ``-j``: the same files, in reviewlint's chunks, on ``jobs`` forked processes."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    import libcst  # noqa: F401 - loaded once, before the fork, as reviewlint does

    from reviewlint.run.parallel import chunks

    grouped = [[path for _, path, _ in chunk] for chunk in chunks([(i, path, None) for i, path in enumerate(paths)], jobs)]  # type: ignore[misc]
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        counts = list(pool.map(_parse, grouped, [use_ast] * len(grouped)))
    print(f"parsed {sum(c[0] for c in counts)}, failed {sum(c[1] for c in counts)}")


def _parse(paths: list[Path], use_ast: bool) -> tuple[int, int]:
    import libcst

    from reviewlint.source.files import SourceError, load_source

    parsed = failed = 0
    for path in paths:
        try:
            text = load_source(path, path.read_bytes()).text
        except (OSError, SourceError):
            failed += 1
            continue
        try:
            if use_ast:
                compile(text, str(path), "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
            else:
                libcst.parse_module(text)
            parsed += 1
        except Exception:  # noqa: BLE001 - a file the parser rejects still counts as work done
            failed += 1
    return parsed, failed


if __name__ == "__main__":
    main()
