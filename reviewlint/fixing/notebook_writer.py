"""Writing a fixed module back into the notebook it was joined from.

:func:`reviewlint.source.files.notebook_module` joins a notebook's code cells into one module, masking
magics with placeholders and removing a cell's leading indentation. After the fixer has edited
that module, :func:`write_back` puts the result back into the notebook:

- the old and new module are compared line by line; every unchanged line is written back as the
  cell's *original* line — so masked magics, shell lines and stripped indentation come back
  exactly as they were — and changed or inserted lines go to the cell they belong to (an
  inserted line to the cell of the line before it), with the cell's indentation restored;
- only the ``source`` (nbformat 3: ``input``) values of changed code cells are rewritten, spliced
  into the file's own bytes in the form they had (a list of lines, with its indentation and line
  endings, or one string): every other byte of the file — other cells, outputs, metadata, numbers,
  escapes, duplicate keys, the JSON layout — stays exactly as it was.

A change that would alter a masked line, a cell left out because it does not parse (a *broken*
cell), or that straddles two cells, is refused with :class:`CellMappingError`: the fixer then
leaves the notebook alone.
"""

from __future__ import annotations

import bisect
import difflib
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from reviewlint.fixing.notebook_json import splice_sources
from reviewlint.source.files import cell_code, cell_lines, notebook_cells, prepare_cell


class CellMappingError(Exception):
    """A change of the joined module that cannot be put back into the cells."""


@dataclass
class _Cell:
    index: int  # 1-based position in the cells list
    cell: dict[str, object]
    code: str  # the cell's code as stored
    newline: str
    original: list[str]  # its lines, as stored (line endings normalised)
    module: list[str]  # its lines in the joined module
    masked_lines: tuple[bool, ...]  # which module lines are placeholders
    indent: str  # leading indentation removed from the cell's first line
    broken: bool = False
    new: list[str] = field(default_factory=list)
    changed: bool = False

    def masked(self, line: int) -> bool:
        """Whether module line ``line`` of this cell is a placeholder for something else."""
        return self.broken or self.masked_lines[line]

    def refusal(self, line: int) -> CellMappingError:
        """Why module line ``line`` (a placeholder) cannot be changed."""
        if self.broken:
            return CellMappingError(f"a fix would change cell {self.index}, which does not parse")
        return CellMappingError(f"a fix would change the magic or shell line {line + 1} of cell {self.index}")


def _cells(data: object, broken: Mapping[int, int | None] | Collection[int] = ()) -> list[_Cell]:
    """The code cells; a ``broken`` cell's lines are blank in the module (all of them, or, where
    ``broken`` maps the cell to a line, only that 1-based line of a cell linted without it)."""
    cells: list[_Cell] = []
    for index, cell in enumerate(notebook_cells(data), start=1):
        code = cell_code(cell, index)
        if code is None:
            continue
        newline = "\r\n" if "\r\n" in code else "\n"
        prepared = prepare_cell(code)
        module = list(prepared.module)
        if index in broken:
            blank = broken.get(index) if isinstance(broken, Mapping) else None
            if blank is None:
                module = [""] * len(module)
            elif 0 < blank <= len(module):
                module[blank - 1] = ""
        indent = next((removed for removed, line in zip(prepared.removed, prepared.module) if line.strip()), "")
        cells.append(_Cell(index, cell, code, newline, cell_lines(code), module, prepared.masked, indent, index in broken))
    return cells


def masked_lines(raw: bytes, broken: Mapping[int, int | None] | Collection[int] = ()) -> set[int]:
    """The 1-based lines of the joined module that are placeholders (masked magics, %%bash bodies,
    broken cells)."""
    found: set[int] = set()
    line = 1
    for cell in _cells(json.loads(raw.decode("utf-8-sig")), broken):
        for offset in range(len(cell.module)):
            if cell.masked(offset):
                found.add(line + offset)
        line += len(cell.module)
    return found


def _insertion_cell(owner: list[tuple[_Cell, int]], i1: int, i2: int) -> _Cell:
    """The cell that new lines replacing old lines ``i1:i2`` (or inserted before line ``i1``) go to:
    the cell of the lines they replace; for an insertion, the cell of the line before it — unless
    that line is a placeholder (the body of a ``%%bash`` or ``%%writefile`` cell, a magic at a
    cell's end), where the code would not run as Python: then the cell of the line after it."""
    if i1 < i2:
        return owner[i1][0]
    if not owner:
        raise CellMappingError("the notebook has no code cell to put the fix in")
    if i1 > 0:
        before, offset = owner[i1 - 1]
        if not before.masked(offset) or i1 == len(owner) or owner[i1][0] is before:
            return before
    return owner[min(i1, len(owner) - 1)][0]


def _with_indent(cell: _Cell, line: str) -> str:
    return cell.indent + line if cell.indent and line.strip() else line


def write_back(
    raw: bytes, old_text: str, new_text: str, broken: Mapping[int, int | None] | Collection[int] = ()
) -> tuple[bytes, list[tuple[int, str, str]]]:
    """The notebook ``raw`` with its code cells rewritten so that they join to ``new_text``.

    ``old_text`` is the module :func:`reviewlint.source.files.notebook_module` made of ``raw`` (with the
    ``broken`` cells blank, as :func:`_cells` says). Returns the new notebook bytes and, for each changed cell, (cell
    index, old code, new code).
    """
    data = json.loads(raw.decode("utf-8-sig"))
    cells = _cells(data, broken)
    owner: list[tuple[_Cell, int]] = [(cell, offset) for cell in cells for offset in range(len(cell.module))]
    old_lines = old_text.split("\n")
    if old_lines and old_lines[-1] == "":
        old_lines.pop()
    if [cell.module[offset] for cell, offset in owner] != old_lines:
        raise CellMappingError("the notebook changed while it was being fixed")
    new_lines = new_text.split("\n")
    if new_lines and new_lines[-1] == "":
        new_lines.pop()
    for tag, i1, i2, j1, j2 in line_opcodes(old_lines, new_lines):
        if tag == "equal":
            for position in range(i1, i2):
                cell, offset = owner[position]
                cell.new.append(cell.original[offset])
            continue
        touched = {id(owner[position][0]) for position in range(i1, i2)}
        if len(touched) > 1 and tag == "replace":
            _replace_across_cells(owner, old_lines, new_lines, i1, i2, j1, j2)
            continue
        for position in range(i1, i2):
            cell, offset = owner[position]
            cell.changed = True
            if cell.masked(offset):
                raise cell.refusal(offset)
        if tag == "delete":
            continue
        target = _insertion_cell(owner, i1, i2)
        if target.broken:
            raise CellMappingError(f"a fix would change cell {target.index}, which does not parse")
        target.changed = True
        target.new.extend(_with_indent(target, line) for line in new_lines[j1:j2])
    changes: list[tuple[int, str, str]] = []
    for cell in cells:
        if not cell.changed:
            continue
        tail = cell.original[len(cell.module) :]
        text = cell.newline.join(cell.new + tail) if cell.new or tail else ""
        if text.replace(cell.newline, "\n") == cell.code.replace("\r\n", "\n"):
            continue
        changes.append((cell.index, cell.code, text))
    if not changes:
        return raw, []
    return splice_sources(raw, {index: text for index, _, text in changes}), changes


def _replace_across_cells(
    owner: list[tuple[_Cell, int]], old_lines: list[str], new_lines: list[str], i1: int, i2: int, j1: int, j2: int
) -> None:
    """Put a changed run of lines that spans cells back, pairing each new line with the old line
    it most resembles (in order); a new line without a partner goes to the cell of the old line
    before it."""
    pairs = _align(old_lines[i1:i2], new_lines[j1:j2])
    cell = owner[i1][0]
    for old, new in pairs:
        if old is not None:
            cell, offset = owner[i1 + old]
            cell.changed = True
            if cell.masked(offset) and (new is None or new_lines[j1 + new] != old_lines[i1 + old]):
                raise cell.refusal(offset)
            if new is not None and new_lines[j1 + new] == old_lines[i1 + old]:
                cell.new.append(cell.original[offset])
                continue
        if new is not None:
            cell.changed = True
            cell.new.append(_with_indent(cell, new_lines[j1 + new]))


def _align(old: list[str], new: list[str]) -> list[tuple[int | None, int | None]]:
    """An order-keeping pairing of similar lines (similarity >= 0.6) that maximises the total."""
    def score(a: str, b: str) -> float:
        ratio = difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
        return ratio if ratio >= 0.6 else 0.0

    rows, cols = len(old), len(new)
    best = [[0.0] * (cols + 1) for _ in range(rows + 1)]
    for i in range(rows - 1, -1, -1):
        for j in range(cols - 1, -1, -1):
            pair = score(old[i], new[j])
            best[i][j] = max(best[i + 1][j], best[i][j + 1], best[i + 1][j + 1] + pair if pair else 0.0)
    pairs: list[tuple[int | None, int | None]] = []
    i = j = 0
    while i < rows or j < cols:
        if i < rows and j < cols:
            pair = score(old[i], new[j])
            if pair and best[i][j] == best[i + 1][j + 1] + pair:
                pairs.append((i, j))
                i, j = i + 1, j + 1
                continue
            if best[i][j] == best[i + 1][j]:
                pairs.append((i, None))
                i += 1
                continue
            pairs.append((None, j))
            j += 1
        elif i < rows:
            pairs.append((i, None))
            i += 1
        else:
            pairs.append((None, j))
            j += 1
    return pairs


Opcode = tuple[str, int, int, int, int]
# Above this many line pairs, a gap without a line unique to both sides is not aligned line by line.
_MAX_GAP_PAIRS = 250_000


def line_opcodes(old: list[str], new: list[str]) -> list[Opcode]:
    """``difflib.SequenceMatcher(None, old, new).get_opcodes()``, in about linear time.

    A patience diff: common leading and trailing lines are matched first, then the lines that
    occur once in each side, in order, anchor the rest; only the small gaps between anchors go to
    ``SequenceMatcher``. A notebook of thousands of cells with lines repeated in every cell
    (``pass`` placeholders, ``return (a, b)``) took difflib minutes (quadratic in repeated lines).
    """
    found: list[Opcode] = []
    _diff(old, 0, len(old), new, 0, len(new), found)
    merged: list[Opcode] = []
    for op in found:
        if op[1] == op[2] and op[3] == op[4]:
            continue
        if merged and merged[-1][0] == op[0]:
            last = merged[-1]
            merged[-1] = (op[0], last[1], op[2], last[3], op[4])
        else:
            merged.append(op)
    return merged


def _diff(old: list[str], alo: int, ahi: int, new: list[str], blo: int, bhi: int, out: list[Opcode]) -> None:
    start_a, start_b = alo, blo
    while alo < ahi and blo < bhi and old[alo] == new[blo]:
        alo, blo = alo + 1, blo + 1
    out.append(("equal", start_a, alo, start_b, blo))
    end_a, end_b = ahi, bhi
    while ahi > alo and bhi > blo and old[ahi - 1] == new[bhi - 1]:
        ahi, bhi = ahi - 1, bhi - 1
    if alo == ahi or blo == bhi:
        out.append(("delete" if blo == bhi else "insert", alo, ahi, blo, bhi))
    else:
        anchors = _unique_anchors(old, alo, ahi, new, blo, bhi)
        if anchors:
            i, j = alo, blo
            for a, b in anchors:
                _diff(old, i, a, new, j, b, out)
                out.append(("equal", a, a + 1, b, b + 1))
                i, j = a + 1, b + 1
            _diff(old, i, ahi, new, j, bhi, out)
        elif (ahi - alo) * (bhi - blo) <= _MAX_GAP_PAIRS:
            matcher = difflib.SequenceMatcher(None, old[alo:ahi], new[blo:bhi], autojunk=False)
            out.extend((tag, alo + i1, alo + i2, blo + j1, blo + j2) for tag, i1, i2, j1, j2 in matcher.get_opcodes())
        else:
            out.append(("replace", alo, ahi, blo, bhi))
    out.append(("equal", ahi, end_a, bhi, end_b))


def _unique_anchors(old: list[str], alo: int, ahi: int, new: list[str], blo: int, bhi: int) -> list[tuple[int, int]]:
    """The longest in-order run of lines that occur exactly once in both ranges: (old, new) index pairs."""
    counts: dict[str, list[int]] = {}
    for i in range(alo, ahi):
        entry = counts.setdefault(old[i], [0, 0, i, -1])
        entry[0] += 1
    for j in range(blo, bhi):
        found = counts.get(new[j])
        if found is not None:
            found[1] += 1
            found[3] = j
    pairs = sorted((entry[2], entry[3]) for entry in counts.values() if entry[0] == 1 and entry[1] == 1)
    # Longest increasing subsequence of the new positions (patience sorting).
    tails: list[int] = []
    previous: list[int] = [-1] * len(pairs)
    tail_index: list[int] = []
    for k, (_, j) in enumerate(pairs):
        position = bisect.bisect_left(tails, j)
        if position == len(tails):
            tails.append(j)
            tail_index.append(k)
        else:
            tails[position] = j
            tail_index[position] = k
        previous[k] = tail_index[position - 1] if position else -1
    chain: list[tuple[int, int]] = []
    k = tail_index[-1] if tail_index else -1
    while k >= 0:
        chain.append(pairs[k])
        k = previous[k]
    return chain[::-1]


def code_cells(raw: bytes) -> dict[int, str]:
    """Each code cell's code by cell index (for diffs)."""
    data = json.loads(raw.decode("utf-8-sig"))
    return {cell.index: cell.code for cell in _cells(data)}
