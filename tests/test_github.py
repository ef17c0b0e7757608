"""The GitHub client against a real HTTP server on 127.0.0.1. Nothing sleeps for real."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.fakegithub import FakeGitHub, Reply
from toolkit import __version__
from toolkit.errors import BadInput, ExitCode
from toolkit.github import (
    ANONYMOUS_HINT,
    Auth,
    GitHubClient,
    GitHubError,
    GitHubUnreachable,
    Limits,
    NotFound,
    RateLimited,
    StatsPending,
    page_count,
    resolve_api,
    resolve_auth,
)

TOKEN = "ghp_SECRETtoken1234567890abcdefSECRET"


@pytest.fixture
def gh(httpserver) -> FakeGitHub:
    return FakeGitHub(httpserver)


class Sleeper:
    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def client(gh: FakeGitHub, tmp_path: Path, token: str | None = TOKEN, **kw) -> GitHubClient:
    limits = kw.pop("limits", Limits(secondary_wait=0.5, backoff=0.25, stats_wait=0.1, max_wait=60))
    return GitHubClient(
        gh.url,
        auth=Auth(token, "GH_TOKEN" if token else None),
        cache_path=tmp_path / ".bip" / "http_cache.sqlite",
        limits=limits,
        **kw,
    )


def test_headers_sent_on_every_request(gh, tmp_path):
    gh.on("/repos/o/r", {"full_name": "o/r"})
    client(gh, tmp_path).get("/repos/o/r")
    headers = gh.seen[0].headers
    assert headers["Accept"] == "application/vnd.github+json"
    assert headers["X-Github-Api-Version"] == "2022-11-28"
    assert headers["User-Agent"] == f"bip-build-in-public/{__version__}"
    assert headers["Authorization"] == f"Bearer {TOKEN}"


def test_pagination_follows_link_next_over_three_pages(gh, tmp_path):
    gh.pages(
        "/repos/o/r/contributors",
        [
            [{"login": f"u{i}"} for i in range(100)],
            [{"login": f"v{i}"} for i in range(100)],
            [{"login": "last"}],
        ],
    )
    items = client(gh, tmp_path).items("/repos/o/r/contributors")
    assert len(items) == 201 and items[-1] == {"login": "last"}
    assert [s.query.get("page") for s in gh.seen] == [None, "2", "3"]
    assert all(s.query["per_page"] == "100" for s in gh.seen)


def test_pagination_is_bounded(gh, tmp_path):
    gh.pages("/things", [[{"n": i}] for i in range(5)])
    assert len(client(gh, tmp_path).items("/things", max_pages=2)) == 2
    assert len(gh.seen) == 2


def test_a_repeated_run_is_answered_by_304s(gh, tmp_path):
    gh.pages("/repos/o/r/contributors", [[{"login": "a"}], [{"login": "b"}], [{"login": "c"}]])
    gh.on("/repos/o/r", {"full_name": "o/r", "stargazers_count": 7})
    first = client(gh, tmp_path)
    first.items("/repos/o/r/contributors")
    first.get("/repos/o/r")
    assert first.counters.requests == 4 and first.counters.conditional == 0
    cold = len(gh.seen)
    second = client(gh, tmp_path)  # a new process: the cache is on disk
    assert second.items("/repos/o/r/contributors") == [
        {"login": "a"},
        {"login": "b"},
        {"login": "c"},
    ]
    assert second.get("/repos/o/r").data["stargazers_count"] == 7
    warm = gh.seen[cold:]
    assert len(warm) == 4
    assert all(s.headers.get("If-None-Match") for s in warm)
    assert second.counters.requests == 4
    assert second.counters.conditional == 4 and second.counters.not_modified == 4


def test_a_changed_resource_is_fetched_again(gh, tmp_path):
    gh.on("/repos/o/r", {"stars": 1})
    client(gh, tmp_path).get("/repos/o/r")
    gh.on("/repos/o/r", {"stars": 2})
    answer = client(gh, tmp_path).get("/repos/o/r")
    assert answer.data == {"stars": 2} and not answer.revalidated


def test_etags_are_per_token(gh, tmp_path):
    gh.on("/repos/o/r", {"x": 1})
    client(gh, tmp_path).get("/repos/o/r")
    client(gh, tmp_path, token="another-token").get("/repos/o/r")
    assert gh.seen[1].headers.get("If-None-Match") is None


def test_the_token_is_in_no_file_under_dot_bip(gh, tmp_path):
    gh.on("/repos/o/r", {"x": 1})
    gh.graphql_handler = lambda body, request: Reply(body={"data": {"viewer": {"login": "me"}}})
    c = client(gh, tmp_path)
    c.get("/repos/o/r")
    c.graphql("query { viewer { login } }")
    files = [p for p in (tmp_path / ".bip").rglob("*") if p.is_file()]
    assert files
    for path in files:
        assert TOKEN.encode() not in path.read_bytes(), path
        assert TOKEN[4:20].encode() not in path.read_bytes(), path
    assert TOKEN not in repr(c.auth)


def test_primary_limit_exhausted_stops_with_the_reset_time(gh, tmp_path):
    reset = int(time.time()) + 1800
    gh.on(
        "/repos/o/r",
        Reply(
            403,
            {"message": "API rate limit exceeded for 1.2.3.4."},
            {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)},
        ),
    )
    sleeper = Sleeper()
    c = client(gh, tmp_path, sleep=sleeper)
    with pytest.raises(RateLimited) as info:
        c.get("/repos/o/r")
    assert info.value.exit_code == ExitCode.RATE_LIMITED
    assert "resets at" in (info.value.hint or "")
    assert len(gh.seen) == 1 and sleeper.waits == []
    with pytest.raises(RateLimited):  # the budget is known to be spent: nothing more is sent
        c.get("/repos/o/other")
    assert len(gh.seen) == 1


def test_primary_limit_that_resets_soon_is_waited_for(gh, tmp_path):
    reset = int(time.time()) + 5
    gh.on(
        "/repos/o/r",
        Reply(
            429,
            {"message": "API rate limit exceeded"},
            {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)},
        ),
        Reply(body={"ok": True}),
    )
    sleeper = Sleeper()
    assert client(gh, tmp_path, sleep=sleeper).get("/repos/o/r").data == {"ok": True}
    assert len(sleeper.waits) == 1 and 4 <= sleeper.waits[0] <= 7


def test_anonymous_limit_hint_says_how_to_add_a_token(gh, tmp_path):
    gh.on(
        "/repos/o/r",
        Reply(
            403,
            {"message": "API rate limit exceeded"},
            {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(time.time()) + 3000)},
        ),
    )
    c = client(gh, tmp_path, token=None)
    assert c.notices == [ANONYMOUS_HINT]
    with pytest.raises(RateLimited) as info:
        c.get("/repos/o/r")
    assert "set GH_TOKEN" in (info.value.hint or "")


def test_secondary_limit_with_retry_after(gh, tmp_path):
    gh.on(
        "/search/issues",
        Reply(403, {"message": "You have exceeded a secondary rate limit."}, {"retry-after": "3"}),
        Reply(body={"items": []}),
        query={"q": "x"},
    )
    sleeper = Sleeper()
    assert client(gh, tmp_path, sleep=sleeper).get("/search/issues", {"q": "x"}).data == {
        "items": []
    }
    assert sleeper.waits == [3.0]


def test_secondary_limit_without_headers_backs_off_exponentially(gh, tmp_path):
    secondary = Reply(403, {"message": "You have exceeded a secondary rate limit. Please wait."})
    gh.on("/repos/o/r", secondary, secondary, secondary, Reply(body={"ok": 1}))
    sleeper = Sleeper()
    assert client(gh, tmp_path, sleep=sleeper).get("/repos/o/r").data == {"ok": 1}
    assert sleeper.waits == [0.5, 1.0, 2.0]


def test_secondary_limit_gives_up_after_three_retries(gh, tmp_path):
    gh.on("/repos/o/r", Reply(429, {"message": "secondary rate limit"}))
    sleeper = Sleeper()
    with pytest.raises(RateLimited, match="after 3 retries"):
        client(gh, tmp_path, sleep=sleeper).get("/repos/o/r")
    assert len(gh.seen) == 4 and len(sleeper.waits) == 3


def test_retry_after_longer_than_max_wait_is_refused(gh, tmp_path):
    gh.on("/repos/o/r", Reply(429, {"message": "slow down"}, {"retry-after": "600"}))
    with pytest.raises(RateLimited, match="wait 600 s"):
        client(gh, tmp_path, sleep=Sleeper()).get("/repos/o/r")


def test_401_names_the_variable_not_the_token(gh, tmp_path):
    gh.on("/user", Reply(401, {"message": "Bad credentials"}))
    with pytest.raises(GitHubError) as info:
        client(gh, tmp_path).get("/user")
    text = f"{info.value.message} {info.value.hint}"
    assert "GH_TOKEN" in text and TOKEN not in text


def test_404_says_what_may_be_wrong(gh, tmp_path):
    with pytest.raises(NotFound) as info:
        client(gh, tmp_path).get("/repos/nobody/nothing")
    assert "/repos/nobody/nothing: not found" in info.value.message
    assert "cannot see it" in (info.value.hint or "")


def test_422_says_which_query(gh, tmp_path):
    gh.on(
        "/search/issues",
        Reply(
            422,
            {
                "message": "Validation Failed",
                "errors": [{"message": "The listed users cannot be searched"}],
            },
        ),
        query={"q": "author:ghost"},
    )
    with pytest.raises(BadInput, match="q=author:ghost.*cannot be searched"):
        client(gh, tmp_path).get("/search/issues", {"q": "author:ghost"})


def test_500_then_200_is_retried(gh, tmp_path):
    gh.on("/repos/o/r", Reply(502, {"message": "Server Error"}), Reply(body={"ok": 1}))
    sleeper = Sleeper()
    assert client(gh, tmp_path, sleep=sleeper).get("/repos/o/r").data == {"ok": 1}
    assert sleeper.waits == [0.25]


def test_persistent_500_is_an_error_after_bounded_retries(gh, tmp_path):
    gh.on("/repos/o/r", Reply(503, {"message": "Unavailable"}))
    with pytest.raises(GitHubError, match="answered 503"):
        client(gh, tmp_path, sleep=Sleeper()).get("/repos/o/r")
    assert len(gh.seen) == 4


def test_stats_202_then_200(gh, tmp_path):
    gh.on(
        "/repos/o/r/stats/contributors", Reply(202, {}), Reply(202, {}), Reply(body=[{"total": 5}])
    )
    sleeper = Sleeper()
    assert client(gh, tmp_path, sleep=sleeper).stats("/repos/o/r/stats/contributors").data == [
        {"total": 5}
    ]
    assert sleeper.waits == [0.1, 0.1]


def test_stats_still_202_is_pending_never_zero(gh, tmp_path):
    gh.on("/repos/o/r/stats/contributors", Reply(202, {}))
    with pytest.raises(StatsPending, match="still computing"):
        client(gh, tmp_path, sleep=Sleeper()).stats("/repos/o/r/stats/contributors")


def test_malformed_json_and_html_pages_are_clear_errors(gh, tmp_path):
    gh.on("/a", Reply(raw='{"truncated": ', headers={"content-type": "application/json"}))
    gh.on("/b", Reply(502, raw="<html><body>Unicorn!</body></html>", etag=False))
    c = client(gh, tmp_path, sleep=Sleeper(), limits=Limits(retries=0))
    with pytest.raises(GitHubError, match="instead of JSON"):
        c.get("/a")
    with pytest.raises(GitHubError, match="an HTML page"):
        c.get("/b")


@pytest.fixture
def own_server():
    """A server of this test's own, so stopping it does not stop the shared one."""
    from pytest_httpserver import HTTPServer

    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    if server.is_running():
        server.stop()


def test_connection_refused_answers_from_the_cache_with_its_age(tmp_path, own_server):
    gh = FakeGitHub(own_server)
    httpserver = own_server
    gh.on("/repos/o/r", {"stars": 3})
    client(gh, tmp_path).get("/repos/o/r")
    httpserver.stop()
    sleeper = Sleeper()
    c = client(gh, tmp_path, sleep=sleeper)
    answer = c.get("/repos/o/r")
    assert answer.data == {"stars": 3} and answer.stale and answer.fetched_at is not None
    assert c.oldest_answer == answer.fetched_at
    assert any("GitHub unreachable" in n for n in c.notices)
    assert sleeper.waits == []  # a cached answer is given at once, marked with its age
    with pytest.raises(GitHubUnreachable) as info:
        c.get("/repos/o/never-fetched")
    assert sleeper.waits == []  # nothing cached: a refused connection is not retried
    assert info.value.exit_code == ExitCode.GITHUB_UNREACHABLE


def test_offline_never_sends_and_says_nothing_is_cached(gh, tmp_path):
    with pytest.raises(GitHubUnreachable, match="--offline, and nothing is cached"):
        client(gh, tmp_path, offline=True).get("/repos/o/r")
    assert gh.seen == []


def test_graphql_needs_a_token_and_reports_errors(gh, tmp_path):
    with pytest.raises(GitHubError, match="needs a token"):
        client(gh, tmp_path, token=None).graphql("query { viewer { login } }")
    gh.graphql_handler = lambda body, request: Reply(
        body={"data": None, "errors": [{"message": "Field 'nope' doesn't exist on type 'Query'"}]}
    )
    with pytest.raises(BadInput, match="Field 'nope'"):
        client(gh, tmp_path).graphql("query { nope }")


def test_graphql_answers_are_reused_for_a_while(gh, tmp_path):
    gh.graphql_handler = lambda body, request: Reply(body={"data": {"viewer": {"login": "me"}}})
    c = client(gh, tmp_path)
    assert c.graphql("query { viewer { login } }") == {"viewer": {"login": "me"}}
    assert client(gh, tmp_path).graphql("query { viewer { login } }") == {"viewer": {"login": "me"}}
    assert len(gh.seen) == 1


def test_page_count_reads_link_last(gh, tmp_path):
    gh.pages(
        "/repos/o/r/commits",
        [[{"sha": "a"}], [{"sha": "b"}], [{"sha": "c"}]],
        query={"author": "me"},
    )
    first = client(gh, tmp_path).get("/repos/o/r/commits", {"author": "me", "per_page": 100})
    assert page_count(first) == 3


def test_api_and_token_resolution():
    assert resolve_api(None, {}) == ("https://api.github.com", "https://api.github.com/graphql")
    assert resolve_api(None, {"GH_HOST": "ghe.example.com"}) == (
        "https://ghe.example.com/api/v3",
        "https://ghe.example.com/api/graphql",
    )
    assert resolve_api(None, {"GITHUB_API_URL": "https://ghe.example.com/api/v3"})[1] == (
        "https://ghe.example.com/api/graphql"
    )
    assert resolve_api("http://127.0.0.1:9/", {"GITHUB_API_URL": "https://x.org"}) == (
        "http://127.0.0.1:9",
        "http://127.0.0.1:9/graphql",
    )
    with pytest.raises(BadInput):
        resolve_api("not a url", {})
    assert resolve_auth({"GH_TOKEN": "a", "GITHUB_TOKEN": "b"}, use_gh=False) == Auth(
        "a", "GH_TOKEN"
    )
    assert resolve_auth({"GITHUB_TOKEN": "b"}, use_gh=False) == Auth("b", "GITHUB_TOKEN")
    assert resolve_auth({}, use_gh=False) == Auth(None, None)


def test_token_from_gh_auth_token_when_no_variable_is_set(tmp_path, monkeypatch):
    fake_gh = tmp_path / "bin" / "gh"
    fake_gh.parent.mkdir()
    fake_gh.write_text(
        '#!/bin/sh\n[ "$1 $2" = "auth token" ] && echo gho_fromGhCli && exit 0\nexit 1\n'
    )
    fake_gh.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake_gh.parent}:/usr/bin:/bin")
    assert resolve_auth({}) == Auth("gho_fromGhCli", "`gh auth token`")
    assert resolve_auth({"GITHUB_TOKEN": "env-wins"}) == Auth("env-wins", "GITHUB_TOKEN")
    fake_gh.write_text("#!/bin/sh\nexit 1\n")  # gh installed but logged out
    assert resolve_auth({}) == Auth(None, None)
