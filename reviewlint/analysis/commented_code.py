"""How to tell a comment that is code from a comment that is prose.

Judged on whole blocks of consecutive comment lines, with precision before recall: a block is
commented-out code only if it has at least one *strong* code line (a call on an attribute, an
assignment, an import, a compound-statement header, several statements) and at least half of
its lines read as code. The false positives listed in the comments below are those of ruff's
ERA001/eradicate on the Keras examples (see the core issue).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from enum import Enum

from reviewlint.source.files import bracket_state


class Verdict(Enum):
    STRONG = "strong"  # certainly code
    WEAK = "weak"  # code only next to strong lines (``return x``, ``continue``, ``a + b``)
    PROSE = "prose"


# Lines that are never code: pragmas, tool directives, task markers, links, cell markers.
NOT_CODE = re.compile(
    r"""^\s*(
        (TODO|FIXME|XXX|HACK|BUG|NOTE|NB)\b
      | .*\bnoqa\b | type:\s | pylint: | fmt: | .*\bpragma\b | isort: | mypy: | pyright: | flake8
      | -\*-.*-\*- | !/ | %% | In\s*\[.*\]:? | Out\s*\[.*\]:? | ///
      | .*https?:// | .*www\.
      | [-=#*~_+.]{3,}\s*$
      | [%!]  # a magic jupytext turned into a comment (# %matplotlib inline, # !pip install …)
    )""",
    re.IGNORECASE | re.VERBOSE,
)

# "effective_group (int)", "offset  (right-multiply)": a space before "(" after a name is prose.
_SPACED_CALL = re.compile(r"\b(?!(?:if|elif|in|and|or|not|return|else|for|while|with|assert|yield|print|lambda|is)\b)[A-Za-z_]\w*\s+\(")
# "Or, layout=…", "Then x = …": an English word opening the line.
_ENGLISH_START = re.compile(r"^[A-Z][a-z]+(,\s|\s+[a-z])")
# A string literal closed on its line: its words (``print("score (best)")``) are no prose of the comment's.
_STRING_LITERAL = re.compile(r""""[^"\\\n]*(?:\\.[^"\\\n]*)*"|'[^'\\\n]*(?:\\.[^'\\\n]*)*'""")
_OPENER = re.compile(r"^[A-Za-z_][\w.]*\s*(\(|\[|\{)\s*$|^[A-Za-z_][\w.]*\s*=\s*(?:[\w.]+\s*\(|\[|\{)\s*$")
_BLOCK_CONTINUATION = re.compile(r"^\s*(else|elif\b.*|except\b.*|finally|try)\s*:\s*$")
_SEMICOLON_PROSE = re.compile(r"^(?P<code>[^;#]+);\s+[A-Z][a-z]")


def _is_prose_expression(node: ast.expr) -> bool:
    """Expressions that parse as Python but are shapes, maths, labels or pseudo-code."""
    if isinstance(node, (ast.Name, ast.Constant, ast.Attribute, ast.Compare, ast.Tuple, ast.List, ast.Set, ast.Slice)):
        return True  # a word, a number, `django>=4`, a shape like (None, 7, 7, 1280)
    for child in ast.walk(node):
        if isinstance(child, ast.BinOp) and isinstance(child.op, ast.BitXor):
            return True  # maths: tanh(v*h_k^T), w^T*(...)
        if isinstance(child, ast.Constant) and child.value is Ellipsis:
            return True  # pseudo-code: f(...)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        name = node.func.id
        if len(name) == 1 or name.isupper():
            return True  # O(1), CHANGE(add / 255)
    return False


_TYPE_NAMES = frozenset({"int", "float", "str", "bool", "bytes", "list", "dict", "tuple", "set", "object", "None"})


def _is_maths_or_pseudo(statement: ast.AST) -> bool:
    for child in ast.walk(statement):
        if isinstance(child, ast.BinOp) and isinstance(child.op, ast.BitXor):
            return True  # E(x^2) - E(x)^2
        if isinstance(child, ast.Constant) and child.value is Ellipsis:
            return True  # for x, y in data_gen.flow(...):
    return False


def _computes(node: ast.AST) -> bool:
    """Whether an expression does more than a formula: attribute access, indexing, keywords.

    ``x_new = lerp(x_old, momentum, weight)`` and ``fn = sum(true_labels) - tp`` explain maths;
    ``var = backend.Variable(np.zeros((2,)))`` is code.
    """
    for child in ast.walk(node):
        if isinstance(child, (ast.Attribute, ast.Subscript, ast.Lambda, ast.ListComp, ast.DictComp, ast.GeneratorExp)):
            return True
        if isinstance(child, ast.Call) and child.keywords:
            return True
    return False


def _holds_text(node: ast.expr) -> bool:
    """Whether a string literal is (or is among the arguments of) the value: prose states
    formulas, code names files and modes."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _holds_text(node.left) or _holds_text(node.right)
    if isinstance(node, ast.Call):
        return any(_holds_text(argument) for argument in (*node.args, *(keyword.value for keyword in node.keywords)))
    return False


def _empty_display(node: ast.expr) -> bool:
    return isinstance(node, (ast.List, ast.Dict, ast.Tuple, ast.Set)) and not (
        node.keys if isinstance(node, ast.Dict) else node.elts)


def _looks_like_type(node: ast.expr) -> bool:
    if isinstance(node, ast.Name):
        return node.id in _TYPE_NAMES or node.id[:1].isupper()
    return isinstance(node, (ast.Attribute, ast.Subscript, ast.BinOp, ast.Constant))


# Words that follow "import" in a heading rather than name a module.
_HEADING_WORDS = frozenset({"data", "dataset", "datasets", "libraries", "library", "libs", "packages", "package",
                            "modules", "module", "dependencies", "everything", "stuff", "necessary", "required"})
_OUTPUT_CALLS = frozenset({"print", "pprint", "display"})  # display: IPython's, in every notebook; pprint: the standard library's


def _snake_case_call(call: ast.Call) -> bool:
    """A call of a function whose name joins words with underscores (``use_lr_finder()``): the
    names of code, which formulas and prose do not use (``lerp(x_old, w)``, ``sum(labels)``)."""
    return isinstance(call.func, ast.Name) and "_" in call.func.id.strip("_")


def _setting(targets: Sequence[ast.expr], value: ast.expr) -> bool:
    """``dropout_rate = 0.3``, ``mean_fill_value = [0.5, 0.5, 0.5]``: a snake_case name (words
    joined by underscores) set to a number, a truth value or a list of numbers; ``tpr = [1, 0.5]``
    and ``lr = 1e-3`` stay worked values until a live line beside them assigns the same name."""
    if len(targets) != 1 or not isinstance(targets[0], ast.Name) or "_" not in targets[0].id.strip("_"):
        return False
    elements = value.elts if isinstance(value, (ast.List, ast.Tuple)) and value.elts else [value]
    return all(_number(element) for element in elements)


def _number(node: ast.expr) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        node = node.operand
    return isinstance(node, ast.Constant) and isinstance(node.value, (int, float))


# Builtins that build a container from an iterable (dict(zip(…)), list(map(…)), sorted(set(…))).
_BUILDING_BUILTINS = frozenset({"dict", "list", "set", "tuple", "sorted", "frozenset", "len", "sum", "max", "min", "enumerate", "zip"})


def _statement_verdict(statement: ast.stmt) -> Verdict:
    if _is_maths_or_pseudo(statement):
        return Verdict.PROSE
    if isinstance(statement, ast.AnnAssign):
        target = statement.target
        plausible = isinstance(target, ast.Name) and not target.id[:1].isupper() and _looks_like_type(statement.annotation)
        if statement.value is None or not plausible:
            return Verdict.PROSE  # "Notice: channels-first", "Denormalize: x = (x_norm * std) + mean"
        return Verdict.STRONG
    if isinstance(statement, (ast.Assign, ast.AugAssign)):
        # "tpr = [1, 0.5, 0]", "denom = a6*x + a7*y + 1": worked values and formulas read as prose
        # on their own; an assignment that calls or indexes something is code, and so is one
        # that stores into an attribute or an item (os.environ["CUDA_VISIBLE_DEVICES"] = "0",
        # model.layers[0].trainable = False) or builds an object (adam = Adam()).
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        if any(isinstance(target, (ast.Attribute, ast.Subscript)) for target in targets):
            return Verdict.STRONG
        value = statement.value
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id[:1].isupper() and not value.func.id.isupper():
            return Verdict.STRONG
        if isinstance(value, ast.Call) and _snake_case_call(value):
            return Verdict.STRONG  # weights = compute_class_weights(train_df): formulas use short names
        if _setting(targets, value):
            return Verdict.STRONG  # dropout_rate = 0.3: a setting switched off
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Call):
            return Verdict.STRONG  # x = Dropout(0.5)(x): a layer applied, Keras's functional style
        if isinstance(value, ast.Call) and any(isinstance(target, ast.Tuple) for target in targets):
            return Verdict.STRONG  # images, labels = next(iter(loader)): a call's results unpacked
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in _BUILDING_BUILTINS and any(
                isinstance(arg, ast.Call) for arg in value.args):
            return Verdict.STRONG  # aid2gid = dict(zip(range(n), ids)): a container built from another call's result
        if _holds_text(value) or _empty_display(value):
            return Verdict.STRONG  # path = '../input/', model = load_model(path + 'step_1'), history = []
        return Verdict.STRONG if _computes(value) else Verdict.WEAK
    if isinstance(statement, ast.With):
        named = all(isinstance(item.context_expr, ast.Name) for item in statement.items)
        return Verdict.WEAK if named else Verdict.STRONG  # "with sample_weight:"
    if isinstance(statement, ast.Expr):
        value = statement.value
        if _is_prose_expression(value):
            return Verdict.PROSE
        if isinstance(value, ast.Call):
            if isinstance(value.func, ast.Name) and value.func.id in _OUTPUT_CALLS and (value.args or value.keywords):
                return Verdict.STRONG  # print(x), display(df): a debugging line, switched off
            if isinstance(value.func, ast.Name) and (not (value.args or value.keywords) or _snake_case_call(value)):
                return Verdict.STRONG  # main(), use_lr_finder(), run_training(FOLD): a step switched off
            if isinstance(value.func, (ast.Attribute, ast.Call, ast.Subscript)):
                return Verdict.STRONG
            return Verdict.STRONG if _computes(value) or _holds_text(value) else Verdict.WEAK  # KFold(n_splits=10)
        if isinstance(value, ast.Await):
            return Verdict.STRONG
        return Verdict.WEAK
    if isinstance(statement, ast.Delete):
        return Verdict.STRONG  # "del" is no English word
    if isinstance(statement, ast.Import) and len(statement.names) == 1 and statement.names[0].asname is None \
            and statement.names[0].name in _HEADING_WORDS:
        return Verdict.WEAK  # "# import data", "# import libraries": a heading above the code that does it
    if isinstance(statement, (ast.Return, ast.Continue, ast.Break, ast.Pass, ast.Raise, ast.Global, ast.Nonlocal)):
        return Verdict.WEAK  # "# continue", "# return ioU" above a real return
    return Verdict.STRONG  # imports, def/class/for/if/try headers


def _parse(text: str) -> list[ast.stmt] | None:
    try:
        return ast.parse(text).body
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None


_KEYWORD_ARGUMENT = re.compile(r"^[A-Za-z_]\w*\s*=[^=].*,$")


def _single_element_tuple(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name)
        and isinstance(statement.value, ast.Tuple) and len(statement.value.elts) == 1
    )


def _without_trailing_comment(text: str) -> str:
    """The code of a line before its own trailing comment (``rescale=1./255, # normalise``)."""
    if "#" not in text:
        return text
    _, quote, ends_in_comment = bracket_state(text, 0, None)
    if not ends_in_comment or quote is not None:
        return text
    position, inside = 0, None
    while position < len(text):
        char = text[position]
        if inside is None and char == "#":
            return text[:position].rstrip()
        if inside is None and char in "\"'":
            inside = char
        elif inside is not None and char == "\\":
            position += 1
        elif char == inside:
            inside = None
        position += 1
    return text


def _element_verdict(text: str) -> Verdict:
    """A comment among a call's arguments or a list's or dict's elements: an argument, element or
    entry switched off (``# rescale=1./255``, ``# A.CLAHE(p=0.5),``, ``# 'hue_delta': 0.4,``)
    when it parses as one that calls, names a keyword or keys an entry by a string. A leading
    comma (``# , preprocessing_function=f``: arguments written comma first) is the separator."""
    element = _without_unmatched_closers(text).rstrip().removesuffix(",").removeprefix(",").lstrip()
    depth, quote, _ = bracket_state(element, 0, None)
    if not element or depth or quote is not None:
        return Verdict.PROSE  # an element that opens a bracket it does not close cannot parse
    wrappers = ((f"f({element})", "call"), (f"{{{element}}}", "dict")) if ":" in element else ((f"f({element})", "call"),)
    for wrapped, opener in wrappers:
        body = _parse(wrapped)
        if body is None or len(body) != 1 or not isinstance(body[0], ast.Expr):
            continue
        value = body[0].value
        if opener == "call" and isinstance(value, ast.Call):
            if value.keywords and all(keyword.arg is not None for keyword in value.keywords):
                return Verdict.STRONG
            if len(value.args) == 1 and isinstance(value.args[0], ast.Call) and not _is_prose_expression(value.args[0]):
                return Verdict.STRONG
        if opener == "dict" and isinstance(value, ast.Dict) and value.keys and all(
                isinstance(key, ast.Constant) and isinstance(key.value, str) for key in value.keys):
            return Verdict.STRONG
    return Verdict.PROSE


def _closed_call_argument(text: str) -> bool:
    """``nn.BatchNorm2d(32))``: a call of a dotted name followed by the brackets that close a call
    written above it (its last argument, switched off with the closer)."""
    element = _without_unmatched_closers(text)
    if element == text:
        return False
    element = element.rstrip().removesuffix(",")
    body = _parse(element)
    if body is not None and len(body) == 1 and isinstance(body[0], ast.Expr):
        value = body[0].value
        return isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and not _is_prose_expression(value)
    # "callbacks = [early_stop])": a keyword argument, given a name, a list or a call (not a constant)
    wrapped = _parse(f"f({element})")
    if wrapped is None or len(wrapped) != 1 or not isinstance(wrapped[0], ast.Expr) or not isinstance(wrapped[0].value, ast.Call):
        return False
    call = wrapped[0].value
    return not call.args and len(call.keywords) == 1 and call.keywords[0].arg is not None and isinstance(
        call.keywords[0].value, (ast.Name, ast.Attribute, ast.List, ast.Tuple, ast.Dict, ast.Call))


def _without_unmatched_closers(text: str) -> str:
    """``A.Blur()],`` without the ``]`` that closes a bracket opened before the comment."""
    depth, cut = 0, len(text)
    for position, char in enumerate(text):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            if depth == 0:
                cut = position
                break
            depth -= 1
    return text[:cut] if text[cut:].strip(")]}, \t") == "" else text


# "# from augmentations2 import": an import the author started and switched off.
_TRUNCATED_IMPORT = re.compile(r"^from\s+\.*[A-Za-z_][\w.]*\s+import\s*$")


def _closed(text: str) -> str | None:
    """``text`` with the brackets it leaves open closed (``f(a[1]`` → ``f(a[1])``), or None when it
    opens none, closes one it did not open, or ends inside a string."""
    stack: list[str] = []
    pairs = {"(": ")", "[": "]", "{": "}"}
    quote = ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in pairs:
            stack.append(pairs[char])
        elif char in ")]}":
            if not stack or stack.pop() != char:
                return None
    if quote or not stack:
        return None
    return text + "".join(reversed(stack))


def code_verdict(text: str, in_brackets: bool = False) -> Verdict:
    """Whether one comment line (without its ``#``) reads as code; ``in_brackets`` when the
    comment stands among the arguments or elements of live code's open bracket."""
    stripped = text.strip()
    if not stripped or NOT_CODE.match(stripped) or _ENGLISH_START.match(stripped) or _SPACED_CALL.search(
            _STRING_LITERAL.sub('""', stripped) if "'" in stripped or '"' in stripped else stripped):
        return Verdict.PROSE
    if stripped.startswith("#"):
        return code_verdict(stripped.lstrip("#"), in_brackets)  # "# # x = Flatten()(x)": commented twice
    stripped = _without_trailing_comment(stripped)
    if not stripped:
        return Verdict.PROSE
    if in_brackets:
        if _element_verdict(stripped) is Verdict.STRONG:
            return Verdict.STRONG
        if not stripped.strip(")]},"):
            return Verdict.WEAK  # "# })": the end of a call or display the block opened
    elif not stripped.strip(")]},"):
        return Verdict.PROSE
    elif _closed_call_argument(stripped):
        return Verdict.STRONG  # "nn.BatchNorm2d(32))": the last argument of a call above, switched off with its closer
    body = _parse(stripped)
    if body is None and stripped.endswith(":"):
        if _BLOCK_CONTINUATION.match(stripped):
            return Verdict.STRONG  # "# else:", "# except ValueError:"
        body = _parse(stripped + "\n    pass")
    if body is None:
        if _OPENER.match(stripped) or _TRUNCATED_IMPORT.match(stripped):
            return Verdict.STRONG  # the opening line of a commented-out call: "# tfsim.visualization.projector("
        # (a line that ends opening a bracket or an argument starts a multi-line statement instead)
        closed = _closed(stripped) if stripped[-1] not in "([{,\\" else None
        if closed is not None and (completed := _parse(closed)) and len(completed) == 1 \
                and _statement_verdict(completed[0]) is Verdict.STRONG:
            return Verdict.STRONG  # a call cut short: "# transform_normalize(params['im_size']"
        match = _SEMICOLON_PROSE.match(stripped)
        if match is not None:
            return code_verdict(match.group("code"))  # "# env.render(); Adding this line…"
        return Verdict.PROSE
    if not body:
        return Verdict.PROSE
    if _KEYWORD_ARGUMENT.match(stripped) and len(body) == 1 and _single_element_tuple(body[0]):
        return Verdict.STRONG  # "rescale=1/255,": a keyword argument switched off inside a call
    if len(body) > 1:
        verdicts = [_statement_verdict(statement) for statement in body]
        return Verdict.STRONG if Verdict.PROSE not in verdicts else Verdict.PROSE
    return _statement_verdict(body[0])


_MAX_STATEMENT_LINES = 40


def _multiline_statement(lines: list[str], start: int) -> int | None:
    """The last line of a code statement that opens on ``start`` and spans lines, if any.

    Only a window whose brackets and triple quotes are closed, and that does not end in a
    continuation, can parse: other windows are not handed to the parser (a run of lines that all
    open brackets — ``# model.fit(x, callbacks=[`` — would otherwise cost 40 parses a line).
    """
    if not lines[start].rstrip().endswith(("(", "[", "{", ":", ",", "\\")):
        return None
    depth, quote = 0, None
    for end in range(start, min(len(lines), start + _MAX_STATEMENT_LINES)):
        depth, quote, _ = bracket_state(lines[end], depth, quote)
        if end == start or depth or quote is not None or lines[end].rstrip().endswith("\\"):
            continue
        body = _parse(_dedent(lines[start : end + 1]))
        if body is not None:
            verdicts = [_statement_verdict(statement) for statement in body]
            return end if Verdict.STRONG in verdicts and Verdict.PROSE not in verdicts else None
    return None


_HEAD = re.compile(r"^\s*(?:(?P<target>[A-Za-z_][\w.]*)(?:\s*,\s*[A-Za-z_][\w.]*)*\s*(?:[-+*/]?=)(?!=)"
                   r"|(?P<keyword>return|yield)(?![\w.])|(?P<callee>[A-Za-z_][\w.]*)\s*\()")


# "# return patches" above "return tf.reshape(patches, …)": a note on what is returned, not an
# alternative switched off (one that is, "#return (x, meta), y", spells more than a name).
_NAMES_A_RESULT = re.compile(r"^\s*(?:return|yield)\s+[A-Za-z_]\w*\s*$")


def statement_head(line: str) -> str | None:
    """What a line of code assigns (``lr`` in ``lr = 1e-3``, ``WIDTH`` in ``WIDTH, HEIGHT = 448,
    448``) or calls first (``set_lr`` in ``set_lr(model, 1e-5)``), or ``return``/``yield`` for
    what a function hands out (``return x, y``), if it starts so."""
    match = _HEAD.match(line)
    if match is None:
        return None
    return match.group("target") or match.group("keyword") or match.group("callee")


def block_is_code(lines: list[str], in_brackets: list[bool] | None = None,
                  live_heads: frozenset[str] = frozenset()) -> tuple[bool, list[int]]:
    """Judge a block of comment lines; returns (is code, indexes of the lines that read as code).

    ``in_brackets[i]`` tells that line ``i`` stands inside a bracket live code left open;
    ``live_heads`` are the :func:`statement_head` of the live code lines next to the block: a
    line that is code only next to other code (``# lr = 1e-3``) is certainly code when it assigns
    or calls what the code beside it does (an alternative switched off: ``# REPLICAS = 8`` next to
    ``REPLICAS = strategy.num_replicas_in_sync``)."""
    meaningful = [i for i, line in enumerate(lines) if line.strip()]
    verdicts: dict[int, Verdict] = {}
    # Inside a bracket the block's own code opened (the entries of "# CFG = {"), as inside live code's.
    opened, depth, quote = [], 0, None
    for line in lines:
        opened.append(depth > 0)
        depth, quote, _ = bracket_state(line.strip().lstrip("#"), depth, quote)  # stops at a trailing comment
    if in_brackets is not None:
        opened = [own or live for own, live in zip(opened, in_brackets)]
    in_brackets = opened
    index = 0
    while index < len(lines):
        if not lines[index].strip():
            index += 1
            continue
        end = None if NOT_CODE.match(lines[index].strip()) else _multiline_statement(lines, index)
        if end is not None:
            for covered in range(index, end + 1):
                verdicts[covered] = Verdict.STRONG
            index = end + 1
            continue
        verdict = code_verdict(lines[index], in_brackets[index])
        if verdict is Verdict.WEAK and statement_head(lines[index]) in live_heads and not _NAMES_A_RESULT.match(lines[index]):
            verdict = Verdict.STRONG
        verdicts[index] = verdict
        index += 1
    strong = [i for i, verdict in verdicts.items() if verdict is Verdict.STRONG]
    if not strong:
        return False, []
    code = sorted(i for i, verdict in verdicts.items() if verdict is not Verdict.PROSE and lines[i].strip())
    return len(code) * 2 >= len(meaningful), code


def _dedent(lines: list[str]) -> str:
    indents = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    cut = min(indents) if indents else 0
    return "\n".join(line[cut:] for line in lines)
