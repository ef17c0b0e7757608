"""Drafts that cite: templates, rendering, PR facts, metrics, build logs and threads.

`make_draft(ws, DraftRequest(...))` is `bip draft TEMPLATE ...`: `build_context` turns the
request into the template's `DraftContext`, `render` writes the post's text, `drafts.posts`
puts it on disk.
"""

from __future__ import annotations

from toolkit.drafts.context import (
    DraftContext,
    DraftRequest,
    build_context,
    paper_context,
    parse_vars,
)
from toolkit.drafts.frontmatter import PostMeta, Site, front_matter, resolve_site, site_for
from toolkit.drafts.make import DraftResult, make_draft
from toolkit.drafts.posts import (
    Placement,
    Published,
    place,
    post_path,
    publish,
    write_post,
    write_with_files,
)
from toolkit.drafts.pr import (
    PRInfo,
    Reviewer,
    parse_pr,
    pr_from_flags,
    pr_from_github,
)
from toolkit.drafts.render import Rendered, render
from toolkit.drafts.templates import (
    BUILTIN,
    NEEDS,
    RESERVED,
    SUFFIX,
    TemplateInfo,
    environment,
    list_templates,
    template_help,
)
from toolkit.drafts.trainingrun import TrainingRequest, TrainingRun
from toolkit.references.citer import Citer
from toolkit.text import slugify

__all__ = [
    "BUILTIN",
    "NEEDS",
    "RESERVED",
    "SUFFIX",
    "Citer",
    "DraftContext",
    "DraftRequest",
    "DraftResult",
    "PRInfo",
    "PostMeta",
    "Published",
    "Rendered",
    "Reviewer",
    "TemplateInfo",
    "TrainingRequest",
    "TrainingRun",
    "build_context",
    "environment",
    "front_matter",
    "list_templates",
    "make_draft",
    "paper_context",
    "parse_pr",
    "parse_vars",
    "post_path",
    "pr_from_flags",
    "pr_from_github",
    "publish",
    "render",
    "site_for",
    "resolve_site",
    "Site",
    "Placement",
    "place",
    "slugify",
    "template_help",
    "write_with_files",
    "write_post",
]
