"""The state store: one SQLite file in `.bip/`, versioned with PRAGMA user_version.

It holds what bip learns from GitHub (contributor snapshots, repo metadata, what was already
seen of the figures) and the journal index. It is derived data: deleting it loses history of
snapshots, never the user's own files.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from toolkit.errors import BipError

# Each step migrates from version i to i+1; never edit a released step, append a new one.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE snapshots (
        id INTEGER PRIMARY KEY,
        taken_at TEXT NOT NULL,
        login TEXT NOT NULL,
        repo TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX snapshots_by_repo ON snapshots (login, repo, taken_at);
    CREATE TABLE repo_meta (
        repo TEXT PRIMARY KEY,
        fetched_at TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE TABLE kv (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    """
    CREATE TABLE journal (
        day TEXT PRIMARY KEY,
        path TEXT NOT NULL,
        mtime_ns INTEGER NOT NULL,
        tags TEXT NOT NULL,
        minutes INTEGER NOT NULL,
        counts TEXT NOT NULL,
        activity INTEGER NOT NULL
    );
    """,
    # `activity` became effort points (minutes, commits, runs, posts): index the days again.
    """
    DELETE FROM journal;
    """,
]


def private_dir(path: Path) -> None:
    """A folder only its owner can enter: `.bip/` holds API answers, maybe about private repos."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    _chmod(path, 0o700)


def private_file(path: Path) -> None:
    """Create `path` readable by its owner only (SQLite gives its -wal and -shm files the same
    mode), and tighten a file an older bip left open to others."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    except OSError:
        return  # sqlite will say what is wrong with the path, in its own words
    for item in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if item.exists():
            _chmod(item, 0o600)


def _chmod(path: Path, mode: int) -> None:
    try:
        if path.stat().st_mode & 0o777 != mode:
            path.chmod(mode)
    except OSError:
        pass  # a file system without modes, or not ours: nothing more bip can do


@dataclass(frozen=True)
class Snapshot:
    taken_at: datetime
    login: str
    repo: str
    data: dict[str, Any]


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        private_dir(path.parent)
        private_file(path)
        try:
            self.db = sqlite3.connect(path, timeout=10)
            if not self._ready():
                # Switching to WAL takes a lock SQLite does not wait for: processes opening a
                # new store at once take turns here instead (found by the 8-process test).
                from toolkit.fileio import locked

                lock = path.with_name(path.name + ".lock")
                private_file(lock)  # like everything under .bip/: the owner's only
                with locked(lock, str(path)):
                    self.db.execute("PRAGMA journal_mode=WAL")
                    self._migrate()
        except sqlite3.DatabaseError as exc:
            raise BipError(
                f"the state store {path} is unreadable ({exc})",
                hint="it holds only derived data: move it away and run the command again",
            ) from exc

    def _ready(self) -> bool:
        """In WAL mode and at the current schema: nothing to set up."""
        mode = self.db.execute("PRAGMA journal_mode").fetchone()[0]
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        return bool(mode == "wal" and version == len(MIGRATIONS))

    def _migrate(self) -> None:
        migrate(self.db, self.path, MIGRATIONS)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self.db:
            yield self.db

    # -- contributor snapshots --
    def save_snapshots(
        self, taken_at: datetime, login: str, rows: dict[str, dict[str, Any]]
    ) -> None:
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO snapshots (taken_at, login, repo, data) VALUES (?, ?, ?, ?)",
                [
                    (taken_at.isoformat(), login, repo, json.dumps(data, sort_keys=True))
                    for repo, data in rows.items()
                ],
            )

    def latest_snapshots(self, login: str) -> dict[str, Snapshot]:
        rows = self.db.execute(
            "SELECT taken_at, login, repo, data FROM snapshots s WHERE login = ? AND taken_at = "
            "(SELECT MAX(taken_at) FROM snapshots t WHERE t.login = s.login AND t.repo = s.repo)",
            (login,),
        )
        return {r[2]: _snapshot(r) for r in rows}

    def history(self, login: str, repo: str | None = None) -> list[Snapshot]:
        query = "SELECT taken_at, login, repo, data FROM snapshots WHERE login = ?"
        args: list[Any] = [login]
        if repo:
            query += " AND repo = ?"
            args.append(repo)
        return [_snapshot(r) for r in self.db.execute(query + " ORDER BY repo, taken_at", args)]

    def logins(self) -> list[str]:
        return [
            r[0] for r in self.db.execute("SELECT DISTINCT login FROM snapshots ORDER BY login")
        ]

    # -- repo metadata --
    def save_repo_meta(self, fetched_at: datetime, rows: dict[str, dict[str, Any]]) -> None:
        with self.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO repo_meta (repo, fetched_at, data) VALUES (?, ?, ?)",
                [
                    (repo.lower(), fetched_at.isoformat(), json.dumps(d, sort_keys=True))
                    for repo, d in rows.items()
                ],
            )

    def repo_meta(self, repo: str) -> tuple[datetime, dict[str, Any]] | None:
        row = self.db.execute(
            "SELECT fetched_at, data FROM repo_meta WHERE repo = ?", (repo.lower(),)
        ).fetchone()
        return (datetime.fromisoformat(row[0]), json.loads(row[1])) if row else None

    # -- journal index (derived from the journal files, rebuilt at will) --
    def journal_rows(self) -> dict[str, dict[str, Any]]:
        rows = self.db.execute(
            "SELECT day, path, mtime_ns, tags, minutes, counts, activity FROM journal ORDER BY day"
        )
        return {
            r[0]: {
                "day": r[0],
                "path": r[1],
                "mtime_ns": r[2],
                "tags": json.loads(r[3]),
                "minutes": r[4],
                "counts": json.loads(r[5]),
                "activity": r[6],
            }
            for r in rows
        }

    def put_journal_row(self, row: dict[str, Any]) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO journal (day, path, mtime_ns, tags, minutes, counts, activity) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    row["day"],
                    row["path"],
                    row["mtime_ns"],
                    json.dumps(row["tags"]),
                    row["minutes"],
                    json.dumps(row["counts"]),
                    row["activity"],
                ),
            )

    def drop_journal_rows(self, days: list[str] | None = None) -> None:
        with self.transaction() as db:
            if days is None:
                db.execute("DELETE FROM journal")
            else:
                db.executemany("DELETE FROM journal WHERE day = ?", [(d,) for d in days])

    # -- GitHub users' node ids: an account's id never changes, but a login can move to another
    # account (a rename frees it), so a caller checks the id against the login when it uses it --
    def github_user_id(self, api: str, login: str) -> str | None:
        """The node id last seen for `login` on the GitHub at `api` (logins ignore case)."""
        return self.get(_user_key(api, login))

    def put_github_user_id(self, api: str, login: str, node_id: str) -> None:
        self.put(_user_key(api, login), node_id)

    # -- small values --
    def get(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def put(self, key: str, value: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)", (key, value))


def open_store(path: Path) -> tuple[Store | None, str | None]:
    """The store for commands that must go on without it (the check-in, `log`, `streak`):
    (store, None); an unreadable file is moved aside and a new store begun, said in the
    warning; (None, warning) when no store can be had at all (a full disk, a read-only folder).
    """
    try:
        return Store(path), None
    except BipError as exc:
        first = exc.message
    aside = path.with_name(f"{path.name}.unreadable-{datetime.now():%Y%m%d-%H%M%S}")
    try:
        for suffix in ("", "-wal", "-shm"):
            old = path.with_name(path.name + suffix)
            if old.exists():
                old.replace(aside.with_name(aside.name + suffix))
        return Store(path), f"{first}; moved it to {aside.name} and began a new one"
    except (OSError, BipError, sqlite3.Error) as exc:
        why = exc.message if isinstance(exc, BipError) else str(exc)
        return None, f"state store left out ({why}): derived data skipped this time"


def _user_key(api: str, login: str) -> str:
    return f"github user id\t{api}\t{login.lower()}"


def _snapshot(row: Any) -> Snapshot:
    return Snapshot(datetime.fromisoformat(row[0]), row[1], row[2], json.loads(row[3]))


def migrate(db: sqlite3.Connection, path: Path, migrations: list[str]) -> None:
    """Bring a store's schema up to `migrations` (PRAGMA user_version counts the steps done).
    Under SQLite's write lock (BEGIN IMMEDIATE), so two bip processes opening a new store at
    once do not both run the same step. Shared by every SQLite file bip keeps under .bip/."""
    if db.execute("PRAGMA user_version").fetchone()[0] == len(migrations):
        return
    db.isolation_level = None  # explicit transaction: executescript would commit early
    try:
        db.execute("BEGIN IMMEDIATE")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(migrations):
            raise BipError(
                f"{path} was written by a newer bip (schema {version})",
                hint="upgrade bip, or move the file away",
            )
        for step in range(version, len(migrations)):
            for statement in migrations[step].split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {step + 1}")
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    finally:
        db.isolation_level = "DEFERRED"  # what the default "" means
