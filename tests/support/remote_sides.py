"""The two real remotes behind one face for the engine's scenario tests: the desk's config for the
remote, and a second remote user ("the other side") who changes things there."""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass

import pytest

from models.store.config import Config
from sync.config import RemoteConfig, remotes_from
from sync.remotes.base import Remote

_ids = itertools.count(1)


@dataclass
class Far:
    """A real remote: ``config`` (secret in ``env``) for the desk, ``other`` acting as another user."""

    kind: str
    config: RemoteConfig
    env: dict[str, str]
    other: Remote
    other_user: str

    def cursor_now(self) -> str:
        from datetime import timedelta

        from models.store.tables import utcnow

        # A little before now: RT's "changed since" is strict and to the second.
        fmt = "%Y-%m-%d.%H:%M:%S" if self.kind == "roundup" else "%Y-%m-%d %H:%M:%S"
        return (utcnow() - timedelta(seconds=2)).strftime(fmt)

    def status(self, local: str) -> str:
        return self.config.statuses.to_remote(local)

    def priority(self, local: str) -> str:
        return self.config.priorities.to_remote(local)


def unique(word: str) -> str:
    return f"{word} {os.getpid()}-{next(_ids)}"


def make_far(request: pytest.FixtureRequest, kind: str, **extra) -> Far:
    if kind == "roundup":
        from sync.remotes.roundup import RoundupRemote

        server = request.getfixturevalue("roundup_server")
        user, password = server.add_user("remoteagent")
        table = {"type": "roundup", "url": server.url, "user": server.user, "password_env": "SPORTELLO_TEST_SECRET"}
        other = RoundupRemote(name="other", url=server.url, user=user, secret=password)
        env = {"SPORTELLO_TEST_SECRET": server.password}
    else:
        from sync.remotes.rt import RTRemote

        server = request.getfixturevalue("rt_server")
        user, password = server.other_user, server.other_password
        table = {"type": "rt", "url": server.url, "user": server.user, "token_env": "SPORTELLO_TEST_SECRET"}
        other = RTRemote(name="other", url=server.url, user=user, secret=password, secret_kind="password")
        env = {"SPORTELLO_TEST_SECRET": server.token}
    table.update(extra)
    config = remotes_from(Config(remotes={kind: table}))[kind]
    request.addfinalizer(other.close)
    return Far(kind=kind, config=config, env=env, other=other, other_user=user)
