"""config.toml, a remote's secret and the desk file (issue 15, point 6): only regular files of the
user's own (or root's) that no one else may change are read; a secret that looks like a private
key or holds a control character is refused without being shown; a SQLite desk every user may
read or write is reported.

The tests run as root: "another user" is uid 65534, given the file with os.chown.
"""

from __future__ import annotations

import os
import threading

import pytest

from models.errors import InvalidInput
from models.store.config import load_config
from models.store.safe_files import UnsafePath
from support.cli import one_error_line
from support.remote_config import RT, one
from sync.config import read_secret

NOBODY = 65534
KEY_BODY = "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW"


def finishes(call, seconds: float = 10):
    """``call()``'s outcome (its result or the exception it raised); fails if it blocks."""
    outcome: list = []

    def run() -> None:
        try:
            outcome.append(call())
        except Exception as exc:  # noqa: BLE001 - handed to the test
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), "the call blocked"
    return outcome[0]


# --- config.toml ---------------------------------------------------------------------------------


@pytest.mark.parametrize("bits", [0o666, 0o664, 0o646])
def test_a_config_file_others_may_change_is_refused_naming_the_fix(tmp_path, bits):
    config = tmp_path / "config.toml"
    config.write_text('db = "/tmp/elsewhere.db"\n')
    os.chmod(config, bits)
    with pytest.raises(UnsafePath) as info:
        load_config(str(config))
    assert str(info.value) == f"config file {config} may be changed by other users (run: chmod go-w {config})"
    os.chmod(config, 0o644)  # readable by all is fine: it holds no secret
    assert load_config(str(config)).db_url == "sqlite:////tmp/elsewhere.db"


def test_a_config_file_of_another_user_is_refused(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('db = "/tmp/elsewhere.db"\n')
    os.chown(config, NOBODY, NOBODY)
    with pytest.raises(UnsafePath, match=r"belongs to another user \(uid 65534\)"):
        load_config(None, {"SPORTELLO_CONFIG": str(config)})


def test_a_config_fifo_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "config.toml")
    refused = finishes(lambda: load_config(str(tmp_path / "config.toml")))
    assert isinstance(refused, UnsafePath) and "is a FIFO, not a regular file" in str(refused)


def test_the_command_line_says_it_in_one_line(run, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("")
    os.chmod(config, 0o666)
    line = one_error_line(run("--config", str(config), "ticket", "list"), 2)
    assert line == f"sportello: config file {config} may be changed by other users (run: chmod go-w {config})"


# --- a remote's secret ---------------------------------------------------------------------------


def from_file(tmp_path, text: str, bits: int = 0o600):
    secret = tmp_path / "rt.secret"
    secret.write_text(text)
    os.chmod(secret, bits)
    remote = one({**{k: v for k, v in RT.items() if k != "token_env"}, "secret_file": str(secret)})
    return remote, secret


def test_a_secret_file_of_another_user_is_refused(tmp_path):
    remote, secret = from_file(tmp_path, "tok\n")
    os.chown(secret, NOBODY, NOBODY)
    with pytest.raises(UnsafePath, match="belongs to another user") as info:
        read_secret(remote)
    assert "tok" not in str(info.value).replace(str(tmp_path), "")


def test_a_secret_file_that_is_a_fifo_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "rt.secret")
    remote = one({**{k: v for k, v in RT.items() if k != "token_env"}, "secret_file": str(tmp_path / "rt.secret")})
    refused = finishes(lambda: read_secret(remote))
    assert isinstance(refused, UnsafePath) and "a FIFO, not a regular file" in str(refused)


def test_a_secret_file_through_a_folder_others_may_write_is_refused_and_nothing_sent(tmp_path):
    """secret_file = /shared/rt.secret, and another user made rt.secret a link to your ~/.pgpass."""
    pgpass = tmp_path / ".pgpass"
    pgpass.write_text("*:*:*:postgres:pgpass-s3cret\n")
    os.chmod(pgpass, 0o600)
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    os.chmod(shared, 0o777)
    (shared / "rt.secret").symlink_to(pgpass)
    os.lchown(shared / "rt.secret", NOBODY, NOBODY)
    remote = one({**{k: v for k, v in RT.items() if k != "token_env"}, "secret_file": str(shared / "rt.secret")})
    with pytest.raises(UnsafePath, match=f"the secret file {shared}/rt.secret is reached through {shared}, which "
                                         "other users may write") as info:  # fmt: skip
        read_secret(remote)
    os.chmod(shared, 0o1777)  # sticky, as /tmp: the link is looked at, and it is not yours
    with pytest.raises(UnsafePath, match="is a symbolic link owned by another user") as info:
        read_secret(remote)
    assert "pgpass-s3cret" not in str(info.value)


PRIVATE_KEYS = {
    "openssh": f"-----BEGIN OPENSSH PRIVATE KEY-----\n{KEY_BODY}\n-----END OPENSSH PRIVATE KEY-----\n",
    "pem": f"-----BEGIN RSA PRIVATE KEY-----\n{KEY_BODY}\n-----END RSA PRIVATE KEY-----\n",
    "pkcs8": f"-----BEGIN ENCRYPTED PRIVATE KEY-----\n{KEY_BODY}\n-----END ENCRYPTED PRIVATE KEY-----\n",
    "putty": f"PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nPrivate-Lines: 1\n{KEY_BODY}\n",
    "one line": f"-----BEGIN OPENSSH PRIVATE KEY----- {KEY_BODY}",
}


@pytest.mark.parametrize("key", PRIVATE_KEYS.values(), ids=PRIVATE_KEYS.keys())
def test_a_private_key_is_never_taken_for_a_secret(tmp_path, key):
    """A shared config naming ~/.ssh/id_ed25519 as secret_file must not send the key to its URL."""
    ssh = tmp_path / ".ssh"
    ssh.mkdir(mode=0o700)
    (ssh / "id_ed25519").write_text(key)
    os.chmod(ssh / "id_ed25519", 0o600)
    remote = one({**{k: v for k, v in RT.items() if k != "token_env"}, "secret_file": str(ssh / "id_ed25519")})
    with pytest.raises(InvalidInput, match="holds a private key, not a token or password") as info:
        read_secret(remote)
    assert KEY_BODY not in str(info.value)
    with pytest.raises(InvalidInput, match="the environment variable RT_TOKEN holds a private key"):
        read_secret(one(RT), {"RT_TOKEN": key})


@pytest.mark.parametrize("text", ["zq9\nXw", "zq9\x1b[2JXw", "zq9\rXw", "zq9\x00Xw", "zq9\x85Xw"])
def test_a_secret_with_a_control_character_is_refused(tmp_path, text):
    remote, _ = from_file(tmp_path, text + "\n")
    with pytest.raises(InvalidInput, match="holds a control character") as info:
        read_secret(remote)
    assert "zq9" not in str(info.value) and "Xw" not in str(info.value)
    with pytest.raises(InvalidInput, match="holds a control character"):
        read_secret(one(RT), {"RT_TOKEN": text})


def test_a_plain_secret_still_reads(tmp_path):
    remote, _ = from_file(tmp_path, "  s3cr3t-T0k3n/+=  \n")
    assert read_secret(remote) == ("s3cr3t-T0k3n/+=", "token")
    assert read_secret(one(RT), {"RT_TOKEN": "pass word with spaces"}) == ("pass word with spaces", "token")


# --- the desk file -------------------------------------------------------------------------------


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_desk_file_every_user_may_read_is_reported_on_stderr(desk, db_url):
    path = db_url.removeprefix("sqlite:///")
    assert desk("ticket", "list").stderr.count("warning") == 0
    os.chmod(path, 0o644)
    result = desk("ticket", "list")
    assert result.exit_code == 0
    assert (f"sportello: warning: the desk file {path} may be read by every user of this machine "
            f"(run: chmod o-rw {path})") in result.stderr.splitlines()  # fmt: skip
    os.chmod(path, 0o660)  # a group may share a desk on purpose
    assert "warning" not in desk("ticket", "list").stderr
