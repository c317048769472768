"""`flowlint sources`: the inventory of where data enters the project from outside.

The analysis records its entry points (`flowlint.analysis.entries`); this command groups those
in the paths given (`flowlint.report.inventory`) and writes them as text, JSON or Markdown. Its
exit status is 0 whatever it lists: it is for finding what to declare, not for gating.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from flowlint.commands import EXIT_CLEAN, _prepare, _write
from flowlint.discover import in_scope
from flowlint.report import inventory_json, inventory_markdown, inventory_text
from flowlint.report.inventory import build, plural
from flowlint.report.paths import from_cwd


def command(args: argparse.Namespace) -> int:
    run = _prepare(args)
    inventory = build(run.analysis, run.policy, in_scope(run.config, args.paths))
    if args.format == "json":
        text = inventory_json.render(inventory, run.analysis.diagnostics)
    elif args.format == "markdown":
        text = inventory_markdown.render(inventory, run.analysis.diagnostics)
    else:
        text = inventory_text.render(inventory, run.analysis.diagnostics, from_cwd(run.config.root, Path.cwd()))
    _write(text, args.output)
    if args.output is not None:
        print(f"flowlint: wrote {args.output} ({plural(inventory.entry_points, 'entry point')}, "
              f"{inventory.undeclared} not declared)", file=sys.stderr)
    return EXIT_CLEAN
