"""The community graph's records: pull requests with their reviews, open issues, typed edges.

A `Pull` is what bip keeps of one pull request (from GitHub's GraphQL API, from the bundled
example, or rebuilt from GH Archive events); `edges_of` turns it into person-to-person edges.
Bots and self-edges are never edges.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

KINDS = ("reviewed", "approved", "changes_requested", "merged", "commented", "coauthored")
EXACT = "exact"  # read from GitHub's API
APPROXIMATE = "approximate"  # rebuilt from event archives (GH Archive)

# Accounts that act like bots without GitHub calling them `Bot` (GraphQL types Apps as Bot;
# these are user accounts run by scripts).
KNOWN_BOTS = frozenset(
    {
        "pytorchbot",
        "pytorchmergebot",
        "facebook-github-bot",
        "k8s-ci-robot",
        "mergify",
        "bors",
        "copilot",
        "ghost",
        "codecov-commenter",
        "netlify",
        "vercel",
        "allcontributors",
    }
)
REVIEW_KINDS = {
    "APPROVED": "approved",
    "CHANGES_REQUESTED": "changes_requested",
    "COMMENTED": "commented",
    "DISMISSED": "reviewed",
}
NEWCOMER_ASSOCIATIONS = frozenset({"FIRST_TIME_CONTRIBUTOR", "FIRST_TIMER"})


def is_bot(login: str | None, kind: str | None = None) -> bool:
    """A GraphQL `Bot`, a `[bot]` login, or a known bot account (or no account at all)."""
    if not login:
        return True
    name = login.lower()
    return kind == "Bot" or name.endswith("[bot]") or name.endswith("-bot") or name in KNOWN_BOTS


@dataclass(frozen=True)
class Review:
    login: str
    state: str  # APPROVED | CHANGES_REQUESTED | COMMENTED | DISMISSED
    at: str  # ISO 8601
    url: str = ""
    bot: bool = False


@dataclass(frozen=True)
class Pull:
    repo: str
    number: int
    title: str = ""
    url: str = ""
    author: str | None = None
    author_bot: bool = False
    created_at: str = ""
    ready_at: str | None = None  # marked ready for review (was a draft)
    updated_at: str = ""
    state: str = "open"  # open | merged | closed | unknown (an archive close, merge unknown)
    merged_by: str | None = None
    merged_by_bot: bool = False
    merged_at: str | None = None
    labels: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()  # folders its files touch (top two levels)
    newcomer: bool = False  # the author's first contribution to this repo
    reviews: tuple[Review, ...] = ()
    coauthors: tuple[str, ...] = ()
    evidence: str = EXACT

    @property
    def key(self) -> str:
        return f"{self.repo.lower()}#{self.number}"

    @property
    def opened_at(self) -> str:
        """When reviewers could start: marked ready, else opened."""
        return self.ready_at or self.created_at

    def first_review_by(self, login: str | None = None) -> Review | None:
        """The first review by `login` (or by anyone but the author and bots)."""
        found = [
            r
            for r in self.reviews
            if (r.login.lower() == login.lower() if login else not r.bot)
            and (self.author is None or r.login.lower() != self.author.lower())
        ]
        return min(found, key=lambda r: r.at) if found else None


@dataclass(frozen=True)
class Issue:
    repo: str
    number: int
    title: str
    url: str
    labels: tuple[str, ...] = ()
    assigned: bool = False
    created_at: str = ""
    text: str = ""  # title and the start of the body: where folder names are looked for


@dataclass(frozen=True)
class Edge:
    """One relation between two people, with its evidence: `source` acted on `target`'s PR
    (reviewed, merged) or wrote it with them (coauthored)."""

    source: str
    target: str
    kind: str
    repo: str
    pr: int
    url: str
    at: str
    evidence: str = EXACT
    actor: str = ""  # who acted, when the edge is turned to follow a path

    def sentence(self) -> str:
        """`hlin approved ada-l's PR`: who did what to whom, whichever way the path runs."""
        actor = self.actor or self.source
        other = self.target if actor.lower() == self.source.lower() else self.source
        if self.kind == "coauthored":
            return f"{actor} and {other} co-authored"
        verb = {
            "approved": "approved",
            "changes_requested": "requested changes on",
            "commented": "commented on",
            "reviewed": "reviewed",
            "merged": "merged",
        }.get(self.kind, self.kind)
        return f"{actor} {verb} {other}'s PR"

    def other(self, login: str) -> str:
        return self.target if self.source.lower() == login.lower() else self.source


@dataclass
class Holes:
    """What the data cannot see, printed under the answer."""

    notes: list[str] = field(default_factory=list)

    def add(self, note: str) -> None:
        if note not in self.notes:
            self.notes.append(note)


def edges_of(pull: Pull) -> Iterator[Edge]:
    """The person-to-person edges of one pull request: each reviewer (their strongest review
    state), the merger, and co-authors, each to the author. No bots, no self-edges."""
    author = pull.author
    if not author or pull.author_bot or is_bot(author):
        return
    strongest: dict[str, Review] = {}
    rank = {"APPROVED": 0, "CHANGES_REQUESTED": 1, "COMMENTED": 2, "DISMISSED": 3}
    for review in sorted(pull.reviews, key=lambda r: r.at):
        if review.bot or is_bot(review.login) or review.login.lower() == author.lower():
            continue
        held = strongest.get(review.login.lower())
        if held is None or rank.get(review.state, 9) < rank.get(held.state, 9):
            strongest[review.login.lower()] = review
    for review in strongest.values():
        yield Edge(
            review.login,
            author,
            REVIEW_KINDS.get(review.state, "reviewed"),
            pull.repo,
            pull.number,
            review.url or pull.url,
            review.at,
            pull.evidence,
        )
    merger = pull.merged_by
    if (
        merger
        and not pull.merged_by_bot
        and not is_bot(merger)
        and merger.lower() != author.lower()
    ):
        yield Edge(
            merger,
            author,
            "merged",
            pull.repo,
            pull.number,
            pull.url,
            pull.merged_at or pull.updated_at,
            pull.evidence,
        )
    for coauthor in pull.coauthors:
        if not is_bot(coauthor) and coauthor.lower() != author.lower():
            yield Edge(
                author,
                coauthor,
                "coauthored",
                pull.repo,
                pull.number,
                pull.url,
                pull.merged_at or pull.created_at,
                pull.evidence,
            )


def all_edges(pulls: Iterable[Pull]) -> list[Edge]:
    return [edge for pull in pulls for edge in edges_of(pull)]


def hours_between(start: str, end: str) -> float | None:
    try:
        a = datetime.fromisoformat(start.replace("Z", "+00:00"))
        b = datetime.fromisoformat(end.replace("Z", "+00:00"))
    except ValueError:
        return None
    return max((b - a).total_seconds() / 3600, 0.0)


def folders(paths: Iterable[str], depth: int = 2) -> tuple[str, ...]:
    """The folders files sit in, `depth` levels deep (`csrc/flash_attn/x.cu` -> `csrc/flash_attn`);
    files at the top level count as `/`."""
    seen: dict[str, None] = {}
    for path in paths:
        parts = path.strip("/").split("/")[:-1]
        seen["/".join(parts[:depth]) or "/"] = None
    return tuple(seen)
