"""What each subcommand does, given parsed arguments: configuration, policy, analysis, output."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from flowlint.config import Config, load_config
from flowlint.errors import FlowlintError
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


def check(args: argparse.Namespace) -> int:
    if not isinstance(args, argparse.Namespace):
        raise FlowlintError("bad arguments")
    return _not_yet("check")


def report(args: argparse.Namespace) -> int:
    return _not_yet("report")


def baseline(args: argparse.Namespace) -> int:
    return _not_yet("baseline")


def explain(args: argparse.Namespace) -> int:
    return _not_yet("explain")
