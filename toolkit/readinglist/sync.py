"""`bip read sync`: papers completed from arXiv, Crossref and Semantic Scholar, and what GitHub
knows about the repos in the reading list (description, stars, default branch, latest release,
last push, license, CITATION.cff), kept in the state store, never in the user's YAML."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from toolkit.errors import BipError
from toolkit.github import GitHubClient, NotFound, graphql
from toolkit.http import reads
from toolkit.readinglist import ReadingList
from toolkit.readinglist.document import load_reading_list
from toolkit.references.services import PapersSync, check_overwrite, sync_papers
from toolkit.state import Store
from toolkit.workspace import Workspace


@dataclass
class RepoMeta:
    repo: str
    description: str | None = None
    stars: int | None = None
    default_branch: str | None = None
    latest_release: str | None = None
    release_date: str | None = None
    pushed_at: str | None = None
    license: str | None = None
    has_citation: bool = False
    citation_cff: str | None = None
    url: str | None = None
    created_at: str | None = None
    owner: str | None = None  # the owner's login
    owner_type: str | None = None  # User | Organization
    owner_name: str | None = None  # the owner's profile name: who a citation credits
    error: str | None = None
    skipped: list[str] = field(default_factory=list)  # bad data left out, the rest kept


@dataclass
class SyncReport:
    """Both halves of `bip read sync`: the papers completed, the repos asked about."""

    papers: PapersSync
    repos: list[RepoMeta]
    requests: int  # to GitHub
    not_modified: int  # of them answered 304
    notices: list[str] = field(default_factory=list)


def sync(
    ws: Workspace,
    client: GitHubClient,
    offline: bool,
    overwrite: list[str],
    max_wait: float,
    progress: Callable[[str], None] | None = None,
) -> SyncReport:
    """Complete papers' missing fields, then fetch every repo's metadata into the state store
    (unless an answer came from the offline cache: stale data is not saved as new)."""
    fields = check_overwrite(overwrite)  # before any network
    papers = sync_papers(ws, offline, fields, max_wait)
    model = load_reading_list(ws.paths.reading_list).model
    repos = github_repos(model)
    metas = fetch_repo_meta(client, repos, progress)
    figures = {f.github.lower() for f in model.figures if f.github}
    # owners a citation credits: of repos with neither authors nor figures, not figures themselves
    wanted = {
        e.repo.split("/")[0].lower()
        for e in model.entries
        if e.repo and not e.authors and not e.figures
    } - figures
    ws.ensure_state_dir()
    store = Store(ws.paths.state_db)
    try:
        complete_owners(client, store, metas, wanted)
        if client.oldest_answer is None:
            save_repo_meta(store, ws.now(), metas)
    finally:
        store.close()
    counters = client.counters
    return SyncReport(papers, metas, counters.requests, counters.not_modified, client.notices)


def github_repos(model: ReadingList) -> list[str]:
    seen: dict[str, str] = {}
    for entry in model.entries:
        if entry.repo:
            seen.setdefault(entry.repo.lower(), entry.repo)
    return list(seen.values())


@reads("repository metadata")
def fetch_repo_meta(
    client: GitHubClient, repos: list[str], progress: Callable[[str], None] | None = None
) -> list[RepoMeta]:
    """One GraphQL query for all repos with a token; three conditional REST calls each without."""
    if client.auth.token:
        result = _graphql(client, repos)
        if progress:
            for repo in repos:
                progress(repo)
        return result
    out = []
    for repo in repos:
        out.append(_rest(client, repo))
        if progress:
            progress(repo)
    return out


def _rest(client: GitHubClient, repo: str) -> RepoMeta:
    try:
        data = client.get(f"/repos/{repo}", what=f"the repository {repo}").data
    except NotFound:
        return RepoMeta(repo, error="not found (or not visible to the token)")
    if not isinstance(data, dict):
        return RepoMeta(repo, error="GitHub's answer about it is not a repository")
    found = data.get("owner")
    owner: dict[str, Any] = found if isinstance(found, dict) else {}
    meta = RepoMeta(
        repo=repo,
        description=data.get("description"),
        stars=data.get("stargazers_count"),
        default_branch=data.get("default_branch"),
        pushed_at=data.get("pushed_at"),
        license=(data.get("license") or {}).get("spdx_id"),
        url=data.get("html_url"),
        created_at=_text(data.get("created_at")),
        owner=_text(owner.get("login")) or repo.split("/")[0],
        owner_type=_text(owner.get("type")),
    )
    try:
        release = client.get(f"/repos/{repo}/releases/latest", what=f"{repo}'s latest release")
        if isinstance(release.data, dict):
            meta.latest_release = release.data.get("tag_name")
            meta.release_date = release.data.get("published_at")
    except NotFound:
        pass  # no release yet
    try:
        cff = client.get(f"/repos/{repo}/contents/CITATION.cff", what=f"{repo}'s CITATION.cff")
        meta.has_citation = True
        meta.citation_cff, problem = _decode_cff(cff.data)
        if problem:
            meta.skipped.append(f"CITATION.cff skipped: {problem}")
    except NotFound:
        pass
    return meta


def _decode_cff(data: Any) -> tuple[str | None, str | None]:
    """(text, None), or (None, what is wrong) for a contents answer bip cannot read."""
    if not isinstance(data, dict) or data.get("encoding") != "base64":
        return None, "GitHub did not send it as base64 file contents"
    try:
        content = "".join(str(data.get("content", "")).split())  # GitHub wraps it at 60
        return base64.b64decode(content, validate=True).decode("utf-8"), None
    except (binascii.Error, ValueError) as exc:
        reason = "not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else "not valid base64"
        return None, reason


_FIELDS = """
    description stargazerCount pushedAt url createdAt
    owner { __typename login ... on User { name } ... on Organization { name } }
    defaultBranchRef { name }
    latestRelease { tagName publishedAt }
    licenseInfo { spdxId }
    citation: object(expression: "HEAD:CITATION.cff") { ... on Blob { text } }
"""


def _graphql(client: GitHubClient, repos: list[str]) -> list[RepoMeta]:
    fields = [graphql.repository(f"r{n}", repo, _FIELDS, nodes=4) for n, repo in enumerate(repos)]
    data = graphql.batch(client, fields)
    out = []
    for n, repo in enumerate(repos):
        node = data.get(f"r{n}")
        if node is None:
            out.append(RepoMeta(repo, error="not found (or not visible to the token)"))
            continue
        release = node.get("latestRelease") or {}
        citation = node.get("citation") or {}
        owner = node.get("owner") or {}
        out.append(
            RepoMeta(
                repo=repo,
                description=node.get("description"),
                stars=node.get("stargazerCount"),
                default_branch=(node.get("defaultBranchRef") or {}).get("name"),
                latest_release=release.get("tagName"),
                release_date=release.get("publishedAt"),
                pushed_at=node.get("pushedAt"),
                license=(node.get("licenseInfo") or {}).get("spdxId"),
                has_citation=bool(citation),
                citation_cff=citation.get("text"),
                url=node.get("url"),
                created_at=_text(node.get("createdAt")),
                owner=_text(owner.get("login")) or repo.split("/")[0],
                owner_type=_text(owner.get("__typename")),
                owner_name=_text(owner.get("name")),
            )
        )
    return out


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


PROFILE_KEY = "github-profile:"  # + login, lowercase: {"name": ..., "type": ...} in the store


@dataclass(frozen=True)
class Profile:
    """Who a GitHub account is, for a citation."""

    login: str
    name: str | None
    type: str | None  # User | Organization


def known_profile(store: Store, login: str) -> Profile | None:
    import json

    found = store.get(PROFILE_KEY + login.lower())
    if found is None:
        return None
    data = json.loads(found)
    return Profile(login, data.get("name"), data.get("type"))


def save_profile(store: Store, profile: Profile) -> None:
    import json

    value = json.dumps({"name": profile.name, "type": profile.type})
    store.put(PROFILE_KEY + profile.login.lower(), value)


def fetch_profile(client: GitHubClient, login: str) -> Profile | None:
    """`/users/{login}` (an organisation answers there too); None if GitHub does not know it."""
    try:
        data = client.get(f"/users/{login}", what=f"the GitHub profile of {login}").data
    except BipError:  # not found, or GitHub not answering: asked again at the next sync
        return None
    if not isinstance(data, dict):
        return None
    return Profile(login, _text(data.get("name")), _text(data.get("type")))


def complete_owners(
    client: GitHubClient, store: Store, metas: list[RepoMeta], wanted: set[str]
) -> None:
    """Give repos their owner's profile name: from GraphQL's answer, else from the store, else
    (for the `wanted` owners only: lowercase logins a citation would credit) one
    `/users/{login}` request per owner, ever (the answer is kept in the store)."""
    asked: dict[str, Profile | None] = {}
    for meta in metas:
        if meta.error or meta.owner is None:
            continue
        login = meta.owner
        if meta.owner_name is not None:
            save_profile(store, Profile(login, meta.owner_name, meta.owner_type))
            continue
        key = login.lower()
        if key not in wanted:
            continue
        if key not in asked:
            profile = known_profile(store, login)
            if profile is None:
                profile = fetch_profile(client, login)
                if profile is not None:
                    save_profile(store, profile)
            asked[key] = profile
        profile = asked[key]
        if profile is not None:
            meta.owner_name = profile.name
            meta.owner_type = meta.owner_type or profile.type


def save_repo_meta(store: Any, fetched_at: datetime, metas: list[RepoMeta]) -> None:
    store.save_repo_meta(fetched_at, {m.repo: asdict(m) for m in metas if not m.error})


def load_repo_meta(store: Any, repo: str) -> tuple[datetime, RepoMeta] | None:
    found = store.repo_meta(repo)
    if found is None:
        return None
    fetched_at, data = found
    return fetched_at, RepoMeta(**data)


def describe_repo(client: GitHubClient, repo: str) -> RepoMeta | None:
    """Best effort for `bip read add`: None when GitHub cannot tell right now."""
    try:
        return fetch_repo_meta(client, [repo])[0]
    except BipError:
        return None
