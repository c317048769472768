"""Runs the engine's fixture cases (tests/fixtures/engine) and compares findings with `# expect:`.

A case is a `.py` file (a one-module project) or a folder (a project root). Expectations are
comments on sink lines: `# expect: FL101, FL201` and `# xfail: FL101` (known gaps). Every
other line must have no finding. A case is a clean project: a file that does not tokenize
cannot state its expectations (`_comments` raises), and the analysis's diagnostics
(`CaseResult.diagnostics`, FL903 for a syntax error) are failures unless the test declares them.
`python tests/engine_fixtures.py` prints the per-group table.
"""

from __future__ import annotations

import io
import re
import sys
import tokenize
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from flowlint.config import load_config
from flowlint.discover import SourceFile, discover
from flowlint.pipeline import Analysis, analyse
from flowlint.policy.load import load_policy

ROOT = Path(__file__).parent / "fixtures" / "engine"
SHARED_POLICY = ROOT / "policy.toml"
_EXPECT = re.compile(r"#\s*(expect|xfail):\s*([A-Z0-9, ]+)")

Line = tuple[str, int]  # (relpath, line)


@dataclass
class CaseResult:
    name: str
    group: str
    sink_lines: int = 0
    expected: dict[Line, set[str]] = field(default_factory=dict)
    xfail: dict[Line, set[str]] = field(default_factory=dict)
    found: dict[Line, set[str]] = field(default_factory=dict)
    analysis: Analysis | None = None

    def missing(self) -> list[str]:
        return [f"{p}:{n}: {r}" for (p, n), rules in sorted(self.expected.items())
                for r in sorted(rules - self.found.get((p, n), set()))]

    def unexpected(self) -> list[str]:
        out = []
        for (p, n), rules in sorted(self.found.items()):
            allowed = self.expected.get((p, n), set()) | self.xfail.get((p, n), set())
            out += [f"{p}:{n}: {r}" for r in sorted(rules - allowed)]
        return out

    def xpassed(self) -> list[str]:
        return [f"{p}:{n}: {r}" for (p, n), rules in sorted(self.xfail.items())
                for r in sorted(rules & self.found.get((p, n), set()))]

    def diagnostics(self) -> list[str]:
        """The analysis's diagnostics (see `diagnostics`): a clean case has none."""
        assert self.analysis is not None
        return diagnostics(self.analysis)


def diagnostics(analysis: Analysis) -> list[str]:
    """An analysis's diagnostics as `path:line: code message`, less those about the shared
    policy: most of its patterns match nothing in any one case."""
    return [f"{d.path}:{d.line}: {d.code} {d.message}" for d in analysis.diagnostics
            if Path(d.path).resolve() != SHARED_POLICY.resolve()]


def cases(root: Path = ROOT) -> list[Path]:
    out = []
    for group in sorted(p for p in root.iterdir() if p.is_dir()):
        for entry in sorted(group.iterdir()):
            if entry.is_dir() and not entry.name.startswith(("_", ".")):
                out.append(entry)
            elif entry.suffix == ".py":
                out.append(entry)
    return out


def _comments(source: str) -> list[tuple[int, str]]:
    """(line, text) of every comment token. A source that does not tokenize raises ValueError:
    its expectations cannot be read, and a case that silently lost them would pass."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError) as err:
        raise ValueError(f"does not tokenize, so its `# expect:` comments cannot be read: {err}") from err
    return [(t.start[0], t.string) for t in tokens if t.type == tokenize.COMMENT]


def _files(case: Path) -> list[SourceFile]:
    if case.is_file():
        return [SourceFile(case, case.name, case.stem, False)]
    return discover(load_config([case], isolated=True))[0]


def expectations(path: Path, relpath: str) -> tuple[dict[Line, set[str]], dict[Line, set[str]]]:
    """The `# expect:` and `# xfail:` rules of a fixture file, by (relpath, line)."""
    try:
        comments = _comments(path.read_text(encoding="utf-8"))
    except ValueError as err:
        raise ValueError(f"fixture {path}: {err}") from err
    expected: dict[Line, set[str]] = {}
    xfail: dict[Line, set[str]] = {}
    for line, comment in comments:
        for match in _EXPECT.finditer(comment):  # a line may have both `expect:` and `xfail:`
            rules = {r.strip() for r in match.group(2).split(",") if r.strip()}
            table = expected if match.group(1) == "expect" else xfail
            table.setdefault((relpath, line), set()).update(rules)
    return expected, xfail


def run_case(case: Path, shared_policy: Path | None = SHARED_POLICY) -> CaseResult:
    """Analyse one case with the shared policy (if any) plus the case's own."""
    result = CaseResult(case.stem if case.is_file() else case.name, case.parent.name)
    extra = case.with_suffix(".toml") if case.is_file() else case / "policy.toml"
    policies = ([shared_policy] if shared_policy else []) + ([extra] if extra.exists() else [])
    policy = load_policy(policies, base_dir=ROOT)
    files = _files(case)
    for file in files:
        expected, xfail = expectations(file.path, file.relpath)
        result.expected.update(expected)
        result.xfail.update(xfail)
    result.analysis = analyse(files, policy)
    for finding in result.analysis.findings:
        key = (finding.sink.location.path, finding.sink.location.line)
        result.found.setdefault(key, set()).add(finding.rule_id)
    result.sink_lines = len({flow.sink.site[:2] for flow in result.analysis.flows} | set(result.expected)
                            | set(result.xfail) | _sink_call_lines(files, policy))
    return result


def _sink_call_lines(files: list[SourceFile], policy) -> set[Line]:
    """Lines that call a sink by its last name (counts negative sink lines too)."""
    names = {pattern.rsplit(".", 1)[-1].rstrip("()") for sink in policy.sinks for pattern in sink.calls}
    out: set[Line] = set()
    for file in files:
        for number, text in enumerate(file.path.read_text(encoding="utf-8").splitlines(), 1):
            code = text.split("#", 1)[0]
            if any(re.search(rf"\b{re.escape(n)}\s*\(", code) for n in names if n):
                out.add((file.relpath, number))
    return out


def table() -> str:
    groups: dict[str, Counter] = {}
    for case in cases():
        r = run_case(case)
        c = groups.setdefault(r.group, Counter())
        c["files"] += 1
        c["sink lines"] += r.sink_lines
        c["expected"] += sum(len(v) for v in r.expected.values())
        c["found"] += sum(len(v) for v in r.expected.values()) - len(r.missing())
        c["false alarms"] += len(r.unexpected())
        c["xfail"] += sum(len(v) for v in r.xfail.values())
        c["xpass"] += len(r.xpassed())
    columns = ["files", "sink lines", "expected", "found", "false alarms", "xfail", "xpass"]
    rows = [f"| group | {' | '.join(columns)} |", "|---" * (len(columns) + 1) + "|"]
    total: Counter = Counter()
    for group, c in sorted(groups.items()):
        total.update(c)
        rows.append(f"| {group} | " + " | ".join(str(c[k]) for k in columns) + " |")
    rows.append("| **total** | " + " | ".join(str(total[k]) for k in columns) + " |")
    return "\n".join(rows)


if __name__ == "__main__":
    sys.stdout.write(table() + "\n")
