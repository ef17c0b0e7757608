"""`bip site serve`: build the site for a local address and serve it from this machine only."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from toolkit.errors import BadInput
from toolkit.site.build import BuildResult, build_workspace_site
from toolkit.workspace import Workspace

LOOPBACK = ("127.0.0.1", "localhost", "::1")


class QuietHandler(SimpleHTTPRequestHandler):
    """Files of the built site, no request log on the terminal."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Serving:
    server: ThreadingHTTPServer
    url: str
    build: BuildResult


def serve_site(
    ws: Workspace,
    port: int = 1313,
    host: str = "127.0.0.1",
    out: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> Serving:
    """Bind the address first (so the site is built for the port really held), build, and
    return the server ready for `serve_forever()`."""
    if host not in LOOPBACK:
        raise BadInput(
            f"--bind {host!r} is not this machine's loopback address",
            hint="bip serves the site for a look on this machine only: --bind 127.0.0.1",
        )
    try:
        server = ThreadingHTTPServer((host, port), QuietHandler)
    except OSError as exc:
        raise BadInput(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}",
            hint="choose another --port (0 picks a free one)",
        ) from None
    bound = server.server_address[1]
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{bound}/"
    try:
        target = out if out is not None else ws.paths.state / "site-preview"
        result = build_workspace_site(ws, target, url, progress)
    except BaseException:
        server.server_close()
        raise
    server.RequestHandlerClass = functools.partial(QuietHandler, directory=str(result.out))
    return Serving(server, url, result)
