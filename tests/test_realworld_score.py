"""The real-world scorer: how findings are matched to hand labels."""

from __future__ import annotations

from bench.realworld.score import Mark, match, report


def _mark(rule: str, line: int, cell: int | None = 3, file: str = "o__r/a.ipynb") -> Mark:
    return Mark(file, rule, cell, line, "")


def test_a_finding_matches_the_nearest_label_of_its_rule_file_and_cell_within_the_slack() -> None:
    labels = [_mark("RL102", 10), _mark("RL102", 14), _mark("RL101", 10), _mark("RL102", 10, cell=4)]
    found = [_mark("RL102", 12), _mark("RL102", 15), _mark("RL101", 30), _mark("RL102", 10, file="o__r/b.ipynb")]
    pairs, misses, false = match(labels, found, slack=2)
    assert [(label.line, finding.line) for label, finding in pairs] == [(14, 15), (10, 12)]
    assert [(m.rule, m.line, m.cell) for m in misses] == [("RL101", 10, 3), ("RL102", 10, 4)]
    assert [(f.rule, f.line, f.file) for f in false] == [("RL101", 30, "o__r/a.ipynb"), ("RL102", 10, "o__r/b.ipynb")]


def test_each_label_and_each_finding_pairs_at_most_once() -> None:
    pairs, misses, false = match([_mark("RL401", 5)], [_mark("RL401", 5), _mark("RL401", 6)], slack=2)
    assert len(pairs) == 1 and misses == [] and [f.line for f in false] == [6]


def test_the_report_gives_recall_and_precision_per_rule_and_overall() -> None:
    labels = [_mark("RL102", 1), _mark("RL102", 20), _mark("RL201", 5)]
    found = [_mark("RL102", 1), _mark("RL201", 40)]
    table = report(*match(labels, found, slack=2))
    assert "| RL102 | 2 | 1 | 1 | 0 | 0.50 | 1.00 |" in table
    assert "| RL201 | 1 | 0 | 1 | 1 | 0.00 | 0.00 |" in table
    assert "| all | 3 | 1 | 2 | 1 | 0.33 | 0.50 |" in table


def test_labels_inside_a_block_finding_pair_with_it_and_precision_counts_the_finding_once() -> None:
    block = Mark("o__r/a.ipynb", "RL401", 3, 8, "", end_line=12)
    labels = [_mark("RL401", 8), _mark("RL401", 10), _mark("RL401", 12), _mark("RL401", 14)]
    pairs, misses, false = match(labels, [block], slack=2)
    assert sorted(label.line for label, _ in pairs) == [8, 10, 12]
    assert [m.line for m in misses] == [14] and false == []
    assert "| RL401 | 4 | 3 | 1 | 0 | 0.75 | 1.00 |" in report(pairs, misses, false)


def test_a_single_line_finding_pairs_with_one_label_only() -> None:
    pairs, misses, false = match([_mark("RL401", 5), _mark("RL401", 6)], [_mark("RL401", 5)], slack=2)
    assert len(pairs) == 1 and [m.line for m in misses] == [6] and false == []


def test_ids_name_single_files_and_inclusive_ranges_in_manifest_order() -> None:
    from bench.realworld.score import _ids

    known = ["T01", "T02", "T03", "T10"]
    assert _ids("T02-T10", known) == {"T02", "T03", "T10"}
    assert _ids("T01, T03", known) == {"T01", "T03"}


def test_findings_in_a_project_module_that_is_not_in_the_manifest_are_not_scored() -> None:
    from bench.realworld.score import Entry, judged

    entries = [Entry("A01", "o/r", "0" * 40, "train.py", "python")]
    inside, outside = _mark("RL201", 3, None, "o__r/train.py"), _mark("RL201", 16, None, "o__r/data_generator.py")
    assert judged([inside, outside], entries) == ([inside], [outside])
