"""Bytes written to the terminal per key (issue 14, point 20): is a cursor move light on the wire?

    python -m tests.benchmarks.wire                     # measure, print, append to RESULTS.md
    python -m tests.benchmarks.wire --no-write --keys 6 # quick look

Each screen runs in its own tmux server (``tmux -L sportello-wire``) in a 120×40 window with
``TERM=xterm-256color``, on a fresh demo desk (``sportello demo --no-tui``, default seed). Once
the screen has settled (nothing written for ``--settle`` seconds), ``tmux pipe-pane -o`` copies
everything the app writes to its terminal into a file; then each key is sent alone and the bytes
it caused are counted after the output has been quiet again. The screens:

* ``bare``: a bare Textual app with a ``DataTable`` of 200 queue-like rows, cursor moved by ``↓``
  and ``↑`` (the reference);
* ``queue``: ``sportello`` on the demo desk, ``↓``/``↑`` in the queue;
* ``timeline``: ``enter`` on the first ticket, then ``j``/``k`` in its timeline;
* ``faq``: ``f`` from the queue, then ``j``/``k`` in the article list.

Keys alternate down and up (``--keys`` of each, after one first ``↓`` left out because it may
also settle the footer), so the cursor never reaches an edge. Per key: the bytes written and the
screen rows they touched (rows named by cursor-position escapes ``ESC[row;colH``). The target is
the median of each screen at most 3× the bare table's.
"""

from __future__ import annotations

import argparse
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .core import machine

HERE = Path(__file__).parent
SIZE = (120, 40)
SOCKET = "sportello-wire"
RATIO = 3.0
#: A cursor move followed by something to draw (the move that parks the cursor is not a row touched).
_MOVE = re.compile(rb"\x1b\[(\d+);(\d+)H(?!\x1b\[\d+;\d+H|\Z)")


@dataclass
class Screen:
    name: str
    what: str
    command: str
    setup: tuple[str, ...]  # keys sent before measuring, one at a time
    down: str
    up: str


def bare_main() -> None:
    """The reference app: a bare DataTable of queue-like rows, focused."""
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield DataTable(cursor_type="row")

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns("#", "Subject", "Customer / org", "Status", "Priority", "Assignee", "Upd", "Due")
            table.add_rows(
                (
                    str(n),
                    f"Cannot open the invoice portal {n}",
                    "Anna Edwards / Umbra",
                    "open",
                    "normal",
                    "ada",
                    "3w",
                    "2d",
                )
                for n in range(200)
            )
            table.focus()

    Bare().run()


def _tmux(*args: str, check: bool = True) -> str:
    done = subprocess.run(["tmux", "-L", SOCKET, *args], capture_output=True, text=True, check=check)
    return done.stdout


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def _quiet(path: Path, settle: float, limit: float = 20.0) -> None:
    """Wait until ``path`` has not grown for ``settle`` seconds."""
    start = time.monotonic()
    last, since = _size(path), time.monotonic()
    while time.monotonic() - start < limit:
        time.sleep(0.05)
        now = _size(path)
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= settle:
            return


def rows_touched(chunk: bytes) -> int:
    return len({int(m.group(1)) for m in _MOVE.finditer(chunk)})


def measure(screen: Screen, keys: int, settle: float, workdir: Path) -> list[tuple[int, int]]:
    """(bytes, rows touched) for each measured key of ``screen``."""
    log = workdir / f"{screen.name}.out"
    log.unlink(missing_ok=True)
    _tmux("kill-server", check=False)
    env = f"env TERM=xterm-256color COLUMNS= LINES= {screen.command}"
    _tmux("-f", "/dev/null", "new-session", "-d", "-x", str(SIZE[0]), "-y", str(SIZE[1]), "-s", "wire", env)
    _tmux("set-option", "-g", "default-terminal", "xterm-256color", check=False)
    _tmux("pipe-pane", "-o", "-t", "wire", f"cat >> {shlex.quote(str(log))}")
    try:
        time.sleep(1.0)
        _quiet(log, settle * 2)
        for key in screen.setup:
            _tmux("send-keys", "-t", "wire", key)
            _quiet(log, settle)
        _tmux("send-keys", "-t", "wire", screen.down)
        _quiet(log, settle)
        figures = []
        for index in range(keys * 2):
            before = _size(log)
            _tmux("send-keys", "-t", "wire", screen.down if index % 2 == 0 else screen.up)
            _quiet(log, settle)
            with log.open("rb") as f:
                f.seek(before)
                chunk = f.read()
            figures.append((len(chunk), rows_touched(chunk)))
        return figures
    finally:
        _tmux("kill-server", check=False)


def screens(db: Path) -> list[Screen]:
    python = shlex.quote(sys.executable)
    app = f"{python} -m tui --db {shlex.quote(str(db))} --no-mouse"
    return [
        Screen("bare", "bare Textual `DataTable`, ↓/↑", f"{python} -m tests.benchmarks.wire bare", (), "Down", "Up"),
        Screen("queue", "queue, ↓/↑", app, (), "Down", "Up"),
        Screen("timeline", "ticket timeline, j/k", app, ("Enter", "g"), "j", "k"),
        Screen("faq", "FAQ article list, j/k", app, ("f",), "j", "k"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keys", type=int, default=10, help="Key pairs (down, up) measured per screen.")
    parser.add_argument("--settle", type=float, default=0.4, help="Seconds of quiet that end a key's output.")
    parser.add_argument("--no-write", action="store_true", help="Print only; do not append to RESULTS.md.")
    parser.add_argument("--only", nargs="*", help="Measure only these screens (bare, queue, timeline, faq).")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sportello-wire-") as tmp:
        workdir = Path(tmp)
        db = workdir / "demo.db"
        subprocess.run(["sportello", "--db", str(db), "demo", "--no-tui"], check=True, capture_output=True)
        results = {}
        for screen in screens(db):
            if args.only and screen.name not in args.only and screen.name != "bare":
                continue
            figures = measure(screen, args.keys, args.settle, workdir)
            results[screen.name] = (screen, figures)
            sizes = [b for b, _ in figures]
            print(f"{screen.name:9} median {statistics.median(sizes):>8,.0f} B  max {max(sizes):>8,} B  "
                  f"rows {statistics.median([r for _, r in figures]):.0f}  all {sizes}", flush=True)  # fmt: skip
    table = report(results)
    print(table)
    if not args.no_write:
        with (HERE / "RESULTS.md").open("a") as f:
            f.write("\n" + table)
    return 0


def report(results: dict[str, tuple[Screen, list[tuple[int, int]]]]) -> str:
    bare = statistics.median([b for b, _ in results["bare"][1]])
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"## Bytes on the wire per cursor key, tmux {SIZE[0]}×{SIZE[1]}, TERM=xterm-256color — {stamp}",
        "",
        f"Machine: {machine()}",
        "",
        "| screen | keys | bytes per key, median | max | rows touched, median | × bare | target | verdict |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, (screen, figures) in results.items():
        sizes = [b for b, _ in figures]
        median = statistics.median(sizes)
        ratio = median / bare if bare else float("inf")
        verdict = "reference" if name == "bare" else ("ok" if ratio <= RATIO else "**over**")
        target = "" if name == "bare" else f"≤ {RATIO:g}×"
        lines.append(
            f"| {screen.what} | {len(figures)} | {median:,.0f} B | {max(sizes):,} B | "
            f"{statistics.median([r for _, r in figures]):.0f} | {ratio:.2f}× | {target} | {verdict} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if sys.argv[1:2] == ["bare"]:
        bare_main()
    else:
        sys.exit(main())
