"""bip against servers that misbehave on purpose, all on 127.0.0.1: redirects to other ports,
`Link`s to other servers, bytes dripped one at a time, 100 MB answers, hostile rate-limit headers
and JSON of every wrong shape. Nothing sleeps for real: waits are recorded, and time-bound
tests count bytes and connections, never the clock."""

from __future__ import annotations

import base64
import functools
import re
import socket
import stat
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from werkzeug import Request, Response

from tests.fakegithub import FakeGitHub, Reply
from tests.test_contrib import READING_LIST, graphql_world, rest_world
from toolkit.cli.output import sanitize
from toolkit.errors import BadInput, ExitCode
from toolkit.github import (
    Auth,
    GitHubClient,
    GitHubError,
    GitHubUnreachable,
    Limits,
    RateLimited,
    resolve_auth,
)
from toolkit.http import retry_after

TOKEN = "ghp_HOSTILEtoken0123456789abcdefXYZ"


class Sleeper:
    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def gh(httpserver) -> FakeGitHub:
    return FakeGitHub(httpserver)


@pytest.fixture(scope="module")
def other_server():
    from pytest_httpserver import HTTPServer

    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def other(other_server):
    """A second server on another port: it must never see the token."""
    yield FakeGitHub(other_server)
    other_server.clear()


def client(url: str, tmp_path: Path, token: str | None = TOKEN, **kw: Any) -> GitHubClient:
    limits = kw.pop("limits", Limits(secondary_wait=0.5, backoff=0.25, stats_wait=0.1, max_wait=60))
    return GitHubClient(
        url,
        auth=Auth(token, "GH_TOKEN" if token else None),
        cache_path=tmp_path / ".bip" / "http_cache.sqlite",
        limits=limits,
        sleep=kw.pop("sleep", Sleeper()),
        **kw,
    )


def token_forms(token: str) -> list[bytes]:
    """The token as it could land in a file: raw, in a header, base64'd, or a long slice."""
    raw = token.encode()
    return [
        raw,
        raw[4:24],
        base64.b64encode(raw),
        base64.b64encode(b"Bearer " + raw),
        raw.hex().encode(),
    ]


def assert_token_nowhere(root: Path, token: str = TOKEN) -> int:
    files = [p for p in root.rglob("*") if p.is_file() and not p.is_symlink()]
    for path in files:
        data = path.read_bytes()
        for form in token_forms(token):
            assert form not in data, f"token found in {path}"
    return len(files)


# -- the token goes only to the API, and never to disk ------------------------------------------


def test_redirects_of_every_kind_leave_no_token_on_disk_or_on_another_host(gh, other, tmp_path):
    gh.on("/repos/old/name", Reply(301, {"message": "Moved"}, {"Location": "/repositories/1"}))
    gh.on("/repositories/1", {"full_name": "new/name"})
    gh.on("/repos/o/r302", Reply(302, {}, {"Location": f"{other.url}/elsewhere"}))
    gh.on("/repos/o/r307", Reply(307, {}, {"Location": f"{other.url}/elsewhere"}))
    other.on("/elsewhere", {"moved": True})
    gh.on("/graphql", Reply(307, {}, {"Location": "/api/graphql"}, etag=False), method="POST")
    gh.on("/api/graphql", Reply(body={"data": {"viewer": {"login": "me"}}}), method="POST")
    c = client(gh.url, tmp_path)
    assert c.get("/repos/old/name").data == {"full_name": "new/name"}
    assert c.get("/repos/o/r302").data == {"moved": True}
    assert c.get("/repos/o/r307").data == {"moved": True}
    assert c.graphql("query { viewer { login } }") == {"viewer": {"login": "me"}}
    # Same server: the token follows (it is the API); other port: it does not.
    assert [s.headers.get("Authorization") for s in gh.seen] == [f"Bearer {TOKEN}"] * 6
    assert len(other.seen) == 2
    assert all("Authorization" not in s.headers for s in other.seen)
    assert gh.requests_to("/api/graphql")[0].body["query"] == "query { viewer { login } }"
    # A new run answers the redirected resources from the cache when GitHub is away.
    again = client(gh.url, tmp_path, offline=True)
    assert again.get("/repos/old/name").data == {"full_name": "new/name"}
    assert again.get("/repos/o/r302").data == {"moved": True}
    assert assert_token_nowhere(tmp_path) >= 1


def test_a_redirect_to_another_scheme_is_not_followed(gh, tmp_path):
    gh.on("/repos/o/r", Reply(302, {}, {"Location": "file:///etc/passwd"}))
    with pytest.raises(GitHubError, match="file URL: not followed"):
        client(gh.url, tmp_path).get("/repos/o/r")


def test_a_redirect_loop_stops(gh, tmp_path):
    gh.on("/a", Reply(302, {}, {"Location": "/b"}))
    gh.on("/b", Reply(302, {}, {"Location": "/a"}))
    with pytest.raises(GitHubError, match="redirected more than 5 times"):
        client(gh.url, tmp_path).get("/a")
    assert len(gh.seen) == 6


def test_a_next_link_to_another_server_is_refused_and_gets_no_token(gh, other, tmp_path):
    gh.on(
        "/repos/o/r/contributors",
        Reply(body=[{"login": "a"}], headers={"Link": f'<{other.url}/steal?page=2>; rel="next"'}),
    )
    with pytest.raises(GitHubError, match="another server .*: not followed") as info:
        client(gh.url, tmp_path).items("/repos/o/r/contributors")
    assert other.seen == []
    assert "127.0.0.1" in info.value.message and TOKEN not in info.value.message


def test_a_next_link_to_another_scheme_on_the_same_host_is_refused(gh, tmp_path):
    https = gh.url.replace("http://", "https://")
    gh.on("/list", Reply(body=[1], headers={"Link": f'<{https}/list?page=2>; rel="next"'}))
    with pytest.raises(GitHubError, match="another server"):
        client(gh.url, tmp_path).items("/list")
    assert len(gh.seen) == 1


@pytest.mark.parametrize(
    ("value", "what"),
    [
        ("ghp_abc\ndef", "a line break at position 8"),
        ("ghp_abc\u200bdef", "an invisible character (U+200B)"),
        ("\ufeffghp_abcdef", "an invisible character (U+FEFF)"),
        ("ghp_abc def", "a space"),
        ("ghp_abc\x1b[31mdef", "an invisible character (U+001B)"),
        ("ghp_ab\u00e9def", "not plain ASCII (U+00E9)"),
    ],
)
def test_a_token_with_junk_is_refused_naming_the_variable_never_the_value(value, what):
    with pytest.raises(BadInput) as info:
        resolve_auth({"GITHUB_TOKEN": value}, use_gh=False)
    text = f"{info.value.message} {info.value.hint}"
    assert "GITHUB_TOKEN" in text and what in text
    assert "abc" not in text and "def" not in text


def test_a_junk_token_is_exit_2_on_the_command_line(bip, contrib_ws, monkeypatch):
    monkeypatch.setenv("GH_TOKEN", "ghp_SECRET\nSECRET2")
    result = bip("-w", str(contrib_ws), "contrib", "status", code=2)
    assert "the token from GH_TOKEN has a line break" in result.stderr
    assert "SECRET" not in result.stderr + result.stdout
    assert "internal error" not in result.stderr


def test_the_cache_never_stores_a_redirect_history(gh, tmp_path):
    """requests-cache stores `response.history` with each request's headers: bip follows
    redirects itself, so there is none, and a history handed to the cache is dropped."""
    import requests

    gh.on("/x", {"ok": 1})
    c = client(gh.url, tmp_path)
    sent = {"Authorization": f"Bearer {TOKEN}"}
    first = requests.Session().get(gh.url + "/x", headers=sent)
    first.history = [requests.Session().get(gh.url + "/x", headers=sent)]  # as after a redirect
    c.session.cache.save_response(first, "some-key")
    stored = c.session.cache.get_response("some-key")
    assert stored.history == [] and "Authorization" not in stored.request.headers
    assert_token_nowhere(tmp_path)


# -- bounded time ----------------------------------------------------------------------------------


class RawServer:
    """A TCP server on 127.0.0.1 that answers by hand: dripping, flooding, lying about sizes.
    `handler(server, conn)` writes the answer; the server counts connections and bytes."""

    def __init__(self, handler: Callable[[RawServer, socket.socket], None]) -> None:
        self.handler = handler
        self.connections = 0
        self.sent = 0
        self.stop = threading.Event()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.05)
        self.threads: list[threading.Thread] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def send(self, conn: socket.socket, data: bytes) -> None:
        conn.sendall(data)
        self.sent += len(data)

    def pace(self) -> bool:
        """Wait a little between drips; False once the test is over (server-side pacing)."""
        return not self.stop.wait(0.02)

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            worker = threading.Thread(target=self._answer, args=(conn,), daemon=True)
            worker.start()
            self.threads.append(worker)

    def _answer(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        try:
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                request += chunk
            self.handler(self, conn)
        except OSError:
            pass  # the client hung up: what these tests want
        finally:
            conn.close()

    def close(self) -> None:
        self.stop.set()
        self.sock.close()
        self.thread.join(2)
        for worker in self.threads:
            worker.join(2)


@pytest.fixture
def raw():
    servers: list[RawServer] = []

    def start(handler: Callable[[RawServer, socket.socket], None]) -> RawServer:
        servers.append(RawServer(handler))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def drip_body(server: RawServer, conn: socket.socket) -> None:
    server.send(conn, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
    server.send(conn, b"Content-Length: 100000\r\n\r\n[")
    while server.pace():
        server.send(conn, b" ")


def drip_headers(server: RawServer, conn: socket.socket) -> None:
    server.send(conn, b"HTTP/1.1 200 OK\r\nX-Slow: ")
    while server.pace():
        server.send(conn, b"a")


FAST = Limits(timeout=0.5, retries=3, backoff=0.25, max_wait=1)


@pytest.mark.parametrize("handler", [drip_body, drip_headers], ids=["body", "headers"])
def test_a_dripping_server_is_cut_at_the_deadline(raw, tmp_path, handler):
    server = raw(handler)
    sleeper = Sleeper()
    c = client(server.url, tmp_path, limits=FAST, sleep=sleeper)
    with pytest.raises(GitHubUnreachable, match="did not answer within 0.5 s") as info:
        c.get("/repos/o/r")
    assert info.value.exit_code == ExitCode.GITHUB_UNREACHABLE
    # Paced at 50 bytes a second, the 100,000-byte answer would take half an hour: the
    # deadline cut it after about 25 (counted, never timed), and it was not tried again.
    assert server.sent < 500
    assert server.connections == 1 and sleeper.waits == []
    with pytest.raises(GitHubUnreachable):  # the rest of the run does not ask again
        c.get("/repos/o/other")
    assert server.connections == 1


def test_a_dripping_server_leaves_the_cached_answer_with_its_age(raw, tmp_path):
    def good_then_drip(server: RawServer, conn: socket.socket) -> None:
        if server.connections > 1:
            return drip_body(server, conn)
        body = b'{"stars": 5}'
        server.send(conn, b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nETag: "v1"\r\n')
        server.send(conn, b"Connection: close\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))

    server = raw(good_then_drip)
    assert client(server.url, tmp_path, limits=FAST).get("/repos/o/r").data == {"stars": 5}
    c = client(server.url, tmp_path, limits=FAST)
    answer = c.get("/repos/o/r")
    assert answer.data == {"stars": 5} and answer.stale and c.oldest_answer is not None
    assert any("did not answer within 0.5 s" in n for n in c.notices), c.notices
    assert server.connections == 2 and server.sent < 1000


def test_connection_refused_fails_at_once_without_retries(tmp_path):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now: connections are refused
    sleeper = Sleeper()
    c = client(f"http://127.0.0.1:{port}", tmp_path, sleep=sleeper)
    with pytest.raises(GitHubUnreachable, match=r"unreachable \(connection refused\)"):
        c.get("/repos/o/r")
    assert sleeper.waits == [] and c.counters.requests == 0


def big_declared(server: RawServer, conn: socket.socket) -> None:
    server.send(conn, b"HTTP/1.1 200 OK\r\nContent-Length: 104857600\r\n\r\n")
    server.send(conn, b"[" + b"0," * 1000)


def big_streamed(server: RawServer, conn: socket.socket) -> None:
    server.send(conn, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"[" + b"1," * (512 * 1024)
    for _ in range(100):  # 100 MB in 1 MB chunks, until the client hangs up
        server.send(conn, b"%x\r\n%s\r\n" % (len(chunk), chunk))
    server.send(conn, b"0\r\n\r\n")


@pytest.mark.parametrize("handler", [big_declared, big_streamed], ids=["declared", "streamed"])
def test_a_100_mb_answer_is_refused_and_not_cached(raw, tmp_path, handler):
    server = raw(handler)
    c = client(server.url, tmp_path, limits=Limits(timeout=30, retries=0))
    with pytest.raises(GitHubError, match="more than 10 MB.*: refused"):
        c.get("/repos/o/r")
    assert server.sent < 40 * 2**20  # it stopped reading near the cap (plus socket buffers)
    cache = tmp_path / ".bip" / "http_cache.sqlite"
    assert sum(p.stat().st_size for p in cache.parent.glob("http_cache*")) < 2**20


# -- rate limits -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "wait"),
    [
        ("3", 3.0),
        ("0", 0.0),
        ("-5", 0.0),  # negative: no wait
        ("2.5", 2.5),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),  # a date in the past
        ("Mon, 23 Nov 2026 10:00:30 GMT", 30.0),  # 30 s after the injected clock
        ("soon", None),
        ("", None),
        ("nan", None),
        ("Mon, 99 Foo 2026 99:99:99 GMT", None),
    ],
)
def test_retry_after_both_forms_and_garbage(value, wait):
    now = 1795428000.0  # 2026-11-23T10:00:00Z
    assert retry_after(value, now) == wait


def test_a_huge_retry_after_is_refused_with_a_message(gh, tmp_path):
    for n, value in enumerate(
        ["1e400", "99999999999999999999999", "Fri, 31 Dec 9999 23:59:59 GMT"]
    ):
        gh.on(f"/r{n}", Reply(429, {"message": "slow down"}, {"retry-after": value}))
        sleeper = Sleeper()
        with pytest.raises(RateLimited) as info:
            client(gh.url, tmp_path, sleep=sleeper).get(f"/r{n}")
        assert "longer than --max-wait (60 s)" in (info.value.hint or "")
        assert sleeper.waits == []


def test_a_malformed_retry_after_backs_off_within_max_wait(gh, tmp_path):
    gh.on("/r", Reply(429, {"message": "slow"}, {"retry-after": "later"}), Reply(body={"ok": 1}))
    sleeper = Sleeper()
    c = client(gh.url, tmp_path, sleep=sleeper)
    assert c.get("/r").data == {"ok": 1}
    assert sleeper.waits == [0.5]
    assert any("malformed Retry-After" in n for n in c.notices)


def test_secondary_limits_obey_max_wait(gh, tmp_path):
    gh.on("/r", Reply(403, {"message": "You have exceeded a secondary rate limit."}))
    sleeper = Sleeper()
    limits = Limits(secondary_wait=60, max_wait=100)
    with pytest.raises(RateLimited, match="wait 120 s") as info:
        client(gh.url, tmp_path, sleep=sleeper, limits=limits).get("/r")
    assert sleeper.waits == [60]  # 60 s fits in --max-wait 100; the next 120 s does not
    assert "--max-wait (100 s)" in (info.value.hint or "")
    assert len(gh.seen) == 2


@pytest.mark.parametrize("reset", ["soon", "99999999999999999999", "1e400", "-3", ""])
def test_odd_rate_limit_reset_headers_are_messages(gh, tmp_path, reset):
    gh.on(
        "/r",
        Reply(
            403,
            {"message": "API rate limit exceeded"},
            {"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset},
        ),
        Reply(body={"ok": 1}),
    )
    sleeper = Sleeper()
    try:
        answer = client(gh.url, tmp_path, sleep=sleeper).get("/r")
    except RateLimited as exc:
        assert exc.hint and "reset" in exc.hint
    else:
        assert answer.data == {"ok": 1} and sleeper.waits == [1]  # a reset in the past


# -- pagination ------------------------------------------------------------------------------------


def test_a_link_loop_counts_each_page_once(gh, tmp_path):
    first = f"{gh.url}/list?per_page=100"
    gh.on("/list", Reply(body=[1, 2], headers={"Link": f'<{gh.url}/list?page=2>; rel="next"'}))
    gh.on(
        "/list",
        Reply(body=[3], headers={"Link": f'<{first}>; rel="next"'}),
        query={"page": "2"},
    )
    c = client(gh.url, tmp_path)
    assert c.items("/list") == [1, 2, 3]
    assert len(gh.seen) == 2
    assert any("points back to a page already read" in n for n in c.notices)


def test_a_repeated_page_is_not_counted_twice(gh, tmp_path):
    def link(n: int) -> dict[str, str]:
        return {"Link": f'<{gh.url}/list?page={n}>; rel="next"'}

    gh.on("/list", Reply(body=[1, 2], headers=link(2)))
    gh.on("/list", Reply(body=[1, 2], headers=link(3)), query={"page": "2"})
    gh.on("/list", Reply(body=[9]), query={"page": "3"})
    c = client(gh.url, tmp_path)
    assert c.items("/list") == [1, 2]
    assert any("page 2 repeats an earlier page" in n for n in c.notices)


def test_the_page_bound_is_reported(gh, tmp_path):
    gh.pages("/things", [[{"n": i}] for i in range(15)])
    c = client(gh.url, tmp_path)
    assert len(c.items("/things")) == 10
    assert any("stopped after 10 pages (more exist" in n for n in c.notices)


# -- hostile JSON ----------------------------------------------------------------------------------

SHAPES = [
    "[]",
    "null",
    '{"items": null, "data": [], "errors": "boom", "login": null}',
    '{"items": [null, 5, "x"], "total_count": "many", "full_name": 5}',
    '{"data": {"user": [], "r0": 5, "p0": {"nodes": null}, "u0": []}, "errors": [5]}',
    '[{"login": null, "contributions": "lots", "repository_url": 7, "created_at": "x"}]',
    "[" * 100000,  # deeper than Python's JSON parser goes
]


@pytest.fixture
def contrib_ws(tmp_path: Path, monkeypatch) -> Path:
    root = tmp_path / "cws"
    root.mkdir()
    (root / "reading_list.yaml").write_text(READING_LIST)
    (root / "bip.toml").write_text('[github]\nlogin = "me"\n')
    monkeypatch.delenv("BIP_OFFLINE")
    # No real waiting in command-line runs: the client's sleep is recorded instead.
    import toolkit.github

    monkeypatch.setattr(
        toolkit.github, "GitHubClient", functools.partial(GitHubClient, sleep=Sleeper())
    )
    return root


def hostile(httpserver, body: str, status: int = 200) -> None:
    def handle(request: Request) -> Response:
        return Response(body, status=status, content_type="application/json")

    httpserver.expect_request(re.compile(".*")).respond_with_handler(handle)


COMMANDS = [
    ("contrib", "status"),
    ("contrib", "graph"),
    ("figures", "news"),
    ("read", "sync"),
    ("checkin", "--note", "kept whatever happens"),
]


@pytest.mark.parametrize(
    ("body", "token"),
    [pytest.param(b, None, id=f"rest-{n}") for n, b in enumerate(SHAPES)]
    + [pytest.param(SHAPES[n], TOKEN, id=f"graphql-{n}") for n in (1, 2, 4, 6)],
)
def test_odd_json_is_a_clear_message_never_an_internal_error(
    bip, httpserver, contrib_ws, monkeypatch, body, token
):
    hostile(httpserver, body)
    monkeypatch.setenv("GITHUB_API_URL", httpserver.url_for("").rstrip("/"))
    if token:
        monkeypatch.setenv("GH_TOKEN", token)
    for command in COMMANDS:
        result = bip("-w", str(contrib_ws), *command, code=None)
        assert "internal error" not in result.stderr, (command, result.stderr)
        assert "Traceback" not in result.stderr + result.stdout
        if command[0] == "checkin":
            assert result.exit_code == 0, result.stderr
    day = (contrib_ws / "journal").rglob("2026-11-23.md")
    assert "kept whatever happens" in next(day).read_text()


def test_the_note_survives_every_kind_of_hostile_server(bip, raw, contrib_ws, monkeypatch):
    import toolkit.github

    monkeypatch.setattr(toolkit.github, "Limits", functools.partial(Limits, timeout=0.3))

    def garbage(server: RawServer, conn: socket.socket) -> None:
        server.send(conn, b"\x00\xffNOT HTTP AT ALL\r\n\r\n")

    def loop(server: RawServer, conn: socket.socket) -> None:
        server.send(conn, b"HTTP/1.1 302 Found\r\nLocation: /again\r\nContent-Length: 0\r\n\r\n")

    def errors(server: RawServer, conn: socket.socket) -> None:
        server.send(conn, b"HTTP/1.1 500 Oops\r\nContent-Length: 2\r\n\r\n{}")

    notes = []
    for n, handler in enumerate([drip_body, drip_headers, big_declared, garbage, loop, errors]):
        server = raw(handler)
        monkeypatch.setenv("GITHUB_API_URL", server.url)
        monkeypatch.setenv("GH_TOKEN", TOKEN) if n % 2 else monkeypatch.delenv(
            "GH_TOKEN", raising=False
        )
        note = f"note number {n}"
        result = bip("-w", str(contrib_ws), "checkin", "--note", note)
        assert "internal error" not in result.stderr
        notes.append(note)
    text = (contrib_ws / "journal").rglob("2026-11-23.md").__next__().read_text()
    assert all(note in text for note in notes)


def test_a_junk_token_does_not_cost_the_note(bip, contrib_ws, monkeypatch):
    monkeypatch.setenv("GH_TOKEN", "ghp_x\nSECRETPART")
    result = bip("-w", str(contrib_ws), "checkin", "--note", "still here")
    assert "GitHub left out: the token from GH_TOKEN has a line break" in result.stderr
    assert "SECRETPART" not in result.stderr + result.stdout
    text = next((contrib_ws / "journal").rglob("2026-11-23.md")).read_text()
    assert "still here" in text


def test_graphql_answers_of_the_wrong_shape(gh, tmp_path):
    c = client(gh.url, tmp_path)
    for n, (body, message) in enumerate(
        [
            ([1, 2], "answered with a list where an object was expected"),
            ({"data": [1]}, "answered data with a list"),
            ({"errors": "boom", "data": None}, "rejected the GraphQL query: boom"),
            ({"errors": [None], "data": None}, "rejected the GraphQL query: None"),
            ({"errors": [{"message": 5}], "data": None}, "unknown error"),
        ]
    ):
        gh.graphql_handler = lambda b, r, body=body: Reply(body=body)
        with pytest.raises((GitHubError, BadInput), match=re.escape(message)):
            c.graphql(f"query {{ n{n} }}")


# -- what reaches the terminal ---------------------------------------------------------------------

EVIL = "x\x1b]0;pwned\x07\x1b[2J\x1b[31mred\x9b1m\u202eexe.txt\rline\x07"


def test_sanitize_leaves_nothing_a_terminal_would_obey():
    shown = sanitize(EVIL)
    assert not any(ch in shown for ch in "\x1b\x07\x9b\r\u202e")
    assert "\\x1b]0;pwned" in shown  # shown as written, never obeyed
    kind = "plain, ünïcode, 漢字, emoji 👩\u200d💻, two\nlines\ttab"
    assert sanitize(kind) == kind


def test_escapes_in_github_data_never_reach_the_terminal(bip, gh, contrib_ws, monkeypatch):
    monkeypatch.setenv("GITHUB_API_URL", gh.url)
    for user, sort in [(u, s) for u in ("karpathy", "tridao") for s in ("created", "pushed")]:
        gh.on(
            f"/users/{user}/repos",
            [
                {
                    "full_name": f"{user}/evil",
                    "name": "evil" + EVIL,
                    "description": EVIL,
                    "html_url": f"https://github.com/{user}/evil",
                    "created_at": "2026-11-22T00:00:00Z",
                    "pushed_at": "2026-11-22T00:00:00Z",
                }
            ],
            query={"sort": sort, "direction": "desc"},
        )
    gh.on("/repos/acme/widget", {"description": EVIL, "full_name": "acme/widget"})
    outputs = [
        bip("-w", str(contrib_ws), "figures", "news", "--since", "30d", code=None),
        bip("-w", str(contrib_ws), "figures", "news", "--json", "--since", "30d", code=None),
        bip("-w", str(contrib_ws), "read", "add", "https://github.com/acme/widget", code=None),
        bip("-w", str(contrib_ws), "read", "show", "widget", code=None),
    ]
    assert "tridao/evil" in outputs[0].stdout and r"x\x1b]0;pwned" in outputs[3].stdout
    for result in outputs:
        for stream in (result.stdout, result.stderr):
            assert "\x1b" not in stream and "\x9b" not in stream and "\x07" not in stream
            assert "\u202e" not in stream


def test_escapes_in_an_error_message_never_reach_the_terminal(bip, gh, contrib_ws, monkeypatch):
    monkeypatch.setenv("GITHUB_API_URL", gh.url)
    gh.on("/search/issues", Reply(500, {"message": "broken\x1b]0;pwned\x07"}))
    result = bip("-w", str(contrib_ws), "contrib", "status", code=None)
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr


# -- a whole session with a token, then grep -------------------------------------------------------


def test_a_session_of_commands_leaves_the_token_nowhere(
    bip, gh, other, contrib_ws, tmp_path, monkeypatch
):
    monkeypatch.setenv("GITHUB_API_URL", gh.url)
    monkeypatch.setenv("GH_TOKEN", TOKEN)
    graphql_world(gh)
    progress = gh.graphql_handler

    def graphql(body: Any, request: Any) -> Reply:
        if "user(login: $login)" in body["query"] or body["variables"].get("uid") == "U_me":
            return progress(body, request)
        return Reply(body={"data": {}})  # news, graph, sync: nothing to tell

    gh.graphql_handler = graphql
    rest_world(gh)
    # The contributor listing was renamed (301, same host), its second page moved to another
    # port (302); a repository sits behind a 307 to another port.
    gh.on(
        "/repos/vllm-project/vllm/contributors",
        Reply(301, {}, {"Location": "/repositories/41/contributors?per_page=100"}),
    )
    gh.on(
        "/repositories/41/contributors",
        Reply(
            body=[{"login": "a"}, {"login": "b"}],
            headers={"Link": f'<{gh.url}/repositories/41/contributors?page=2>; rel="next"'},
        ),
    )
    gh.on(
        "/repositories/41/contributors",
        Reply(302, {}, {"Location": f"{other.url}/page2"}),
        query={"page": "2"},
    )
    other.on("/page2", [{"login": "me"}])
    gh.on("/repos/acme/widget", Reply(307, {}, {"Location": f"{other.url}/widget"}))
    other.on("/widget", {"description": "a widget", "full_name": "acme/widget"})
    for command in [
        ("contrib", "status"),
        ("contrib", "status", "--json"),
        ("contrib", "graph"),
        ("contrib", "history"),
        ("figures", "news"),
        ("read", "sync"),
        ("read", "add", "https://github.com/acme/widget"),
        ("checkin", "--note", "a note"),
        ("log",),
        ("streak",),
        ("contrib", "status", "--offline"),
    ]:
        result = bip("-w", str(contrib_ws), *command, code=None)
        assert TOKEN not in result.stdout + result.stderr
        assert "internal error" not in result.stderr, (command, result.stderr)
    assert any(s.headers.get("Authorization") for s in gh.seen)
    assert "/page2" in {s.path for s in other.seen}  # the 302 to another port was followed
    assert all("Authorization" not in s.headers for s in other.seen)
    checked = assert_token_nowhere(tmp_path)  # the workspace, HOME and the caches
    assert checked >= 5
    state = contrib_ws / ".bip"
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    for path in state.glob("*.sqlite*"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_state_files_are_private_even_if_they_were_not(tmp_path):
    from toolkit.state import Store

    folder = tmp_path / ".bip"
    folder.mkdir(mode=0o755)
    (folder / "state.sqlite").touch(mode=0o644)
    Store(folder / "state.sqlite").put("k", "v")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_the_watchdog_thread_and_the_deadline_do_not_outlive_the_request(gh, tmp_path):
    gh.on("/x", {"ok": 1})
    before = threading.active_count()
    c = client(gh.url, tmp_path)
    for _ in range(5):
        c.get("/x")
    assert c.transport.deadline is None
    assert threading.active_count() <= before + 1
    assert c.counters.waits == [] and c.counters.requests == 5


def test_a_page_that_is_not_json_is_not_kept(gh, tmp_path):
    """A captive portal's 200 HTML page must not stand in for GitHub's answer for a day."""
    gh.on("/r", Reply(raw="<html>Sign in to the Wi-Fi</html>", etag=False), Reply(body={"ok": 1}))
    c = client(gh.url, tmp_path)
    with pytest.raises(GitHubError, match="an HTML page instead of JSON"):
        c.get("/r")
    assert c.get("/r").data == {"ok": 1}


def test_a_graphql_error_is_not_reused(gh, tmp_path):
    answers = iter([{"data": None, "errors": [{"message": "try later"}]}, {"data": {"x": 1}}])
    gh.graphql_handler = lambda body, request: Reply(body=next(answers))
    c = client(gh.url, tmp_path)
    with pytest.raises(BadInput, match="try later"):
        c.graphql("query { x }")
    assert c.graphql("query { x }") == {"x": 1}


def test_a_compressed_bomb_is_cut_at_the_cap(raw, tmp_path):
    import zlib

    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip
    megabyte = b"0" * 2**20
    bomb = b"".join(packer.compress(megabyte) for _ in range(100)) + packer.flush()
    assert len(bomb) < 2**20  # 100 MB once unpacked

    def gzip_bomb(server: RawServer, conn: socket.socket) -> None:
        server.send(conn, b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n")
        server.send(conn, b"Content-Length: %d\r\n\r\n%s" % (len(bomb), bomb))

    server = raw(gzip_bomb)
    with pytest.raises(GitHubError, match="more than 10 MB"):
        client(server.url, tmp_path, limits=Limits(retries=0)).get("/repos/o/r")
