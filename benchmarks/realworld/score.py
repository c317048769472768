"""Score flowlint against hand-written ground truth on real public projects (not a test).

    python benchmarks/realworld/score.py check [--table]
    python benchmarks/realworld/score.py prepare --into DIR [--mirrors /work/.mirror] [--only ID]
    python benchmarks/realworld/score.py run --checkouts DIR [--flowlint CMD] [--json OUT] [--only ID]
                                             [--policy FILE ...]

Each `projects/<id>.toml` pins a public repository at a commit and lists the flows of
third-party personal data into collection sinks that a reviewer sees by reading the code, and
the traps (lines where a finding would be a false alarm); README.md gives the format.
`check` validates those files; `prepare` extracts each pinned commit from a local git mirror;
`run` runs `flowlint check --isolated --no-cache --format json --exit-zero` on each checkout
(the shipped packs, out of the box; `--policy` adds policy files for experiments) and scores
the findings: a flow is found when a finding's sink is the flow's sink line and its source is
one of the flow's source lines; a trap is hit when a finding's sink is on the trap's line;
every other finding is listed for a reviewer to classify. Standard library only.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: flowlint depends on tomli there
    import tomli as tomllib

HERE = Path(__file__).resolve().parent
PROJECTS = HERE / "projects"

KINDS = frozenset({
    "instagram-scraper", "vk-scraper", "face-search", "face-index", "osint", "people-enrichment",
    "recruiting-crawler", "scrapy-spider", "selenium-harvester", "social-api-collector",
    "first-party-control",
})
SINK_KINDS = frozenset({
    "collection.store", "collection.file", "collection.index", "collection.cache",
    "collection.object_store", "collection.log", "disclosure.third_party",
    "processing.biometric", "processing.training",
})
ENTRIES = frozenset({"http-api", "scraped-page", "browser", "sdk", "dataset-file"})

# key -> (type, required), per table
PROJECT_KEYS = {"repo": (str, True), "commit": (str, True), "kind": (str, True),
                "summary": (str, True), "root": (str, False)}
FLOW_KEYS = {"id": (str, True), "sources": (list, True), "sink": (str, True), "sink_kind": (str, True),
             "in_process": (bool, True), "why": (str, True), "provider": (str, True), "entry": (str, True)}
TRAP_KEYS = {"sink": (str, True), "why": (str, True)}
TOP_KEYS = {"project", "flows", "traps"}

ID_RE = re.compile(r"[a-z0-9-]+")
COMMIT_RE = re.compile(r"[0-9a-f]{40}")
REPO_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9_.-]+")
LOCATION_RE = re.compile(r"(?P<path>[^:\\]+):(?P<line>[1-9][0-9]*)")


class TruthError(Exception):
    """A project file that does not follow the format; the message names the file and the entry."""


@dataclass(frozen=True)
class Location:
    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Flow:
    id: str
    sources: tuple[Location, ...]
    sink: Location
    sink_kind: str
    in_process: bool
    why: str
    provider: str
    entry: str


@dataclass(frozen=True)
class Trap:
    sink: Location
    why: str


@dataclass(frozen=True)
class Project:
    id: str
    repo: str
    commit: str
    kind: str
    summary: str
    root: str
    flows: tuple[Flow, ...]
    traps: tuple[Trap, ...]


def _closest(key: str, allowed: dict[str, tuple[type, bool]]) -> str:
    match = difflib.get_close_matches(key, list(allowed), n=1)
    return f"; did you mean '{match[0]}'?" if match else ""


def _table(where: str, table: object, allowed: dict[str, tuple[type, bool]]) -> dict:
    if not isinstance(table, dict):
        raise TruthError(f"{where}: must be a table")
    for key in table:
        if key not in allowed:
            raise TruthError(f"{where}: {key}: unknown key{_closest(key, allowed)}")
    for key, (kind, required) in allowed.items():
        if key not in table:
            if required:
                raise TruthError(f"{where}: {key}: missing")
            continue
        if not isinstance(table[key], kind):
            raise TruthError(f"{where}: {key}: must be a {kind.__name__}, not {type(table[key]).__name__}")
    return table


def _location(where: str, value: object) -> Location:
    match = LOCATION_RE.fullmatch(value) if isinstance(value, str) else None
    if match is None or match["path"].startswith("/") or ".." in match["path"].split("/"):
        raise TruthError(f"{where}: {value!r}: not a file:line (a repository-relative path with '/', "
                         "a colon, a line number from 1)")
    return Location(match["path"], int(match["line"]))


def _vocabulary(where: str, value: str, allowed: frozenset[str]) -> str:
    if value not in allowed:
        raise TruthError(f"{where}: {value!r}: not one of {', '.join(sorted(allowed))}")
    return value


def load_project(path: Path) -> Project:
    """The project file at ``path``, validated; raises `TruthError` naming the file and entry."""
    name = path.name
    if not ID_RE.fullmatch(path.stem):
        raise TruthError(f"{name}: the file name must be <id>.toml with an id of [a-z0-9-]+")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise TruthError(f"{name}: not valid TOML: {error}") from None
    for key in data:
        if key not in TOP_KEYS:
            raise TruthError(f"{name}: [{key}]: unknown table (expected [project], [[flows]], [[traps]])")
    if "project" not in data:
        raise TruthError(f"{name}: [project]: missing")
    project = _table(f"{name}: [project]", data["project"], PROJECT_KEYS)
    where = f"{name}: [project]"
    if not REPO_RE.fullmatch(project["repo"]):
        raise TruthError(f"{where}: repo: {project['repo']!r} is not owner/name")
    if not COMMIT_RE.fullmatch(project["commit"]):
        raise TruthError(f"{where}: commit: {project['commit']!r} is not 40 lower-case hex digits")
    _vocabulary(f"{where}: kind", project["kind"], KINDS)
    root = project.get("root", "").strip("/")
    if root.startswith(".") or "\\" in root:
        raise TruthError(f"{where}: root: {project['root']!r} must be a sub-folder path with '/' (or \"\")")

    flows_data = data.get("flows", [])
    traps_data = data.get("traps", [])
    if not isinstance(flows_data, list) or not isinstance(traps_data, list):
        raise TruthError(f"{name}: flows and traps must be arrays of tables ([[flows]], [[traps]])")
    flows: list[Flow] = []
    for number, entry in enumerate(flows_data, start=1):
        where = f"{name}: [[flows]] #{number}"
        table = _table(where, entry, FLOW_KEYS)
        where = f"{name}: [[flows]] #{number} ({table['id']})"
        if not ID_RE.fullmatch(table["id"]):
            raise TruthError(f"{where}: id: must match [a-z0-9-]+")
        if any(flow.id == table["id"] for flow in flows):
            raise TruthError(f"{where}: id: used by an earlier flow")
        if not table["sources"]:
            raise TruthError(f"{where}: sources: must name at least one file:line")
        flows.append(Flow(
            id=table["id"],
            sources=tuple(_location(f"{where}: sources", source) for source in table["sources"]),
            sink=_location(f"{where}: sink", table["sink"]),
            sink_kind=_vocabulary(f"{where}: sink_kind", table["sink_kind"], SINK_KINDS),
            in_process=table["in_process"],
            why=table["why"],
            provider=table["provider"],
            entry=_vocabulary(f"{where}: entry", table["entry"], ENTRIES),
        ))
    traps: list[Trap] = []
    for number, entry in enumerate(traps_data, start=1):
        where = f"{name}: [[traps]] #{number}"
        table = _table(where, entry, TRAP_KEYS)
        sink = _location(f"{where}: sink", table["sink"])
        if any(flow.sink == sink for flow in flows):
            raise TruthError(f"{where}: sink: {sink} is also a flow's sink")
        traps.append(Trap(sink, table["why"]))
    return Project(path.stem, project["repo"], project["commit"], project["kind"], project["summary"],
                   root, tuple(flows), tuple(traps))


def load_all(only: str | None = None) -> list[Project]:
    """Every project file (or the one named ``only``), validated; raises `TruthError` on the first bad one."""
    paths = sorted(PROJECTS.glob("*.toml"))
    if only is not None:
        paths = [path for path in paths if path.stem == only]
        if not paths:
            raise TruthError(f"--only {only}: no projects/{only}.toml")
    return [load_project(path) for path in paths]


# ---------------------------------------------------------------- prepare


def find_git_dir(mirrors: Path, repo: str) -> Path | None:
    """The git directory of ``repo``'s mirror: ``<mirrors>/<owner>+<name>/...`` (bare or with .git)."""
    folder = mirrors / repo.replace("/", "+")
    if not folder.is_dir():
        return None
    for candidate in (folder, *sorted(folder.glob("*")), *sorted(folder.glob("*/*"))):
        if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
            return candidate
    return None


def extract(git_dir: Path, commit: str, target: Path) -> list[str]:
    """Write the files of ``commit`` under ``target``; the paths whose blobs the mirror lacks.

    A mirror may leave out its largest files, which makes `git archive` fail; then the tree is
    written blob by blob and the missing ones are skipped.
    """
    git = ["git", "--git-dir", str(git_dir)]
    archive = subprocess.run([*git, "archive", "--format=tar", commit], capture_output=True)
    if archive.returncode == 0:
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
        return []
    listing = subprocess.run([*git, "ls-tree", "-r", "-z", commit], capture_output=True, check=True).stdout
    blobs = []
    for entry in listing.split(b"\0"):
        if entry:
            meta, path = entry.split(b"\t", 1)
            mode, kind, sha = meta.split()
            if kind == b"blob" and mode != b"120000":
                blobs.append((sha, path.decode("utf-8", errors="surrogateescape")))
    batch = subprocess.run([*git, "cat-file", "--batch"], input=b"".join(sha + b"\n" for sha, _ in blobs),
                           capture_output=True, check=True).stdout
    missing, offset = [], 0
    for _, path in blobs:
        end = batch.index(b"\n", offset)
        header = batch[offset:end].split()
        offset = end + 1
        if header[-1] == b"missing":
            missing.append(path)
            continue
        size = int(header[2])
        file = target / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(batch[offset:offset + size])
        offset += size + 1
    return missing


def prepare(projects: list[Project], into: Path, mirrors: Path) -> int:
    into.mkdir(parents=True, exist_ok=True)
    skipped = 0
    for project in projects:
        target = into / project.id
        if target.exists():
            print(f"{project.id}: {target} exists, kept (delete it to extract again)")
            continue
        git_dir = find_git_dir(mirrors, project.repo)
        if git_dir is None:
            print(f"{project.id}: skipped: no mirror of {project.repo} under {mirrors} "
                  f"(fetch github:{project.repo} first)")
            skipped += 1
            continue
        known = subprocess.run(["git", "--git-dir", str(git_dir), "cat-file", "-e", f"{project.commit}^{{commit}}"],
                               capture_output=True)
        if known.returncode != 0:
            print(f"{project.id}: skipped: the mirror {git_dir} has no commit {project.commit}")
            skipped += 1
            continue
        staging = Path(tempfile.mkdtemp(dir=into, prefix=f".{project.id}-"))
        try:
            missing = extract(git_dir, project.commit, staging)
        except (subprocess.CalledProcessError, ValueError, IndexError):
            shutil.rmtree(staging)
            raise
        staging.rename(target)
        print(f"{project.id}: {project.repo}@{project.commit[:12]} -> {target}")
        if missing:
            print(f"  {len(missing)} file(s) absent from the mirror, left out: {', '.join(missing[:5])}"
                  + (" ..." if len(missing) > 5 else ""))
    return 1 if skipped else 0


# ---------------------------------------------------------------- run


@dataclass(frozen=True)
class Finding:
    rule: str
    source: Location
    source_symbol: str
    sink: Location
    sink_symbol: str
    sink_kind: str

    def describe(self, sink_symbols: str) -> str:
        return f"{self.source} {self.source_symbol} -> {self.sink} {sink_symbols} [{self.rule} {self.sink_kind}]"


def describe_grouped(findings: list[Finding]) -> list[str]:
    """One line per source and sink location and rule: a call that several sink patterns name
    (`psycopg2.connect().cursor().execute`, `sqlite3.connect().cursor().execute`) is one finding."""
    groups: dict[tuple[Location, Location, str], tuple[Finding, set[str]]] = {}
    for finding in findings:
        first, symbols = groups.setdefault((finding.source, finding.sink, finding.rule), (finding, set()))
        symbols.add(finding.sink_symbol)
    return sorted(first.describe(" | ".join(sorted(symbols))) for first, symbols in groups.values())


@dataclass(frozen=True)
class Missed:
    id: str
    sources: tuple[str, ...]
    sink: str
    sink_kind: str
    in_process: bool
    why: str


@dataclass(frozen=True)
class Score:
    project: str
    repo: str
    seconds: float
    error: str
    found: tuple[str, ...]
    missed: tuple[Missed, ...]
    in_process_expected: int
    in_process_found: int
    cross_process_expected: int
    cross_process_found: int
    traps: int
    traps_hit: tuple[str, ...]
    other: tuple[str, ...]
    truth_warnings: tuple[str, ...]


def _repo_location(root: str, location: dict) -> Location:
    path = location["path"]
    return Location(f"{root}/{path}" if root else path, location["line"])


def parse_findings(report: dict, root: str) -> list[Finding]:
    """The findings of a flowlint JSON report, with paths made relative to the repository root."""
    return [
        Finding(rule=item["rule_id"],
                source=_repo_location(root, item["source"]["location"]),
                source_symbol=item["source"].get("symbol", ""),
                sink=_repo_location(root, item["sink"]["location"]),
                sink_symbol=item["sink"].get("symbol", ""),
                sink_kind=item["sink"].get("kind", ""))
        for item in report.get("findings", [])
    ]


def truth_warnings(project: Project, checkout: Path) -> list[str]:
    """Truth locations that do not exist in the checkout (a wrong path, or a line past the end)."""
    warnings = []
    locations = [(f"flow {flow.id}", loc) for flow in project.flows for loc in (*flow.sources, flow.sink)]
    locations += [("trap", trap.sink) for trap in project.traps]
    for what, location in locations:
        file = checkout / location.path
        if not file.is_file():
            warnings.append(f"{what}: {location}: no such file in the checkout")
        elif location.line > len(file.read_text(encoding="utf-8", errors="replace").splitlines()):
            warnings.append(f"{what}: {location}: past the end of the file")
    return warnings


def score(project: Project, findings: list[Finding], seconds: float, error: str, warnings: list[str]) -> Score:
    found: list[str] = []
    missed: list[Missed] = []
    used: set[Finding] = set()
    for flow in project.flows:
        matches = [f for f in findings if f.sink == flow.sink and f.source in flow.sources]
        if matches:
            found.append(flow.id)
        else:
            missed.append(Missed(flow.id, tuple(map(str, flow.sources)), str(flow.sink), flow.sink_kind,
                                 flow.in_process, flow.why))
        used.update(matches)
    trap_lines = {trap.sink for trap in project.traps}
    hit = sorted({str(f.sink) for f in findings if f.sink in trap_lines})
    other = describe_grouped([f for f in findings if f not in used and f.sink not in trap_lines])
    in_process = [flow for flow in project.flows if flow.in_process]
    cross = [flow for flow in project.flows if not flow.in_process]
    return Score(
        project=project.id, repo=project.repo, seconds=round(seconds, 2), error=error,
        found=tuple(found), missed=tuple(missed),
        in_process_expected=len(in_process), in_process_found=sum(flow.id in found for flow in in_process),
        cross_process_expected=len(cross), cross_process_found=sum(flow.id in found for flow in cross),
        traps=len(project.traps), traps_hit=tuple(hit), other=tuple(other), truth_warnings=tuple(warnings),
    )


def run_flowlint(command: list[str], target: Path, policies: list[str]) -> tuple[dict | None, float, str]:
    """flowlint's JSON report on ``target``, the wall time, and an error text ('' when it ran)."""
    extra = [arg for policy in policies for arg in ("--policy", policy)]
    if extra:
        extra = ["--policy", "core", "--policy", "scrapers", *extra]
    started = time.perf_counter()
    process = subprocess.run([*command, "check", "--isolated", "--no-cache", "--format", "json", "--exit-zero",
                              *extra, str(target)], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        return None, seconds, f"exit {process.returncode}: {process.stderr.strip()[-400:]}"
    try:
        return json.loads(process.stdout), seconds, ""
    except json.JSONDecodeError as error:
        return None, seconds, f"output is not JSON: {error}"


def print_table(scores: list[Score]) -> None:
    header = ("project", "flows", "cross-proc", "traps hit", "other", "seconds")
    rows = [(s.project + (" (ERROR)" if s.error else ""),
             f"{s.in_process_found}/{s.in_process_expected}",
             f"{s.cross_process_found}/{s.cross_process_expected}",
             f"{len(s.traps_hit)}/{s.traps}", str(len(s.other)), f"{s.seconds:.1f}") for s in scores]
    rows.append(("TOTAL",
                 f"{sum(s.in_process_found for s in scores)}/{sum(s.in_process_expected for s in scores)}",
                 f"{sum(s.cross_process_found for s in scores)}/{sum(s.cross_process_expected for s in scores)}",
                 f"{sum(len(s.traps_hit) for s in scores)}/{sum(s.traps for s in scores)}",
                 str(sum(len(s.other) for s in scores)), f"{sum(s.seconds for s in scores):.1f}"))
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    for number, row in enumerate((header, *rows)):
        if number == len(rows):
            print("  ".join("-" * width for width in widths))
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())


def print_details(score_: Score) -> None:
    lines = [f"  ERROR {score_.error}"] if score_.error else []
    lines += [f"  truth warning: {warning}" for warning in score_.truth_warnings]
    for flow in score_.missed:
        where = "" if flow.in_process else " (cross-process)"
        lines.append(f"  missed {flow.id}{where}: {' | '.join(flow.sources)} -> {flow.sink} "
                     f"({flow.sink_kind})\n      why: {flow.why}")
    lines += [f"  trap hit: {line}" for line in score_.traps_hit]
    lines += [f"  other: {line}" for line in score_.other]
    if lines:
        print(f"\n{score_.project} ({score_.repo})")
        print("\n".join(lines))


def run(projects: list[Project], checkouts: Path, command: list[str], policies: list[str],
        json_out: Path | None) -> int:
    scores: list[Score] = []
    for project in projects:
        checkout = checkouts / project.id
        target = checkout / project.root if project.root else checkout
        if not target.is_dir():
            print(f"{project.id}: skipped: no checkout at {target} (run prepare first)", file=sys.stderr)
            continue
        report, seconds, error = run_flowlint(command, target, policies)
        findings = parse_findings(report, project.root) if report is not None else []
        scores.append(score(project, findings, seconds, error, truth_warnings(project, checkout)))
    if not scores:
        print("no checkouts to score", file=sys.stderr)
        return 1
    print_table(scores)
    for score_ in scores:
        print_details(score_)
    if json_out is not None:
        json_out.write_text(json.dumps({"projects": [asdict(s) for s in scores]}, indent=2) + "\n",
                            encoding="utf-8")
    return 1 if any(s.error for s in scores) else 0


def markdown_table(projects: list[Project]) -> str:
    rows = ["| id | repository | commit | kind | flows (in-process + cross-process) | traps |",
            "|---|---|---|---|---|---|"]
    for p in projects:
        inside = sum(flow.in_process for flow in p.flows)
        rows.append(f"| `{p.id}` | [{p.repo}](https://github.com/{p.repo}) | `{p.commit[:12]}` | {p.kind} "
                    f"| {inside} + {len(p.flows) - inside} | {len(p.traps)} |")
    return "\n".join(rows)


def default_flowlint() -> list[str]:
    found = shutil.which("flowlint")
    return [found] if found else [sys.executable, "-m", "flowlint"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="validate every projects/*.toml")
    check.add_argument("--table", action="store_true", help="then print the README's table of projects")
    prep = commands.add_parser("prepare", help="extract each pinned commit from its local git mirror")
    prep.add_argument("--into", type=Path, required=True)
    prep.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"))
    prep.add_argument("--only", metavar="ID")
    go = commands.add_parser("run", help="run flowlint on each checkout and score it")
    go.add_argument("--checkouts", type=Path, required=True)
    go.add_argument("--flowlint", metavar="CMD", help="flowlint command line (default: flowlint on PATH)")
    go.add_argument("--json", type=Path, metavar="OUT", dest="json_out")
    go.add_argument("--only", metavar="ID")
    go.add_argument("--policy", action="append", default=[], metavar="FILE",
                    help="an extra policy file for experiments; then only the core and scrapers packs "
                         "are loaded with it (without --policy: every shipped pack)")
    args = parser.parse_args(argv)
    try:
        projects = load_all(getattr(args, "only", None))
    except TruthError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.command == "check":
        flows = sum(len(p.flows) for p in projects)
        traps = sum(len(p.traps) for p in projects)
        print(f"{len(projects)} project files valid ({flows} flows, {traps} traps)")
        if args.table:
            print(markdown_table(projects))
        return 0
    if args.command == "prepare":
        return prepare(projects, args.into, args.mirrors)
    command = shlex.split(args.flowlint) if args.flowlint else default_flowlint()
    return run(projects, args.checkouts, command, [str(Path(p).resolve()) for p in args.policy], args.json_out)


if __name__ == "__main__":
    sys.exit(main())
