"""What each subcommand does, given parsed arguments: configuration, policy, analysis, output."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from flowlint.cache import IRCache
from flowlint import baseline as baseline_mod
from flowlint import suppressions
from flowlint.explain import explain as explain_rule
from flowlint.config import Config, load_config
from flowlint.discover import discover, in_scope
from flowlint.errors import FlowlintError
from flowlint.pipeline import Analysis, analyse
from flowlint.report import github, gitlab, json_report, junit, sarif
from flowlint.report import text as text_report
from flowlint.results import Finding
from flowlint.progress import Progress
from flowlint.policy.describe import describe_policy
from flowlint.policy.load import load_policy
from flowlint.policy.model import Policy

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _config(args: argparse.Namespace, paths: list[Path]) -> Config:
    """The configuration file's settings, with the command line's limits over them."""
    config = load_config(paths, config_file=args.config, isolated=args.isolated)
    overrides = {field: getattr(args, field) for field in ("max_file_size", "file_time_limit")
                 if getattr(args, field, None) is not None}
    return replace(config, limits=replace(config.limits, **overrides)) if overrides else config


def _policy(args: argparse.Namespace, config: Config, explicit: list[str]) -> Policy:
    """The policies named on the command line, else the configured ones, else every shipped pack."""
    if explicit:
        return load_policy(explicit, base_dir=Path.cwd())
    return load_policy(config.policies, base_dir=config.root)


def policy(args: argparse.Namespace) -> int:
    config = _config(args, [])
    loaded = _policy(args, config, args.files)
    if args.policy_command == "list":
        print(describe_policy(loaded))
    else:
        files = ", ".join(f.path for f in loaded.files)
        print(f"ok: {files}: {len(loaded.origins)} origins, {len(loaded.sources)} sources, "
              f"{len(loaded.sinks)} sinks, {len(loaded.rules)} rules")
    return EXIT_CLEAN


SEVERITY_RANK = {"note": 0, "warning": 1, "error": 2}
# diagnostics (files that could not be analysed) weigh as warnings for --fail-on
DIAGNOSTIC_SEVERITY = "warning"


@dataclass(frozen=True)
class Run:
    """One analysed project, as the commands report it.

    ``analysis`` holds the findings after suppressions (with FL901/FL902 added) and, for
    `check`, after the baseline, narrowed to the paths given; ``baselined`` counts the narrowed
    findings a baseline absorbed, ``gone`` the baseline entries no finding of the whole project
    matched.
    """

    config: Config
    policy: Policy
    analysis: Analysis
    suppressed: int = 0
    baseline: Path | None = None
    baselined: int = 0
    gone: int = 0


def _prepare(args: argparse.Namespace, use_baseline: bool = False) -> Run:
    """Configuration, policy, discovery and analysis of the whole project; then suppressions
    and (with ``use_baseline``) the baseline, both over the whole project (so a baseline entry
    is "gone" only when its flow is gone everywhere); then the result is narrowed to the
    findings whose source or sink lies in the paths given (pre-commit passes the changed
    files), FL901/FL902 and diagnostics by their own file."""
    config = _config(args, args.paths)
    loaded = _policy(args, config, args.policy)
    baseline_path = (getattr(args, "baseline", None) or config.baseline) if use_baseline else None
    accepted = baseline_mod.load(baseline_path) if baseline_path is not None else None  # fail before analysing
    files, discovered = discover(config)
    cache = None if args.no_cache else IRCache(config.cache_dir)
    progress = Progress()
    try:
        analysis = analyse(files, loaded, jobs=args.jobs, cache=cache, progress=progress, limits=config.limits)
    finally:
        progress.close()
    outcome = suppressions.apply(analysis.findings, analysis.directives, {rule.id for rule in loaded.rules})
    findings, baselined, gone = outcome.findings, (), 0
    if accepted is not None:
        filtered = baseline_mod.apply(findings, accepted)
        findings, baselined, gone = filtered.new, filtered.baselined, filtered.gone
    wanted = in_scope(config, args.paths)

    def keep(finding: Finding) -> bool:
        return wanted(finding.sink.location.path) or wanted(finding.source.location.path)

    diagnostics = tuple(sorted(d for d in analysis.diagnostics + tuple(discovered) if wanted(d.path)))
    flows = tuple(f for f in analysis.flows if wanted(f.sink.site.path) or wanted(f.label.site.path))
    narrowed = replace(analysis, findings=tuple(f for f in findings if keep(f)), flows=flows, diagnostics=diagnostics)
    return Run(config, loaded, narrowed, len(outcome.suppressed), baseline_path,
               sum(1 for f in baselined if keep(f)), gone)


def _analyse(args: argparse.Namespace) -> tuple[Config, Analysis]:
    """The project's findings (suppressions applied, no baseline), narrowed to the paths given."""
    run = _prepare(args)
    return run.config, run.analysis


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
    severities = [f.severity for f in analysis.findings] + [DIAGNOSTIC_SEVERITY] * len(analysis.diagnostics)
    return EXIT_FINDINGS if any(SEVERITY_RANK[s] >= threshold for s in severities) else EXIT_CLEAN


def render(fmt: str, run: Run) -> str:
    """The report of a run in one of the `check` formats."""
    analysis, root = run.analysis, run.config.root
    if fmt == "text":
        return text_report.render(analysis)
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


def check(args: argparse.Namespace) -> int:
    run = _prepare(args, use_baseline=True)
    if args.timings:
        analysis = run.analysis
        print(f"flowlint: timings: {analysis.seconds:.2f} s, {analysis.files} files ({analysis.cache_hits} from the "
              f"cache), {analysis.analysed} function analyses, {analysis.reused} summaries reused", file=sys.stderr)
    else:  # what measures the run (not the code) stays out: same input, same bytes
        run = replace(run, analysis=replace(run.analysis, seconds=0.0, cache_hits=0))
    _write(render(args.format, run), args.output)
    if run.baseline is not None:
        shown = baseline_mod.display(run.baseline)
        gone = ""
        if run.gone:
            gone = (f"; {_plural(run.gone, 'baseline entry', 'baseline entries')} no longer found (fixed? "
                    f"`flowlint baseline --output {shown}` drops {'it' if run.gone == 1 else 'them'})")
        print(f"flowlint: baseline {shown}: {_plural(run.baselined, 'finding')} baselined{gone}",
              file=sys.stderr)
    if args.exit_zero:
        return EXIT_CLEAN
    return exit_status(run.analysis, args.fail_on or run.config.fail_on)


def baseline(args: argparse.Namespace) -> int:
    run = _prepare(args)
    _write(baseline_mod.render(run.analysis.findings), args.output)
    print(f"flowlint: wrote {_plural(len(run.analysis.findings), 'finding')} to {baseline_mod.display(args.output)}",
          file=sys.stderr)
    return EXIT_CLEAN


def report(args: argparse.Namespace) -> int:
    """The reviewer report; its exit status is 0 whatever it found (it is for reading, not gating)."""
    from flowlint.report.reviewer import render_report, report_meta  # networkx: not for `check`

    run = _prepare(args)
    _write(render_report(run.analysis, run.policy, args.format, report_meta(run.config.root)), args.output)
    print(f"flowlint: wrote {args.output} ({_plural(len(run.analysis.findings), 'finding')})", file=sys.stderr)
    return EXIT_CLEAN


def explain(args: argparse.Namespace) -> int:
    config = _config(args, [])
    sys.stdout.write(explain_rule(_policy(args, config, args.policy), args.rule))
    return EXIT_CLEAN
