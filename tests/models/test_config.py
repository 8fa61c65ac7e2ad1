"""Where the configuration and the database come from (HOME and the XDG dirs are per-test, see conftest)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from models.errors import InvalidInput
from models.store.config import (
    Config,
    config_dir,
    data_dir,
    default_db_url,
    describe_location,
    load_config,
    redact_url,
    resolve_db_url,
)


def write_config(text: str) -> Path:
    path = config_dir() / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_live_in_the_isolated_xdg_dirs():
    home = Path(os.environ["HOME"])
    assert config_dir() == Path(os.environ["XDG_CONFIG_HOME"]) / "sportello"
    assert data_dir() == Path(os.environ["XDG_DATA_HOME"]) / "sportello"
    assert str(data_dir()).startswith(str(home))
    assert load_config(env={}) == Config()  # the default file may be missing
    url = resolve_db_url(None, Config(), {})
    assert url == f"sqlite:///{data_dir()}/sportello.db"
    assert url.startswith("sqlite:////")  # absolute
    assert default_db_url("demo.db") == f"sqlite:///{data_dir()}/demo.db"


def test_precedence_cli_then_env_then_file_then_default(tmp_path):
    write_config('db = "sqlite:////from/file.db"\n')
    config = load_config(env={})
    assert config.db_url == "sqlite:////from/file.db"
    env = {"SPORTELLO_DB": "sqlite:////from/env.db"}
    assert resolve_db_url("sqlite:////from/cli.db", config, env) == "sqlite:////from/cli.db"
    assert resolve_db_url(None, config, env) == "sqlite:////from/env.db"
    assert resolve_db_url(None, config, {}) == "sqlite:////from/file.db"
    assert resolve_db_url(None, Config(), {}) == default_db_url()
    assert resolve_db_url(None, Config(), {"SPORTELLO_DB": "  "}) == default_db_url()  # blank means unset


def test_a_bare_path_is_a_sqlite_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resolve_db_url("desk.db", Config(), {}) == f"sqlite:///{tmp_path}/desk.db"
    assert resolve_db_url(None, Config(), {"SPORTELLO_DB": "~/x.db"}) == f"sqlite:///{Path.home()}/x.db"
    # In the file, a relative path is taken from the file's folder, not from wherever you stand.
    path = write_config('db = "desks/main.db"\n')
    assert load_config(env={}).db_url == f"sqlite:///{path.parent}/desks/main.db"


def test_config_file_named_by_flag_or_environment(tmp_path):
    named = tmp_path / "other.toml"
    named.write_text('db = "postgresql://desk@db.example:5432/desk"\n')
    assert load_config(str(named), env={}).db_url == "postgresql://desk@db.example:5432/desk"
    assert load_config(None, env={"SPORTELLO_CONFIG": str(named)}).source == str(named)
    write_config('db = "sqlite:////default.db"\n')
    assert load_config(str(named), env={"SPORTELLO_CONFIG": "/nowhere.toml"}).source == str(named)  # flag wins


def test_a_named_file_must_exist(tmp_path):
    with pytest.raises(InvalidInput, match="does not exist") as info:
        load_config(str(tmp_path / "missing.toml"), env={})
    assert info.value.exit_code == 2
    with pytest.raises(InvalidInput, match="does not exist"):
        load_config(None, env={"SPORTELLO_CONFIG": str(tmp_path / "missing.toml")})


def test_malformed_toml_names_the_file_and_line():
    path = write_config('# my desk\n\ndb = "unterminated\n')
    with pytest.raises(InvalidInput) as info:
        load_config(env={})
    message = info.value.message
    assert message.startswith(f"{path} line 3: ")
    assert "config.toml line 3" in message and "\n" not in message
    assert info.value.exit_code == 2


def test_truncated_toml_names_the_last_line():
    write_config('db = "x"\n[section\n')
    with pytest.raises(InvalidInput, match=r"config.toml line 2: "):
        load_config(env={})


def test_unknown_key_and_wrong_type_name_the_key():
    write_config('db = "x.db"\ncolour = "red"\n')
    with pytest.raises(InvalidInput, match=r"unknown key 'colour' \(known keys: db, keys, mail, remotes\)"):
        load_config(env={})
    write_config("db = 5\n")
    with pytest.raises(InvalidInput, match=r"key 'db' must be a string, not an integer"):
        load_config(env={})
    write_config('db = ""\n')
    with pytest.raises(InvalidInput, match=r"key 'db' is empty"):
        load_config(env={})


def test_invalid_utf8_config_names_the_line():
    path = config_dir() / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b'# ok\ndb = "\xff.db"\n')
    with pytest.raises(InvalidInput, match=r"config.toml line 2: not valid UTF-8"):
        load_config(env={})


def test_passwords_are_never_shown():
    url = "postgresql://desk:s3cret@db.example:5432/desk?options=-c%20search_path%3Dhelp"
    assert "s3cret" not in redact_url(url) and ":***@" in redact_url(url)
    assert "s3cret" not in describe_location(url)
    assert redact_url("postgresql://desk@db/desk") == "postgresql://desk@db/desk"
    assert describe_location("sqlite:////srv/desk.db") == "/srv/desk.db"
