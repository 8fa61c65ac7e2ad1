"""Benchmarks of the triage TUI on a large demo desk (issue 3, "Speed").

    python -m tests.benchmarks.tui --db /tmp/bench1m.db --tickets 1000000
    python -m tests.benchmarks.tui --db /tmp/bench20k.db --tickets 20000 --no-write   # quick look

The desk is built with ``sportello demo --tickets N --no-tui`` when ``--db`` does not exist yet,
else reused as it is. Every figure comes from a fresh child process of this module
(``python -m tests.benchmarks.tui child bare|bare-keys|start|keys URL``), all headless at 100×30:

1. *Start → first queue frame*: the parent reads ``time.monotonic()`` (system-wide on Linux)
   just before ``Popen``; the child stamps it when its first frame with rows has been painted.
   The reference is a bare Textual app with a ``DataTable`` of 50 rows that stamps on its first
   ``call_after_refresh`` after mount; Sportello stamps on ``QueueTable.Loaded`` (posted after
   the first rows are painted). The Sportello child first imports ``tui.cli.root``, as the
   ``sportello`` command does. Sportello's modules are compiled to bytecode first (as ``pip
   install`` does; ``PYTHONDONTWRITEBYTECODE`` would otherwise recompile them in every child),
   one untimed run of each warms the page cache, then the two alternate ``--repeat`` times.
2. *Keys*: under ``run_test`` with the Pilot, on the default view and on "All" (key ``7``):
   ``pagedown`` ×100 from the top, then ``G``/``g`` alternately. Per step, from just before
   ``pilot.press``: (a) the first frame that shows the moved cursor, (b) the first frame whose
   visible rows are all loaded (``window.loaded`` for each, so no ``…`` placeholder), and (c)
   the Pilot's own round trip, ``press`` + ``pause`` (it sleeps in 20 ms steps until the process
   is idle, so it is also measured on the bare app, as a floor). Frames are seen by wrapping
   ``App._display``, which the compositor calls right after it renders each frame.
3. *Peak RSS* (``ru_maxrss``) of the children: at the first frame, and after the key runs.
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .core import machine, percentile

HERE = Path(__file__).parent
SIZE = (100, 30)
START_RATIO, STEP_MS, RSS_MB = 1.6, 50.0, 80.0
PAGE_DOWNS, JUMPS = 100, 6  # then G and g alternately, starting with the one that moves


def peak_rss_mb() -> float:
    """This process's peak resident set so far, in MB (10^6 bytes; Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6


# --- the children ------------------------------------------------------------------------


def bare_app(rows: int, *, exit_on_first_frame: bool) -> Any:
    """The reference: a bare Textual app with a DataTable of ``rows`` queue-like rows."""
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    class Bare(App[None]):
        def __init__(self) -> None:
            super().__init__()
            self.stamp = 0.0
            self.frames: list[float] = []  # when each frame was painted

        def compose(self) -> ComposeResult:
            yield DataTable()

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns("#", "Subject", "Customer / org", "Status", "Priority", "Assignee", "Age", "Upd")
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
                for n in range(rows)
            )
            self.call_after_refresh(self.first_frame)

        def first_frame(self) -> None:
            self.stamp = time.monotonic()
            if exit_on_first_frame:
                self.exit()

        def _display(self, screen, renderable) -> None:
            super()._display(screen, renderable)
            if renderable is not None:
                self.frames.append(time.monotonic())

    return Bare()


def child_bare() -> dict[str, float]:
    app = bare_app(50, exit_on_first_frame=True)
    app.run(headless=True, size=SIZE)
    return {"frame": app.stamp, "rss": peak_rss_mb()}


def child_bare_keys() -> dict[str, list[float]]:
    """Key → frame and the Pilot's round trip on the bare app (10,000 rows), ``pagedown`` ×50."""
    app = bare_app(10_000, exit_on_first_frame=False)
    pilot_ms: list[float] = []
    frame_ms: list[float] = []

    async def run() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await _until(lambda: app.stamp)
            for _ in range(PAGE_DOWNS // 2):
                start = time.monotonic()
                await pilot.press("pagedown")
                await pilot.pause()
                pilot_ms.append((time.monotonic() - start) * 1000)
                frame_ms.append((next(f for f in app.frames if f > start) - start) * 1000)

    asyncio.run(run())
    return {"frame": frame_ms, "pilot": pilot_ms}


def sportello_probe(url: str, *, exit_on_loaded: bool) -> Any:
    """A SportelloApp that notes when queue rows are painted and what each frame shows."""
    from tui import app as tui_app
    from tui.app import SportelloApp, preload
    from tui.desk.desk import Desk
    from tui.widgets.queue_table import QueueTable

    class Probe(SportelloApp):
        CSS_PATH = str(Path(tui_app.__file__).with_name(SportelloApp.CSS_PATH))  # else read next to this file

        def __init__(self) -> None:
            desk = Desk.open(url)
            views, first_page = preload(desk)  # what run_app does before the app starts
            super().__init__(desk, now=None, blink=True, poll=1.0, views=views, first_page=first_page)
            self.loads: list[float] = []  # when each QueueTable.Loaded arrived
            self.rss_first = 0.0
            self.step: Step | None = None

        def on_queue_table_loaded(self, _message: QueueTable.Loaded) -> None:
            self.loads.append(time.monotonic())
            if len(self.loads) == 1:
                self.rss_first = peak_rss_mb()
                if exit_on_loaded:
                    self.exit()

        def _display(self, screen, renderable) -> None:
            super()._display(screen, renderable)
            if self.step is not None and renderable is not None:
                self.step.frame(self.screen.query_one(QueueTable))

    return Probe()


def child_start(url: str) -> dict[str, float]:
    import tui.cli.root  # noqa: F401  the command line's modules load on the real start path too

    app = sportello_probe(url, exit_on_loaded=True)
    app.run(headless=True, size=SIZE)
    return {"frame": app.loads[0], "rss": app.rss_first}


@dataclass
class Step:
    """One key press, and the frames that followed it."""

    key: str
    before: int  # the cursor before the key
    start: float = field(default_factory=time.monotonic)
    shown: float | None = None  # first frame showing the moved cursor
    filled: float | None = None  # first such frame with every visible row loaded
    pilot: float = 0.0  # when ``press`` + ``pause`` returned
    frames: int = 0  # frames painted since the key
    frames_to_shown: int = 0

    def frame(self, table: Any) -> None:
        now = time.monotonic()
        self.frames += 1
        top = int(table.scroll_y)
        visible = range(top, min(top + table.size.height - 1, table.window.known_rows))
        if self.shown is None and table.cursor != self.before and table.cursor in visible:
            self.shown, self.frames_to_shown = now, self.frames
        if self.shown is not None and self.filled is None and all(table.window.loaded(i) for i in visible):
            self.filled = now


async def _until(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the app did not get there in time")
        await asyncio.sleep(0.002)


async def _drive(app: Any, pilot: Any, view: str) -> dict[str, Any]:
    """Page down ×100 then jump G/g on the current view; per-step figures in ms."""
    from tui.widgets.queue_table import QueueTable

    table = app.screen.query_one(QueueTable)
    await _until(lambda: table.total is not None)
    steps: list[Step] = []
    for n in range(PAGE_DOWNS + JUMPS):
        at_end = table.cursor >= table.total - 1
        if n < PAGE_DOWNS:
            if at_end:
                continue  # the view is shorter than 100 pages
            key = "pagedown"
        else:
            key = "g" if at_end else "G"
        app.step = step = Step(key, table.cursor)
        await pilot.press(key)
        await pilot.pause()
        step.pilot = time.monotonic()
        await _until(lambda: step.filled is not None)  # noqa: B023 - called within this iteration
        app.step = None
        steps.append(step)
    out: dict[str, Any] = {"view": view, "total": table.total}
    for label, chosen in (
        ("pagedown", [s for s in steps if s.key == "pagedown"]),
        ("G/g", [s for s in steps if s.key != "pagedown"]),
    ):
        out[label] = {
            "frame": [(s.shown - s.start) * 1000 for s in chosen],
            "rows": [(s.filled - s.start) * 1000 for s in chosen],
            "pilot": [(s.pilot - s.start) * 1000 for s in chosen],
            "frames": [s.frames_to_shown for s in chosen],
        }
    return out


def child_keys(url: str) -> dict[str, Any]:
    app = sportello_probe(url, exit_on_loaded=False)
    result: dict[str, Any] = {}

    async def run() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await _until(lambda: app.loads)
            result["rss_first"] = peak_rss_mb()
            result["default"] = await _drive(app, pilot, app.screen.view.name)
            before = len(app.loads)
            switched = time.monotonic()
            await pilot.press("7")
            await _until(lambda: len(app.loads) > before)
            result["switch_ms"] = (app.loads[-1] - switched) * 1000
            result["all"] = await _drive(app, pilot, app.screen.view.name)
            result["rss_end"] = peak_rss_mb()
            await pilot.press("ctrl+q")

    asyncio.run(run())
    return result


# --- the parent --------------------------------------------------------------------------


def child(mode: str, url: str | None = None, timeout: float = 600) -> tuple[float, dict[str, Any]]:
    """Run one child; return the parent's start time and what the child printed."""
    argv = [sys.executable, "-m", "tests.benchmarks.tui", "child", mode] + ([url] if url else [])
    env = {**os.environ, "SPORTELLO_DEBUG": "1"}
    start = time.monotonic()
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=HERE.parent.parent
    )
    out, err = proc.communicate(timeout=timeout)
    if proc.returncode:
        raise RuntimeError(f"child {mode} failed ({proc.returncode}):\n{err}")
    return start, json.loads(out.strip().splitlines()[-1])


def ensure_desk(db: str, tickets: int) -> str:
    url = db if "://" in db else "sqlite:///" + os.path.abspath(db)
    path = url.split("sqlite:///", 1)[1] if url.startswith("sqlite:///") else None
    if path is not None and not os.path.exists(path):
        print(f"building a {tickets:,}-ticket desk at {path} …", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "tui", "--db", url, "demo", "--tickets", str(tickets), "--no-tui"],
                       check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    return url


def measure(url: str, repeat: int) -> dict[str, Any]:
    starts: dict[str, list[float]] = {"bare": [], "start": []}
    rss: dict[str, list[float]] = {"bare": [], "start": []}
    compileall.compile_dir(HERE.parent.parent / "tui", quiet=1)
    compileall.compile_dir(HERE.parent.parent / "models", quiet=1)
    for mode in ("bare", "start"):  # untimed: warm the page cache
        child(mode, url if mode == "start" else None)
    for _ in range(repeat):
        for mode in ("bare", "start"):
            began, got = child(mode, url if mode == "start" else None)
            starts[mode].append((got["frame"] - began) * 1000)
            rss[mode].append(got["rss"])
        print(f"start: bare {starts['bare'][-1]:.0f} ms, sportello {starts['start'][-1]:.0f} ms", file=sys.stderr)
    _, keys = child("keys", url)
    _, bare_keys = child("bare-keys")
    return {"starts": starts, "rss": rss, "keys": keys, "bare_keys": bare_keys}


def report(url: str, repeat: int, got: dict[str, Any]) -> str:
    import textual

    ms = lambda x: f"{x / 1000:.2f} s" if x >= 1000 else f"{x:.1f} ms"  # noqa: E731
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    keys = got["keys"]
    tickets = keys["all"]["total"]
    lines = [
        f"## Triage TUI (issue 3) — {url.split(':', 1)[0]}, {tickets:,} tickets — {stamp}",
        "",
        f"Machine: {machine()}, Textual {textual.__version__}",
        "",
        f"Command: `python -m tests.benchmarks.tui --db {url.removeprefix('sqlite:///')} --repeat {repeat}`",
        "",
        "| measure | what | median | p90 / p95 | max | target | verdict |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    bare, start = got["starts"]["bare"], got["starts"]["start"]
    for name, samples in (
        ("bare Textual app, DataTable of 50 rows", bare),
        (f"Sportello, view {keys['default']['view']!r}", start),
    ):
        lines.append(f"| start → first frame | {name}, {len(samples)} runs | {ms(statistics.median(samples))} "
                     f"| {ms(percentile(samples, 90))} (p90) | {ms(max(samples))} | | |")  # fmt: skip
    ratio = statistics.median(start) / statistics.median(bare)
    lines.append(
        f"| start → first frame | ratio of medians | {ratio:.2f}× | | | ≤ {START_RATIO}× | {'ok' if ratio <= START_RATIO else '**over**'} |"
    )
    for view in ("default", "all"):
        figures = keys[view]
        for label in ("pagedown", "G/g"):
            rows = figures[label]
            where = f"{figures['view']} ({figures['total']:,}), {label} ×{len(rows['frame'])}"
            for what, samples, target in (
                ("key → frame", rows["frame"], STEP_MS),
                ("key → rows loaded", rows["rows"], STEP_MS),
                ("Pilot press + pause", rows["pilot"], None),
            ):
                p95 = percentile(samples, 95)
                verdict = "" if target is None else ("ok" if p95 < target else "**over**")
                lines.append(f"| {what} | {where} | {ms(statistics.median(samples))} | {ms(p95)} (p95) "
                             f"| {ms(max(samples))} | {f'< {target:.0f} ms (p95)' if target else ''} | {verdict} |")  # fmt: skip
    for what, samples in got["bare_keys"].items():
        what = {"frame": "key → frame", "pilot": "Pilot press + pause"}[what]
        lines.append(f"| {what} | bare DataTable app (10,000 rows), pagedown ×{len(samples)} | {ms(statistics.median(samples))} "
                     f"| {ms(percentile(samples, 95))} (p95) | {ms(max(samples))} | | |")  # fmt: skip
    lines.append(f"| view switch | key `7` → first rows of All painted | {ms(keys['switch_ms'])} | | | | |")
    rss = got["rss"]
    for what, value, target in (
        ("bare DataTable app at first frame", statistics.median(rss["bare"]), None),
        ("Sportello at first frame (start runs)", statistics.median(rss["start"]), RSS_MB),
        ("Sportello under run_test at first frame", keys["rss_first"], RSS_MB),
        ("Sportello after both key runs", keys["rss_end"], RSS_MB),
    ):
        verdict = "" if target is None else ("ok" if value < target else "**over**")
        lines.append(
            f"| peak RSS | {what} | {value:.1f} MB | | | {f'< {target:.0f} MB' if target else ''} | {verdict} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    if sys.argv[1:2] == ["child"]:
        mode, url = sys.argv[2], (sys.argv[3] if len(sys.argv) > 3 else "")
        children = {
            "bare": child_bare,
            "bare-keys": child_bare_keys,
            "start": lambda: child_start(url),
            "keys": lambda: child_keys(url),
        }
        got = children[mode]()
        print(json.dumps(got), flush=True)
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--db", default="/tmp/bench1m.db", help="the desk: a file path or a sqlite:/// URL (built when missing)"
    )
    parser.add_argument(
        "--tickets", type=int, default=1_000_000, help="tickets of the demo desk, when it has to be built"
    )
    parser.add_argument("--repeat", type=int, default=9, help="start runs of each app (after one untimed run)")
    parser.add_argument("--no-write", action="store_true", help="print, do not append to RESULTS.md")
    parser.add_argument("--raw", metavar="PATH", help="also write every sample to PATH as JSON")
    args = parser.parse_args()
    url = ensure_desk(args.db, args.tickets)
    got = measure(url, args.repeat)
    if args.raw:
        Path(args.raw).write_text(json.dumps(got, indent=1))
    text = report(url, args.repeat, got)
    print(text)
    if not args.no_write:
        with (HERE / "RESULTS.md").open("a") as out:
            out.write("\n" + text)


if __name__ == "__main__":
    main()
