"""What each subcommand does, given parsed arguments: configuration, policy, analysis, output."""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from flowlint.cache import IRCache
from flowlint import baseline as baseline_mod
from flowlint import suppressions
from flowlint.explain import explain as explain_rule
from flowlint.imports import UnresolvedImport
from flowlint.config import Config, load_config
from flowlint.discover import discover, in_scope
from flowlint.errors import FlowlintError
from flowlint.analysis.summary import Flow
from flowlint.pipeline import Analysis, analyse
from flowlint.report import github, gitlab, json_report, junit, sarif
from flowlint.report import text as text_report
from flowlint.report.paths import from_cwd
from flowlint.results import Finding
from flowlint.progress import Progress
from flowlint.policy.describe import describe_policy
from flowlint.policy.load import load_policy
from flowlint.policy.model import Policy
from flowlint.policy.packs import pack_names

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _config(args: argparse.Namespace, paths: list[Path]) -> Config:
    """The configuration file's settings, with the command line's limits over them; every path
    must exist and lie in the project (else a usage error: never an empty success)."""
    for path in paths:
        if not path.exists():
            raise FlowlintError(f"{path}: no such file or directory{_did_you_mean(path)}")
    config = load_config(paths, config_file=args.config, isolated=args.isolated)
    for path in paths:
        if not _inside(config.root, path):
            where = f"the root set by {baseline_mod.display(config.path)}" if config.path else "the project root"
            raise FlowlintError(f"{path}: outside {where}, {baseline_mod.display(config.root)} "
                                "(check each project on its own)")
    overrides = {field: getattr(args, field) for field in ("max_file_size", "file_time_limit")
                 if getattr(args, field, None) is not None}
    return replace(config, limits=replace(config.limits, **overrides)) if overrides else config


def _did_you_mean(path: Path) -> str:
    """A suggestion for the first part of ``path`` that does not exist, from its folder's entries."""
    missing = path
    while not missing.parent.exists() and missing.parent != missing:
        missing = missing.parent
    try:
        names = os.listdir(missing.parent)
    except OSError:
        return ""
    close = difflib.get_close_matches(missing.name, names, n=1, cutoff=0.6)
    return f" (did you mean {missing.parent / close[0]}?)" if close else ""


def _inside(root: Path, path: Path) -> bool:
    """Whether ``path`` (relative to the current directory) is the root or below it, as
    written or with its symlinks resolved."""
    absolute = Path(os.path.abspath(path))
    return any(candidate == base or base in candidate.parents
               for candidate in (absolute, absolute.resolve()) for base in (root, root.resolve()))


def _warn(message: str) -> None:
    print(f"flowlint: warning: {message}", file=sys.stderr)


def _policy(args: argparse.Namespace, config: Config, explicit: list[str]) -> Policy:
    """The policies named on the command line, else the configured ones, else every shipped pack."""
    if explicit:
        return load_policy(explicit, base_dir=Path.cwd())
    return load_policy(config.policies, base_dir=config.root)


def policy(args: argparse.Namespace) -> int:
    """`policy list [FILES]`: the policies named, else the configured ones. `policy check [FILES]`:
    the policy `check` would load (the configured policies, else every shipped pack) together with
    the files named, so that a conflict between a project file and a pack shows here too."""
    config = _config(args, [])
    if args.policy_command == "list":
        print(describe_policy(_policy(args, config, args.files)))
    else:
        configured = [str(entry) for entry in config.policies] or pack_names()
        loaded = load_policy([*configured, *args.files], base_dir=Path.cwd())
        files = ", ".join(f.path for f in loaded.files)
        print(f"ok: {files}: {len(loaded.origins)} origins, {len(loaded.sources)} sources, "
              f"{len(loaded.sinks)} sinks, {len(loaded.rules)} rules")
    return EXIT_CLEAN


SEVERITY_RANK = {"note": 0, "warning": 1, "error": 2}


@dataclass(frozen=True)
class Run:
    """One analysed project, as the commands report it.

    ``analysis`` holds the findings after suppressions (with FL901/FL902 added) and, for
    `check`, after the baseline, narrowed to the paths given; ``others`` counts the findings
    left out by that narrowing. ``entries`` is the number of findings the baseline holds,
    ``matched`` how many findings of the whole project it absorbed, ``baselined`` how many of
    those are in the paths given, ``gone`` the entries no finding of the whole project matched.
    """

    config: Config
    policy: Policy
    analysis: Analysis
    suppressed: int = 0
    others: int = 0
    baseline: Path | None = None
    entries: int = 0
    matched: int = 0
    baselined: int = 0
    gone: int = 0


def _prepare(args: argparse.Namespace, use_baseline: bool = False) -> Run:
    """Configuration, policy, discovery and analysis of the whole project; then suppressions
    and (with ``use_baseline``) the baseline, both over the whole project (so a baseline entry
    is "gone" only when its flow is gone everywhere); then the result is narrowed to the
    findings and flows whose trace touches the paths given (source, sink or any step between:
    pre-commit passes the changed files, and an edit to a helper in the middle of a flow must
    count), FL901/FL902 and diagnostics by their own file."""
    config = _config(args, args.paths)
    loaded = _policy(args, config, args.policy)
    baseline_path = (getattr(args, "baseline", None) or config.baseline) if use_baseline else None
    accepted = baseline_mod.load(baseline_path) if baseline_path is not None else None  # fail before analysing
    files, discovered = discover(config)
    wanted = in_scope(config, args.paths)
    if not files:
        _warn(f"nothing to analyse: no Python files under {baseline_mod.display(config.root)}")
    elif args.paths and not any(wanted(file.relpath) for file in files):
        _warn(f"nothing to analyse: no Python files under {', '.join(map(str, args.paths))} "
              f"(the project has {_plural(len(files), 'Python file')} under {baseline_mod.display(config.root)})")
    # an empty project leaves no cache behind
    cache = None if args.no_cache or not files else IRCache(config.cache_dir)
    progress = Progress()
    try:
        analysis = analyse(files, loaded, jobs=args.jobs, cache=cache, progress=progress, limits=config.limits,
                           import_roots=config.import_roots)
    finally:
        progress.close()
    outcome = suppressions.apply(analysis.findings, analysis.directives, {rule.id for rule in loaded.rules})
    findings, baselined, gone = outcome.findings, (), 0
    if accepted is not None:
        filtered = baseline_mod.apply(findings, accepted)
        findings, baselined, gone = filtered.new, filtered.baselined, filtered.gone

    def keep(finding: Finding) -> bool:
        paths = (finding.source.location.path, finding.sink.location.path, *(s.location.path for s in finding.trace))
        return any(map(wanted, paths))

    def keep_flow(flow: Flow) -> bool:
        return any(map(wanted, (flow.label.site.path, flow.sink.site.path, *(s.path for s in flow.label.trace))))

    diagnostics = tuple(sorted(d for d in analysis.diagnostics + tuple(discovered) if wanted(d.path)))
    flows = tuple(filter(keep_flow, analysis.flows))
    kept = tuple(f for f in findings if keep(f))
    narrowed = replace(analysis, findings=kept, flows=flows, diagnostics=diagnostics)
    return Run(config, loaded, narrowed, len(outcome.suppressed), len(findings) - len(kept), baseline_path,
               accepted.entries if accepted is not None else 0, len(baselined),
               sum(1 for f in baselined if keep(f)), gone)


def _write(text: str, output: Path | None) -> None:
    # UTF-8 whatever the locale; a file name's undecodable byte (a lone surrogate) as `\udcXX`
    data = text.encode("utf-8", "backslashreplace")
    if output is None:
        stream = getattr(sys.stdout, "buffer", None)
        if stream is None:  # a text-only stdout (tests, embedding)
            sys.stdout.write(data.decode("utf-8"))
            return
        sys.stdout.flush()
        stream.write(data)
        stream.flush()
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(data)
    except OSError as err:
        raise FlowlintError(f"cannot write {output}: {err.strerror or err}") from err


def exit_status(analysis: Analysis, fail_on: str) -> int:
    if fail_on == "never":
        return EXIT_CLEAN
    threshold = SEVERITY_RANK[fail_on]
    severities = [f.severity for f in analysis.findings] + [d.severity for d in analysis.diagnostics]
    return EXIT_FINDINGS if any(SEVERITY_RANK[s] >= threshold for s in severities) else EXIT_CLEAN


def render(fmt: str, run: Run) -> str:
    """The report of a run in one of the `check` formats."""
    analysis, root = run.analysis, run.config.root
    if fmt == "text":  # for people at a terminal: paths as they would type them from here
        return text_report.render(analysis, from_cwd(root, Path.cwd()))
    if fmt == "json":
        return json_report.render(analysis)
    if fmt == "sarif":
        return sarif.render(analysis, run.policy, root)
    if fmt == "github":
        return github.render(analysis, root)
    if fmt == "gitlab":
        return gitlab.render(analysis, root)
    if fmt == "junit":
        return junit.render(analysis, root)
    raise FlowlintError(f"unknown format {fmt!r}")


def _plural(count: int, noun: str, plural: str | None = None) -> str:
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def _print_unresolved(unresolved: Sequence[UnresolvedImport], shown: int = 20) -> None:
    """Imports that look like the project's but resolve to none of its modules (a folder the
    code puts on `sys.path` some way flowlint cannot follow: `import-roots` names it)."""
    if unresolved:
        print(f"flowlint: {_plural(len(unresolved), 'unresolved project import')} (is a folder missing from "
              "`import-roots`?)", file=sys.stderr)
    for item in unresolved[:shown]:
        print(f"  {item.path}:{item.line}: {item.name}", file=sys.stderr)
    if len(unresolved) > shown:
        print(f"  ... and {len(unresolved) - shown} more", file=sys.stderr)


def check(args: argparse.Namespace) -> int:
    run = _prepare(args, use_baseline=True)
    if args.timings:
        analysis = run.analysis
        print(f"flowlint: timings: {analysis.seconds:.2f} s, {analysis.files} files ({analysis.cache_hits} from the "
              f"cache), {analysis.analysed} function analyses, {analysis.reused} summaries reused", file=sys.stderr)
        _print_unresolved(analysis.unresolved_imports)
    else:  # what measures the run (not the code) stays out: same input, same bytes
        run = replace(run, analysis=replace(run.analysis, seconds=0.0, cache_hits=0))
    _write(render(args.format, run), args.output)
    _say_others(run, "check")
    if run.baseline is not None:
        print(_baseline_message(run), file=sys.stderr)
    if args.exit_zero:
        return EXIT_CLEAN
    return exit_status(run.analysis, args.fail_on or run.config.fail_on)


def _say_others(run: Run, command: str, verb: str = "see") -> None:
    """One line on the findings that the paths given left out (none: nothing is said)."""
    if run.others:
        print(f"flowlint: {_plural(run.others, 'other finding')} in files not given (run `flowlint {command}` "
              f"on the project to {verb} {'it' if run.others == 1 else 'them'})", file=sys.stderr)


def _baseline_message(run: Run) -> str:
    """How many findings the baseline holds, how many it matched (and how many of those are in
    the files given, when that is fewer), and how many of its entries match nothing any more."""
    shown = baseline_mod.display(run.baseline) if run.baseline is not None else ""
    here = f", {run.baselined} in the files given" if run.baselined != run.matched else ""
    message = (f"flowlint: baseline {shown} holds {_plural(run.entries, 'finding')}; "
               f"{run.matched} matched and {'is' if run.matched == 1 else 'are'} not reported{here}")
    if run.gone:
        message += (f"; {run.gone} no longer found (fixed? `flowlint baseline --output {shown}` drops "
                    f"{'it' if run.gone == 1 else 'them'})")
    return message


def baseline(args: argparse.Namespace) -> int:
    run = _prepare(args)
    _write(baseline_mod.render(run.analysis.findings), args.output)
    print(f"flowlint: wrote {_plural(len(run.analysis.findings), 'finding')} to {baseline_mod.display(args.output)}",
          file=sys.stderr)
    _say_others(run, "baseline", "include")
    return EXIT_CLEAN


def report(args: argparse.Namespace) -> int:
    """The reviewer report; its exit status is 0 whatever it found (it is for reading, not gating)."""
    from flowlint.report.reviewer import render_report, report_meta  # networkx: not for `check`

    run = _prepare(args)
    _write(render_report(run.analysis, run.policy, args.format, report_meta(run.config.root)), args.output)
    print(f"flowlint: wrote {args.output} ({_plural(len(run.analysis.findings), 'finding')})", file=sys.stderr)
    _say_others(run, "report")
    return EXIT_CLEAN


def explain(args: argparse.Namespace) -> int:
    config = _config(args, [])
    sys.stdout.write(explain_rule(_policy(args, config, args.policy), args.rule))
    return EXIT_CLEAN
