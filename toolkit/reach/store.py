"""The reach store: `.bip/reach.sqlite`, its own schema version, apart from the state store.

It holds the exact layer (pull requests with reviews, open issues) synced from GitHub or loaded
from the bundled example, and where each sync left off. Derived data: deleting it loses only
what the next sync fetches again.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from toolkit.errors import BipError
from toolkit.reach.model import Issue, Pull, Review
from toolkit.state import migrate, private_dir, private_file

MIGRATIONS: list[str] = [
    """
    CREATE TABLE pulls (
        key TEXT PRIMARY KEY,
        repo TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX pulls_by_repo ON pulls (repo);
    CREATE TABLE issues (
        key TEXT PRIMARY KEY,
        repo TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX issues_by_repo ON issues (repo);
    CREATE TABLE kv (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
]


class ReachStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        private_dir(path.parent)
        private_file(path)
        try:
            self.db = sqlite3.connect(path, timeout=10)
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise BipError(
                f"the reach store {path} is unreadable ({exc})",
                hint="it holds only synced data: move it away and run `bip reach sync` again",
            ) from exc

    def _migrate(self) -> None:
        migrate(self.db, self.path, MIGRATIONS)

    def close(self) -> None:
        self.db.close()

    # -- pull requests --
    def save_pulls(self, pulls: Iterable[Pull]) -> int:
        rows = [
            (p.key, p.repo.lower(), p.updated_at or p.created_at, json.dumps(asdict(p)))
            for p in pulls
        ]
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO pulls (key, repo, updated_at, data) VALUES (?, ?, ?, ?)",
                rows,
            )
        return len(rows)

    def pulls(self, repos: Iterable[str] | None = None) -> list[Pull]:
        if repos is None:
            found = self.db.execute("SELECT data FROM pulls ORDER BY key")
            return [pull_from(json.loads(r[0])) for r in found]
        wanted = sorted({r.lower() for r in repos})
        marks = ",".join("?" * len(wanted))
        found = self.db.execute(
            f"SELECT data FROM pulls WHERE repo IN ({marks}) ORDER BY key", wanted
        )
        return [pull_from(json.loads(r[0])) for r in found]

    def repos(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT repo FROM pulls ORDER BY repo")]

    # -- open issues: a repo's list is replaced whole at each sync --
    def save_issues(self, repo: str, issues: Iterable[Issue]) -> None:
        with self.db:
            self.db.execute("DELETE FROM issues WHERE repo = ?", (repo.lower(),))
            self.db.executemany(
                "INSERT OR REPLACE INTO issues (key, repo, data) VALUES (?, ?, ?)",
                [
                    (f"{i.repo.lower()}#{i.number}", i.repo.lower(), json.dumps(asdict(i)))
                    for i in issues
                ],
            )

    def issues(self, repos: Iterable[str]) -> list[Issue]:
        wanted = sorted({r.lower() for r in repos})
        marks = ",".join("?" * len(wanted))
        found = self.db.execute(
            f"SELECT data FROM issues WHERE repo IN ({marks}) ORDER BY key", wanted
        )
        return [issue_from(json.loads(r[0])) for r in found]

    def has_issues(self, repo: str) -> bool:
        return self.get(f"issues synced\t{repo.lower()}") is not None

    # -- small values: sync cursors, as-of times --
    def get(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def put(self, key: str, value: str) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)", (key, value))

    def drop(self, key: str) -> None:
        with self.db:
            self.db.execute("DELETE FROM kv WHERE key = ?", (key,))


def pull_from(data: dict[str, Any]) -> Pull:
    reviews = tuple(Review(**r) for r in data.pop("reviews", []))
    for name in ("labels", "paths", "coauthors"):
        data[name] = tuple(data.get(name) or ())
    return Pull(reviews=reviews, **data)


def issue_from(data: dict[str, Any]) -> Issue:
    data["labels"] = tuple(data.get("labels") or ())
    return Issue(**data)
