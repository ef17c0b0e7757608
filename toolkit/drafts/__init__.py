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
from toolkit.drafts.frontmatter import PostMeta, front_matter, site_for, site_kind
from toolkit.drafts.make import DraftResult, make_draft
from toolkit.drafts.posts import Published, post_path, publish, slugify, write_bundle, write_post
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
    "site_kind",
    "slugify",
    "template_help",
    "write_bundle",
    "write_post",
]
