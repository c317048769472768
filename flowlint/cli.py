"""The `flowlint` command line: argument parsing, dispatch, exit codes (0 clean, 1 findings, 2 error)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from flowlint import __version__
from flowlint.errors import FlowlintError, PolicyError

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
CHECK_FORMATS = ("text", "json", "sarif", "github", "gitlab", "junit")
REPORT_FORMATS = ("html", "markdown")
SOURCES_FORMATS = ("text", "json", "markdown")
FAIL_ON = ("error", "warning", "note", "never")


class _Parser(argparse.ArgumentParser):
    """argparse that exits with status 2 and one line (its default), but never prints usage twice."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_ERROR, f"flowlint: error: {message}\n(see `{self.prog} --help`)\n")


def _add_project_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", metavar="PATH", type=Path,
                   help="files or folders to report on (default: the project root); the whole project is analysed")
    p.add_argument("--policy", action="append", default=[], metavar="FILE|DIR|PACK",
                   help="policy file, folder of policy files, or shipped pack name (repeatable); replaces the configured policies")
    p.add_argument("--config", type=Path, metavar="FILE", help="use this configuration file")
    p.add_argument("--isolated", action="store_true", help="ignore every configuration file")
    p.add_argument("--jobs", "-j", type=_non_negative(int, "0 means all cores"), default=0, metavar="N",
                   help="worker processes (default and 0: all cores)")
    p.add_argument("--no-cache", action="store_true", help="neither read nor write .flowlint_cache/")
    p.add_argument("--max-file-size", type=_non_negative(int), default=None, metavar="BYTES",
                   help="skip larger files with a diagnostic (default: 1000000, or the config's max-file-size; 0: no limit)")
    p.add_argument("--file-time-limit", type=_non_negative(float), default=None, metavar="SECONDS",
                   help="stop analysing a file after this long, with a diagnostic (default: 20, or the config's "
                        "file-time-limit; 0: no limit)")


def _non_negative(kind: type, zero: str = "0 means no limit") -> Callable[[str], object]:
    """An argparse type: a number of ``kind``, 0 or more (``zero`` says what 0 means, in the error)."""
    def convert(text: str) -> object:
        noun = "a whole number" if kind is int else "a number"
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {noun}, got {text!r}") from None
        if value < 0:
            raise argparse.ArgumentTypeError(f"must not be negative, got {text!r} ({zero})")
        return value
    convert.__name__ = kind.__name__
    return convert


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="flowlint", description=(
        "Trace personal data from third-party origins to the places that collect it, and fail "
        "the build where the data's origin makes that collection unlawful."))
    parser.add_argument("--version", action="version", version=f"flowlint {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    check = sub.add_parser("check", help="analyse the project and report findings")
    _add_project_options(check)
    check.add_argument("--format", choices=CHECK_FORMATS, default="text")
    check.add_argument("--output", "-o", type=Path, metavar="FILE", help="write the report here instead of stdout")
    check.add_argument("--fail-on", choices=FAIL_ON, default=None,
                       help="lowest severity that makes the exit status 1 (default: error, or the config's fail-on)")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    check.add_argument("--baseline", type=Path, metavar="FILE", help="report only findings not in this baseline")
    check.add_argument("--timings", action="store_true",
                       help="fill in the run's measurements (stats.seconds, stats.cache_hits in JSON; JUnit times); "
                            "without it the output is the same byte for byte on every run")

    report = sub.add_parser("report", help="write a reviewer report (HTML or Markdown)")
    _add_project_options(report)
    report.add_argument("--format", choices=REPORT_FORMATS, default="html")
    report.add_argument("--output", "-o", type=Path, metavar="FILE", required=True)

    baseline = sub.add_parser("baseline", help="record today's findings as accepted")
    _add_project_options(baseline)
    baseline.add_argument("--output", "-o", type=Path, metavar="FILE", required=True)

    explain = sub.add_parser("explain", help="what a rule means, why, its citations, an example")
    explain.add_argument("rule", metavar="RULE")
    explain.add_argument("--policy", action="append", default=[], metavar="FILE|DIR|PACK")
    explain.add_argument("--config", type=Path, metavar="FILE")
    explain.add_argument("--isolated", action="store_true")

    sources = sub.add_parser("sources", help="inventory of where data enters the project from outside")
    _add_project_options(sources)
    sources.add_argument("--format", choices=SOURCES_FORMATS, default="text")
    sources.add_argument("--output", "-o", type=Path, metavar="FILE", help="write the inventory here instead of stdout")

    names = sub.add_parser("names", help="the API names flowlint gives the calls, reads and stores on a line, "
                                         "and the policy entries that match them")
    names.add_argument("location", metavar="FILE:LINE")
    names.add_argument("--policy", action="append", default=[], metavar="FILE|DIR|PACK")
    names.add_argument("--config", type=Path, metavar="FILE")
    names.add_argument("--isolated", action="store_true")
    names.add_argument("--format", choices=("text", "json"), default="text")

    policy = sub.add_parser("policy", help="validate or list policies")
    policy_sub = policy.add_subparsers(dest="policy_command", metavar="ACTION", parser_class=_Parser, required=True)
    for name, help_text, files_help in (
            ("check", "validate the policy as `check` loads it (the configured packs and files, with FILES)",
             "policy files to check together with the configured ones"),
            ("list", "list loaded packs, origins, sources, sinks and rules",
             "policies to list instead of the configured ones")):
        action = policy_sub.add_parser(name, help=help_text)
        action.add_argument("files", nargs="*", metavar="FILE|DIR|PACK", help=files_help)
        action.add_argument("--config", type=Path, metavar="FILE")
        action.add_argument("--isolated", action="store_true")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_ERROR
    try:
        return _dispatch(args)
    except PolicyError as err:
        for message in err.messages:
            print(f"flowlint: error: {message}", file=sys.stderr)
        return EXIT_ERROR
    except FlowlintError as err:
        print(f"flowlint: error: {err}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("flowlint: interrupted", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_ERROR
    except Exception as err:  # noqa: BLE001 - the last line of defence: a message, not a traceback
        if os.environ.get("FLOWLINT_DEBUG"):
            raise
        print(f"flowlint: internal error: {type(err).__name__}: {err} "
              "(set FLOWLINT_DEBUG=1 for a traceback, and please report it)", file=sys.stderr)
        return EXIT_ERROR


def _dispatch(args: argparse.Namespace) -> int:
    from flowlint import commands, inventory, names_at

    handler = {
        "check": commands.check,
        "report": commands.report,
        "baseline": commands.baseline,
        "explain": commands.explain,
        "policy": commands.policy,
        "sources": inventory.command,
        "names": names_at.command,
    }[args.command]
    return handler(args)
