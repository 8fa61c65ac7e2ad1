"""``org list`` prints column headers above aligned rows."""

from __future__ import annotations

from tui.text.safe import cells


def test_org_list_has_a_header_row_over_aligned_columns(desk):
    for org in ("Acme Srl", "Zürich 株式会社"):  # a wide name must not shift the columns after it
        assert desk("ticket", "new", "--subject", "x", "--body", "y", "--org", org).exit_code == 0
    lines = desk("org", "list").stdout.splitlines()
    assert lines[0].split() == ["ID", "NAME", "TIER", "OPEN", "CONTRACT", "UNTIL"]
    assert [line.split()[-2:] for line in lines[1:]] == [["1", "-"], ["1", "-"]]
    header_open = lines[0].index("OPEN") + len("OPEN")
    for row in lines[1:]:
        before, _, _ = row.rpartition(" 1  -")
        assert cells(before) + 2 == header_open  # the open count sits under OPEN
    empty = desk("org", "list", "nothing-like-this")
    assert empty.exit_code == 0 and empty.stdout == "" and "no organizations match" in empty.stderr
