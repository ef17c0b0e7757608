"""Who bip is on GitHub and where: the token (GH_TOKEN, GITHUB_TOKEN, gh) and the API base URLs."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from toolkit.errors import BadInput
from toolkit.settings import github_environment

DEFAULT_API = "https://api.github.com"
API_VERSION = "2022-11-28"
ANONYMOUS_HINT = (
    "no GitHub token: anonymous use is limited to 60 requests an hour; "
    "set GH_TOKEN (or GITHUB_TOKEN, or log in with `gh auth login`)"
)


@dataclass(frozen=True)
class Auth:
    token: str | None
    source: str | None  # where the token came from: GH_TOKEN, GITHUB_TOKEN, `gh auth token`

    @property
    def fingerprint(self) -> str:
        if not self.token:
            return "anonymous"
        return hashlib.sha256(self.token.encode()).hexdigest()[:16]

    def __repr__(self) -> str:  # never show the token, even in a debugger or traceback
        return f"Auth(source={self.source!r}, fingerprint={self.fingerprint!r})"


def check_token(token: str, source: str) -> str:
    """The token, if it can be sent as a header; else a BadInput naming where it came from and
    what is wrong with it, never showing it (a paste accident leaves a line break, a zero-width
    space or quotes in the middle)."""
    for position, char in enumerate(token, start=1):
        if "!" <= char <= "~":  # printable ASCII without spaces: every GitHub token format
            continue
        if char in "\r\n":
            what = "a line break"
        elif char.isspace():
            what = "a space"
        elif unicodedata.category(char) in ("Cc", "Cf"):
            what = f"an invisible character (U+{ord(char):04X})"
        else:
            what = f"a character that is not plain ASCII (U+{ord(char):04X})"
        raise BadInput(
            f"the token from {source} has {what} at position {position} of {len(token)}",
            hint="log in again with `gh auth login`"
            if source.startswith("`")
            else f"set {source} again to the token alone (a paste may have added something)",
        )
    return token


def resolve_auth(env: dict[str, str] | None = None, use_gh: bool = True) -> Auth:
    """GH_TOKEN, then GITHUB_TOKEN, then `gh auth token` when the gh CLI is installed."""
    env = github_environment() if env is None else env
    for var in ("GH_TOKEN", "GITHUB_TOKEN"):
        if env.get(var, "").strip():
            return Auth(check_token(env[var].strip(), var), var)
    if use_gh and shutil.which("gh"):
        try:
            out = subprocess.run(["gh", "auth", "token"], capture_output=True, text=True, timeout=5)
        except (OSError, subprocess.SubprocessError):
            out = None
        if out is not None and out.returncode == 0 and out.stdout.strip():
            return Auth(check_token(out.stdout.strip(), "`gh auth token`"), "`gh auth token`")
    return Auth(None, None)


def resolve_api(flag: str | None = None, env: dict[str, str] | None = None) -> tuple[str, str]:
    """(REST base, GraphQL URL): --api-url, GITHUB_API_URL, GH_HOST (Enterprise), api.github.com."""
    env = github_environment() if env is None else env
    base = flag or env.get("GITHUB_API_URL")
    if not base and env.get("GH_HOST") and env["GH_HOST"] != "github.com":
        host = env["GH_HOST"].removeprefix("https://").rstrip("/")
        return f"https://{host}/api/v3", f"https://{host}/api/graphql"
    base = (base or DEFAULT_API).rstrip("/")
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadInput(f"{base!r} is not an API URL", hint="e.g. https://api.github.com")
    graphql = base[: -len("/v3")] + "/graphql" if base.endswith("/api/v3") else base + "/graphql"
    return base, graphql
