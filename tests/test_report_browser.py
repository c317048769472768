"""The HTML reviewer report in a real browser: headless Chromium renders it to a screenshot and
prints it to PDF, with every network feature it can switch off switched off.

The tests need Debian's `chromium` (`.ci/run` installs it); without it they are skipped. The
screenshot is decoded here (zlib and the PNG filters, no imaging library) and must show a page,
not a blank: many distinct colours, the severity red of the findings among them.

`docs/report-screenshot.png` (shown in the README) is the report of `examples/rcmp-case`; to
regenerate it after a deliberate change, then look at it:

    FLOWLINT_UPDATE_SCREENSHOT=1 python -m pytest tests/test_report_browser.py -k rcmp
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from flowlint.config import load_config
from flowlint.discover import discover
from flowlint.pipeline import analyse
from flowlint.policy.load import load_policy
from flowlint.report.reviewer import render_report, report_meta
from test_report import analyse_project, fixed_meta, write_project

REPO = Path(__file__).resolve().parents[1]
SCREENSHOT = REPO / "docs" / "report-screenshot.png"
EXAMPLES = sorted(p for p in (REPO / "examples").iterdir() if (p / "flowlint.toml").exists())
CHROMIUM = next((c for c in ("/usr/bin/chromium", shutil.which("chromium")) if c and os.access(c, os.X_OK)), None)
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (`apt-get install -y "
                                                              "chromium`; .ci/run installs it)")
SEVERITY_RED = (0xB9, 0x1C, 0x1C)  # --error in the report's CSS


def chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--disable-extensions", "--disable-default-apps", "--mute-audio", f"--user-data-dir={profile}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL)


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and the unfiltered rows of an 8-bit RGB or RGBA PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    offset, chunks, header = 8, [], None
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        body = data[offset + 8:offset + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        offset += 12 + length
    assert header is not None
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, header
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        if kind == 1:
            for i in range(channels, stride):
                line[i] = (line[i] + line[i - channels]) & 0xFF
        elif kind == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, previous))
        elif kind == 3:
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                line[i] = (line[i] + ((left + previous[i]) >> 1)) & 0xFF
        elif kind == 4:
            for i in range(stride):
                a = line[i - channels] if i >= channels else 0
                b, c = previous[i], previous[i - channels] if i >= channels else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, [bytes(r) if channels == 3 else bytes(b for i, b in enumerate(r) if i % 4 != 3) for r in rows]


def colours(rows: list[bytes]) -> set[tuple[int, int, int]]:
    out: set[tuple[int, int, int]] = set()
    for row in rows:
        out.update(zip(row[0::3], row[1::3], row[2::3]))
    return out


def screenshot(html: Path, png: Path, profile: Path, size: str = "1280,2000") -> None:
    done = chromium(profile, f"--screenshot={png}", f"--window-size={size}", "--hide-scrollbars", html.as_uri())
    assert png.exists() and png.stat().st_size > 0, done.stderr[-2000:]


def assert_not_blank(png: Path) -> set[tuple[int, int, int]]:
    width, height, rows = png_pixels(png.read_bytes())
    assert (width, height) == (1280, 2000)
    seen = colours(rows)
    assert len(seen) > 200, f"only {len(seen)} colours: a blank page?"
    return seen


@pytest.fixture
def report_html(tmp_path: Path) -> Path:
    root = write_project(tmp_path / "proj")
    analysis, policy = analyse_project(root)
    html = tmp_path / "report.html"
    html.write_text(render_report(analysis, policy, "html", fixed_meta(root)), encoding="utf-8")
    return html


@needs_chromium
def test_screenshot_of_the_report_is_not_blank(report_html: Path, tmp_path: Path) -> None:
    png = tmp_path / "report.png"
    screenshot(report_html, png, tmp_path / "profile")
    seen = assert_not_blank(png)
    assert SEVERITY_RED in seen  # the page's own CSS applied: error badges and borders


@needs_chromium
def test_report_prints_to_pdf(report_html: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    done = chromium(tmp_path / "profile", f"--print-to-pdf={pdf}", "--no-pdf-header-footer", report_html.as_uri())
    assert pdf.exists(), done.stderr[-2000:]
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert len(data) > 20_000
    pages = data.count(b"/Type /Page") - data.count(b"/Type /Pages")
    assert pages >= 2, pages  # a report with three traced findings does not fit on one A4 page


@needs_chromium
def test_the_page_script_runs_under_its_content_security_policy(report_html: Path, tmp_path: Path) -> None:
    """The only script is allowed by its hash: in the browser it shows the origin filter."""
    done = chromium(tmp_path / "profile", "--dump-dom", report_html.as_uri())
    dom = done.stdout
    assert 'id="origin-shown">3 of 3 shown<' in dom, done.stderr[-2000:]
    assert 'id="origin-filter" hidden' not in dom


@needs_chromium
@pytest.mark.parametrize("example", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_examples_render_in_chromium(example: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    relative = example.relative_to(REPO)
    config = load_config([relative])
    policy = load_policy(config.policies, base_dir=config.root)
    files, _ = discover(config)
    analysis = analyse(files, policy)
    assert analysis.findings, "every example demonstrates findings"
    meta = report_meta(relative, ["flowlint", "report", relative.as_posix(), "--format", "html", "--output", "report.html"])
    html = tmp_path / "report.html"
    html.write_text(render_report(analysis, policy, "html", meta), encoding="utf-8")
    png = tmp_path / "report.png"
    screenshot(html, png, tmp_path / "profile")
    assert SEVERITY_RED in assert_not_blank(png)
    if example.name == "rcmp-case" and os.environ.get("FLOWLINT_UPDATE_SCREENSHOT") == "1":
        SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(png, SCREENSHOT)


def test_committed_screenshot_is_a_picture_of_a_report() -> None:
    assert SCREENSHOT.exists(), "docs/report-screenshot.png is shown in the README"
    width, height, rows = png_pixels(SCREENSHOT.read_bytes())
    assert width == 1280 and height >= 1000
    assert SEVERITY_RED in colours(rows)


FLAGGED_SINK_FILL = (0xFE, 0xE2, 0xE2)  # graph.NODE_STYLE["sink:flagged"]: drawn nowhere but in the graph


@needs_chromium
def test_the_flow_graph_fits_a_1280_pixel_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The widest example graph (wider than the page) is scaled down: its last column, the
    flagged sinks, is on screen at 1280 px, not scrolled out of view."""
    example = REPO / "examples" / "clearview-pipeline"
    done = subprocess.run([sys.executable, "-m", "flowlint", "report", "--no-cache", "--output", str(tmp_path / "full.html")],
                          cwd=example, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "full.html").read_text(encoding="utf-8")
    width = float(re.search(r'<svg class="flow-graph"[^>]* width="([0-9.]+)"', page).group(1))
    assert width > 1280, "the example no longer needs scaling: pick a wider one"
    # the page with its own CSS and only the graph section, so that the graph is in the screenshot
    head = page[: page.index("<body>") + len("<body>")]
    graph = page[page.index('<section id="graph">'): page.index("</section>", page.index('<section id="graph">'))]
    html = tmp_path / "graph.html"
    html.write_text(f"{head}<main>{graph}</section></main></body></html>", encoding="utf-8")
    png = tmp_path / "graph.png"
    screenshot(html, png, tmp_path / "profile")
    shown_width, _, rows = png_pixels(png.read_bytes())
    assert shown_width == 1280
    columns = {x for row in rows for x in range(0, len(row), 3) if tuple(row[x:x + 3]) == FLAGGED_SINK_FILL}
    assert columns, "no flagged sink on screen: the graph's last column is cut off"
    assert max(columns) // 3 < 1280 - 8
