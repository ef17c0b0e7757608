"""The state store: versioned migrations, safe when several processes open it at once."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from toolkit.errors import BipError
from toolkit.state import MIGRATIONS, Store


def test_a_new_store_is_at_the_latest_version_and_reopens(tmp_path: Path):
    Store(tmp_path / "s.sqlite").close()
    db = sqlite3.connect(tmp_path / "s.sqlite")
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    Store(tmp_path / "s.sqlite").close()


def test_an_old_store_is_migrated_forward_keeping_its_data(tmp_path: Path):
    db = sqlite3.connect(tmp_path / "s.sqlite")
    db.executescript(MIGRATIONS[0])
    db.execute("PRAGMA user_version = 1")
    db.execute("INSERT INTO kv (key, value) VALUES ('checkin.last', '2026-11-20T10:00:00+00:00')")
    db.commit()
    db.close()
    store = Store(tmp_path / "s.sqlite")
    assert store.get("checkin.last") == "2026-11-20T10:00:00+00:00"
    assert store.journal_rows() == {}


def test_a_store_from_a_newer_bip_is_refused(tmp_path: Path):
    db = sqlite3.connect(tmp_path / "s.sqlite")
    db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    db.commit()
    with pytest.raises(BipError, match="newer bip"):
        Store(tmp_path / "s.sqlite")


def test_garbage_is_a_clear_error(tmp_path: Path):
    (tmp_path / "s.sqlite").write_bytes(b"not a database at all" * 100)
    with pytest.raises(BipError, match="unreadable"):
        Store(tmp_path / "s.sqlite")


def test_many_processes_creating_the_store_at_once(tmp_path: Path):
    code = "import sys; from pathlib import Path; from toolkit.state import Store; Store(Path(sys.argv[1])).close()"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(tmp_path / "s.sqlite")], stderr=subprocess.PIPE
        )
        for _ in range(8)
    ]
    errors = [p.communicate(timeout=60)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, errors
