"""``[remotes.NAME]`` in config.toml: what is accepted, what is refused with a clear message, and
where secrets may come from."""

from __future__ import annotations

import os

import pytest

from models.errors import InvalidInput
from models.store.config import load_config
from support.remote_config import RT, one
from sync.config import read_secret, remotes_from


def test_defaults_and_mappings():
    remote = one(RT)
    assert remote.url == "http://127.0.0.1:8080/rt" and remote.queue == "General" and remote.interval == 0
    assert remote.statuses.to_remote("pending") == "stalled" and remote.statuses.to_local("stalled") == "pending"
    assert remote.statuses.to_local("rejected") == "closed" and remote.statuses.to_local("weird") == "open"
    assert remote.priorities.to_local("90") == "urgent" and remote.priorities.to_local("40") == "normal"
    custom = one({**RT, "statuses": {"on_hold": "waiting"}, "priorities": {"urgent": 99}})
    assert custom.statuses.to_remote("on_hold") == "waiting" and custom.statuses.to_local("waiting") == "on_hold"
    assert custom.priorities.to_remote("urgent") == "99"
    roundup = one({"type": "roundup", "url": "http://h:1/demo", "user": "a", "password_env": "P"})
    assert roundup.statuses.to_remote("open") == "chatting" and roundup.priorities.to_local("feature") == "normal"


@pytest.mark.parametrize(("change", "message"), [
    ({"type": "jira"}, "type must be one of rt, roundup"),
    ({"url": "ftp://x"}, "url must be an http"),
    ({"url": "http://bob:pw@host/rt"}, "must not hold a user or password"),
    ({"password_env": "ALSO"}, "exactly one of token_env, password_env or secret_file"),
    ({"colour": "red"}, "unknown key 'colour'"),
    ({"interval": -5}, "interval' must be between"),
    ({"statuses": {"limbo": "x"}}, "unknown local value 'limbo'"),
    ({"user": ""}, "'user' must be a non-empty string"),
])  # fmt: skip
def test_bad_tables_name_the_remote_and_key(change, message):
    with pytest.raises(InvalidInput, match=message) as info:
        one({**RT, **change})
    assert "[remotes.desk]" in str(info.value)


def test_roundup_takes_no_token():
    with pytest.raises(InvalidInput, match="Roundup takes a password"):
        one({"type": "roundup", "url": "http://h:1/demo", "user": "a", "token_env": "T"})


def test_secret_from_environment_never_from_the_table():
    remote = one(RT)
    assert read_secret(remote, {"RT_TOKEN": " s3cret\n"}) == ("s3cret", "token")
    with pytest.raises(InvalidInput, match="RT_TOKEN is not set"):
        read_secret(remote, {})
    with pytest.raises(InvalidInput, match="unknown key 'token'"):
        one({**RT, "token": "inline-secret"})


def test_secret_file_must_be_private(tmp_path):
    secret = tmp_path / "rt.secret"
    secret.write_text("tok\n", encoding="utf-8")
    os.chmod(secret, 0o644)
    remote = one({**{k: v for k, v in RT.items() if k != "token_env"}, "secret_file": str(secret)})
    with pytest.raises(InvalidInput, match="chmod 600") as info:
        read_secret(remote)
    assert "tok" not in str(info.value).replace(str(tmp_path), "")
    os.chmod(secret, 0o600)
    assert read_secret(remote) == ("tok", "token")


def test_remotes_load_from_the_config_file(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(
        '[remotes.rt]\ntype = "rt"\nurl = "http://127.0.0.1:1/rt"\nuser = "u"\ntoken_env = "T"\n', encoding="utf-8"
    )
    remotes = remotes_from(load_config(str(path), env={}))
    assert list(remotes) == ["rt"] and remotes["rt"].kind == "rt"
