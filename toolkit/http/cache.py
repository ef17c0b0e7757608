"""The HTTP cache file under `.bip/`: requests-cache's SQLite store, opened so that a broken file
(garbage, truncated, another program's database) never stops bip. Such a file is moved aside,
with a warning naming where it went, and a new cache starts empty: it only ever held copies of
what the services answer.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SIDECARS = ("-wal", "-shm", "-journal")  # SQLite's own files beside the database
TABLES = ("responses", "redirects")  # requests-cache's, each with key and value


def open_cache(path: Path, cache_class: Any) -> Any:
    """`cache_class(path)`, checked readable first; a broken file is moved aside and replaced."""
    from toolkit.state import private_file

    try:
        check_cache(path)
        return cache_class(str(path), wal=True)
    except sqlite3.DatabaseError as exc:
        aside = move_aside(path)
        log.warning(
            "the HTTP cache %s could not be read (%s): moved it to %s and started a new one",
            path,
            exc,
            aside.name,
        )
    private_file(path)
    return cache_class(str(path), wal=True)


def check_cache(path: Path) -> None:
    """Read the file, without changing it, as requests-cache will: raises sqlite3.DatabaseError
    for what is not its database (garbage, a truncated file, another program's tables)."""
    if not path.is_file() or path.stat().st_size == 0:
        return  # nothing yet: requests-cache creates it
    con = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        for table in TABLES:
            columns = {row[1] for row in con.execute(f"PRAGMA table_info({table})")}
            if columns and not {"key", "value"} <= columns:
                raise sqlite3.DatabaseError(f"its table {table} is not requests-cache's")
            if columns:
                con.execute(f"SELECT key, value FROM {table} LIMIT 1").fetchall()
    finally:
        con.close()


def move_aside(path: Path) -> Path:
    """Rename the cache (and SQLite's files beside it) to `NAME.broken-<UTC time>`."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    aside = path.with_name(f"{path.name}.broken-{stamp}")
    path.replace(aside)
    for suffix in SIDECARS:
        extra = path.with_name(path.name + suffix)
        if extra.exists():
            extra.replace(aside.with_name(aside.name + suffix))
    return aside
