"""Who a reference credits, and when: people by name, never a login.

An entry's `authors` win. A repo, course, video or post without them credits the reading list's
figures of the entry (`Karpathy, Andrej`), else the figure whose GitHub login owns the repo,
else the GitHub profile's name of the owner (`bip read sync` fetched it once and kept it), an
organisation's as one unit (`{vLLM}`). Unknown until then: no author rather than a login.
A repo's year is its CITATION.cff's release, else the entry's, else the year GitHub says the
repo was created.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from toolkit.readinglist import Entry, ReadingList
from toolkit.references.cff import year_of
from toolkit.references.names import Name, parse_name, profile_name
from toolkit.workspace import Workspace


@dataclass(frozen=True)
class RepoFacts:
    """What bip knows about a repo beyond the reading list (a clone, `bip read sync`)."""

    cff: str | None = None  # CITATION.cff text
    owner: Name | None = None  # the owner's GitHub profile name
    year: int | None = None  # the year GitHub says the repo was created


@dataclass(frozen=True)
class Credit:
    names: list[Name] = field(default_factory=list)
    year: int | None = None
    source: str = ""  # authors | figure | github profile | "" (nobody known yet)

    @property
    def authors(self) -> list[str]:
        return [n.display for n in self.names]


def credit(entry: Entry, model: ReadingList | None, facts: RepoFacts | None) -> Credit:
    facts = facts or RepoFacts()
    year = entry.year or facts.year
    if entry.authors:
        return Credit([parse_name(a) for a in entry.authors], year, "authors")
    if entry.kind == "paper":
        return Credit([], year)
    figures = [f for f in model.figures if f.id in entry.figures] if model else []
    owner = entry.repo.split("/")[0] if entry.repo else None
    if not figures and owner and model is not None:
        found = model.figure_by_login(owner)
        figures = [found] if found else []
    if figures:
        return Credit([parse_name(f.name) for f in figures], year, "figure")
    if facts.owner is not None:
        return Credit([facts.owner], year, "github profile")
    return Credit([], year)


def load_repo_facts(ws: Workspace, entries: list[Entry]) -> dict[str, RepoFacts]:
    """For each cited repo (lowercase owner/name): a local clone's CITATION.cff first, else what
    `bip read sync` kept (its CITATION.cff, the owner's profile name, the creation year)."""
    from toolkit.readinglist.sync import known_profile, load_repo_meta
    from toolkit.state import Store

    found: dict[str, RepoFacts] = {}
    repos = list(dict.fromkeys(e.repo for e in entries if e.repo))
    store: Store | None = None
    try:
        if repos and ws.paths.state_db.exists():
            store = Store(ws.paths.state_db)
        for repo in repos:
            cff = _clone_cff(ws, repo)
            meta = load_repo_meta(store, repo) if store else None
            owner = None
            year = None
            if meta is not None:
                repo_meta = meta[1]
                cff = cff or repo_meta.citation_cff
                year = year_of(repo_meta.created_at)
                login = repo_meta.owner or repo.split("/")[0]
                if repo_meta.owner_name:
                    organisation = repo_meta.owner_type == "Organization"
                    owner = profile_name(repo_meta.owner_name, login, organisation)
            if owner is None and store is not None:
                profile = known_profile(store, repo.split("/")[0])
                if profile is not None and profile.name:
                    owner = profile_name(
                        profile.name, profile.login, profile.type == "Organization"
                    )
            found[repo.lower()] = RepoFacts(cff, owner, year)
    finally:
        if store is not None:
            store.close()
    return found


def _clone_cff(ws: Workspace, repo: str) -> str | None:
    clone = ws.settings.clones.get(repo)
    if not clone:
        return None
    path = Path(clone).expanduser() / "CITATION.cff"
    try:
        return path.read_text(encoding="utf-8") if path.is_file() else None
    except (OSError, UnicodeDecodeError):
        return None
