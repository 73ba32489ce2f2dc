"""Property-based tests: on any valid module the linter does not raise, reports no error, and
puts every finding inside the file; notebooks built from generated cells map findings to real
code cells; masking magics never breaks code that IPython would run; applying all fixes keeps
code valid and a second fix pass changes nothing; fixed notebooks keep their structure; a
rule's text pre-filter never hides a finding.

Inputs come from ``hypothesmith`` (any module CPython's grammar allows) and from a generator of
training code written here (imports, augmentation pipelines with odd arguments, models, fit and
predict calls, TTA loops, schedules, commented-out code), which is what makes the rules fire.

The default budget keeps CI fast (430 examples in all, under a minute on 2 cores). A long run
sets the number of examples of every test (11 properties: 9,100 each is 100,100 in all)::

    REVIEWLINT_FUZZ_EXAMPLES=9100 python -m pytest tests/test_fuzz.py -p no:cacheprovider
"""

from __future__ import annotations

import atexit
import collections
import dataclasses
import functools
import json
import os
import re
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

import hypothesmith
import libcst as cst
import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from reviewlint.fixing import notebook_json
from reviewlint.fixing.fixer import FileFix, fix_bytes
from reviewlint.knowledge.transforms import ALBUMENTATIONS, IMAGE_DATA_GENERATOR, KERAS_LAYERS, TF_IMAGE
from reviewlint.lint.finding import Location
from reviewlint.lint.registry import all_rules
from reviewlint.lint.runner import lint_text
from reviewlint.run.config import Settings
from reviewlint.run.result import FileResult
from reviewlint.source.files import load_source, mask_cell

# hypothesmith compiles what it generates ("<string>") and CPython warns about `1(2)`: not ours.
pytestmark = pytest.mark.filterwarnings("ignore:.*:SyntaxWarning:<string>")
LONG_RUN = int(os.environ.get("REVIEWLINT_FUZZ_EXAMPLES", "0"))
# A long run may be stopped (Ctrl-C) before every test reaches its budget: with this set, the
# examples each test has passed are counted and written there (JSON), as the run goes and at exit.
COUNTS_FILE = os.environ.get("REVIEWLINT_FUZZ_COUNTS")
_COUNTS: collections.Counter[str] = collections.Counter()


def _write_counts() -> None:
    if COUNTS_FILE:
        Path(COUNTS_FILE).write_text(json.dumps(dict(_COUNTS), indent=1, sort_keys=True))


if COUNTS_FILE:
    atexit.register(_write_counts)


def counted(test: Callable[..., None]) -> Callable[..., None]:
    """Count the examples ``test`` passes (for the report of a long run)."""

    @functools.wraps(test)
    def run(*args: object, **kwargs: object) -> None:
        test(*args, **kwargs)
        _COUNTS[test.__name__] += 1
        if COUNTS_FILE and _COUNTS[test.__name__] % 250 == 0:
            _write_counts()

    return run
RULES = all_rules()
SETTINGS = Settings(root=Path.cwd())
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def budget(examples: int) -> settings:
    # A long run skips Hypothesis's targeting phase and example database: hypothesmith targets
    # ever larger modules, and the pareto front it keeps makes each example slower than the last.
    long_run = {"database": None, "phases": [Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink]} if LONG_RUN else {}
    return settings(
        max_examples=LONG_RUN or examples, deadline=None, print_blob=True, **long_run,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
                               HealthCheck.large_base_example],
    )


def python_lines(text: str) -> list[str]:
    """Lines as Python counts them: split at CR LF, CR and LF only (not form feed, U+2028…)."""
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def compiles(text: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, "<fuzz>", "exec", flags=0x2000, dont_inherit=True)  # PyCF_ALLOW_TOP_LEVEL_AWAIT
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def libcst_parses(text: str) -> bool:
    try:
        cst.parse_module(text)
    except (cst.ParserSyntaxError, RecursionError):
        return False
    return True


# ---- training code ---------------------------------------------------------------------------

NAMES = st.sampled_from(["x", "y", "img", "aug", "train_aug", "val_aug", "tta", "model", "base", "gen", "datagen",
                         "train_gen", "val_gen", "SCALE", "LIMIT", "p", "n", "layer", "preds", "history", "cb"])
NUMBERS = st.one_of(
    st.integers(-400, 400).map(str),
    st.sampled_from(["0", "0.0", "1", "1.", "0.5", "0.01", "-0.01", "1e-9", "1e308", "1e999", "-1e999", "255",
                     "1/255", "1./255", "1 / 0", "0 // 0", "2**64", "360", "-360", "0.05", "0.049999", "True",
                     "False", "None", "float('nan')", "float('inf')", "0x10", "1_000", "3j"]),
    st.floats(allow_nan=False, allow_infinity=False, width=32).map(repr),
)


def values(depth: int = 2) -> st.SearchStrategy[str]:
    leaf = st.one_of(NUMBERS, NAMES, st.sampled_from(["'horizontal'", "'vertical'", "'horizontal_and_vertical'",
                                                      "'nearest'", "''", "'imagenet'", "b'x'", "f'{x}'", "..."]))
    if depth == 0:
        return leaf
    inner = values(depth - 1)
    return st.one_of(
        leaf,
        st.lists(inner, min_size=0, max_size=3).map(lambda items: "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"),
        st.lists(inner, max_size=3).map(lambda items: "[" + ", ".join(items) + "]"),
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "//", "%", "**", " if x else "]), inner).map("".join),
        inner.map(lambda value: f"-{value}"),
        st.tuples(NAMES, inner).map(lambda pair: f"{pair[0]}({pair[1]})"),
        inner.map(lambda value: f"lambda: {value}"),
        st.tuples(inner, inner).map(lambda pair: f"{{{pair[0]}: {pair[1]}}}"),
    )


VALUE = values()
ALB_PARAMS = sorted({m.param for spec in ALBUMENTATIONS.values() for m in spec.magnitudes}
                    | {"p", "always_apply", "value", "mask_value", "cval", "mode", "border_mode", "fill", "interpolation",
                       "height", "width", "limit", "scale_limit", "mean", "std", "max_pixel_value"})
IDG_PARAMS = sorted({m.param for m in IMAGE_DATA_GENERATOR.magnitudes} | set(IMAGE_DATA_GENERATOR.switches)
                    | {"rescale", "validation_split", "preprocessing_function", "fill_mode", "featurewise_center"})


def arguments(params: list[str]) -> st.SearchStrategy[str]:
    keyword = st.tuples(st.sampled_from(params), VALUE).map(lambda pair: f"{pair[0]}={pair[1]}")
    parts = st.tuples(st.lists(VALUE, max_size=2), st.lists(keyword, max_size=4, unique_by=lambda text: text.split("=")[0]),
                      st.sampled_from(["", "*args", "**kwargs"]))
    return parts.map(lambda p: ", ".join([*p[0], *([p[2]] if p[2] == "*args" else []), *p[1], *([p[2]] if p[2] == "**kwargs" else [])]))


ALB_CALL = st.tuples(st.sampled_from(["A.", "albumentations.", ""]), st.sampled_from(sorted(ALBUMENTATIONS) + ["Compose", "OneOf"]),
                     arguments(ALB_PARAMS)).map(lambda t: f"{t[0]}{t[1]}({t[2]})")
KERAS_CALL = st.tuples(st.sampled_from(["layers.", "tf.keras.layers.", "keras.layers.experimental.preprocessing."]),
                       st.sampled_from(sorted(KERAS_LAYERS)), arguments(["factor", "mode", "seed", "fill_mode", "height_factor"])
                       ).map(lambda t: f"{t[0]}{t[1]}({t[2]})")
TF_IMAGE_CALL = st.tuples(st.sampled_from(sorted(TF_IMAGE)), arguments(["seed", "max_delta", "k"])).map(lambda t: f"tf.image.{t[0]}(x, {t[1]})")
PIPELINE = st.one_of(
    st.tuples(st.sampled_from(["A.Compose", "A.OneOf", "A.SomeOf", "Compose"]), st.lists(ALB_CALL, max_size=4),
              st.sampled_from(["", ", p=1", ", p=0.5", ", p=0"])).map(lambda t: f"{t[0]}([{', '.join(t[1])}]{t[2]})"),
    st.lists(KERAS_CALL, max_size=3).map(lambda calls: f"tf.keras.Sequential([{', '.join(calls)}])"),
    ALB_CALL, KERAS_CALL, TF_IMAGE_CALL,
    arguments(IDG_PARAMS).map(lambda args: f"ImageDataGenerator({args})"),
    st.lists(st.sampled_from(["T.RandomVerticalFlip()", "T.RandomHorizontalFlip(p=0.5)", "T.ToTensor()"]), max_size=3
             ).map(lambda calls: f"T.Compose([{', '.join(calls)}])"),
)
IMPORT_LINES = [
    "import albumentations as A", "import albumentations", "from albumentations import *",
    "from albumentations import Compose, VerticalFlip, ShiftScaleRotate", "import tensorflow as tf",
    "from tensorflow import keras", "from tensorflow.keras import layers", "import keras",
    "from tensorflow.keras.preprocessing.image import ImageDataGenerator", "import torchvision.transforms as T",
    "import efficientnet.keras as efn", "import efficientnet.tfkeras as efn", "from tensorflow.keras.applications import *",
    "from tensorflow.keras.applications.resnet50 import preprocess_input", "import numpy as np",
    "from tensorflow.keras.callbacks import EarlyStopping, ModelCheckpoint", "import segmentation_models as sm",
]
# Each import is there most of the time (rules need the names resolved), in any order.
IMPORTS = st.tuples(st.permutations(IMPORT_LINES), st.lists(st.integers(0, 5), min_size=len(IMPORT_LINES),
                                                            max_size=len(IMPORT_LINES))).map(
    lambda pair: [line for line, keep in zip(*pair) if keep])


def _statement(kind: int, name: str, value: str, pipeline: str, extra: str) -> list[str]:
    return {
        0: [f"{name} = {pipeline}"],
        1: [f"{name} = {value}"],
        2: [f"{name} = efn.EfficientNetB{kind % 8}(weights={value}, include_top=False)",
            f"x = x / {value}"],
        3: [f"{name} = tf.keras.applications.ResNet50(weights='imagenet')", f"x = preprocess_input({value})"],
        4: [f"model.compile(loss={value}, optimizer='adam', metrics=['accuracy'])"],
        5: [f"{name} = model.fit({value}, epochs={value}, validation_data={pipeline}, callbacks=[EarlyStopping({extra})])"],
        6: [f"model.fit({name}.flow_from_directory({value}, subset='training', shuffle={value}), {extra})"],
        7: [f"preds = model.predict({value})", f"for i in range({value}):", f"    preds += model.predict({pipeline}(image=x)['image'])"],
        8: [f"for layer in model.layers[:{value}]:", "    layer.trainable = False", f"{name}.trainable = {value}"],
        9: [f"lr = tf.keras.optimizers.schedules.ExponentialDecay({value}, decay_steps={value}, decay_rate={value})"],
        10: [f"# {name} = {pipeline}", f"# model.fit(x, y, epochs={value})", "# a plain comment, not code"],
        11: [f"{name} = {pipeline}  # noqa", f"x = {pipeline}  # noqa: RL102, RL101"],
        12: [f"tf.random.set_seed({value})", f"np.random.seed({value})"],
        13: [f"gen = datagen.flow(x, y, batch_size={value}, shuffle={value})", f"model.predict(gen, steps={value})"],
        14: [f"with tf.device({value}):", f"    {name} = {pipeline}"],
        15: [f"{name} = {pipeline}(image={value})['image']"],
        16: [f"{name} = A.Compose([A.ShiftScaleRotate(scale_limit={value}, rotate_limit={value}, p={value}), "
             f"A.RandomScale(scale_limit={value}), A.Affine(scale={value})])"],
        17: [f"{name} = ImageDataGenerator(zoom_range={value}, rotation_range={value}, vertical_flip={value})",
             f"zoom = layers.RandomZoom({value})"],
        18: [f"base = efn.EfficientNetB0(weights='imagenet', include_top={value})", f"x = x / {value}",
             f"{name} = base.predict(x)", "x = preprocess_input(x)", "model = keras.Model(base.input, base.output)"],
        19: ["train_aug = A.Compose([A.HorizontalFlip(), A.Rotate(limit=10)])", f"tta = A.Compose([{pipeline}])",
             f"preds = np.mean([model.predict(tta(image=x)['image']) for _ in range({value})], axis=0)"],
        20: [f"model.fit(train_gen, validation_data=datagen.flow(x, y, subset='validation'), epochs={value})",
             f"model.evaluate({value})"],
    }[kind % 21]


STATEMENTS = st.builds(_statement, st.integers(0, 127), NAMES, VALUE, PIPELINE, st.one_of(st.just(""), arguments(["monitor", "patience", "restore_best_weights"])))


@st.composite
def training_code(draw: st.DrawFn) -> str:
    lines = list(draw(IMPORTS))
    for _ in range(draw(st.integers(1, 8))):
        block = draw(STATEMENTS)
        wrapper = draw(st.sampled_from(["", "def build(x, y=None, *args, **kwargs):", "class Trainer:", "if x:",
                                        "for img in x:", "try:", "async def run():"]))
        if wrapper:
            lines.append(wrapper)
            lines.extend("    " + line for line in block)
            if wrapper == "try:":
                lines.append("except Exception:\n    pass")
        else:
            lines.extend(block)
    text = "\n".join(lines) + draw(st.sampled_from(["\n", "", "\n\n", "\r\n", "\r"]))
    assume(compiles(text))
    return text


GENERATED = st.one_of(hypothesmith.from_grammar(), training_code())


# ---- checks --------------------------------------------------------------------------------------

def check_location(location: Location, lines_of: dict[int | None, list[str]], what: str) -> None:
    """A location lies inside the file (or its cell): lines in range, columns within the line + 1."""
    assert location.cell in lines_of, f"{what}: cell {location.cell} is not a code cell"
    lines = lines_of[location.cell]
    assert 1 <= location.line <= max(1, len(lines)), f"{what}: line {location.line} of {len(lines)}"
    assert location.line <= location.end_line <= max(1, len(lines)), f"{what}: end line {location.end_line}"
    line = lines[location.line - 1] if lines else ""
    end_line = lines[location.end_line - 1] if lines else ""
    assert 1 <= location.column <= len(line) + 1, f"{what}: column {location.column} of {line!r}"
    assert 1 <= location.end_column <= len(end_line) + 1, f"{what}: end column {location.end_column} of {end_line!r}"
    if location.end_line == location.line:
        assert location.end_column >= location.column, what


def check_result(result: FileResult, lines_of: dict[int | None, list[str]]) -> None:
    assert result.errors == [], result.errors
    for finding in result.findings:
        check_location(finding.location, lines_of, f"{finding.code} {finding.message}")
        for related in finding.related:
            check_location(related.location, lines_of, f"{finding.code} related {related.message}")


@budget(60)
@given(GENERATED)
@counted
def test_any_valid_module_is_linted_without_error_and_findings_lie_inside_it(text: str) -> None:
    assume(libcst_parses(text))  # libcst's grammar, not the linter, decides what it can read
    result = lint_text(text, RULES, SETTINGS, path="module.py")
    check_result(result, {None: python_lines(text)})


@budget(40)
@given(training_code())
@counted
def test_training_code_is_linted_without_error_and_findings_lie_inside_it(text: str) -> None:
    result = lint_text(text, RULES, SETTINGS, path="train.py")
    check_result(result, {None: python_lines(text)})


# ---- magics --------------------------------------------------------------------------------------

MAGICS = st.sampled_from([
    "%time x = 1", "%timeit -n 3 f(x)", "%matplotlib inline", "%load_ext autoreload", "%autoreload 2",
    "!pip install -q albumentations", "!ls -la | grep png", "files = !ls data", "x = %env HOME",
    "%cd /tmp", "!echo 'unclosed (", "%run -i other.py", "obj?", "obj??", "%pwd", "!!ls", "%%capture",
    "%config InlineBackend.figure_format = 'retina'", "!echo a \\\n    b", "%time \\\n  y = 2",
    "pip install torch", "ls ./data", "cd ..",
])


def _statement_starts(text: str) -> list[tuple[int, str]]:
    """(0-based line, its indentation) of every line where a statement begins (decorators included)."""
    import ast

    lines = python_lines(text)
    starts: set[int] = set()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tree = ast.parse(text)
    for node in ast.walk(tree):
        if not isinstance(node, ast.stmt):
            continue
        first, column = node.lineno, node.col_offset
        for decorator in getattr(node, "decorator_list", ()):
            if decorator.lineno < first:
                first, column = decorator.lineno, decorator.col_offset - 1  # the "@"
        line = lines[first - 1]
        if len(line) - len(line.lstrip(" \t")) == column:  # the statement starts its line
            starts.add(first - 1)
    return [(number, lines[number][: len(lines[number]) - len(lines[number].lstrip(" \t"))]) for number in sorted(starts)]


@st.composite
def code_with_magics(draw: st.DrawFn) -> tuple[str, str]:
    """Valid code with magic lines inserted where a statement could begin: (with magics, with ``pass``)."""
    text = draw(GENERATED)
    lines = python_lines(text)
    try:
        starts = _statement_starts(text) + [(len(lines), "")]
    except (SyntaxError, ValueError, RecursionError):
        assume(False)
    indents = sorted({indent for _, indent in starts} | {"", "    ", "\t", "        "})
    inserts = draw(st.lists(st.tuples(st.sampled_from(starts), st.sampled_from(indents), MAGICS), min_size=1, max_size=4))
    magic_lines, pass_lines = list(lines), list(lines)
    for (number, _), indent, magic in sorted(inserts, key=lambda item: -item[0][0]):
        if magic == "%%capture" and number != 0:
            continue
        magic_block = [indent + part if i == 0 else part for i, part in enumerate(magic.split("\n"))]
        pass_block = [indent + "pass"] + [""] * (len(magic_block) - 1)
        magic_lines[number:number] = magic_block
        pass_lines[number:number] = pass_block
    return "\n".join(magic_lines) + "\n", "\n".join(pass_lines) + "\n"


@budget(40)
@given(code_with_magics())
@counted
def test_masking_magics_keeps_code_parseable_and_lines_in_place(case: tuple[str, str]) -> None:
    with_magics, with_pass = case
    assume(compiles(with_pass))  # IPython would run it: a magic is a statement at its indentation
    masked = mask_cell(with_magics)
    assert masked.count("\n") == with_magics.count("\n"), "masking moved lines"
    assert compiles(masked), masked
    if libcst_parses(with_pass):
        assert libcst_parses(masked), masked


@budget(20)
@given(GENERATED)
@counted
def test_masking_never_breaks_code_without_magics(text: str) -> None:
    cell = text.replace("\r\n", "\n").replace("\r", "\n")  # a notebook cell's line endings
    assume(compiles(cell))  # CPython compiles "\n\\\r\n" but not "\n\\\n": normalizing alone can break code
    masked = mask_cell(cell)
    assert masked.count("\n") == cell.count("\n")
    assert compiles(masked), masked


# ---- notebooks -----------------------------------------------------------------------------------

TEXT_CELL = st.tuples(st.sampled_from(["markdown", "raw"]), st.text(max_size=60))


def ipython_dedent(cell: str) -> str:
    """IPython's leading_indent: the first line's indentation, removed from every line that has it."""
    lines = cell.split("\n")
    indent = lines[0][: len(lines[0]) - len(lines[0].lstrip(" \t"))]
    return "\n".join(line[len(indent):] if indent and line.startswith(indent) else line for line in lines)


@st.composite
def notebooks(draw: st.DrawFn) -> tuple[str, dict[int, list[str]]]:
    """A notebook of generated cells (magics included) and, per code cell, its lines."""
    cells: list[dict[str, object]] = []
    code_lines: dict[int, list[str]] = {}
    oracle: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.booleans()):
            kind, source = draw(TEXT_CELL)
            cells.append({"cell_type": kind, "metadata": {}, "source": source})
            continue
        with_magics, with_pass = draw(code_with_magics()) if draw(st.booleans()) else (draw(training_code()),) * 2
        with_magics, with_pass = with_magics.rstrip("\n"), with_pass.rstrip("\n")
        as_list = draw(st.booleans())
        cells.append({"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                      "source": with_magics.splitlines(keepends=True) if as_list else with_magics})
        code_lines[len(cells)] = python_lines(with_magics)
        assume(compiles(ipython_dedent(with_pass)))  # the cell runs on its own in Jupyter, not only joined to the last
        oracle.append(with_pass)
    assume(code_lines)
    joined = "\n".join(oracle) + "\n"
    assume(compiles(joined) and libcst_parses(joined) and "__future__" not in joined)
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}
    return json.dumps(notebook, indent=draw(st.sampled_from([None, 1])), ensure_ascii=draw(st.booleans())), code_lines


@budget(40)
@given(notebooks())
@counted
def test_notebooks_of_generated_cells_are_linted_and_findings_map_to_code_cells(case: tuple[str, dict[int, list[str]]]) -> None:
    text, code_lines = case
    source = load_source(Path("nb.ipynb"), text.encode("utf-8"))
    assert {span.cell for span in source.cells} == set(code_lines)
    result = lint_text(text, RULES, SETTINGS, path="nb.ipynb")
    check_result(result, code_lines)  # type: ignore[arg-type]


# ---- arbitrary bytes and JSON ---------------------------------------------------------------------

KEYS = st.sampled_from(["cells", "cell_type", "source", "input", "worksheets", "metadata", "nbformat", "outputs"])
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40)
    | st.sampled_from(["code", "markdown", "raw", "%%bash\nls", "import albumentations as A\nA.VerticalFlip()\n", "!ls"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS | st.text(max_size=4), children, max_size=5),
    max_leaves=25,
)
CELL = st.fixed_dictionaries({"cell_type": st.sampled_from(["code", "markdown", "raw", "heading"]) | JSON},
                             optional={"source": JSON | st.lists(st.text(max_size=30), max_size=4) | st.text(max_size=80),
                                       "input": JSON, "metadata": JSON})
NOTEBOOK_JSON = st.one_of(
    JSON,
    st.fixed_dictionaries({"cells": st.lists(CELL, max_size=4)}, optional={"nbformat": JSON, "metadata": JSON}),
    st.fixed_dictionaries({"worksheets": st.lists(st.fixed_dictionaries({}, optional={"cells": st.lists(CELL, max_size=3) | JSON}),
                                                  max_size=2)}),
)


def lint_bytes(name: str, raw: bytes) -> None:
    """Read bytes as the file ``name``: a one-line SourceError, or a lint with no internal error."""
    from reviewlint.lint.runner import lint_source
    from reviewlint.source.files import SourceError

    try:
        source = load_source(Path(name), raw)
    except SourceError as error:
        assert str(error) and "\n" not in str(error)
        return
    result = lint_source(source, SETTINGS, RULES, name)
    for error in result.errors:
        assert error.code is None and "\n" not in error.message, error


@budget(30)
@given(NOTEBOOK_JSON, st.booleans())
@counted
def test_any_json_as_a_notebook_is_linted_or_refused_in_one_line(data: object, ascii_only: bool) -> None:
    lint_bytes("nb.ipynb", json.dumps(data, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass"))


@budget(30)
@given(st.binary(max_size=300) | GENERATED.map(lambda text: text.encode("utf-8", "surrogatepass")), st.sampled_from(["x.py", "x.ipynb"]))
@counted
def test_any_bytes_are_linted_or_refused_in_one_line(raw: bytes, name: str) -> None:
    lint_bytes(name, raw)


# ---- triggers ------------------------------------------------------------------------------------

UNFILTERED = [dataclasses.replace(rule, triggers=()) for rule in RULES]


@budget(40)
@given(st.one_of(training_code(), GENERATED))
@counted
def test_text_triggers_never_hide_a_finding(text: str) -> None:
    """A rule skipped by its cheap text pre-filter would have found nothing anyway."""
    assume(libcst_parses(text))
    filtered = lint_text(text, RULES, SETTINGS, path="train.py")
    unfiltered = lint_text(text, UNFILTERED, SETTINGS, path="train.py")
    assert filtered.findings == unfiltered.findings
    assert filtered.errors == unfiltered.errors


# ---- fixes ---------------------------------------------------------------------------------------

def fixed(path: str, raw: bytes) -> FileFix:
    return fix_bytes(Path(path), raw, SETTINGS, RULES, unsafe=True, shown=path)


def check_fix(outcome: FileFix) -> None:
    """A fix run reports no internal error, and a second run over its output changes nothing."""
    assert not [e for e in outcome.errors if "internal error" in e.message or "failed" in e.message], outcome.errors
    assert not outcome.notices, outcome.notices
    again = fixed(outcome.shown, outcome.fixed)
    assert again.fixed == outcome.fixed, "a second fix pass changed the code:\n" + again.diff()


@budget(60)
@given(training_code())
@counted
def test_applying_all_fixes_gives_code_that_parses_and_a_second_pass_leaves_alone(text: str) -> None:
    outcome = fixed("train.py", text.encode("utf-8"))
    new = outcome.fixed.decode("utf-8")
    assert libcst_parses(new), new
    assert compiles(new), new
    check_fix(outcome)


@budget(30)
@given(GENERATED)
@counted
def test_fixing_any_valid_module_keeps_it_valid(text: str) -> None:
    assume(libcst_parses(text))
    outcome = fixed("module.py", text.encode("utf-8", "surrogatepass"))
    new = outcome.fixed.decode("utf-8", "surrogatepass")
    assert libcst_parses(new), new
    if compiles(text):
        assert compiles(new), new
    check_fix(outcome)


def _kept(cell: dict[str, object]) -> dict[str, object]:
    return {key: value for key, value in cell.items() if key != "source"}


@budget(40)
@given(notebooks())
@counted
def test_fixed_notebooks_keep_their_structure(case: tuple[str, dict[int, list[str]]]) -> None:
    """Cells, their kinds, outputs and metadata, text cells and magic lines survive fixing."""
    text, _ = case
    outcome = fixed("nb.ipynb", text.encode("utf-8"))
    before, after = json.loads(text), json.loads(outcome.fixed.decode("utf-8"))
    assert set(after) == set(before) and after["metadata"] == before["metadata"]
    assert len(after["cells"]) == len(before["cells"])
    for old, new in zip(before["cells"], after["cells"]):
        assert _kept(new) == _kept(old)
        old_source = old["source"] if isinstance(old["source"], str) else "".join(old["source"])
        new_source = new["source"] if isinstance(new["source"], str) else "".join(new["source"])
        if old["cell_type"] != "code":
            assert new["source"] == old["source"]
            continue
        assert isinstance(new["source"], type(old["source"]))
        magics = [line for line in python_lines(old_source) if re.match(r"\s*[%!]|.*= *[%!]", line)]
        assert [line for line in python_lines(new_source) if line in magics] == magics, "a magic line was lost"
    load_source(Path("nb.ipynb"), outcome.fixed)
    check_fix(outcome)


LAYOUTS = st.fixed_dictionaries({
    "indent": st.sampled_from([None, 1, 2, 4, "\t"]), "ensure_ascii": st.booleans(), "sort_keys": st.booleans(),
    "separators": st.sampled_from([None, (",", ":"), (", ", ": ")]), "crlf": st.booleans(), "tail": st.sampled_from(["", "\n"]),
})


def _relaid(text: str, layout: dict[str, object]) -> bytes:
    """The notebook ``text`` written in another JSON layout (compact, tabs, CRLF, escaped …)."""
    options = {key: value for key, value in layout.items() if key not in ("crlf", "tail")}
    dumped = json.dumps(json.loads(text), **options) + str(layout["tail"])  # type: ignore[arg-type]
    return (dumped.replace("\n", "\r\n") if layout["crlf"] else dumped).encode("utf-8")


def _outside_sources(raw: bytes) -> list[str]:
    """The notebook's text between its cells' source values, in order."""
    text = raw.decode("utf-8")
    pieces, at = [], 0
    for cell in notebook_json._cells(notebook_json._value(text, 0)):
        node = notebook_json._source_node(cell)
        if node is not None:
            pieces.append(text[at : node.start])
            at = node.end
    return [*pieces, text[at:]]


@budget(40)
@given(notebooks(), LAYOUTS)
@counted
def test_fixing_a_notebook_keeps_every_byte_outside_the_changed_sources(case: tuple[str, dict[int, list[str]]],
                                                                        layout: dict[str, object]) -> None:
    raw = _relaid(case[0], layout)
    outcome = fixed("nb.ipynb", raw)
    assert _outside_sources(outcome.fixed) == _outside_sources(raw)
    before, after = json.loads(raw), json.loads(outcome.fixed)
    for old, new in zip(before["cells"], after["cells"]):
        if old.get("source") != new.get("source"):
            assert old["cell_type"] == "code" and isinstance(new["source"], type(old["source"]))


TREE_ENTRIES = st.lists(st.tuples(
    st.sampled_from(["file", "notebook", "fifo", "link-file", "link-dir", "link-dangling", "link-loop", "link-device",
                     "dir", "gitignore", "gitignore-fifo", "unreadable"]),
    st.sampled_from(["", "a", "a/b", "c"]), st.sampled_from(["x", "y", "z", "train", "data"])), max_size=12)


def _build_tree(root: Path, entries: list[tuple[str, str, str]]) -> None:
    for kind, folder, name in entries:
        where = root / folder
        where.mkdir(parents=True, exist_ok=True)
        path = where / (name + (".ipynb" if kind == "notebook" else ".py"))
        if os.path.lexists(path) or os.path.lexists(where / name) or (
                kind.startswith("gitignore") and os.path.lexists(where / ".gitignore")):
            continue
        if kind == "file":
            path.write_text("import albumentations as A\naug = A.VerticalFlip(p=0.5)\n")
        elif kind == "notebook":
            path.write_text(json.dumps({"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "source": "x = (\n"}],
                                        "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
        elif kind == "fifo":
            os.mkfifo(path)
        elif kind == "link-file":
            path.symlink_to(root / "x.py")
        elif kind == "link-dir":
            (where / name).symlink_to(root, target_is_directory=True)
        elif kind == "link-dangling":
            path.symlink_to(root / "nowhere.py")
        elif kind == "link-loop":
            path.symlink_to(path)
        elif kind == "link-device":
            path.symlink_to("/dev/zero")
        elif kind == "dir":
            (where / name).mkdir(exist_ok=True)
        elif kind == "gitignore":
            (where / ".gitignore").write_text(f"{name}.py\n")
        elif kind == "gitignore-fifo":
            os.mkfifo(where / ".gitignore")
        elif kind == "unreadable":
            path.write_text("x = 1\n")
            path.chmod(0)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs")
@budget(25)
@given(TREE_ENTRIES)
@counted
def test_any_file_system_tree_is_linted_or_refused_in_one_line_in_bounded_time(entries: list[tuple[str, str, str]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        _build_tree(root, entries)
        run = subprocess.run([sys.executable, "-m", "reviewlint", "check", "--no-cache", "-j", "1", "--format", "json", "."],
                             cwd=root, capture_output=True, text=True, timeout=60, check=False)
        assert run.returncode in (0, 1, 2), run.stderr
        assert "Traceback" not in run.stderr and run.stderr.count("\n") <= 1, run.stderr
        report = json.loads(run.stdout)
        for error in report["errors"]:
            assert "\n" not in error["message"] and error["message"]
        # Every FIFO and device in the tree (not ignored by a .gitignore beside it or above) is
        # reported; links to one file are that file, reported once.
        named = {os.path.realpath(root / item["path"]) for key in ("findings", "errors", "skipped") for item in report[key]}
        for kind, folder_name, name in entries:
            shown = root / folder_name / (name + ".py")
            try:
                special = not shown.is_dir() and not shown.is_file() and shown.exists()
            except OSError:
                special = False
            ignored = any(k.startswith("gitignore") for k, f, n in entries if f == "" or folder_name.startswith(f))
            if special and not ignored:
                assert os.path.realpath(shown) in named, (shown, report)


@pytest.mark.skipif(not LONG_RUN, reason="the long run: set REVIEWLINT_FUZZ_EXAMPLES")
def test_long_run_is_on() -> None:
    """Marks, in the report of a long run, how many examples each test above was given."""
    assert LONG_RUN > 0
