"""`bip read add` as one call: the reference checked, the paper's or repo's metadata looked up
(best effort), the entry written, and what the person should know said as warnings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from toolkit import readinglist as rl
from toolkit.readinglist.edits import Added

if TYPE_CHECKING:
    from toolkit.github import GitHubClient
    from toolkit.workspace import Workspace


@dataclass
class AddRequest:
    reference: str  # a GitHub repo URL, an arXiv URL or id, a DOI, or any URL
    entry_id: str | None = None
    figures: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    kind: str | None = None
    title: str | None = None


@dataclass
class AddResult:
    added: Added  # what was written
    warnings: list[str] = field(default_factory=list)


def add_entry(
    ws: Workspace, request: AddRequest, github: Callable[[], GitHubClient] | None = None
) -> AddResult:
    """Add the reference as a `todo` entry. Everything is checked before the network; without
    `github` (offline) a repo's title is its name."""
    from toolkit.readinglist.edits import check_add, parse_add
    from toolkit.references.services import lookup_paper

    source = parse_add(request.reference, request.kind, request.entry_id)
    model = rl.load_reading_list(ws.paths.reading_list).model
    check_add(model, request.reference, source, request.entry_id, request.figures or None)
    found = lookup_paper(ws, source, model)  # a paper's title, authors, year, ...
    warnings = list(found.warnings)
    metadata = found.fields
    title = request.title or metadata.pop("title", None)
    if title is None and github is not None:
        title = _github_title(ws, request.reference, github, warnings)
    plan = rl.plan_add(
        request.reference,
        ws.now().date(),
        entry_id=request.entry_id,
        figures=request.figures or None,
        tags=request.tags or None,
        kind=request.kind,
        title=title,
        fields=metadata,
    )
    added = rl.edit_reading_list(
        ws.paths.reading_list, plan, lock=rl.lock_path_for(ws.paths.reading_list)
    )
    if found.unknown:
        warnings.append(
            f"{found.unknown}: added {added.id} from its identifier; "
            "`bip read sync` will complete it"
        )
    return AddResult(added, warnings)


def _github_title(
    ws: Workspace, reference: str, github: Callable[[], GitHubClient], warnings: list[str]
) -> str | None:
    """For a GitHub repo, its name and description from the API (best effort, never fatal)."""
    from toolkit.readinglist import links
    from toolkit.readinglist.sync import describe_repo, save_repo_meta
    from toolkit.state import Store

    source = links.classify(reference)
    if source.repo is None:
        return None
    meta = describe_repo(github(), source.repo)
    if meta is None or meta.error:
        warnings.append(
            f"could not ask GitHub about {source.repo}; using {source.repo!r} as the title"
        )
        return None
    ws.ensure_state_dir()
    save_repo_meta(Store(ws.paths.state_db), ws.now(), [meta])
    name = source.repo.split("/")[1]
    return f"{name}: {meta.description}" if meta.description else name
