"""Comments found by one regular-expression pass, with ``tokenize``'s exact results.

:func:`reviewlint.source.comments.scan_comments` runs Python's pure-Python ``tokenize`` over the whole
file, about a sixth of the parse on real code, to find the comments. Comments are what is left
after skipping string literals, and one compiled pattern that matches string literals (all
quote forms, escapes, backslash continuations) and comments finds them in a single pass in C.

The pattern treats string literals as Python 3.11's ``tokenize`` does (an f-string is one
string token, whatever it holds). :func:`scan_comments` falls back to ``tokenize`` whenever the
two could differ: a quote that starts no complete string (``tokenize`` reports an error token or
fails), a lone carriage return (``tokenize`` does not end lines there), and, from Python 3.12
on, where ``tokenize`` reads f-strings as nested tokens, any f-string. Line numbers, columns,
text and ``own_line`` are computed exactly as ``scan_comments`` computes them (it numbers lines
at ``\\n`` and judges ``own_line`` on the line as Python splits it).
"""

from __future__ import annotations

import re
import sys

from reviewlint.source.comments import Comment
from reviewlint.source.comments import scan_comments as scan_with_tokenize

_STRINGS_AND_COMMENTS = re.compile(
    r"""
      (?P<string>
          '''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*'''
        | \"\"\"[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*\"\"\"
        | '[^'\\\n]*(?:\\.[^'\\\n]*)*'
        | "[^"\\\n]*(?:\\.[^"\\\n]*)*"
      )
    | (?P<comment>\#[^\r\n]*)
    | (?P<stray>['"])
    """,
    re.VERBOSE | re.DOTALL,
)
_F_STRING = re.compile(r"""(?<![\w])(?:[fFtT][rRbB]?|[rRbB][fFtT])['"]""")
_NESTED_F_STRINGS = sys.version_info >= (3, 12)


_BRACKET = re.compile(r"[()\[\]{}]")


def _net_brackets(text: str, start: int, end: int) -> int:
    """Opening minus closing brackets in ``text[start:end]``."""
    return (text.count("(", start, end) + text.count("[", start, end) + text.count("{", start, end)
            - text.count(")", start, end) - text.count("]", start, end) - text.count("}", start, end))


def scan_comments(text: str) -> list[Comment]:
    """Every comment in a module's text, in order, as :func:`reviewlint.source.comments.scan_comments`."""
    if "\r" in text and text.count("\r") != text.count("\r\n"):
        return scan_with_tokenize(text)
    if _NESTED_F_STRINGS and _F_STRING.search(text):
        return scan_with_tokenize(text)
    found: list[tuple[int, str, bool]] = []
    # Bracket depth as tokenize counts it (opening minus closing brackets outside strings and
    # comments): counted between comments, less the brackets of the strings in between.
    depth, code_start, in_strings = 0, 0, 0
    for match in _STRINGS_AND_COMMENTS.finditer(text):
        kind = match.lastgroup
        if kind == "stray":
            return scan_with_tokenize(text)  # an unterminated string: tokenize decides
        if kind == "string":
            if _BRACKET.search(text, match.start(), match.end()) is not None:
                in_strings += _net_brackets(text, match.start(), match.end())
            continue
        depth += _net_brackets(text, code_start, match.start()) - in_strings
        code_start, in_strings = match.end(), 0
        found.append((match.start(), match.group(), depth > 0))
    if not found:
        return []
    comments: list[Comment] = []
    line, line_start, position = 1, 0, 0
    for start, comment, in_brackets in found:
        newlines = text.count("\n", position, start)
        if newlines:
            line += newlines
            line_start = text.rindex("\n", position, start) + 1
        position = start
        # The text before the comment on its line (no lone CR here: those went to tokenize).
        comments.append(Comment(line, start - line_start, comment, not text[line_start:start].strip(), in_brackets))
    return comments
