"""Comments, read with ``tokenize`` (no parse needed)."""

from __future__ import annotations

import io
import tokenize
from dataclasses import dataclass

from reviewlint.source.files import python_lines


@dataclass(frozen=True)
class Comment:
    """A comment token; ``own_line`` when nothing but whitespace precedes it on its line;
    ``in_brackets`` when the code before it left a bracket open (a comment among a call's
    arguments or a list's elements)."""

    line: int
    column: int
    text: str
    own_line: bool
    in_brackets: bool = False


def scan_comments(text: str) -> list[Comment]:
    """Every comment in a module's text, in order. Raises ``SyntaxError`` on untokenizable text."""
    comments: list[Comment] = []
    lines = python_lines(text)
    depth = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.OP:
                if token.string in "([{":
                    depth += 1
                elif token.string in ")]}":
                    depth -= 1
            elif token.type == tokenize.COMMENT:
                line, column = token.start
                before = lines[line - 1][:column] if line - 1 < len(lines) else ""
                comments.append(Comment(line, column, token.string, not before.strip(), depth > 0))
    except tokenize.TokenError as error:
        raise SyntaxError(str(error.args[0]) if error.args else "cannot tokenize") from None
    return comments
