"""Speed without changing results: the cache, parallel jobs, the fast walk and node positions.

Findings, errors and notices must be identical with and without the cache and with one or
several jobs; the fast traversal must make the same calls as libcst's; node positions must be
libcst's PositionProvider's.

The cache trusts only its own entries (a forged or pickled entry is a miss, a committed symbolic
link is not followed), keeps the most recently used entries, and ``reviewlint clean`` removes it.
"""

from __future__ import annotations

import ast
import dataclasses
import hmac
import inspect
import json
import multiprocessing
import os
import pickle
import random
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import libcst as cst
import pytest
from click.testing import CliRunner
from libcst.metadata import MetadataWrapper, PositionProvider

from reviewlint.analysis.walk import _TRIVIA, StatementIndex, child_fields, walk
from reviewlint.cli import cli
from reviewlint.lint import runner
from reviewlint.lint.finding import Finding
from reviewlint.lint.registry import all_rules
from reviewlint.run import cache as cache_module
from reviewlint.run import loop as run
from reviewlint.run.cache import CACHE_DIR_NAME, Cache, CacheError, code_fingerprint, default_cache_dir, remove_cache
from reviewlint.run.config import ConfigResolver, Overrides, Settings
from reviewlint.run.loop import lint_path
from reviewlint.run.parallel import chunks
from reviewlint.run.result import FileResult, RunResult
from reviewlint.source.files import load_source
from reviewlint.source.positions import NodePositions
from tests.conftest import run_cli, write_notebook

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
FLIP = "import albumentations as A\ntrain_aug = A.Compose([A.VerticalFlip(p=0.5)])\n"
posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX files")

# Source that exercises what the walk and the positions must get right.
TRICKY = [
    'x = f"{value:>{width}.{precision}f} {other!r} {plain}"\n',
    "@decorator(1)\n@other\nclass A(Base, metaclass=M):\n    '''doc'''\n\n    def f(self, a, /, b=2, *args, c, **kw) -> int:\n        return a\n",
    "if a:\n    x = 1\nelif b:\n    x = 2\nelif c:\n    x = 3\nelse:\n    x = 4\n",
    "try:\n    pass\nexcept (A, B) as e:\n    raise\nelse:\n    y = 1\nfinally:\n    z = 2\n",
    "match p:\n    case [1, 2, *rest]:\n        pass\n    case {'k': v, **kw}:\n        pass\n    case Point(x=0) | None:\n        pass\n",
    "from . import (a,\n    b as c)\nfrom ..pkg import *\nimport os.path as osp\n",
    "async def g():\n    async with a as b, c:\n        async for i in x:\n            await y\n    return [i async for i in z if i]\n",
    "lambda x, *y, z=1: (yield)\nx = [a for a in b for c in d if e]\ny = {k: v for k, v in w}\nz = (i for i in j)\n",
    "a = b if c else d\ne = not f and g or h\ni = j[1:2, ::3]\nk = -l ** m @ n\no += 1\np: int = 2\n",
    "with open(a) as f, open(b) as g:\n\tdata = f.read()  # tab-indented\n\tdel data\n",
    "global_value = 1\ndef h():\n    global global_value\n    nonlocal_ = 2\n    assert h, 'msg'\n",
    "x = 1\r\ny = (1,\r\n     2)\r\nif x:\r\n    y = 3\r\n",
    "x = 1\nprint(x)\nprint(x)\nif x:\n    print(x)\n    print(x)\nprint(x)",  # duplicates, no final newline
    "def f():\n    s = '''\nprint(x)\n'''\n    print(x)\nprint(x)\n",  # the same line inside a string
    "x = (\n    # a comment\n    1  # trailing\n)\n\n\n# leading comment\ny = [\n    1,\n    2,\n]\n",
    "class C:\n    def f(self):\n        if a:\n            for i in b:\n                while c:\n                    with d:\n                        e(i).g[1] = 2\n",
    "def f[T](x: T) -> T:\n    return x\ntype Alias = list[int]\n",
]


def _parses(text: str) -> cst.Module | None:
    try:
        return cst.parse_module(text)
    except Exception:  # noqa: BLE001 - syntax this libcst does not accept
        return None


def _modules() -> list[tuple[str, cst.Module, str]]:
    found = []
    for number, text in enumerate(TRICKY):
        module = _parses(text)
        if module is not None:
            found.append((f"tricky-{number}", module, text))
    for path in sorted(FIXTURES.rglob("*")):
        if path.suffix in (".py", ".ipynb"):
            text = load_source(path, path.read_bytes()).text
            module = _parses(text)
            if module is not None:
                found.append((str(path), module, text))
    for rule in all_rules():
        for example in (*rule.valid, *rule.invalid):
            module = _parses(example.code)
            if module is not None:
                found.append((rule.code, module, example.code))
    return found


MODULES = _modules()


# The fast walk -----------------------------------------------------------------------------------
_NODE_NAMES = [name for name, value in vars(cst).items() if isinstance(value, type) and issubclass(value, cst.CSTNode)]


def _recorder(trivia: bool, prune: bool) -> type[cst.CSTVisitor]:
    namespace: dict[str, object] = {}
    for name in _NODE_NAMES:
        if not trivia and getattr(cst, name) in _TRIVIA:
            continue

        def visit(self, node, name=name):  # type: ignore[no-untyped-def]
            self.log.append(("visit", name, id(node)))
            if prune and name in ("Lambda", "Import", "Subscript", "FormattedString"):
                return False
            return None

        def leave(self, node, name=name):  # type: ignore[no-untyped-def]
            self.log.append(("leave", name, id(node)))

        namespace[f"visit_{name}"] = visit
        namespace[f"leave_{name}"] = leave
    for node_name, fields in (("If", ("test", "body", "orelse")), ("Call", ("func", "args", "lpar")),
                              ("FormattedStringExpression", ("format_spec", "expression")),
                              ("FunctionDef", ("decorators", "body", "whitespace_after_def"))):
        for field in fields:
            namespace[f"visit_{node_name}_{field}"] = lambda self, node, field=field: self.log.append(("in", field, id(node)))
            namespace[f"leave_{node_name}_{field}"] = lambda self, node, field=field: self.log.append(("out", field, id(node)))

    def __init__(self):  # type: ignore[no-untyped-def]
        cst.CSTVisitor.__init__(self)
        self.log = []

    namespace["__init__"] = __init__
    return type(f"Recorder{trivia}{prune}", (cst.CSTVisitor,), namespace)


@pytest.mark.parametrize("trivia,prune", [(False, False), (True, False), (False, True)])
def test_walk_makes_the_same_calls_as_libcst(trivia: bool, prune: bool) -> None:
    recorder = _recorder(trivia, prune)
    assert len(MODULES) > 30
    for where, module, _ in MODULES:
        expected, actual = recorder(), recorder()
        module.visit(expected)
        walk(module, actual)
        assert actual.log == expected.log, where


class _FewHooks(cst.CSTVisitor):
    """Real hooks for a few classes; libcst's no-op stubs for every other one."""

    def __init__(self) -> None:
        super().__init__()
        self.log: list[tuple[str, str]] = []

    def visit_Name(self, node: cst.Name) -> None:
        self.log.append(("name", node.value))

    def leave_Call(self, original_node: cst.Call) -> None:
        self.log.append(("call", type(original_node.func).__name__))

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        self.log.append(("lambda", ""))
        return False


class _CommentHooks(_FewHooks):
    def visit_Comment(self, node: cst.Comment) -> None:
        self.log.append(("comment", node.value))


@pytest.mark.parametrize("visitor", [_FewHooks, _CommentHooks])
def test_walk_skips_libcsts_no_op_stubs_only(visitor: type[_FewHooks]) -> None:
    for where, module, _ in MODULES:
        expected, actual = visitor(), visitor()
        module.visit(expected)
        walk(module, actual)
        assert actual.log == expected.log, where


def test_walk_falls_back_for_visitors_it_cannot_stand_in_for() -> None:
    class Custom(cst.CSTVisitor):
        def __init__(self) -> None:
            super().__init__()
            self.seen = 0

        def on_visit(self, node: cst.CSTNode) -> bool:
            self.seen += 1
            return True

    module = cst.parse_module("x = f(1)\n")
    expected, actual = Custom(), Custom()
    module.visit(expected)
    walk(module, actual)
    assert actual.seen == expected.seen > 5


def _static_field_order(cls: type) -> list[str]:
    """The fields ``_visit_and_replace_children`` visits, read from its source."""
    method = cls._visit_and_replace_children  # type: ignore[attr-defined]
    tree = ast.parse(inspect.getsource(method).strip())
    calls = [
        node for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id.startswith("visit_")
        and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant)
    ]
    calls.sort(key=lambda node: (node.lineno, node.col_offset))
    return list(dict.fromkeys(call.args[1].value for call in calls))  # type: ignore[attr-defined]


def test_child_field_order_is_libcsts_source_order() -> None:
    classes = [getattr(cst, name) for name in _NODE_NAMES]
    checked = 0
    for cls in classes:
        if inspect.isabstract(cls) or "_visit_and_replace_children" not in vars(cls):
            continue
        assert list(child_fields(cls)) == _static_field_order(cls), cls.__name__
        checked += 1
    assert checked > 100


# Node positions ----------------------------------------------------------------------------------
def test_node_positions_are_position_providers() -> None:
    compared = 0
    for where, module, text in MODULES:
        expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        index = StatementIndex(module)
        index.locate()
        nodes = [node for node in expected if id(node) in index.statement_of]
        # One fresh mapping per node, so each is placed on its own (not found through a neighbour).
        for node in nodes[:: max(1, len(nodes) // 60)]:
            assert NodePositions(module, text)[node] == expected[node], (where, type(node).__name__)
            compared += 1
        shared = NodePositions(module, text)
        for node in nodes:
            assert shared[node] == expected[node], (where, type(node).__name__)
    assert compared > 500


def test_node_positions_of_nodes_outside_the_module_raise_as_before() -> None:
    module = cst.parse_module("x = 1\n")
    with pytest.raises(KeyError):
        NodePositions(module, "x = 1\n")[cst.Name("x")]


# Results: identical with and without the cache, with 1 or N jobs --------------------------------
def _generated_tree(root: Path, files: int = 40) -> Path:
    """A tree of files built from the rules' examples, fixtures and bad inputs."""
    rng = random.Random(6)
    examples = [example.code for rule in all_rules() for example in (*rule.valid, *rule.invalid)]
    for number in range(files):
        folder = root / f"pkg{number % 5}" / ("sub" if number % 3 == 0 else "")
        folder.mkdir(parents=True, exist_ok=True)
        body = "\n\n".join(rng.sample(examples, k=min(len(examples), 1 + number % 4)))
        (folder / f"module_{number}.py").write_text(body + "\n", encoding="utf-8")
    for source in FIXTURES.rglob("*"):
        if source.suffix in (".py", ".ipynb"):
            shutil.copy(source, root / f"fixture_{source.parent.name}_{source.name}")
    (root / "broken_syntax.py").write_text("def f(:\n    pass\n", encoding="utf-8")
    (root / "bad_encoding.py").write_bytes(b"x = '\xff\xfe'\n")
    (root / "bad_notebook.ipynb").write_text("{not json", encoding="utf-8")
    (root / "empty.py").write_text("", encoding="utf-8")
    (root / "crlf.py").write_bytes(b"import albumentations as A\r\naug = A.VerticalFlip(p=0.5)\r\n")
    return root


def _run(paths: list[Path], jobs: int, cache: Cache | None, overrides: Overrides | None = None) -> RunResult:
    rules = all_rules()
    return run.run_paths(paths, ConfigResolver(rules, overrides or Overrides()), rules, jobs=jobs, cache=cache)


def _summary(result: RunResult) -> tuple[object, ...]:
    return (
        [(repr(finding), finding.source_lines) for finding in result.findings],
        [repr(error) for error in result.errors],
        [repr(skipped) for skipped in result.skipped],
        list(result.notices),
        result.files_checked,
    )


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _generated_tree(tmp_path_factory.mktemp("tree"))


@pytest.mark.parametrize("target", ["fixtures", "generated"])
def test_results_identical_with_and_without_cache_and_jobs(target: str, tree: Path, tmp_path: Path) -> None:
    paths = [FIXTURES] if target == "fixtures" else [tree]
    rules = all_rules()
    baseline = _summary(_run(paths, jobs=1, cache=None))
    assert baseline[0], "the corpus has findings"
    if target == "generated":
        assert any("RL001" in finding for finding, _ in baseline[0]), "and code that does not parse"
    one = Cache.open(tmp_path / "one", rules)
    two = Cache.open(tmp_path / "two", rules)
    runs = {
        "1 job, cache cold": _run(paths, 1, one),
        "1 job, cache warm": _run(paths, 1, one),
        "2 jobs, no cache": _run(paths, 2, None),
        "3 jobs, no cache": _run(paths, 3, None),
        "2 jobs, cache cold": _run(paths, 2, two),
        "2 jobs, cache warm": _run(paths, 2, two),
        "2 jobs, cache written by 1 job": _run(paths, 2, one),
        "1 job, cache written by 2 jobs": _run(paths, 1, two),
    }
    for label, result in runs.items():
        assert _summary(result) == baseline, label


def test_warm_run_reads_the_cache_and_keeps_errors(tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = Cache.open(tmp_path / "cache", all_rules())
    cold = _run([tree], 1, cache)
    unparsable = [finding for finding in cold.findings if finding.code == "RL001"]
    assert any("syntax error" in finding.message for finding in unparsable)
    assert any(finding.location.path.endswith("bad_notebook.ipynb") for finding in unparsable)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("linted although cached")

    monkeypatch.setattr(runner, "lint_source", refuse)
    for jobs in (1, 2):
        assert _summary(_run([tree], jobs, cache)) == _summary(cold)


def test_cache_key_follows_bytes_settings_and_code(tmp_path: Path) -> None:
    target = tmp_path / "train.py"
    target.write_text("import albumentations as A\naug = A.VerticalFlip(p=0.5)\n", encoding="utf-8")
    cache = Cache.open(tmp_path / "cache", all_rules())
    first = _run([target], 1, cache)
    assert first.findings
    target.write_text("import albumentations as A\naug = A.HorizontalFlip(p=0.5)\n", encoding="utf-8")
    assert _summary(_run([target], 1, cache)) == _summary(_run([target], 1, None))
    target.write_text("import albumentations as A\naug = A.VerticalFlip(p=0.5)\n", encoding="utf-8")
    ignored = _run([target], 1, cache, Overrides(ignore=(first.findings[0].code,)))
    assert first.findings[0].code not in {finding.code for finding in ignored.findings}


def test_code_fingerprint_changes_when_a_rule_changes(tmp_path: Path) -> None:
    rule_file = tmp_path / "my_rule.py"
    rule_file.write_text("CODE = 'RL999'\n", encoding="utf-8")

    class Module:
        __file__ = str(rule_file)

    fake = dataclasses.replace(all_rules()[0], module=Module)  # type: ignore[arg-type]
    before = code_fingerprint([fake])
    assert code_fingerprint([fake]) == before
    rule_file.write_text("CODE = 'RL999'  # edited\n", encoding="utf-8")
    assert code_fingerprint([fake]) != before
    assert code_fingerprint(all_rules()) != before


def test_code_fingerprint_reads_every_module_of_the_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """A change anywhere in the package (the analysis, the knowledge tables, the reports), not only
    beside the cache module, gives cached results a new key."""
    import reviewlint
    from reviewlint.run import cache as cache_module

    package = Path(reviewlint.__file__).resolve().parent
    read: list[Path] = []
    original = cache_module._package_files

    def recording(directory: Path) -> Iterator[Path]:
        for path in original(directory):
            read.append(path.resolve())
            yield path

    monkeypatch.setattr(cache_module, "_package_files", recording)
    code_fingerprint([])
    for module in ("analysis/commented_code.py", "knowledge/backbones.py", "lint/runner.py", "report/text.py", "cli.py"):
        assert package / module in read, module


def test_corrupt_and_foreign_entries_are_ignored(tree: Path, tmp_path: Path) -> None:
    cache = Cache.open(tmp_path / "cache", all_rules())
    expected = _summary(_run([tree], 1, cache))
    entries = [path for path in (tmp_path / "cache").rglob("*") if path.is_file() and path.parent.parent.name == cache.code]
    assert entries
    for number, entry in enumerate(entries):
        if number % 3 == 0:
            entry.write_bytes(b"\x80\x04garbage")
        elif number % 3 == 1:
            entry.write_bytes(pickle.dumps((1, "key", os.system, [], [], [])))  # not JSON, and unsigned
        else:
            entry.write_bytes(entry.read_bytes()[: len(entry.read_bytes()) // 2])
    assert _summary(_run([tree], 1, cache)) == expected
    assert _summary(_run([tree], 2, cache)) == expected
    assert not list((tmp_path / "cache").rglob(".tmp-*"))


def _lint_into(paths: list[str], directory: str, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    result = _run([Path(path) for path in paths], 1, Cache.open(Path(directory), all_rules()))
    queue.put(json.dumps(_summary(result), default=str))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks")
def test_concurrent_runs_share_a_cache(tree: Path, tmp_path: Path) -> None:
    expected = json.dumps(_summary(_run([tree], 1, None)), default=str)
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    workers = [context.Process(target=_lint_into, args=([str(tree)], str(tmp_path / "shared"), queue)) for _ in range(3)]
    for worker in workers:
        worker.start()
    outcomes = [queue.get(timeout=300) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    assert outcomes == [expected] * 3
    assert not list((tmp_path / "shared").rglob(".tmp-*"))
    assert json.dumps(_summary(_run([tree], 1, Cache.open(tmp_path / "shared", all_rules()))), default=str) == expected


def test_unwritable_cache_only_makes_runs_cold(tree: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("", encoding="utf-8")
    cache = Cache.open(blocker / "cache", all_rules())
    assert _summary(_run([tree], 1, cache)) == _summary(_run([tree], 1, None))


def test_chunks_cover_every_task_once_largest_first(tree: Path) -> None:
    files = sorted(tree.rglob("*.py"))
    settings = ConfigResolver(all_rules(), Overrides()).for_path(tree)
    tasks = [(index, path, settings) for index, path in enumerate(files)]
    grouped = chunks(tasks, 2)
    assert sorted(task[0] for chunk in grouped for task in chunk) == list(range(len(files)))
    assert 1 < len(grouped) <= len(files)
    first = grouped[0][0][1].stat().st_size
    assert first == max(path.stat().st_size for path in files)


# The command line --------------------------------------------------------------------------------
def test_cli_jobs_and_cache_options(tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    runner_ = CliRunner()
    outputs = []
    for arguments in (["--no-cache", "-j", "1"], ["--no-cache", "--jobs", "2"], ["--cache-dir", "c"], ["--cache-dir", "c", "-j", "2"], []):
        result = runner_.invoke(cli, ["check", str(tree), "--format", "json", *arguments])
        assert result.exit_code == 1, result.output  # findings (code that does not parse among them)
        outputs.append(json.loads(result.output))
    assert all(output == outputs[0] for output in outputs)
    assert (tmp_path / "c" / "CACHEDIR.TAG").is_file()
    assert (tmp_path / "c" / ".gitignore").read_text(encoding="utf-8").strip().endswith("*")
    assert (tmp_path / CACHE_DIR_NAME).is_dir()  # the default, where no pyproject.toml is above


def test_no_cache_writes_nothing(tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check", str(tree), "--no-cache", "-q"])
    assert result.exit_code == 1
    assert not (tmp_path / CACHE_DIR_NAME).exists()


def test_default_cache_dir_is_next_to_the_nearest_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    (tmp_path / "a" / "b").mkdir(parents=True)
    assert default_cache_dir(tmp_path / "a" / "b") == tmp_path.resolve() / CACHE_DIR_NAME


def test_a_forged_cache_entry_is_not_trusted(tmp_path: Path) -> None:
    target = tmp_path / "train.py"
    target.write_text(FLIP)
    rules = all_rules()
    cache = Cache.open(tmp_path / "cache", rules)
    settings = Settings(root=tmp_path)
    real = lint_path(target, settings, rules, cache)
    assert [f.code for f in real.findings] == ["RL102"]
    (entry,) = [p for p in (tmp_path / "cache").rglob("*") if p.is_file() and p.parent.parent.name == cache.code]
    key = entry.parent.name + entry.name
    payload = json.dumps({"format": 2, "key": key, "result": cache_module.encode_result(FileResult(real.path))}).encode()
    forged = hmac.new(b"a key the attacker guessed" * 2, key.encode() + b"\0" + payload, "sha256").hexdigest().encode()
    entry.write_bytes(forged + b"\n" + payload)
    assert [f.code for f in lint_path(target, settings, rules, cache).findings] == ["RL102"], "the forgery is a miss"
    entry.write_bytes(b"\n" + payload)
    assert [f.code for f in lint_path(target, settings, rules, cache).findings] == ["RL102"]


def test_a_pickle_in_the_cache_is_neither_loaded_nor_a_crash(tmp_path: Path) -> None:
    import pickle

    target = tmp_path / "train.py"
    target.write_text(FLIP)
    rules = all_rules()
    cache = Cache.open(tmp_path / "cache", rules)
    lint_path(target, Settings(root=tmp_path), rules, cache)
    (entry,) = [p for p in (tmp_path / "cache").rglob("*") if p.is_file() and p.parent.parent.name == cache.code]
    entry.write_bytes(pickle.dumps((None, {"sort_key": 0})))
    assert [f.code for f in lint_path(target, Settings(root=tmp_path), rules, cache).findings] == ["RL102"]
    assert callable(Finding.sort_key)


@posix_only
@pytest.mark.parametrize("link", [".", ".."])
def test_a_committed_cache_symlink_is_not_followed(tmp_path: Path, link: str) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    (project / "pyproject.toml").write_text("[tool.reviewlint]\n")
    (project / "train.py").write_text(FLIP)
    (project / ".reviewlint_cache").symlink_to(link)
    before = sorted(os.listdir(tmp_path)), sorted(os.listdir(project))
    for _ in range(2):
        run = run_cli(["check", "--format", "concise", "."], cwd=project)
        assert run.returncode == 1 and "train.py:2:24: RL102" in run.stdout
        assert "running without the cache" in run.stderr
    assert (sorted(os.listdir(tmp_path)), sorted(os.listdir(project))) == before


def test_findings_survive_the_cache_exactly(tmp_path: Path) -> None:
    path = write_notebook(tmp_path, "import albumentations as A\n", "x = (\n", "aug = A.VerticalFlip(p=0.5)\n")
    cache = Cache.open(tmp_path / "cache", all_rules())
    rules = all_rules()
    cold = lint_path(path, Settings(root=tmp_path), rules, cache)
    warm = lint_path(path, Settings(root=tmp_path), rules, cache)
    assert warm == cold and [f.source_lines for f in warm.findings] == [f.source_lines for f in cold.findings]
    assert all(isinstance(finding, Finding) for finding in warm.findings)


def _result(number: int) -> FileResult:
    return FileResult(f"f{number}.py", [], [], [])


def test_the_cache_keeps_the_most_recently_used_entries(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache", "code")
    cache.prepare()
    keys = [f"{number:040x}" for number in range(30)]
    for number, key in enumerate(keys):
        cache.put(key, _result(number))
        entry = tmp_path / "cache" / "code" / key[:2] / key[2:]
        os.utime(entry, ns=(number * 10**9, number * 10**9))
    assert cache.get(keys[0]) is not None  # used now: the newest
    assert cache.trim(max_entries=10) == 20
    assert cache.get(keys[0]) is not None and all(cache.get(key) is not None for key in keys[-9:])
    assert all(cache.get(key) is None for key in keys[1:-9])
    stale = tmp_path / "cache" / "old-version" / "ab"
    stale.mkdir(parents=True)
    cache.trim(max_entries=10)
    assert not (tmp_path / "cache" / "old-version").exists(), "empty folders of other versions go"


def test_reviewlint_clean(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.reviewlint]\n")
    (tmp_path / "train.py").write_text(FLIP)
    assert run_cli(["check", "train.py"], cwd=tmp_path).returncode == 1
    assert (tmp_path / ".reviewlint_cache" / "CACHEDIR.TAG").is_file()
    cleaned = run_cli(["clean"], cwd=tmp_path)
    assert cleaned.returncode == 0 and not (tmp_path / ".reviewlint_cache").exists()
    assert "removed" in cleaned.stderr
    assert run_cli(["clean"], cwd=tmp_path).stderr.startswith("reviewlint: no cache at ")
    (tmp_path / "not-a-cache").mkdir()
    (tmp_path / "not-a-cache" / "precious.txt").write_text("keep me")
    refused = run_cli(["clean", "--cache-dir", "not-a-cache"], cwd=tmp_path)
    assert refused.returncode == 2 and (tmp_path / "not-a-cache" / "precious.txt").exists()
    with pytest.raises(CacheError):
        remove_cache(tmp_path / "not-a-cache")
