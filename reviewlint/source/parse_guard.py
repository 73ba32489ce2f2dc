"""Whether a module can be parsed, and where it cannot: before libcst is trusted with it.

libcst's native parser takes time super-linear in an expression's depth (3,000 chained
subscripts: minutes) and overflows its stack, killing the process, on deeper ones (10,000 nested
lambdas: SIGSEGV). CPython's parser is fast and safe at any depth, so it measures first
(:func:`nesting_problem`). Syntax errors are located by CPython's parser, which pinpoints them
better than libcst's tokenizer (:func:`syntax_problem`).

A notebook is a series of cells that IPython runs one by one: :func:`isolate_broken_cells` finds
the cells that do not parse on their own, so that they are reported and the others are linted.
"""

from __future__ import annotations

import ast
import functools
import io
import sys
import tokenize
import warnings
from dataclasses import dataclass, replace

import libcst as cst

from reviewlint.source.files import BrokenCell, SourceFile, without_cells

MAX_NESTING = 300
MAX_STATEMENT_TOKENS = 5000
TOO_DEEP = "too deeply nested to parse"
NESTED_TOO_DEEP = f"{TOO_DEEP} (expressions nested over {MAX_NESTING} levels)"


@dataclass(frozen=True)
class ParseProblem:
    """Why a module cannot be parsed: a one-line message, and where (1-based module line and
    column; line 1, column 1 when the parser does not say)."""

    message: str
    line: int = 1
    column: int = 1

    @property
    def too_deep(self) -> bool:
        return self.message.startswith(TOO_DEEP)


def syntax_problem(text: str) -> ParseProblem | None:
    """CPython's own (fast) verdict on the code: its syntax error, or None."""
    try:
        with warnings.catch_warnings():  # the user's invalid escapes are not the linter's to print
            warnings.simplefilter("ignore")
            compile(text, "<module>", "exec", flags=ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
    except SyntaxError as error:
        return ParseProblem(f"syntax error: {error.msg}", error.lineno or 1, error.offset or 1)
    except (RecursionError, MemoryError):
        return ParseProblem(TOO_DEEP)
    except ValueError as error:
        return ParseProblem(f"cannot parse: {str(error).splitlines()[0] if str(error) else type(error).__name__}")
    return None


def libcst_problem(text: str, error: cst.ParserSyntaxError) -> ParseProblem:
    """What libcst's parse error means: CPython's own message when it rejects the code too, else
    that libcst has a limit Python does not (e.g. 10,000 implicitly joined strings)."""
    problem = syntax_problem(text)
    if problem is not None:
        return problem
    message = error.message.splitlines()[0] if error.message else "invalid syntax"
    return ParseProblem(f"libcst cannot parse this code, which Python accepts ({message})", error.raw_line, error.raw_column + 1)


def nesting_problem(text: str) -> ParseProblem | None:
    """A problem when the code is too deep for libcst to parse safely, else None.

    A left-associative chain of binary operators (``w0 + w1 - … + w319``, long string
    concatenations) is nested in Python's tree but flat to read and to parse: it counts as one level.
    """
    if _compiles_within_depth(text):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except SyntaxError:
        # Newer syntax than this Python's, or no Python at all: bound the statement length and the
        # bracket depth instead (no CPython accepts more than 200 nested brackets).
        tokens, brackets = _statement_size(text)
        if tokens <= MAX_STATEMENT_TOKENS and brackets <= 200:
            return None
        return syntax_problem(text) or ParseProblem(TOO_DEEP)
    except (RecursionError, MemoryError):
        return ParseProblem(TOO_DEEP)
    except ValueError:
        return None
    return ParseProblem(NESTED_TOO_DEEP) if _deeper_than(tree, MAX_NESTING) else None


def _deeper_than(tree: ast.AST, limit: int) -> bool:
    """Whether the tree nests deeper than ``limit`` levels, a left-associative chain counting once."""
    node_type, binary = ast.AST, ast.BinOp
    stack: list[tuple[ast.AST, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        for name in node._fields:
            value = getattr(node, name, None)
            children = value if isinstance(value, list) else (value,)
            for child in children:
                if not isinstance(child, node_type):
                    continue
                chained = name == "left" and isinstance(node, binary) and isinstance(child, binary)
                stack.append((child, depth if chained else depth + 1))
    return False


def _frames() -> int:
    frame, count = sys._getframe(), 0
    while frame is not None:
        count, frame = count + 1, frame.f_back  # type: ignore[assignment]  # None ends the loop
    return count


def _compile_under_limit(text: str, levels: int) -> bool | None:
    """Compile ``text`` with the recursion limit ``levels`` frames above this one: True if it
    compiles, False if CPython's compiler ran out of depth, None if it cannot tell (the code does
    not compile, or the limit could not be set)."""
    old = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(_frames() + levels)
    except RecursionError:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, "<nesting>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
    except RecursionError:
        return False
    except (SyntaxError, ValueError, MemoryError):
        return None
    finally:
        sys.setrecursionlimit(old)
    return True


@functools.cache
def compiler_depth_is_bounded() -> bool:
    """Whether CPython's compiler (3.11: three levels of nesting per frame of recursion limit)
    refuses code nested deeper than :data:`MAX_NESTING` under :func:`_compile_under_limit` and
    accepts code well below it; later Pythons bound the compiler's C recursion otherwise."""
    levels = MAX_NESTING // 3
    return (_compile_under_limit("x = " + "-" * (MAX_NESTING + 50) + "1", levels) is False
            and _compile_under_limit("x = " + "-" * (MAX_NESTING - 50) + "1", levels) is True)


def _compiles_within_depth(text: str) -> bool | None:
    """The nesting guard's fast path: CPython's compiler, which checks its own depth, compiles
    the code (about half the cost of ``ast.parse`` and a walk of its tree). True: no deeper than
    ~MAX_NESTING levels; False: deeper; None: the slower guard must decide."""
    if not compiler_depth_is_bounded():
        return None
    return _compile_under_limit(text, MAX_NESTING // 3)


def _statement_size(text: str) -> tuple[int, int]:
    """The most tokens in one logical line, and the deepest bracket nesting (up to where
    tokenizing fails, if it does)."""
    longest = count = depth = deepest = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            count += 1
            if token.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
                longest, count = max(longest, count), 0
            elif token.type == tokenize.OP and token.string in "([{":
                depth += 1
                deepest = max(deepest, depth)
            elif token.type == tokenize.OP and token.string in ")]}":
                depth = max(0, depth - 1)
    except (SyntaxError, tokenize.TokenError):
        pass
    return max(longest, count), deepest


def isolate_broken_cells(source: SourceFile, problem: ParseProblem) -> SourceFile | None:
    """``source`` (a notebook whose joined module has ``problem``) with every cell that does not
    parse on its own left out, or None when no cell can be blamed.

    Each cell is checked alone, as IPython runs it: by CPython's parser, and by the nesting guard
    when the problem is depth. When no cell fails alone (a limit of libcst's), the cell holding
    the problem's line is the broken one.
    """
    lines = source.text.split("\n")
    left_out = {item.cell for item in source.broken}
    broken: list[BrokenCell] = []
    for span in source.cells:
        if span.cell in left_out:
            continue
        first = span.first_line - 1
        text = "\n".join(lines[first : first + span.line_count]) + "\n"
        found = syntax_problem(text) or (nesting_problem(text) if problem.too_deep else None)
        if found is not None:
            line = min(max(found.line, 1), span.line_count)
            item = _broken(source, span.first_line + line - 1, found)
            if not found.too_deep and _parses_without_line(text, line, problem.too_deep):
                item = replace(item, linted_without_line=True)
            broken.append(item)
    if not broken:
        cell, _ = source.cell_position(problem.line)
        repaired = next((item for item in source.broken if item.cell == cell and item.linted_without_line), None)
        if repaired is not None:  # the cell without its line still does not parse here: leave it all out
            kept = replace(source, broken=tuple(item for item in source.broken if item is not repaired))
            return without_cells(kept, (replace(repaired, linted_without_line=False),))
        if cell is None or cell in left_out:
            return None
        broken.append(_broken(source, problem.line, problem))
    return without_cells(source, tuple(broken))


def _parses_without_line(text: str, line: int, depth_matters: bool) -> bool:
    """Whether a cell's code parses once its line ``line`` (1-based) is blank: one stray line
    (a half-edited comment, a pasted fragment) does not hide the rest of the cell."""
    lines = text.split("\n")
    lines[line - 1] = ""
    repaired = "\n".join(lines)
    return repaired.strip() != "" and syntax_problem(repaired) is None and not (depth_matters and nesting_problem(repaired))


def _broken(source: SourceFile, module_line: int, problem: ParseProblem) -> BrokenCell:
    cell, line = source.cell_position(module_line)
    lines = source.lines
    text = lines[module_line - 1] if 0 < module_line <= len(lines) else ""
    return BrokenCell(cell or 1, line, problem.column + source.removed_indent(module_line), problem.message, text)
