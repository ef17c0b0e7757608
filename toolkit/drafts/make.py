"""`bip draft TEMPLATE ...` as one call: the context, the rendered post, the files, the pins."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit import readinglist as rl
from toolkit.drafts.context import DraftRequest, GitHubFactory, build_context
from toolkit.drafts.posts import draft_folder, place, post_path, write_post, write_with_files
from toolkit.drafts.render import render
from toolkit.drafts.templates import environment
from toolkit.references.citer import Citer

if TYPE_CHECKING:
    from toolkit.workspace import Workspace


@dataclass
class DraftResult:
    text: str  # the whole post
    posts: list[str]  # the X posts of thread(), in order
    cited: list[str]  # entry ids, in citation order
    path: Path | None  # where the post was written; None for a preview
    pinned: dict[str, str] = field(default_factory=dict)  # entry id -> key newly pinned
    warnings: list[str] = field(default_factory=list)


def make_draft(
    ws: Workspace, request: DraftRequest, github: GitHubFactory | None = None
) -> DraftResult:
    """Render the post and, unless it is a preview, write it (with its files where the site
    generator serves them: `drafts.posts.place`) and pin the citation keys it used."""
    from toolkit.references.credit import load_repo_facts
    from toolkit.references.export import notes

    model = rl.load_reading_list(ws.paths.reading_list).model
    context = build_context(ws, model, request, github)
    # A thread is the post's companion, often of the same run and title: its own file name
    # (`bip draft training-run --run X` then `bip draft thread --run X` must not collide).
    suffix = "thread" if request.template == "thread" else ""
    folder = draft_folder(context.site, context.folder)  # `_drafts/` for "both" in Jekyll
    path = post_path(folder, context.date, context.title, suffix)
    attachments = {} if request.preview else context.training.attachments()
    placement = place(context.site, path, list(attachments))
    figure = context.training.figure
    if figure is not None and figure.src in placement.links:  # linked where the site serves it
        context.training.figure = replace(figure, src=placement.links[figure.src])
    citer = Citer(model, load_repo_facts(ws, context.entries), today=ws.now().date())
    rendered = render(environment(ws.paths.templates), request.template, context, citer)
    result = DraftResult(rendered.text, rendered.posts, rendered.cited, None)
    # references cited by their entry id until `bip read sync` knows them: said once each
    pending = [notes(r, model)[0] for r in citer.references() if r.provisional]
    result.warnings = context.warnings + rendered.warnings + pending
    if request.preview:
        return result
    if attachments:
        result.path = write_with_files(placement, rendered.text, attachments, request.force)
    else:
        write_post(path, rendered.text, request.force)
        result.path = path
    if rendered.keys:
        pinned = rl.edit_reading_list(
            ws.paths.reading_list,
            rl.plan_pin_keys(rendered.keys),
            lock=rl.lock_path_for(ws.paths.reading_list),
        )
        result.pinned = {i: rendered.keys[i] for i in pinned}
    return result
