"""A fake Bluesky PDS and a fake Mastodon server on 127.0.0.1, in their documented shapes.

The PDS answers AT Protocol's com.atproto.server.createSession / refreshSession,
com.atproto.repo.uploadBlob / createRecord / getRecord with JWT sessions that expire; Mastodon
answers /api/v1/instance, /api/v2/media and /api/v1/statuses (with Idempotency-Key). Each
checks credentials, enforces its post limit, records every request, and can be scripted to
fail: `fail[("createRecord", 3)] = Reply(500)` fails the third createRecord.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

import regex
from werkzeug import Request, Response

HANDLE = "ada.example.org"
PASSWORD = "abcd-efgh-ijkl-mnop"
DID = "did:plc:ada0000000000000000000"
TOKEN = "mastodon-token-5f2b9c"


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


def jwt(payload: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'ES256K', 'typ': 'at+jwt'})}.{part(payload)}.c2ln"


class _Fake:
    def __init__(self, httpserver: Any) -> None:
        self.server = httpserver
        self.seen: list[Seen] = []
        self.calls: dict[str, int] = {}
        self.fail: dict[tuple[str, int], Reply] = {}
        self.after: dict[tuple[str, int], Any] = {}  # call -> what happens once it is answered
        self.answer_lost: set[tuple[str, int]] = set()  # done, but the answer is a 502
        httpserver.expect_request(re.compile(".*")).respond_with_handler(self._handle)

    @property
    def url(self) -> str:
        return self.server.url_for("").rstrip("/")

    def count(self, name: str) -> int:
        return self.calls.get(name, 0)

    def _handle(self, request: Request) -> Response:
        body = request.get_data()
        self.seen.append(Seen(request.method, request.path, dict(request.headers), body))
        name = request.path.rstrip("/").rsplit("/", 1)[-1]
        self.calls[name] = self.calls.get(name, 0) + 1
        scripted = self.fail.get((name, self.calls[name]))
        if scripted is not None:
            return _json(scripted.status, scripted.body or {}, scripted.headers)
        response = self.route(name, request, body)
        hook = self.after.get((name, self.calls[name]))
        if hook is not None:
            hook()
        if (name, self.calls[name]) in self.answer_lost:
            return _json(502, {"error": "UpstreamFailure", "message": "Bad Gateway"})
        return response

    def route(self, name: str, request: Request, body: bytes) -> Response:
        raise NotImplementedError


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body), status=status, headers=headers or {}, mimetype="application/json"
    )


def _xrpc_error(status: int, error: str, message: str) -> Response:
    return _json(status, {"error": error, "message": message})


class FakePDS(_Fake):
    def __init__(self, httpserver: Any, lifetime: int = 3600) -> None:
        super().__init__(httpserver)
        self.lifetime = lifetime  # seconds an access token lives; <= 0: born expired
        self.records: dict[str, dict[str, Any]] = {}
        self.blobs: dict[str, bytes] = {}
        self.valid: set[str] = set()
        self.refresh_tokens: set[str] = set()
        self.sessions = 0

    def expire_sessions(self) -> None:
        """Every access token issued so far is expired from now on (the server says so)."""
        self.valid.clear()

    def _session(self) -> dict[str, Any]:
        self.sessions += 1
        now = int(time.time())
        access = jwt(
            {"scope": "com.atproto.appPass", "sub": DID, "iat": now, "exp": now + self.lifetime,
             "aud": "did:web:pds.example", "n": self.sessions}
        )  # fmt: skip
        refresh = jwt(
            {
                "scope": "com.atproto.refresh",
                "sub": DID,
                "iat": now,
                "exp": now + 86400,
                "n": self.sessions,
            }
        )
        self.valid.add(access)
        self.refresh_tokens.add(refresh)
        return {
            "accessJwt": access,
            "refreshJwt": refresh,
            "handle": HANDLE,
            "did": DID,
            "active": True,
        }

    def route(self, name: str, request: Request, body: bytes) -> Response:
        bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if name == "com.atproto.server.createSession":
            data = json.loads(body)
            if data.get("identifier") != HANDLE or data.get("password") != PASSWORD:
                return _xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password")
            return _json(200, self._session())
        if name == "com.atproto.server.refreshSession":
            if bearer not in self.refresh_tokens:
                return _xrpc_error(400, "ExpiredToken", "Token has expired")
            return _json(200, self._session())
        if bearer not in self.valid:
            return _xrpc_error(400, "ExpiredToken", "Token has expired")
        if name == "com.atproto.repo.uploadBlob":
            if len(body) > 1_000_000:
                return _xrpc_error(400, "BlobTooLarge", "This file is too large")
            cid = "bafkrei" + hashlib.sha256(body).hexdigest()[:52]
            self.blobs[cid] = body
            return _json(200, {"blob": {"$type": "blob", "ref": {"$link": cid},
                                        "mimeType": request.headers.get("Content-Type"), "size": len(body)}})  # fmt: skip
        if name == "com.atproto.repo.createRecord":
            data = json.loads(body)
            text = data["record"]["text"]
            if len(regex.findall(r"\X", text)) > 300 or len(text.encode()) > 3000:
                return _xrpc_error(
                    400, "InvalidRequest", "Record/text must not be longer than 300 graphemes"
                )
            rkey = data.get("rkey") or f"auto{len(self.records)}"
            uri = f"at://{data['repo']}/{data['collection']}/{rkey}"
            if uri in self.records:
                return _xrpc_error(400, "InvalidRequest", "Record already exists")
            cid = "bafyrei" + hashlib.sha256(body).hexdigest()[:52]
            self.records[uri] = {"uri": uri, "cid": cid, "value": data["record"]}
            return _json(200, {"uri": uri, "cid": cid})
        if name == "com.atproto.repo.getRecord":
            uri = f"at://{request.args['repo']}/{request.args['collection']}/{request.args['rkey']}"
            if uri not in self.records:
                return _xrpc_error(400, "RecordNotFound", f"Could not locate record: {uri}")
            return _json(200, self.records[uri])
        return _xrpc_error(501, "MethodNotImplemented", name)

    def posts(self) -> list[dict[str, Any]]:
        return [r["value"] for r in self.records.values()]


class FakeMastodon(_Fake):
    def __init__(self, httpserver: Any, max_characters: int = 500) -> None:
        super().__init__(httpserver)
        self.max_characters = max_characters
        self.statuses: list[dict[str, Any]] = []
        self.by_key: dict[str, dict[str, Any]] = {}
        self.media: dict[str, dict[str, Any]] = {}

    def route(self, name: str, request: Request, body: bytes) -> Response:
        path = request.path.rstrip("/")  # Rails routes take a trailing slash too
        if path in ("/api/v1/instance", "/api/v2/instance"):
            return _json(200, {
                "uri": "social.example", "title": "Fake", "version": "4.3.0", "api_versions": {"mastodon": 6},
                "configuration": {"statuses": {"max_characters": self.max_characters,
                                               "max_media_attachments": 4,
                                               "characters_reserved_per_url": 23}},
            })  # fmt: skip
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return _json(401, {"error": "The access token is invalid"})
        if path == "/api/v2/media":
            upload = request.files.get("file")
            media_id = str(100 + len(self.media))
            self.media[media_id] = {
                "id": media_id, "type": "image", "description": request.form.get("description"),
                "size": len(upload.read()) if upload else 0,
                "url": f"{self.url}/media/{media_id}.png", "preview_url": None,
            }  # fmt: skip
            return _json(200, self.media[media_id])
        if path == "/api/v1/statuses" and request.method == "POST":
            form = request.get_json(silent=True) or request.form.to_dict(flat=False)
            form = {
                k: (v[0] if isinstance(v, list) and not k.startswith("media_ids") else v)
                for k, v in form.items()
            }
            key = request.headers.get("Idempotency-Key")
            if key and key in self.by_key:
                return _json(200, self.by_key[key])
            text = str(form.get("status", ""))
            counted = re.sub(r"https?://\S+", "x" * 23, text)
            if len(regex.findall(r"\X", counted)) > self.max_characters:
                return _json(422, {"error": "Validation failed: Text character limit of "
                                            f"{self.max_characters} exceeded"})  # fmt: skip
            status_id = str(1000 + len(self.statuses))
            media = form.get("media_ids[]") or form.get("media_ids") or []
            status = {
                "id": status_id, "url": f"{self.url}/@ada/{status_id}", "uri": f"{self.url}/users/ada/statuses/{status_id}",
                "content": text, "in_reply_to_id": form.get("in_reply_to_id"),
                "visibility": form.get("visibility", "public"), "created_at": "2026-11-23T13:30:00.000Z",
                "media_attachments": [self.media[m] for m in (media if isinstance(media, list) else [media])],
                "account": {"id": "1", "username": "ada", "acct": "ada"},
            }  # fmt: skip
            self.statuses.append(status)
            if key:
                self.by_key[key] = status
            return _json(200, status)
        return _json(404, {"error": "Record not found"})


class Catcher(_Fake):
    """The host a hostile redirect points at: it only records what reaches it."""

    def route(self, name: str, request: Request, body: bytes) -> Response:
        return _json(200, {})
