"""`flowlint names FILE:LINE`: the API names flowlint gives the calls and reads on one line, and
the policy entries that match each.

A policy pattern must match one of these names (`sqlite3.connect().cursor().execute`,
`sqlalchemy.orm.Session.add`, `pymongo.MongoClient()[][].insert_one`), so this is how a user
finds why a pattern matches nothing. The names come from the engine itself
(flowlint.analysis.line_names), in every context it analyses the line's function.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from flowlint.analysis.models import Models
from flowlint.analysis.pattern_use import pattern_line
from flowlint.annotations import apply_annotations
from flowlint.cache import IRCache
from flowlint.commands import EXIT_CLEAN, _config, _policy, _write
from flowlint.discover import discover
from flowlint.errors import FlowlintError
from flowlint.parsing import parse_files, read_inputs
from flowlint.program import Program
from flowlint.results import to_json

_LOCATION = re.compile(r"(?P<path>.+):(?P<line>[0-9]+)")
_SHOWN = 60  # characters of a site's code shown
_KEYS = {"call": "calls", "read": "reads", "store": "stores", "params": "params"}  # the patterns that name each kind of site


def command(args: argparse.Namespace) -> int:
    # the engine (and networkx) are loaded only for this command, not for every command line
    from flowlint.analysis.line_names import names_on_line

    path, line = _location(args.location)
    config = _config(args, [path])
    policy = _policy(args, config, args.policy)
    files, _ = discover(config)
    source = next((f for f in files if f.path.resolve() == path.resolve()), None)
    if source is None:
        raise FlowlintError(f"{path}: not a Python file of the project")
    text = source.path.read_text(encoding="utf-8", errors="replace").splitlines()
    if not 1 <= line <= len(text):
        raise FlowlintError(f"{path}:{line}: line out of range (the file has {len(text)} lines)")
    parsed = parse_files(read_inputs(files, config.limits.max_file_size), cache=IRCache(config.cache_dir))
    module = next((m for m in parsed.modules if m.path == source.relpath), None)
    if module is None:
        problem = next((d.message for d in parsed.diagnostics if d.path == source.relpath), "not analysed")
        raise FlowlintError(f"{path}: {problem}")
    policy, _ = apply_annotations(parsed.modules, policy)
    models = Models(policy)
    found = names_on_line(Program.build(parsed.modules, config.import_roots), models, module.name, line,
                          config.limits)
    if not found:
        print(f"no calls or reads on line {line} of {path}")
        return EXIT_CLEAN
    sites = [_site(site.span, site.kind, sorted(names), text, models) for site, names in sorted(found.items())]
    if args.format == "json":
        _write(to_json({"path": source.relpath, "line": line, "sites": sites}), None)
    else:
        _write(_text(f"{path}:{line}", sites), None)
    return EXIT_CLEAN


def _location(text: str) -> tuple[Path, int]:
    match = _LOCATION.fullmatch(text)
    if match is None or int(match["line"]) < 1:
        raise FlowlintError(f"{text!r}: expected FILE:LINE (a Python file and a line number from 1), "
                            "e.g. app/store.py:12")
    return Path(match["path"]), int(match["line"])


def _site(span: tuple[int, int, int, int], kind: str, names: list[str], text: list[str], models: Models) -> dict:
    """One site as JSON: where, its code, its names and the policy entries matching each."""
    line, column, end_line, end_column = span
    code = text[line - 1].strip() if kind == "params" else \
        text[line - 1][column - 1:end_column - 1 if end_line == line else None]
    if len(code) > _SHOWN:
        code = code[:_SHOWN - 1] + "…"
    return {
        "kind": kind,
        "location": {"line": line, "column": column, "end_line": end_line, "end_column": end_column},
        "code": code,
        "names": [{"name": name, "entries": [
            {"file": entry.ref.file, "table": table, "index": entry.ref.index, "line": pattern_line(pattern, entry.ref),
             "key": key, "pattern": pattern}
            for table, key, pattern, entry in models.entries(name) if key == _KEYS[kind] and entry.ref is not None]}
            for name in names],
    }


def _text(shown: str, sites: list[dict]) -> str:
    lines = []
    for site in sites:
        lines.append(f"{shown}:{site['location']['column']}: {site['kind']} `{site['code']}`")
        for name in site["names"]:
            lines.append(f"  {name['name']}")
            for entry in name["entries"]:
                at = f"{entry['file']}:{entry['line']}" if entry["line"] else entry["file"]
                lines.append(f"    matches {at}: [[{entry['table']}]] #{entry['index']} {entry['key']} "
                             f"'{entry['pattern']}'")
            if not name["entries"]:
                lines.append("    (no policy entry matches)")
    return "\n".join(lines) + "\n"
