"""Offline answers from what bip knows, and never silent: snapshots when the exact question was
never cached, GitHub down, bad data from one repo, library logs, progress on a terminal."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from tests.fakegithub import FakeGitHub
from tests.test_contrib import READING_LIST, make_client, rest_world
from tests.test_repos import CFF, repo_world
from toolkit import contrib
from toolkit.github import GitHubUnreachable
from toolkit.readinglist import load_reading_list
from toolkit.state import Store

NOW = datetime(2026, 11, 23, 10, tzinfo=timezone.utc)


@pytest.fixture
def server() -> Iterator[HTTPServer]:
    """A fake GitHub of this test's own, so the test can take it down."""
    own = HTTPServer(host="127.0.0.1")
    own.start()
    yield own
    if own.is_running():
        own.stop()


@pytest.fixture
def online(tmp_path: Path, server: HTTPServer, monkeypatch) -> tuple[Path, FakeGitHub]:
    gh = FakeGitHub(server)
    root = tmp_path / "cws"
    root.mkdir()
    (root / "reading_list.yaml").write_text(READING_LIST)
    (root / "bip.toml").write_text('[github]\nlogin = "me"\n')
    monkeypatch.setenv("GITHUB_API_URL", gh.url)
    monkeypatch.delenv("BIP_OFFLINE")
    return root, gh


def _snapshots(root: Path) -> int:
    return len(Store(root / ".bip" / "state.sqlite").history("me"))


def test_offline_answers_from_the_last_snapshot_when_the_query_was_never_cached(bip, online):
    root, gh = online
    rest_world(gh)
    bip("-w", str(root), "contrib", "status")
    # A new target changes the search query: that exact question was never asked.
    (root / "reading_list.yaml").write_text(
        READING_LIST.replace(
            "repo: karpathy/nanoGPT", "repo: karpathy/nanoGPT\n    goal: {commits: 1}"
        )
    )
    sent = len(gh.seen)
    result = bip("-w", str(root), "contrib", "status", "--offline")
    assert len(gh.seen) == sent
    assert result.stdout.startswith("me, as of 2026-11-23 10:00")
    assert "1 merged, 1 open, 0 closed unmerged; 1 issues; 3 commits" in result.stdout
    assert "rank       #142 of 142 (from the last snapshot)" in result.stdout
    assert "33% of 3 merged prs by 2027-03-31" in result.stdout
    assert "karpathy/nanoGPT  (nanogpt)\n  error      no snapshot yet" in result.stdout
    assert result.stderr.count("\n") == 1
    assert "offline: numbers from the last snapshot, as of 2026-11-23 10:00" in result.stderr
    data = json.loads(bip("-w", str(root), "contrib", "status", "--offline", "--json").stdout)
    assert data["from_snapshot"] is True and data["as_of"].startswith("2026-11-23T10:00")
    assert _snapshots(root) == 2  # the offline runs stored none


def test_github_down_answers_from_the_cache_once_quietly_and_stores_no_snapshot(
    bip, online, server: HTTPServer
):
    root, gh = online
    rest_world(gh)
    bip("-w", str(root), "contrib", "status")
    assert _snapshots(root) == 2
    server.stop()  # GitHub is down: every answer is in the cache, with its ETag
    # A real process: under pytest, logging has handlers that would hide a library's output.
    env = {k: v for k, v in os.environ.items() if not k.startswith("BIP_")}
    env.update(BIP_WORKSPACE=str(root), BIP_NOW="2026-11-24T09:00:00+00:00", BIP_TIMEZONE="UTC")
    result = subprocess.run(
        [sys.executable, "-m", "toolkit", "contrib", "status"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "1 merged, 1 open" in result.stdout and ", as of " in result.stdout.splitlines()[0]
    unreachable = [line for line in result.stderr.splitlines() if "unreachable" in line]
    assert len(unreachable) == 1 and "numbers from the cache, as of" in unreachable[0]
    # requests-cache logs "using cached response" with a traceback: never on the terminal
    assert "Traceback" not in result.stderr and "using cached response" not in result.stderr
    assert "changed" not in result.stdout  # old numbers are not news
    assert _snapshots(root) == 2  # nothing stored as if it were fresh


def test_github_down_and_the_query_never_cached_falls_back_to_the_snapshot(
    tmp_path, server: HTTPServer
):
    gh = FakeGitHub(server)
    rest_world(gh)
    path = tmp_path / "reading_list.yaml"
    path.write_text(READING_LIST)
    model = load_reading_list(path).model
    store = Store(tmp_path / ".bip" / "state.sqlite")
    contrib.take_status(make_client(gh, tmp_path), store, model, NOW, user="me")
    server.stop()
    path.write_text(
        READING_LIST.replace("title: nanoGPT", "title: nanoGPT\n    goal: {commits: 1}")
    )
    later = datetime(2026, 11, 24, 9, tzinfo=timezone.utc)
    status = contrib.take_status(
        make_client(gh, tmp_path), store, load_reading_list(path).model, later, user="me"
    )
    assert status.from_snapshot and status.as_of == NOW
    assert [r.merged_prs for r in status.repos] == [1, 0, 0]
    assert status.repos[2].error and "no snapshot yet" in status.repos[2].error
    assert "GitHub unreachable: answered from the last snapshot" in status.notices
    assert len(store.history("me")) == 2


def test_nothing_cached_and_no_snapshot_names_the_repos_not_the_query(tmp_path, server):
    gh = FakeGitHub(server)
    server.stop()
    path = tmp_path / "reading_list.yaml"
    path.write_text(READING_LIST)
    store = Store(tmp_path / ".bip" / "state.sqlite")
    with pytest.raises(GitHubUnreachable) as caught:
        contrib.take_status(
            make_client(gh, tmp_path), store, load_reading_list(path).model, NOW, user="me"
        )
    message = caught.value.message
    assert "no snapshot of vllm-project/vllm, Dao-AILab/flash-attention yet" in message
    assert "q=" not in message and "/search" not in message


def test_sync_skips_one_repos_bad_citation_and_stores_the_rest(bip, online):
    root, gh = online
    (root / "reading_list.yaml").write_text(
        "version: 1\nentries:\n"
        "  - {id: flash, kind: repo, title: flash, repo: Dao-AILab/flash-attention}\n"
        "  - {id: nanogpt, kind: repo, title: nanoGPT, repo: karpathy/nanoGPT}\n"
        "  - {id: vllm, kind: repo, title: vLLM, repo: vllm-project/vllm}\n"
    )
    repo_world(gh)
    gh.on(
        "/repos/karpathy/nanoGPT/contents/CITATION.cff",
        {"encoding": "base64", "content": "this is %% not base64!"},
    )
    gh.on("/repos/vllm-project/vllm", {"description": "fast LLM serving", "stargazers_count": 9})
    gh.on(
        "/repos/vllm-project/vllm/contents/CITATION.cff",
        {"encoding": "base64", "content": base64.b64encode(CFF.encode()).decode()},
    )
    result = bip("-w", str(root), "read", "sync")
    assert "synced 3 of 3 repos" in result.stdout
    assert "karpathy/nanoGPT: CITATION.cff skipped: not valid base64" in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    nanogpt = bip("-w", str(root), "read", "show", "nanogpt").stdout
    assert "stars     40000" in nanogpt
    flash = bip("-w", str(root), "read", "show", "flash").stdout
    vllm = bip("-w", str(root), "read", "show", "vllm").stdout
    assert "citation  CITATION.cff" in flash and "citation  CITATION.cff" in vllm
    assert "stars     9" in vllm


def test_no_progress_display_when_stderr_is_not_a_terminal(bip, online):
    root, gh = online
    rest_world(gh)
    result = bip("-w", str(root), "contrib", "status")
    assert "asking GitHub" not in result.stderr and "…" not in result.stderr


def test_progress_shows_on_a_terminal(online):
    """A real pseudo-terminal: `bip contrib status` says what it is waiting for, with a count."""
    from tests.terminal import bip_on_terminal

    root, gh = online
    rest_world(gh)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BIP_")}
    env.update(
        BIP_WORKSPACE=str(root),
        BIP_NOW="2026-11-23T10:00:00+00:00",
        BIP_TIMEZONE="UTC",
        GITHUB_API_URL=gh.url,
        TERM="xterm",
        COLUMNS="120",
    )
    code, text = bip_on_terminal("contrib", "status", env=env)
    assert code == 0, text
    assert "asking GitHub about 2 repos… 2/2" in text  # rich redraws at its own pace
    assert "1 merged, 1 open" in text


def _checkin_env(root: Path, gh: FakeGitHub) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BIP_")}
    env.update(
        BIP_WORKSPACE=str(root),
        BIP_NOW="2026-11-24T09:00:00+00:00",
        BIP_TIMEZONE="UTC",
        GITHUB_API_URL=gh.url,
        TERM="dumb",
        COLUMNS="120",
    )
    return env


def test_the_checkin_asks_its_questions_before_any_network_call(online):
    from tests.terminal import bip_on_terminal

    root, gh = online
    rest_world(gh)

    def asked(n: int) -> None:
        if n == 0:  # asked before GitHub was: the question never waits for the network
            assert gh.seen == []

    code, text = bip_on_terminal(
        "checkin", env=_checkin_env(root, gh), answers=[b"tiling\r", b"\r"], on_prompt=asked
    )
    assert code == 0, text
    assert gh.seen  # then it asked GitHub
    assert "- tiling" in (root / "journal" / "2026" / "2026-11-24.md").read_text()


def test_an_unreachable_checkin_says_so_once_and_writes_the_day(bip, online, server):
    root, gh = online
    rest_world(gh)
    bip("-w", str(root), "contrib", "status")
    server.stop()
    done = subprocess.run(
        [sys.executable, "-m", "toolkit", "checkin", "--note", "offline day"],
        env=_checkin_env(root, gh),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if "unreachable" in line.lower()]
    assert lines == [
        "bip: warning: GitHub unreachable: Landed is from the last snapshot; news skipped"
    ]
    assert "Traceback" not in done.stderr
    day = (root / "journal" / "2026" / "2026-11-24.md").read_text()
    assert "- offline day" in day and "vllm-project/vllm: 1 merged PR, 3 commits" in day


def test_errors_name_what_you_asked_for_not_the_query(tmp_path, server: HTTPServer):
    from tests.fakegithub import Reply
    from toolkit.errors import BipError

    gh = FakeGitHub(server)
    rest_world(gh)
    gh.on(
        "/search/issues",
        Reply(502, {"message": "Bad Gateway"}),
        query={
            "q": "is:pr author:me repo:vllm-project/vllm repo:Dao-AILab/flash-attention",
            "sort": "created",
            "order": "asc",
        },
    )
    path = tmp_path / "reading_list.yaml"
    path.write_text(READING_LIST)
    store = Store(tmp_path / ".bip" / "state.sqlite")
    with pytest.raises(BipError) as caught:
        contrib.take_status(
            make_client(gh, tmp_path), store, load_reading_list(path).model, NOW, user="me"
        )
    message = caught.value.message
    assert "your pull requests in vllm-project/vllm, Dao-AILab/flash-attention" in message
    assert "q=" not in message and "/search" not in message
