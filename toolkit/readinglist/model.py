"""The reading list's model: figures, entries, goals, and the queries on them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from toolkit.errors import BadInput
from toolkit.text import did_you_mean

SCHEMA_VERSION = 1
KINDS = ("repo", "course", "paper", "video", "book", "post", "model", "dataset")
STATUSES = ("todo", "reading", "done", "dropped")
TOP_KEYS = ("version", "figures", "entries")

# field -> checker name; the checkers live in _Validator.
FIGURE_FIELDS: dict[str, str] = {
    "id": "id",
    "name": "text",
    "native_name": "text",
    "github": "login",
    "homepage": "url",
    "channels": "channels",
    "affiliations": "texts",
    "tags": "texts",
    "notes": "text",
}
ENTRY_FIELDS: dict[str, str] = {
    "id": "id",
    "kind": "kind",
    "title": "text",
    "url": "url",
    "repo": "repo",
    "arxiv": "arxiv",
    "primary_class": "primary_class",
    "doi": "doi",
    "authors": "texts",
    "venue": "text",
    "pages": "text",
    "publisher": "text",
    "abstract": "text",
    "year": "year",
    "figures": "figrefs",
    "tags": "texts",
    "status": "status",
    "added": "date",
    "started": "date",
    "finished": "date",
    "notes": "text",
    "cite_key": "cite_key",
    "commit": "commit",
    "release": "text",
    "goal": "goal",
}
GOAL_FIELDS = {"merged_prs": "count", "commits": "count", "by": "date"}
REQUIRED_BY_KIND: dict[str, tuple[str, ...]] = {
    "repo": ("repo",),
    "paper": ("arxiv", "doi", "url"),  # at least one of these, or BIBLIOGRAPHIC
    "course": ("url",),
    "video": ("url",),
    "post": ("url",),
    "book": (),
    "model": ("url",),  # a Hugging Face model (or any model card)
    "dataset": ("url",),
}
# A paper known only from its bibliographic data: its title and year (an old conference paper
# without DOI or URL; Gauss 1809, whose author a bibliography may leave out).
BIBLIOGRAPHIC = ("year",)
CITE_KEY_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_:./-]*$")  # DBLP: conf/nips/Name17


@dataclass(frozen=True)
class Goal:
    merged_prs: int | None = None
    commits: int | None = None
    by: date | None = None


@dataclass(frozen=True)
class Figure:
    id: str
    name: str
    native_name: str | None = None
    github: str | None = None
    homepage: str | None = None
    channels: dict[str, str] = field(default_factory=dict)
    affiliations: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    notes: str | None = None
    line: int = 0


@dataclass(frozen=True)
class Entry:
    id: str
    kind: str
    title: str
    url: str | None = None
    repo: str | None = None
    arxiv: str | None = None
    doi: str | None = None
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    primary_class: str | None = None
    venue: str | None = None
    pages: str | None = None
    publisher: str | None = None
    abstract: str | None = None
    figures: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    status: str = "todo"
    added: date | None = None
    started: date | None = None
    finished: date | None = None
    notes: str | None = None
    cite_key: str | None = None
    commit: str | None = None
    release: str | None = None
    goal: Goal | None = None
    line: int = 0

    @property
    def link(self) -> str | None:
        if self.url:
            return self.url
        if self.repo:
            return f"https://github.com/{self.repo}"
        if self.arxiv:
            return f"https://arxiv.org/abs/{self.arxiv}"
        if self.doi:
            return f"https://doi.org/{self.doi}"
        return None


@dataclass(frozen=True)
class ReadingList:
    path: str
    figures: list[Figure]
    entries: list[Entry]
    version: int = SCHEMA_VERSION

    def entry_index(self, entry_id: str) -> int:
        for i, entry in enumerate(self.entries):
            if entry.id == entry_id:
                return i
        raise BadInput(
            f"no entry {entry_id!r} in {self.path}",
            hint=did_you_mean(entry_id, (e.id for e in self.entries)) or "see `bip read list`",
        )

    def entry(self, entry_id: str) -> Entry:
        return self.entries[self.entry_index(entry_id)]

    def figure(self, figure_id: str) -> Figure:
        for fig in self.figures:
            if fig.id == figure_id:
                return fig
        close = did_you_mean(figure_id, (f.id for f in self.figures))
        raise BadInput(
            f"no figure {figure_id!r} in {self.path}",
            hint=(f"{close} or " if close else "")
            + f'add one with `bip figures add {figure_id} --name "..."` (see `bip figures list`)',
        )

    def figure_by_login(self, login: str) -> Figure | None:
        """The figure whose GitHub login this is (GitHub logins are case-insensitive)."""
        wanted = login.lower()
        return next((f for f in self.figures if f.github and f.github.lower() == wanted), None)

    def entries_of(self, figure_id: str) -> list[Entry]:
        return [e for e in self.entries if figure_id in e.figures]


def filter_entries(
    rl: ReadingList,
    status: str | None = None,
    figure: str | None = None,
    kind: str | None = None,
    tag: str | None = None,
) -> list[Entry]:
    """Entries matching every given filter; unknown filter values are errors, not empty lists."""
    if status is not None and status not in STATUSES:
        raise BadInput(
            f"unknown status {status!r}",
            hint=did_you_mean(status, STATUSES) or "one of: " + ", ".join(STATUSES),
        )
    if kind is not None and kind not in KINDS:
        raise BadInput(
            f"unknown kind {kind!r}",
            hint=did_you_mean(kind, KINDS) or "one of: " + ", ".join(KINDS),
        )
    if figure is not None:
        rl.figure(figure)
    return [
        e
        for e in rl.entries
        if (status is None or e.status == status)
        and (figure is None or figure in e.figures)
        and (kind is None or e.kind == kind)
        and (tag is None or tag in e.tags)
    ]
