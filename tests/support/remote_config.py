"""One remote as ``[remotes.desk]`` in config.toml would configure it."""

from __future__ import annotations

from models.store.config import Config
from sync.config import remotes_from

RT = {"type": "rt", "url": "http://127.0.0.1:8080/rt/", "user": "sportello", "token_env": "RT_TOKEN"}


def one(table: dict):
    return remotes_from(Config(remotes={"desk": table}, source="config.toml"))["desk"]
