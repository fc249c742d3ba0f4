"""Files the plugin and its demo create on disk, readable by their owner only.

The embedded job queue (Huey keeps pickled tasks in it), the demo's SQLite database (refresh
tokens, encrypted) and its generated keys are nobody else's business on a shared machine: folders
are made 0700 and files 0600 when they are created, not chmod-ed after a window in which the
process umask decided. SQLite makes its -wal, -shm and -journal files with the database file's
mode, so creating the database file first, owner-only, covers them too.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import make_url

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: str | os.PathLike, *, tighten: bool = False) -> Path:
    """Make the folder (and missing parents) owner-only; ``tighten`` also narrows a folder that
    already exists (only for folders that are ours, never a host's)."""
    path = Path(path)
    existed = path.is_dir()
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    if tighten or not existed:
        path.chmod(DIR_MODE)  # mkdir's mode is filtered by the umask; chmod is not
    return path


def private_file(path: str | os.PathLike) -> Path:
    """Create the file empty when missing, owner-only from the start; narrow an existing one."""
    path = Path(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)
    return path


def write_private(path: str | os.PathLike, text: str) -> None:
    """Write a new file that only its owner can read (refuses to follow an existing one)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def sqlite_path(url: str) -> str | None:
    """The file of a ``sqlite:///…`` database URL; None for memory or another database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    if parsed.database.startswith("file:"):
        return None  # a URI filename: the host spelled it out, leave it alone
    return parsed.database
