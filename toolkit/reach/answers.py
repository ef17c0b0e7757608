"""What `map` and `next` compute from pull requests and issues (pure: no network, no store)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from statistics import median

from toolkit.reach.model import Issue, Pull, hours_between, is_bot

TOP_PATHS = 5
TOP_LABELS = 8
KEY_REVIEWERS = 3
FIRST_LABELS = ("good first issue", "good-first-issue", "help wanted", "help-wanted", "beginner")


@dataclass
class PathCount:
    path: str
    prs: int


@dataclass
class RepoReach:
    repo: str
    reviewed_prs: int
    merged_prs: int
    paths: list[PathCount] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    newcomer_share: float | None = None
    median_hours_to_first_review: float | None = None


@dataclass
class NextIssue:
    repo: str
    number: int
    title: str
    url: str
    labels: list[str]
    paths: list[str]
    reviewers: list[str]
    median_hours_to_first_response: float | None
    why: str


def reviewed_by(pull: Pull, login: str) -> bool:
    who = login.lower()
    return (pull.author or "").lower() != who and any(r.login.lower() == who for r in pull.reviews)


def merged_by(pull: Pull, login: str) -> bool:
    return (pull.merged_by or "").lower() == login.lower() and (
        pull.author or ""
    ).lower() != login.lower()


def repo_reach(pulls: list[Pull], login: str) -> list[RepoReach]:
    """Per repo: what `login` reviewed and merged, where (folders), what (labels), for whom
    (newcomers), and how fast (median hours from opened or ready to their first review)."""
    by_repo: dict[str, list[Pull]] = {}
    names: dict[str, str] = {}
    for pull in pulls:
        if reviewed_by(pull, login) or merged_by(pull, login):
            by_repo.setdefault(pull.repo.lower(), []).append(pull)
            names.setdefault(pull.repo.lower(), pull.repo)
    out = []
    for key, group in by_repo.items():
        reviewed = [p for p in group if reviewed_by(p, login)]
        paths = Counter(path for p in group for path in p.paths)
        labels = Counter(label for p in group for label in p.labels)
        waits = [
            h
            for p in reviewed
            if (first := p.first_review_by(login)) is not None
            and (h := hours_between(p.opened_at, first.at)) is not None
        ]
        human = [p for p in group if not p.author_bot and not is_bot(p.author)]
        out.append(
            RepoReach(
                repo=names[key],
                reviewed_prs=len(reviewed),
                merged_prs=sum(merged_by(p, login) for p in group),
                paths=[PathCount(p, n) for p, n in _top(paths, TOP_PATHS)],
                labels=[label for label, _ in _top(labels, TOP_LABELS)],
                newcomer_share=round(sum(p.newcomer for p in human) / len(human), 2)
                if human
                else None,
                median_hours_to_first_review=round(median(waits), 1) if waits else None,
            )
        )
    out.sort(key=lambda r: (-(r.reviewed_prs + r.merged_prs), r.repo.lower()))
    return out


def key_reviewers(pulls: list[Pull], limit: int = KEY_REVIEWERS) -> list[str]:
    """Who reviews most in these pull requests (people, not bots, not their own PRs)."""
    counts: Counter[str] = Counter()
    names: dict[str, str] = {}
    for pull in pulls:
        for who in {r.login.lower(): r for r in pull.reviews if not r.bot}.values():
            if is_bot(who.login) or who.login.lower() == (pull.author or "").lower():
                continue
            counts[who.login.lower()] += 1
            names.setdefault(who.login.lower(), who.login)
    return [names[k] for k, _ in _top(counts, limit)]


@dataclass
class RepoPace:
    """How newcomers fare in a repo: median hours to a first response, and merges."""

    median_hours: float | None
    newcomer_prs: int
    merged: int


def repo_pace(pulls: list[Pull]) -> RepoPace:
    newcomers = [p for p in pulls if p.newcomer and not p.author_bot] or [
        p for p in pulls if not p.author_bot and not is_bot(p.author)
    ]
    waits = [
        h
        for p in newcomers
        if (first := p.first_review_by()) is not None
        and (h := hours_between(p.opened_at, first.at)) is not None
    ]
    return RepoPace(
        round(median(waits), 1) if waits else None,
        len(newcomers),
        sum(p.state == "merged" for p in newcomers),
    )


def rank_issues(
    issues: list[Issue],
    pulls: list[Pull],
    reviewers: list[str],
    limit: int,
) -> list[NextIssue]:
    """Open, unassigned issues where `reviewers` review: good-first / help-wanted first, then
    those in the folders they review, then by how fast newcomers get a first response."""
    who = {r.lower() for r in reviewers}
    per_repo: dict[str, list[Pull]] = {}
    for pull in pulls:
        per_repo.setdefault(pull.repo.lower(), []).append(pull)
    ranked: list[tuple[tuple[object, ...], NextIssue]] = []
    for issue in issues:
        if issue.assigned:
            continue
        repo_pulls = per_repo.get(issue.repo.lower(), [])
        theirs = [p for p in repo_pulls if any(reviewed_by(p, r) for r in who)]
        active = [r for r in reviewers if any(reviewed_by(p, r) for p in repo_pulls)]
        if not active:
            continue
        folder_counts = Counter(path for p in theirs for path in p.paths if path != "/")
        paths = sorted(
            (f for f in folder_counts if _mentions(issue.text, f)),
            key=lambda f: (-folder_counts[f], _where(issue.text, f)),
        )
        pace = repo_pace(repo_pulls)
        first = any(label.lower() in FIRST_LABELS for label in issue.labels)
        reasons = []
        if first:
            reasons.append(", ".join(f"'{x}'" for x in issue.labels if x.lower() in FIRST_LABELS))
        if paths:
            n = folder_counts[paths[0]]
            reasons.append(f"in {paths[0]}/, where {active[0]} reviewed {n} PR{'s' * (n != 1)}")
        else:
            reasons.append(f"in a repo where {', '.join(active)} review{'s' * (len(active) == 1)}")
        if pace.median_hours is not None:
            reasons.append(
                f"newcomers' PRs here get a first review in {_hours(pace.median_hours)} "
                f"(median), {pace.merged} of {pace.newcomer_prs} merged"
            )
        ranked.append(
            (
                (
                    not first,
                    not paths,
                    pace.median_hours if pace.median_hours is not None else float("inf"),
                    -(pace.merged / pace.newcomer_prs if pace.newcomer_prs else 0),
                    issue.repo.lower(),
                    issue.number,
                ),
                NextIssue(
                    issue.repo,
                    issue.number,
                    issue.title,
                    issue.url,
                    list(issue.labels),
                    paths,
                    active,
                    pace.median_hours,
                    "; ".join(reasons),
                ),
            )
        )
    ranked.sort(key=lambda pair: pair[0])
    return [item for _, item in ranked[:limit]]


def _mentions(text: str, folder: str) -> bool:
    """The issue names the folder (`csrc/flash_attn`) or its last part as a word (`hopper`)."""
    low = text.lower()
    if folder.lower() in low:
        return True
    last = folder.rsplit("/", 1)[-1].lower()
    return len(last) > 2 and re.search(rf"(?<![\w/]){re.escape(last)}(?![\w])", low) is not None


def _where(text: str, folder: str) -> int:
    low, last = text.lower(), folder.rsplit("/", 1)[-1].lower()
    found = [i for i in (low.find(folder.lower()), low.find(last)) if i >= 0]
    return min(found) if found else len(text)


def _hours(value: float) -> str:
    return f"{value:g} h" if value < 48 else f"{value / 24:.1f} days"


def _top(counts: Counter[str], n: int) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
