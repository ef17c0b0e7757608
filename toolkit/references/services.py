"""The papers services of a workspace, and what the commands ask them: a paper's fields for
`bip read add`, the missing fields of every paper for `bip read sync`, the citation data of
`bip read graph` and `bip read suggest`. Returns what happened; prints nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from toolkit import readinglist as rl
from toolkit.errors import BadInput
from toolkit.readinglist.links import Source
from toolkit.references.edits import Completed, plan_complete
from toolkit.references.fetch import (
    CitationData,
    Services,
    complete,
    describe,
    fetch_citation_data,
    make_services,
    needs_metadata,
)
from toolkit.references.records import PAPER_FIELDS
from toolkit.settings import env_flag, environ
from toolkit.text import did_you_mean
from toolkit.workspace import Workspace


def offline_env() -> bool:
    return env_flag("BIP_OFFLINE")


def workspace_services(
    ws: Workspace, offline: bool, quick: bool = False, max_wait: float = 60.0
) -> Services:
    ws.ensure_state_dir()
    settings = ws.settings
    return make_services(
        settings.arxiv_api_url,
        settings.crossref_api_url,
        settings.s2_api_url,
        ws.paths.state,
        offline=offline or offline_env(),
        quick=quick,
        email=settings.papers_email,
        s2_key=environ("S2_API_KEY"),
        max_wait=max_wait,
    )


def notices(svc: Services) -> list[str]:
    """What the services could not do, once each: for a warning."""
    found = [notice for client in svc.clients for notice in client.notices]
    return list(dict.fromkeys(found + svc.problems))


@dataclass
class PaperLookup:
    """`bip read add`: what arXiv, Crossref or Semantic Scholar say about a paper."""

    fields: dict[str, Any] = field(default_factory=dict)
    unknown: str = ""  # why nothing is known ("offline", the services' problems), or ""
    warnings: list[str] = field(default_factory=list)


def lookup_paper(ws: Workspace, source: Source, model: rl.ReadingList) -> PaperLookup:
    """Best effort, a few seconds at most; BadInput if the paper is already in the list under
    another identifier."""
    from toolkit.readinglist.edits import duplicate_of

    if source.kind != "paper" or not (source.arxiv or source.doi):
        return PaperLookup()
    if offline_env():
        return PaperLookup(unknown="offline")
    svc = workspace_services(ws, offline=False, quick=True)
    meta = describe(svc, source.arxiv, source.doi)
    if meta is None:
        why = "; ".join(dict.fromkeys(svc.problems)) or "no source knows this paper"
        return PaperLookup(unknown=why)
    # one source failed, another answered
    warnings = [f"{p}; filled from {meta.source}" for p in dict.fromkeys(svc.problems)]
    values = meta.values()
    for key in ("arxiv", "doi"):
        other = values.get(key)
        if other and other != getattr(source, key):
            existing = duplicate_of(model, f"{'arXiv:' if key == 'arxiv' else 'doi:'}{other}")
            if existing is not None:
                raise BadInput(
                    f"this paper is already in the list as {existing.id!r} ({key} {other})",
                    hint=f"see `bip read show {existing.id}`",
                )
    return PaperLookup(values, "", warnings)


@dataclass
class PapersSync:
    """The papers half of `bip read sync`."""

    papers: int  # papers in the list
    completed: list[Completed] = field(default_factory=list)  # only those that got fields
    held: list[str] = field(default_factory=list)  # identities not filled: another entry's
    requests: int = 0
    warnings: list[str] = field(default_factory=list)


def check_overwrite(overwrite: list[str]) -> frozenset[str]:
    for name in overwrite:
        if name not in PAPER_FIELDS:
            raise BadInput(
                f"--overwrite {name}: not a field bip fills",
                hint=did_you_mean(name, PAPER_FIELDS) or "one of: " + ", ".join(PAPER_FIELDS),
            )
    return frozenset(overwrite)


def sync_papers(
    ws: Workspace, offline: bool, overwrite: frozenset[str], max_wait: float
) -> PapersSync:
    """Fill what papers lack from arXiv, Crossref and Semantic Scholar (fields the user wrote
    stay, unless `overwrite` names them)."""
    model = rl.load_reading_list(ws.paths.reading_list).model
    count = sum(e.kind == "paper" for e in model.entries)
    if not any(needs_metadata(e, overwrite) for e in model.entries):
        return PapersSync(count)
    svc = workspace_services(ws, offline, max_wait=max_wait)
    metas = complete(svc, model.entries, overwrite)
    done = rl.edit_reading_list(
        ws.paths.reading_list,
        plan_complete(metas, overwrite),
        lock=rl.lock_path_for(ws.paths.reading_list),
    )
    held = [
        f"{item.id}: {item.source} gives {name} {value}, which is {other!r} in the list: "
        f"not filled (the same paper twice? keep one with `bip read rm`)"
        for item in done
        for name, value, other in item.held
    ]
    return PapersSync(
        count, [item for item in done if item.fields], held, svc.requests(), notices(svc)
    )


@dataclass
class CitationQuery:
    model: rl.ReadingList
    papers: list[rl.Entry]
    data: CitationData
    requests: int
    warnings: list[str]


def citation_query(
    ws: Workspace,
    figure: str | None,
    tag: str | None,
    offline: bool,
    max_wait: float,
    citing: bool,
) -> CitationQuery:
    """What Semantic Scholar says about the papers of the list (those of a figure or tag)."""
    from toolkit.references.s2 import s2_id

    model = rl.load_reading_list(ws.paths.reading_list).model
    papers = [e for e in rl.filter_entries(model, figure=figure, kind="paper", tag=tag) if s2_id(e)]
    if not papers:
        raise BadInput(
            "no papers with an arXiv id or a DOI"
            + (" match these filters" if figure or tag else ""),
            hint="add one with `bip read add https://arxiv.org/abs/...`",
        )
    svc = workspace_services(ws, offline, max_wait=max_wait)
    data = fetch_citation_data(svc, papers, with_citing=citing)
    return CitationQuery(model, papers, data, svc.requests(), notices(svc))
