"""Flower's basic auth from a file, never from a command line.

A password on Flower's argv (`--basic-auth=user:password`) is readable by every local
user (`ps`) and by anyone who can `docker inspect` the container. Here it lives in a
directory only its owner reads: `password` (for the operator) and `flowerconfig.py`, the
Flower config file (tornado options, Python) that sets `basic_auth`; Flower is started
with `--conf=<dir>/flowerconfig.py`. `oddswatch flower-auth DIR` (compose's one-shot
`flower-auth` service) writes both once; `make up` writes them from `.env`.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from oddswatch.settings import Settings

PASSWORD_FILE = "password"
CONF_FILE = "flowerconfig.py"


def ensure(directory: Path, settings: Settings, new: bool = False) -> tuple[Path, str]:
    """The password file in `directory` and how its password came: `OW_FLOWER_PASSWORD`
    when set, else the one already there (`kept`) unless `new`, else a new one
    (`generated`)."""
    password_file = directory / PASSWORD_FILE
    given = settings.flower_password.get_secret_value() if settings.flower_password else ""
    if given:
        password, origin = given, "set from OW_FLOWER_PASSWORD"
    elif not new and password_file.exists() and password_file.read_text().strip():
        password, origin = password_file.read_text().strip(), "kept"
    else:
        password, origin = secrets.token_urlsafe(18), "generated"
    write_conf(directory, settings.flower_user, password)
    return password_file, origin


def write_conf(directory: Path, user: str, password: str) -> Path:
    """Write `password` and Flower's config file into `directory` (0700, files 0600)."""
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    _write_private(directory / PASSWORD_FILE, password + "\n")
    conf = directory / CONF_FILE
    credentials = f"{user}:{password}"
    _write_private(
        conf,
        f"# Flower's basic auth (oddswatch, cli/flower_auth.py)\nbasic_auth = [{credentials!r}]\n",
    )
    return conf


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text)
    path.chmod(0o600)
