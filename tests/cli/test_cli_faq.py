"""``sportello faq …`` on both backends, and the Markdown export/import round trip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.faq import files as faq_files
from support.cli import HOSTILE, RAW_CONTROLS, one_error_line


@pytest.fixture
def kb(desk):
    for name in ("Accounts", "Billing"):
        assert desk("faq", "category", "add", name).exit_code == 0
    return desk


def new(run, title="Reset your password", body="Open **Settings**.\n", *extra: str) -> int:
    result = run("faq", "new", "--title", title, "--body", body, *extra)
    assert result.exit_code == 0, result.output
    return int(result.stdout)


def test_write_publish_search_show_and_history(kb):
    article = new(
        kb, "Reset your password", "Open **Settings**, then *Reset*.", "--category", "accounts", "--tag", "login"
    )
    assert kb("faq", "list").stdout.count("Reset your password") == 1
    assert kb("faq", "search", "password").stdout.count("Reset your password") == 1
    assert "no articles match" in kb("faq", "search", "invoice").stderr
    assert kb("faq", "edit", str(article), "--body", "Use the reset link.", "--note", "simpler").stdout.strip() == "2"
    assert kb("faq", "publish", str(article)).stdout.strip() == "3"
    shown = json.loads(kb("faq", "show", str(article), "--json").stdout)
    assert (shown["status"], shown["category"], shown["tags"], shown["version"]) == (
        "published",
        "Accounts",
        ["login"],
        3,
    )
    history = json.loads(kb("faq", "history", str(article), "--json").stdout)
    assert [(r["number"], r["note"]) for r in history] == [(3, "published"), (2, "simpler"), (1, "created")]
    diff = kb("faq", "diff", str(article), "1", "2").stdout
    assert "-Open **Settings**, then *Reset*." in diff and "+Use the reset link." in diff
    assert kb("faq", "revert", str(article), "1").stdout.strip() == "4"
    old = json.loads(kb("faq", "show", str(article), "--revision", "2", "--json").stdout)
    assert old["body"] == "Use the reset link." and old["version"] == 2
    assert json.loads(kb("faq", "show", str(article), "--json").stdout)["body"] == "Open **Settings**, then *Reset*."


def test_archived_articles_hide_unless_asked(kb):
    article = new(kb)
    kb("faq", "archive", str(article))
    assert json.loads(kb("faq", "list", "--json").stdout)["articles"] == []
    assert [a["id"] for a in json.loads(kb("faq", "list", "status:archived", "--json").stdout)["articles"]] == [article]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("faq", "new", "--title", " ", "--body", "x"), 2, "the title is empty"),
        (("faq", "new", "--title", "T", "--body", "x", "--category", "Nope"), 2, "unknown category 'Nope'"),
        (("faq", "show", "99"), 4, "no FAQ article #99"),
        (("faq", "list", "status:live"), 2, "unknown FAQ status"),
        (("faq", "search"), 2, "give words or filters"),
        (("faq", "revert", "1", "7"), 4, "no revision 7"),
    ],
)
def test_bad_input_is_one_line_with_the_right_exit_code(kb, args, code, message):
    new(kb)
    assert message in one_error_line(kb(*args), code)


def test_a_body_over_one_megabyte_is_refused(kb):
    assert "1 MB" in one_error_line(kb("faq", "new", "--title", "Big", "--body", "x" * 1_000_001), 2)


def test_a_stale_save_is_refused_naming_who_changed_it(kb, login):
    article = new(kb)
    kb("faq", "edit", str(article), "--title", "Resetting a password", "--note", "clearer title")
    line = one_error_line(kb("faq", "edit", str(article), "--body", "Mine", "--expect-version", "1"), 3)
    assert "ada" in line and "clearer title" in line


def test_hostile_text_is_inert_in_text_output(kb):
    article = new(kb, HOSTILE, HOSTILE + "\nsecond line\n")
    kb("faq", "edit", str(article), "--body", "changed", "--note", HOSTILE)
    for args in (("faq", "list"), ("faq", "show", str(article)), ("faq", "history", str(article))):
        out = kb(*args).stdout
        assert not any(c in out for c in RAW_CONTROLS), args
        assert "[@click=app.quit]" in out  # markup shows literally


def test_edit_in_editor_saves_a_revision_and_keeps_a_broken_file(kb, monkeypatch, tmp_path):
    import click

    article = new(kb, "Reset", "Old body\n")
    monkeypatch.setattr(
        click, "edit", lambda text, **_: text.replace("Old body", "New body").replace('"Reset"', '"Reset it"')
    )
    assert kb("faq", "edit", str(article)).stdout.strip() == "2"
    shown = json.loads(kb("faq", "show", str(article), "--json").stdout)
    assert (shown["title"], shown["body"]) == ("Reset it", "New body\n")
    monkeypatch.setattr(click, "edit", lambda text, **_: "no front matter, but precious words")
    line = one_error_line(kb("faq", "edit", str(article)), 2)
    kept = Path(line.rsplit(" ", 1)[1])
    assert kept.read_text() == "no front matter, but precious words"
    monkeypatch.setattr(click, "edit", lambda text, **_: None)  # quit without saving
    assert "no changes" in kb("faq", "edit", str(article)).stderr


def test_export_then_import_changes_nothing_and_edits_become_revisions(kb, tmp_path):
    first = new(kb, "Reset your password", "Body one\n", "--tag", "login", "--category", "Accounts")
    second = new(kb, "Invoices", "---\nnot front matter\n---\n", "--category", "Billing")
    assert kb("faq", "export", str(tmp_path)).exit_code == 0
    files = sorted(tmp_path.glob("*.md"))
    assert [f.name for f in files] == [f"{first:05d}-reset-your-password.md", f"{second:05d}-invoices.md"]
    assert kb("faq", "import", str(tmp_path)).stdout.startswith("0 created, 0 updated, 2 unchanged")
    files[0].write_text(files[0].read_text().replace("Body one", "Body two"))
    (tmp_path / "new.md").write_text('---\ntitle: "Shipping times"\ncategory: "Billing"\n---\nTwo days.\n')
    (tmp_path / "broken.md").write_text("---\ntitle: x\ncolour: red\n---\nbody\n")
    result = kb("faq", "import", str(tmp_path))
    assert result.exit_code == 2
    assert result.stdout.startswith("1 created, 1 updated, 1 unchanged, 1 refused")
    assert "broken.md:3: expected one of id, title" in result.stderr
    assert json.loads(kb("faq", "show", str(first), "--json").stdout)["body"] == "Body two\n"
    assert json.loads(kb("faq", "show", str(second), "--json").stdout)["body"] == "---\nnot front matter\n---\n"


def test_import_refuses_a_file_edited_from_an_old_revision(kb, tmp_path):
    article = new(kb, "Reset", "Body one\n")
    kb("faq", "export", str(tmp_path))
    kb("faq", "edit", str(article), "--body", "Someone else's edit\n")
    (path,) = tmp_path.glob("*.md")
    path.write_text(path.read_text().replace("Body one", "My edit"))
    result = kb("faq", "import", str(tmp_path))
    assert result.exit_code == 2 and "changed since you opened it" in result.stderr
    assert json.loads(kb("faq", "show", str(article), "--json").stdout)["body"] == "Someone else's edit\n"


def test_suggest_and_health(kb):
    published = new(kb, "VPN will not connect", "Reinstall the VPN client.", "--publish")
    result = kb("ticket", "new", "--subject", "VPN broken", "--body", "The VPN client fails")
    number = int(result.stdout)
    assert [h["id"] for h in json.loads(kb("faq", "suggest", str(number), "--json").stdout)] == [published]
    kb("ticket", "link-faq", str(number), str(published))
    health = json.loads(kb("faq", "health", "--json").stdout)
    assert [u["uses"] for u in health["usage"] if u["id"] == published] == [1]
    assert "FAQ gaps" in kb("faq", "health").stdout


# --- the file format, property-tested --------------------------------------------------------

_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=200)
_title = _text.map(lambda s: " ".join(s.split())).filter(bool)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=_title,
    body=_text.filter(lambda s: s.strip()),
    category=st.sampled_from(["", "Accounts", 'Odd "quoted" \\ name: yes']),
    tags=st.lists(st.from_regex(r"[a-z0-9][a-z0-9.\-]{0,10}", fullmatch=True), max_size=4, unique=True),
    status=st.sampled_from(["draft", "published", "archived"]),
    article_id=st.integers(1, 2**31 - 1),
    version=st.integers(1, 1000),
)
def test_a_file_reads_back_exactly_what_was_written(title, body, category, tags, status, article_id, version):
    from datetime import datetime

    from models.faq.articles import Article

    now = datetime(2026, 11, 23)
    article = Article(article_id, title, body, category, tuple(sorted(tags)), status, "ada", now, now, version)
    back = faq_files.parse_article(faq_files.render_article(article))
    assert (back.id, back.title, back.body, back.category, back.tags, back.status, back.revision) == (
        article_id, title, body, category, tuple(sorted(tags)), status, version,
    )  # fmt: skip
