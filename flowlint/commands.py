"""What each subcommand does, given parsed arguments: configuration, policy, analysis, output."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from flowlint.config import Config, load_config
from flowlint.discover import discover, in_scope
from flowlint.errors import FlowlintError
from flowlint.pipeline import Analysis, analyse
from flowlint.report import json_report
from flowlint.report import text as text_report
from flowlint.policy.describe import describe_policy
from flowlint.policy.load import load_policy
from flowlint.policy.model import Policy

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _config(args: argparse.Namespace, paths: list[Path]) -> Config:
    return load_config(paths, config_file=args.config, isolated=args.isolated)


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


def _not_yet(name: str) -> int:
    print(f"flowlint: error: `flowlint {name}` is not yet implemented", file=sys.stderr)
    return EXIT_ERROR


SEVERITY_RANK = {"note": 0, "warning": 1, "error": 2}
# diagnostics (files that could not be analysed) weigh as warnings for --fail-on
DIAGNOSTIC_SEVERITY = "warning"


def _analyse(args: argparse.Namespace) -> tuple[Config, Analysis]:
    """Configuration, policy, discovery and analysis of the whole project; the result is
    narrowed to the findings whose source or sink lies in the paths given (pre-commit passes
    the changed files)."""
    config = _config(args, args.paths)
    loaded = _policy(args, config, args.policy)
    files, discovered = discover(config)
    analysis = analyse(files, loaded)
    wanted = in_scope(config, args.paths)
    findings = tuple(f for f in analysis.findings if wanted(f.sink.location.path) or wanted(f.source.location.path))
    diagnostics = tuple(sorted(d for d in analysis.diagnostics + tuple(discovered) if wanted(d.path)))
    return config, replace(analysis, findings=findings, diagnostics=diagnostics)


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as err:
        raise FlowlintError(f"cannot write {output}: {err.strerror or err}") from err


def exit_status(analysis: Analysis, fail_on: str) -> int:
    if fail_on == "never":
        return EXIT_CLEAN
    threshold = SEVERITY_RANK[fail_on]
    severities = [f.severity for f in analysis.findings] + [DIAGNOSTIC_SEVERITY] * len(analysis.diagnostics)
    return EXIT_FINDINGS if any(SEVERITY_RANK[s] >= threshold for s in severities) else EXIT_CLEAN


def check(args: argparse.Namespace) -> int:
    if args.format not in ("text", "json"):
        return _not_yet(f"check --format {args.format}")
    config, analysis = _analyse(args)
    renderer = text_report.render if args.format == "text" else json_report.render
    _write(renderer(analysis), args.output)
    if args.exit_zero:
        return EXIT_CLEAN
    return exit_status(analysis, args.fail_on or config.fail_on)


def report(args: argparse.Namespace) -> int:
    return _not_yet("report")


def baseline(args: argparse.Namespace) -> int:
    return _not_yet("baseline")


def explain(args: argparse.Namespace) -> int:
    return _not_yet("explain")
