"""Nothing blocks the day: a reading list that does not validate, a garbage or full state store,
a GitHub that accepts and never answers. And the journal says what happened (issue 22)."""

from __future__ import annotations

import json
import socket
import sqlite3
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.gitrepos import make_repo
from toolkit.github import GitHubClient, Limits
from toolkit.journal.checkin import GITHUB_SECONDS, CheckinRequest, check_in
from toolkit.state import Store
from toolkit.workspace import load_workspace

NOW = datetime(2026, 11, 23, 10, tzinfo=timezone.utc)


def page(ws: Path, day: str = "2026-11-23") -> str:
    return (ws / "journal" / day[:4] / f"{day}.md").read_text()


def section(text: str, name: str) -> list[str]:
    if f"## {name}\n" not in text:
        return []
    return [x for x in text.split(f"## {name}\n")[1].split("\n## ")[0].splitlines() if x]


@pytest.fixture
def cws(ws: Path) -> Path:
    make_repo(
        ws / "code" / "nanogpt", [("me@x.org", "bf16 on MI300X", NOW - timedelta(hours=3), 12)]
    )
    (ws / "bip.toml").write_text('[git]\nemails = ["me@x.org"]\nrepos = ["code/*"]\n')
    return ws


def break_reading_list(ws: Path) -> int:
    """Make one entry's status invalid; returns that line's number."""
    path = ws / "reading_list.yaml"
    lines = path.read_text().splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.strip() == "status: todo")
    lines[at] = lines[at].replace("todo", "maybe")
    path.write_text("".join(lines))
    return at + 1


def test_an_invalid_reading_list_costs_only_the_read_part(bip, cws: Path):
    line = break_reading_list(cws)
    result = bip("-w", str(cws), "checkin", "--note", "kept", "--minutes", "45", "--tag", "amd")
    text = page(cws)
    assert "## Notes\n- kept" in text and "minutes: 45" in text and "tags: [amd]" in text
    assert "- **nanogpt**: 1 commit, +12/-0" in text  # Built is there
    (why,) = section(text, "Read")
    assert why.startswith(f"- _reading list not read: {cws / 'reading_list.yaml'}:{line}:")
    assert "'maybe'" in why
    (warning,) = [x for x in result.stderr.splitlines() if "reading list not read" in x]
    assert f"reading_list.yaml:{line}:" in warning
    # `bip log` and `bip streak` do not need the reading list either.
    assert "2026-11-23" in bip("-w", str(cws), "log").stdout
    assert "current streak: 1 day" in bip("-w", str(cws), "streak").stdout


def test_an_empty_reading_list_is_named_without_a_line_zero(bip, cws: Path):
    (cws / "reading_list.yaml").write_text("")
    result = bip("-w", str(cws), "checkin", "--note", "kept")
    (warning,) = [x for x in result.stderr.splitlines() if "reading list not read" in x]
    assert f"{cws / 'reading_list.yaml'}: the file is empty (start from `bip init`" in warning
    assert "## Notes\n- kept" in page(cws)


def test_read_ids_cannot_be_checked_without_a_list_and_are_left_out_with_a_warning(bip, cws: Path):
    break_reading_list(cws)
    result = bip("-w", str(cws), "checkin", "--note", "kept", "--read", "nanogpt")
    assert "--read nanogpt: not recorded" in result.stderr
    assert "## Notes\n- kept" in page(cws)


def test_a_garbage_state_store_is_moved_aside_and_the_day_written(bip, cws: Path):
    state = cws / ".bip" / "state.sqlite"
    state.parent.mkdir(exist_ok=True)
    state.write_bytes(b"this is not a database\n" * 100)
    result = bip("-w", str(cws), "checkin", "--note", "kept")
    assert "## Notes\n- kept" in page(cws)
    (warning,) = [x for x in result.stderr.splitlines() if "state.sqlite" in x]
    assert "moved it to state.sqlite.unreadable-" in warning
    aside = [p for p in state.parent.iterdir() if p.name.startswith("state.sqlite.unreadable-")]
    assert [p.read_bytes()[:22] for p in aside] == [b"this is not a database"]
    assert Store(state).get("checkin.last") == NOW.isoformat()  # a new store, in use again
    state.write_bytes(b"garbage again")
    assert "2026-11-23" in bip("-w", str(cws), "log").stdout
    state.write_bytes(b"garbage again")
    assert "current streak: 1 day" in bip("-w", str(cws), "streak").stdout


def full_store(path: Path) -> Store:
    """A real store whose database may not grow: SQLite answers SQLITE_FULL ("database or disk
    is full") to a write that needs room, as on a full disk."""
    store = Store(path)
    store.db.execute(
        f"PRAGMA max_page_count = {store.db.execute('PRAGMA page_count').fetchone()[0]}"
    )
    size = 4096
    while size:
        try:
            store.put(f"filler {size} {store.db.total_changes}", "x" * size)
        except sqlite3.OperationalError as exc:
            assert "full" in str(exc)
            size //= 2
    return store


def test_a_full_disk_under_the_state_store_costs_a_warning_not_the_note(cws: Path):
    ws = load_workspace(cws)
    ws.ensure_state_dir()
    store = full_store(ws.paths.state_db)
    with pytest.raises(sqlite3.OperationalError, match="full"):
        store.put("checkin.last", NOW.isoformat())  # what the check-in must do without
    result = check_in(ws, CheckinRequest(notes=["kept"], minutes=30), store=store)
    assert result.path is not None and "## Notes\n- kept" in result.path.read_text()
    (warning,) = [w for w in result.warnings if "state store was not updated" in w]
    assert "database or disk is full" in warning
    assert result.streak == 1  # counted from the files


class SilentServer:
    """Accepts connections and reads requests, never answers: an unresponsive GitHub."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.05)
        self.connections = 0
        self.requests: list[bytes] = []
        self.held: list[socket.socket] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            self.held.append(conn)
            conn.settimeout(1)
            try:
                self.requests.append(conn.recv(65536))
            except OSError:
                pass

    def close(self) -> None:
        self.stop.set()
        self.thread.join(2)
        for conn in self.held:
            conn.close()
        self.sock.close()


@pytest.fixture
def silent():
    server = SilentServer()
    yield server
    server.close()


def test_an_unresponsive_github_gets_one_request_within_the_total_and_one_warning(
    cws: Path, silent: SilentServer, monkeypatch
):
    monkeypatch.setenv("BIP_GITHUB_LOGIN", "me")
    ws = load_workspace(cws)
    ws.ensure_state_dir()
    limits = Limits(max_wait=0, retries=0, timeout=0.3, total=0.3, stats_tries=1)
    client = GitHubClient(silent.url, cache_path=ws.paths.http_cache, limits=limits)
    result = check_in(ws, CheckinRequest(notes=["kept"]), client=client)
    assert "## Notes\n- kept" in page(cws)
    assert silent.connections == 1 and client.counters.waits == []  # no retry, no back-off
    assert client.down == "GitHub did not answer within 0.3 s in all"
    github = [w for w in result.warnings if "GitHub" in w]
    assert github == [
        "GitHub did not answer within 0.3 s in all: Landed is empty (no snapshot yet); news skipped"
    ]


def test_the_total_bounds_every_request_and_nothing_is_sent_after_it(
    silent: SilentServer, tmp_path
):
    ticks = iter(range(0, 1000))  # a clock that moves one second per reading
    limits = Limits(max_wait=0, retries=0, timeout=60, total=GITHUB_SECONDS)
    client = GitHubClient(silent.url, limits=limits, monotonic=lambda: float(next(ticks)))
    from toolkit.github import GitHubUnreachable

    with pytest.raises(GitHubUnreachable, match=f"within {GITHUB_SECONDS:g} s in all"):
        for _ in range(10):
            client.get("/user")
    assert silent.connections <= 1 and GITHUB_SECONDS <= 3


def test_the_checkin_command_gives_github_three_seconds_in_all(
    bip, cws: Path, silent: SilentServer, monkeypatch
):
    monkeypatch.delenv("BIP_OFFLINE")
    monkeypatch.setenv("GITHUB_API_URL", silent.url)
    monkeypatch.setenv("BIP_GITHUB_LOGIN", "me")
    result = bip("-w", str(cws), "checkin", "--note", "kept")
    assert "## Notes\n- kept" in page(cws)
    assert silent.connections == 1
    github = [x for x in result.stderr.splitlines() if "GitHub" in x or "github" in x]
    assert len(github) == 1 and "did not answer within 3 s in all" in github[0], result.stderr


def test_read_lists_what_changed_added_started_noted_not_what_is_in_progress(
    bip, ws: Path, monkeypatch
):
    w = ["-w", str(ws)]
    bip(*w, "read", "add", "https://github.com/karpathy/llm.c")
    bip(*w, "read", "start", "nanogpt")
    bip(*w, "checkin", "--note", "one")
    assert section(page(ws), "Read") == [
        "- added: karpathy/llm.c (`llm.c`)",
        "- started: nanoGPT (`nanogpt`)",
    ]
    monkeypatch.setenv("BIP_NOW", "2026-11-24T10:00:00+00:00")
    bip(*w, "read", "note", "nanogpt", "model.py is 300 lines")
    bip(*w, "checkin", "--note", "two")
    assert section(page(ws, "2026-11-24"), "Read") == ["- noted: nanoGPT (`nanogpt`)"]
    monkeypatch.setenv("BIP_NOW", "2026-11-25T10:00:00+00:00")
    bip(*w, "checkin", "--note", "three")
    assert section(page(ws, "2026-11-25"), "Read") == []  # still reading: nothing new


def test_published_lists_the_days_posts_from_the_posts_folder(bip, ws: Path):
    posts = ws / "posts"
    posts.mkdir()
    (posts / "2026-11-23-fa2.md").write_text(
        "---\ntitle: FlashAttention-2 on ROCm\ndate: 2026-11-23T09:00:00+00:00\ndraft: true\n"
        "citations: [dao2023flashattention2]\n---\nbody\n"
    )
    (posts / "2026-11-20-old.md").write_text(
        "---\ntitle: Old post\ndate: 2026-11-20T09:00:00+00:00\nlastmod: 2026-11-23T08:00:00+00:00\n"
        "draft: false\n---\nbody\n"
    )
    (posts / "2026-11-21-other.md").write_text(
        "---\ntitle: Another\ndate: 2026-11-21T09:00:00+00:00\ndraft: true\n---\n"
    )
    (posts / "broken.md").write_text("---\ntitle: [unclosed\n---\n")
    bip("-w", str(ws), "checkin", "--note", "x")
    assert section(page(ws), "Published") == [
        "- published: Old post (`posts/2026-11-20-old.md`)",  # republished today (lastmod)
        "- drafted: FlashAttention-2 on ROCm (`posts/2026-11-23-fa2.md`), citing dao2023flashattention2",
    ]


def test_streak_shades_by_effort_and_says_so_in_help(bip, ws: Path, monkeypatch):
    from toolkit.journal.days import Day

    light = Day(NOW.date(), sections={"Notes": [["- a note"]]})
    heavy = Day(
        NOW.date(),
        {"minutes": 120},
        sections={
            "Built": [["- **nanogpt**: 3 commits, +40/-2", "  - `abcdef1` x (+1/-0)"]],
            "Published": [
                ["- run **r1** (`python train.py`): val loss 3.1 (ok)"],
                ["- drafted: P (`posts/p.md`)"],
            ],
        },
    )
    assert light.activity == 1 and heavy.activity == 4 + 3 + 2 + 3
    help_text = " ".join(bip("streak", "--help").stdout.split())
    assert "per 30 minutes" in help_text and "per commit" in help_text and "post" in help_text


def test_published_lists_the_posts_drafted_and_the_citations_they_added(bip, ws: Path, monkeypatch):
    w = ["-w", str(ws)]
    bip(*w, "checkin", "--note", "before")
    monkeypatch.setenv("BIP_NOW", "2026-11-24T10:00:00+00:00")
    bip(*w, "draft", "post", "--title", "Why I rebuild things", "--cite", "nanogpt")
    bip(*w, "checkin", "--note", "after")
    published = section(page(ws, "2026-11-24"), "Published")
    key = json.loads(bip(*w, "read", "show", "nanogpt", "--json").stdout)["cite_key"]
    assert key and f"- cited: nanoGPT (`nanogpt`) as `{key}`" in published
    assert any(line.startswith("- drafted: Why I rebuild things (`posts/") for line in published)
    monkeypatch.setenv("BIP_NOW", "2026-11-25T10:00:00+00:00")
    bip(*w, "checkin", "--note", "next day")
    assert section(page(ws, "2026-11-25"), "Published") == []  # told once
