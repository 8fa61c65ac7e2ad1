"""A FAQ moves between desks: export from one, import into a fresh one, and the categories the
files name are created there (and the summary says so)."""

from __future__ import annotations

import json


def test_export_then_import_into_a_fresh_desk_brings_the_categories(desk, run, tmp_path):
    for name in ("Accounts", "Billing"):
        assert desk("faq", "category", "add", name).exit_code == 0
    made = [("Reset your password", "Accounts"), ("Invoices", "Billing"), ("Refunds", "Billing"), ("Hello", "")]
    for title, category in made:
        extra = ("--category", category) if category else ()
        assert desk("faq", "new", "--title", title, "--body", f"About {title}.\n", "--publish", *extra).exit_code == 0
    out = tmp_path / "faq"
    assert desk("faq", "export", str(out)).exit_code == 0

    fresh = str(tmp_path / "fresh.db")
    assert run("init", db=fresh).exit_code == 0
    result = run("faq", "import", str(out), db=fresh)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["4 created, 0 updated, 0 unchanged, 0 refused",
                                          "2 categories added: Accounts, Billing"]  # fmt: skip
    categories = json.loads(run("faq", "category", "list", "--json", db=fresh).stdout)
    assert sorted((c["name"], c["articles"]) for c in categories) == [("Accounts", 1), ("Billing", 2)]
    listed = json.loads(run("faq", "list", "--json", db=fresh).stdout)
    assert sorted((a["title"], a["category"]) for a in listed["articles"]) == sorted(made)
    again = run("faq", "import", str(out), db=fresh)
    assert again.stdout.splitlines() == ["0 created, 0 updated, 4 unchanged, 0 refused"]  # nothing added twice
