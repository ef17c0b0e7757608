"""A fake GitHub on 127.0.0.1: a real HTTP server answering in GitHub's documented shapes.

Routes answer with ETag (and 304 to a matching If-None-Match), x-ratelimit-* headers, `Link`
pagination, and scripted sequences (500 then 200, 202 then 200, rate limits).
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from werkzeug import Request, Response


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: str | None = None  # a body that is not JSON
    etag: bool = True


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


class FakeGitHub:
    def __init__(self, httpserver: Any) -> None:
        self.server = httpserver
        self.routes: dict[tuple[str, str, str], list[Reply]] = {}
        self.seen: list[Seen] = []
        self.remaining = 4999
        self.graphql_handler: Any = None
        httpserver.expect_request(re.compile(".*")).respond_with_handler(self._handle)

    @property
    def url(self) -> str:
        return self.server.url_for("").rstrip("/")

    # -- setup --
    def on(
        self,
        path: str,
        *replies: Reply | Any,
        query: dict[str, Any] | None = None,
        method: str = "GET",
    ) -> None:
        """Answer `path` (with exactly these query params, per_page ignored) with the replies in
        turn; the last one repeats."""
        key = (method, path, _qkey(query or {}))
        self.routes[key] = [r if isinstance(r, Reply) else Reply(body=r) for r in replies]

    def pages(self, path: str, pages: list[list[Any]], query: dict[str, Any] | None = None) -> None:
        """A listing split into pages linked by `Link` headers, as GitHub does."""
        for n, items in enumerate(pages, start=1):
            q = dict(query or {})
            if n > 1:
                q["page"] = str(n)
            links = []
            if n < len(pages):
                links.append(f'<{self._page_url(path, query, n + 1)}>; rel="next"')
                links.append(f'<{self._page_url(path, query, len(pages))}>; rel="last"')
            if n > 1:
                links.append(f'<{self._page_url(path, query, 1)}>; rel="first"')
            headers = {"Link": ", ".join(links)} if links else {}
            self.on(path, Reply(body=items, headers=headers), query=q)

    def _page_url(self, path: str, query: dict[str, Any] | None, page: int) -> str:
        q = {**(query or {}), "per_page": "100", "page": str(page)}
        return f"{self.url}{path}?{urlencode(q)}"

    # -- inspection --
    def requests_to(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path]

    # -- serving --
    def _handle(self, request: Request) -> Response:
        body = request.get_json(silent=True) if request.method == "POST" else None
        self.seen.append(
            Seen(request.method, request.path, dict(request.args), dict(request.headers), body)
        )
        if request.method == "POST" and request.path == "/graphql" and self.graphql_handler:
            return self._respond(self.graphql_handler(body, request), request)
        key = (request.method, request.path, _qkey(dict(request.args)))
        replies = self.routes.get(key)
        if replies is None:
            return Response(
                json.dumps(
                    {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}
                ),
                status=404,
                content_type="application/json",
            )
        reply = replies.pop(0) if len(replies) > 1 else replies[0]
        return self._respond(reply, request)

    def _respond(self, reply: Reply, request: Request) -> Response:
        text = reply.raw if reply.raw is not None else json.dumps(reply.body)
        headers = {
            "x-ratelimit-limit": "5000",
            "x-ratelimit-remaining": str(self.remaining),
            "x-ratelimit-reset": str(int(time.time()) + 3600),
            "x-ratelimit-resource": "search" if request.path.startswith("/search/") else "core",
            **reply.headers,
        }
        if reply.status == 200 and reply.etag and request.method == "GET":  # GraphQL sends none
            tag = '"' + hashlib.sha1(text.encode()).hexdigest() + '"'
            headers["ETag"] = tag
            if request.headers.get("If-None-Match") == tag:
                return Response(status=304, headers=headers)
        content_type = (
            "application/json" if reply.raw is None else headers.pop("content-type", "text/html")
        )
        return Response(text, status=reply.status, headers=headers, content_type=content_type)


def _qkey(query: dict[str, Any]) -> str:
    return urlencode(sorted((k, str(v)) for k, v in query.items() if k != "per_page"))
