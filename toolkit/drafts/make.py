"""`bip draft TEMPLATE ...` as one call: the context, the rendered post, the files, the pins."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit import readinglist as rl
from toolkit.drafts.context import DraftRequest, GitHubFactory, build_context
from toolkit.drafts.posts import place, post_path, write_post, write_with_files
from toolkit.drafts.render import Citer, render
from toolkit.drafts.templates import environment

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
    from toolkit.readinglist.sync import citation_files

    model = rl.load_reading_list(ws.paths.reading_list).model
    context = build_context(ws, model, request, github)
    path = post_path(context.folder, context.date, context.title)
    attachments = {} if request.preview else context.training.attachments()
    placement = place(context.site, path, list(attachments))
    figure = context.training.figure
    if figure is not None and figure.src in placement.links:  # linked where the site serves it
        context.training.figure = replace(figure, src=placement.links[figure.src])
    citer = Citer(model, citation_files(ws, context.entries))
    rendered = render(environment(ws.paths.templates), request.template, context, citer)
    result = DraftResult(rendered.text, rendered.posts, rendered.cited, None)
    result.warnings = context.warnings
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
