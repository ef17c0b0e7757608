"""What commands share: the workspace, the GitHub client, the state store."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated

import typer

from toolkit.workspace import Workspace, load_workspace

if TYPE_CHECKING:
    from toolkit.github import GitHubClient
    from toolkit.state import Store

ApiUrlOpt = Annotated[
    str | None,
    typer.Option(
        "--api-url", help="GitHub API base (default: GITHUB_API_URL, GH_HOST, api.github.com)."
    ),
]
OfflineOpt = Annotated[
    bool, typer.Option("--offline", help="Do not contact GitHub: answer from the cache only.")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print data as JSON for scripts.")]
MaxWaitOpt = Annotated[
    float,
    typer.Option(
        "--max-wait", help="Longest wait (seconds) for a rate limit to reset before giving up."
    ),
]


def workspace(ctx: typer.Context) -> Workspace:
    obj = ctx.find_root().obj or {}
    return load_workspace(obj.get("workspace"))


def offline_env() -> bool:
    from toolkit.settings import env_flag

    return env_flag("BIP_OFFLINE")


def github_client(
    ws: Workspace,
    api_url: str | None,
    offline: bool,
    max_wait: float = 60.0,
    quick: bool = False,
    total: float | None = None,
) -> GitHubClient:
    """The client every command uses; `quick` is for best-effort lookups (no retries), `total`
    bounds all its requests together (seconds): past it, the command goes on offline."""
    from toolkit.github import GitHubClient, Limits, resolve_api, resolve_auth
    from toolkit.settings import github_environment

    env = github_environment()
    if not api_url and ws.settings.api_url:
        # GITHUB_API_URL (env) > GH_HOST (env) > [github] api_url (bip.toml) > api.github.com
        if ws.settings.sources.get("api_url") == "GITHUB_API_URL" or "GH_HOST" not in env:
            api_url = ws.settings.api_url
    rest, graphql = resolve_api(api_url, env)
    ws.ensure_state_dir()
    return GitHubClient(
        rest,
        graphql,
        resolve_auth(env),
        cache_path=ws.paths.http_cache,
        offline=offline or offline_env(),
        # A best-effort lookup never waits for a rate limit and gives up after 3 s.
        limits=Limits(max_wait=0, retries=0, timeout=3)
        if quick
        else Limits(max_wait=max_wait, retries=0, timeout=total, total=total, stats_tries=1)
        if total is not None
        else Limits(max_wait=max_wait),
    )


def state_store(ws: Workspace) -> Store:
    from toolkit.state import Store

    ws.ensure_state_dir()
    return Store(ws.paths.state_db)


# --format choices: enums, so click lists them in --help and shell completion offers them.
class LogFormat(str, Enum):
    table = "table"
    markdown = "markdown"


class GraphFormat(str, Enum):
    mermaid = "mermaid"
    dot = "dot"
    json = "json"


class CiteFormat(str, Enum):
    markdown = "markdown"
    bibtex = "bibtex"
    bibtex_plain = "bibtex-plain"
    text = "text"
