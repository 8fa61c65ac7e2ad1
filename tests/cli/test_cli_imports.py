"""Import hygiene: no ``sportello`` command but opening the full-screen app loads Textual.

Each probe is a fresh ``python -c`` that calls the console script's entry point (``tui.cli:main``)
in-process, then reports which of Textual, the app, its screens, widgets and dialogs are in
``sys.modules``. HOME and the XDG dirs point into tmp_path, as in test_cli_subprocess.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

REPO = Path(__file__).resolve().parents[2]

#: The child: run each argv through the entry point, then say what it loaded that it must not.
PROBE = r"""
import json, os, sys
from tui.cli import main

FORBIDDEN = ("textual", "tui.app", "tui.screens", "tui.widgets", "tui.dialogs", "tui.terminal")

def loaded():  # Textual as one name, our own modules each by name
    found = (m for m in sys.modules if any(m == f or m.startswith(f + ".") for f in FORBIDDEN))
    return sorted({"textual" if m.split(".")[0] == "textual" else m for m in found})

report = []
for argv in json.loads(sys.argv[1]):
    try:
        main(argv)
        code = 0
    except SystemExit as exit:
        code = exit.code
    report.append({"argv": argv, "code": code, "loaded": loaded()})
with open(os.environ["PROBE_REPORT"], "w", encoding="utf-8") as out:
    json.dump(report, out)
"""


@pytest.fixture
def probe(tmp_path):
    """Run a list of argvs in one fresh interpreter (a home of its own); returns one report per argv."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPORTELLO_")}
    env.update(
        HOME=str(tmp_path),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        PYTHONPATH=str(REPO) + os.pathsep + env.get("PYTHONPATH", ""),
        PROBE_REPORT=str(tmp_path / "probe.json"),
        COLUMNS="100",
    )

    def run(*argvs: list[str], before: str = "") -> list[dict]:
        child = subprocess.run(
            [sys.executable, "-c", before + PROBE, json.dumps(argvs)],
            input=b"",
            capture_output=True,
            env=env,
            cwd=tmp_path,
            timeout=180,
        )
        assert child.returncode == 0, child.stderr.decode()
        return json.loads((tmp_path / "probe.json").read_text(encoding="utf-8"))

    run.home = tmp_path
    return run


def _help_paths() -> dict[str, list[list[str]]]:
    """Every command path, grouped by its top-level command: {"faq": [["faq"], ["faq", "list"], …]}."""
    from tui.cli.root import cli

    def walk(command: click.Command, path: list[str]) -> list[list[str]]:
        paths = [path]
        if isinstance(command, click.Group):
            ctx = click.Context(command)
            for name in command.list_commands(ctx):
                paths += walk(command.get_command(ctx, name), [*path, name])
        return paths

    ctx = click.Context(cli)
    return {name: walk(cli.get_command(ctx, name), [name]) for name in cli.list_commands(ctx)}


HELP_PATHS = _help_paths()


def _clean(reports: list[dict]) -> list[dict]:
    """The runs that loaded something they must not (empty when all is well)."""
    return [r for r in reports if r["loaded"]]


def test_help_of_the_root_loads_no_textual(probe):
    (report,) = probe(["--help"])
    assert report["code"] == 0
    assert _clean([report]) == []


def test_the_app_without_a_terminal_loads_no_textual(probe):
    (report,) = probe([])  # a usage error: the app needs a terminal, so it is never imported
    assert report["code"] == 2
    assert _clean([report]) == []


@pytest.mark.parametrize("command", sorted(HELP_PATHS))
def test_help_of_every_command_loads_no_textual(probe, command):
    paths = HELP_PATHS[command]
    reports = probe(*[[*path, "--help"] for path in paths])
    assert [r["code"] for r in reports] == [0] * len(paths)
    assert _clean(reports) == []


#: Real runs on one desk, in order, each in a fresh interpreter.
REAL_RUNS = [
    ["init"],
    ["ticket", "new", "--subject", "Printer on fire", "--body", "Smoke.", "--customer", "bo@example.com",
     "--org", "Acme"],
    ["ticket", "list"],
    ["ticket", "list", "--json"],
    ["ticket", "show", "1"],
    ["ticket", "set", "1", "--status", "open"],
    ["ticket", "reply", "1", "--body", "On our way."],
    ["timeline", "1"],
    ["ticket", "timeline", "1", "--public"],
    ["faq", "new", "--title", "Fires", "--body", "Call us.", "--publish"],
    ["faq", "list"],
    ["faq", "show", "1"],
    ["faq", "health"],
    ["report", "kpi"],
    ["report", "churn"],
    ["sla", "policy", "list"],
    ["sla", "calendar", "list"],
    ["sla", "show", "1"],
    ["sla", "check"],
    ["status", "1"],
    ["status", "1", "--format", "html"],
    ["csat", "list"],
    ["org", "list"],
    ["org", "show", "Acme"],
    ["agent", "list"],
    ["queue", "list"],
    ["sync-log"],
    ["export", "-o", "desk.jsonl"],
]  # fmt: skip


def test_real_commands_on_a_desk_load_no_textual(probe):
    reports = [probe(argv)[0] for argv in REAL_RUNS]
    assert [(r["argv"], r["code"]) for r in reports] == [(argv, 0) for argv in REAL_RUNS]
    assert _clean(reports) == []
    assert (probe.home / "desk.jsonl").stat().st_size > 0


def test_building_the_demo_without_the_app_loads_no_textual(probe):
    (report,) = probe(["--db", str(probe.home / "demo.db"), "demo", "--tickets", "20", "--no-tui"])
    assert report["code"] == 0
    assert _clean([report]) == []


def test_the_probe_sees_a_command_that_imports_textual(probe):
    """The check can fail: a desk that imports Textual as it opens makes ``init`` report it."""
    breaks = (
        "import tui.cli.common as _common\n"
        "_desk = _common.CliState.desk\n"
        "def _desk_with_textual(self, **kw):\n"
        "    import textual.app  # noqa: F401\n"
        "    return _desk(self, **kw)\n"
        "_common.CliState.desk = _desk_with_textual\n"
    )
    (report,) = probe(["init"], before=breaks)
    assert report["code"] == 0
    assert "textual" in report["loaded"] and _clean([report]) == [report]
