"""RL401 commented-out-code: blocks of comments that are code, not explanation.

## What it does
Groups consecutive comment lines into blocks and reports each block that reads as Python code,
once per block. Precision comes first: prose, URLs, shapes like `# (None, 7, 7, 1280)`, labels
like `# Notice: channels-first`, maths like `# tanh(v*h_k^T)`, version markers (`# django>=4`),
`# e.g. lr = 1e-3 works`, TODO/FIXME, `noqa`/`type:`/`pylint:`/`fmt:`/pragma directives,
shebang and encoding lines, `# %%` cell markers, jupytext markdown cells, magics that jupytext
commented out, PEP 723 script metadata and examples inside a Markdown code fence (`` # ``` ``
lines, a notebook's markdown exported as comments) are not code. A block needs at least one line that
is certainly code (a call on an object, `print(x)`, `display(df)`, a call without arguments or
of a function whose name joins words with underscores — `# use_lr_finder()`,
`# run_training(FOLD)` —, an assignment that calls, indexes, stores into an attribute or item or
builds an object — `# adam = Adam()`, `# os.environ["CUDA_VISIBLE_DEVICES"] = "0"` —, a name
given a string or an empty list — `# arch = 'vgg19'`, `# history = []` —, a snake_case setting
given a number — `# dropout_rate = 0.3` —, an import, an `if …:` header, a
keyword argument switched off inside a call: `# rescale=1/255,`) and at least half of its lines reading
as code; a single such line is a block, and so is a run of code lines between lines of prose
when it holds such a line. In a notebook, a commented shell line (`# !gsutil cp …`) is code, and so
is a commented pip or conda magic (`# pip install -U albumentations`, `# %pip install timm`).

Where a comment stands decides too. Among a call's arguments or a list's or dict's elements
(live code's open bracket, or one the commented block opened itself, as in `# CFG = {`), a
comment that parses as an argument that calls or names a keyword, or as an entry keyed by a
string, is code: `# A.CLAHE(p=0.5),`, `# rescale=1./255  # normalise`, `# 'hue_delta': 0.4,`, also
written comma first (`#    , preprocessing_function=hair_remove`).
A line that is code only next to other code (`# lr = 1e-3`) is code when the live line beside it
assigns or calls the same thing: `# REPLICAS = 8` above `REPLICAS = strategy.num_replicas_in_sync`,
`#WIDTH, HEIGHT = 448, 448` above `WIDTH, HEIGHT = 380, 380`, `#return (x, meta)` above `return x`.
A trailing comment inside a commented line (`# x = f(y)  # why`) does not make it prose, and a
doubly commented line between two code lines (`## resize the image`) is a comment of the code
switched off: one finding for all of it.

## Why it matters
Commented-out code leaves the reader guessing: is it an alternative that was tried, a bug that
was switched off, a step still to do? Should it be read at all? Version control keeps old code;
experiments belong in a results table, not in comments. (Commented-out code is never read by the other rules.)

## Example
```python
# model.add(layers.BatchNormalization())
# model.add(layers.Dense(256, activation="relu"))
model.add(layers.Dense(10, activation="softmax"))
```

## Use instead
```python
model.add(layers.Dense(10, activation="softmax"))
```
Delete the block; keep the variants you compared as configuration, and their results in a table.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

from reviewlint.api import (
    Comment,
    Fix,
    Invalid,
    Report,
    RuleContext,
    Severity,
    Span,
    block_is_code,
    delete_lines,
    option,
    statement_head,
)

CODE = "RL401"
NAME = "commented-out-code"
SEVERITY = Severity.WARNING
SUMMARY = "Blocks of comments that are commented-out code"
NEEDS = "comments"
TRIGGERS = ("#",)
@dataclass(frozen=True)
class Options:
    min_lines: int = option(1, "smallest block (in lines that read as code) that is reported")

# The fix deletes the block (from its first to its last line of code): unsafe, code is lost.
FIX = "unsafe"

_CELL_MARKER = re.compile(r"^#\s*(%%|\+|-)(\s|$)|^#\s*In\s*\[")
_MARKDOWN_MARKER = re.compile(r"^#\s*(%%|\+)\s*\[markdown\]|^#\s*%%\s+md\b")
_SCRIPT_METADATA = re.compile(r"^#\s*///\s*\w+")
# A Markdown code fence in comments (a notebook's markdown exported as comments): the lines
# between two fences are a documented example, not code switched off.
_FENCE = re.compile(r"^#\s*(```|~~~)")


def _bridges(block: list[Comment], comment: Comment, blank_lines: set[int]) -> bool:
    """Blank lines between two comments at the same column do not end a block."""
    gap = range(block[-1].line + 1, comment.line)
    return comment.column == block[-1].column and all(line in blank_lines for line in gap)


def _blocks(comments: list[Comment], blank_lines: set[int], cell_starts: set[int]) -> Iterator[list[Comment]]:
    """Runs of own-line comments on consecutive lines of one notebook cell, outside markdown cells,
    metadata and Markdown code fences."""
    block: list[Comment] = []
    starts = sorted(cell_starts)
    in_markdown = in_metadata = in_fence = False
    fence_line = 0
    for comment in comments:
        if not comment.own_line:
            continue
        text = comment.text
        if in_fence and (comment.line in cell_starts or comment.line != fence_line + 1):
            in_fence = False  # a fence left open ends with its run of comment lines
        if _FENCE.match(text):
            in_fence, fence_line = not in_fence, comment.line
            if block:
                yield block
            block = []
            continue
        if in_fence:
            fence_line = comment.line
            continue
        if _SCRIPT_METADATA.match(text):
            in_metadata = True
        elif in_metadata and text.strip() in ("# ///", "#///"):
            in_metadata = False
            continue
        if _CELL_MARKER.match(text):
            in_markdown = bool(_MARKDOWN_MARKER.match(text))
            if block:
                yield block
            block = []
            continue
        if in_markdown or in_metadata:
            continue
        if block and (_cell_between(starts, block[-1].line, comment.line) or (
                comment.line != block[-1].line + 1 and not _bridges(block, comment, blank_lines))):
            yield block
            block = []
        block.append(comment)
    if block:
        yield block


def _cell_between(starts: list[int], previous: int, line: int) -> bool:
    """Whether a notebook cell starts after line ``previous`` and at or before ``line`` (sorted
    ``starts``): two comments with a cell boundary between them (and only blank lines around it)
    are in different cells."""
    index = bisect.bisect_right(starts, previous)
    return index < len(starts) and starts[index] <= line


def _content(comment: Comment) -> str:
    text = comment.text.lstrip("#")
    return text[1:] if text.startswith(" ") else text


def check(ctx: RuleContext[Options]) -> Iterator[Report]:
    min_lines = ctx.options.min_lines
    previous_line = 0
    source_lines = ctx.source.lines
    blank_lines = {number for number, line in enumerate(source_lines, start=1) if not line.strip()}
    comment_lines = {comment.line for comment in ctx.comments if comment.own_line}
    cell_starts = {span.first_line for span in ctx.source.cells}
    notebook = ctx.source.kind == "notebook"
    for block in _blocks(ctx.comments, blank_lines, cell_starts):
        lines = [_content(comment) for comment in block]
        if block[0].line <= 2 and lines[0].startswith("!") and not notebook:
            lines[0] = ""  # shebang
        in_brackets = [comment.in_brackets for comment in block]
        live_heads = _live_heads(source_lines, block[0].line, block[-1].line, comment_lines)
        doubled = [comment.text.startswith(("##", "# #")) for comment in block]
        for code_lines in _code_runs(lines, in_brackets, live_heads, shell=notebook, doubled=doubled):
            if len(code_lines) < min_lines:
                continue
            first, last = block[code_lines[0]], block[code_lines[-1]]
            if first.line <= previous_line:
                continue
            previous_line = last.line
            count = last.line - first.line + 1
            span = Span(first.line, first.column, last.line, last.column + len(last.text))
            yield Report(
                span,
                f"commented-out code ({count} line{'s' if count != 1 else ''}): delete it, or make it a real, "
                f"configurable option",
                hint="delete the block; version control keeps the old code",
                fix=Fix("delete the commented-out code", [delete_lines(span)]),
            )


def _live_heads(source_lines: list[str], first: int, last: int, comment_lines: set[int]) -> frozenset[str]:
    """What the nearest live code line above and below a block (lines ``first``–``last``) assigns or calls."""
    heads = set()
    for step, start in ((-1, first - 1), (1, last + 1)):
        line = start
        while 1 <= line <= len(source_lines) and abs(line - start) < _NEIGHBOURHOOD:
            text = source_lines[line - 1]
            if text.strip() and line not in comment_lines:
                head = statement_head(text)
                if head is not None:
                    heads.add(head)
                break
            line += step
    return frozenset(heads)


# How many lines away from a block (blank or comment lines between) the live code beside it may be.
_NEIGHBOURHOOD = 3


def _code_runs(lines: list[str], in_brackets: list[bool], live_heads: frozenset[str], shell: bool,
               doubled: list[bool] | None = None) -> Iterator[list[int]]:
    """The commented-out code of a block: the whole block when it reads as code, else each run of
    code lines between prose lines that holds a line that is certainly code (one statement
    between two lines of prose is still code; a doubly commented line, ``## resize the image``
    between two code lines, is a comment of the code switched off and does not split it). In a
    notebook, a commented shell line (``# !gsutil cp …``) is code."""
    if shell:
        lines = [_SHELL_AS_CODE if _SHELL.match(line) or _PIP_MAGIC.match(line) else line for line in lines]
    is_code, code_lines = block_is_code(lines, in_brackets, live_heads)
    if is_code:
        yield code_lines
        return
    run: list[int] = []
    for index in [*code_lines, None]:
        if index is not None and (not run or index == run[-1] + 1 or (
                doubled is not None and all(doubled[between] for between in range(run[-1] + 1, index)))):
            run.append(index)
            continue
        if run and block_is_code([lines[i] for i in run], [in_brackets[i] for i in run], live_heads)[0]:
            yield run
        run = [index] if index is not None else []


# A commented shell command in a notebook cell, and a line that stands for it (certainly code).
# A command starts with a program's name (pip, wget, gsutil, nvidia-smi, ./run.sh, {var}, $VAR), in
# lower case: "# ! THE EPOCH LOOP !" is a shouted heading, not a command.
_SHELL = re.compile(r"^\s*!\s*(?:[a-z{$./~]|[A-Za-z][\w.-]*\s+-)")
_SHELL_AS_CODE = "os.system(command)"
# IPython's pip and conda magics, with or without ``%`` (automagic): ``# pip install -U albumentations``
# as a whole line, package names and flags only.
_PIP_MAGIC = re.compile(
    r"^\s*%?(?:pip|conda)\s+install(?!.*\b(?:the|to|this|that|first|then|it|a|an|and|or|if|before|with|for)\b)"
    r"(?:\s+[-\w.\[\]=<>~,:/]*[-\w\]=<>~,:/])+\s*$", re.IGNORECASE)


VALID = [
    # Prose beside a return, and a statement-like comment next to other code.
    "def mean(x):\n    # return the mean over the batch\n    return x.mean()\n",
    "def f(x):\n    # return x\n    y = 2\n    return y\n",
    "def patches(images):\n    # return patches\n    return tf.reshape(images, [-1, 16])\n",
    # A documented example in a Markdown code fence (a notebook's markdown exported as comments;
    # a fence left open ends with its run of comment lines, see INVALID).
    "# Calling predict returns the top classes:\n#\n# ```python\n# probs, classes = predict(image_path, model)\n"
    "# print(probs)\n# ```\nx = 1\n",
    # Prose that leaves a parenthesis open is not a statement cut short.
    "# see the docs (chapter 3\n# TODO (later\nx = 1\n",
    "# x_new = lerp(x_old, momentum, weight)\nx = 1",  # a formula explained, not a statement switched off
    "# CHANGE = LR(add)\nx = 1",
    "# This is a normal comment explaining the next line.\nx = 1",
    "# (None, 7, 7, 1280)\nx = base(x)",
    "# Notice: channels-first\n# input_shape: [1, latent_dim, projection_dim]\nx = 1",
    "# tanh(v*h_k^T)\n# w^T*(tanh(...))\nx = 1",
    "# CHANGE(add / 255)\nx = 1",
    "# e.g. lr = 1e-3 works\nx = 1",
    "# return ioU\nreturn_value = 1",
    "# TODO: model.fit(x, y) once the data is ready\nx = 1",
    "x = 1  # noqa: F401\n# type: ignore\n# pylint: disable=invalid-name\n# fmt: off\ny = 2",
    "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\nx = 1",
    "# %%\nx = 1\n# %% [markdown]\n# Here we call `model.fit(x, y)` to train.\n# model.fit(x, y)\n# %%\ny = 2",
    "# /// script\n# dependencies = [\n#   \"requests<3\",\n# ]\n# ///\nx = 1",
    "# django>=4\n# continue\n# O(1)\nx = 1",
    "# var = E(x^2) - E(x)^2\n# scores = [B, N, T, S]\n# tpr = [1, 1, 0.5, 0.5, 0]\nx = 1",
    "# Denormalize: x = (x_norm * std) + mean\n# with sample_weight:\n# lr = 1e-3\nx = 1",
    "# base_group = effective_group (int)\n# model.jit_compile (not model.run_eagerly)\nx = 1",
    "# x_new = lerp(x_old, momentum, weight)\n# fn = sum(true_labels) - tp\nx = 1",
    "# Or, layout=tensor.Layout.fully_replicated(mesh, rank=2)\nx = 1",
    "# for x, y in data_gen.flow(...):\nx = 1",
    "# See https://keras.io/examples/vision/image_classification_from_scratch/\nx = 1",
    "# %matplotlib inline\n# !pip install -q efficientnet\nx = 1",
    # A heading that reads as an import, a shouted heading with "!" in a notebook.
    "# import data\ndf = read_csv(path)",
    "# import libraries\nimport numpy as np",
    "# Train the model for a few epochs and plot the curves.\n# Then fine-tune with a smaller learning rate.\nx = 1",
    "# ---------------------------------------\n# Data\n# ---------------------------------------\nx = 1",
    # Inside a call or a list: words, shapes and section labels are prose.
    "gen = ImageDataGenerator(\n    # DATA AUGMENTATION\n    rotation_range=20,\n)",
    "shape = (\n    # (batch, height, width)\n    None, 7, 7,\n)",
    "aug = A.Compose([\n    # geometry\n    A.HorizontalFlip(),\n])",
    # A formula next to code that assigns something else.
    "# y = w * x\nz = 1",
    # A function of maths applied to a symbol, a number given a one-word name.
    "# sigmoid(x)\n# n = 5\nz = 1",
]

INVALID = [
    Invalid("# ```\nx = 1\n# model.fit(x, y)\ny = 2\n", fixed="# ```\nx = 1\ny = 2\n", range=(3, 1, 3, 18)),
    # Statements cut short when they were switched off, and a call's results unpacked.
    Invalid("from augmentations import transform_aug\n# from augmentations2 import\nx = 1\n",
            fixed="from augmentations import transform_aug\nx = 1\n", range=(2, 1, 2, 29)),
    Invalid("x = 1\n# transform_normalize(params['im_size']\n", fixed="x = 1\n", range=(2, 1, 2, 40)),
    Invalid("x = 1\n# images, labels = next(iter(train_loader))\n", fixed="x = 1\n", range=(2, 1, 2, 44)),
    # The words of a string it prints are not the comment's prose.
    Invalid("x = 1\n#print('Validation score improved ({} --> {})'.format(best, score))\ny = 2\n",
            fixed="x = 1\ny = 2\n", range=(2, 1, 2, 68)),
    # A keyword argument switched off after the call was closed on the line above.
    Invalid("history = model.fit(x, y,\n                    epochs=3)\n    #callbacks = [early_stop])\nz = 1\n",
            fixed="history = model.fit(x, y,\n                    epochs=3)\nz = 1\n", range=(3, 5, 3, 31)),
    # A container built from another call's result.
    Invalid("gid2aid = dict(zip(gids, range(n)))\n# aid2gid = dict(zip(range(n), gids))\nz = 1\n",
            fixed="gid2aid = dict(zip(gids, range(n)))\nz = 1\n", range=(2, 1, 2, 38)),
    # The last argument of the call above, switched off with its closing bracket.
    Invalid("conv = nn.Sequential(nn.Conv2d(3, 32, 3),)\n#                     nn.BatchNorm2d(32))  # unstable\nx = 1\n",
            fixed="conv = nn.Sequential(nn.Conv2d(3, 32, 3),)\nx = 1\n", range=(2, 1, 2, 54)),
    # One switched-off statement is commented-out code too: a debugging print, an object built, a setting stored.
    Invalid("x = 1\n# print(x)\n", fixed="x = 1\n", range=(2, 1, 2, 11)),
    Invalid("# adam = Adam()\nx = 1", fixed="x = 1", range=(1, 1, 1, 16)),
    # One statement between two lines of prose: only that line goes.
    Invalid("# Keep the best epoch:\n# model.load_weights('best.h5')\n# before predicting.\nx = 1",
            fixed="# Keep the best epoch:\n# before predicting.\nx = 1", range=(2, 1, 2, 32)),
    Invalid('# os.environ["CUDA_VISIBLE_DEVICES"] = "0"\nx = 1', fixed="x = 1", range=(1, 1, 1, 43)),
    Invalid("gen = ImageDataGenerator(\n    # rescale=1/255,\n    rotation_range=20,\n)",
            fixed="gen = ImageDataGenerator(\n    rotation_range=20,\n)", range=(2, 5, 2, 21)),
    Invalid("# model.add(layers.BatchNormalization())\n# model.add(layers.Dense(256))\nx = 1", message="2 lines", fixed="x = 1", range=(1, 1, 2, 31)),
    Invalid("# tfsim.visualization.projector(\n#     embeddings, labels=labels,\n# )\nx = 1", fixed="x = 1", range=(1, 1, 3, 4)),
    Invalid("# if foo:\n#     x = 1\n# else:\n#     x = 2\ny = 1", fixed="y = 1", range=(1, 1, 4, 12)),
    Invalid("# env.render(); Adding this line would show the game\nx = 1", fixed="x = 1", range=(1, 1, 1, 53)),
    Invalid("# lr = 1e-3\n# model.compile(optimizer=Adam(lr))\nx = 1", fixed="x = 1", range=(1, 1, 2, 36)),
    Invalid("# import pdb; pdb.set_trace()\nx = 1", fixed="x = 1", range=(1, 1, 1, 30)),
    Invalid("x = 1\n\n# model.fit(x, y)\n\n# model.evaluate(x, y)\n", count=1, message="3 lines", fixed="x = 1\n", range=(3, 1, 5, 23)),
    Invalid("# model.fit(x, y)\nx = 1\n# model.evaluate(x, y)\n", count=2, fixed="x = 1\n", range=(1, 1, 1, 18)),
    Invalid(
        "def f():\n    # for layer in base.layers[:100]:\n    #     layer.trainable = False\n    return 1",
        fixed="def f():\n    return 1", range=(2, 5, 3, 34)
    ),
    Invalid(
        "# Step 4: augmentation\n# aug = A.Compose([\n#     A.HorizontalFlip(),\n#     A.Rotate(limit=20),\n# ])\nx = 1",
        message="4 lines",
        fixed="# Step 4: augmentation\nx = 1", range=(2, 1, 5, 5)
    ),
    Invalid(
        "x = 1\n\n# model.fit(x, y)\n# model.evaluate(x, y)\n\ny = 2  # kept\n",
        fixed="x = 1\n\ny = 2  # kept\n", range=(3, 1, 4, 23)
    ),
    # Among a call's arguments or a list's elements: an argument, element or entry switched off.
    Invalid("gen = ImageDataGenerator(\n    # rescale=1./255  # normalise\n)",
            fixed="gen = ImageDataGenerator(\n)", range=(2, 5, 2, 34)),
    Invalid("aug = A.Compose([\n    # A.CLAHE(clip_limit=2),\n    A.HorizontalFlip(),\n])",
            fixed="aug = A.Compose([\n    A.HorizontalFlip(),\n])", range=(2, 5, 2, 29)),
    Invalid("args = dict(\n    rotation=10,\n)\nCFG = {\n    # 'hue_delta': 0.4,\n    'flip': True,\n}",
            fixed="args = dict(\n    rotation=10,\n)\nCFG = {\n    'flip': True,\n}", range=(5, 5, 5, 24)),
    Invalid("aug = keras.Sequential([\n    layers.RandomRotation(0.2),\n    # layers.RandomZoom(0.2)],\n    layers.RandomZoom(0.1)])",
            fixed="aug = keras.Sequential([\n    layers.RandomRotation(0.2),\n    layers.RandomZoom(0.1)])", range=(3, 5, 3, 31)),
    # A dict switched off: its entries are code inside the block's own bracket.
    Invalid("# # vit\n# CFG = {\n#     'fold_num': 5,\n#     'img_size': 384,\n# }\nx = 1", fixed="# # vit\nx = 1", range=(2, 1, 5, 4)),
    # Switched-off alternatives of the code next to them, and lines prose never holds.
    Invalid("REPLICAS = strategy.num_replicas_in_sync\n# REPLICAS = 8\n", fixed="REPLICAS = strategy.num_replicas_in_sync\n",
            range=(2, 1, 2, 15)),
    Invalid("# set_lr(model, 16e-5)\nset_lr(model, 1e-5)\n", fixed="set_lr(model, 1e-5)\n", range=(1, 1, 1, 23)),
    Invalid("#WIDTH, HEIGHT = 448, 448\nWIDTH, HEIGHT = 380, 380\n", fixed="WIDTH, HEIGHT = 380, 380\n", range=(1, 1, 1, 26)),
    Invalid("def item(x, meta):\n    #return (x, meta)\n    return x\n", fixed="def item(x, meta):\n    return x\n",
            range=(2, 5, 2, 22)),
    # Arguments written comma first: the comment is an argument switched off.
    Invalid("gen = ImageDataGenerator(\n    rescale=1./255\n    , rotation_range=40\n#    , preprocessing_function=hair_remove\n)\n",
            fixed="gen = ImageDataGenerator(\n    rescale=1./255\n    , rotation_range=40\n)\n", range=(4, 1, 4, 42)),
    # A doubly commented line is a comment of the code switched off around it: one block.
    Invalid("def load(path):\n    # Read the image named path\n    #image = cv2.imread(path)\n    ## resize the image\n"
            "    #image = cv2.resize(image, (512, 512))\n    ## to grey\n    return path\n",
            fixed="def load(path):\n    # Read the image named path\n    ## to grey\n    return path\n", range=(3, 5, 5, 43)),
    Invalid("# model = load_model(path + 'step_1')\nx = 1", fixed="x = 1", range=(1, 1, 1, 38)),
    Invalid("# x = Dropout(0.5)(x)\nx = 1", fixed="x = 1", range=(1, 1, 1, 22)),
    Invalid("# history = []\nx = 1", fixed="x = 1", range=(1, 1, 1, 15)),
    # A step of the script switched off, an output in a notebook, a setting with a name of code.
    Invalid("# use_lr_finder()\nx = 1", fixed="x = 1", range=(1, 1, 1, 18)),
    Invalid("# run_training(FOLD)\nx = 1", fixed="x = 1", range=(1, 1, 1, 21)),
    Invalid("x = 1\n# display(df)\n", fixed="x = 1\n", range=(2, 1, 2, 14)),
    Invalid("# dropout_rate = 0.3\nx = 1", fixed="x = 1", range=(1, 1, 1, 21)),
    Invalid("# mean_fill_value = [103, 131, 82]\nx = 1", fixed="x = 1", range=(1, 1, 1, 35)),
    Invalid("# weights = compute_class_weights(train_df)\nx = 1", fixed="x = 1", range=(1, 1, 1, 44)),
    Invalid("# KFold(n_splits=10)\nx = 1", fixed="x = 1", range=(1, 1, 1, 21)),
    Invalid("# for fold, models in enumerate(folds): # outer loop\nx = 1", fixed="x = 1", range=(1, 1, 1, 53)),
    Invalid("# # x = Flatten()(x)\nx = 1", fixed="x = 1", range=(1, 1, 1, 21)),
    Invalid(
        "for layer in base.layers:\n    layer.trainable = True\n    # model.summary()\nx = 1\n",
        fixed="for layer in base.layers:\n    layer.trainable = True\nx = 1\n", range=(3, 5, 3, 22)
    ),
]
