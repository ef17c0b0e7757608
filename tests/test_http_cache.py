"""A garbage HTTP cache under .bip/ is moved aside and rebuilt with a warning, never an error."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.fakegithub import FakeGitHub

PR = "/repos/Dao-AILab/flash-attention/pulls/7"


def _garbage(path: Path, kind: str) -> bytes:
    if kind == "bytes":
        data = b"\x00\x01 not a database at all " * 100
    elif kind == "sqlite-header":  # says SQLite, then is not
        data = b"SQLite format 3\x00" + b"\xff" * 4000
    elif kind == "truncated":  # a real cache cut short, as a full disk leaves it
        sqlite3.connect(path).executescript(
            "CREATE TABLE responses (key TEXT PRIMARY KEY, value BLOB, expires INTEGER);"
            + "".join(
                f"INSERT INTO responses VALUES ('k{i}', randomblob(900), 0);" for i in range(50)
            )
        )
        data = path.read_bytes()[:5000]
    else:  # another program's database where the cache should be
        sqlite3.connect(path).executescript("CREATE TABLE responses (something TEXT);")
        data = path.read_bytes()
    path.write_bytes(data)
    return data


@pytest.mark.parametrize("kind", ["bytes", "sqlite-header", "truncated", "other-schema"])
def test_a_garbage_http_cache_is_moved_aside_and_rebuilt_with_a_warning(
    bip, real_list: Path, httpserver, monkeypatch, kind: str
):
    gh = FakeGitHub(httpserver)
    monkeypatch.setenv("GITHUB_API_URL", gh.url)
    monkeypatch.delenv("BIP_OFFLINE")
    gh.on(PR, {"title": "Fix it", "html_url": "https://github.com/x/7", "state": "open"})
    gh.on(PR + "/reviews", [])
    cache = real_list / ".bip" / "http_cache.sqlite"
    cache.parent.mkdir()
    garbage = _garbage(cache, kind)
    args = ("-w", str(real_list), "draft", "contribution", "--title", "t", "--stdout")
    first = bip(*args, "--pr", "Dao-AILab/flash-attention#7")
    assert "Fix it" in first.stdout
    [aside] = cache.parent.glob("http_cache.sqlite.broken-*Z")
    assert aside.read_bytes() == garbage  # kept, for whoever wants to look
    assert f"bip: warning: the HTTP cache {cache} could not be read" in first.stderr
    assert aside.name in first.stderr
    asked = len(gh.seen)
    second = bip(*args, "--pr", "Dao-AILab/flash-attention#7")
    assert "warning" not in second.stderr and "Fix it" in second.stdout
    conditional = [s for s in gh.seen[asked:] if s.headers.get("If-None-Match")]
    assert len(conditional) == len(gh.seen) - asked == asked  # the new cache works: all 304s
