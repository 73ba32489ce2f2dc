"""The ``reviewlint`` command: ``check``, ``rules``, ``explain``."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, cast

import click

from reviewlint import __version__
from reviewlint.lint.rule_meta import ImageDomain, RuleMeta, Severity, rule_index
from reviewlint.report import REPORTERS
from reviewlint.run import interrupt
from reviewlint.run.cache import Cache, CacheError, default_cache_dir, remove_cache
from reviewlint.run.config import FAIL_ON, IMAGE_DOMAINS, ConfigError, ConfigResolver, Overrides
from reviewlint.run.loop import RuleSet, available_cores, run_paths
from reviewlint.run.result import RunResult

if TYPE_CHECKING:
    from reviewlint.fixing.fixer import FileFix
    from reviewlint.lint.rule import RuleInfo


def _load_rules() -> Sequence[RuleInfo]:
    """Import the rule modules (libcst with them): only when a file must be linted or fixed."""
    from reviewlint.lint.registry import all_rules

    return all_rules()


def _find_rule(key: str) -> RuleMeta | None:
    """A rule by code (case-insensitive) or name."""
    return next((rule for rule in rule_index() if rule.code == key.upper() or rule.name == key), None)


def _codes(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    return tuple(part.strip().upper() for part in value.split(",") if part.strip())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reviewlint")
def cli() -> None:
    """A linter for deep-learning training code (.py and .ipynb)."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--select", help="Comma-separated rule codes or prefixes to enable (default: all).")
@click.option("--ignore", help="Comma-separated rule codes or prefixes to disable.")
@click.option("--extend-select", help="Rule codes or prefixes to enable on top of the configuration.")
@click.option("--format", "--output-format", "output_format", type=click.Choice(sorted(REPORTERS)), default="text", show_default=True,
              help="How to report (--output-format is ruff's spelling).")
@click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False), help="Use this pyproject.toml (or TOML file) for every file.")
@click.option("--image-domain", type=click.Choice(IMAGE_DOMAINS), help="What the images show (affects RL102).")
@click.option("--exit-zero", is_flag=True, help="Exit with 0 even when there are findings (files that cannot be read still exit 2).")
@click.option("--fail-on", type=click.Choice(FAIL_ON), help="The lowest severity that fails the run (default: warning; config: fail-on).")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing when there is nothing to report.")
@click.option("--show-internal-errors", is_flag=True, help="Print the traceback of internal errors.")
@click.option("--output", "--output-file", "-o", "output", type=click.File("w", encoding="utf-8"), default="-", help="Write the report to a file.")
@click.option("--fix", is_flag=True, help="Apply safe fixes in place, then report what is left.")
@click.option("--unsafe-fixes", is_flag=True, help="With --fix or --diff, also apply fixes that change what the code does.")
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff and write nothing (exit 1 if there is anything to fix).")
@click.option("--baseline", "baseline_file", type=click.Path(path_type=Path, dir_okay=False), help="Report only findings that are not in this baseline file.")
@click.option("--write-baseline", "write_baseline_file", type=click.Path(path_type=Path, dir_okay=False), help="Record today's findings in this baseline file and exit.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, help="Processes to lint with (default 0: one per available core).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the results cache.")
@click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False), envvar="REVIEWLINT_CACHE_DIR", help="Where to keep the results cache (default: .reviewlint_cache next to the nearest pyproject.toml).")
@click.option("--show-settings", is_flag=True, help="Print the settings each PATH is linted with (and what 'auto' inferred), and lint nothing.")
@click.option("--show-files", is_flag=True, help="Print the files that would be linted, one a line, and lint nothing.")
@click.option("--statistics", is_flag=True, help="Report how many findings each rule has instead of the findings.")
@click.option("--watch", is_flag=True, help="Lint, then lint again whenever a .py or .ipynb file under PATHS changes (needs the [watch] extra: watchfiles).")
@click.option("--stdin-filename", type=click.Path(path_type=Path), help="Lint standard input (PATH '-') as this file: its configuration, notebook handling and per-file ignores; with --fix the fixed text goes to standard output.")
def check(
    paths: tuple[Path, ...],
    select: str | None,
    ignore: str | None,
    extend_select: str | None,
    output_format: str,
    config_file: Path | None,
    image_domain: str | None,
    exit_zero: bool,
    fail_on: str | None,
    quiet: bool,
    show_internal_errors: bool,
    output: click.utils.LazyFile,
    fix: bool,
    unsafe_fixes: bool,
    diff: bool,
    baseline_file: Path | None,
    write_baseline_file: Path | None,
    jobs: int,
    no_cache: bool,
    cache_dir: Path | None,
    show_settings: bool,
    show_files: bool,
    statistics: bool,
    stdin_filename: Path | None,
    watch: bool,
) -> None:
    """Lint PATHS (files or directories; default: the current directory; '-': standard input)."""
    rules = RuleSet(rule_index(), _load_rules)
    if write_baseline_file is not None and (baseline_file is not None or fix or diff):
        raise click.UsageError("--write-baseline cannot be combined with --baseline, --fix or --diff")
    baseline = None
    if baseline_file is not None or write_baseline_file is not None:
        from reviewlint.report import baseline as baselines  # only when a baseline is read or written
    if baseline_file is not None:
        try:
            baseline = baselines.load(baseline_file)
        except baselines.BaselineError as error:
            raise click.UsageError(str(error)) from None
    overrides = Overrides(
        select=_codes(select), ignore=_codes(ignore) or (), extend_select=_codes(extend_select) or (),
        image_domain=cast(ImageDomain | None, image_domain), fail_on=fail_on,
    )
    known = {rule.code for rule in rules.described}
    for selector in (overrides.select or ()) + overrides.ignore + overrides.extend_select:
        if selector != "ALL" and not any(code.startswith(selector) for code in known):
            raise click.UsageError(f"'{selector}' matches no rule code")
    reading_stdin = Path("-") in paths
    if reading_stdin and len(paths) > 1:
        raise click.UsageError("'-' (standard input) cannot be combined with other paths")
    if stdin_filename is not None and paths and not reading_stdin:
        raise click.UsageError("--stdin-filename names standard input: pass '-' as the only path")
    reading_stdin = reading_stdin or stdin_filename is not None
    targets = list(paths) or [Path(".")]
    if watch:
        if reading_stdin or fix or diff or write_baseline_file is not None:
            raise click.UsageError("--watch lints files: it cannot be combined with standard input, --fix, --diff or --write-baseline")
        sys.exit(_watch(targets))
    try:
        resolver = ConfigResolver(rules.described, overrides, config_file)
        if reading_stdin:
            sys.exit(_check_stdin(stdin_filename, resolver, rules, output_format, output, statistics,
                                  fix=fix, diff=diff, unsafe=unsafe_fixes, exit_zero=exit_zero))
        if show_files:
            from reviewlint.run.loop import discover_files

            for found in discover_files(targets, resolver)[0]:
                output.write(f"{found}\n")
            return
        if show_settings:
            from reviewlint.report.settings_view import describe

            click.echo("\n\n".join(describe(target, resolver.for_folder(target) if target.is_dir() else resolver.for_path(target))
                                    for target in targets))
            return
        fixing = None
        if fix or diff:
            from reviewlint.fixing.fixer import FixMode

            fixing = FixMode.under(targets, unsafe=unsafe_fixes, write=not diff)
        cache = None if no_cache else Cache.open(cache_dir or default_cache_dir(), rules.described)
        if cache is not None and not cache.usable:
            click.echo(f"reviewlint: warning: {cache.directory} is not a directory (a symbolic link?): running without the cache", err=True)
            cache = None
        result = run_paths(targets, resolver, rules, jobs=jobs or available_cores(), cache=cache, fixing=fixing)
        if diff:
            sys.exit(_print_diff(result.fixes, output))
        result.fail_on = Severity(resolver.for_folder(Path.cwd()).fail_on)
    except ConfigError as error:
        click.echo(f"reviewlint: config error: {error}", err=True)
        sys.exit(2)
    missing = [path for path in paths if not os.path.lexists(path)]
    result.show_internal_errors = show_internal_errors
    if result.files_checked == 0 and not result.errors and not result.skipped:
        click.echo("reviewlint: warning: no Python files or notebooks found under the given path(s)", err=True)
    if write_baseline_file is not None:
        try:
            count = baselines.write(write_baseline_file, result.findings)
        except baselines.BaselineError as error:
            click.echo(f"reviewlint: error: {error}", err=True)
            sys.exit(2)
        click.echo(f"reviewlint: wrote {count} finding{'s' if count != 1 else ''} to {write_baseline_file}", err=True)
        for problem in result.errors:
            click.echo(f"reviewlint: {problem.path}: error: {problem.message}", err=True)
        sys.exit(2 if result.errors else 0)
    _note_fixes(result, result.fixes, fix, unsafe_fixes, output_format)
    if baseline is not None:
        result.findings, in_baseline, stale = baseline.split(result.findings)
        if in_baseline or stale:
            result.notices.append(
                f"{in_baseline} finding{'s' if in_baseline != 1 else ''} in the baseline not shown"
                + (f"; {stale} baseline entr{'ies' if stale != 1 else 'y'} no longer found (rewrite it with --write-baseline)" if stale else "")
            )
    if statistics:
        _report_statistics(result, output_format, cast(TextIO, output))
    elif not (quiet and not result.findings and not result.errors and not result.skipped) or output_format in ("json", "sarif", "gitlab", "junit"):
        REPORTERS[output_format](result, cast(TextIO, output))
    if show_internal_errors and output_format != "text":
        for problem in result.errors:
            if problem.trace:
                click.echo(problem.trace, err=True)
    if missing and not result.errors:
        sys.exit(2)
    sys.exit(0 if exit_zero and result.exit_code == 1 else result.exit_code)


def _watch(targets: list[Path]) -> int:
    """``--watch``: run the same check (in a child process, so every run starts clean), then again
    after each batch of changes to ``.py``/``.ipynb`` files under ``targets``, until interrupted.
    Changes are reported by the operating system (inotify, FSEvents, …) through watchfiles: no polling."""
    try:
        import watchfiles
    except ImportError:
        click.echo("reviewlint: error: --watch needs watchfiles: pip install 'reviewlint[watch]'", err=True)
        return 2
    import subprocess

    argv = [argument for argument in sys.argv[1:] if argument != "--watch"]
    command = [sys.executable, "-m", "reviewlint", *argv]

    def run() -> None:
        click.echo(f"reviewlint: checking {' '.join(str(target) for target in targets)} ({time.strftime('%H:%M:%S')})", err=True)
        subprocess.run(command, check=False)
        click.echo("reviewlint: watching for changes (Ctrl-C to stop)", err=True)

    def relevant(change: object, path: str) -> bool:
        return path.endswith((".py", ".ipynb", "pyproject.toml")) and "/.reviewlint_cache/" not in path

    run()
    try:
        for _ in watchfiles.watch(*targets, watch_filter=relevant, raise_interrupt=False):
            run()
    except KeyboardInterrupt:
        pass
    return 0


def _report_statistics(result: RunResult, output_format: str, output: TextIO) -> None:
    from reviewlint.report import statistics

    (statistics.render_json if output_format == "json" else statistics.render)(result, output)


def _check_stdin(
    stdin_filename: Path | None, resolver: ConfigResolver, rules: RuleSet, output_format: str,
    output: click.utils.LazyFile, statistics: bool, *, fix: bool, diff: bool, unsafe: bool, exit_zero: bool,
) -> int:
    """Lint standard input as the file ``stdin_filename`` (a ``.py`` file named ``-`` without
    one); with ``--fix``, write the fixed text to standard output and the report to standard
    error (or the output file); with ``--diff``, print the diff. The exit status."""
    from reviewlint.run.document import lint_document

    path = stdin_filename or Path("-.py")
    shown = str(stdin_filename) if stdin_filename is not None else "-"
    raw = sys.stdin.buffer.read()
    settings = resolver.for_path(path)
    result = RunResult(files_checked=1, fail_on=Severity(settings.fail_on))
    report_to: TextIO = cast(TextIO, output)
    if fix or diff:
        from reviewlint.fixing.fixer import fix_bytes

        outcome = fix_bytes(path, raw, settings, rules.loaded, unsafe=unsafe, shown=shown)
        assert outcome.result is not None  # fix_bytes always lints what it returns
        linted = outcome.result
        result.errors.extend(outcome.errors)
        if diff:
            output.write(outcome.diff())
            return 2 if outcome.errors else (1 if outcome.changed else 0)
        sys.stdout.buffer.write(outcome.fixed)
        sys.stdout.flush()
        if getattr(output, "name", "-") in ("-", "<stdout>"):  # the fixed text has standard output
            report_to = sys.stderr
    else:
        linted = lint_document(path, raw, settings, rules.loaded, shown).result
    result.findings.extend(linted.findings)
    result.errors.extend(linted.errors)
    result.skipped.extend(linted.skipped)
    if statistics:
        _report_statistics(result, output_format, report_to)
    else:
        REPORTERS[output_format](result, report_to)
    return 0 if exit_zero and result.exit_code == 1 else result.exit_code


def _print_diff(fixed: list[FileFix], output: click.utils.LazyFile) -> int:
    """``--diff``: the unified diff of every fix; the exit status."""
    changed = [outcome for outcome in fixed if outcome.changed]
    for outcome in changed:
        output.write(outcome.diff())
    applied = sum(sum(outcome.applied.values()) for outcome in changed)
    for outcome in fixed:
        for error in outcome.errors:
            click.echo(f"reviewlint: {error.path}: error: {error.message}", err=True)
    if changed:
        click.echo(f"reviewlint: would apply {applied} fix{'es' if applied != 1 else ''} to {len(changed)} file{'s' if len(changed) != 1 else ''}", err=True)
    if any(outcome.errors for outcome in fixed):
        return 2
    return 1 if changed else 0


def _note_fixes(result: RunResult, fixed: list[FileFix], fix: bool, unsafe_fixes: bool, output_format: str) -> None:
    """Add what ``--fix`` did, and what more it could do, to the run's errors and notices."""
    for outcome in fixed:
        result.errors[:0] = outcome.errors
        result.notices.extend(outcome.notices)
    applied = sum(sum(outcome.applied.values()) for outcome in fixed)
    files = sum(1 for outcome in fixed if outcome.applied)
    if applied:
        message = f"Applied {applied} fix{'es' if applied != 1 else ''} to {files} file{'s' if files != 1 else ''}."
        result.notices.append(message)
        if output_format != "text":
            click.echo(f"reviewlint: {message}", err=True)
    safe = sum(1 for finding in result.findings if finding.fix == "safe")
    unsafe = sum(1 for finding in result.findings if finding.fix == "unsafe")
    hidden = unsafe if not unsafe_fixes else 0
    if safe and not fix:
        more = f" ({hidden} more with --fix --unsafe-fixes, which change what the code does)" if hidden else ""
        result.notices.append(f"{safe} fixable with --fix{more}.")
    elif hidden:
        result.notices.append(f"{hidden} fixable with --fix --unsafe-fixes (these fixes change what the code does: review them).")


@cli.command()
@click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False), envvar="REVIEWLINT_CACHE_DIR", help="The cache to remove (default: .reviewlint_cache next to the nearest pyproject.toml).")
def clean(cache_dir: Path | None) -> None:
    """Remove the results cache."""
    directory = cache_dir or default_cache_dir()
    try:
        removed = remove_cache(directory)
    except CacheError as error:
        click.echo(f"reviewlint: error: {error}", err=True)
        sys.exit(2)
    click.echo(f"reviewlint: removed {directory}" if removed else f"reviewlint: no cache at {directory}", err=True)


_FIX_COLUMN = {"safe": "safe", "unsafe": "unsafe", "mixed": "safe/unsafe", None: "—"}


@cli.command("rules")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def list_rules(output_format: str) -> None:
    """List every rule: code, name, severity, fix (safe / unsafe / — for none) and summary."""
    rules = rule_index()
    if output_format == "json":
        click.echo(json.dumps([
            {"code": r.code, "name": r.name, "severity": r.severity.value, "fix": r.fix, "summary": r.summary} for r in rules
        ], indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    for column in ("Code", "Name", "Severity", "Fix"):
        table.add_column(column, no_wrap=True)
    table.add_column("Summary")
    for rule in rules:
        table.add_row(rule.code, rule.name, rule.severity.value, _FIX_COLUMN[rule.fix], rule.summary)
    Console(highlight=False).print(table)


@cli.command()
@click.argument("rule")
def explain(rule: str) -> None:
    """Show a rule's documentation (by code or name)."""
    found = _find_rule(rule)
    if found is None:
        raise click.UsageError(f"no rule '{rule}' (see `reviewlint rules`)")
    from reviewlint.report.explain import explanation

    text = explanation(found)
    from rich.console import Console

    console = Console(highlight=False)
    if console.is_terminal:
        from rich.markdown import Markdown  # imported here: only explain on a terminal needs it

        console.print(Markdown(text))
    else:
        click.echo(text)


@cli.command()
def server() -> None:
    """Run the language server on standard input and output (for editors; see the README)."""
    from reviewlint.server.app import serve

    serve()


def main() -> None:
    """Entry point of the ``reviewlint`` script."""
    interrupt.install()  # Ctrl-C, SIGTERM and a closed terminal (SIGHUP) stop the run cleanly
    try:
        os.getcwd()
    except OSError as error:
        sys.stderr.write(f"reviewlint: error: the working directory cannot be used ({error.strerror or error})\n")
        sys.exit(2)
    try:
        cli()
    except interrupt.Interrupted as stop:
        sys.stderr.write(f"reviewlint: interrupted by {signal.Signals(stop.status - 128).name}; "
                         "no file was left half-written\n")
        sys.exit(stop.status)
    except OSError as error:  # a path the system refuses (a name too long, …): one line, no traceback
        where = f"{error.filename}: " if error.filename else ""
        sys.stderr.write(f"reviewlint: error: {where}{error.strerror or error}\n")
        sys.exit(2)
    except Exception as error:  # noqa: BLE001 - a bug of ours: one line, the traceback on request
        if os.environ.get("REVIEWLINT_TRACEBACK"):
            traceback.print_exc()
        first = str(error).splitlines()[0] if str(error) else ""
        sys.stderr.write(f"reviewlint: internal error: {type(error).__name__}: {first} "
                         "(set REVIEWLINT_TRACEBACK=1 to see where)\n")
        sys.exit(2)
