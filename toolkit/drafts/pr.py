"""A pull request for the contribution post: from flags or from GitHub, reviewers matched to figures."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from toolkit.errors import BadInput, BipError
from toolkit.http import reads
from toolkit.readinglist import ReadingList

PR_STATES = ("open", "closed", "merged")


@dataclass
class Reviewer:
    login: str
    name: str | None = None
    figure: str | None = None


@dataclass
class PRInfo:
    repo: str
    number: int
    url: str
    title: str | None = None
    state: str | None = None  # open | closed | merged; None when bip does not know it
    merged: bool = False
    merged_at: str | None = None
    author: str | None = None
    reviewers: list[Reviewer] = field(default_factory=list)
    source: str = "flags"


def parse_pr(text: str) -> tuple[str, int]:
    match = re.fullmatch(r"([A-Za-z0-9-]+/[A-Za-z0-9._-]+)#(\d+)", text.strip())
    if not match:
        raise BadInput(
            f"--pr {text!r} is not owner/name#N", hint="e.g. --pr vllm-project/vllm#12345"
        )
    return match.group(1), int(match.group(2))


def pr_from_flags(repo: str, number: int, variables: dict[str, str], model: ReadingList) -> PRInfo:
    reviewers = [
        r.strip().lstrip("@") for r in variables.get("reviewers", "").split(",") if r.strip()
    ]
    state = variables.get("pr_state", "").strip().lower() or None
    if state not in (None, *PR_STATES):
        raise BadInput(
            f"--var pr_state={variables['pr_state']!r} is not a PR state",
            hint=f"one of: {', '.join(PR_STATES)} (or leave it out: the post then says none)",
        )
    info = PRInfo(
        repo,
        number,
        variables.get("pr_url", f"https://github.com/{repo}/pull/{number}"),
        title=variables.get("pr_title"),
        state=state,
    )
    info.merged = info.state == "merged"
    info.reviewers = [_reviewer(login, None, model) for login in reviewers]
    return info


@reads("the pull request")
def pr_from_github(client: Any, repo: str, number: int, model: ReadingList) -> PRInfo:
    data = client.get(f"/repos/{repo}/pulls/{number}").data
    author = (data.get("user") or {}).get("login")
    logins: list[str] = []
    for review in client.items(f"/repos/{repo}/pulls/{number}/reviews", max_pages=3):
        login = (review.get("user") or {}).get("login")
        if login and login != author and login not in logins and not login.endswith("[bot]"):
            logins.append(login)
    merged_by = (data.get("merged_by") or {}).get("login")
    if merged_by and merged_by != author and merged_by not in logins:
        logins.append(merged_by)
    reviewers = []
    for login in logins:
        try:
            user = client.get(f"/users/{login}").data
        except BipError:  # a missing name is not worth failing a draft over
            user = None
        name = user.get("name") if isinstance(user, dict) else None
        reviewers.append(_reviewer(login, name, model))
    merged_at = data.get("merged_at")
    return PRInfo(
        repo,
        number,
        data.get("html_url", f"https://github.com/{repo}/pull/{number}"),
        title=data.get("title"),
        state="merged" if merged_at else data.get("state", "open"),
        merged=bool(merged_at),
        merged_at=merged_at,
        author=author,
        reviewers=reviewers,
        source="GitHub",
    )


def _reviewer(login: str, name: str | None, model: ReadingList) -> Reviewer:
    figure = model.figure_by_login(login)
    return Reviewer(login, name or (figure.name if figure else None), figure.id if figure else None)
