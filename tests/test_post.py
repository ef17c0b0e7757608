"""`bip post` against a local AT Protocol PDS and a local Mastodon (tests/fakesocial.py): threads,
images, link facets, rate limits, an expired session, a failure on the third post of five with
--resume, a lost answer, a hostile redirect, and credentials that never leave memory."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer

from tests.fakesocial import DID, HANDLE, PASSWORD, TOKEN, Catcher, FakeMastodon, FakePDS, Reply
from tests.sitework import make_public_workspace
from toolkit.social import (
    Pacing,
    PostRequest,
    bluesky_limit,
    graphemes,
    mastodon_limit,
    post_thread,
    published_on,
    split_text,
)
from toolkit.social.networks import credentials, link_facets
from toolkit.workspace import load_workspace

CREATE = "com.atproto.repo.createRecord"
FIVE = "\n---\n".join(
    ["One: the 124M run is done 🚀 https://example.org/runs/124m", "Two", "Three", "Four", "Five"]
)


def server() -> Iterator[HTTPServer]:
    http = HTTPServer(host="127.0.0.1", port=0)
    http.start()
    yield http
    http.clear()
    if http.is_running():
        http.stop()


@pytest.fixture(autouse=True)
def online(monkeypatch: pytest.MonkeyPatch) -> None:
    """The suite runs with BIP_OFFLINE=1; here the local fakes are the network, so posting is
    allowed (test_offline_sends_nothing_and_asks_no_server sets it back)."""
    monkeypatch.delenv("BIP_OFFLINE", raising=False)


@pytest.fixture
def pds(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakePDS]:
    for http in server():
        fake = FakePDS(http)
        monkeypatch.setenv("BIP_BLUESKY_HANDLE", HANDLE)
        monkeypatch.setenv("BIP_BLUESKY_APP_PASSWORD", PASSWORD)
        monkeypatch.setenv("BIP_BLUESKY_PDS", fake.url)
        yield fake


@pytest.fixture
def masto(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeMastodon]:
    for http in server():
        fake = FakeMastodon(http, max_characters=120)
        monkeypatch.setenv("BIP_MASTODON_URL", fake.url)
        monkeypatch.setenv("BIP_MASTODON_TOKEN", TOKEN)
        yield fake


@pytest.fixture
def catcher() -> Iterator[Catcher]:
    for http in server():
        yield Catcher(http)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = make_public_workspace(tmp_path / "ws", days=3, posts=2, runs=1, steps=60)
    (root / "thread.txt").write_text(FIVE + "\n")
    return root


def texts(pds: FakePDS) -> list[str]:
    return [p["text"] for p in pds.posts()]


def no_secret_anywhere(root: Path, *outputs: str) -> None:
    for path in [p for p in root.rglob("*") if p.is_file()]:
        data = path.read_bytes()
        assert PASSWORD.encode() not in data and TOKEN.encode() not in data, path
    for out in outputs:
        assert PASSWORD not in out and TOKEN not in out


def test_third_of_five_fails_then_resume_finishes_without_doubles(
    ws: Path, pds: FakePDS, bip
) -> None:  # type: ignore[no-untyped-def]
    pds.fail[(CREATE, 3)] = Reply(500, {"error": "InternalServerError", "message": "database down"})
    failed = bip(
        "-w", str(ws), "post", "--thread", str(ws / "thread.txt"), "--to", "bluesky", code=1
    )
    assert (
        "2 of 5 posts went out to bluesky (1/5 https://bsky.app/profile/ada.example.org/post/"
        in failed.stderr
    )
    assert (
        "post 3 did not: Bluesky did not answer: 500 InternalServerError: database down"
        in failed.stderr
    )
    assert "--resume" in failed.stderr
    assert texts(pds) == ["One: the 124M run is done 🚀 https://example.org/runs/124m", "Two"]
    again = bip(
        "-w", str(ws), "post", "--thread", str(ws / "thread.txt"), "--to", "bluesky", code=2
    )
    assert "partly posted" in again.stderr  # never a second copy of posts 1 and 2
    done = bip(
        "-w", str(ws), "post", "--thread", str(ws / "thread.txt"), "--to", "bluesky", "--resume"
    )
    assert done.stdout.count("already posted: https://bsky.app/") == 2
    assert texts(pds) == [
        "One: the 124M run is done 🚀 https://example.org/runs/124m",
        "Two",
        "Three",
        "Four",
        "Five",
    ]
    assert pds.count(CREATE) == 6  # 2 + the failed one + 3
    records = list(pds.records.values())
    root = {"uri": records[0]["uri"], "cid": records[0]["cid"]}
    for previous, record in zip(records, records[1:], strict=False):
        reply = {
            k: {f: v for f, v in ref.items() if f != "$type"}
            for k, ref in record["value"]["reply"].items()
            if k != "$type"
        }
        assert reply == {"root": root, "parent": {"uri": previous["uri"], "cid": previous["cid"]}}
    bip("-w", str(ws), "post", "--thread", str(ws / "thread.txt"), "--to", "bluesky", "--resume")
    assert pds.count(CREATE) == 6  # finished: nothing more is sent
    no_secret_anywhere(ws, failed.stdout, failed.stderr, done.stdout, done.stderr)


def test_a_lost_answer_is_found_by_its_record_key_not_posted_twice(
    ws: Path, pds: FakePDS, bip
) -> None:  # type: ignore[no-untyped-def]
    pds.answer_lost.add((CREATE, 3))  # the PDS saved post 3, then the answer was lost
    bip("-w", str(ws), "post", "--thread", str(ws / "thread.txt"), "--to", "bluesky", code=1)
    bip("-w", str(ws), "post", "--thread", str(ws / "thread.txt"), "--to", "bluesky", "--resume")
    assert texts(pds) == [
        "One: the 124M run is done 🚀 https://example.org/runs/124m",
        "Two",
        "Three",
        "Four",
        "Five",
    ]
    assert pds.count("com.atproto.repo.getRecord") == 1 and pds.count(CREATE) == 5


def test_an_expired_session_signs_in_again_and_goes_on(ws: Path, pds: FakePDS, bip) -> None:  # type: ignore[no-untyped-def]
    pds.after[(CREATE, 2)] = pds.expire_sessions  # the server ends the session mid-thread
    bip("-w", str(ws), "post", "--thread", str(ws / "thread.txt"), "--to", "bluesky")
    assert len(texts(pds)) == 5 and pds.count("com.atproto.server.createSession") == 2
    assert pds.count(CREATE) == 6  # post 3 refused once (ExpiredToken), then sent once


def test_a_short_lived_token_is_refreshed_before_it_expires(ws: Path, pds: FakePDS, bip) -> None:  # type: ignore[no-untyped-def]
    pds.lifetime = 60  # under atproto's 15-minute margin: it refreshes before each call
    bip("-w", str(ws), "post", "--thread", str(ws / "thread.txt"), "--to", "bluesky")
    assert len(texts(pds)) == 5 and pds.count("com.atproto.server.refreshSession") >= 1


def test_a_rate_limit_within_max_wait_is_waited_out(ws: Path, pds: FakePDS) -> None:
    reset = str(int(time.time()) + 30)
    pds.fail[(CREATE, 2)] = Reply(429, {"error": "RateLimitExceeded"}, {"ratelimit-reset": reset})
    slept: list[float] = []
    result = post_thread(
        load_workspace(ws),
        PostRequest("bluesky", thread=ws / "thread.txt"),
        pacing=Pacing(max_wait=60, sleep=slept.append),
    )
    assert len(slept) == 1 and 25 <= slept[0] <= 31
    assert [p.url is not None for p in result.posts] == [True] * 5 and len(texts(pds)) == 5


def test_a_rate_limit_beyond_max_wait_stops_with_exit_4(ws: Path, pds: FakePDS, bip) -> None:  # type: ignore[no-untyped-def]
    reset = str(int(time.time()) + 3600)
    pds.fail[(CREATE, 2)] = Reply(429, {"error": "RateLimitExceeded"}, {"ratelimit-reset": reset})
    out = bip("-w", str(ws), "post", "--thread", str(ws / "thread.txt"), "--to", "bluesky", code=4)
    assert "1 of 5 posts went out" in out.stderr and "rate limiting" in out.stderr
    bip("-w", str(ws), "post", "--thread", str(ws / "thread.txt"), "--to", "bluesky", "--resume")
    assert len(texts(pds)) == 5


@pytest.mark.parametrize("status", [302, 307, 308])
def test_a_hostile_redirect_never_carries_the_password(
    ws: Path, pds: FakePDS, catcher: Catcher, status: int, bip
) -> None:  # type: ignore[no-untyped-def]
    pds.fail[("com.atproto.server.createSession", 1)] = Reply(
        status, {}, {"Location": f"{catcher.url}/xrpc/com.atproto.server.createSession"}
    )
    out = bip("-w", str(ws), "post", "--thread", str(ws / "thread.txt"), "--to", "bluesky", code=1)
    assert f"redirect to {catcher.url.removeprefix('http://')}" in out.stderr
    assert catcher.seen == [] and texts(pds) == []
    no_secret_anywhere(ws, out.stdout, out.stderr)


def test_a_hostile_redirect_never_carries_the_mastodon_token(
    ws: Path, masto: FakeMastodon, catcher: Catcher, bip
) -> None:  # type: ignore[no-untyped-def]
    masto.fail[("statuses", 1)] = Reply(307, {}, {"Location": f"{catcher.url}/api/v1/statuses"})
    out = bip("-w", str(ws), "post", "--thread", str(ws / "thread.txt"), "--to", "mastodon", code=1)
    assert "redirect to" in out.stderr and "nothing was posted to mastodon" in out.stderr
    assert catcher.seen == []
    no_secret_anywhere(ws, out.stdout, out.stderr)


def test_dry_run_prints_exactly_what_is_then_sent(ws: Path, pds: FakePDS, bip) -> None:  # type: ignore[no-untyped-def]
    post = next((ws / "posts").glob("*-post-1.md"))
    post.write_text(post.read_text().replace("Body of post 1", "Body " + "word " * 120))
    dry = bip("-w", str(ws), "post", str(post), "--to", "bluesky", "--dry-run")
    assert pds.seen == [] and "nothing sent" in dry.stdout
    shown = [block.split("\n", 1)[1].strip() for block in dry.stdout.split("--- ")[1:]]
    assert len(shown) >= 3 and all(graphemes(t) <= 300 for t in shown)
    bip("-w", str(ws), "post", str(post), "--to", "bluesky")
    assert texts(pds) == shown
    assert f'bluesky: "https://bsky.app/profile/{HANDLE}/post/' in post.read_text()  # front matter


def test_run_posts_its_loss_curve_png_with_alt_text_and_link_facets(
    ws: Path, pds: FakePDS, bip
) -> None:  # type: ignore[no-untyped-def]
    bip("-w", str(ws), "post", "--run", "run0", "--to", "bluesky")
    (blob,) = pds.blobs.values()
    assert blob.startswith(b"\x89PNG\r\n\x1a\n") and len(blob) <= 1_000_000
    first = pds.posts()[0]
    image = first["embed"]["images"][0]
    assert image["image"]["ref"]["$link"] in pds.blobs
    assert (
        image["alt"].startswith("Loss curve of the training run")
        and "Train loss goes from" in image["alt"]
    )
    text = "".join(texts(pds))
    assert "Built on nanoGPT by Andrej Karpathy" in text
    facet = first["facets"][0]
    raw = first["text"].encode()
    link = raw[facet["index"]["byteStart"] : facet["index"]["byteEnd"]].decode()
    assert link == facet["features"][0]["uri"] == "https://github.com/karpathy/nanoGPT"


def test_mastodon_thread_within_the_servers_limit_with_media(
    ws: Path, masto: FakeMastodon, bip
) -> None:  # type: ignore[no-untyped-def]
    post = next((ws / "posts").glob("*-post-1.md"))
    post.write_text(post.read_text().replace("Body of post 1", "Body " + "word " * 60))
    bip("-w", str(ws), "post", str(post), "--to", "mastodon", "--visibility", "unlisted")
    assert masto.count("instance") == 1  # the server's limit, asked once
    statuses = masto.statuses
    assert len(statuses) >= 3 and all(s["visibility"] == "unlisted" for s in statuses)
    assert [s["in_reply_to_id"] for s in statuses[1:]] == [s["id"] for s in statuses[:-1]]
    keys = [
        s.headers.get("Idempotency-Key")
        for s in masto.seen
        if s.path.startswith("/api/v1/statuses")
    ]
    assert len(set(keys)) == len(statuses) and None not in keys
    assert f'mastodon: "{statuses[0]["url"]}"' in post.read_text()
    bip("-w", str(ws), "post", "--run", "run0", "--to", "mastodon")
    media = (
        statuses[-2]["media_attachments"]
        if len(statuses[-1]["media_attachments"]) == 0
        else statuses[-1]["media_attachments"]
    )
    assert media and media[0]["description"].startswith("Loss curve of the training run")
    assert masto.count("instance") <= 4  # Mastodon.py checks the version before a media upload


def test_offline_sends_nothing_and_asks_no_server(
    ws: Path, pds: FakePDS, masto: FakeMastodon, bip, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """BIP_OFFLINE=1 keeps every command off the network: a post is refused (exit 2), and a
    Mastodon dry run cuts at Mastodon's default 500 without asking the server its limit."""
    monkeypatch.setenv("BIP_OFFLINE", "1")
    out = bip("-w", str(ws), "post", "--thread", str(ws / "thread.txt"), "--to", "bluesky", code=2)
    assert "offline" in out.stderr and "--dry-run" in out.stderr
    bip("-w", str(ws), "post", "--run", "run0", "--to", "mastodon", code=2)
    dry = bip("-w", str(ws), "post", "--run", "run0", "--to", "mastodon", "--dry-run")
    assert "nothing sent" in dry.stdout and "Mastodon's default 500" in dry.stderr
    monkeypatch.delenv("BIP_OFFLINE")
    bip("-w", str(ws), "post", "--thread", str(ws / "thread.txt"), "--to", "mastodon",
        "--offline", "--dry-run")  # fmt: skip
    assert pds.seen == [] and masto.seen == []


def test_a_server_that_is_not_mastodon_is_named_not_an_internal_error(
    ws: Path, masto: FakeMastodon, bip
) -> None:  # type: ignore[no-untyped-def]
    """A JSON answer without Mastodon's `version` (a wrong BIP_MASTODON_URL): Mastodon.py would
    recurse asking for it before the upload until Python stopped (RecursionError, exit 1)."""
    for n in (1, 2):
        masto.fail[("instance", n)] = Reply(200, {"title": "not Mastodon"})
    out = bip("-w", str(ws), "post", "--run", "run0", "--to", "mastodon", code=2)
    assert "does not answer as a Mastodon server" in out.stderr and "BIP_MASTODON_URL" in out.stderr
    assert masto.statuses == [] and masto.media == {}


def test_missing_credentials_say_which_and_drafts_are_refused(ws: Path, bip) -> None:  # type: ignore[no-untyped-def]
    out = bip("-w", str(ws), "post", "--thread", str(ws / "thread.txt"), "--to", "bluesky", code=2)
    assert "BIP_BLUESKY_HANDLE and BIP_BLUESKY_APP_PASSWORD" in out.stderr
    draft = ws / "posts" / "2026-11-20-draft.md"
    out = bip("-w", str(ws), "post", str(draft), "--to", "bluesky", "--dry-run", code=2)
    assert "is a draft" in out.stderr


def test_keyring_supplies_the_secret_and_repr_hides_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIP_BLUESKY_HANDLE", HANDLE)
    creds = credentials("bluesky", keyring_get={"BIP_BLUESKY_APP_PASSWORD": PASSWORD}.get)
    assert creds.secret == PASSWORD and creds.source == "the keyring"
    assert PASSWORD not in repr(creds) and PASSWORD not in str(creds)


def test_a_user_post_over_the_limit_is_refused_not_cut(ws: Path, pds: FakePDS, bip) -> None:  # type: ignore[no-untyped-def]
    (ws / "long.txt").write_text("short\n---\n" + "x" * 301 + "\n")
    out = bip("-w", str(ws), "post", "--thread", str(ws / "long.txt"), "--to", "bluesky", code=2)
    assert "post 2 is 301 characters; bluesky allows 300" in out.stderr and pds.seen == []


def test_published_threads_are_listed_for_the_journal(ws: Path, pds: FakePDS) -> None:
    result = post_thread(load_workspace(ws), PostRequest("bluesky", thread=ws / "thread.txt"))
    (found,) = published_on(load_workspace(ws))
    assert found.url == result.url and found.network == "bluesky"
    record = json.loads(next((ws / ".bip" / "posts").glob("bluesky-*.json")).read_text())
    assert record["account"] == HANDLE and DID not in json.dumps(record).replace(DID + "/", "")


def test_link_facets_count_utf8_bytes() -> None:
    text = "🚀 naïve https://example.org/a?b=1 then more"
    (facet,) = link_facets(text)
    start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
    assert text.encode()[start:end] == b"https://example.org/a?b=1"


words = st.lists(
    st.one_of(
        st.text(alphabet=st.characters(categories=["L", "N", "So"]), min_size=1, max_size=30),
        st.just("https://example.org/a/very/long/path/that/keeps/going/and/going/on"),
        st.just("👩‍👩‍👧‍👦"),
    ),
    max_size=150,
)


@settings(max_examples=60, deadline=None)
@given(words, st.sampled_from([bluesky_limit(), mastodon_limit(120), mastodon_limit(500)]))
def test_every_post_fits_and_no_word_is_lost(parts: list[str], limit) -> None:  # type: ignore[no-untyped-def]
    text = " ".join(parts)
    posts = split_text(text, limit)
    assert all(limit.fits(p) for p in posts)
    if len(posts) > 1:
        posts = [p.rsplit(" ", 1)[0] for p in posts]  # the " n/N" numbering
    assert "".join("".join(posts).split()) == "".join(text.split())


def test_the_checkin_lists_the_thread_in_published(
    ws: Path, pds: FakePDS, bip, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BIP_NOW", "2026-11-23T21:00:00+08:00")
    monkeypatch.delenv("BIP_TIMEZONE")
    post = next((ws / "posts").glob("*-post-1.md"))
    result = post_thread(load_workspace(ws), PostRequest("bluesky", path=post))
    bip("-w", str(ws), "checkin", "--note", "posted the thread", "--offline")
    day = (ws / "journal" / "2026" / "2026-11-23.md").read_text()
    published = day.split("## Published")[1].split("\n## ")[0]
    assert f"- posted to Bluesky: posts/{post.name} ({result.url})" in published
